//! The learning-rate experiment: train the same line at several learning rates
//! and say, for each, whether it was too slow, converged or diverged.
//!
//! The yardstick is the least-squares line ([`least_squares`]): no straight line
//! has a lower loss on the training data, so a run has *converged* once its loss is
//! close to that line's loss.
//!
//! ```
//! use kindling_train::apartments::{COURSE_LEARNING_RATES, apartments_train};
//! use kindling_train::lr_experiment::{CONVERGENCE_TOLERANCE, RateVerdict, lr_experiment};
//! let data = apartments_train(100, 42);
//! let experiment =
//!     lr_experiment(&data.sizes, &data.prices, &COURSE_LEARNING_RATES, 200, CONVERGENCE_TOLERANCE)?;
//! assert!(matches!(experiment.runs[0].verdict, RateVerdict::TooSlow { .. }));
//! assert!(matches!(experiment.runs[1].verdict, RateVerdict::Converged { .. }));
//! assert!(matches!(experiment.runs[2].verdict, RateVerdict::Diverged { .. }));
//! for (label, losses) in experiment.loss_series() {
//!     println!("{label}: {} epochs", losses.len());
//! }
//! # Ok::<(), kindling_train::linreg::LinRegError>(())
//! ```

use std::fmt;

use serde::Serialize;

use crate::linreg::{Ending, LinRegError, Line, LineConfig, LineFit, fit_line, least_squares};

/// The default tolerance: a run has converged at the first epoch whose loss is at
/// most 20% above the least-squares loss. Not 10%: on some samples of the course's
/// apartments (seed 8 of 1 to 20) the best line's intercept is near 25, which a
/// good rate's intercept needs a million epochs to reach, and the slope alone
/// gets the loss only to 11% above the best.
pub const CONVERGENCE_TOLERANCE: f64 = 0.20;

/// What became of one learning rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RateVerdict {
    /// The loss never came within the tolerance of the least-squares loss.
    TooSlow {
        /// The loss of the last epoch.
        final_loss: f64,
        /// That loss divided by the least-squares loss.
        times_best: f64,
    },
    /// The first epoch whose loss was within the tolerance.
    Converged {
        /// Epoch, counted from 1.
        epoch: usize,
    },
    /// The loss exploded (see [`DIVERGENCE_FACTOR`](crate::linreg::DIVERGENCE_FACTOR)).
    Diverged {
        /// Epoch, counted from 1.
        epoch: usize,
    },
}

impl fmt::Display for RateVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateVerdict::TooSlow { .. } => write!(f, "too slow"),
            RateVerdict::Converged { epoch } => write!(f, "converged at epoch {epoch}"),
            RateVerdict::Diverged { epoch } => write!(f, "diverged at epoch {epoch}"),
        }
    }
}

/// One learning rate's run and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRun {
    /// The learning rate.
    pub learning_rate: f64,
    /// What became of it.
    pub verdict: RateVerdict,
    /// The whole run: per-epoch rows, final line, ending.
    pub fit: LineFit,
}

impl RateRun {
    /// A chart legend such as `lr=1e-7 (too slow)`.
    pub fn label(&self) -> String {
        format!("lr={:e} ({})", self.learning_rate, self.verdict)
    }
}

/// The runs of [`lr_experiment`] and the yardstick they were judged by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrExperiment {
    /// Epochs each run was given.
    pub epochs: usize,
    /// The tolerance used: converged means loss ≤ least-squares loss × (1 + tolerance).
    pub tolerance: f64,
    /// The best line for the data.
    pub least_squares: Line,
    /// Its loss, the lowest any line can reach.
    pub least_squares_loss: f64,
    /// One run per learning rate, in the order given.
    pub runs: Vec<RateRun>,
}

impl LrExperiment {
    /// Each run's per-epoch losses with its label, ready to overlay on one chart.
    /// A diverged run's series stops at the epoch it diverged.
    pub fn loss_series(&self) -> Vec<(String, Vec<f64>)> {
        self.runs
            .iter()
            .map(|run| (run.label(), run.fit.losses()))
            .collect()
    }
}

impl fmt::Display for LrExperiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Least-squares line: {} (loss {:.4}); converged means within {}% of that loss.",
            self.least_squares,
            self.least_squares_loss,
            self.tolerance * 100.0
        )?;
        writeln!(
            f,
            "{:>10}  {:<26}  {:>14}  {:>10}  {:>10}",
            "lr", "verdict", "last loss", "slope", "intercept"
        )?;
        for run in &self.runs {
            let last_loss = run.fit.rows.last().map_or(f64::NAN, |row| row.loss);
            writeln!(
                f,
                "{:>10}  {:<26}  {:>14.4}  {:>10.4}  {:>10.4}",
                format!("{:e}", run.learning_rate),
                run.verdict.to_string(),
                last_loss,
                run.fit.line.slope,
                run.fit.line.intercept
            )?;
        }
        Ok(())
    }
}

/// Trains the line from zero at each of `rates` for `epochs` epochs and judges
/// each run against the least-squares loss:
///
/// * **diverged at epoch N** when the run broke the divergence rule at epoch N;
/// * **converged at epoch N** when epoch N is the first whose loss is at most
///   `least-squares loss × (1 + tolerance)` (plus a hair, a millionth of a
///   millionth of the starting loss, so data lying exactly on a line can converge);
/// * **too slow** otherwise: still further than that from the best at the end.
pub fn lr_experiment(
    x: &[f64],
    y: &[f64],
    rates: &[f64],
    epochs: usize,
    tolerance: f64,
) -> Result<LrExperiment, LinRegError> {
    if rates.is_empty() {
        return Err(LinRegError::NoRates);
    }
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(LinRegError::Tolerance { value: tolerance });
    }
    let best = least_squares(x, y)?;
    let best_loss = best.mean_squared_error(x, y)?;
    let mut runs = Vec::with_capacity(rates.len());
    for &rate in rates {
        let fit = fit_line(x, y, &LineConfig::new(rate, epochs))?;
        let first_loss = fit.rows.first().map_or(0.0, |row| row.loss);
        let target = best_loss * (1.0 + tolerance) + 1e-12 * first_loss;
        let verdict = match fit.ending {
            Ending::Diverged { epoch, .. } => RateVerdict::Diverged { epoch },
            _ => match fit.rows.iter().find(|row| row.loss <= target) {
                Some(row) => RateVerdict::Converged { epoch: row.epoch },
                None => {
                    let final_loss = fit.rows.last().map_or(f64::NAN, |row| row.loss);
                    RateVerdict::TooSlow {
                        final_loss,
                        times_best: final_loss / best_loss,
                    }
                }
            },
        };
        runs.push(RateRun {
            learning_rate: rate,
            verdict,
            fit,
        });
    }
    Ok(LrExperiment {
        epochs,
        tolerance,
        least_squares: best,
        least_squares_loss: best_loss,
        runs,
    })
}
