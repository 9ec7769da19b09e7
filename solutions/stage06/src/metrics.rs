//! The numbers of the test evidence: every metric from the predictions, the
//! weakest class, and validation against test.

use anyhow::Result;
use kindling::metrics::{ClassificationMetrics, ClassificationReport, RocAuc};
// [solution]
use kindling::metrics::PredictedScores;
// [exercise]
// // You will need: use kindling::metrics::PredictedScores;
// [end]
use kindling::train::SetPredictions;
use serde::Serialize;

// ANCHOR: measure
/// Every metric of the test predictions, with the classes named.
pub fn measure(
    predictions: &SetPredictions,
    class_names: &[String],
) -> Result<ClassificationMetrics> {
    let probabilities = kindling::evaluation::probabilities(predictions)?;
    let (y_true, y_pred) = (&predictions.y_true, &predictions.y_pred);
    // [solution]
    let scores = PredictedScores::Probabilities(probabilities);
    let metrics =
        ClassificationMetrics::compute(y_true, y_pred, predictions.n_classes, Some(scores))?;
    // [exercise]
    // // TODO: pass the probabilities too, as Some(PredictedScores::Probabilities(probabilities)),
    // // so that ROC-AUC and top-k accuracy are computed along with the rest.
    // let _ = probabilities;
    // let metrics = ClassificationMetrics::compute(y_true, y_pred, predictions.n_classes, None)?;
    // [end]
    Ok(metrics.with_class_names(class_names)?)
}
// ANCHOR_END: measure

// ANCHOR: weakest
/// The class with the lowest F1 (the first of them on a tie), and its F1.
pub fn weakest_class(report: &ClassificationReport) -> (String, f64) {
    // [solution]
    let mut weakest = &report.classes[0];
    for row in &report.classes {
        if row.scores.f1 < weakest.scores.f1 {
            weakest = row;
        }
    }
    (weakest.name.clone(), weakest.scores.f1)
    // [exercise]
    // // TODO: go through report.classes and keep the row with the lowest
    // // row.scores.f1 (the first one when two are equal); return its name and F1.
    // let _ = report;
    // (String::new(), f64::NAN)
    // [end]
}
// ANCHOR_END: weakest

/// Validation accuracy against test accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// The last epoch's validation accuracy.
    pub validation: f64,
    /// The accuracy on the sealed test set.
    pub test: f64,
    /// Test minus validation.
    pub difference: f64,
    /// Whether the two are within `gap` of each other.
    pub close: bool,
}

// ANCHOR: compare
/// Puts the two scores side by side: close when they differ by at most `gap`.
pub fn compare(validation: f64, test: f64, gap: f64) -> Comparison {
    // [solution]
    let difference = test - validation;
    Comparison {
        validation,
        test,
        difference,
        close: difference.abs() <= gap,
    }
    // [exercise]
    // // TODO: difference = test - validation; the two are close when the
    // // difference, without its sign (difference.abs()), is at most gap.
    // let _ = gap;
    // Comparison {
    //     validation,
    //     test,
    //     difference: f64::NAN,
    //     close: false,
    // }
    // [end]
}
// ANCHOR_END: compare

/// ROC-AUC as a number (NaN where it is undefined).
pub fn roc_auc(metrics: &ClassificationMetrics) -> f64 {
    match &metrics.roc_auc {
        Some(RocAuc::OneVsRestMacro { value, .. }) | Some(RocAuc::Binary { value }) => *value,
        _ => f64::NAN,
    }
}
