//! Every metric agrees with scikit-learn on random predictions.
//!
//! `fixtures/sklearn_cases.json` holds random labels, probabilities and regression
//! values with the numbers scikit-learn computed for them (`fixtures/sklearn_cases.py`
//! regenerates it). Floating-point sums may be ordered differently, so numbers are
//! compared within 1e-12; counts and the report text must match exactly.

use kindling_metrics::{
    Average, ClassificationReport, ConfusionMatrix, Probabilities, accuracy, f1_score,
    mean_absolute_error, mean_squared_error, precision_recall_f1, precision_score, r2_score,
    recall_score, roc_auc_binary, roc_auc_ovr_macro, top_k_accuracy,
};
use serde::Deserialize;
use std::collections::BTreeMap;

const TOLERANCE: f64 = 1e-12;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    classification: ClassificationCase,
    regression: RegressionCase,
}

#[derive(Deserialize)]
struct ClassificationCase {
    n_classes: usize,
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    /// Row-major integer weights; each row divided by its sum gives the probabilities.
    weights: Vec<u32>,
    accuracy: f64,
    precision: Vec<f64>,
    recall: Vec<f64>,
    f1: Vec<f64>,
    support: Vec<usize>,
    /// `[precision, recall, f1]` for each of "macro", "weighted" and "micro".
    averaged: BTreeMap<String, [f64; 3]>,
    top2: Option<f64>,
    roc_auc_ovr_macro: Option<f64>,
    roc_auc_class0: f64,
    report: String,
    confusion: Vec<Vec<usize>>,
}

#[derive(Deserialize)]
struct RegressionCase {
    y_true: Vec<f64>,
    y_pred: Vec<f64>,
    mse: f64,
    mae: f64,
    r2: f64,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn_cases.json"
    );
    let text = std::fs::read_to_string(path).expect("the fixture file is part of the repository");
    let fixture: Fixture = serde_json::from_str(&text).expect("the fixture is valid JSON");
    assert!(!fixture.cases.is_empty(), "fixture has no cases");
    fixture
}

fn assert_close(what: &str, case: usize, ours: f64, sklearn: f64) {
    assert!(
        (ours - sklearn).abs() <= TOLERANCE,
        "case {case}: {what} is {ours}, scikit-learn says {sklearn}"
    );
}

/// The same division numpy does, so both sides see identical floats.
fn probabilities_from_weights(weights: &[u32], n_classes: usize) -> Vec<f64> {
    weights
        .chunks_exact(n_classes)
        .flat_map(|row| {
            let sum: f64 = row.iter().map(|&w| f64::from(w)).sum();
            row.iter().map(move |&w| f64::from(w) / sum)
        })
        .collect()
}

/// scikit-learn 1.9 prints the support column as floats ("1.0") when no prediction
/// is right; counts are whole numbers, so Kindling prints them as integers.
fn integer_supports(report: &str) -> String {
    report
        .lines()
        .map(|line| {
            match line
                .strip_suffix(".0")
                .and_then(|rest| rest.rsplit_once(' '))
            {
                // Two characters fewer, right-aligned: two more spaces before the number.
                Some((head, count)) => format!("{head}   {count}\n"),
                None => format!("{line}\n"),
            }
        })
        .collect()
}

fn average_named(name: &str) -> Average {
    match name {
        "macro" => Average::Macro,
        "weighted" => Average::Weighted,
        "micro" => Average::Micro,
        other => panic!("unknown average {other} in the fixture"),
    }
}

#[test]
fn classification_metrics_match_scikit_learn() {
    let fixture = fixture();
    for (index, case) in fixture.cases.iter().enumerate() {
        let c = &case.classification;
        let (t, p, n) = (&c.y_true[..], &c.y_pred[..], c.n_classes);

        assert_close("accuracy", index, accuracy(t, p).unwrap(), c.accuracy);

        let matrix = ConfusionMatrix::new(t, p, n).unwrap();
        let rows: Vec<Vec<usize>> = matrix.rows().map(<[usize]>::to_vec).collect();
        assert_eq!(rows, c.confusion, "case {index}: confusion matrix");

        let scores = precision_recall_f1(t, p, n).unwrap();
        for class in 0..n {
            let ours = scores.class(class);
            assert_close("precision", index, ours.precision, c.precision[class]);
            assert_close("recall", index, ours.recall, c.recall[class]);
            assert_close("f1", index, ours.f1, c.f1[class]);
            assert_eq!(ours.support, c.support[class], "case {index}: support");
        }
        for (name, [precision, recall, f1]) in &c.averaged {
            let average = average_named(name);
            let label = |metric: &str| format!("{name} {metric}");
            assert_close(
                &label("precision"),
                index,
                precision_score(t, p, n, average).unwrap(),
                *precision,
            );
            assert_close(
                &label("recall"),
                index,
                recall_score(t, p, n, average).unwrap(),
                *recall,
            );
            assert_close(
                &label("f1"),
                index,
                f1_score(t, p, n, average).unwrap(),
                *f1,
            );
        }

        let report = ClassificationReport::new(t, p, n).unwrap();
        assert_eq!(
            report.to_text(3),
            integer_supports(&c.report),
            "case {index}: report text"
        );

        let values = probabilities_from_weights(&c.weights, n);
        let probabilities = Probabilities::new(&values, n).unwrap();
        if let Some(top2) = c.top2 {
            assert_close(
                "top-2 accuracy",
                index,
                top_k_accuracy(t, probabilities, 2).unwrap(),
                top2,
            );
        }
        if let Some(auc) = c.roc_auc_ovr_macro {
            assert_close(
                "one-vs-rest ROC-AUC",
                index,
                roc_auc_ovr_macro(t, probabilities).unwrap(),
                auc,
            );
        }
        let is_class0: Vec<usize> = t.iter().map(|&label| usize::from(label == 0)).collect();
        let class0_scores: Vec<f64> = probabilities.rows().map(|row| row[0]).collect();
        assert_close(
            "binary ROC-AUC",
            index,
            roc_auc_binary(&is_class0, &class0_scores).unwrap(),
            c.roc_auc_class0,
        );
    }
    assert!(!fixture.sklearn_version.is_empty());
}

#[test]
fn regression_metrics_match_scikit_learn() {
    for (index, case) in fixture().cases.iter().enumerate() {
        let r = &case.regression;
        let (t, p) = (&r.y_true[..], &r.y_pred[..]);
        assert_close("MSE", index, mean_squared_error(t, p).unwrap(), r.mse);
        assert_close("MAE", index, mean_absolute_error(t, p).unwrap(), r.mae);
        assert_close("R²", index, r2_score(t, p).unwrap(), r.r2);
    }
}
