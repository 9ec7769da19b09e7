//! `kindling lr-find`: the learning-rate range test, with its chart and numbers.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use kindling::charts::XyChart;
use kindling::choose_device;
use kindling::data::atomic::write_atomically;
use kindling::data::{DataSource, SplitSizes, load_splits};
use kindling::models::{ModelKind, init_seeded};
use kindling::train::lr_finder::{LrFinder, LrFinderConfig, lr_find};
use kindling::train::{FitConfig, ImageData};

use crate::common::{positive_number, shown, whole_number};
use crate::run_folder::StagedRun;

#[derive(Debug, Args)]
// Bad numbers reach the program, which explains the rule. `allow_negative_numbers`
// misses `-1e-5`, so the number flags also take values that start with a hyphen.
#[command(allow_negative_numbers = true)]
pub struct LrFindArgs {
    /// Images to train on: builtin (generated, offline), cifar10[:PATH], or folder:PATH.
    #[arg(long, default_value = "builtin")]
    dataset: String,
    /// Model: linear, mlp or baseline-cnn.
    #[arg(long, default_value = "baseline-cnn")]
    model: String,
    /// Training images the sweep draws its batches from.
    #[arg(long, allow_hyphen_values = true, default_value_t = 2000.0)]
    train_size: f64,
    /// Images per batch (each batch of the sweep uses the next learning rate).
    #[arg(long, allow_hyphen_values = true, default_value_t = 32.0)]
    batch_size: f64,
    /// Learning rate of the first batch.
    #[arg(long, allow_hyphen_values = true, default_value_t = 1e-7)]
    start: f64,
    /// Learning rate of the last batch (reached only if the loss does not explode first).
    #[arg(long, allow_hyphen_values = true, default_value_t = 10.0)]
    end: f64,
    /// Batches in the sweep; their rates are spread evenly on a log scale.
    #[arg(long, allow_hyphen_values = true, default_value_t = 100.0)]
    steps: f64,
    /// Seed for the data, the starting weights and the shuffling.
    #[arg(long, default_value_t = kindling::data::builtin::DEFAULT_SEED)]
    seed: u64,
    /// flex (CPU, default), cuda or ndarray; or set KINDLING_DEVICE.
    #[arg(long)]
    device: Option<String>,
    /// Folder for lr_finder.png and lr_finder.csv (default: the next free runs/lr-find-NNN).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out if it already holds something.
    #[arg(long)]
    force: bool,
}

pub fn run(args: LrFindArgs) -> Result<()> {
    // Refuse bad settings and a taken folder before loading anything.
    let start = positive_number("--start", args.start, "1e-7")?;
    let end = positive_number("--end", args.end, "10")?;
    if end <= start {
        bail!(
            "--end {} is not above --start {}: the sweep raises the learning rate from --start to --end. Fix: use --start 1e-7 --end 10",
            shown(end),
            shown(start)
        );
    }
    let steps = whole_number("--steps", args.steps, 2, "100")?;
    let train_size = whole_number("--train-size", args.train_size, 1, "2000")?;
    let batch_size = whole_number("--batch-size", args.batch_size, 1, "32")?;
    let sweep = LrFinderConfig::default()
        .with_range(start, end)
        .with_steps(steps);
    sweep.validate()?;
    let base = FitConfig::default()
        .with_batch_size(batch_size)
        .with_seed(args.seed);
    let kind: ModelKind = args.model.parse()?;
    let source: DataSource = args.dataset.parse()?;
    let (device_choice, device) = choose_device(args.device.as_deref())?;
    let run = StagedRun::prepare_numbered(args.out.as_deref(), args.force, "lr-find")?;

    let sizes = SplitSizes {
        train: Some(train_size),
        validation: Some(0),
        test: Some(0),
    };
    let splits = load_splits(&source, sizes, args.seed)
        .with_context(|| format!("loading the {source} dataset"))?;
    let data = ImageData::new(&splits.train, splits.normalization());
    let classes = splits.class_names().len();
    let model = init_seeded(&device, args.seed, |d| kind.init(classes, d));
    println!(
        "Sweeping the learning rate of {kind} on {source} ({} training images, batches of {batch_size}, on {device_choice}, seed {}): {start:e} to {end:e} over {steps} batches.",
        splits.train.len(),
        args.seed
    );
    let finder = lr_find(&model, &data, &base, &sweep)?;
    let Some(suggestion) = finder.suggestion else {
        bail!(
            "the sweep gave no usable loss (the loss was not a number from the first batch on), so there is no rate to suggest. Fix: start lower (--start 1e-8) or check the data"
        );
    };

    println!("{finder}");
    match finder.steepest {
        Some(_) => {
            println!(
                "How it was chosen: the rate where the smoothed loss fell fastest against log(learning rate) (fastai's \"steep\" point)."
            );
            // The other rule of thumb, when it names a rate the sweep actually tried
            // (a minimum at the very first batches gives a tenth below --start).
            if let Some(cautious) = finder.minimum_over_10
                && cautious >= start
                && cautious < suggestion
            {
                println!(
                    "A more cautious choice: {cautious:.3e}, a tenth of the rate with the lowest smoothed loss."
                );
            }
        }
        None => println!(
            "How it was chosen: the sweep was too short, or the loss never fell, to find its steepest point, so this is a tenth of the rate with the lowest smoothed loss. Try more --steps or a wider range."
        ),
    }
    // The steepest fall is searched over the whole sweep, so it can be a recovery
    // after a spike rather than the downhill stretch before the minimum.
    if let Some(lowest) = finder
        .points
        .iter()
        .filter(|point| point.smoothed.is_finite())
        .min_by(|a, b| a.smoothed.total_cmp(&b.smoothed))
        && lowest.learning_rate < suggestion
    {
        println!(
            "Caution: the smoothed loss was lowest at {:.3e}, a smaller rate than the suggestion, so the fall picked came after the loss had risen: the sweep found no clear downhill stretch. Check lr_finder.png before using the suggestion.",
            lowest.learning_rate
        );
    }

    let chart = XyChart::new(
        format!("Learning-rate finder: {kind} on {source}"),
        "learning rate",
        "smoothed loss",
    )
    .with_series("smoothed loss", finder.curve())
    .with_log_x(true)
    .with_marker(suggestion, format!("suggested lr = {suggestion:.2e}"));
    chart.save(run.file("lr_finder.png"))?;
    write_points(&finder, &run.file("lr_finder.csv"))?;
    let folder = run.commit()?;

    println!(
        "Train with it: cargo kindling train --model {kind} --dataset {source} --lr {suggestion:.2e}"
    );
    println!("Saved the sweep to {}:", folder.display());
    for (file, what) in [
        (
            "lr_finder.png",
            "smoothed loss against learning rate (log scale), suggestion marked",
        ),
        (
            "lr_finder.csv",
            "every batch: learning_rate, loss, smoothed loss",
        ),
    ] {
        println!("  {:<40} {what}", folder.join(file).display());
    }
    Ok(())
}

/// One row per batch of the sweep.
fn write_points(finder: &LrFinder, path: &std::path::Path) -> Result<()> {
    write_atomically(path, |writer| {
        writeln!(writer, "learning_rate,loss,smoothed")?;
        for point in &finder.points {
            writeln!(
                writer,
                "{},{},{}",
                point.learning_rate, point.loss, point.smoothed
            )?;
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", path.display()))
}
