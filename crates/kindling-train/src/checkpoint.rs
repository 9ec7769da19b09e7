//! Per-epoch checkpoints: everything `fit` needs to go on from the end of an epoch
//! exactly as if it had never stopped.
//!
//! A checkpoint holds the weights, the optimizer's state (Adam's moments and step
//! count), the number of finished epochs (which fixes the shuffling position: each
//! epoch's order is its own seeded stream), the learning rate, the history so far
//! and each callback's state (early stopping's patience and best weights, ...).
//! Numbers are stored as their exact bits, so a resumed run is bit-identical to an
//! uninterrupted one.
//!
//! It is one file (`checkpoint.kpt`): a magic header, length-prefixed sections and
//! an MD5 of everything before it, so a truncated or damaged file is recognised
//! and named. It is written through a temporary file and renamed into place, so a
//! crash, a kill or a full disk while writing leaves the previous checkpoint whole.

use std::io;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::config::FitConfig;
use crate::history::History;

/// The name of the checkpoint in a run folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.kpt";

/// The Kindling release writing checkpoints; a checkpoint from another is refused,
/// because its layout and numerics may differ.
pub const KINDLING_VERSION: &str = env!("CARGO_PKG_VERSION");

const MAGIC: &[u8; 16] = b"KINDLING-CKPT-01";
const DIGEST_LEN: usize = 16;

/// A checkpoint that could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// There is no checkpoint file.
    #[error(
        "{} does not exist: the run has no checkpoint (it stopped before its first epoch ended, or was made by a Kindling without checkpoints). Fix: start the run again",
        path.display()
    )]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// The file could not be read or written.
    #[error("could not {action} {}: {problem}. Fix: check the folder's permissions and free disk space", path.display())]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        problem: String,
    },
    /// The file is not a Kindling checkpoint at all.
    #[error(
        "{} is not a Kindling checkpoint (it does not start with Kindling's checkpoint header). Fix: pass a run folder written by `kindling train`",
        path.display()
    )]
    NotACheckpoint {
        /// The file.
        path: PathBuf,
    },
    /// The file ends before its last section.
    #[error(
        "{} is truncated: it ends after {found} bytes, before its end (it was cut off while being copied). Fix: copy the run folder again from where it came from, or start the run again",
        path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its length.
        found: usize,
    },
    /// The checksum does not match: some bytes changed.
    #[error(
        "{} is damaged: its checksum does not match its contents. Fix: copy the run folder again from where it came from, or start the run again",
        path.display()
    )]
    Corrupted {
        /// The file.
        path: PathBuf,
    },
    /// The checkpoint was written by another Kindling release.
    #[error(
        "{} was written by Kindling {found}, this is Kindling {KINDLING_VERSION}; its numbers would not continue the run exactly. Fix: resume with Kindling {found}, or start the run again",
        path.display()
    )]
    OtherVersion {
        /// The file.
        path: PathBuf,
        /// The release that wrote it.
        found: String,
    },
    /// The checkpoint does not fit the model, the optimizer or the callbacks given.
    #[error(
        "{} does not fit this run: {problem}. Fix: resume with the same model, settings and callbacks the run was started with",
        path.display()
    )]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        problem: String,
    },
}

/// What a checkpoint remembers besides the tensors, as written in the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    kindling_version: String,
    epoch: usize,
    learning_rate_bits: u64,
    fit: FitConfig,
    history: ExactHistory,
    callbacks: Vec<SavedCallback>,
}

/// The history with every number as its bits (JSON text would round some).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ExactHistory {
    columns: Vec<(String, Vec<u64>)>,
    context: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedCallback {
    name: String,
    values: serde_json::Value,
    /// Index of this callback's model section, when it keeps weights.
    model_section: Option<usize>,
}

/// One callback's saved state: plain values, and weights when it keeps a model
/// (early stopping's best epoch).
#[derive(Debug, Clone)]
pub struct CallbackState<M> {
    /// What the callback counts and remembers.
    pub values: serde_json::Value,
    /// Weights it keeps, if any.
    pub model: Option<M>,
}

/// The state of a run at the end of an epoch.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The file it was read from (empty for one made in memory).
    source: PathBuf,
    state: State,
    model: Vec<u8>,
    optimizer: Vec<u8>,
    callback_models: Vec<Vec<u8>>,
}

/// Encodes a module's weights as bytes (Burn's burnpack format).
pub(crate) fn module_bytes<M: Module>(model: &M) -> Result<Vec<u8>, String> {
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| e.to_string())?;
    Ok(bytes.to_vec())
}

/// Loads weights encoded by [`module_bytes`] into `template`.
pub(crate) fn module_from_bytes<M: Module>(template: M, bytes: &[u8]) -> Result<M, String> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| e.to_string())?;
    template.try_load_record(record).map_err(|e| e.to_string())
}

impl Checkpoint {
    /// A checkpoint of a run after `epoch` finished epochs.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        epoch: usize,
        learning_rate: f64,
        fit: &FitConfig,
        history: &History,
        model: Vec<u8>,
        optimizer: Vec<u8>,
        callbacks: Vec<(String, serde_json::Value, Option<Vec<u8>>)>,
    ) -> Checkpoint {
        let mut callback_models = Vec::new();
        let callbacks = callbacks
            .into_iter()
            .map(|(name, values, model)| SavedCallback {
                name,
                values,
                model_section: model.map(|bytes| {
                    callback_models.push(bytes);
                    callback_models.len() - 1
                }),
            })
            .collect();
        Checkpoint {
            source: PathBuf::new(),
            state: State {
                kindling_version: KINDLING_VERSION.into(),
                epoch,
                learning_rate_bits: learning_rate.to_bits(),
                fit: fit.clone(),
                history: ExactHistory {
                    columns: history
                        .columns()
                        .iter()
                        .map(|(name, values)| {
                            (name.clone(), values.iter().map(|v| v.to_bits()).collect())
                        })
                        .collect(),
                    context: history.context.clone(),
                },
                callbacks,
            },
            model,
            optimizer,
            callback_models,
        }
    }

    /// The path of the checkpoint in a run folder.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(CHECKPOINT_FILE)
    }

    /// The file it was read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Epochs finished when it was written.
    pub fn epoch(&self) -> usize {
        self.state.epoch
    }

    /// The learning rate for the next epoch.
    pub fn learning_rate(&self) -> f64 {
        f64::from_bits(self.state.learning_rate_bits)
    }

    /// The settings the run trained with.
    pub fn fit_config(&self) -> &FitConfig {
        &self.state.fit
    }

    /// The Kindling release that wrote it.
    pub fn kindling_version(&self) -> &str {
        &self.state.kindling_version
    }

    /// The history of the finished epochs, exactly as it was.
    pub fn history(&self) -> History {
        History::from_columns(
            self.state
                .history
                .columns
                .iter()
                .map(|(name, bits)| {
                    (
                        name.clone(),
                        bits.iter().map(|b| f64::from_bits(*b)).collect(),
                    )
                })
                .collect(),
            self.state.history.context.clone(),
        )
    }

    /// The weights, loaded into `template` (same model kind and size).
    pub fn load_model<M: Module>(&self, template: M, path: &Path) -> Result<M, CheckpointError> {
        module_from_bytes(template, &self.model).map_err(|problem| CheckpointError::Mismatch {
            path: path.to_path_buf(),
            problem: format!("its weights do not fit the model ({problem})"),
        })
    }

    pub(crate) fn optimizer_bytes(&self) -> &[u8] {
        &self.optimizer
    }

    /// Each callback's saved values and weights, by position.
    pub(crate) fn callback_states(&self) -> Vec<(&str, &serde_json::Value, Option<&[u8]>)> {
        self.state
            .callbacks
            .iter()
            .map(|saved| {
                (
                    saved.name.as_str(),
                    &saved.values,
                    saved
                        .model_section
                        .and_then(|i| self.callback_models.get(i))
                        .map(Vec::as_slice),
                )
            })
            .collect()
    }

    /// Writes the checkpoint to `path`, atomically: readers see the old file or the
    /// whole new one, never a part.
    pub fn save(&self, path: &Path) -> Result<(), CheckpointError> {
        self.save_with_space(path, None)
    }

    /// [`save`](Self::save) onto a disk with room for only `space` bytes, when
    /// given (tests fill the disk part-way through, as in real life).
    pub(crate) fn save_with_space(
        &self,
        path: &Path,
        space: Option<usize>,
    ) -> Result<(), CheckpointError> {
        let io_error = |problem: String| CheckpointError::Io {
            action: "write",
            path: path.to_path_buf(),
            problem,
        };
        let bytes = self.encode().map_err(io_error)?;
        kindling_data::atomic::write_atomically(path, |writer| match space {
            Some(space) if space < bytes.len() => {
                writer.write_all(&bytes[..space])?;
                writer.flush()?;
                Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device",
                ))
            }
            _ => writer.write_all(&bytes),
        })
        .map_err(|error| io_error(error.to_string()))
    }

    fn encode(&self) -> Result<Vec<u8>, String> {
        let state = serde_json::to_vec(&self.state).map_err(|e| e.to_string())?;
        let mut out =
            Vec::with_capacity(state.len() + self.model.len() + self.optimizer.len() * 2 + 64);
        out.extend_from_slice(MAGIC);
        let sections = 3 + self.callback_models.len();
        out.extend_from_slice(&(sections as u64).to_le_bytes());
        for section in [&state, &self.model, &self.optimizer]
            .into_iter()
            .chain(self.callback_models.iter())
        {
            out.extend_from_slice(&(section.len() as u64).to_le_bytes());
            out.extend_from_slice(section);
        }
        let digest = Md5::digest(&out);
        out.extend_from_slice(&digest);
        Ok(out)
    }

    /// Reads the checkpoint at `path`, checking its header, length and checksum.
    pub fn load(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(CheckpointError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(error) => {
                return Err(CheckpointError::Io {
                    action: "read",
                    path: path.to_path_buf(),
                    problem: error.to_string(),
                });
            }
        };
        Self::decode(&bytes, path)
    }

    fn decode(bytes: &[u8], path: &Path) -> Result<Checkpoint, CheckpointError> {
        let path_buf = || path.to_path_buf();
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(CheckpointError::NotACheckpoint { path: path_buf() });
        }
        let truncated = || CheckpointError::Truncated {
            path: path_buf(),
            found: bytes.len(),
        };
        let mut at = MAGIC.len();
        let read_u64 = |at: &mut usize| -> Result<u64, CheckpointError> {
            let end = at.checked_add(8).ok_or_else(truncated)?;
            let field = bytes.get(*at..end).ok_or_else(truncated)?;
            *at = end;
            Ok(u64::from_le_bytes(field.try_into().expect("8 bytes")))
        };
        let sections = read_u64(&mut at)?;
        let mut parts = Vec::new();
        for _ in 0..sections.min(1 << 16) {
            let len = usize::try_from(read_u64(&mut at)?).map_err(|_| truncated())?;
            let end = at.checked_add(len).ok_or_else(truncated)?;
            parts.push(bytes.get(at..end).ok_or_else(truncated)?);
            at = end;
        }
        let digest = bytes.get(at..at + DIGEST_LEN).ok_or_else(truncated)?;
        if Md5::digest(&bytes[..at]).as_slice() != digest || at + DIGEST_LEN != bytes.len() {
            return Err(CheckpointError::Corrupted { path: path_buf() });
        }
        if parts.len() < 3 {
            return Err(CheckpointError::Corrupted { path: path_buf() });
        }
        let state: State = serde_json::from_slice(parts[0])
            .map_err(|_| CheckpointError::Corrupted { path: path_buf() })?;
        if state.kindling_version != KINDLING_VERSION {
            return Err(CheckpointError::OtherVersion {
                path: path_buf(),
                found: state.kindling_version,
            });
        }
        Ok(Checkpoint {
            source: path.to_path_buf(),
            state,
            model: parts[1].to_vec(),
            optimizer: parts[2].to_vec(),
            callback_models: parts[3..].iter().map(|part| part.to_vec()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(epoch: usize) -> Checkpoint {
        let mut history = History::new();
        history.push_epoch([("loss", 0.1 + 0.2), ("lr", 1e-3)]);
        Checkpoint::new(
            epoch,
            0.1 + 0.2,
            &FitConfig::default(),
            &history,
            vec![1, 2, 3],
            vec![4, 5],
            vec![(
                "EarlyStopping".into(),
                serde_json::json!([1]),
                Some(vec![9; 7]),
            )],
        )
    }

    #[test]
    fn a_checkpoint_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CHECKPOINT_FILE);
        example(3).save(&path).unwrap();
        let read = Checkpoint::load(&path).unwrap();
        assert_eq!(read.epoch(), 3);
        assert_eq!(read.learning_rate().to_bits(), (0.1f64 + 0.2).to_bits());
        assert_eq!(
            read.history().get("loss").unwrap()[0].to_bits(),
            (0.1f64 + 0.2).to_bits()
        );
        assert_eq!(read.optimizer_bytes(), [4, 5]);
        let callbacks = read.callback_states();
        assert_eq!(callbacks[0].0, "EarlyStopping");
        assert_eq!(callbacks[0].2, Some(&[9u8; 7][..]));
        assert_eq!(read.source(), path);
    }

    #[test]
    fn a_full_disk_while_writing_leaves_the_previous_checkpoint_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CHECKPOINT_FILE);
        example(1).save(&path).unwrap();
        let before = std::fs::read(&path).unwrap();

        let error = example(2).save_with_space(&path, Some(20)).unwrap_err();
        assert!(
            error.to_string().contains("No space left") && error.to_string().contains("Fix:"),
            "{error}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(Checkpoint::load(&path).unwrap().epoch(), 1);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn another_release_is_refused_with_its_version() {
        let mut checkpoint = example(1);
        checkpoint.state.kindling_version = "0.0.1".into();
        let bytes = checkpoint.encode().unwrap();
        let error = Checkpoint::decode(&bytes, Path::new("run/checkpoint.kpt")).unwrap_err();
        assert!(matches!(error, CheckpointError::OtherVersion { .. }));
        assert!(error.to_string().contains("Kindling 0.0.1"), "{error}");
    }
}
