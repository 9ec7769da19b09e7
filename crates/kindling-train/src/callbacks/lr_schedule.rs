//! Learning rates that follow a plan, epoch by epoch.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::callback::{Callback, TrainingContext, state_values};
use crate::checkpoint::CallbackState;
use crate::error::FitError;

/// A plan for the learning rate over the epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Schedule {
    /// Multiply by `factor` every `every` epochs.
    Step {
        /// Epochs between drops.
        every: usize,
        /// Multiplier at each drop.
        factor: f64,
    },
    /// Half a cosine wave from the starting rate down to `min_lr` over `epochs`.
    Cosine {
        /// Length of the descent in epochs.
        epochs: usize,
        /// The rate at the bottom.
        min_lr: f64,
    },
}

impl Schedule {
    /// The rate for `epoch` (counted from 1) when training starts at `initial`.
    pub fn rate(&self, initial: f64, epoch: usize) -> f64 {
        let step = epoch.saturating_sub(1);
        match *self {
            Schedule::Step { every, factor } => initial * factor.powi((step / every.max(1)) as i32),
            Schedule::Cosine { epochs, min_lr } => {
                let progress = (step as f64 / epochs.max(1) as f64).min(1.0);
                min_lr + 0.5 * (initial - min_lr) * (1.0 + (PI * progress).cos())
            }
        }
    }
}

/// Keras' LearningRateScheduler with a built-in [`Schedule`]: sets the rate at
/// the start of every epoch.
#[derive(Debug, Clone)]
pub struct LrScheduler {
    /// The plan.
    pub schedule: Schedule,
    initial: Option<f64>,
}

impl LrScheduler {
    /// Follows `schedule`, starting from the run's learning rate.
    pub fn new(schedule: Schedule) -> Self {
        Self {
            schedule,
            initial: None,
        }
    }
}

impl<M> Callback<M> for LrScheduler {
    fn name(&self) -> &str {
        "LearningRateScheduler"
    }

    fn on_train_begin(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        self.initial = Some(*context.learning_rate);
        Ok(())
    }

    fn save_state(&self) -> Option<CallbackState<M>> {
        Some(CallbackState {
            values: serde_json::json!(self.initial.map(f64::to_bits)),
            model: None,
        })
    }

    fn load_state(&mut self, state: CallbackState<M>) -> Result<(), FitError> {
        let bits: Option<u64> = state_values("LearningRateScheduler", state.values)?;
        self.initial = bits.map(f64::from_bits);
        Ok(())
    }

    fn on_epoch_begin(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        let initial = *self.initial.get_or_insert(*context.learning_rate);
        *context.learning_rate = self.schedule.rate(initial, context.epoch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_and_cosine_follow_their_formulas() {
        let step = Schedule::Step {
            every: 2,
            factor: 0.5,
        };
        let rates: Vec<f64> = (1..=5).map(|e| step.rate(1.0, e)).collect();
        assert_eq!(rates, [1.0, 1.0, 0.5, 0.5, 0.25]);
        let cosine = Schedule::Cosine {
            epochs: 4,
            min_lr: 0.0,
        };
        assert_eq!(cosine.rate(1.0, 1), 1.0);
        assert!((cosine.rate(1.0, 3) - 0.5).abs() < 1e-12);
        assert!(cosine.rate(1.0, 5).abs() < 1e-12);
        assert!(cosine.rate(1.0, 9).abs() < 1e-12, "stays at the bottom");
    }
}
