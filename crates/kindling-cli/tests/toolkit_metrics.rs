//! `kindling metrics` on small predictions files whose numbers were worked out by
//! hand, and every bad file it must refuse.

mod support;

use support::{assert_fails_with, entries, kindling, stdout, write_file};

/// Five binary predictions. Accuracy: 3 of 5 right = 0.6. ROC-AUC: of the 3 x 2
/// (positive, negative) score pairs, 5 rank the positive higher (only 0.4 < 0.6
/// does not) = 5/6 = 0.8333.
const BINARY: &str = "y_true,y_pred,score\n0,0,0.1\n0,1,0.6\n1,1,0.8\n1,0,0.4\n1,1,0.9\n";

/// Six 3-class predictions with softmax rows. Right: rows 1, 2, 4, 6 = 4/6 = 0.6667.
/// Top-2: only row 5 (true 0, its probability the lowest) misses = 5/6 = 0.8333.
/// F1 per class: 0.6667 (P 1, R 1/2), 0.8 (P 2/3, R 1), 0.5 (P 1/2, R 1/2);
/// macro F1 = 1.9667 / 3 = 0.6556.
const THREE_CLASSES: &str = "y_true,y_pred,p0,p1,p2
0,0,0.7,0.2,0.1
1,1,0.1,0.8,0.1
2,1,0.2,0.5,0.3
2,2,0.1,0.1,0.8
0,2,0.25,0.35,0.4
1,1,0.2,0.6,0.2
";

#[test]
fn binary_scores_give_the_hand_worked_accuracy_and_roc_auc() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "preds.csv", BINARY);
    let output = kindling(dir.path(), &["metrics", "--input", "preds.csv"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(text.contains("accuracy: 0.6000"), "{text}");
    assert!(text.contains("ROC-AUC: 0.8333"), "{text}");
    // Confusion matrix: true 0 -> (1, 1), true 1 -> (1, 2).
    assert!(
        text.lines()
            .any(|line| line.split_whitespace().eq(["1", "1", "2"])),
        "{text}"
    );

    let json = kindling(dir.path(), &["metrics", "--input", "preds.csv", "--json"]);
    assert!(json.status.success(), "{}", support::stderr(&json));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["accuracy"], 0.6);
    assert_eq!(value["n_samples"], 5);
    assert_eq!(value["roc_auc"]["kind"], "binary");
    let auc = value["roc_auc"]["value"].as_f64().unwrap();
    assert!((auc - 5.0 / 6.0).abs() < 1e-12, "{auc}");
}

#[test]
fn class_probabilities_give_top_k_and_a_named_report() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "preds.csv", THREE_CLASSES);
    let output = kindling(
        dir.path(),
        &[
            "metrics",
            "--input",
            "preds.csv",
            "--class-names",
            "cat,dog,bird",
        ],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(text.contains("accuracy: 0.6667"), "{text}");
    assert!(text.contains("top-2 accuracy: 0.8333"), "{text}");
    assert!(text.contains("ROC-AUC (one-vs-rest, macro)"), "{text}");
    // The report row of class 1, by name: precision 0.67, recall 1.00, F1 0.80, support 2.
    assert!(
        text.lines().any(|line| line
            .split_whitespace()
            .eq(["dog", "0.67", "1.00", "0.80", "2"])),
        "{text}"
    );

    let json = kindling(dir.path(), &["metrics", "--input", "preds.csv", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let macro_f1 = value["report"]["macro_avg"]["f1"].as_f64().unwrap();
    assert!(
        (macro_f1 - (2.0 / 3.0 + 0.8 + 0.5) / 3.0).abs() < 1e-9,
        "{macro_f1}"
    );
    assert_eq!(value["top_k_accuracy"][0]["k"], 2);
}

#[test]
fn regression_gives_mse_mae_and_r2() {
    let dir = tempfile::tempdir().unwrap();
    // Errors 0.5, 0.5, 0: MSE 0.5 / 3, MAE 1 / 3; R^2 = 1 - 0.5 / 1.16667 = 0.571429.
    write_file(
        dir.path(),
        "reg.csv",
        "y_true,y_pred\n1.5,1.0\n2.0,2.5\n3,3\n",
    );
    let output = kindling(
        dir.path(),
        &["metrics", "--input", "reg.csv", "--task", "regression"],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    for line in [
        "MSE      0.166667",
        "MAE      0.333333",
        "R^2      0.571429",
    ] {
        assert!(text.contains(line), "missing `{line}` in: {text}");
    }
}

#[test]
fn bad_predictions_files_name_the_row_column_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "no_pred.csv",
            "y_true,prediction\n0,1\n",
            &["no_pred.csv", "row 1", "no column \"y_pred\"", "name the"],
        ),
        (
            "word.csv",
            "y_true,y_pred\n0,1\n1,one\n",
            &["word.csv", "row 3", "column \"y_pred\"", "\"one\""],
        ),
        (
            "out_of_range.csv",
            "y_true,y_pred,p0,p1\n0,1,0.3,0.7\n2,1,0.5,0.5\n",
            &["out_of_range.csv", "row 3", "column \"y_true\"", "label 2"],
        ),
        (
            "sum.csv",
            "y_true,y_pred,p0,p1,p2\n0,0,0.5,0.3,0.1\n",
            &["sum.csv", "row 2", "\"p0\"..\"p2\"", "not 1", "softmax"],
        ),
        ("empty.csv", "", &["empty.csv is empty", "header"]),
        (
            "nan.csv",
            "y_true,y_pred,score\n0,0,0.2\n1,1,NaN\n",
            &[
                "nan.csv",
                "row 3",
                "column \"score\"",
                "not a finite number",
            ],
        ),
    ];
    for (name, text, _) in &cases {
        write_file(dir.path(), name, text);
    }
    let before = entries(dir.path());
    for (name, _, phrases) in cases {
        let output = kindling(dir.path(), &["metrics", "--input", name]);
        assert_fails_with(&output, phrases);
    }
    assert_eq!(entries(dir.path()), before, "nothing written");
}

#[test]
fn class_names_must_match_the_classes() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "preds.csv", THREE_CLASSES);
    let output = kindling(
        dir.path(),
        &[
            "metrics",
            "--input",
            "preds.csv",
            "--class-names",
            "cat,dog",
        ],
    );
    assert_fails_with(
        &output,
        &["2 names", "preds.csv has 3 classes", "one name per class"],
    );
    let output = kindling(
        dir.path(),
        &[
            "metrics",
            "--input",
            "preds.csv",
            "--task",
            "regression",
            "--class-names",
            "a",
        ],
    );
    assert_fails_with(&output, &["--class-names", "--task regression"]);
    let missing = kindling(dir.path(), &["metrics", "--input", "nowhere.csv"]);
    assert_fails_with(&missing, &["nowhere.csv", "check the path"]);
}
