//! Stop when a monitored metric stops improving.

use serde::{Deserialize, Serialize};

use crate::callback::{Callback, TrainingContext, state_values};
use crate::checkpoint::CallbackState;
use crate::error::FitError;
use crate::history::Mode;

/// Keras' EarlyStopping: watch a history key (`val_loss` by default); when it has
/// not improved by more than `min_delta` for `patience` epochs, stop.
///
/// With `restore_best_weights`, the model ends with the weights of its best epoch,
/// also when training ran to the last epoch without stopping early (Keras only
/// restores when it stops early, which surprises people).
#[derive(Debug, Clone)]
pub struct EarlyStopping<M> {
    /// The history key to watch.
    pub monitor: String,
    /// Whether smaller or larger is better.
    pub mode: Mode,
    /// Smallest change that counts as an improvement.
    pub min_delta: f64,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Epochs before this one (counted from 1) neither count nor stop.
    pub start_from_epoch: usize,
    /// Put the best epoch's weights back at the end.
    pub restore_best_weights: bool,
    best: Option<(usize, f64)>,
    best_model: Option<M>,
    waited: usize,
    stopped_at: Option<usize>,
}

impl<M: Clone> EarlyStopping<M> {
    /// Watches `monitor` in its usual direction (`*loss*` down, others up) with
    /// patience 0, min_delta 0, and no weight restoring.
    pub fn new(monitor: impl Into<String>) -> Self {
        let monitor = monitor.into();
        EarlyStopping {
            mode: Mode::for_metric(&monitor),
            monitor,
            min_delta: 0.0,
            patience: 0,
            start_from_epoch: 0,
            restore_best_weights: false,
            best: None,
            best_model: None,
            waited: 0,
            stopped_at: None,
        }
    }

    /// Sets the direction.
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the smallest change that counts as an improvement.
    pub fn with_min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.abs();
        self
    }

    /// Sets how many epochs without improvement are tolerated.
    pub fn with_patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Ignores epochs before this one (a warm-up).
    pub fn with_start_from_epoch(mut self, epoch: usize) -> Self {
        self.start_from_epoch = epoch;
        self
    }

    /// Restores the best epoch's weights at the end.
    pub fn with_restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best_weights = restore;
        self
    }

    /// The epoch training stopped after, if it stopped early.
    pub fn stopped_epoch(&self) -> Option<usize> {
        self.stopped_at
    }

    /// The best epoch and value seen.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best
    }
}

/// What early stopping counts, saved in checkpoints (the best weights go beside it).
#[derive(Serialize, Deserialize)]
struct Counters {
    /// The best epoch and its value's bits (exact, unlike JSON text).
    best: Option<(usize, u64)>,
    waited: usize,
    stopped_at: Option<usize>,
}

impl<M: Clone> Callback<M> for EarlyStopping<M> {
    fn name(&self) -> &str {
        "EarlyStopping"
    }

    fn on_train_begin(&mut self, _: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        self.best = None;
        self.best_model = None;
        self.waited = 0;
        self.stopped_at = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        let current = context.monitored("EarlyStopping", &self.monitor)?;
        if context.epoch < self.start_from_epoch || current.is_nan() {
            return Ok(());
        }
        let improved = match self.best {
            None => true,
            Some((_, best)) => self.mode.improves(current, best, self.min_delta),
        };
        if improved {
            self.best = Some((context.epoch, current));
            self.waited = 0;
            if self.restore_best_weights {
                self.best_model = Some(context.model.clone());
            }
            return Ok(());
        }
        self.waited += 1;
        if self.waited >= self.patience {
            self.stopped_at = Some(context.epoch);
            let (best_epoch, best) = self.best.unwrap_or((context.epoch, current));
            context.stop(format!(
                "Early stopping after epoch {}: {} has not improved by more than {} for {} epoch(s) (best {:.4} at epoch {best_epoch})",
                context.epoch, self.monitor, self.min_delta, self.waited, best
            ));
        }
        Ok(())
    }

    fn save_state(&self) -> Option<CallbackState<M>> {
        let counters = Counters {
            best: self.best.map(|(epoch, value)| (epoch, value.to_bits())),
            waited: self.waited,
            stopped_at: self.stopped_at,
        };
        Some(CallbackState {
            values: serde_json::to_value(counters).ok()?,
            model: self.best_model.clone(),
        })
    }

    fn load_state(&mut self, state: CallbackState<M>) -> Result<(), FitError> {
        let counters: Counters = state_values("EarlyStopping", state.values)?;
        self.best = counters
            .best
            .map(|(epoch, bits)| (epoch, f64::from_bits(bits)));
        self.waited = counters.waited;
        self.stopped_at = counters.stopped_at;
        self.best_model = state.model;
        Ok(())
    }

    fn on_train_end(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        if let (Some(model), Some((epoch, _))) = (self.best_model.take(), self.best)
            && epoch != context.epoch
        {
            *context.model = model;
            context.note(format!(
                "Restored the weights of epoch {epoch} (best {}).",
                self.monitor
            ));
        }
        Ok(())
    }
}
