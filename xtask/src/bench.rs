//! `cargo xtask bench`: throughput of `fit` against a bare Burn loop over the same
//! batches and against the system allocator, peak memory of each, and
//! data-loading figures; `--vs-pytorch`, the same model trained by PyTorch;
//! `--full-size`, one epoch of 50,000 images; and `--evaluation-only`, the time
//! of a whole `kindling evaluate` against bare prediction of 10,000 test images;
//! `--conv`, Kindling's convolution kernels against Burn's, layer by layer;
//! `--real PATH --vs-pytorch`, the README's recipes on a real photo tree, by the
//! `kindling` program and by PyTorch on the same images (`real.rs`).
//!
//! Each measurement runs in its own child process so that its peak memory is its
//! own. Runs alternate (bare, fit, bare, fit, ...) so that a slow spell of the
//! machine hits both; ratios are the median of the pairs' ratios, and the best
//! run of each is shown beside them.

mod conv_layers;
pub mod real;

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
use kindling::data::{Augmentation, Cutout, ImageBatcher, Normalization, epoch_batches};
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
    /// Measured epochs per run (after one warm-up epoch) [default: 2]; with --real,
    /// the epochs of each recipe [default: the recipe's own, 10 baseline, 8 bn-cnn].
    #[arg(long)]
    epochs: Option<usize>,
    /// Runs of each variant; the best is reported.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Images per batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Measure only `kindling evaluate` against bare prediction.
    #[arg(long)]
    evaluation_only: bool,
    /// Compare with PyTorch on the CPU (needs python3 with torch, or the Python
    /// that KINDLING_PYTHON names): the same model, batch and optimizer at 1 and 2
    /// threads, batches of 32 and 64; with --real, the README's recipes.
    #[arg(long)]
    vs_pytorch: bool,
    /// Train the README's recipes on a real photo tree PATH/train/CLASS/*.jpg and
    /// PATH/test/CLASS/*.jpg (such as CIFAR-10 as JPEG files) with the kindling
    /// program and with PyTorch, on the same images; needs --vs-pytorch.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["evaluation_only", "conv", "full_size", "images", "rounds", "batch_size"])]
    real: Option<std::path::PathBuf>,
    /// With --real: which recipe to run.
    #[arg(long, value_enum, default_value = "both", requires = "real")]
    recipe: real::RecipeChoice,
    /// With --real: training images [default: 49000, all CIFAR-10 has beside the
    /// 1,000 validation images].
    #[arg(long, requires = "real")]
    train_size: Option<usize>,
    /// Time Kindling's convolution and max-pooling kernels against Burn's, layer by layer.
    #[arg(long)]
    conv: bool,
    /// Time one epoch of 50,000 training images (the full CIFAR-10 size) and its
    /// peak memory.
    #[arg(long)]
    full_size: bool,
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

/// Measured epochs of the throughput runs when --epochs is not given.
const DEFAULT_EPOCHS: usize = 2;

pub fn run(args: &BenchArgs) -> Result<()> {
    if let Some(path) = &args.real {
        return real::run(args, path);
    }
    if args.conv {
        conv_layers::run();
        return Ok(());
    }
    if args.evaluation_only {
        return evaluation(args);
    }
    println!(
        "Figures are ratios of runs made alternately in this same run; other work on the machine slows both sides of each pair alike. Absolute images/s depend on the machine's load."
    );
    if args.vs_pytorch {
        return vs_pytorch(args);
    }
    if args.full_size {
        return full_size(args);
    }
    println!(
        "Training throughput: baseline CNN, {} images/epoch, batch {}, {} measured epoch(s) after a warm-up, {} alternating rounds, Flex CPU, dev profile (dependencies optimised)",
        args.images,
        args.batch_size,
        args.epochs.unwrap_or(DEFAULT_EPOCHS),
        args.rounds
    );
    let plan = Plan::from(args);
    let mut bare: Vec<Measurement> = Vec::new();
    let mut fitted: Vec<Measurement> = Vec::new();
    let mut system: Vec<Measurement> = Vec::new();
    let mut augmented: Vec<Measurement> = Vec::new();
    for _ in 0..args.rounds {
        bare.push(spawn_worker(Variant::Bare, &plan, None)?);
        fitted.push(spawn_worker(Variant::Fit, &plan, None)?);
        augmented.push(spawn_worker(Variant::FitAugmented, &plan, None)?);
        system.push(spawn_worker(
            Variant::Fit,
            &Plan {
                system_allocator: true,
                ..plan
            },
            None,
        )?);
    }
    println!("{:<34} {:>12} {:>14}", "loop", "images/s", "peak memory");
    for (name, runs) in [
        ("bare Burn loop (mimalloc)", &bare),
        ("kindling fit (mimalloc)", &fitted),
        ("kindling fit (system malloc)", &system),
        ("fit, --augment flip,crop", &augmented),
    ] {
        let (rate, rss) = best(runs);
        println!("{name:<34} {rate:>12.1} {:>14}", mib(rss));
    }
    let fit_over_bare = median_ratio(&fitted, &bare);
    println!(
        "fit / bare throughput ratio: {fit_over_bare:.3} (median of {} pairs; fit costs {:.1}% over the bare loop)",
        args.rounds,
        (1.0 / fit_over_bare - 1.0) * 100.0
    );
    println!(
        "mimalloc / system malloc throughput ratio for fit: {:.3} (median of {} pairs)",
        median_ratio(&fitted, &system),
        args.rounds
    );
    println!(
        "augmented / plain fit throughput ratio: {:.3} (median of {} pairs; the goal is at least 0.9)",
        median_ratio(&augmented, &fitted),
        args.rounds
    );
    let (count, seconds) = augmentation_alone();
    println!(
        "Augmentation alone (flip, crop, cutout): {count} images in {seconds:.3}s ({:.0} images/s, one thread)",
        count as f64 / seconds
    );

    println!();
    let generated = spawn_worker(Variant::Generate, &plan, None)?;
    println!(
        "Built-in set, all {} images generated in {:.2}s ({:.0} images/s), peak memory {}",
        generated.images,
        generated.seconds,
        generated.images as f64 / generated.seconds,
        mib(generated.peak_rss_mib)
    );
    let folder = tempfile::tempdir()?;
    write_cifar_shaped_folder(folder.path())?;
    let loaded = spawn_worker(Variant::CifarLoad, &plan, Some(folder.path()))?;
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
    let plan = Plan::from(args);
    let mut whole: Vec<Measurement> = Vec::new();
    let mut bare: Vec<Measurement> = Vec::new();
    for _ in 0..args.rounds {
        whole.push(spawn_worker(Variant::Evaluate, &plan, Some(folder.path()))?);
        bare.push(spawn_worker(Variant::Predict, &plan, Some(folder.path()))?);
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

fn rate(m: &Measurement) -> f64 {
    m.images as f64 / m.seconds
}

/// The fastest run's images/s and its peak memory.
fn best(runs: &[Measurement]) -> (f64, Option<f64>) {
    runs.iter()
        .map(|m| (rate(m), m.peak_rss_mib))
        .fold(
            (0.0, None),
            |acc, run| if run.0 > acc.0 { run } else { acc },
        )
}

/// The median over alternating pairs of `ours / theirs` throughput.
fn median_ratio(ours: &[Measurement], theirs: &[Measurement]) -> f64 {
    let mut ratios: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| rate(a) / rate(b))
        .collect();
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    if ratios.len() % 2 == 1 {
        ratios[middle]
    } else {
        (ratios[middle - 1] + ratios[middle]) / 2.0
    }
}

/// What one worker process runs.
#[derive(Debug, Clone, Copy)]
struct Plan {
    images: usize,
    epochs: usize,
    batch_size: usize,
    warm_up: bool,
    threads: Option<usize>,
    system_allocator: bool,
}

impl From<&BenchArgs> for Plan {
    fn from(args: &BenchArgs) -> Self {
        Plan {
            images: args.images,
            epochs: args.epochs.unwrap_or(DEFAULT_EPOCHS),
            batch_size: args.batch_size,
            warm_up: true,
            threads: None,
            system_allocator: false,
        }
    }
}

fn spawn_worker(variant: Variant, plan: &Plan, folder: Option<&Path>) -> Result<Measurement> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args([
        "bench-worker",
        "--variant",
        variant.to_possible_value().unwrap().get_name(),
        "--images",
        &plan.images.to_string(),
        "--epochs",
        &plan.epochs.to_string(),
        "--batch-size",
        &plan.batch_size.to_string(),
    ]);
    if !plan.warm_up {
        command.arg("--no-warm-up");
    }
    if let Some(threads) = plan.threads {
        command.env("RAYON_NUM_THREADS", threads.to_string());
    }
    let system_var = kindling_course::allocator::SYSTEM_ALLOCATOR_VAR
        .to_str()
        .expect("the name is ASCII");
    if plan.system_allocator {
        command.env(system_var, "1");
    } else {
        command.env_remove(system_var);
    }
    if let Some(folder) = folder {
        command.arg("--folder").arg(folder);
    }
    run_measurement(command, &format!("the {variant:?} bench worker"))
}

fn run_measurement(mut command: Command, what: &str) -> Result<Measurement> {
    let output = command
        .output()
        .with_context(|| format!("starting {what}"))?;
    if !output.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8(output.stdout)?;
    let line = text
        .lines()
        .last()
        .with_context(|| format!("{what} printed nothing"))?;
    serde_json::from_str(line).with_context(|| format!("reading {what}'s result: {line}"))
}

/// OpenMP's setting for how waiting threads wait (PyTorch's CPU threads are OpenMP's).
const OMP_WAIT_POLICY: &str = "OMP_WAIT_POLICY";

/// The PyTorch script beside this crate.
fn pytorch_script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/pytorch_cnn.py")
}

/// Names the Python that runs the PyTorch scripts (default: python3).
pub const PYTHON_VARIABLE: &str = "KINDLING_PYTHON";

/// The Python to run: `KINDLING_PYTHON` when set, else python3 from the PATH.
fn python() -> std::ffi::OsString {
    std::env::var_os(PYTHON_VARIABLE)
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// Fails with the fix when Python or torch is missing.
fn check_torch() -> Result<String> {
    let python = python();
    let shown = python.to_string_lossy().into_owned();
    let probe = Command::new(&python)
        .args(["-c", "import torch; print(torch.__version__)"])
        .output();
    match probe {
        Err(error) => bail!(
            "--vs-pytorch needs Python ({shown}), which could not be started ({error}). Fix: install Python 3, then `pip install torch`, or set {PYTHON_VARIABLE} to a Python that has torch"
        ),
        Ok(output) if !output.status.success() => bail!(
            "--vs-pytorch needs PyTorch, but `import torch` fails in {shown}: {}. Fix: `pip install torch` (a large download) or set {PYTHON_VARIABLE} to a Python that has it, or run `cargo xtask bench` without --vs-pytorch",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .rfind(|line| !line.trim().is_empty())
                .map_or_else(
                    || format!("it exited with {} and said nothing", output.status),
                    str::to_string
                )
        ),
        Ok(output) => Ok(String::from_utf8_lossy(&output.stdout).trim().to_string()),
    }
}

fn spawn_pytorch(plan: &Plan) -> Result<Measurement> {
    let mut command = Command::new(python());
    command.arg(pytorch_script()).args([
        "--images",
        &plan.images.to_string(),
        "--epochs",
        &plan.epochs.to_string(),
        "--batch-size",
        &plan.batch_size.to_string(),
        "--threads",
        &plan.threads.unwrap_or(2).to_string(),
    ]);
    // OpenMP threads spin while they wait for each other; on a machine busy with
    // other work that makes PyTorch's 2-thread runs many times slower (measured:
    // 12x). Sleeping waits are the fair setting for a shared laptop.
    if std::env::var_os(OMP_WAIT_POLICY).is_none() {
        command.env(OMP_WAIT_POLICY, "PASSIVE");
    }
    let measured: PytorchMeasurement = {
        let output = command.output().context("starting the PyTorch script")?;
        if !output.status.success() {
            bail!(
                "the PyTorch script {} failed: {}",
                pytorch_script().display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let text = String::from_utf8(output.stdout)?;
        let line = text
            .lines()
            .last()
            .context("the PyTorch script printed nothing")?;
        serde_json::from_str(line)?
    };
    Ok(Measurement {
        variant: Variant::Fit,
        images: measured.images,
        seconds: measured.seconds,
        peak_rss_mib: measured.peak_rss_mib,
    })
}

#[derive(Debug, Deserialize)]
struct PytorchMeasurement {
    images: usize,
    seconds: f64,
    peak_rss_mib: Option<f64>,
}

/// `--vs-pytorch`: PyTorch and `fit` alternately, at 1 and 2 threads, batches of
/// 32 and 64.
fn vs_pytorch(args: &BenchArgs) -> Result<()> {
    let version = check_torch()?;
    println!(
        "Kindling fit vs PyTorch {version} on the CPU: baseline CNN (122,570 parameters), Adam 0.001, {} images/epoch, {} measured epoch(s) after a warm-up, {} alternating rounds, PyTorch with {OMP_WAIT_POLICY}={}",
        args.images,
        args.epochs.unwrap_or(DEFAULT_EPOCHS),
        args.rounds,
        std::env::var(OMP_WAIT_POLICY).unwrap_or_else(|_| "PASSIVE".into())
    );
    println!(
        "{:>7} {:>5} {:>15} {:>15} {:>13} {:>13} {:>13}",
        "threads",
        "batch",
        "PyTorch img/s",
        "Kindling img/s",
        "ratio",
        "PyTorch peak",
        "Kindling peak"
    );
    for threads in [1, 2] {
        for batch_size in [32, 64] {
            let plan = Plan {
                threads: Some(threads),
                batch_size,
                ..Plan::from(args)
            };
            let (mut torch, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..args.rounds {
                torch.push(spawn_pytorch(&plan)?);
                ours.push(spawn_worker(Variant::Fit, &plan, None)?);
            }
            let (torch_rate, torch_rss) = best(&torch);
            let (our_rate, our_rss) = best(&ours);
            println!(
                "{threads:>7} {batch_size:>5} {torch_rate:>15.1} {our_rate:>15.1} {:>13.3} {:>13} {:>13}",
                median_ratio(&ours, &torch),
                mib(torch_rss),
                mib(our_rss)
            );
        }
    }
    println!(
        "ratio: Kindling / PyTorch images/s, median over the pairs (images/s: best run of each). Peak memory is the whole process's (PyTorch's includes the torch library itself)."
    );
    Ok(())
}

/// `--full-size`: one epoch of 50,000 images, as real CIFAR-10 has.
fn full_size(args: &BenchArgs) -> Result<()> {
    let images = builtin::TRAIN_CAPACITY.min(50_000);
    let plan = Plan {
        images,
        epochs: 1,
        warm_up: false,
        ..Plan::from(args)
    };
    println!(
        "One epoch of {images} built-in training images (the size of CIFAR-10's training set), baseline CNN, batch {}, Flex CPU, no warm-up:",
        args.batch_size
    );
    let measured = spawn_worker(Variant::Fit, &plan, None)?;
    println!(
        "  {:.1} s ({:.0} images/s), peak memory {} (goal: under 1 GiB)",
        measured.seconds,
        rate(&measured),
        mib(measured.peak_rss_mib)
    );
    Ok(())
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
    /// Measure from the first epoch (a full-size epoch needs no warm-up).
    #[arg(long)]
    no_warm_up: bool,
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
    let model = if args.no_warm_up {
        model
    } else {
        measured(1, model)?.0
    };
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
        model_options: Default::default(),
        device: "flex".into(),
        train_size: 1000,
        val_size: 100,
        class_names: builtin::CLASS_NAMES.iter().map(|n| n.to_string()).collect(),
        normalization: Normalization::IDENTITY,
        fit: FitConfig::default(),
        patience: None,
        status: kindling::train::RunStatus::Finished,
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
