//! What can stop a training run, each with the fix.

/// A training run that could not start or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// A setting is out of range.
    #[error("{setting} = {value} is not allowed: {rule}. Fix: {fix}")]
    InvalidSetting {
        /// The setting's name, as the command line spells it.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What the value must be.
        rule: &'static str,
        /// An example of a good value.
        fix: &'static str,
    },
    /// The loss became NaN or infinite.
    #[error(
        "training diverged: the loss became {loss} at epoch {epoch}, batch {batch} (learning rate {learning_rate}). The steps are too large for this model. Fix: try a smaller learning rate, such as {suggestion}, or turn on gradient clipping"
    )]
    Diverged {
        /// Epoch, counted from 1.
        epoch: usize,
        /// Batch within the epoch, counted from 1.
        batch: usize,
        /// The loss value seen (NaN or inf).
        loss: f64,
        /// The learning rate in use.
        learning_rate: f64,
        /// A tenth of the learning rate, as a starting point.
        suggestion: f64,
    },
    /// An augmentation setting is out of range.
    #[error(transparent)]
    Augmentation(#[from] kindling_data::AugmentError),
    /// The learning-rate schedule does not fit the run (the message names the fix).
    #[error("{0}")]
    BadSchedule(String),
    /// There is nothing to train on.
    #[error("the training data is empty. Fix: give fit at least one training example")]
    NoData,
    /// A resumed run has no epochs left to train.
    #[error(
        "the run has already trained {done} epoch(s), and {epochs} were asked for. Fix: ask for more epochs than {done}"
    )]
    NothingToResume {
        /// Epochs already trained.
        done: usize,
        /// Epochs asked for in all.
        epochs: usize,
    },
    /// A checkpoint could not be written or does not fit.
    #[error(transparent)]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    /// A callback failed (for example, it could not write a file).
    #[error("{callback}: {problem}")]
    Callback {
        /// The callback's name.
        callback: String,
        /// What went wrong.
        problem: String,
    },
}

impl FitError {
    /// The error for a non-finite loss, with a suggested smaller rate.
    pub fn diverged(epoch: usize, batch: usize, loss: f64, learning_rate: f64) -> Self {
        FitError::Diverged {
            epoch,
            batch,
            loss,
            learning_rate,
            suggestion: learning_rate / 10.0,
        }
    }
}
