//! `cargo xtask grade` on a whole class: good, broken and hostile submissions of
//! stage 1 (seconds each), sharding and merging, and the stage-5 forgeries that
//! claim a history or a speed they did not earn.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod support;
use support::{copy_tree, live_processes, root, text, xtask};

/// `class/<learner>/<stage>` holding a copy of a solution with `change` applied to
/// one of its source files.
fn submit(
    class: &Path,
    learner: &str,
    stage: &str,
    file: &str,
    change: impl Fn(String) -> String,
) -> PathBuf {
    let source = root().join("solutions").join(stage);
    let copy = class.join(learner).join(stage);
    copy_tree(&source, &copy);
    let path = copy.join(file);
    let changed = change(std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, changed).unwrap();
    copy
}

/// Code put at the start of stage 1's run.
fn at_start(code: &str) -> impl Fn(String) -> String + '_ {
    move |lib| {
        lib.replace(
            "let out = args.out_dir(1)?;",
            &format!("let out = args.out_dir(1)?;\n    {code}"),
        )
    }
}

fn gradebook(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("gradebook.json")).unwrap()).unwrap()
}

fn row<'a>(book: &'a Value, student: &str) -> &'a Value {
    book["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student"] == student)
        .unwrap_or_else(|| panic!("no row for {student}: {book}"))
}

/// The rows without the time they were graded at, which differs between runs.
fn timeless_rows(book: &Value) -> Vec<Value> {
    book["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("graded_at");
            r
        })
        .collect()
}

/// Processes whose command line is exactly `words`.
fn processes_running(words: &[&str]) -> usize {
    let wanted: Vec<u8> = words.join("\0").into_bytes();
    live_processes(|line| line == wanted.as_slice())
}

#[test]
fn a_class_with_broken_and_hostile_submissions_is_graded_whole() {
    let class = tempfile::tempdir().unwrap();
    let class_dir = class.path();
    let grades = tempfile::tempdir().unwrap();
    let lib = "src/lib.rs";
    submit(class_dir, "alice", "stage01", lib, |s| s);
    std::fs::write(
        class_dir.join("alice/timestamp.txt"),
        "2026-01-02T10:00:00Z",
    )
    .unwrap();
    submit(class_dir, "bob", "stage01", lib, |s| {
        s.replace(
            "counts[label as usize] += 1;",
            "counts[label as usize] += \"one\";",
        )
    });
    submit(
        class_dir,
        "carol",
        "stage01",
        lib,
        at_start("panic!(\"carol's run breaks\");"),
    );
    submit(
        class_dir,
        "dave",
        "stage01",
        lib,
        at_start(
            "loop { std::thread::sleep(std::time::Duration::from_millis(50)); }\n    #[allow(unreachable_code)]",
        ),
    );
    // Leaves a child behind, and writes beside itself, at home and in temp.
    submit(
        class_dir,
        "erin",
        "stage01",
        lib,
        at_start(
            "std::process::Command::new(\"sleep\").arg(\"4321\").spawn()?;\n    std::fs::write(\"escape.txt\", \"x\")?;\n    std::fs::write(std::env::temp_dir().join(\"escape.txt\"), \"x\")?;\n    std::fs::write(std::path::PathBuf::from(std::env::var(\"HOME\")?).join(\"escape.txt\"), \"x\")?;",
        ),
    );
    // Floods its output: 100 MB.
    submit(
        class_dir,
        "frank",
        "stage01",
        lib,
        at_start(
            "{ use std::io::Write; let line = [b'x'; 1000]; let mut out = std::io::stdout().lock(); for _ in 0..100_000 { out.write_all(&line)?; } }",
        ),
    );
    // Allocates without limit.
    submit(
        class_dir,
        "grace",
        "stage01",
        lib,
        at_start(
            "{ let mut hoard = Vec::new(); loop { hoard.push(vec![1u8; 1 << 20]); } }\n    #[allow(unreachable_code)]",
        ),
    );
    std::fs::create_dir_all(class_dir.join("henry")).unwrap();
    submit(class_dir, "ivy", "stage01", lib, |s| s);
    copy_tree(
        &root().join("solutions/stage01"),
        &class_dir.join("ivy/again"),
    );
    copy_tree(
        &root().join("solutions/stage02"),
        &class_dir.join("jack/stage02"),
    );
    let before: Vec<PathBuf> = walk(class_dir);

    let rubric = class_dir.join("..").join(format!(
        "rubric-{}.toml",
        class_dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(
        &rubric,
        "[points]\n\"s1.counts\" = 3\n[[hand]]\nid = \"hand.grid\"\ntitle = \"The grid is tidy\"\npoints = 2\n[late]\ndue = \"2026-01-01T12:00:00Z\"\npercent_per_day = 10\n",
    )
    .unwrap();
    let whole = grades.path().join("whole");
    let grade = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "grade",
            "stage1",
            class_dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
            "--timeout",
            "20",
            "--seed",
            "11",
            "--memory-mib",
            "2048",
            "--rubric",
            rubric.to_str().unwrap(),
        ];
        args.extend(extra);
        xtask(&args)
    };
    let output = grade(&whole, &[]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(
        processes_running(&["sleep", "4321"]),
        0,
        "erin's child outlived her run"
    );
    assert_eq!(
        walk(class_dir),
        before,
        "grading changed the submissions folder"
    );

    let book = gradebook(&whole);
    let status = |student: &str| row(&book, student)["status"].as_str().unwrap().to_string();
    for (student, expected) in [
        ("alice", "graded"),
        ("bob", "build_failed"),
        ("carol", "crashed"),
        ("dave", "timed_out"),
        ("erin", "graded"),
        ("frank", "graded"),
        ("grace", "crashed"),
        ("henry", "missing"),
        ("ivy", "not_a_stage"),
        ("jack", "not_a_stage"),
    ] {
        assert_eq!(status(student), expected, "{student}: {}", text(&output));
    }
    // 3 + 6 automatic points, 2 by hand; a day late costs 10%.
    let alice = row(&book, "alice");
    assert_eq!(alice["max_score"], 11.0);
    assert_eq!(alice["late_penalty"], 0.9);
    assert_eq!(alice["score"], 8.1);
    assert_eq!(alice["items"]["hand.grid"], Value::Null);
    assert_eq!(row(&book, "erin")["score"], 9.0);
    // A crash earns the build's point and nothing after it.
    let carol = row(&book, "carol");
    assert_eq!(carol["score"], 1.0);
    assert_eq!(carol["items"]["s1.counts"], 0.0);
    assert_eq!(row(&book, "bob")["score"], 0.0);

    let csv = std::fs::read_to_string(whole.join("gradebook.csv")).unwrap();
    assert!(csv.starts_with("student,stage,status,score,max_score,percent,late_penalty,seed,graded_at,kindling_version,common.build,common.run,common.fresh,s1.counts,s1.grid,s1.predict,s1.balance,hand.grid\n"), "{csv}");
    assert_eq!(csv.lines().count(), 11);
    let frank = std::fs::read_to_string(whole.join("feedback/frank/stage01.md")).unwrap();
    assert!(frank.contains("bytes dropped"), "{frank}");
    let grace = std::fs::read_to_string(whole.join("feedback/grace/stage01.md")).unwrap();
    assert!(grace.contains("memory allocation"), "{grace}");
    let alice_page = std::fs::read_to_string(whole.join("feedback/alice/stage01.md")).unwrap();
    assert!(
        alice_page.contains("**\\[observe\\] balanced**\n\n> yes"),
        "{alice_page}"
    );
    assert!(alice_page.contains("The grid is tidy (2 points): to be graded"));
    let summary = std::fs::read_to_string(whole.join("summary.md")).unwrap();
    assert!(
        summary.contains("10 learners") && summary.contains("seed 11"),
        "{summary}"
    );
    assert!(whole.join("items.png").is_file());
    // The gradebook as Canvas and Moodle import it.
    let canvas = std::fs::read_to_string(whole.join("canvas.csv")).unwrap();
    assert!(canvas.starts_with("Student,ID,SIS User ID,SIS Login ID,Section,Kindling stage 1: Photos\n    Points Possible,,,,,11\n"), "{canvas}");
    assert!(canvas.contains("\nalice,,,alice,,8.1\n"), "{canvas}");
    let moodle = std::fs::read_to_string(whole.join("moodle.csv")).unwrap();
    assert!(
        moodle
            .starts_with("Username,Kindling stage 1: Photos,Kindling stage 1: Photos (feedback)\n"),
        "{moodle}"
    );

    // The same folder again, in two shards, merged: the same gradebook.
    let first = grades.path().join("first");
    let second = grades.path().join("second");
    assert!(grade(&first, &["--shard", "1/2"]).status.success());
    assert!(grade(&second, &["--shard", "2/2"]).status.success());
    let merged = grades.path().join("merged");
    let output = xtask(&[
        "grade",
        "--merge",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(timeless_rows(&gradebook(&merged)), timeless_rows(&book));
    assert!(merged.join("feedback/jack/stage01.md").is_file());

    // Shards that do not fit together, and an --out that holds a gradebook.
    for (shards, says) in [
        (vec![&first], "shards 2/2 are missing"),
        (vec![&first, &first], "given twice"),
        (vec![&first, &whole], "not a shard"),
    ] {
        let mut args = vec!["grade", "--merge"];
        args.extend(shards.iter().map(|s| s.to_str().unwrap()));
        let out = grades.path().join("refused");
        args.extend(["--out", out.to_str().unwrap()]);
        let output = xtask(&args);
        assert_eq!(output.status.code(), Some(1));
        assert!(text(&output).contains(says), "{}", text(&output));
        assert!(!out.exists(), "nothing is half-written");
    }
    let args = [
        "grade",
        "--merge",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ];
    let refused = xtask(&args);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused).contains("already holds a gradebook"));
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(xtask(&forced).status.success());
    let _ = std::fs::remove_file(rubric);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        found.push(entry.path());
        if entry.path().is_dir() {
            found.extend(walk(&entry.path()));
        }
    }
    found.sort();
    found
}

#[test]
fn a_batch_that_cannot_run_is_refused_before_anything_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grades");
    let out = out.to_str().unwrap();
    let nowhere = dir.path().join("nowhere");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("alice")).unwrap();
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let bad_rubric = dir.path().join("bad.toml");
    std::fs::write(&bad_rubric, "[points]\n\"s1.nope\" = 2\n").unwrap();
    let broken_rubric = dir.path().join("broken.toml");
    std::fs::write(&broken_rubric, "[points\n").unwrap();
    for (args, says) in [
        (
            vec!["grade", "stage1", nowhere.to_str().unwrap(), "--out", out],
            "does not exist",
        ),
        (
            vec!["grade", "stage1", bare.to_str().unwrap(), "--out", out],
            "holds no learner folders",
        ),
        (
            vec![
                "grade",
                "stage1",
                empty.to_str().unwrap(),
                "--out",
                out,
                "--rubric",
                bad_rubric.to_str().unwrap(),
            ],
            "`s1.nope`, which stage 1 does not have",
        ),
        (
            vec![
                "grade",
                "stage1",
                empty.to_str().unwrap(),
                "--out",
                out,
                "--rubric",
                broken_rubric.to_str().unwrap(),
            ],
            "broken.toml",
        ),
        (
            vec![
                "grade",
                "stage1",
                empty.to_str().unwrap(),
                "--out",
                out,
                "--shard",
                "3/2",
            ],
            "not a shard",
        ),
    ] {
        let output = xtask(&args);
        // 1 from the grader, 2 from the argument parser (--shard): never a panic's 101.
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{args:?}: {}",
            text(&output)
        );
        assert!(text(&output).contains(says), "{args:?}: {}", text(&output));
        assert!(text(&output).contains("Fix"), "{args:?}: {}", text(&output));
        assert!(!Path::new(out).exists());
    }
}

#[test]
fn the_slurm_array_script_on_the_instructors_page_is_valid_bash() {
    let script = root().join("xtask/tests/grade-array.sh");
    let output = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let text = std::fs::read_to_string(script).unwrap();
    assert!(text.contains("--shard \"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\""));
    assert!(text.contains("cargo xtask grade --merge"));
}

/// The reference snapshot's epochs, as Rust rows for a forged history.
fn snapshot_rows() -> String {
    let text =
        std::fs::read_to_string(root().join("tests/snapshots/stage05_history.snap")).unwrap();
    let body = text.splitn(3, "---\n").nth(2).unwrap();
    let epochs: Vec<Value> = serde_json::from_str(body).unwrap();
    epochs
        .iter()
        .map(|e| {
            format!(
                "[(\"loss\", {}f64), (\"accuracy\", {}f64), (\"val_loss\", {}f64), (\"val_accuracy\", {}f64)]",
                e["loss"], e["accuracy"], e["val_loss"], e["val_accuracy"]
            )
        })
        .collect::<Vec<_>>()
        .join(",\n        ")
}

/// Replaces the body of stage 5's `train_baseline`, and skips the longer run
/// that would go on from the checkpoint a forged baseline never wrote.
fn train_baseline_body(body: String) -> impl Fn(String) -> String {
    move |cnn| {
        let start = cnn.find("pub fn train_baseline").unwrap();
        let end = cnn.find("// ANCHOR_END: fit").unwrap();
        let forged = format!("{}{}\n{}", &cnn[..start], body, &cnn[end..]);
        let part_5 = "pub fn part_5(args: &StageArgs, out: &Path, report: &mut StageReport) -> Result<()> {\n";
        assert!(forged.contains(part_5), "stage 5's part_5 changed");
        forged.replace(
            part_5,
            &format!("{part_5}    if out.exists() {{\n        let _ = (args, report);\n        return Ok(());\n    }}\n"),
        )
    }
}

#[test]
fn forged_histories_earn_neither_the_history_nor_the_speed() {
    let class = tempfile::tempdir().unwrap();
    let cnn = "src/cnn.rs";
    submit(class.path(), "honest", "stage05", cnn, |s| s);
    // No model trained: the history is the snapshot's numbers.
    submit(
        class.path(),
        "forger",
        "stage05",
        cnn,
        train_baseline_body(format!(
            "pub fn train_baseline(_args: &StageArgs, _piles: &Piles, _out: &Path) -> Result<(ImageModel, History)> {{
    let (_, device) = kindling::choose_device(None)?;
    let model = ModelKind::BaselineCnn.init(10, &device);
    let mut history = History::new();
    for row in [
        {}
    ] {{
        history.push_epoch(row);
    }}
    Ok((model, history))
}}
",
            snapshot_rows()
        )),
    );
    // Trains, then hands in the snapshot file's numbers, looked for at run time
    // beside its own program: the sandbox shows it neither its program's path nor
    // the repository, so it finds nothing and stops.
    submit(class.path(), "copier", "stage05", cnn, |s| {
        s.replace(
                "    let (model, history) = fit_with(model, &train, Some(&valid), &config, &mut [&mut early])?;\n    Ok((model, history))",
                "    let (model, _history) = fit_with(model, &train, Some(&valid), &config, &mut [&mut early])?;
    let exe = std::env::current_exe()?;
    let snap = exe
        .ancestors()
        .map(|dir| dir.join(\"tests/snapshots/stage05_history.snap\"))
        .find(|path| path.is_file())
        .ok_or_else(|| anyhow::anyhow!(\"no snapshot\"))?;
    let text = std::fs::read_to_string(snap)?;
    let body = text.splitn(3, \"---\\n\").nth(2).unwrap_or(\"[]\");
    let epochs: Vec<serde_json::Value> = serde_json::from_str(body)?;
    let mut history = History::new();
    for e in epochs {
        history.push_epoch(
            [\"loss\", \"accuracy\", \"val_loss\", \"val_accuracy\"]
                .map(|k| (k, e[k].as_f64().unwrap_or(0.0))),
        );
    }
    Ok((model, history))",
            )
    });
    let grades = tempfile::tempdir().unwrap();
    let out = grades.path().join("grades");
    let output = xtask(&[
        "grade",
        "stage5",
        class.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "2",
        "--seed",
        "1234",
    ]);
    assert!(output.status.success(), "{}", text(&output));
    let book = gradebook(&out);
    let points = |student: &str, item: &str| row(&book, student)["items"][item].as_f64().unwrap();
    // The reference solution earns everything at a seed it has never been run with
    // (its written read is held to the run its own check made, at the default seed).
    assert_eq!(row(&book, "honest")["percent"], 100.0, "{book}");
    assert_eq!(row(&book, "forger")["status"], "graded", "{book}");
    assert_eq!(row(&book, "copier")["status"], "crashed", "{book}");
    for forger in ["forger", "copier"] {
        for item in ["s5.history", "s5.model", "s5.speed"] {
            assert_eq!(points(forger, item), 0.0, "{forger} {item}: {book}");
        }
    }
    let page = std::fs::read_to_string(out.join("feedback/forger/stage05.md")).unwrap();
    assert!(page.contains("the saved model scores"), "{page}");
}
