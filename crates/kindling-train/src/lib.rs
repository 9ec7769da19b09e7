//! Training for Kindling: the loop (`fit`), its `History`, callbacks, and the
//! tools the course uses to teach what a training loop does.
//!
//! `fit` works with any model that implements `kindling_models::Classifier` and
//! any data that implements [`ClassificationData`]. This crate does not draw charts
//! or compute evaluation metrics beyond loss and accuracy: `kindling-metrics` and
//! `kindling-charts` build on it.

pub mod callback;
pub mod callbacks;
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod error;
pub mod evaluate;
pub mod fit;
pub mod history;
pub mod interrupt;
pub mod numerics;
pub mod progress;
pub mod run_config;
pub mod schedule;
pub mod trained_run;

pub use callback::{BatchAction, BatchEnd, Callback, TrainingContext};
pub use checkpoint::{CHECKPOINT_FILE, CallbackState, Checkpoint, CheckpointError};
pub use config::{FitConfig, GradClip, OptimizerKind, Verbosity, validate_learning_rate};
pub use data::{ClassificationData, FeatureData, ImageData};
pub use error::FitError;
pub use evaluate::{Evaluation, evaluate, predict_proba};
pub use fit::{BURN_VERSION, fit, fit_with, resume_with};
pub use history::{
    BestEpoch, EpochRow, History, HistoryError, Mode, STATUS_INTERRUPTED, STATUS_KEY,
};
pub use interrupt::{FORCE_QUIT_EXIT_CODE, Interrupt, InterruptError};
pub use numerics::{NUMERICS_VAR, numerics};
pub use run_config::{CONFIG_FILE, MODEL_FILE, RunConfig, RunConfigError, RunStatus};
pub use schedule::{Decay, LrSchedule, ScheduleName, UnknownSchedule};
pub use trained_run::{SetPredictions, TrainedRun, TrainedRunError, predict_set};

// Toolkit: plain-Rust line fitting, the threshold learner, learning-rate tools,
// training reads and hyperparameter tuning.
pub mod apartments;
pub mod convergence;
pub mod diagnosis;
pub mod linreg;
pub mod lr_experiment;
pub mod lr_finder;
pub mod threshold;
pub mod tuning;
