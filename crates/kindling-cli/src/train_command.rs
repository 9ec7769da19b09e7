//! `kindling train`: the main job, end to end.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kindling::charts::{accuracy_chart, loss_chart};
use kindling::choose_device;
use kindling::data::{Augmentation, DataSource, SplitSizes, load_splits};
use kindling::evaluation::WEIGHTS_EPOCH_CONTEXT;
use kindling::models::{ModelKind, init_seeded, save_model, summary};
use kindling::train::callbacks::EarlyStopping;
use kindling::train::{
    BURN_VERSION, CONFIG_FILE, Callback, FitConfig, GradClip, ImageData, MODEL_FILE, OptimizerKind,
    RunConfig, Verbosity, fit_with,
};

use crate::run_folder::StagedRun;

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    /// Images to train on: builtin (generated, offline), cifar10[:PATH], or folder:PATH.
    #[arg(long, default_value = "builtin")]
    dataset: String,
    /// Model: linear, mlp or baseline-cnn.
    #[arg(long, default_value = "baseline-cnn")]
    model: String,
    /// Passes over the training images.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Images per update.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 1e-3, allow_hyphen_values = true)]
    lr: f64,
    /// Update rule.
    #[arg(long, value_enum, default_value_t = Optimizer::Adam)]
    optimizer: Optimizer,
    /// Momentum for --optimizer sgd.
    #[arg(long, default_value_t = 0.9)]
    momentum: f64,
    /// Seed for the data split, the starting weights and the shuffling.
    #[arg(long, default_value_t = kindling::data::builtin::DEFAULT_SEED)]
    seed: u64,
    /// Training images (taken from the dataset's training split).
    #[arg(long, default_value_t = 5000)]
    train_size: usize,
    /// Validation images (also from the training split, kept apart from training).
    #[arg(long, default_value_t = 1000)]
    val_size: usize,
    /// flex (CPU, default), cuda or ndarray; or set KINDLING_DEVICE.
    #[arg(long)]
    device: Option<String>,
    /// Folder for the results (default: the next free runs/run-NNN).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out if it already holds a run.
    #[arg(long)]
    force: bool,
    /// Stop when val_loss has not improved for this many epochs (and keep the best weights).
    #[arg(long)]
    patience: Option<usize>,
    /// Clip gradients to this overall norm.
    #[arg(long)]
    clip_norm: Option<f32>,
    /// Print only the epoch rows (no model summary, no progress bar).
    #[arg(long)]
    quiet: bool,
    /// Augment the training images: a comma-separated list of flip, crop (4-pixel
    /// zero padding), crop-reflect, cutout; or none.
    #[arg(long, default_value = "none")]
    augment: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Optimizer {
    Adam,
    Sgd,
}

pub fn run(args: TrainArgs) -> Result<()> {
    let augmentation: Augmentation = args.augment.parse()?;
    let config = FitConfig::default()
        .with_augmentation((!augmentation.is_none()).then_some(augmentation))
        .with_epochs(args.epochs)
        .with_batch_size(args.batch_size)
        .with_learning_rate(args.lr)
        .with_seed(args.seed)
        .with_optimizer(match args.optimizer {
            Optimizer::Adam => OptimizerKind::Adam,
            Optimizer::Sgd => OptimizerKind::Sgd {
                momentum: args.momentum,
            },
        })
        .with_grad_clip(args.clip_norm.map(GradClip::Norm))
        .with_verbosity(if args.quiet {
            Verbosity::Epochs
        } else {
            Verbosity::Progress
        });
    // Refuse bad settings and a taken folder before loading anything.
    config.validate()?;
    let kind: ModelKind = args.model.parse()?;
    let source: DataSource = args.dataset.parse()?;
    let (device_choice, device) = choose_device(args.device.as_deref())?;
    let run = StagedRun::prepare(args.out.as_deref(), args.force)?;

    let sizes = SplitSizes {
        train: Some(args.train_size),
        validation: Some(args.val_size),
        test: Some(0),
    };
    let splits = load_splits(&source, sizes, args.seed)
        .with_context(|| format!("loading the {source} dataset"))?;
    let normalization = splits.normalization();
    let classes = splits.class_names().len();
    let model = init_seeded(&device, args.seed, |d| kind.init(classes, d));

    println!(
        "Training {kind} on {source}: {} training and {} validation images, {classes} classes, on {device_choice}, seed {}.",
        splits.train.len(),
        splits.validation.len(),
        args.seed
    );
    if let Some(augmentation) = &config.augmentation {
        println!("Augmenting the training images each epoch: {augmentation}.");
    }
    if !args.quiet {
        println!("{}", summary(&model, &device));
    }
    let train = ImageData::new(&splits.train, normalization);
    let valid = ImageData::new(&splits.validation, normalization);
    let mut stopper = args.patience.map(|patience| {
        EarlyStopping::new("val_loss")
            .with_patience(patience)
            .with_restore_best_weights(true)
    });
    let mut callbacks: Vec<&mut dyn Callback<_>> = Vec::new();
    if let Some(stopper) = stopper.as_mut() {
        callbacks.push(stopper);
    }
    let (model, mut history) = fit_with(model, &train, Some(&valid), &config, &mut callbacks)?;
    history.set_context("dataset", &source);
    history.set_context("model", kind);
    // The saved weights are the best epoch's, not the last one's: say so, so that
    // `kindling evaluate` compares the test score with the right validation score.
    if let Some((epoch, _)) = stopper.as_ref().and_then(EarlyStopping::best) {
        history.set_context(WEIGHTS_EPOCH_CONTEXT, epoch);
    }

    history.save_json(&run.file("history.json"))?;
    history.save_csv(&run.file("history.csv"))?;
    accuracy_chart(&history, run.file("accuracy.png"))?;
    loss_chart(&history, run.file("loss.png"), false)?;
    save_model(&model, &run.file(MODEL_FILE))?;
    let run_config = RunConfig {
        kindling_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        dataset: source.to_string(),
        model: kind,
        device: device_choice.to_string(),
        train_size: splits.train.len(),
        val_size: splits.validation.len(),
        class_names: splits.class_names().to_vec(),
        normalization,
        fit: config,
    };
    run_config.save(run.dir())?;
    let folder = run.commit()?;

    if let Some(last) = history.final_epoch() {
        let value = |key: &str| last.get(key).map_or("-".into(), |v| format!("{v:.4}"));
        println!(
            "Final epoch: loss {} - accuracy {} - val_loss {} - val_accuracy {}",
            value("loss"),
            value("accuracy"),
            value("val_loss"),
            value("val_accuracy")
        );
    }
    if let Some(best) = history.best("val_accuracy") {
        println!(
            "Best val_accuracy {:.4} at epoch {}.",
            best.value, best.epoch
        );
    }
    println!("Saved the run to {}:", folder.display());
    for (file, what) in [
        ("history.json", "per-epoch metrics (also history.csv)"),
        ("accuracy.png", "accuracy chart, training vs validation"),
        ("loss.png", "loss chart, training vs validation"),
        (MODEL_FILE, "the trained weights"),
        (
            CONFIG_FILE,
            "every setting, to repeat the run or load the model",
        ),
    ] {
        println!("  {:<40} {what}", folder.join(file).display());
    }
    Ok(())
}
