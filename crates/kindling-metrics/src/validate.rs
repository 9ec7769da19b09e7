//! Input checks shared by every metric, so each one rejects bad input the same way.

use crate::error::{MetricsError, Result};
use crate::probabilities::Probabilities;

pub(crate) fn same_len(
    left: &'static str,
    left_len: usize,
    right: &'static str,
    right_len: usize,
) -> Result<()> {
    if left_len == right_len {
        Ok(())
    } else {
        Err(MetricsError::LengthMismatch {
            left,
            left_len,
            right,
            right_len,
        })
    }
}

pub(crate) fn non_empty(len: usize) -> Result<()> {
    if len == 0 {
        Err(MetricsError::Empty)
    } else {
        Ok(())
    }
}

pub(crate) fn has_classes(n_classes: usize) -> Result<()> {
    if n_classes == 0 {
        Err(MetricsError::NoClasses)
    } else {
        Ok(())
    }
}

pub(crate) fn labels_in_range(
    argument: &'static str,
    labels: &[usize],
    n_classes: usize,
) -> Result<()> {
    match labels.iter().position(|&label| label >= n_classes) {
        None => Ok(()),
        Some(index) => Err(MetricsError::LabelOutOfRange {
            argument,
            index,
            label: labels[index],
            n_classes,
        }),
    }
}

pub(crate) fn all_finite(argument: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|value| !value.is_finite()) {
        None => Ok(()),
        Some(index) => Err(MetricsError::NonFinite {
            argument,
            index,
            value: values[index],
        }),
    }
}

/// The checks every classification metric starts with: paired, non-empty, in range.
pub(crate) fn labels(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Result<()> {
    same_len("y_true", y_true.len(), "y_pred", y_pred.len())?;
    non_empty(y_true.len())?;
    has_classes(n_classes)?;
    labels_in_range("y_true", y_true, n_classes)?;
    labels_in_range("y_pred", y_pred, n_classes)
}

/// The checks every metric of class probabilities starts with: one row per label,
/// non-empty, every label a column.
pub(crate) fn labels_with_probabilities(
    y_true: &[usize],
    probabilities: Probabilities<'_>,
) -> Result<()> {
    same_len(
        "y_true",
        y_true.len(),
        "the probability matrix",
        probabilities.n_samples(),
    )?;
    non_empty(y_true.len())?;
    labels_in_range("y_true", y_true, probabilities.n_classes())
}
