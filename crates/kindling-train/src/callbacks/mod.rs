//! The callbacks Kindling ships, after Keras'.

mod early_stopping;
mod history_logger;
mod lr_schedule;
mod model_checkpoint;
mod reduce_lr_on_plateau;
mod terminate_on_nan;

pub use early_stopping::EarlyStopping;
pub use history_logger::HistoryLogger;
pub use lr_schedule::{LrScheduler, Schedule};
pub use model_checkpoint::ModelCheckpoint;
pub use reduce_lr_on_plateau::ReduceLrOnPlateau;
pub use terminate_on_nan::TerminateOnNaN;
