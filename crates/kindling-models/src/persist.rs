//! Saving and loading model weights (Burn's `.bpk` burnpack format), atomically.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::ModuleRecord;

use kindling_data::atomic::write_bytes_atomically;

/// A model file that could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// Writing failed; nothing was left behind.
    #[error("could not save the model to {path}: {problem}")]
    Save {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// Reading failed or the file does not fit the model.
    #[error(
        "could not load the model from {path}: {problem}. Fix: load it into the same kind of model, with the same settings, that saved it (see the run's config.json)"
    )]
    Load {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
}

/// Writes a model's weights to `path` through a temporary file, so an interrupted
/// save never leaves a half-written model.
pub fn save_model<M: Module>(model: &M, path: &Path) -> Result<(), ModelFileError> {
    let failure = |problem: String| ModelFileError::Save {
        path: path.to_path_buf(),
        problem,
    };
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| failure(e.to_string()))?;
    write_bytes_atomically(path, &bytes).map_err(|e| failure(e.to_string()))
}

/// Loads weights from `path` into `model` (which gives the structure and device).
pub fn load_model<M: Module>(model: M, path: &Path) -> Result<M, ModelFileError> {
    let failure = |problem: String| ModelFileError::Load {
        path: path.to_path_buf(),
        problem,
    };
    if !path.is_file() {
        return Err(failure("no such file".into()));
    }
    let record = ModuleRecord::load(path).map_err(|e| failure(e.to_string()))?;
    model
        .try_load_record(record)
        .map_err(|e| failure(e.to_string()))
}
