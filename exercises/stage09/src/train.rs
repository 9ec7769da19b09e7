//! The training part: the baseline CNN trained as in stage 5 and saved as a run
//! folder, so that another program can load it.

use std::path::Path;

use anyhow::Result;
use kindling::burn::prelude::Device;
use kindling::data::{ImageSet, Normalization, SplitSizes, load_splits};
use kindling::models::{ImageModel, ModelKind, init_seeded, save_model};
use kindling::train::{BURN_VERSION, FitConfig, History, ImageData, MODEL_FILE, RunConfig, fit};
use kindling_course::StageArgs;
use kindling_course::facts::stage06::{BATCH_SIZE, LEARNING_RATE};
use kindling_course::facts::stage09::{EPOCHS, sizes};

/// The trained model, with what a program needs to use it.
pub struct Trained {
    /// The trained network.
    pub model: ImageModel,
    /// Its history.
    pub history: History,
    /// The training pile's normalisation: every image it sees must get the same.
    pub normalization: Normalization,
    /// The validation pile, where the reference images come from.
    pub validation: ImageSet,
    /// The fit settings.
    pub config: FitConfig,
}

/// Trains the baseline CNN for 10 epochs on stage 6's piles.
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
    let model = init_seeded(device, args.seed, |device| {
        ModelKind::BaselineCnn.init(splits.class_names().len(), device)
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
        validation: splits.validation,
        config,
    })
}

// ANCHOR: save
/// Saves what a separate program needs: the weights (model.bpk) and the
/// settings with the normalisation and the class names (config.json).
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
        class_names: trained.validation.class_names().to_vec(),
        normalization: trained.normalization,
        fit: trained.config.clone(),
        patience: None,
        status: kindling::train::RunStatus::Finished,
    }
    .save(out)?;
    Ok(())
}
// ANCHOR_END: save
