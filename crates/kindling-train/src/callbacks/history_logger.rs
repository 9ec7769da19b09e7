//! Keep the history on disk while training runs.

use std::path::PathBuf;

use crate::callback::{Callback, TrainingContext, callback_error};
use crate::error::FitError;

/// Keras' CSVLogger, for CSV or JSON (chosen by the file's extension): after every
/// epoch the whole history so far is written to `path`, atomically, so a run that
/// is interrupted keeps every finished epoch and never a torn row.
#[derive(Debug, Clone)]
pub struct HistoryLogger {
    /// The file, `.csv` or `.json`.
    pub path: PathBuf,
}

impl HistoryLogger {
    /// Logs to `path` (`.csv` for CSV; anything else is written as JSON).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl<M> Callback<M> for HistoryLogger {
    fn name(&self) -> &str {
        "HistoryLogger"
    }

    fn on_epoch_end(&mut self, context: &mut TrainingContext<'_, M>) -> Result<(), FitError> {
        context
            .history
            .save(&self.path)
            .map_err(|e| callback_error("HistoryLogger", e))
    }
}
