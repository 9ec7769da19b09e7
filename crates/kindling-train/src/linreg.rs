//! Gradient descent for a straight line `y = slope * x + intercept`, in plain Rust:
//! no tensors, no autodiff, every step visible. The course's first training loop.
//!
//! Each epoch measures the mean squared error (MSE) of the current line on all the
//! data, then moves both parameters against their gradients:
//!
//! ```text
//! err         = y - (slope * x + intercept)        for every example
//! d_slope     = -2 * mean(x * err)
//! d_intercept = -2 * mean(err)
//! slope      -= learning_rate * d_slope
//! intercept  -= learning_rate * d_intercept
//! ```
//!
//! ```
//! use kindling_train::linreg::{LineConfig, fit_line};
//! let x = [1.0, 2.0, 3.0, 4.0];
//! let y = [3.0, 5.0, 7.0, 9.0]; // y = 2x + 1
//! let fit = fit_line(&x, &y, &LineConfig::new(0.05, 2000))?;
//! assert!((fit.line.slope - 2.0).abs() < 1e-3);
//! assert!((fit.line.intercept - 1.0).abs() < 1e-3);
//! # Ok::<(), kindling_train::linreg::LinRegError>(())
//! ```

use std::fmt;

use serde::Serialize;

use crate::history::{History, Mode};

/// The divergence rule: a run has diverged at the first epoch whose loss is not a
/// finite number or is more than this many times the first epoch's loss.
///
/// Why this rule: with full-batch gradient descent on the MSE of a line, a learning
/// rate that is small enough lowers the loss at *every* epoch, so the loss can never
/// climb above where it started. A loss a hundred times the starting loss can only
/// come from steps that overshoot further each time. Stopping there, instead of
/// waiting for the numbers to overflow into infinity or NaN, keeps every reported
/// number finite and names the epoch where things went wrong.
pub const DIVERGENCE_FACTOR: f64 = 100.0;

/// A straight line `y = slope * x + intercept`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Line {
    /// How much `y` grows when `x` grows by one.
    pub slope: f64,
    /// The value of `y` at `x = 0`.
    pub intercept: f64,
}

impl Line {
    /// A line with the given slope and intercept.
    pub fn new(slope: f64, intercept: f64) -> Self {
        Line { slope, intercept }
    }

    /// The line's `y` at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }

    /// The mean squared error of this line on `(x, y)` pairs: the average of
    /// `(y - prediction)²`. Use it on fresh data to check that a trained line
    /// still fits examples it has never seen.
    ///
    /// ```
    /// use kindling_train::linreg::Line;
    /// let line = Line::new(2.0, 0.0);
    /// assert_eq!(line.mean_squared_error(&[1.0, 2.0], &[2.0, 6.0])?, 2.0);
    /// # Ok::<(), kindling_train::linreg::LinRegError>(())
    /// ```
    pub fn mean_squared_error(&self, x: &[f64], y: &[f64]) -> Result<f64, LinRegError> {
        check_data(x, y)?;
        Ok(mse(self, x, y))
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.intercept < 0.0 { '-' } else { '+' };
        write!(
            f,
            "y = {:.4} * x {sign} {:.4}",
            self.slope,
            self.intercept.abs()
        )
    }
}

/// The best line in the least-squares sense, worked out directly (no training):
/// `slope = cov(x, y) / var(x)`, `intercept = mean(y) - slope * mean(x)`. Gradient
/// descent can at best reach this line's loss, so it is the yardstick for
/// "has training converged?".
///
/// ```
/// use kindling_train::linreg::least_squares;
/// let line = least_squares(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0])?;
/// assert!((line.slope - 2.0).abs() < 1e-12 && (line.intercept - 1.0).abs() < 1e-12);
/// # Ok::<(), kindling_train::linreg::LinRegError>(())
/// ```
pub fn least_squares(x: &[f64], y: &[f64]) -> Result<Line, LinRegError> {
    check_data(x, y)?;
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (&xi, &yi) in x.iter().zip(y) {
        sxx += (xi - mean_x) * (xi - mean_x);
        sxy += (xi - mean_x) * (yi - mean_y);
    }
    if !(sxx.is_finite() && sxy.is_finite()) {
        return Err(LinRegError::TooLarge);
    }
    if sxx == 0.0 {
        return Err(LinRegError::ConstantX { value: x[0] });
    }
    let slope = sxy / sxx;
    Ok(Line::new(slope, mean_y - slope * mean_x))
}

/// Keras-style early stopping on the training loss: stop once the loss has failed
/// to improve by more than `min_delta` for `patience` epochs in a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineEarlyStopping {
    /// Epochs in a row without improvement before stopping (0 stops at the first).
    pub patience: usize,
    /// An epoch improves only if its loss is below the best so far by more than this.
    pub min_delta: f64,
}

/// Settings of [`fit_line`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineConfig {
    /// Step size of each update; a positive number.
    pub learning_rate: f64,
    /// Updates to make (each uses all the data: full batch).
    pub epochs: usize,
    /// Optional early stopping on the training loss.
    pub early_stopping: Option<LineEarlyStopping>,
}

impl LineConfig {
    /// Plain gradient descent for `epochs` epochs, no early stopping.
    pub fn new(learning_rate: f64, epochs: usize) -> Self {
        LineConfig {
            learning_rate,
            epochs,
            early_stopping: None,
        }
    }

    /// Adds early stopping on the training loss.
    pub fn with_early_stopping(mut self, patience: usize, min_delta: f64) -> Self {
        self.early_stopping = Some(LineEarlyStopping {
            patience,
            min_delta,
        });
        self
    }

    /// Checks every setting, naming the first one out of range and the fix.
    pub fn validate(&self) -> Result<(), LinRegError> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(LinRegError::LearningRate {
                value: self.learning_rate,
            });
        }
        if self.epochs == 0 {
            return Err(LinRegError::Epochs);
        }
        if let Some(stopping) = self.early_stopping
            && !(stopping.min_delta.is_finite() && stopping.min_delta >= 0.0)
        {
            return Err(LinRegError::MinDelta {
                value: stopping.min_delta,
            });
        }
        Ok(())
    }
}

/// One epoch of [`fit_line`]: the line at the start of the epoch and its loss.
/// The epoch's update comes after this measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineEpoch {
    /// Epoch number, counted from 1.
    pub epoch: usize,
    /// Mean squared error of this row's line on the training data.
    pub loss: f64,
    /// The slope before this epoch's update.
    pub slope: f64,
    /// The intercept before this epoch's update.
    pub intercept: f64,
}

/// How a [`fit_line`] run ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ending {
    /// Every planned epoch ran.
    Completed,
    /// Early stopping ended the run after this epoch (its update included).
    StoppedEarly {
        /// The last epoch that ran, counted from 1.
        epoch: usize,
    },
    /// The loss broke the [`DIVERGENCE_FACTOR`] rule at this epoch; no update was
    /// made from there.
    Diverged {
        /// The epoch whose loss broke the rule, counted from 1.
        epoch: usize,
        /// That loss, when it was still a finite number.
        loss: Option<f64>,
        /// The first epoch's loss, for comparison.
        first_loss: f64,
    },
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::Completed => write!(f, "ran all epochs"),
            Ending::StoppedEarly { epoch } => write!(f, "stopped early after epoch {epoch}"),
            Ending::Diverged {
                epoch,
                loss: Some(loss),
                first_loss,
            } => write!(
                f,
                "diverged at epoch {epoch}: the loss reached {loss:.4e}, over {DIVERGENCE_FACTOR} times the first epoch's {first_loss:.4e}"
            ),
            Ending::Diverged { epoch, .. } => write!(
                f,
                "diverged at epoch {epoch}: the loss grew too large to be a number"
            ),
        }
    }
}

/// The result of [`fit_line`]: per-epoch rows, the final line and how the run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineFit {
    /// The learning rate used.
    pub learning_rate: f64,
    /// One row per epoch whose loss was a finite number.
    pub rows: Vec<LineEpoch>,
    /// The trained line: after the last update, or for a diverged run the last line
    /// whose loss was still finite (never NaN).
    pub line: Line,
    /// The training loss of [`line`](Self::line).
    pub final_loss: f64,
    /// Whether the run completed, stopped early or diverged.
    pub ending: Ending,
}

impl LineFit {
    /// The loss of each recorded epoch, epoch 1 first (ready for a chart).
    pub fn losses(&self) -> Vec<f64> {
        self.rows.iter().map(|row| row.loss).collect()
    }

    /// True when the run diverged.
    pub fn diverged(&self) -> bool {
        matches!(self.ending, Ending::Diverged { .. })
    }

    /// The rows as a [`History`] with the metrics `loss`, `slope` and `intercept`,
    /// so the usual charts and history files work.
    pub fn to_history(&self) -> History {
        let mut history = History::new();
        for row in &self.rows {
            history.push_epoch([
                ("loss", row.loss),
                ("slope", row.slope),
                ("intercept", row.intercept),
            ]);
        }
        history.set_context("learning_rate", self.learning_rate);
        history.set_context("ending", self.ending);
        if let Ending::StoppedEarly { epoch } = self.ending {
            history.set_context("stopped_early_after_epoch", epoch);
        }
        history
    }
}

impl From<&LineFit> for History {
    fn from(fit: &LineFit) -> History {
        fit.to_history()
    }
}

impl LineFit {
    /// The epoch table alone (epoch, loss, slope, intercept), one line per epoch.
    pub fn table(&self) -> impl fmt::Display + '_ {
        EpochTable(&self.rows)
    }
}

struct EpochTable<'a>(&'a [LineEpoch]);

impl fmt::Display for EpochTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>6}  {:>14}  {:>12}  {:>12}",
            "epoch", "loss", "slope", "intercept"
        )?;
        for row in self.0 {
            writeln!(
                f,
                "{:>6}  {:>14.4}  {:>12.6}  {:>12.6}",
                row.epoch, row.loss, row.slope, row.intercept
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for LineFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table())?;
        writeln!(f, "Learning rate {}: {}.", self.learning_rate, self.ending)?;
        write!(f, "Final line: {} (loss {:.4})", self.line, self.final_loss)
    }
}

/// Problems with the data or settings of a line fit, each with the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinRegError {
    /// No examples at all.
    #[error(
        "there is no data: fitting a line needs at least one (x, y) pair. Fix: check that the CSV has rows below its `x,y` header"
    )]
    Empty,
    /// `x` and `y` have different lengths.
    #[error(
        "x has {x} values but y has {y}: every x needs exactly one y. Fix: give both columns the same number of rows"
    )]
    LengthMismatch {
        /// Number of `x` values.
        x: usize,
        /// Number of `y` values.
        y: usize,
    },
    /// A value is NaN or infinite.
    #[error(
        "{column} value number {position} is {value}, not a finite number. Fix: remove or repair that row"
    )]
    NonFinite {
        /// `"x"` or `"y"`.
        column: &'static str,
        /// Position of the value, counted from 1.
        position: usize,
        /// The value found.
        value: f64,
    },
    /// The learning rate is not a positive, finite number.
    #[error(
        "learning rate = {value} is not allowed: it must be a positive number. Fix: use a small positive rate such as --lr 1e-5"
    )]
    LearningRate {
        /// The rate given.
        value: f64,
    },
    /// Zero epochs.
    #[error("epochs = 0 is not allowed: train for at least one epoch. Fix: use --epochs 200")]
    Epochs,
    /// Early stopping's `min_delta` is negative or not a number.
    #[error(
        "min_delta = {value} is not allowed: it must be zero or a positive number. Fix: use --min-delta 0"
    )]
    MinDelta {
        /// The value given.
        value: f64,
    },
    /// All `x` are equal, so no line is better than another.
    #[error(
        "every x is {value}: with a single x value the slope cannot be worked out. Fix: use data with at least two different x values"
    )]
    ConstantX {
        /// The one `x` value.
        value: f64,
    },
    /// A convergence tolerance that is not a positive number.
    #[error(
        "tolerance = {value} is not allowed: it must be a positive number (0.1 means within 10% of the least-squares loss). Fix: use 0.1"
    )]
    Tolerance {
        /// The value given.
        value: f64,
    },
    /// An experiment without learning rates.
    #[error("no learning rates to try. Fix: give at least one, such as 1e-7, 1e-5 and 1e-3")]
    NoRates,
    /// The values are so large that even the starting loss overflows.
    #[error(
        "the values are too large: the squared errors overflow before training starts. Fix: rescale the data (for example prices in thousands)"
    )]
    TooLarge,
}

/// Fits `y = slope * x + intercept` by full-batch gradient descent from
/// `slope = intercept = 0`.
///
/// Each epoch records the loss (MSE) of the current line *before* updating it, so
/// epoch 1 shows the loss of the all-zero line. The run ends when the epochs are
/// used up, when early stopping fires, or at the first epoch that breaks the
/// [`DIVERGENCE_FACTOR`] rule.
///
/// ```
/// use kindling_train::linreg::{Ending, LineConfig, fit_line};
/// let x = [1.0, 2.0, 3.0];
/// let y = [2.0, 4.0, 6.0];
/// // A far too large step overshoots further every epoch.
/// let fit = fit_line(&x, &y, &LineConfig::new(1.0, 50))?;
/// assert!(matches!(fit.ending, Ending::Diverged { .. }));
/// assert!(fit.line.slope.is_finite());
/// # Ok::<(), kindling_train::linreg::LinRegError>(())
/// ```
pub fn fit_line(x: &[f64], y: &[f64], config: &LineConfig) -> Result<LineFit, LinRegError> {
    check_data(x, y)?;
    config.validate()?;
    let n = x.len() as f64;
    let mut line = Line::default();
    let first_loss = mse(&line, x, y);
    if !first_loss.is_finite() {
        return Err(LinRegError::TooLarge);
    }
    let mut rows = Vec::with_capacity(config.epochs);
    let mut ending = Ending::Completed;
    // The best loss so far and the epochs since it improved (Keras' `wait`).
    let mut best = f64::INFINITY;
    let mut waited = 0;
    for epoch in 1..=config.epochs {
        let loss = mse(&line, x, y);
        let finite = loss.is_finite();
        if !finite || loss > DIVERGENCE_FACTOR * first_loss {
            if finite {
                rows.push(row(epoch, loss, line));
            } else if let Some(last) = rows.last() {
                // The last line whose loss was a number is the one we report.
                line = Line::new(last.slope, last.intercept);
            }
            ending = Ending::Diverged {
                epoch,
                loss: finite.then_some(loss),
                first_loss,
            };
            break;
        }
        rows.push(row(epoch, loss, line));

        let (mut sum_x_err, mut sum_err) = (0.0, 0.0);
        for (&xi, &yi) in x.iter().zip(y) {
            let err = yi - line.predict(xi);
            sum_x_err += xi * err;
            sum_err += err;
        }
        let d_slope = -2.0 * sum_x_err / n;
        let d_intercept = -2.0 * sum_err / n;
        line.slope -= config.learning_rate * d_slope;
        line.intercept -= config.learning_rate * d_intercept;

        if let Some(stopping) = config.early_stopping {
            if Mode::Min.improves(loss, best, stopping.min_delta) {
                best = loss;
                waited = 0;
            } else {
                waited += 1;
                if waited >= stopping.patience {
                    ending = Ending::StoppedEarly { epoch };
                    break;
                }
            }
        }
    }
    let final_loss = mse(&line, x, y);
    Ok(LineFit {
        learning_rate: config.learning_rate,
        rows,
        line,
        final_loss,
        ending,
    })
}

fn row(epoch: usize, loss: f64, line: Line) -> LineEpoch {
    LineEpoch {
        epoch,
        loss,
        slope: line.slope,
        intercept: line.intercept,
    }
}

/// MSE without checks (callers have checked the data).
fn mse(line: &Line, x: &[f64], y: &[f64]) -> f64 {
    let sum: f64 = x
        .iter()
        .zip(y)
        .map(|(&xi, &yi)| {
            let err = yi - line.predict(xi);
            err * err
        })
        .sum();
    sum / x.len() as f64
}

/// Non-empty, same length, every value finite.
pub(crate) fn check_data(x: &[f64], y: &[f64]) -> Result<(), LinRegError> {
    if x.len() != y.len() {
        return Err(LinRegError::LengthMismatch {
            x: x.len(),
            y: y.len(),
        });
    }
    if x.is_empty() {
        return Err(LinRegError::Empty);
    }
    for (column, values) in [("x", x), ("y", y)] {
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(LinRegError::NonFinite {
                column,
                position: index + 1,
                value: values[index],
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_row_is_the_zero_line_and_its_loss() {
        let fit = fit_line(&[1.0, 2.0], &[3.0, 5.0], &LineConfig::new(0.01, 3)).unwrap();
        let first = fit.rows[0];
        assert_eq!((first.slope, first.intercept), (0.0, 0.0));
        assert_eq!(first.loss, (9.0 + 25.0) / 2.0);
        // One hand-worked step: err = (3, 5); d_slope = -2 * (3 + 10) / 2 = -13,
        // d_intercept = -2 * 8 / 2 = -8.
        let second = fit.rows[1];
        assert!((second.slope - 0.13).abs() < 1e-12);
        assert!((second.intercept - 0.08).abs() < 1e-12);
    }
}
