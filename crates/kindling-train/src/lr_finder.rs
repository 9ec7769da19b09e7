//! The learning-rate finder (Leslie Smith's range test, as in fastai's
//! `lr_find`): train a copy of the model for a short while, raising the learning
//! rate exponentially after every batch, and watch the loss. Too small a rate
//! barely moves the loss, a good one makes it fall fast, too large a one makes it
//! explode. The suggested rate is where the loss fell fastest.
//!
//! The sweep runs inside [`fit_with`] with a callback that sets the next batch's
//! learning rate and stops the run: there is no second training loop.

use std::fmt;

use serde::Serialize;

use kindling_models::Classifier;

use crate::callback::{BatchAction, BatchEnd, Callback};
use crate::config::{FitConfig, Verbosity};
use crate::data::ClassificationData;
use crate::error::FitError;
use crate::fit::fit_with;

/// Settings of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LrFinderConfig {
    /// The learning rate of the first batch.
    pub start: f64,
    /// The learning rate of the last batch (reached only if the loss does not
    /// explode first).
    pub end: f64,
    /// Batches in the sweep; the rates are spread evenly on a log scale.
    pub steps: usize,
    /// Weight of the running average in the smoothed loss, from 0 (no smoothing)
    /// to below 1.
    pub smoothing: f64,
    /// The sweep stops once the smoothed loss exceeds this multiple of the best
    /// smoothed loss so far.
    pub explode_factor: f64,
}

impl Default for LrFinderConfig {
    /// fastai's range and length (1e-7 to 10 over 100 batches) and stopping rule
    /// (4 times the best loss). Smoothing is 0.9 rather than fastai's 0.98: with
    /// 100 batches, 0.98 averages over about 50 of them and lags behind the loss.
    fn default() -> Self {
        LrFinderConfig {
            start: 1e-7,
            end: 10.0,
            steps: 100,
            smoothing: 0.9,
            explode_factor: 4.0,
        }
    }
}

impl LrFinderConfig {
    /// Sets the range of rates.
    pub fn with_range(mut self, start: f64, end: f64) -> Self {
        self.start = start;
        self.end = end;
        self
    }

    /// Sets the number of batches.
    pub fn with_steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }

    /// Sets the smoothing of the loss.
    pub fn with_smoothing(mut self, smoothing: f64) -> Self {
        self.smoothing = smoothing;
        self
    }

    /// Checks every setting, naming the first one out of range.
    pub fn validate(&self) -> Result<(), FitError> {
        let positive = |value: f64| value.is_finite() && value > 0.0;
        if !positive(self.start) {
            return Err(FitError::InvalidSetting {
                setting: "lr finder start",
                value: self.start.to_string(),
                rule: "the first learning rate is a positive number",
                fix: "start at 1e-7",
            });
        }
        if !(positive(self.end) && self.end > self.start) {
            return Err(FitError::InvalidSetting {
                setting: "lr finder end",
                value: self.end.to_string(),
                rule: "the last learning rate is larger than the first",
                fix: "end at 10",
            });
        }
        if self.steps < 2 {
            return Err(FitError::InvalidSetting {
                setting: "lr finder steps",
                value: self.steps.to_string(),
                rule: "a sweep needs at least 2 batches",
                fix: "use 100 steps",
            });
        }
        if !(0.0..1.0).contains(&self.smoothing) {
            return Err(FitError::InvalidSetting {
                setting: "lr finder smoothing",
                value: self.smoothing.to_string(),
                rule: "the smoothing is at least 0 and below 1",
                fix: "use 0.9",
            });
        }
        if !(self.explode_factor.is_finite() && self.explode_factor > 1.0) {
            return Err(FitError::InvalidSetting {
                setting: "lr finder explode factor",
                value: self.explode_factor.to_string(),
                rule: "the factor is a number above 1",
                fix: "use 4",
            });
        }
        Ok(())
    }

    /// The learning rate of batch `index` (counted from 0):
    /// `start * (end / start)^(index / (steps - 1))`.
    pub fn rate_at(&self, index: usize) -> f64 {
        let fraction = index as f64 / self.steps.saturating_sub(1).max(1) as f64;
        self.start * (self.end / self.start).powf(fraction)
    }
}

/// One batch of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LrPoint {
    /// The learning rate the batch was trained with.
    pub learning_rate: f64,
    /// The batch's loss.
    pub loss: f64,
    /// The loss smoothed by a running average (bias-corrected, as in fastai).
    pub smoothed: f64,
}

/// What the sweep saw and the rate it suggests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrFinder {
    /// The settings used.
    pub config: LrFinderConfig,
    /// One point per batch that ran.
    pub points: Vec<LrPoint>,
    /// Why the sweep ended before `steps` batches, if it did.
    pub stopped_early: Option<String>,
    /// The rate where the smoothed loss fell fastest (see [`steepest_rate`]).
    pub steepest: Option<f64>,
    /// A tenth of the rate with the lowest smoothed loss.
    pub minimum_over_10: Option<f64>,
    /// The suggestion: `steepest`, or `minimum_over_10` when the sweep was too
    /// short to find a steepest point.
    pub suggestion: Option<f64>,
}

impl LrFinder {
    /// `(learning rate, smoothed loss)` pairs, ready for a log-x chart.
    pub fn curve(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .map(|point| (point.learning_rate, point.smoothed))
            .collect()
    }
}

impl fmt::Display for LrFinder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Swept the learning rate from {:e} over {} batches",
            self.config.start,
            self.points.len()
        )?;
        if let Some(last) = self.points.last() {
            write!(f, " up to {:.3e}", last.learning_rate)?;
        }
        match &self.stopped_early {
            Some(reason) => writeln!(f, "; stopped early: {reason}.")?,
            None => writeln!(f, ".")?,
        }
        match self.suggestion {
            Some(rate) => write!(f, "Suggested learning rate: {rate:.3e}."),
            None => write!(f, "Too few batches ran to suggest a learning rate."),
        }
    }
}

/// fastai's "steep" suggestion: the learning rate where the smoothed loss falls
/// fastest against the logarithm of the rate.
///
/// The first tenth of the points is skipped (the smoothing is still warming up
/// there) and so are the last five (the explosion that ended the sweep); only the
/// points up to the lowest smoothed loss are searched. The slope
/// between neighbouring points is `Δ smoothed loss / Δ ln(rate)`; the answer is the
/// rate at the start of the most negative slope. `None` when fewer than two points
/// remain or the loss never falls.
///
/// ```
/// use kindling_train::lr_finder::{LrPoint, steepest_rate};
/// let point = |learning_rate: f64, smoothed: f64| LrPoint { learning_rate, loss: smoothed, smoothed };
/// let rates = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3, 1e4, 1e5];
/// let losses = [2.3, 2.3, 2.2, 1.5, 1.2, 1.1, 1.3, 3.0, 9.0, 20.0, 50.0, 90.0];
/// let points: Vec<LrPoint> = rates.iter().zip(losses).map(|(&r, l)| point(r, l)).collect();
/// // The first point and the last five are skipped; 2.2 -> 1.5 is the steepest fall.
/// assert_eq!(steepest_rate(&points), Some(1e-4));
/// ```
pub fn steepest_rate(points: &[LrPoint]) -> Option<f64> {
    let skip_start = points.len() / 10;
    let end = points.len().saturating_sub(5);
    if end < skip_start + 2 {
        return None;
    }
    let used = &points[skip_start..end];
    // Only the descent counts: from the start to the lowest smoothed loss. A loss
    // that comes down again after a spike is recovering, not learning well.
    let lowest = used
        .iter()
        .enumerate()
        .filter(|(_, point)| point.smoothed.is_finite())
        .min_by(|a, b| a.1.smoothed.total_cmp(&b.1.smoothed))
        .map(|(index, _)| index)?;
    let used = &used[..=lowest];
    let mut best: Option<(f64, f64)> = None;
    for pair in used.windows(2) {
        let run = pair[1].learning_rate.ln() - pair[0].learning_rate.ln();
        let slope = (pair[1].smoothed - pair[0].smoothed) / run;
        if slope.is_finite() && slope < 0.0 && best.is_none_or(|(steepest, _)| slope < steepest) {
            best = Some((slope, pair[0].learning_rate));
        }
    }
    best.map(|(_, rate)| rate)
}

/// Sweeps the learning rate on a copy of `model` (the model itself is not
/// changed) and suggests one.
///
/// `base` gives everything else about training: optimizer, batch size, shuffling
/// seed, gradient clipping. Its learning rate, epochs and verbosity are replaced,
/// and a NaN loss ends the sweep instead of failing it.
pub fn lr_find<M, T, const D: usize>(
    model: &M,
    data: &T,
    base: &FitConfig,
    config: &LrFinderConfig,
) -> Result<LrFinder, FitError>
where
    M: Classifier<D>,
    T: ClassificationData<D>,
{
    config.validate()?;
    let mut fit_config = base.clone();
    fit_config.learning_rate = config.start;
    fit_config.epochs = 1;
    fit_config.verbosity = Verbosity::Silent;
    fit_config.terminate_on_nan = false;
    fit_config.validate()?;
    if data.is_empty() {
        return Err(FitError::NoData);
    }
    // Enough epochs for `steps` batches; the sweep stops itself after the last.
    fit_config.epochs = config
        .steps
        .div_ceil(data.len().div_ceil(fit_config.batch_size));

    let mut sweep = Sweep::new(*config);
    fit_with(model.clone(), data, None, &fit_config, &mut [&mut sweep])?;

    let steepest = steepest_rate(&sweep.points);
    let minimum_over_10 = sweep
        .points
        .iter()
        .filter(|point| point.smoothed.is_finite())
        .min_by(|a, b| a.smoothed.total_cmp(&b.smoothed))
        // Never below the sweep's own start: nothing was measured there.
        .map(|point| (point.learning_rate / 10.0).max(config.start));
    Ok(LrFinder {
        config: *config,
        points: sweep.points,
        stopped_early: sweep.stopped_early,
        steepest,
        minimum_over_10,
        suggestion: steepest.or(minimum_over_10),
    })
}

/// The callback that drives the sweep.
struct Sweep {
    config: LrFinderConfig,
    points: Vec<LrPoint>,
    average: f64,
    best: f64,
    stopped_early: Option<String>,
}

impl Sweep {
    fn new(config: LrFinderConfig) -> Self {
        Sweep {
            config,
            points: Vec::with_capacity(config.steps),
            average: 0.0,
            best: f64::INFINITY,
            stopped_early: None,
        }
    }

    fn stop(&mut self, reason: String) -> BatchAction {
        self.stopped_early = Some(reason.clone());
        BatchAction::Stop(reason)
    }
}

impl<M> Callback<M> for Sweep {
    fn name(&self) -> &str {
        "LrFinder"
    }

    fn on_batch_end(&mut self, batch: &BatchEnd) -> Result<BatchAction, FitError> {
        let learning_rate = batch.learning_rate;
        if !batch.loss.is_finite() {
            return Ok(self.stop(format!(
                "the loss stopped being a number at learning rate {learning_rate:.3e}"
            )));
        }
        let beta = self.config.smoothing;
        self.average = beta * self.average + (1.0 - beta) * batch.loss;
        // Dividing by 1 - beta^n removes the pull towards the 0 the average starts at.
        let count = self.points.len() + 1;
        let smoothed = self.average / (1.0 - beta.powi(count as i32));
        self.points.push(LrPoint {
            learning_rate,
            loss: batch.loss,
            smoothed,
        });
        self.best = self.best.min(smoothed);
        if smoothed > self.config.explode_factor * self.best {
            return Ok(self.stop(format!(
                "the loss exploded (over {} times its best) at learning rate {learning_rate:.3e}",
                self.config.explode_factor
            )));
        }
        if count >= self.config.steps {
            return Ok(BatchAction::Stop("the sweep is complete".into()));
        }
        Ok(BatchAction::SetLearningRate(self.config.rate_at(count)))
    }
}
