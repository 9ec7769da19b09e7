//! Baseline against improved: one row of numbers per run, the gap between
//! training and validation, and the table that puts them side by side.

use kindling::train::History;
use serde::Serialize;

/// One run's line of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// `baseline` or `improved`.
    pub run: String,
    /// The augmentation it trained with, as `--augment` spells it.
    pub augmentation: String,
    /// Training accuracy of the last epoch.
    pub train_accuracy: f64,
    /// Validation accuracy of the last epoch.
    pub val_accuracy: f64,
    /// The best validation accuracy of any epoch.
    pub best_val_accuracy: f64,
    /// The epoch it came in.
    pub best_epoch: usize,
    /// Training minus validation accuracy at the last epoch.
    pub gap: f64,
}

/// The last epoch's value of a metric (NaN when the history has none).
pub fn last(history: &History, metric: &str) -> f64 {
    history
        .final_epoch()
        .and_then(|row| row.get(metric))
        .unwrap_or(f64::NAN)
}

// ANCHOR: gap
/// How far validation accuracy is behind training accuracy at the last epoch.
/// A wide gap means the model knows its training images better than new ones.
pub fn gap(history: &History) -> f64 {
    // TODO: training accuracy minus validation accuracy, both of the last
    // epoch: last(history, "accuracy") gives the first one.
    let _ = history;
    f64::NAN
}
// ANCHOR_END: gap

/// The comparison row of one run.
pub fn row(run: &str, augmentation: &str, history: &History) -> Row {
    let best = history.best("val_accuracy");
    Row {
        run: run.into(),
        augmentation: augmentation.into(),
        train_accuracy: last(history, "accuracy"),
        val_accuracy: last(history, "val_accuracy"),
        best_val_accuracy: best.as_ref().map_or(f64::NAN, |b| b.value),
        best_epoch: best.map_or(0, |b| b.epoch),
        gap: gap(history),
    }
}

/// The rows as a Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut text = String::from(
        "| run | augmentation | train accuracy | validation accuracy | best validation (epoch) | gap |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        text.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {:.3} ({}) | {:+.3} |\n",
            row.run,
            row.augmentation,
            row.train_accuracy,
            row.val_accuracy,
            row.best_val_accuracy,
            row.best_epoch,
            row.gap
        ));
    }
    text
}
