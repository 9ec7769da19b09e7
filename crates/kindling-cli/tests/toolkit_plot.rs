//! `kindling plot`: charts straight from history files, and the inputs it refuses.

mod support;

use support::{assert_fails_with, assert_png, entries, kindling, stdout, write_file};

const HISTORY: &str = r#"{
  "epochs": 3,
  "metrics": {
    "loss": [2.0, 1.0, 0.5],
    "accuracy": [0.3, 0.6, 0.8],
    "val_loss": [2.1, 1.2, 0.9],
    "val_accuracy": [0.28, 0.55, 0.7]
  },
  "context": {}
}"#;

#[test]
fn a_plot_lands_next_to_the_history_and_decodes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("run")).unwrap();
    write_file(&dir.path().join("run"), "history.json", HISTORY);
    let output = kindling(
        dir.path(),
        &["plot", "run/history.json", "--metrics", "loss,accuracy"],
    );
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(
        stdout(&output).contains("run/plot.png"),
        "{}",
        stdout(&output)
    );
    let (two_panels, _) = assert_png(&dir.path().join("run/plot.png"));

    // One metric is one chart (narrower than the two-panel grid); SVG by the extension.
    let single = kindling(
        dir.path(),
        &[
            "plot",
            "run",
            "--metrics",
            "loss",
            "--log",
            "--out",
            "loss.png",
        ],
    );
    assert!(single.status.success(), "{}", support::stderr(&single));
    let (one_panel, _) = assert_png(&dir.path().join("loss.png"));
    assert!(one_panel < two_panels, "{one_panel} vs {two_panels}");
    let svg = kindling(
        dir.path(),
        &[
            "plot",
            "run/history.json",
            "--metrics",
            "val_accuracy",
            "--out",
            "acc.svg",
        ],
    );
    assert!(svg.status.success(), "{}", support::stderr(&svg));
    let text = std::fs::read_to_string(dir.path().join("acc.svg")).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..80]);
    assert!(text.contains("Validation accuracy"));
}

#[test]
fn bad_plots_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "history.json", HISTORY);
    assert_fails_with(
        &kindling(
            dir.path(),
            &["plot", "history.json", "--metrics", "loss,f1"],
        ),
        &[
            "history.json has no metric `f1`",
            "loss, accuracy, val_loss, val_accuracy",
            "--metrics",
        ],
    );
    assert_fails_with(
        &kindling(dir.path(), &["plot", "history.json", "--out", "chart.jpg"]),
        &["chart.jpg", ".png", ".svg"],
    );
    write_file(
        dir.path(),
        "zero.json",
        r#"{"epochs": 2, "metrics": {"loss": [1.0, 0.0]}}"#,
    );
    assert_fails_with(
        &kindling(dir.path(), &["plot", "zero.json", "--log"]),
        &["log-scale", "above 0", "linear scale"],
    );
    std::fs::create_dir(dir.path().join("not_a_run")).unwrap();
    assert_fails_with(
        &kindling(dir.path(), &["plot", "not_a_run"]),
        &["not_a_run has no history.json"],
    );
    assert_eq!(
        entries(dir.path()),
        ["history.json", "not_a_run", "zero.json"],
        "nothing written"
    );
}
