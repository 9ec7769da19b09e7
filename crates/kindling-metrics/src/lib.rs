//! Classification and regression metrics that follow scikit-learn's definitions exactly.
//!
//! `kindling-metrics` is plain Rust over slices: labels are `&[usize]`
//! (classes `0..n_classes`), scores and regression values are `&[f64]`, and
//! class probabilities are a row-major [`Probabilities`] view. It has no
//! tensors and no Burn dependency; convert a tensor with `into_data()` first.
//! The `kindling metrics` command and the course stages use it to evaluate
//! predictions, and its results can be checked number for number against
//! scikit-learn:
//!
//! - accuracy and top-k accuracy ([`accuracy`], [`top_k_accuracy`]);
//! - the [`ConfusionMatrix`], raw and row-normalised, with its most frequent mistakes;
//! - precision, recall and F1 per class and averaged ([`precision_recall_f1`],
//!   [`f1_score`] with an [`Average`]); a class that is never predicted or never
//!   present scores 0, never NaN (scikit-learn's `zero_division=0`);
//! - ROC-AUC, binary and one-vs-rest macro, with ties handled as scikit-learn does
//!   ([`roc_auc_binary`], [`roc_auc_ovr_macro`]);
//! - a [`ClassificationReport`] printed like `classification_report`;
//! - MSE, RMSE, MAE and R² ([`RegressionMetrics`]);
//! - [`ClassificationMetrics::compute`], everything at once, serialisable to JSON;
//! - [`read_predictions`], the predictions-CSV reader behind `kindling metrics`.
//!
//! Where scikit-learn lets you pick a label set, these functions use all of
//! `0..n_classes`, like passing `labels=range(n_classes)`: a class absent from
//! both `y_true` and `y_pred` still counts in macro averages.
//!
//! It is not a training-time metric library: nothing here runs on a device or
//! is differentiable. Bad input (mismatched lengths, empty input, labels out of
//! range, NaN scores) is reported as a [`MetricsError`] whose message says how
//! to fix it; nothing panics on data.
//!
//! ```
//! use kindling_metrics::{accuracy, f1_score, Average, ConfusionMatrix};
//!
//! let y_true = [0, 1, 2, 2, 2];
//! let y_pred = [0, 0, 2, 2, 1];
//! assert_eq!(accuracy(&y_true, &y_pred)?, 0.6);
//! let macro_f1 = f1_score(&y_true, &y_pred, 3, Average::Macro)?;
//! assert!((macro_f1 - 0.4888888888888889).abs() < 1e-12);
//! assert_eq!(ConfusionMatrix::new(&y_true, &y_pred, 3)?.count(2, 1), 1);
//! # Ok::<(), kindling_metrics::MetricsError>(())
//! ```

mod accuracy;
mod classification;
mod confusion;
mod error;
mod interpretation;
mod predictions;
mod prf;
mod probabilities;
mod regression;
mod report;
mod roc_auc;
mod validate;

pub use accuracy::{accuracy, top_k_accuracy};
pub use classification::{
    ClassificationMetrics, PredictedScores, REPORTED_TOP_K, RocAuc, TopKAccuracy,
};
pub use confusion::{Confusion, ConfusionMatrix};
pub use error::MetricsError;
pub use interpretation::{ClassificationInterpretation, TopLoss};
pub use predictions::{
    CellLocation, ClassificationPredictions, MAX_CLASSES_WITHOUT_PROBABILITIES, Predictions,
    PredictionsError, RegressionPredictions, ScoreColumns, Task, read_predictions,
    read_predictions_from_reader,
};
pub use prf::{
    Average, PerClassScores, PrecisionRecallF1, f1_score, precision_recall_f1, precision_score,
    recall_score,
};
pub use probabilities::{PROBABILITY_SUM_TOLERANCE, Probabilities};
pub use regression::{
    RegressionMetrics, mean_absolute_error, mean_squared_error, r2_score, root_mean_squared_error,
};
pub use report::{ClassReportRow, ClassificationReport};
pub use roc_auc::{roc_auc_binary, roc_auc_ovr, roc_auc_ovr_macro};
