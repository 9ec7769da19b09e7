//! Save the model as training goes, optionally only when it improves.

use std::path::PathBuf;

use burn::module::Module;

use crate::callback::{Callback, TrainingContext, callback_error, state_values};
use crate::checkpoint::CallbackState;
use crate::error::FitError;
use crate::history::Mode;

/// Keras' ModelCheckpoint: after each epoch, write the weights to `path` (Burn's
/// `.bpk` format). With `save_best_only`, write only when the monitored metric
/// improves, so the file always holds the best model so far. Every write goes
/// through a temporary file, so an interruption never leaves a broken model.
#[derive(Debug, Clone)]
pub struct ModelCheckpoint {
    /// Where the weights go.
    pub path: PathBuf,
    /// The history key to watch.
    pub monitor: String,
    /// Whether smaller or larger is better.
    pub mode: Mode,
    /// Write only on improvement.
    pub save_best_only: bool,
    best: Option<f64>,
    saved_epoch: Option<usize>,
}

impl ModelCheckpoint {
    /// Saves to `path` whenever `val_loss` improves.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ModelCheckpoint {
            path: path.into(),
            monitor: "val_loss".into(),
            mode: Mode::Min,
            save_best_only: true,
            best: None,
            saved_epoch: None,
        }
    }

    /// Watches another history key, in its usual direction.
    pub fn with_monitor(mut self, monitor: impl Into<String>) -> Self {
        self.monitor = monitor.into();
        self.mode = Mode::for_metric(&self.monitor);
        self
    }

    /// Saves after every epoch instead of only on improvement.
    pub fn with_save_best_only(mut self, best_only: bool) -> Self {
        self.save_best_only = best_only;
        self
    }

    /// The epoch whose weights the file holds.
    pub fn saved_epoch(&self) -> Option<usize> {
        self.saved_epoch
    }
}

impl<M: Module> Callback<M> for ModelCheckpoint {
    fn name(&self) -> &str {
        "ModelCheckpoint"
    }

    fn save_state(&self) -> Option<CallbackState<M>> {
        Some(CallbackState {
            values: serde_json::json!([self.best.map(f64::to_bits), self.saved_epoch]),
            model: None,
        })
    }

    fn load_state(&mut self, state: CallbackState<M>) -> Result<(), FitError> {
        let (best, saved_epoch): (Option<u64>, Option<usize>) =
            state_values("ModelCheckpoint", state.values)?;
        self.best = best.map(f64::from_bits);
        self.saved_epoch = saved_epoch;
        Ok(())
    }

    fn on_epoch_end(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        let save = if self.save_best_only {
            let current = context.monitored("ModelCheckpoint", &self.monitor)?;
            let improved = !current.is_nan()
                && self
                    .best
                    .is_none_or(|best| self.mode.improves(current, best, 0.0));
            if improved {
                self.best = Some(current);
            }
            improved
        } else {
            true
        };
        if save {
            kindling_models::save_model(&context.model.valid(), &self.path)
                .map_err(|e| callback_error("ModelCheckpoint", e))?;
            self.saved_epoch = Some(context.epoch);
        }
        Ok(())
    }
}
