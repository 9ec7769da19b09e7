//! A finished run folder loaded back: its settings, and its weights in the model
//! they were trained in, ready to predict.

use std::path::{Path, PathBuf};

use burn::prelude::*;

use kindling_data::{ImageSet, Normalization};
use kindling_models::{Classifier, ImageModel, load_model};

use crate::data::ImageData;
use crate::evaluate::predict_proba;
use crate::run_config::{MODEL_FILE, RunConfig, RunConfigError};

/// A trained run: `config.json` and the weights of `model.bpk`, on a device.
#[derive(Debug)]
pub struct TrainedRun {
    /// The run folder.
    pub dir: PathBuf,
    /// Its settings, including the normalisation fitted on its training pile.
    pub config: RunConfig,
    /// The trained model.
    pub model: ImageModel,
}

/// A run folder whose model could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum TrainedRunError {
    /// `config.json` is missing or unreadable.
    #[error(transparent)]
    Config(#[from] RunConfigError),
    /// The folder has no `model.bpk`.
    #[error(
        "{} has no {MODEL_FILE}, so its training did not finish. Fix: train the run again with `kindling train`",
        dir.display()
    )]
    NoModel {
        /// The run folder.
        dir: PathBuf,
    },
    /// `model.bpk` does not hold the weights `config.json` describes.
    #[error(
        "{} does not hold the weights of the {model} with {classes} classes that {} describes: {problem}. Fix: the file is damaged or belongs to another run; train the run again with `kindling train`, or put back the config.json and model.bpk written together",
        path.display(),
        config.display()
    )]
    BadModel {
        /// The weights file.
        path: PathBuf,
        /// The settings file.
        config: PathBuf,
        /// The model `config.json` names.
        model: String,
        /// The class count `config.json` gives.
        classes: usize,
        /// What the loader said.
        problem: String,
    },
    /// The data has a different number of classes than the model predicts.
    #[error(
        "the model in {} was trained on {model_classes} classes but {dataset} has {data_classes}. Fix: evaluate on the data source the run was trained on ({trained_on}, the run's config.json)",
        dir.display()
    )]
    ClassCount {
        /// The run folder.
        dir: PathBuf,
        /// Classes the model predicts.
        model_classes: usize,
        /// The data source offered.
        dataset: String,
        /// Its classes.
        data_classes: usize,
        /// The data source in config.json.
        trained_on: String,
    },
}

/// Class probabilities and predicted classes for every image of a set.
#[derive(Debug, Clone, PartialEq)]
pub struct SetPredictions {
    /// True classes, in the set's order.
    pub y_true: Vec<usize>,
    /// Predicted classes: the most probable class of each row (the first on ties).
    pub y_pred: Vec<usize>,
    /// Softmax probabilities, row-major, `len() * n_classes` values, each the
    /// shortest decimal of the model's `f32` output (so `{}` prints it short and
    /// it parses back to the same value).
    pub probabilities: Vec<f64>,
    /// Number of classes (columns of `probabilities`).
    pub n_classes: usize,
}

impl SetPredictions {
    /// Number of images predicted.
    pub fn len(&self) -> usize {
        self.y_true.len()
    }

    /// True when no images were predicted.
    pub fn is_empty(&self) -> bool {
        self.y_true.is_empty()
    }

    /// The probabilities of image `index`, one per class.
    pub fn row(&self, index: usize) -> &[f64] {
        &self.probabilities[index * self.n_classes..(index + 1) * self.n_classes]
    }
}

impl TrainedRun {
    /// Loads `config.json` and `model.bpk` from a run folder onto `device`.
    pub fn load(dir: &Path, device: &Device) -> Result<TrainedRun, TrainedRunError> {
        let config = RunConfig::load(dir)?;
        let path = dir.join(MODEL_FILE);
        if !path.is_file() {
            return Err(TrainedRunError::NoModel {
                dir: dir.to_path_buf(),
            });
        }
        let classes = config.class_names.len();
        let blank = config
            .model
            .init_with(classes, &config.model_options, device);
        let model = load_model(blank, &path).map_err(|error| TrainedRunError::BadModel {
            path: path.clone(),
            config: RunConfig::path_in(dir),
            model: config.model.to_string(),
            classes,
            problem: match error {
                kindling_models::ModelFileError::Load { problem, .. }
                | kindling_models::ModelFileError::Save { problem, .. } => problem,
            },
        })?;
        Ok(TrainedRun {
            dir: dir.to_path_buf(),
            config,
            model,
        })
    }

    /// Number of classes the model predicts.
    pub fn classes(&self) -> usize {
        self.config.class_names.len()
    }

    /// Refuses data with another number of classes than the model was trained on.
    pub fn check_classes(
        &self,
        class_names: &[String],
        dataset: &str,
    ) -> Result<(), TrainedRunError> {
        if class_names.len() == self.classes() {
            return Ok(());
        }
        Err(TrainedRunError::ClassCount {
            dir: self.dir.clone(),
            model_classes: self.classes(),
            dataset: dataset.to_string(),
            data_classes: class_names.len(),
            trained_on: self.config.dataset.clone(),
        })
    }

    /// Predicts every image of `set`, normalised as the run's training pile was.
    pub fn predict(&self, set: &ImageSet, device: &Device) -> SetPredictions {
        predict_set(&self.model, set, self.config.normalization, device)
    }
}

/// Predicts every image of `set` with a model held in memory, normalising the
/// images with `normalization` (the statistics of the model's training pile).
pub fn predict_set<M: Classifier<4>>(
    model: &M,
    set: &ImageSet,
    normalization: Normalization,
    device: &Device,
) -> SetPredictions {
    let data = ImageData::new(set, normalization);
    let rows = predict_proba(model, &data, device);
    let n_classes = rows.first().map_or(set.num_classes(), Vec::len);
    let y_pred = rows.iter().map(|row| argmax(row)).collect();
    let probabilities = rows
        .iter()
        .flat_map(|row| row.iter().map(|&p| as_written(p)))
        .collect();
    SetPredictions {
        y_true: (0..set.len()).map(|i| set.label(i)).collect(),
        y_pred,
        probabilities,
        n_classes,
    }
}

/// A probability as the shortest decimal that reads back as the same `f32`
/// (`0.1`, not `0.10000000149011612`): a predictions file written from these
/// values reads back to exactly them, so metrics recomputed from it agree.
fn as_written(p: f32) -> f64 {
    p.to_string().parse().unwrap_or(f64::from(p))
}

/// The index of the largest value; the first one on ties.
fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (index, &value) in row.iter().enumerate().skip(1) {
        if value > row[best] {
            best = index;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FitConfig;
    use kindling_models::{ModelKind, init_seeded, save_model};

    fn device() -> Device {
        Device::flex()
    }

    fn saved_run(dir: &Path, classes: usize) -> RunConfig {
        let device = device();
        let model = init_seeded(&device, 3, |d| ModelKind::Linear.init(classes, d));
        save_model(&model, &dir.join(MODEL_FILE)).unwrap();
        let config = RunConfig {
            kindling_version: "0.1.0".into(),
            burn_version: crate::BURN_VERSION.into(),
            dataset: "builtin".into(),
            model: ModelKind::Linear,
            model_options: Default::default(),
            device: "flex".into(),
            train_size: 10,
            val_size: 10,
            class_names: (0..classes).map(|i| format!("c{i}")).collect(),
            normalization: Normalization::IDENTITY,
            fit: FitConfig::default(),
            patience: None,
            status: crate::RunStatus::Finished,
        };
        config.save(dir).unwrap();
        config
    }

    fn images(count: usize, classes: usize) -> ImageSet {
        let pixels = (0..count * kindling_data::IMAGE_BYTES)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let labels = (0..count).map(|i| (i % classes) as u8).collect();
        let names = (0..classes).map(|i| format!("c{i}")).collect();
        ImageSet::new(pixels, labels, names).unwrap()
    }

    #[test]
    fn a_loaded_run_predicts_what_the_saved_model_predicts() {
        let dir = tempfile::tempdir().unwrap();
        saved_run(dir.path(), 10);
        let run = TrainedRun::load(dir.path(), &device()).unwrap();
        let set = images(12, 10);
        let loaded = run.predict(&set, &device());
        let original = init_seeded(&device(), 3, |d| ModelKind::Linear.init(10, d));
        let fresh = predict_set(&original, &set, Normalization::IDENTITY, &device());
        assert_eq!(loaded, fresh);
        assert_eq!(loaded.len(), 12);
        assert_eq!(loaded.probabilities.len(), 120);
        for i in 0..loaded.len() {
            let row = loaded.row(i);
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-4);
            let best = row.iter().cloned().fold(f64::MIN, f64::max);
            assert_eq!(row[loaded.y_pred[i]], best);
        }
        assert_eq!(loaded.y_true[..3], [0, 1, 2]);
    }

    #[test]
    fn missing_damaged_and_mismatched_runs_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let message = TrainedRun::load(dir.path(), &device())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("config.json") && message.contains("Fix:"),
            "{message}"
        );

        saved_run(dir.path(), 10);
        let model = dir.path().join(MODEL_FILE);
        let bytes = std::fs::read(&model).unwrap();
        std::fs::write(&model, &bytes[..bytes.len() / 2]).unwrap();
        let message = TrainedRun::load(dir.path(), &device())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("model.bpk") && message.contains("Fix:"),
            "{message}"
        );

        std::fs::remove_file(&model).unwrap();
        let message = TrainedRun::load(dir.path(), &device())
            .unwrap_err()
            .to_string();
        assert!(message.contains("has no model.bpk"), "{message}");

        saved_run(dir.path(), 10);
        let run = TrainedRun::load(dir.path(), &device()).unwrap();
        let names: Vec<String> = (0..3).map(|i| i.to_string()).collect();
        let message = run
            .check_classes(&names, "folder:pets")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("10 classes") && message.contains("folder:pets has 3"),
            "{message}"
        );
    }

    #[test]
    fn weights_of_another_model_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = saved_run(dir.path(), 10);
        config.model = ModelKind::Mlp;
        config.save(dir.path()).unwrap();
        let message = TrainedRun::load(dir.path(), &device())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("model.bpk") && message.contains("mlp") && message.contains("Fix:"),
            "{message}"
        );
    }
}
