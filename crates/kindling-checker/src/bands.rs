//! Comparing a learner's training history with the reference, epoch by epoch,
//! within tolerance bands (a float that is off in the fifth decimal is right; an
//! epoch whose accuracy is ten points off is not).

use std::fmt;

use serde::{Deserialize, Serialize};

use kindling::train::History;

/// How far a metric may be from the reference, in absolute terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The metric.
    pub metric: &'static str,
    /// Largest allowed distance from the reference value.
    pub tolerance: f64,
}

/// The bands for a classifier's history: losses within 0.10, accuracies within 0.05.
pub const HISTORY_BANDS: [Band; 4] = [
    Band {
        metric: "loss",
        tolerance: 0.10,
    },
    Band {
        metric: "accuracy",
        tolerance: 0.05,
    },
    Band {
        metric: "val_loss",
        tolerance: 0.10,
    },
    Band {
        metric: "val_accuracy",
        tolerance: 0.05,
    },
];

/// One epoch of the reference history, as the snapshot stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceEpoch {
    /// Epoch, counted from 1.
    pub epoch: usize,
    /// Training loss.
    pub loss: f64,
    /// Training accuracy.
    pub accuracy: f64,
    /// Validation loss.
    pub val_loss: f64,
    /// Validation accuracy.
    pub val_accuracy: f64,
}

impl ReferenceEpoch {
    fn get(&self, metric: &str) -> f64 {
        match metric {
            "loss" => self.loss,
            "accuracy" => self.accuracy,
            "val_loss" => self.val_loss,
            _ => self.val_accuracy,
        }
    }
}

/// Rounds a history to `decimals` places, for snapshots that stay put.
pub fn reference_epochs(history: &History, decimals: i32) -> Vec<ReferenceEpoch> {
    let scale = 10f64.powi(decimals);
    let round = |value: f64| (value * scale).round() / scale;
    (1..=history.epochs())
        .filter_map(|epoch| {
            let row = history.row(epoch)?;
            Some(ReferenceEpoch {
                epoch,
                loss: round(row.get("loss")?),
                accuracy: round(row.get("accuracy")?),
                val_loss: round(row.get("val_loss")?),
                val_accuracy: round(row.get("val_accuracy")?),
            })
        })
        .collect()
}

/// A value outside its band.
#[derive(Debug, Clone, PartialEq)]
pub struct BandFailure {
    /// Epoch, counted from 1.
    pub epoch: usize,
    /// The metric.
    pub metric: String,
    /// The learner's value (NaN when missing).
    pub value: f64,
    /// The reference value.
    pub reference: f64,
    /// The allowed distance.
    pub tolerance: f64,
}

impl fmt::Display for BandFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "epoch {}, {}: {:.4} is outside the reference band {:.4} ± {:.2} ({:.4} to {:.4})",
            self.epoch,
            self.metric,
            self.value,
            self.reference,
            self.tolerance,
            self.reference - self.tolerance,
            self.reference + self.tolerance
        )
    }
}

/// True when `value` is within `tolerance` of `target`; NaN never is.
pub fn within(value: f64, target: f64, tolerance: f64) -> bool {
    (value - target).abs() <= tolerance
}

/// Compares every epoch and metric; returns the values outside their bands (a
/// history of the wrong length is reported first).
pub fn compare_history(
    history: &History,
    reference: &[ReferenceEpoch],
    bands: &[Band],
) -> Result<(), String> {
    if history.epochs() != reference.len() {
        return Err(format!(
            "your history has {} epochs, the reference has {}",
            history.epochs(),
            reference.len()
        ));
    }
    let mut failures = Vec::new();
    for expected in reference {
        for band in bands {
            let value = history
                .get(band.metric)
                .and_then(|values| values.get(expected.epoch - 1).copied())
                .unwrap_or(f64::NAN);
            let target = expected.get(band.metric);
            if !within(value, target, band.tolerance) {
                failures.push(BandFailure {
                    epoch: expected.epoch,
                    metric: band.metric.to_string(),
                    value,
                    reference: target,
                    tolerance: band.tolerance,
                });
            }
        }
    }
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{first}{}",
            if failures.len() > 1 {
                format!(
                    " (and {} more values outside their bands)",
                    failures.len() - 1
                )
            } else {
                String::new()
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(val_accuracy: [f64; 2]) -> History {
        let mut history = History::new();
        for (epoch, value) in val_accuracy.iter().enumerate() {
            history.push_epoch([
                ("loss", 2.0 - epoch as f64),
                ("accuracy", 0.1 + 0.2 * epoch as f64),
                ("val_loss", 2.1 - epoch as f64),
                ("val_accuracy", *value),
            ]);
        }
        history
    }

    #[test]
    fn a_value_outside_its_band_names_epoch_metric_value_and_band() {
        let reference = reference_epochs(&history([0.1, 0.43]), 4);
        assert!(compare_history(&history([0.12, 0.41]), &reference, &HISTORY_BANDS).is_ok());
        let message =
            compare_history(&history([0.1, 0.215]), &reference, &HISTORY_BANDS).unwrap_err();
        assert_eq!(
            message,
            "epoch 2, val_accuracy: 0.2150 is outside the reference band 0.4300 ± 0.05 (0.3800 to 0.4800)"
        );
    }

    #[test]
    fn missing_values_and_wrong_lengths_fail() {
        let reference = reference_epochs(&history([0.1, 0.43]), 4);
        let mut short = History::new();
        short.push_epoch([("loss", 2.0)]);
        assert!(
            compare_history(&short, &reference, &HISTORY_BANDS)
                .unwrap_err()
                .contains("1 epochs")
        );
        let mut no_validation = History::new();
        no_validation.push_epoch([("loss", 2.0), ("accuracy", 0.1)]);
        no_validation.push_epoch([("loss", 1.0), ("accuracy", 0.3)]);
        let message = compare_history(&no_validation, &reference, &HISTORY_BANDS).unwrap_err();
        assert!(message.contains("epoch 1, val_loss: NaN"), "{message}");
    }
}
