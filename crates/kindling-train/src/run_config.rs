//! What a run folder's `config.json` holds: every setting needed to repeat the
//! run or to load its model, read back with errors that name the file and the fix.

use std::path::{Path, PathBuf};

use kindling_data::Normalization;
use kindling_models::{ModelKind, ModelOptions};
use serde::{Deserialize, Serialize};

use crate::config::FitConfig;

/// The name of the settings file in a run folder.
pub const CONFIG_FILE: &str = "config.json";
/// The name of the trained weights in a run folder.
pub const MODEL_FILE: &str = "model.bpk";

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Training is under way (a folder left in this state was killed; its
    /// checkpoint still resumes it).
    Running,
    /// Stopped by Ctrl-C after its last finished epoch; it can be resumed.
    Interrupted,
    /// Trained all its epochs, or stopped early by a callback (files older than
    /// the status field read as finished).
    #[default]
    Finished,
}

/// Everything needed to repeat a run or load its model: saved as `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The Kindling release that made the run.
    pub kindling_version: String,
    /// The Burn release that made the run.
    pub burn_version: String,
    /// The data source, as `DataSource` spells it (`builtin`, `cifar10`, `folder:PATH`).
    pub dataset: String,
    /// The model trained.
    pub model: ModelKind,
    /// The model's settings beyond its kind (dropout); absent in older files.
    #[serde(default)]
    pub model_options: ModelOptions,
    /// The device it trained on.
    pub device: String,
    /// Training images.
    pub train_size: usize,
    /// Validation images.
    pub val_size: usize,
    /// Class names, indexed by label.
    pub class_names: Vec<String>,
    /// The normalisation fitted on the training pile.
    pub normalization: Normalization,
    /// The training settings.
    pub fit: FitConfig,
    /// Early stopping's patience on `val_loss` (best weights kept), if it was on.
    #[serde(default)]
    pub patience: Option<usize>,
    /// Where the run stands.
    #[serde(default)]
    pub status: RunStatus,
}

/// A `config.json` that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RunConfigError {
    /// The folder has no `config.json`.
    #[error(
        "{} has no {CONFIG_FILE}, so it is not a finished run folder. Fix: pass a folder written by `kindling train` (such as runs/run-001)",
        dir.display()
    )]
    Missing {
        /// The folder.
        dir: PathBuf,
    },
    /// The file could not be read.
    #[error("could not read {}: {problem}. Fix: check the file's permissions", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the system said.
        problem: String,
    },
    /// The file is not a run's settings.
    #[error(
        "{} is not the settings of a Kindling run: {problem}. Fix: train the run again with `kindling train`, or restore the file written by it",
        path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, as the JSON reader says it (it names the field).
        problem: String,
    },
}

impl RunConfig {
    /// The path of `config.json` in a run folder.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(CONFIG_FILE)
    }

    /// Reads `config.json` from a run folder.
    pub fn load(dir: &Path) -> Result<RunConfig, RunConfigError> {
        let path = Self::path_in(dir);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(RunConfigError::Missing {
                    dir: dir.to_path_buf(),
                });
            }
            Err(error) => {
                return Err(RunConfigError::Unreadable {
                    path,
                    problem: error.to_string(),
                });
            }
        };
        serde_json::from_slice(&bytes).map_err(|error| RunConfigError::Invalid {
            path,
            problem: error.to_string(),
        })
    }

    /// Writes `config.json` into `dir`, atomically.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)? + "\n";
        kindling_data::atomic::write_bytes_atomically(&Self::path_in(dir), json.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> RunConfig {
        RunConfig {
            kindling_version: "0.1.0".into(),
            burn_version: crate::BURN_VERSION.into(),
            dataset: "builtin".into(),
            model: ModelKind::BaselineCnn,
            model_options: ModelOptions::default(),
            device: "flex".into(),
            train_size: 100,
            val_size: 20,
            class_names: (0..10).map(|i| format!("class{i}")).collect(),
            normalization: Normalization::IDENTITY,
            fit: FitConfig::default(),
            patience: Some(3),
            status: RunStatus::Interrupted,
        }
    }

    #[test]
    fn a_saved_config_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        example().save(dir.path()).unwrap();
        assert_eq!(RunConfig::load(dir.path()).unwrap(), example());
    }

    #[test]
    fn a_config_without_status_or_patience_reads_as_a_finished_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut json: serde_json::Value = serde_json::to_value(example()).unwrap();
        assert_eq!(json["status"], "interrupted");
        json.as_object_mut().unwrap().remove("status");
        json.as_object_mut().unwrap().remove("patience");
        std::fs::write(dir.path().join(CONFIG_FILE), json.to_string()).unwrap();
        let read = RunConfig::load(dir.path()).unwrap();
        assert_eq!((read.status, read.patience), (RunStatus::Finished, None));
    }

    #[test]
    fn a_missing_or_damaged_config_names_the_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let missing = RunConfig::load(dir.path()).unwrap_err().to_string();
        assert!(
            missing.contains("has no config.json") && missing.contains("Fix:"),
            "{missing}"
        );

        let mut json: serde_json::Value = serde_json::to_value(example()).unwrap();
        json.as_object_mut().unwrap().remove("normalization");
        std::fs::write(dir.path().join(CONFIG_FILE), json.to_string()).unwrap();
        let invalid = RunConfig::load(dir.path()).unwrap_err().to_string();
        assert!(
            invalid.contains("normalization") && invalid.contains("config.json"),
            "{invalid}"
        );
    }
}
