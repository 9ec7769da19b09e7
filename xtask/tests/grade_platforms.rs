//! Grading where a course already grades: Gradescope's autograder (`cargo xtask
//! gradescope` and the scripts an instructor uploads) and GitHub Classroom's
//! workflow (`cargo xtask classroom`, checked in its unit test).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod support;
use support::{root, text, xtask};

fn gradescope(submission: &Path, results: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "gradescope",
        "stage1",
        "--submission",
        submission.to_str().unwrap(),
        "--results",
        results.to_str().unwrap(),
        "--seed",
        "5",
    ];
    args.extend(extra);
    xtask(&args)
}

fn results(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn an_upload_is_graded_into_gradescopes_results_file() {
    let autograder = tempfile::tempdir().unwrap();
    // Learners upload the stage's files (here, the reference solution's).
    let submission = autograder.path().join("submission");
    std::fs::create_dir_all(submission.join("src")).unwrap();
    let solution = root().join("solutions/stage01");
    for file in ["Cargo.toml", "answers.toml", "src/lib.rs", "src/main.rs"] {
        std::fs::copy(solution.join(file), submission.join(file)).unwrap();
    }
    let path = autograder.path().join("results/results.json");
    let output = gradescope(&submission, &path, &[]);
    assert!(output.status.success(), "{}", text(&output));
    let json = results(&path);
    assert_eq!(json["score"], 7.0, "{json}");
    let tests = json["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 7);
    for test in tests {
        for field in ["score", "max_score", "name", "output", "visibility"] {
            assert!(!test[field].is_null(), "{field} missing: {test}");
        }
        assert_eq!(test["status"], "passed", "{test}");
        assert_eq!(test["score"], test["max_score"], "{test}");
    }
    assert!(
        tests[0]["name"]
            .as_str()
            .unwrap()
            .contains("(common.build)")
    );
    assert!(
        json["output"].as_str().unwrap().contains("seed 5"),
        "{json}"
    );

    // An upload without the stage: a results file that says what to upload, and
    // a non-zero exit.
    let empty = autograder.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("README.md"), "my notes").unwrap();
    let output = gradescope(&empty, &path, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let json = results(&path);
    assert_eq!(json["score"], 0.0);
    let said = json["output"].as_str().unwrap();
    assert!(
        said.contains("holds no stage01 folder") && said.contains("Fix:"),
        "{said}"
    );
    assert!(text(&output).contains("Fix:"), "{}", text(&output));
}

#[test]
fn without_the_sandbox_the_results_file_says_why() {
    let autograder = tempfile::tempdir().unwrap();
    let submission = autograder.path().join("submission");
    std::fs::create_dir_all(&submission).unwrap();
    let path = autograder.path().join("results.json");
    // A user namespace allowed no further ones: no sandbox can start in it.
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && exec '{}' gradescope stage1 --submission '{}' --results '{}'",
        env!("CARGO_BIN_EXE_xtask"),
        submission.display(),
        path.display()
    );
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", &script])
        .output()
        .expect("unshare runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let said = results(&path)["output"].as_str().unwrap().to_string();
    assert!(
        said.contains("cannot confine graded code") && said.contains("--unconfined"),
        "{said}"
    );
}

#[test]
fn the_gradescope_scripts_are_valid_bash_and_use_real_flags() {
    let dir = root().join("xtask/platforms/gradescope");
    for script in ["setup.sh", "run_autograder", "config.sh"] {
        let output = Command::new("bash")
            .arg("-n")
            .arg(dir.join(script))
            .output()
            .unwrap();
        assert!(output.status.success(), "{script}: {}", text(&output));
    }
    let help = text(&xtask(&["gradescope", "--help"]));
    let run = std::fs::read_to_string(dir.join("run_autograder")).unwrap();
    for flag in ["--submission", "--results", "--seed", "--rubric"] {
        assert!(run.contains(flag) && help.contains(flag), "{flag}");
    }
    let config = std::fs::read_to_string(dir.join("config.sh")).unwrap();
    let stage = config
        .lines()
        .find_map(|l| l.strip_prefix("STAGE=\""))
        .and_then(|l| l.split('"').next())
        .unwrap();
    assert!(root().join("solutions").join(stage).is_dir(), "{stage}");
    assert!(help.contains("--unconfined"));
}
