//! The model whose mistakes the stage studies: stage 6's, when its full run left
//! one in runs/stage06, or else the baseline CNN trained here exactly as stage 6
//! trains it; and the validation pile it is studied on. The test pile stays sealed.

use std::path::Path;

use anyhow::Result;
use kindling::burn::prelude::Device;
use kindling::data::{ImageSet, Normalization, SplitSizes, load_splits};
use kindling::models::{ImageModel, ModelKind, init_seeded};
use kindling::train::{FitConfig, ImageData, TrainedRun, fit};
use kindling_course::facts::stage06::{BATCH_SIZE, EPOCHS, LEARNING_RATE, sizes};
use kindling_course::{Profile, StageArgs};

/// Where stage 6's full run keeps its model.
pub const STAGE06_RUN: &str = "runs/stage06";

/// A trained model, how its inputs are prepared, and the validation pile.
pub struct Prepared {
    /// The trained network.
    pub model: ImageModel,
    /// The normalisation fitted on its training pile.
    pub normalization: Normalization,
    /// Class names, indexed by label.
    pub class_names: Vec<String>,
    /// The last epoch's validation accuracy, when known.
    pub validation_accuracy: Option<f64>,
    /// The validation pile: the images the mistakes are studied on.
    pub validation: ImageSet,
    /// Where the model came from, in words.
    pub origin: String,
}

// ANCHOR: prepare
/// Stage 6's model when the full run may reuse it, otherwise a fresh one.
pub fn prepare(args: &StageArgs, device: &Device) -> Result<Prepared> {
    let size = sizes(args.profile);
    let piles = SplitSizes {
        train: Some(size.train),
        validation: Some(size.validation),
        test: Some(size.test),
    };
    let splits = load_splits(&args.dataset, piles, args.seed)?;
    if args.profile == Profile::Full
        && let Some(run) = stage06_run(args, device)
    {
        return Ok(Prepared {
            model: run.model,
            normalization: run.config.normalization,
            class_names: run.config.class_names,
            validation_accuracy: kindling::evaluation::validation_accuracy(&run.dir),
            validation: splits.validation,
            origin: format!("the model of {}", run.dir.display()),
        });
    }
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
    Ok(Prepared {
        model,
        normalization,
        class_names,
        validation_accuracy: history
            .final_epoch()
            .and_then(|row| row.get("val_accuracy")),
        validation: splits.validation,
        origin: "a baseline CNN trained as in stage 6".into(),
    })
}
// ANCHOR_END: prepare

/// Stage 6's full run, when it is there and was made with the same data and seed.
fn stage06_run(args: &StageArgs, device: &Device) -> Option<TrainedRun> {
    let run = TrainedRun::load(Path::new(STAGE06_RUN), device).ok()?;
    let same = run.config.dataset == args.dataset.to_string() && run.config.fit.seed == args.seed;
    same.then_some(run)
}
