//! Models for Kindling, from a straight line to a CNN, as plain Burn modules.
//!
//! Every model implements [`Classifier`]: a forward pass to class scores, plus a
//! traced pass from which [`summary`] builds a Keras-style table. Models know
//! nothing of data files or training loops.
//!
//! ```
//! use burn::prelude::*;
//! use kindling_models::{BaselineCnnConfig, summary};
//! let device = Device::flex();
//! let model = BaselineCnnConfig::new().init(&device);
//! let table = summary(&model, &device);
//! assert_eq!(table.total_params, 122_570);
//! assert_eq!(table.output_shape(), [10]);
//! ```

pub mod baseline_cnn;
pub mod bn_cnn;
pub mod classifier;
pub mod dropout;
pub mod kind;
pub mod mlp;
pub mod persist;
pub mod seeding;
pub mod summary;
pub mod trace;

pub use baseline_cnn::{BaselineCnn, BaselineCnnConfig};
pub use bn_cnn::{BnCnn, BnCnnConfig};
pub use classifier::Classifier;
pub use dropout::{SeededDropout, check_dropout, with_noise};
pub use kind::{ImageModel, ModelKind, ModelOptions, UnknownModel};
pub use mlp::{Mlp, MlpConfig};
pub use persist::{ModelFileError, load_model, save_model};
pub use seeding::init_seeded;
pub use summary::{Summary, summary, with_commas};
pub use trace::{LayerRecord, NoTrace, Recorder, Tracer};
