//! `cargo xtask check` on bad input: an unknown stage, a folder that is not a
//! stage, a stage that does not compile, panics, runs too long or lost its answers.
//! Each ends with a clear message and a non-zero exit, never a hang or a panic.

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::{root, text, xtask};

#[test]
fn unknown_stages_are_refused() {
    let unknown = xtask(&["check", "stage11"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown).contains("unknown stage `stage11`"),
        "{}",
        text(&unknown)
    );
    let hint = xtask(&["hint", "stage1"]);
    assert!(hint.status.success());
    assert!(text(&hint).contains("count_per_class still returns the starting zeros"));
}

#[test]
fn a_path_that_is_not_a_stage_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let output = xtask(&["check", "stage1", "--path", empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("is not a stage: it has no Cargo.toml"),
        "{}",
        text(&output)
    );
    // A grader's result file is written even then, into a folder made for it.
    let result = empty.path().join("grades").join("alice.json");
    let output = xtask(&[
        "check",
        "stage1",
        "--path",
        empty.path().to_str().unwrap(),
        "--json",
        result.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&result).unwrap()).unwrap();
    assert_eq!(json["passed"], false);
    assert!(json["error"].as_str().unwrap().contains("is not a stage"));
    let other = root().join("solutions/stage05");
    let output = xtask(&["check", "stage1", "--path", other.to_str().unwrap()]);
    assert!(
        text(&output).contains("holds stage05, not stage01"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_linked_folder_or_a_fifo_is_refused_before_anything_is_built() {
    let good = broken_copy(|lib| lib);
    let link = good.path().join("linked");
    std::os::unix::fs::symlink(good.path().join("stage01"), &link).unwrap();
    let output = xtask(&["check", "stage1", "--path", link.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("is a symbolic link") && text(&output).contains("Fix:"),
        "{}",
        text(&output)
    );
    let fifo = good.path().join("stage01/src/notes.rs");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let path = good.path().join("stage01");
    let output = xtask(&["check", "stage1", "--path", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("notes.rs is a FIFO") && text(&output).contains("Fix:"),
        "{}",
        text(&output)
    );
}

/// A copy of the stage 1 solution with `change` applied to its lib.rs.
fn broken_copy(change: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("stage01");
    let source = root().join("solutions/stage01");
    std::fs::create_dir_all(copy.join("src")).unwrap();
    for file in ["Cargo.toml", "answers.toml", "src/main.rs"] {
        std::fs::copy(source.join(file), copy.join(file)).unwrap();
    }
    let lib = std::fs::read_to_string(source.join("src/lib.rs")).unwrap();
    std::fs::write(copy.join("src/lib.rs"), change(lib)).unwrap();
    dir
}

fn check_json(dir: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    let path = dir.join("stage01");
    let mut args = vec![
        "check",
        "stage1",
        "--path",
        path.to_str().unwrap(),
        "--json",
    ];
    args.extend(extra);
    let output = xtask(&args);
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", text(&output)));
    (output, json)
}

fn item<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

/// One test, so the scratch builds of these copies take turns.
#[test]
fn broken_stages_are_reported_clearly() {
    // A submission elsewhere that passes: built as a scratch crate sharing the build.
    let good = broken_copy(|lib| lib);
    let (output, json) = check_json(good.path(), &[]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(json["passed"], true);
    assert_eq!(json["passed_items"], json["total_items"]);

    // It does not compile: the first error, with its file and line.
    let broken = broken_copy(|lib| {
        lib.replace(
            "counts[label as usize] += 1;",
            "counts[label as usize] += \"one\";",
        )
    });
    let (output, json) = check_json(broken.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    let build = item(&json, "common.build");
    assert_eq!(build["status"], "fail");
    let detail = build["detail"].as_str().unwrap();
    assert!(
        detail.contains("stage01/src/lib.rs:") && detail.contains("cannot add-assign"),
        "{detail}"
    );
    assert_eq!(item(&json, "s1.counts")["status"], "skipped");

    // It panics: the panic message, and the run fails.
    let panics = broken_copy(|lib| {
        lib.replace(
            "let out = args.out_dir(1)?;",
            "let out = args.out_dir(1)?;\n    panic!(\"the grader should see this\");",
        )
    });
    let (_, json) = check_json(panics.path(), &[]);
    let run = item(&json, "common.run");
    assert_eq!(run["status"], "fail");
    assert!(
        run["detail"]
            .as_str()
            .unwrap()
            .contains("the grader should see this"),
        "{run}"
    );

    // It never ends: stopped at the time limit.
    let hangs = broken_copy(|lib| {
        lib.replace("let out = args.out_dir(1)?;", "let out = args.out_dir(1)?;\n    loop { std::thread::sleep(std::time::Duration::from_millis(50)); }\n    #[allow(unreachable_code)]")
    });
    let (_, json) = check_json(hangs.path(), &["--timeout", "3"]);
    let run = item(&json, "common.run");
    assert_eq!(run["status"], "fail");
    assert!(
        run["detail"].as_str().unwrap().contains("stopped after 3s"),
        "{run}"
    );

    // Its answers file is gone: the answer items say so, the rest still count.
    std::fs::remove_file(good.path().join("stage01/answers.toml")).unwrap();
    let (output, json) = check_json(good.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        item(&json, "s1.predict")["detail"]
            .as_str()
            .unwrap()
            .contains("answers.toml is missing")
    );
    assert_eq!(item(&json, "s1.counts")["status"], "pass");
}
