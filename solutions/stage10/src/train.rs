//! Training one run of the baseline CNN with given settings, and saving it as a
//! run folder (weights, settings, history) that `kindling` commands can read.

use std::path::Path;

use anyhow::Result;
use kindling::burn::prelude::Device;
use kindling::data::{Augmentation, ImageSet, Normalization};
use kindling::models::{ImageModel, ModelKind, init_seeded, save_model};
use kindling::train::{BURN_VERSION, FitConfig, History, ImageData, MODEL_FILE, RunConfig, fit};
use kindling_course::facts::stage08::{BATCH_SIZE, LEARNING_RATE};
use kindling_course::facts::stage10::STAGE08_RUNS;
use kindling_course::{Profile, StageArgs};

/// What one run is trained with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// What happens to each training image each epoch.
    pub augmentation: Augmentation,
    /// Passes over the training images.
    pub epochs: usize,
    /// Seed of the weights, the shuffles and the augmentation.
    pub seed: u64,
}

impl Settings {
    /// Stage 5's settings: Adam at 0.001, no augmentation.
    pub fn baseline(epochs: usize, seed: u64) -> Self {
        Settings {
            learning_rate: LEARNING_RATE,
            augmentation: Augmentation::none(),
            epochs,
            seed,
        }
    }

    /// The fit settings these stand for.
    pub fn fit_config(&self) -> FitConfig {
        FitConfig::default()
            .with_epochs(self.epochs)
            .with_batch_size(BATCH_SIZE)
            .with_learning_rate(self.learning_rate)
            .with_seed(self.seed)
            .with_augmentation(Some(self.augmentation))
    }
}

/// A trained model and its history.
pub struct Run {
    /// The trained network.
    pub model: ImageModel,
    /// One row per epoch.
    pub history: History,
    /// The settings it was trained with.
    pub settings: Settings,
}

// ANCHOR: train
/// Trains a fresh baseline CNN on `train`, watching `validation` after each epoch.
/// Both piles are normalised with `normalization`, fitted on training images only.
pub fn train(
    train: &ImageSet,
    validation: &ImageSet,
    normalization: Normalization,
    settings: Settings,
    device: &Device,
) -> Result<Run> {
    let train_data = ImageData::new(train, normalization);
    let validation_data = ImageData::new(validation, normalization);
    let model = init_seeded(device, settings.seed, |device| {
        ModelKind::BaselineCnn.init(train.num_classes(), device)
    });
    // Only the training batches are augmented: fit measures validation as it is.
    let (model, history) = fit(
        model,
        &train_data,
        Some(&validation_data),
        &settings.fit_config(),
    )?;
    Ok(Run {
        model,
        history,
        settings,
    })
}
// ANCHOR_END: train

/// Saves the weights, the settings and the history into `dir`: a run folder.
pub fn save(
    run: &Run,
    dir: &Path,
    dataset: &str,
    device: &str,
    sizes: (usize, usize),
    class_names: &[String],
    normalization: Normalization,
) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    save_model(&run.model, &dir.join(MODEL_FILE))?;
    run.history.save_json(&dir.join("history.json"))?;
    RunConfig {
        kindling_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        dataset: dataset.into(),
        model: ModelKind::BaselineCnn,
        model_options: Default::default(),
        device: device.into(),
        train_size: sizes.0,
        val_size: sizes.1,
        class_names: class_names.to_vec(),
        normalization,
        fit: run.settings.fit_config(),
        patience: None,
        status: kindling::train::RunStatus::Finished,
    }
    .save(dir)?;
    Ok(())
}

/// In a full run, copies stage 8's run `folder` into `dir` when stage 8's full
/// run left it for the same data, seed and settings: the same run, not trained
/// twice. Returns whether it did. A check run always trains its own.
pub fn reuse_stage08(
    args: &StageArgs,
    folder: &str,
    settings: &Settings,
    dir: &Path,
) -> Result<bool> {
    if args.profile != Profile::Full {
        return Ok(false);
    }
    let source = Path::new(STAGE08_RUNS).join(folder);
    let Ok(config) = RunConfig::load(&source) else {
        return Ok(false);
    };
    let expected = settings.fit_config();
    let same = config.dataset == args.dataset.to_string()
        && config.fit.seed == expected.seed
        && config.fit.epochs == expected.epochs
        && config.fit.learning_rate == expected.learning_rate
        && config.fit.batch_size == expected.batch_size
        && config.fit.augmentation.unwrap_or_default() == settings.augmentation
        && config.status == kindling::train::RunStatus::Finished;
    if !same {
        return Ok(false);
    }
    std::fs::create_dir_all(dir)?;
    for file in [MODEL_FILE, "history.json", "config.json"] {
        let bytes = std::fs::read(source.join(file))?;
        kindling::data::atomic::write_bytes_atomically(&dir.join(file), &bytes)?;
    }
    Ok(true)
}
