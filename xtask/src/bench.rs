//! `cargo xtask bench`: throughput of `fit` against a bare Burn loop over the same
//! batches, peak memory of each, and data-loading figures.
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
use kindling::data::{Augmentation, Cutout, ImageBatcher, Normalization, epoch_batches};
use kindling::models::{Classifier, ModelKind, init_seeded};
use kindling::train::{FitConfig, ImageData, Verbosity, fit};

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
}

/// What a worker process measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
pub enum Variant {
    /// The loop written with Burn alone.
    Bare,
    /// `kindling_train::fit`.
    Fit,
    /// `fit` with the training images augmented (flip and padded crop).
    FitAugmented,
    /// Generating the full built-in set.
    Generate,
    /// Loading 60,000 images from CIFAR-10 binary files.
    CifarLoad,
}

#[derive(Debug, Serialize, Deserialize)]
struct Measurement {
    variant: Variant,
    images: usize,
    seconds: f64,
    peak_rss_mib: Option<f64>,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    println!(
        "Training throughput: baseline CNN, {} images/epoch, batch {}, {} measured epoch(s) after a warm-up, best of {} runs, Flex CPU, dev profile (dependencies optimised)",
        args.images, args.batch_size, args.epochs, args.rounds
    );
    let mut bare: Vec<Measurement> = Vec::new();
    let mut fitted: Vec<Measurement> = Vec::new();
    let mut augmented: Vec<Measurement> = Vec::new();
    for _ in 0..args.rounds {
        bare.push(spawn_worker(Variant::Bare, args, None)?);
        fitted.push(spawn_worker(Variant::Fit, args, None)?);
        augmented.push(spawn_worker(Variant::FitAugmented, args, None)?);
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
    let (augmented_rate, augmented_rss) = best(&augmented);
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
        "{:<24} {:>12.1} {:>14}",
        "fit, --augment flip,crop",
        augmented_rate,
        mib(augmented_rss)
    );
    println!(
        "fit / bare throughput ratio: {:.3} (fit costs {:.1}% over the bare loop)",
        fit_rate / bare_rate,
        (bare_rate / fit_rate - 1.0) * 100.0
    );
    println!(
        "augmented / plain fit throughput ratio: {:.3} (the goal is at least 0.9)",
        augmented_rate / fit_rate
    );
    let (count, seconds) = augmentation_alone();
    println!(
        "Augmentation alone (flip, crop, cutout): {count} images in {seconds:.3}s ({:.0} images/s, one thread)",
        count as f64 / seconds
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
        Variant::Bare | Variant::Fit | Variant::FitAugmented => train_throughput(args)?,
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
            Variant::FitAugmented => {
                let augmented = config
                    .clone()
                    .with_epochs(epochs)
                    .with_augmentation(Some(Augmentation::flip_and_crop()));
                fit(model, &data, None, &augmented)?.0
            }
            _ => bare_loop(model, &data.batcher, &set, &config, epochs),
        };
        Ok((model, started.elapsed().as_secs_f64()))
    };
    let (model, _) = measured(1, model)?;
    let (_, seconds) = measured(args.epochs, model)?;
    Ok((args.images * args.epochs, seconds))
}

/// Times the augmentation of 50,000 images with every change on, alone.
fn augmentation_alone() -> (usize, f64) {
    let count = 50_000;
    let augmentation = Augmentation::flip_and_crop().with_cutout(Some(Cutout {
        size: kindling::data::augment::DEFAULT_CUTOUT_SIZE,
    }));
    let mut planes: Vec<u8> = (0..kindling::data::IMAGE_BYTES).map(|i| i as u8).collect();
    let started = Instant::now();
    for index in 0..count {
        augmentation.apply(&mut planes, 42, 1, index);
    }
    let seconds = started.elapsed().as_secs_f64();
    std::hint::black_box(&planes);
    (count, seconds)
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

/// A CIFAR-10-shaped folder (5 x 10,000 training and 10,000 test images, in the
/// binary format) filled from the built-in set, for timing the loader offline.
fn write_cifar_shaped_folder(folder: &Path) -> Result<()> {
    let train = builtin::generate(Split::Train, builtin::TRAIN_CAPACITY, 1)?;
    let test = builtin::generate(Split::Test, builtin::TEST_CAPACITY, 1)?;
    kindling::data::cifar::write_folder(folder, &train, &test)?;
    Ok(())
}
