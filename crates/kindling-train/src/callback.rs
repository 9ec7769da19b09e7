//! Hooks into `fit`: code that runs at the start and end of training, of each
//! epoch and of each batch, and can stop the run, change the learning rate or
//! swap the model's weights (Keras' callbacks).

use crate::checkpoint::CallbackState;
use crate::error::FitError;
use crate::history::History;

/// What a callback sees (and may change) at the start or end of an epoch.
pub struct TrainingContext<'a, M> {
    /// The epoch that is starting or has just ended, counted from 1 (0 before
    /// training starts).
    pub epoch: usize,
    /// Epochs planned.
    pub epochs: usize,
    /// The learning rate of the next update; callbacks may change it.
    pub learning_rate: &'a mut f64,
    /// The model being trained; callbacks may replace it (to restore weights).
    pub model: &'a mut M,
    /// Every finished epoch so far.
    pub history: &'a History,
    pub(crate) control: &'a mut Control,
}

/// Whether the run goes on, and what callbacks want the user to know.
#[derive(Debug, Default)]
pub(crate) struct Control {
    pub(crate) stop: Option<String>,
    pub(crate) notes: Vec<String>,
}

impl<M> TrainingContext<'_, M> {
    /// Ends training after this epoch, with a reason the user will see.
    pub fn stop(&mut self, reason: impl Into<String>) {
        self.control.stop = Some(reason.into());
    }

    /// True when some callback has asked to stop.
    pub fn stopping(&self) -> bool {
        self.control.stop.is_some()
    }

    /// The value `metric` reached in the epoch that just ended, for a callback that
    /// monitors it; a metric the history lacks is an error naming `callback`.
    pub fn monitored(&self, callback: &str, metric: &str) -> Result<f64, FitError> {
        let values = self
            .history
            .require(metric)
            .map_err(|e| callback_error(callback, e))?;
        Ok(values[self.epoch - 1])
    }

    /// A line printed under the epoch's row (when fit prints at all).
    pub fn note(&mut self, message: impl Into<String>) {
        self.control.notes.push(message.into());
    }
}

/// What a callback sees after each batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchEnd {
    /// Epoch, counted from 1.
    pub epoch: usize,
    /// Batch within the epoch, counted from 1.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// This batch's mean loss.
    pub loss: f64,
    /// The learning rate used for this batch's update.
    pub learning_rate: f64,
}

/// What a callback wants after a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchAction {
    /// Carry on.
    Continue,
    /// Use this learning rate from the next batch on (the learning-rate finder
    /// sweeps the rate this way).
    SetLearningRate(f64),
    /// End training after this batch, with a reason the user will see.
    Stop(String),
}

/// A training hook. Every method has a default that does nothing.
pub trait Callback<M> {
    /// A short name for messages, such as `EarlyStopping`.
    fn name(&self) -> &str;

    /// Before the first epoch.
    fn on_train_begin(&mut self, _context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        Ok(())
    }

    /// Before each epoch (learning-rate schedules set the rate here).
    fn on_epoch_begin(&mut self, _context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        Ok(())
    }

    /// After each batch's update. The action can change the learning rate for the
    /// next batch or end training after this batch; an error ends training at once.
    fn on_batch_end(&mut self, _batch: &BatchEnd) -> Result<BatchAction, FitError> {
        Ok(BatchAction::Continue)
    }

    /// After each epoch, once its row is in the history.
    fn on_epoch_end(&mut self, _context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        Ok(())
    }

    /// After the last epoch, whether training stopped early or not (not after an
    /// interruption: an interrupted run is paused, and may be resumed).
    fn on_train_end(&mut self, _context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        Ok(())
    }

    /// What this callback remembers between epochs (counters, best values, kept
    /// weights), saved in each checkpoint so that a resumed run goes on exactly as
    /// an uninterrupted one would. `None` (the default): it remembers nothing.
    fn save_state(&self) -> Option<CallbackState<M>> {
        None
    }

    /// Puts back what [`save_state`](Self::save_state) returned, after
    /// `on_train_begin` when a run resumes.
    fn load_state(&mut self, _state: CallbackState<M>) -> Result<(), FitError> {
        Ok(())
    }
}

/// Reads a callback's saved values back, naming the callback when they do not fit.
pub fn state_values<T: serde::de::DeserializeOwned>(
    name: &str,
    values: serde_json::Value,
) -> Result<T, FitError> {
    serde_json::from_value(values)
        .map_err(|e| callback_error(name, format!("its saved state does not fit: {e}")))
}

/// Turns an I/O-style failure inside a callback into a [`FitError`].
pub fn callback_error(name: &str, problem: impl ToString) -> FitError {
    FitError::Callback {
        callback: name.to_string(),
        problem: problem.to_string(),
    }
}
