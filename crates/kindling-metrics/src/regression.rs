//! Regression metrics: MSE, RMSE, MAE and R².

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{MetricsError, Result};
use crate::validate;

fn check(y_true: &[f64], y_pred: &[f64]) -> Result<()> {
    validate::same_len("y_true", y_true.len(), "y_pred", y_pred.len())?;
    validate::non_empty(y_true.len())?;
    validate::all_finite("y_true", y_true)?;
    validate::all_finite("y_pred", y_pred)
}

fn sum_of_squared_errors(y_true: &[f64], y_pred: &[f64]) -> f64 {
    y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum()
}

/// Mean of the squared errors (scikit-learn's `mean_squared_error`).
///
/// ```
/// use kindling_metrics::mean_squared_error;
///
/// // scikit-learn's documented example.
/// assert_eq!(mean_squared_error(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0])?, 0.375);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// [`MetricsError::LengthMismatch`], [`MetricsError::Empty`], or
/// [`MetricsError::NonFinite`] for a NaN or infinite value.
pub fn mean_squared_error(y_true: &[f64], y_pred: &[f64]) -> Result<f64> {
    check(y_true, y_pred)?;
    Ok(sum_of_squared_errors(y_true, y_pred) / y_true.len() as f64)
}

/// Square root of the MSE, in the units of the target
/// (scikit-learn's `root_mean_squared_error`).
///
/// ```
/// use kindling_metrics::root_mean_squared_error;
///
/// let rmse = root_mean_squared_error(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0])?;
/// assert!((rmse - 0.6123724356957945).abs() < 1e-15);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// As [`mean_squared_error`].
pub fn root_mean_squared_error(y_true: &[f64], y_pred: &[f64]) -> Result<f64> {
    Ok(mean_squared_error(y_true, y_pred)?.sqrt())
}

/// Mean of the absolute errors (scikit-learn's `mean_absolute_error`).
///
/// ```
/// use kindling_metrics::mean_absolute_error;
///
/// // scikit-learn's documented example.
/// assert_eq!(mean_absolute_error(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0])?, 0.5);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// As [`mean_squared_error`].
pub fn mean_absolute_error(y_true: &[f64], y_pred: &[f64]) -> Result<f64> {
    check(y_true, y_pred)?;
    Ok(mean_of_absolute_errors(y_true, y_pred))
}

fn mean_of_absolute_errors(y_true: &[f64], y_pred: &[f64]) -> f64 {
    y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p).abs())
        .sum::<f64>()
        / y_true.len() as f64
}

/// Coefficient of determination: 1 minus the squared error over the squared
/// deviation of `y_true` from its mean (scikit-learn's `r2_score`).
///
/// 1 is a perfect fit, 0 is no better than predicting the mean, and it can
/// be negative. For a constant `y_true` it follows scikit-learn's
/// `force_finite=True`: 1.0 for a perfect prediction, otherwise 0.0.
/// Constancy is tested exactly (all values equal), so a constant target whose
/// floating-point mean is slightly off still takes that rule.
///
/// ```
/// use kindling_metrics::r2_score;
///
/// // scikit-learn's documented examples.
/// let r2 = r2_score(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0])?;
/// assert!((r2 - 0.9486081370449679).abs() < 1e-15);
/// assert_eq!(r2_score(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0])?, -3.0);
/// assert_eq!(r2_score(&[-2.0, -2.0, -2.0], &[-2.0, -2.0, -2.0])?, 1.0);
/// assert_eq!(r2_score(&[-2.0, -2.0, -2.0], &[-2.0, -2.0, -1.99])?, 0.0);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// As [`mean_squared_error`], plus [`MetricsError::TooFewSamples`] for a
/// single sample (scikit-learn warns and returns NaN there).
pub fn r2_score(y_true: &[f64], y_pred: &[f64]) -> Result<f64> {
    check(y_true, y_pred)?;
    r2_from_residual(y_true, sum_of_squared_errors(y_true, y_pred))
}

/// R² of checked input whose sum of squared errors is `residual`.
fn r2_from_residual(y_true: &[f64], residual: f64) -> Result<f64> {
    if y_true.len() < 2 {
        return Err(MetricsError::TooFewSamples {
            metric: "R^2",
            needed: 2,
            actual: y_true.len(),
        });
    }
    let mean = y_true.iter().sum::<f64>() / y_true.len() as f64;
    let total: f64 = y_true.iter().map(|y| (y - mean) * (y - mean)).sum();
    let constant = y_true.iter().all(|&y| y == y_true[0]);
    if constant || total == 0.0 {
        return Ok(if residual == 0.0 { 1.0 } else { 0.0 });
    }
    Ok(1.0 - residual / total)
}

/// Every regression metric at once: what `kindling metrics --task regression` prints.
///
/// ```
/// use kindling_metrics::RegressionMetrics;
///
/// let m = RegressionMetrics::compute(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0])?;
/// assert_eq!((m.mse, m.mae), (0.375, 0.5));
/// assert!(m.r2.is_some());
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    /// Number of samples.
    pub n_samples: usize,
    /// Mean squared error.
    pub mse: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// R², or `None` with a single sample, where it is undefined.
    pub r2: Option<f64>,
}

impl RegressionMetrics {
    /// Computes MSE, RMSE, MAE and (from two samples on) R².
    ///
    /// # Errors
    /// As [`mean_squared_error`].
    pub fn compute(y_true: &[f64], y_pred: &[f64]) -> Result<Self> {
        check(y_true, y_pred)?;
        let residual = sum_of_squared_errors(y_true, y_pred);
        let mse = residual / y_true.len() as f64;
        let r2 = match r2_from_residual(y_true, residual) {
            Ok(r2) => Some(r2),
            Err(MetricsError::TooFewSamples { .. }) => None,
            Err(other) => return Err(other),
        };
        Ok(Self {
            n_samples: y_true.len(),
            mse,
            rmse: mse.sqrt(),
            mae: mean_of_absolute_errors(y_true, y_pred),
            r2,
        })
    }
}

impl fmt::Display for RegressionMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "samples  {}", self.n_samples)?;
        writeln!(f, "MSE      {:.6}", self.mse)?;
        writeln!(f, "RMSE     {:.6}", self.rmse)?;
        writeln!(f, "MAE      {:.6}", self.mae)?;
        match self.r2 {
            Some(r2) => writeln!(f, "R^2      {r2:.6}"),
            None => writeln!(f, "R^2      undefined (needs at least 2 samples)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_of_a_constant_target_is_finite_like_sklearn_force_finite() {
        // sklearn: r2_score([3,3,3],[3,3,3]) == 1.0 and r2_score([3,3,3],[3,2,3]) == 0.0
        assert_eq!(r2_score(&[3.0; 3], &[3.0; 3]).unwrap(), 1.0);
        assert_eq!(r2_score(&[3.0; 3], &[3.0, 2.0, 3.0]).unwrap(), 0.0);
        // The mean of [0.1; 3] is 0.10000000000000002 in floating point, which makes
        // sklearn return -1.7e31 here; exact constancy gives the intended 0.0.
        assert_eq!(r2_score(&[0.1; 3], &[0.1, 0.2, 0.1]).unwrap(), 0.0);
    }

    #[test]
    fn r2_of_predicting_the_mean_is_zero() {
        assert_eq!(r2_score(&[1.0, 2.0, 3.0], &[2.0, 2.0, 2.0]).unwrap(), 0.0);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(mean_squared_error(&[], &[]), Err(MetricsError::Empty));
        assert!(matches!(
            mean_absolute_error(&[1.0], &[1.0, 2.0]),
            Err(MetricsError::LengthMismatch { .. })
        ));
        let err = root_mean_squared_error(&[1.0, f64::INFINITY], &[1.0, 2.0]).unwrap_err();
        assert!(
            matches!(
                err,
                MetricsError::NonFinite {
                    argument: "y_true",
                    index: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(matches!(
            r2_score(&[1.0, 2.0], &[f64::NAN, 2.0]),
            Err(MetricsError::NonFinite {
                argument: "y_pred",
                ..
            })
        ));
        assert_eq!(
            r2_score(&[1.0], &[2.0]),
            Err(MetricsError::TooFewSamples {
                metric: "R^2",
                needed: 2,
                actual: 1
            })
        );
    }

    #[test]
    fn compute_leaves_r2_undefined_for_one_sample() {
        let m = RegressionMetrics::compute(&[1.0], &[3.0]).unwrap();
        assert_eq!(
            m,
            RegressionMetrics {
                n_samples: 1,
                mse: 4.0,
                rmse: 2.0,
                mae: 2.0,
                r2: None
            }
        );
        assert!(m.to_string().contains("R^2      undefined"), "{m}");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"n_samples":1,"mse":4.0,"rmse":2.0,"mae":2.0,"r2":null}"#
        );
    }
}
