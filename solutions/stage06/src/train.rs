//! Training the baseline CNN as stage 5 does, this time keeping the model: its
//! weights and settings are saved, so the folder is a run that `kindling
//! evaluate` can read too.

use std::path::Path;

use anyhow::Result;
use kindling::burn::prelude::Device;
use kindling::data::{Normalization, SealedTestSet, SplitSizes, load_splits};
use kindling::models::{ImageModel, ModelKind, init_seeded, save_model};
use kindling::train::{BURN_VERSION, FitConfig, History, ImageData, MODEL_FILE, RunConfig, fit};
use kindling_course::StageArgs;
use kindling_course::facts::stage06::{BATCH_SIZE, EPOCHS, LEARNING_RATE, sizes};

/// A trained model with what it was trained on, and the test pile, still sealed.
pub struct Trained {
    /// The trained network.
    pub model: ImageModel,
    /// Its history, one row per epoch.
    pub history: History,
    /// The normalisation fitted on the training pile: test images get the same.
    pub normalization: Normalization,
    /// Class names, indexed by label.
    pub class_names: Vec<String>,
    /// The test pile, not looked at yet.
    pub test: SealedTestSet,
}

// ANCHOR: train
/// Trains the baseline CNN for 10 epochs, as in stage 5, and keeps the test pile sealed.
pub fn train_baseline(args: &StageArgs, device: &Device) -> Result<Trained> {
    let size = sizes(args.profile);
    let piles = SplitSizes {
        train: Some(size.train),
        validation: Some(size.validation),
        test: Some(size.test),
    };
    let splits = load_splits(&args.dataset, piles, args.seed)?;
    let normalization = splits.normalization();
    let train = ImageData::new(&splits.train, normalization);
    let valid = ImageData::new(&splits.validation, normalization);
    let class_names = splits.class_names().to_vec();
    let model = init_seeded(device, args.seed, |device| {
        ModelKind::BaselineCnn.init(class_names.len(), device)
    });
    let config = FitConfig::default()
        .with_epochs(EPOCHS)
        .with_batch_size(BATCH_SIZE)
        .with_learning_rate(LEARNING_RATE)
        .with_seed(args.seed);
    let (model, history) = fit(model, &train, Some(&valid), &config)?;
    Ok(Trained {
        model,
        history,
        normalization,
        class_names,
        test: splits.test,
    })
}
// ANCHOR_END: train

/// Saves the weights, the settings and the history: the folder becomes a run.
pub fn save_run(trained: &Trained, args: &StageArgs, device: &str, out: &Path) -> Result<()> {
    let size = sizes(args.profile);
    save_model(&trained.model, &out.join(MODEL_FILE))?;
    trained.history.save_json(&out.join("history.json"))?;
    RunConfig {
        kindling_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        dataset: args.dataset.to_string(),
        model: ModelKind::BaselineCnn,
        model_options: Default::default(),
        device: device.into(),
        train_size: size.train,
        val_size: size.validation,
        class_names: trained.class_names.clone(),
        normalization: trained.normalization,
        fit: FitConfig::default()
            .with_epochs(EPOCHS)
            .with_batch_size(BATCH_SIZE)
            .with_learning_rate(LEARNING_RATE)
            .with_seed(args.seed),
        patience: None,
        status: kindling::train::RunStatus::Finished,
    }
    .save(out)?;
    Ok(())
}
