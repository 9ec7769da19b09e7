//! `kindling report`, end to end: two tiny evaluated runs, a report comparing them,
//! and the refusals (a run not evaluated, an --out that holds a report).

mod support;

use std::path::Path;

use support::{assert_fails_with, assert_png, kindling, stderr, stdout};

fn train_and_evaluate(dir: &Path, name: &str, augment: &str, evaluate: bool) {
    let out = format!("runs/{name}");
    let args = [
        "train",
        "--out",
        &out,
        "--quiet",
        "--train-size",
        "100",
        "--val-size",
        "30",
        "--epochs",
        "2",
        "--model",
        "linear",
        "--augment",
        augment,
    ];
    let output = kindling(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    if evaluate {
        let output = kindling(dir, &["evaluate", &out, "--test-size", "100"]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
}

#[test]
fn a_report_compares_two_runs_and_refuses_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    train_and_evaluate(dir.path(), "baseline", "none", true);
    train_and_evaluate(dir.path(), "improved", "flip,crop", true);
    train_and_evaluate(dir.path(), "unevaluated", "none", false);

    let args = [
        "report",
        "runs/improved",
        "--baseline",
        "runs/baseline",
        "--out",
        "demo",
    ];
    let output = kindling(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("The weakest class is"), "{printed}");
    assert!(printed.contains("looked at 2 times"), "{printed}");
    assert!(printed.contains("demo/report.html"), "{printed}");
    let html = std::fs::read_to_string(dir.path().join("demo/report.html")).unwrap();
    assert!(html.contains("<code>flip,crop</code>") && html.contains("Against the baseline"));
    assert!(dir.path().join("demo/report.md").is_file());
    assert!(dir.path().join("demo/report_sources.json").is_file());
    assert_png(&dir.path().join("demo/comparison.png"));

    let again = kindling(dir.path(), &args);
    assert_fails_with(&again, &["already holds a report", "--force"]);
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(kindling(dir.path(), &forced).status.success());

    let not_evaluated = kindling(
        dir.path(),
        &["report", "runs/unevaluated", "--out", "other"],
    );
    assert_fails_with(
        &not_evaluated,
        &[
            "has no test_metrics.json",
            "kindling evaluate runs/unevaluated",
        ],
    );
    assert!(!dir.path().join("other").exists());
    let no_run = kindling(dir.path(), &["report", "runs/nothing", "--out", "other"]);
    assert_fails_with(&no_run, &["runs/nothing", "history.json"]);
}
