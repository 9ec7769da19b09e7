//! `kindling train`: the main job, end to end.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use kindling::charts::{accuracy_chart, loss_chart};
use kindling::choose_device;
use kindling::data::{Augmentation, DataSource, Normalization, SplitSizes, Splits, load_splits};
use kindling::evaluation::WEIGHTS_EPOCH_CONTEXT;
use kindling::models::{Classifier, ModelKind, ModelOptions, init_seeded, save_model, summary};
use kindling::train::callbacks::EarlyStopping;
use kindling::train::{
    BURN_VERSION, CHECKPOINT_FILE, CONFIG_FILE, Callback, Checkpoint, FitConfig, GradClip,
    ImageData, Interrupt, MODEL_FILE, OptimizerKind, RunConfig, RunStatus, ScheduleName, Verbosity,
    fit_with, resume_with,
};

use crate::run_folder::StagedRun;

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    /// Images to train on: builtin (generated, offline), cifar10[:PATH], or folder:PATH.
    #[arg(long, default_value = "builtin")]
    dataset: String,
    /// Model: linear, mlp, baseline-cnn or bn-cnn (batch normalisation; batches of 2 or more).
    #[arg(long, default_value = "baseline-cnn")]
    model: String,
    /// Passes over the training images [default: 10; with --resume: the run's own,
    /// or more to train on].
    #[arg(long)]
    epochs: Option<usize>,
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
    /// Go on with an interrupted (or finished) run from its last checkpoint, with
    /// its own settings; only --epochs, --device and --quiet may be given.
    #[arg(long, value_name = "RUN_DIR", conflicts_with_all = [
        "dataset", "model", "batch_size", "lr", "optimizer", "momentum", "seed",
        "train_size", "val_size", "out", "force", "patience", "clip_norm", "augment",
        "dropout", "weight_decay", "label_smoothing", "schedule", "warmup",
    ])]
    resume: Option<PathBuf>,
    /// Augment the training images: a comma-separated list of flip, crop (4-pixel
    /// zero padding), crop-reflect, cutout; or none.
    #[arg(long, default_value = "none")]
    augment: String,
    /// Dropout while training, from 0 (none) to below 1.
    #[arg(long, default_value_t = 0.0)]
    dropout: f64,
    /// Decoupled weight decay (AdamW; with SGD, an L2 penalty), 0 for none.
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f64,
    /// Label smoothing of the training loss, 0 for none.
    #[arg(long, default_value_t = 0.0)]
    label_smoothing: f64,
    /// Learning rate over the run: constant, cosine or one-cycle (a warm-up, then a
    /// decay to zero at the last batch, every batch).
    #[arg(long, default_value = "constant")]
    schedule: String,
    /// Epochs of warm-up before the decay of --schedule cosine or one-cycle.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Optimizer {
    Adam,
    Sgd,
}

/// How `kindling train` ended, for the exit code.
pub enum Outcome {
    /// Every epoch trained (or early stopping ended it).
    Finished,
    /// Ctrl-C stopped it; the finished epochs were saved.
    Interrupted,
}

/// Epochs trained when `--epochs` is not given.
const DEFAULT_EPOCHS: usize = 10;

pub fn run(args: TrainArgs) -> Result<Outcome> {
    match args.resume.clone() {
        Some(dir) => resume(args, &dir),
        None => start(args),
    }
}

/// A new run.
fn start(args: TrainArgs) -> Result<Outcome> {
    let augmentation: Augmentation = args.augment.parse()?;
    let schedule: ScheduleName = args.schedule.parse()?;
    let config = FitConfig::default()
        .with_augmentation((!augmentation.is_none()).then_some(augmentation))
        .with_epochs(args.epochs.unwrap_or(DEFAULT_EPOCHS))
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
        .with_weight_decay(args.weight_decay)
        .with_label_smoothing(args.label_smoothing)
        .with_schedule(schedule.with_warmup(args.warmup))
        .with_verbosity(verbosity(args.quiet));
    // Refuse bad settings and a taken folder before loading anything.
    config.validate()?;
    let kind: ModelKind = args.model.parse()?;
    let model_options = ModelOptions {
        dropout: args.dropout,
    };
    model_options.check(kind).map_err(anyhow::Error::msg)?;
    kind.check_batches(args.train_size, args.batch_size)
        .map_err(anyhow::Error::msg)?;
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
    // The data may hold fewer images than asked for.
    kind.check_batches(splits.train.len(), args.batch_size)
        .map_err(anyhow::Error::msg)?;
    let normalization = splits.normalization();
    let run_config = RunConfig {
        kindling_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        dataset: source.to_string(),
        model: kind,
        model_options,
        device: device_choice.to_string(),
        train_size: splits.train.len(),
        val_size: splits.validation.len(),
        class_names: splits.class_names().to_vec(),
        normalization,
        fit: config,
        patience: args.patience,
        status: RunStatus::Running,
    };
    let model = init_seeded(&device, args.seed, |d| {
        kind.init_with(run_config.class_names.len(), &model_options, d)
    });
    println!(
        "Training {kind} on {source}: {} training and {} validation images, {} classes, on {device_choice}, seed {}.",
        splits.train.len(),
        splits.validation.len(),
        run_config.class_names.len(),
        args.seed
    );
    if let Some(augmentation) = &run_config.fit.augmentation {
        println!("Augmenting the training images each epoch: {augmentation}.");
    }
    for line in regularisation_lines(&run_config) {
        println!("{line}");
    }
    if !args.quiet {
        println!("{}", summary(&model, &device));
    }
    train_into(run, run_config, &splits, model, None)
}

/// `--resume RUN_DIR`: the run's own settings, from its last checkpoint.
fn resume(args: TrainArgs, dir: &Path) -> Result<Outcome> {
    let mut run_config = RunConfig::load(dir)?;
    let config_path = RunConfig::path_in(dir);
    let ours = env!("CARGO_PKG_VERSION");
    if run_config.kindling_version != ours {
        bail!(
            "{} was written by Kindling {}, this is Kindling {ours}: the run would not continue exactly. Fix: resume it with Kindling {}, or start a new run",
            config_path.display(),
            run_config.kindling_version,
            run_config.kindling_version
        );
    }
    let checkpoint_path = Checkpoint::path_in(dir);
    let checkpoint = Checkpoint::load(&checkpoint_path)?;
    if let Some((setting, in_config, in_checkpoint)) =
        run_config.fit.differs_from(checkpoint.fit_config())
    {
        bail!(
            "{} says {setting} = {in_config} but {} was trained with {in_checkpoint}: the files come from different runs. Fix: put back the run's own config.json, or start a new run",
            config_path.display(),
            checkpoint_path.display()
        );
    }
    let done = checkpoint.epoch();
    let epochs = args.epochs.unwrap_or(run_config.fit.epochs);
    if epochs <= done {
        bail!(
            "{} has already trained {done} epoch(s), so --epochs {epochs} leaves nothing to do. Fix: pass --epochs with more than {done} epochs in all, such as --epochs {}",
            dir.display(),
            done + 10
        );
    }
    let source: DataSource = run_config.dataset.parse()?;
    let device_name = args
        .device
        .clone()
        .unwrap_or_else(|| run_config.device.clone());
    let (device_choice, device) = choose_device(Some(&device_name))?;
    let sizes = SplitSizes {
        train: Some(run_config.train_size),
        validation: Some(run_config.val_size),
        test: Some(0),
    };
    let splits = load_splits(&source, sizes, run_config.fit.seed)
        .with_context(|| format!("loading the {source} dataset"))?;
    if !same_statistics(&splits.normalization(), &run_config.normalization)
        || splits.class_names() != run_config.class_names.as_slice()
    {
        bail!(
            "the {source} dataset is not the one {} was trained on (its classes or pixel statistics differ). Fix: resume with the same data, or start a new run",
            dir.display()
        );
    }
    run_config.fit = run_config
        .fit
        .clone()
        .with_epochs(epochs)
        .with_verbosity(verbosity(args.quiet));
    run_config.device = device_choice.to_string();
    run_config.status = RunStatus::Running;
    let kind = run_config.model;
    println!(
        "Resuming {} after epoch {done} of {epochs}: {kind} on {source}, on {device_choice}.",
        dir.display()
    );
    // The run is rewritten beside itself and swapped in at the end; until then the
    // folder and its checkpoint stay as they are.
    let run = StagedRun::prepare(Some(dir), true)?;
    let model = init_seeded(&device, run_config.fit.seed, |d| {
        kind.init_with(run_config.class_names.len(), &run_config.model_options, d)
    });
    train_into(run, run_config, &splits, model, Some(&checkpoint))
}

/// One line for each setting beyond the plain recipe, so the printout says how the run
/// differs from the default.
fn regularisation_lines(run_config: &RunConfig) -> Vec<String> {
    let fit = &run_config.fit;
    let mut lines = Vec::new();
    if run_config.model_options.dropout > 0.0 {
        lines.push(format!(
            "Dropout {} while training.",
            run_config.model_options.dropout
        ));
    }
    if fit.weight_decay > 0.0 {
        lines.push(format!("Weight decay {} (decoupled).", fit.weight_decay));
    }
    if fit.label_smoothing > 0.0 {
        lines.push(format!("Label smoothing {}.", fit.label_smoothing));
    }
    if let Some(schedule) = &fit.schedule {
        lines.push(format!(
            "Learning rate: {schedule}, peaking at {}.",
            fit.learning_rate
        ));
    }
    lines
}

/// The same pixel statistics, up to the rounding of config.json's text.
fn same_statistics(a: &Normalization, b: &Normalization) -> bool {
    let close = |x: f32, y: f32| (x - y).abs() <= 1e-6 * x.abs().max(1.0);
    a.mean.iter().zip(b.mean).all(|(x, y)| close(*x, y))
        && a.std.iter().zip(b.std).all(|(x, y)| close(*x, y))
}

fn verbosity(quiet: bool) -> Verbosity {
    if quiet {
        Verbosity::Epochs
    } else {
        Verbosity::Progress
    }
}

/// Trains (or resumes) into the staged folder and writes the run.
fn train_into<M: Classifier<4>>(
    run: StagedRun,
    mut run_config: RunConfig,
    splits: &Splits,
    model: M,
    resume: Option<&Checkpoint>,
) -> Result<Outcome> {
    // Ctrl-C once: stop after this batch and save; twice: quit, leaving nothing.
    let interrupt = Interrupt::ctrl_c()?;
    interrupt.remove_on_force_quit(run.dir());
    // A killed run leaves this folder with config.json and its last checkpoint,
    // which `--resume` continues.
    run_config.save(run.dir())?;
    let config = run_config
        .fit
        .clone()
        .with_interrupt(Some(interrupt.clone()))
        .with_checkpoint(Some(run.file(CHECKPOINT_FILE)));
    // Recomputed from the pixels, not read back from JSON text: the exact numbers.
    let normalization = splits.normalization();
    let train = ImageData::new(&splits.train, normalization);
    let valid = ImageData::new(&splits.validation, normalization);
    let mut stopper = run_config.patience.map(|patience| {
        EarlyStopping::new("val_loss")
            .with_patience(patience)
            .with_restore_best_weights(true)
    });
    let mut callbacks: Vec<&mut dyn Callback<_>> = Vec::new();
    if let Some(stopper) = stopper.as_mut() {
        callbacks.push(stopper);
    }
    let (model, mut history) = match resume {
        None => fit_with(model, &train, Some(&valid), &config, &mut callbacks)?,
        Some(checkpoint) => resume_with(
            model,
            &train,
            Some(&valid),
            &config,
            &mut callbacks,
            checkpoint,
        )?,
    };
    if history.is_empty() {
        bail!(
            "interrupted before the first epoch finished: there is nothing to save, and nothing was written. Fix: let at least one epoch finish before pressing Ctrl-C"
        );
    }
    let source = &run_config.dataset;
    history.set_context("dataset", source);
    history.set_context("model", run_config.model);
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
    let interrupted = history.interrupted();
    run_config.status = if interrupted {
        RunStatus::Interrupted
    } else {
        RunStatus::Finished
    };
    run_config.save(run.dir())?;
    let staging = run.dir().to_path_buf();
    let folder = run.commit()?;
    interrupt.keep_on_force_quit(&staging);

    if let Some(last) = history.final_epoch() {
        let value = |key: &str| last.get(key).map_or("-".into(), |v| format!("{v:.4}"));
        println!(
            "{} epoch: loss {} - accuracy {} - val_loss {} - val_accuracy {}",
            if interrupted {
                "Last finished"
            } else {
                "Final"
            },
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
        (
            CHECKPOINT_FILE,
            "the last epoch's full state, to resume with --resume",
        ),
    ] {
        println!("  {:<40} {what}", folder.join(file).display());
    }
    if interrupted {
        println!(
            "Interrupted after {} of {} epochs (status \"interrupted\" in {CONFIG_FILE}). Resume with: kindling train --resume {}",
            history.epochs(),
            run_config.fit.epochs,
            folder.display()
        );
        return Ok(Outcome::Interrupted);
    }
    Ok(Outcome::Finished)
}
