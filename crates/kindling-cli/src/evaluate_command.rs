//! `kindling evaluate`: a trained run's one look at its sealed test set.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use kindling::choose_device;
use kindling::evaluation::{DEFAULT_TOP_LOSSES, EvaluateOptions, evaluate_run};

use crate::common::whole_number;

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct EvaluateArgs {
    /// The run folder written by `kindling train` (such as runs/run-001).
    run_dir: PathBuf,
    /// Images to evaluate on (default: the run's own data source).
    #[arg(long)]
    dataset: Option<String>,
    /// Seed of the data split (default: the run's own).
    #[arg(long)]
    seed: Option<u64>,
    /// How many of the most confident mistakes to list and draw.
    #[arg(long, default_value_t = DEFAULT_TOP_LOSSES as f64)]
    top_losses: f64,
    /// Evaluate on a stratified subset of this many test images (default: all).
    #[arg(long)]
    test_size: Option<f64>,
    /// flex (CPU, default), cuda or ndarray; or set KINDLING_DEVICE.
    #[arg(long)]
    device: Option<String>,
    /// Print the test metrics as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    let top_losses = whole_number("--top-losses", args.top_losses, 1, "16")?;
    let test_size = args
        .test_size
        .map(|size| whole_number("--test-size", size, 1, "1000"))
        .transpose()?;
    let (_, device) = choose_device(args.device.as_deref())?;
    let options = EvaluateOptions {
        dataset: args.dataset,
        seed: args.seed,
        top_losses,
        test_size,
        ..EvaluateOptions::default()
    };
    let evaluation = evaluate_run(&args.run_dir, &options, &device)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation.metrics)?);
        if let Some(warning) = evaluation
            .metrics
            .test_set_opened
            .as_ref()
            .and_then(|opened| opened.warning.as_ref())
        {
            eprintln!("warning: {warning}");
        }
        return Ok(());
    }
    print!("{}", evaluation.metrics);
    println!("Wrote into {}:", args.run_dir.display());
    for file in &evaluation.files {
        println!("  {}", file.display());
    }
    Ok(())
}
