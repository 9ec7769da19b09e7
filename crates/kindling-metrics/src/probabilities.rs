//! A borrowed, validated, row-major matrix of per-class scores.

use crate::error::{MetricsError, Result};
use crate::validate;

/// How far a row of class probabilities may sum from 1 and still count as probabilities.
///
/// Loose enough for probabilities written to a CSV with a few decimals, tight
/// enough to catch logits passed where softmax outputs were meant.
pub const PROBABILITY_SUM_TOLERANCE: f64 = 1e-3;

/// One row per sample, one column per class, stored row-major in a flat slice
/// (the layout of a `[n_samples, n_classes]` tensor's data).
///
/// Construction checks the shape and that every value is finite, so metrics
/// that take a `Probabilities` never see NaN. Whether each row sums to 1 is
/// checked only by the metrics that need it ([`roc_auc_ovr`](crate::roc_auc_ovr)).
///
/// ```
/// use kindling_metrics::Probabilities;
///
/// // Two samples, three classes.
/// let values = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6];
/// let probs = Probabilities::new(&values, 3)?;
/// assert_eq!(probs.n_samples(), 2);
/// assert_eq!(probs.row(1), &[0.1, 0.3, 0.6]);
///
/// // Rows held as `Vec<Vec<f64>>` flatten with `concat`.
/// let rows = vec![vec![0.9, 0.1], vec![0.4, 0.6]];
/// let flat = rows.concat();
/// assert_eq!(Probabilities::new(&flat, 2)?.n_samples(), 2);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probabilities<'a> {
    values: &'a [f64],
    n_classes: usize,
}

impl<'a> Probabilities<'a> {
    /// Wraps `values` as rows of `n_classes` columns.
    ///
    /// # Errors
    /// [`MetricsError::NoClasses`] when `n_classes` is 0,
    /// [`MetricsError::ProbabilityShape`] when `values.len()` is not a multiple of
    /// `n_classes`, [`MetricsError::NonFinite`] when a value is NaN or infinite.
    pub fn new(values: &'a [f64], n_classes: usize) -> Result<Self> {
        validate::has_classes(n_classes)?;
        if !values.len().is_multiple_of(n_classes) {
            return Err(MetricsError::ProbabilityShape {
                len: values.len(),
                n_classes,
            });
        }
        validate::all_finite("probabilities", values)?;
        Ok(Self { values, n_classes })
    }

    /// Number of columns, one per class.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of rows, one per sample.
    pub fn n_samples(&self) -> usize {
        self.values.len() / self.n_classes
    }

    /// The flat row-major values.
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// The scores of sample `index`, one per class.
    ///
    /// # Panics
    /// When `index >= self.n_samples()`, like slice indexing.
    pub fn row(&self, index: usize) -> &'a [f64] {
        &self.values[index * self.n_classes..(index + 1) * self.n_classes]
    }

    /// Iterates over the rows in sample order.
    pub fn rows(&self) -> std::slice::ChunksExact<'a, f64> {
        self.values.chunks_exact(self.n_classes)
    }

    /// Checks that every row sums to 1 within [`PROBABILITY_SUM_TOLERANCE`].
    ///
    /// # Errors
    /// [`MetricsError::ProbabilitiesDoNotSumToOne`] naming the first row that does not.
    pub fn check_rows_sum_to_one(&self) -> Result<()> {
        for (row, values) in self.rows().enumerate() {
            let sum: f64 = values.iter().sum();
            if (sum - 1.0).abs() > PROBABILITY_SUM_TOLERANCE {
                return Err(MetricsError::ProbabilitiesDoNotSumToOne {
                    row,
                    sum,
                    tolerance: PROBABILITY_SUM_TOLERANCE,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_a_buffer_that_is_not_whole_rows() {
        assert_eq!(
            Probabilities::new(&[0.5, 0.5, 1.0], 2),
            Err(MetricsError::ProbabilityShape {
                len: 3,
                n_classes: 2
            })
        );
    }

    #[test]
    fn rejects_zero_classes_and_nan() {
        assert_eq!(Probabilities::new(&[], 0), Err(MetricsError::NoClasses));
        let err = Probabilities::new(&[0.5, f64::NAN], 2).unwrap_err();
        assert!(
            matches!(err, MetricsError::NonFinite { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn row_sum_check_names_the_row_and_sum() {
        let values = [0.5, 0.5, 2.0, 1.0];
        let err = Probabilities::new(&values, 2)
            .unwrap()
            .check_rows_sum_to_one()
            .unwrap_err();
        assert_eq!(
            err,
            MetricsError::ProbabilitiesDoNotSumToOne {
                row: 1,
                sum: 3.0,
                tolerance: 1e-3
            }
        );
        assert!(err.to_string().contains("row 1 sums to 3"), "{err}");
    }

    #[test]
    fn rows_within_tolerance_pass() {
        let values = [0.3333, 0.3333, 0.3333];
        assert!(
            Probabilities::new(&values, 3)
                .unwrap()
                .check_rows_sum_to_one()
                .is_ok()
        );
    }
}
