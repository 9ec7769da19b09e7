//! Lower the learning rate when progress stalls.

use crate::callback::{Callback, TrainingContext, state_values};
use crate::checkpoint::CallbackState;
use crate::error::FitError;
use crate::history::Mode;

/// Keras' ReduceLROnPlateau: when the monitored metric has not improved by more
/// than `min_delta` for `patience` epochs, multiply the learning rate by `factor`
/// (never below `min_lr`), then wait `cooldown` epochs before watching again.
#[derive(Debug, Clone)]
pub struct ReduceLrOnPlateau {
    /// The history key to watch.
    pub monitor: String,
    /// Whether smaller or larger is better.
    pub mode: Mode,
    /// Multiplier applied to the learning rate, between 0 and 1.
    pub factor: f64,
    /// Epochs without improvement before reducing.
    pub patience: usize,
    /// Smallest change that counts as an improvement.
    pub min_delta: f64,
    /// Epochs to wait after a reduction.
    pub cooldown: usize,
    /// The learning rate never goes below this.
    pub min_lr: f64,
    best: Option<f64>,
    waited: usize,
    cooling: usize,
}

impl ReduceLrOnPlateau {
    /// Keras' defaults: factor 0.1, patience 10, min_delta 1e-4.
    pub fn new(monitor: impl Into<String>) -> Self {
        let monitor = monitor.into();
        ReduceLrOnPlateau {
            mode: Mode::for_metric(&monitor),
            monitor,
            factor: 0.1,
            patience: 10,
            min_delta: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
            best: None,
            waited: 0,
            cooling: 0,
        }
    }

    /// Sets the multiplier.
    pub fn with_factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Sets the patience.
    pub fn with_patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Sets the cooldown.
    pub fn with_cooldown(mut self, cooldown: usize) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Sets the floor.
    pub fn with_min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = min_lr;
        self
    }
}

impl<M> Callback<M> for ReduceLrOnPlateau {
    fn name(&self) -> &str {
        "ReduceLROnPlateau"
    }

    fn save_state(&self) -> Option<CallbackState<M>> {
        Some(CallbackState {
            values: serde_json::json!([self.best.map(f64::to_bits), self.waited, self.cooling]),
            model: None,
        })
    }

    fn load_state(&mut self, state: CallbackState<M>) -> Result<(), FitError> {
        let best: Option<u64>;
        (best, self.waited, self.cooling) = state_values("ReduceLROnPlateau", state.values)?;
        self.best = best.map(f64::from_bits);
        Ok(())
    }

    fn on_epoch_end(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        let current = context.monitored("ReduceLROnPlateau", &self.monitor)?;
        if current.is_nan() {
            return Ok(());
        }
        if self.cooling > 0 {
            self.cooling -= 1;
            self.waited = 0;
        }
        match self.best {
            Some(best) if !self.mode.improves(current, best, self.min_delta) => {
                if self.cooling == 0 {
                    self.waited += 1;
                }
            }
            _ => {
                self.best = Some(current);
                self.waited = 0;
            }
        }
        if self.waited >= self.patience && self.cooling == 0 {
            let old = *context.learning_rate;
            let new = (old * self.factor).max(self.min_lr);
            if new < old {
                *context.learning_rate = new;
                context.note(format!(
                    "ReduceLROnPlateau: {} has not improved for {} epoch(s); learning rate {old:e} -> {new:e}",
                    self.monitor, self.waited
                ));
            }
            self.cooling = self.cooldown;
            self.waited = 0;
        }
        Ok(())
    }
}
