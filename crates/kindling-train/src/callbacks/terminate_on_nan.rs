//! Stop at the first NaN or infinite loss.

use crate::callback::{BatchAction, BatchEnd, Callback};
use crate::error::FitError;

/// Ends training with [`FitError::Diverged`] the moment a batch's loss is NaN or
/// infinite, naming the epoch and batch. `fit` installs it unless
/// `FitConfig::terminate_on_nan` is off.
#[derive(Debug, Default, Clone, Copy)]
pub struct TerminateOnNaN;

impl<M> Callback<M> for TerminateOnNaN {
    fn name(&self) -> &str {
        "TerminateOnNaN"
    }

    fn on_batch_end(&mut self, batch: &BatchEnd) -> Result<BatchAction, FitError> {
        if batch.loss.is_finite() {
            Ok(BatchAction::Continue)
        } else {
            Err(FitError::diverged(
                batch.epoch,
                batch.batch,
                batch.loss,
                batch.learning_rate,
            ))
        }
    }
}
