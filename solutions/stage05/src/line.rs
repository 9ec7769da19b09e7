//! Part 2: gradient descent in plain Rust. Fit `price = slope * size + intercept`
//! to apartment prices by walking downhill on the mean squared error.

use kindling::train::lr_experiment::CONVERGENCE_TOLERANCE;
use serde::Serialize;

/// One epoch: the line at its start and how wrong that line was.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineRow {
    /// Epoch, counted from 1.
    pub epoch: usize,
    /// Mean squared error before this epoch's update.
    pub loss: f64,
    /// The slope before this epoch's update.
    pub slope: f64,
    /// The intercept before this epoch's update.
    pub intercept: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ending {
    /// Every epoch ran.
    Completed,
    /// Early stopping ended it after this epoch.
    StoppedEarly {
        /// The last epoch.
        epoch: usize,
    },
    /// The loss blew up at this epoch.
    Diverged {
        /// The epoch where it happened.
        epoch: usize,
    },
}

/// A whole run of gradient descent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineRun {
    /// The learning rate.
    pub learning_rate: f64,
    /// One row per epoch.
    pub rows: Vec<LineRow>,
    /// The last slope whose loss was a number.
    pub slope: f64,
    /// The last intercept whose loss was a number.
    pub intercept: f64,
    /// How it ended.
    pub ending: Ending,
}

/// Stop when the loss has not improved by more than `min_delta` for `patience` epochs.
#[derive(Debug, Clone, Copy)]
pub struct EarlyStop {
    /// Epochs without improvement that are tolerated.
    pub patience: usize,
    /// The smallest drop that counts as an improvement.
    pub min_delta: f64,
}

/// The loss is said to have blown up when it is this many times the first epoch's.
pub const BLOW_UP: f64 = 100.0;

// ANCHOR: loss
/// How wrong a line is: the mean of the squared errors.
pub fn mean_squared_error(sizes: &[f64], prices: &[f64], slope: f64, intercept: f64) -> f64 {
    let total: f64 = sizes
        .iter()
        .zip(prices)
        .map(|(&size, &price)| {
            let err = price - (slope * size + intercept);
            err * err
        })
        .sum();
    total / sizes.len() as f64
}
// ANCHOR_END: loss

// ANCHOR: step
/// One step downhill: the gradients of the loss, then the update.
pub fn step(
    sizes: &[f64],
    prices: &[f64],
    slope: f64,
    intercept: f64,
    learning_rate: f64,
) -> (f64, f64) {
    // [solution]
    let n = sizes.len() as f64;
    let (mut sum_x_err, mut sum_err) = (0.0, 0.0);
    for (&size, &price) in sizes.iter().zip(prices) {
        let err = price - (slope * size + intercept);
        sum_x_err += size * err;
        sum_err += err;
    }
    let d_slope = -2.0 * sum_x_err / n;
    let d_intercept = -2.0 * sum_err / n;
    (
        slope - learning_rate * d_slope,
        intercept - learning_rate * d_intercept,
    )
    // [exercise]
    // // TODO: with err = price - (slope * size + intercept) for each apartment,
    // // d_slope = -2 * mean(size * err) and d_intercept = -2 * mean(err).
    // // Return the line moved against the gradients:
    // // (slope - learning_rate * d_slope, intercept - learning_rate * d_intercept).
    // let _ = (sizes, prices, learning_rate);
    // (slope, intercept)
    // [end]
}
// ANCHOR_END: step

// ANCHOR: train
/// Trains a line from zero for up to `epochs` epochs.
pub fn train_line(
    sizes: &[f64],
    prices: &[f64],
    learning_rate: f64,
    epochs: usize,
    early_stop: Option<EarlyStop>,
) -> LineRun {
    let (mut slope, mut intercept) = (0.0, 0.0);
    let mut rows: Vec<LineRow> = Vec::new();
    let mut ending = Ending::Completed;
    let (mut best, mut waited) = (f64::INFINITY, 0);
    for epoch in 1..=epochs {
        let loss = mean_squared_error(sizes, prices, slope, intercept);
        // A loss that is not a number, or a hundred times the first one, means the
        // steps overshoot further each time: stop and say so.
        let first = rows.first().map_or(loss, |row| row.loss);
        if !loss.is_finite() || loss > BLOW_UP * first {
            if loss.is_finite() {
                rows.push(LineRow {
                    epoch,
                    loss,
                    slope,
                    intercept,
                });
            }
            let last = rows.last().copied();
            (slope, intercept) = last.map_or((0.0, 0.0), |row| (row.slope, row.intercept));
            ending = Ending::Diverged { epoch };
            break;
        }
        rows.push(LineRow {
            epoch,
            loss,
            slope,
            intercept,
        });
        (slope, intercept) = step(sizes, prices, slope, intercept, learning_rate);

        if let Some(stop) = early_stop {
            if loss < best - stop.min_delta {
                best = loss;
                waited = 0;
            } else {
                waited += 1;
                if waited >= stop.patience {
                    ending = Ending::StoppedEarly { epoch };
                    break;
                }
            }
        }
    }
    LineRun {
        learning_rate,
        rows,
        slope,
        intercept,
        ending,
    }
}
// ANCHOR_END: train

/// What became of a learning rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Still far from the best possible line at the end.
    TooSlow,
    /// Within 20% of the best possible loss from this epoch on.
    Converged {
        /// The first epoch within 20%.
        epoch: usize,
    },
    /// The loss blew up.
    Diverged {
        /// The epoch where it did.
        epoch: usize,
    },
}

// ANCHOR: verdict
/// Judges a run against the best loss any line can reach on this data.
pub fn verdict(run: &LineRun, best_loss: f64) -> Verdict {
    if let Ending::Diverged { epoch } = run.ending {
        return Verdict::Diverged { epoch };
    }
    match run
        .rows
        .iter()
        .find(|row| row.loss <= best_loss * (1.0 + CONVERGENCE_TOLERANCE))
    {
        Some(row) => Verdict::Converged { epoch: row.epoch },
        None => Verdict::TooSlow,
    }
}
// ANCHOR_END: verdict

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::TooSlow => write!(f, "too slow"),
            Verdict::Converged { epoch } => write!(f, "converged at epoch {epoch}"),
            Verdict::Diverged { epoch } => write!(f, "diverged at epoch {epoch}"),
        }
    }
}
