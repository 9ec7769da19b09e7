//! `kindling read` on hand-written histories whose verdict is plain to see, and the
//! inputs it must refuse.

mod support;

use support::{assert_fails_with, entries, kindling, stdout, write_file};

/// Training keeps getting better while validation loss turns up after epoch 3 and
/// validation accuracy stalls far behind: overfitting from epoch 4.
const OVERFITTING: &str = r#"{
  "epochs": 5,
  "metrics": {
    "loss": [2.0, 1.2, 0.8, 0.5, 0.3],
    "accuracy": [0.30, 0.60, 0.75, 0.85, 0.93],
    "val_loss": [1.9, 1.3, 1.2, 1.4, 1.7],
    "val_accuracy": [0.32, 0.55, 0.58, 0.57, 0.56]
  },
  "context": {}
}"#;

/// Both losses still fall steeply in the last epochs, validation keeps up.
const STILL_IMPROVING: &str = "epoch,loss,accuracy,val_loss,val_accuracy
1,2.0,0.30,2.0,0.29
2,1.6,0.45,1.65,0.44
3,1.3,0.55,1.35,0.54
4,1.1,0.62,1.15,0.61
5,0.9,0.68,0.95,0.66
6,0.75,0.72,0.8,0.70
";

#[test]
fn an_overfitting_run_is_read_as_overfitting_with_evidence_and_advice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("run")).unwrap();
    write_file(&dir.path().join("run"), "history.json", OVERFITTING);
    let output = kindling(dir.path(), &["read", "run"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(text.contains("run/history.json"), "{text}");
    assert!(text.contains("overfitting from epoch 4"), "{text}");
    // Evidence: first vs last, the best epoch and the gap.
    assert!(
        text.contains("Validation loss went down from 1.9000 to 1.7000 (best 1.2000 at epoch 3)"),
        "{text}"
    );
    assert!(
        text.contains("37.0 points below training accuracy"),
        "{text}"
    );
    assert!(text.contains("early stopping"), "{text}");

    let json = kindling(dir.path(), &["read", "run", "--json"]);
    assert!(json.status.success(), "{}", support::stderr(&json));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["verdict"]["kind"], "overfitting");
    assert_eq!(value["verdict"]["since_epoch"], 4);
    assert_eq!(value["evidence"]["epochs"], 5);
    assert_eq!(value["signals"]["gap"], "behind");
    assert!(value["advice"].as_str().unwrap().contains("early stopping"));
}

#[test]
fn a_history_file_can_be_given_directly() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "improving.csv", STILL_IMPROVING);
    let output = kindling(dir.path(), &["read", "improving.csv"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(
        text.contains("Read of 6 epochs: still improving."),
        "{text}"
    );
    assert!(text.contains("more epochs"), "{text}");
}

#[test]
fn missing_or_unreadable_histories_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty_run")).unwrap();
    assert_fails_with(
        &kindling(dir.path(), &["read", "empty_run"]),
        &["empty_run has no history.json", "kindling train"],
    );
    assert_fails_with(
        &kindling(dir.path(), &["read", "nowhere"]),
        &["nowhere does not exist", "run folder"],
    );
    write_file(dir.path(), "broken.json", "{\"metrics\": ");
    assert_fails_with(
        &kindling(dir.path(), &["read", "broken.json"]),
        &["broken.json", "Fix:"],
    );
    write_file(
        dir.path(),
        "one.json",
        r#"{"epochs": 1, "metrics": {"loss": [1.0]}}"#,
    );
    assert_fails_with(
        &kindling(dir.path(), &["read", "one.json"]),
        &["one.json", "1 epoch", "at least 2"],
    );
    write_file(
        dir.path(),
        "no_loss.json",
        r#"{"epochs": 2, "metrics": {"accuracy": [0.1, 0.2]}}"#,
    );
    assert_fails_with(
        &kindling(dir.path(), &["read", "no_loss.json"]),
        &["no_loss.json", "no metric `loss`", "accuracy"],
    );
    assert_eq!(
        entries(dir.path()),
        ["broken.json", "empty_run", "no_loss.json", "one.json"],
        "nothing written"
    );
}
