//! `kindling compare` on two tiny training runs, on histories without validation,
//! and the inputs it refuses.

mod support;

use support::{assert_fails_with, assert_png, entries, kindling, stdout, write_file};

/// Trains a tiny run into `runs/NAME`.
fn tiny_run(dir: &std::path::Path, name: &str, lr: &str) {
    let out = format!("runs/{name}");
    let output = kindling(
        dir,
        &[
            "train",
            "--model",
            "linear",
            "--train-size",
            "40",
            "--val-size",
            "20",
            "--epochs",
            "2",
            "--lr",
            lr,
            "--quiet",
            "--out",
            &out,
        ],
    );
    assert!(output.status.success(), "{}", support::stderr(&output));
}

#[test]
fn two_runs_give_overlaid_charts_and_a_table_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    tiny_run(dir.path(), "slow", "1e-4");
    tiny_run(dir.path(), "fast", "1e-2");
    let output = kindling(
        dir.path(),
        &["compare", "runs/slow", "runs/fast", "--out", "cmp"],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let cmp = dir.path().join("cmp");
    assert_eq!(
        entries(&cmp),
        [
            "accuracy.png",
            "comparison.csv",
            "comparison.md",
            "loss.png"
        ]
    );
    assert_png(&cmp.join("accuracy.png"));
    assert_png(&cmp.join("loss.png"));

    let csv = std::fs::read_to_string(cmp.join("comparison.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "run,epochs,loss,accuracy,val_loss,val_accuracy,best val_accuracy,best epoch"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    // The table's numbers are the runs' own final numbers.
    for (line, name) in lines[1..].iter().zip(["slow", "fast"]) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], name);
        assert_eq!(cells[1], "2");
        let history: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.path().join(format!("runs/{name}/history.json"))).unwrap(),
        )
        .unwrap();
        let final_val_loss = history["metrics"]["val_loss"][1].as_f64().unwrap();
        assert_eq!(cells[4], format!("{final_val_loss:.4}"), "{line}");
        let best_epoch: usize = cells[7].parse().unwrap();
        assert!((1..=2).contains(&best_epoch), "{line}");
    }
    let markdown = std::fs::read_to_string(cmp.join("comparison.md")).unwrap();
    assert!(markdown.starts_with("| run | epochs |"), "{markdown}");
    assert!(markdown.contains("| slow | 2 |") && markdown.contains("| fast | 2 |"));
    assert!(
        text.lines().any(|line| line.starts_with("slow "))
            && text.lines().any(|line| line.starts_with("fast ")),
        "{text}"
    );

    // Without --out, comparisons are numbered on their own.
    let numbered = kindling(dir.path(), &["compare", "runs/slow"]);
    assert!(numbered.status.success(), "{}", support::stderr(&numbered));
    assert_eq!(
        entries(&dir.path().join("runs")),
        ["compare-001", "fast", "slow"]
    );
}

#[test]
fn runs_without_validation_or_accuracy_still_compare() {
    let dir = tempfile::tempdir().unwrap();
    // Line fits record loss but no accuracy and no validation.
    for name in ["a", "b"] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        write_file(
            &dir.path().join(name),
            "history.csv",
            "epoch,loss,slope,intercept\n1,9.0,0,0\n2,4.0,1,0\n",
        );
    }
    let output = kindling(dir.path(), &["compare", "a", "b", "--out", "cmp"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(text.contains("No run records accuracy"), "{text}");
    assert_eq!(
        entries(&dir.path().join("cmp")),
        ["comparison.csv", "comparison.md", "loss.png"]
    );
    let csv = std::fs::read_to_string(dir.path().join("cmp/comparison.csv")).unwrap();
    assert!(csv.contains("\na,2,4.0000,,,,,\n"), "{csv}");
}

#[test]
fn no_runs_or_a_folder_without_a_history_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_fails_with(
        &kindling(dir.path(), &["compare"]),
        &[
            "no run folders given",
            "at least one",
            "kindling compare runs/run-001",
        ],
    );
    std::fs::create_dir(dir.path().join("good")).unwrap();
    write_file(
        &dir.path().join("good"),
        "history.csv",
        "epoch,loss\n1,2.0\n2,1.0\n",
    );
    std::fs::create_dir(dir.path().join("unfinished")).unwrap();
    assert_fails_with(
        &kindling(
            dir.path(),
            &["compare", "good", "unfinished", "--out", "cmp"],
        ),
        &["unfinished has no history.json", "kindling train"],
    );
    assert_eq!(
        entries(dir.path()),
        ["good", "unfinished"],
        "nothing written"
    );
}
