//! `cargo xtask bench`: throughput of `fit` against a bare Burn loop over the same
//! batches, peak memory of each, data-loading figures, and the time of a whole
//! `kindling evaluate` against bare prediction of the same 10,000 test images.
//!
//! Each measurement runs in its own child process so that its peak memory is its
//! own. Runs alternate (bare, fit, bare, fit, ...) so that a slow spell of the
//! machine hits both; the best run of each is reported.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use kindling::burn::nn::loss::CrossEntropyLoss;
use kindling::burn::optim::GradientsParams;
use kindling::burn::prelude::*;
use kindling::data::builtin::{self, Split};
use kindling::data::load_test_split;
use kindling::data::{ImageBatcher, Normalization, epoch_batches};
use kindling::evaluation::{EvaluateOptions, evaluate_run};
use kindling::models::{Classifier, ModelKind, init_seeded, save_model};
use kindling::train::{
    BURN_VERSION, FitConfig, ImageData, MODEL_FILE, RunConfig, Verbosity, fit, predict_set,
};

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Training images per epoch.
    #[arg(long, default_value_t = 2000)]
    images: usize,
    /// Measured epochs per run (after one warm-up epoch).
    #[arg(long, default_value_t = 2)]
    epochs: usize,
    /// Runs of each variant; the best is reported.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Images per batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Measure only `kindling evaluate` against bare prediction.
    #[arg(long)]
    evaluation_only: bool,
}

/// What a worker process measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
pub enum Variant {
    /// The loop written with Burn alone.
    Bare,
    /// `kindling_train::fit`.
    Fit,
    /// Generating the full built-in set.
    Generate,
    /// Loading 60,000 images from CIFAR-10 binary files.
    CifarLoad,
    /// A whole evaluation of a run folder on 10,000 CIFAR-shaped test images.
    Evaluate,
    /// Only predicting the same 10,000 images, already loaded.
    Predict,
}

#[derive(Debug, Serialize, Deserialize)]
struct Measurement {
    variant: Variant,
    images: usize,
    seconds: f64,
    peak_rss_mib: Option<f64>,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    if args.evaluation_only {
        return evaluation(args);
    }
    println!(
        "Training throughput: baseline CNN, {} images/epoch, batch {}, {} measured epoch(s) after a warm-up, best of {} runs, Flex CPU, dev profile (dependencies optimised)",
        args.images, args.batch_size, args.epochs, args.rounds
    );
    let mut bare: Vec<Measurement> = Vec::new();
    let mut fitted: Vec<Measurement> = Vec::new();
    for _ in 0..args.rounds {
        bare.push(spawn_worker(Variant::Bare, args, None)?);
        fitted.push(spawn_worker(Variant::Fit, args, None)?);
    }
    let best = |runs: &[Measurement]| {
        runs.iter()
            .map(|m| (m.images as f64 / m.seconds, m.peak_rss_mib))
            .fold(
                (0.0, None),
                |acc, run| if run.0 > acc.0 { run } else { acc },
            )
    };
    let (bare_rate, bare_rss) = best(&bare);
    let (fit_rate, fit_rss) = best(&fitted);
    println!("{:<24} {:>12} {:>14}", "loop", "images/s", "peak memory");
    println!(
        "{:<24} {:>12.1} {:>14}",
        "bare Burn loop",
        bare_rate,
        mib(bare_rss)
    );
    println!(
        "{:<24} {:>12.1} {:>14}",
        "kindling fit",
        fit_rate,
        mib(fit_rss)
    );
    println!(
        "fit / bare throughput ratio: {:.3} (fit costs {:.1}% over the bare loop)",
        fit_rate / bare_rate,
        (bare_rate / fit_rate - 1.0) * 100.0
    );

    println!();
    let generated = spawn_worker(Variant::Generate, args, None)?;
    println!(
        "Built-in set, all {} images generated in {:.2}s ({:.0} images/s), peak memory {}",
        generated.images,
        generated.seconds,
        generated.images as f64 / generated.seconds,
        mib(generated.peak_rss_mib)
    );
    let folder = tempfile::tempdir()?;
    write_cifar_shaped_folder(folder.path())?;
    let loaded = spawn_worker(Variant::CifarLoad, args, Some(folder.path()))?;
    println!(
        "CIFAR-10 loader, {} images from binary files in {:.2}s, peak memory {} (pixels alone: {:.1} MiB)",
        loaded.images,
        loaded.seconds,
        mib(loaded.peak_rss_mib),
        (loaded.images * kindling::data::IMAGE_BYTES) as f64 / (1024.0 * 1024.0)
    );
    println!();
    evaluation(args)
}

/// `kindling evaluate`'s whole job (loading CIFAR-10's 60,000 images, predicting the
/// 10,000 test images, metrics, interpretation, seven files) against bare prediction
/// of the same images, alternating, best of `rounds`.
fn evaluation(args: &BenchArgs) -> Result<()> {
    let folder = tempfile::tempdir()?;
    write_cifar_shaped_folder(folder.path())?;
    let mut whole: Vec<Measurement> = Vec::new();
    let mut bare: Vec<Measurement> = Vec::new();
    for _ in 0..args.rounds {
        whole.push(spawn_worker(Variant::Evaluate, args, Some(folder.path()))?);
        bare.push(spawn_worker(Variant::Predict, args, Some(folder.path()))?);
    }
    let best = |runs: &[Measurement]| {
        runs.iter()
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .map(|m| (m.seconds, m.images, m.peak_rss_mib))
            .unwrap_or((f64::NAN, 0, None))
    };
    let (whole_seconds, images, whole_rss) = best(&whole);
    let (bare_seconds, _, _) = best(&bare);
    println!(
        "kindling evaluate, baseline CNN (untrained: the time does not depend on the weights), {images} CIFAR-shaped test images, best of {} runs, Flex CPU, dev profile",
        args.rounds
    );
    println!(
        "  whole evaluation {whole_seconds:.2}s (peak memory {}), bare prediction {bare_seconds:.2}s; evaluate / bare prediction: {:.2}",
        mib(whole_rss),
        whole_seconds / bare_seconds
    );
    Ok(())
}

fn mib(value: Option<f64>) -> String {
    value.map_or("n/a".into(), |v| format!("{v:.0} MiB"))
}

fn spawn_worker(variant: Variant, args: &BenchArgs, folder: Option<&Path>) -> Result<Measurement> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args([
        "bench-worker",
        "--variant",
        variant.to_possible_value().unwrap().get_name(),
        "--images",
        &args.images.to_string(),
        "--epochs",
        &args.epochs.to_string(),
        "--batch-size",
        &args.batch_size.to_string(),
    ]);
    if let Some(folder) = folder {
        command.arg("--folder").arg(folder);
    }
    let output = command.output().context("starting a bench worker")?;
    if !output.status.success() {
        bail!(
            "the {variant:?} bench worker failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8(output.stdout)?;
    let line = text
        .lines()
        .last()
        .context("the bench worker printed nothing")?;
    Ok(serde_json::from_str(line)?)
}

#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    #[arg(long, value_enum)]
    variant: Variant,
    #[arg(long)]
    images: usize,
    #[arg(long)]
    epochs: usize,
    #[arg(long)]
    batch_size: usize,
    #[arg(long)]
    folder: Option<std::path::PathBuf>,
}

/// Runs one measurement and prints it as a JSON line.
pub fn worker(args: &WorkerArgs) -> Result<()> {
    let (images, seconds) = match args.variant {
        Variant::Bare | Variant::Fit => train_throughput(args)?,
        Variant::Generate => {
            let started = Instant::now();
            let train = builtin::generate(Split::Train, builtin::TRAIN_CAPACITY, 42)?;
            let test = builtin::generate(Split::Test, builtin::TEST_CAPACITY, 42)?;
            (train.len() + test.len(), started.elapsed().as_secs_f64())
        }
        Variant::CifarLoad => {
            let folder = args.folder.as_deref().context("--folder is needed")?;
            let started = Instant::now();
            let data = kindling::data::cifar::load(folder)?;
            (
                data.train.len() + data.test.len(),
                started.elapsed().as_secs_f64(),
            )
        }
        Variant::Evaluate | Variant::Predict => {
            let folder = args.folder.as_deref().context("--folder is needed")?;
            evaluation_time(args.variant, folder)?
        }
    };
    let measurement = Measurement {
        variant: args.variant,
        images,
        seconds,
        peak_rss_mib: peak_rss_mib(),
    };
    println!("{}", serde_json::to_string(&measurement)?);
    Ok(())
}

fn train_throughput(args: &WorkerArgs) -> Result<(usize, f64)> {
    let device = Device::flex();
    let set = builtin::generate(Split::Train, args.images, 42)?;
    let normalization = Normalization::fit(&set);
    let model = init_seeded(&device, 42, |d| ModelKind::BaselineCnn.init(10, d));
    let config = FitConfig::default()
        .with_batch_size(args.batch_size)
        .with_verbosity(Verbosity::Silent);
    let data = ImageData::new(&set, normalization);
    let measured = |epochs: usize, model| -> Result<_> {
        let started = Instant::now();
        let model = match args.variant {
            Variant::Fit => fit(model, &data, None, &config.clone().with_epochs(epochs))?.0,
            _ => bare_loop(model, &data.batcher, &set, &config, epochs),
        };
        Ok((model, started.elapsed().as_secs_f64()))
    };
    let (model, _) = measured(1, model)?;
    let (_, seconds) = measured(args.epochs, model)?;
    Ok((args.images * args.epochs, seconds))
}

/// The same training written with Burn alone: batches, forward, loss, backward,
/// step. No metrics, no history, no callbacks, no progress.
fn bare_loop<M: Classifier<4>>(
    model: M,
    batcher: &ImageBatcher,
    set: &kindling::data::ImageSet,
    config: &FitConfig,
    epochs: usize,
) -> M {
    let device = Device::flex().autodiff();
    let mut model = model.fork(&device).train();
    let mut optimizer = config.build_optimizer();
    let loss_fn = CrossEntropyLoss::new(None, &device);
    for epoch in 1..=epochs {
        for indices in epoch_batches(set.len(), config.batch_size, config.seed, epoch) {
            let batch = batcher.batch_of(set, &indices, &device);
            let loss = loss_fn.forward(model.forward(batch.images), batch.targets);
            let gradients = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(config.learning_rate, model, gradients);
        }
    }
    // Wait for the last step, as fit does when it reads the loss.
    let _ = device.sync();
    model.valid()
}

/// The process's peak resident memory (Linux: VmHWM in /proc/self/status).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Times a whole evaluation of a run folder holding an untrained baseline CNN, or
/// only the prediction of the same test images.
fn evaluation_time(variant: Variant, cifar: &Path) -> Result<(usize, f64)> {
    let device = Device::flex();
    let runs = tempfile::tempdir()?;
    let run = runs.path().join("run");
    std::fs::create_dir(&run)?;
    let dataset = format!("cifar10:{}", cifar.display());
    let model = init_seeded(&device, 42, |d| ModelKind::BaselineCnn.init(10, d));
    if variant == Variant::Predict {
        let test = load_test_split(&dataset.parse()?, None, 42)?.open();
        let started = Instant::now();
        let predictions = predict_set(&model, &test, Normalization::IDENTITY, &device);
        return Ok((predictions.len(), started.elapsed().as_secs_f64()));
    }
    save_model(&model, &run.join(MODEL_FILE))?;
    untrained_config(&dataset).save(&run)?;
    let started = Instant::now();
    let evaluation = evaluate_run(&run, &EvaluateOptions::default(), &device)?;
    Ok((
        evaluation.metrics.test_images,
        started.elapsed().as_secs_f64(),
    ))
}

fn untrained_config(dataset: &str) -> RunConfig {
    RunConfig {
        kindling_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        dataset: dataset.to_string(),
        model: ModelKind::BaselineCnn,
        device: "flex".into(),
        train_size: 1000,
        val_size: 100,
        class_names: builtin::CLASS_NAMES.iter().map(|n| n.to_string()).collect(),
        normalization: Normalization::IDENTITY,
        fit: FitConfig::default(),
    }
}

/// A CIFAR-10-shaped folder (5 x 10,000 training and 10,000 test images, in the
/// binary format) filled from the built-in set, for timing the loader offline.
fn write_cifar_shaped_folder(folder: &Path) -> Result<()> {
    let train = builtin::generate(Split::Train, builtin::TRAIN_CAPACITY, 1)?;
    let test = builtin::generate(Split::Test, builtin::TEST_CAPACITY, 1)?;
    kindling::data::cifar::write_folder(folder, &train, &test)?;
    Ok(())
}
