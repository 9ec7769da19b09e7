//! `kindling predict`: a trained run's guesses for image files.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use kindling::choose_device;
use kindling::inference::{
    DEFAULT_TOP_K, ImagePrediction, Predictor, check_top_k, prediction_chart,
};
use kindling::train::RunConfig;

use crate::common::whole_number;

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct PredictArgs {
    /// The run folder written by `kindling train` (such as runs/run-001).
    run_dir: PathBuf,
    /// Image files, in any format the image crate reads (PNG, JPEG, GIF, WebP, ...).
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// How many of the most probable classes to show.
    #[arg(long, default_value_t = DEFAULT_TOP_K as f64)]
    top: f64,
    /// Print the predictions as JSON.
    #[arg(long)]
    json: bool,
    /// Draw a bar chart of the top classes (PNG or SVG); with several images,
    /// FILE-1.png, FILE-2.png, ... in the order given.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// flex (CPU, default), cuda or ndarray; or set KINDLING_DEVICE.
    #[arg(long)]
    device: Option<String>,
}

/// What `--json` prints.
#[derive(Serialize)]
struct PredictOutput<'a> {
    run: &'a Path,
    model: String,
    class_names: &'a [String],
    predictions: &'a [ImagePrediction],
}

pub fn run(args: PredictArgs) -> Result<()> {
    let top = whole_number("--top", args.top, 1, "3")?;
    // The class count is known from config.json: refuse a bad --top before loading weights.
    let config = RunConfig::load(&args.run_dir)?;
    check_top_k(top, config.class_names.len())?;
    let (_, device) = choose_device(args.device.as_deref())?;
    let predictor = Predictor::load(&args.run_dir, &device)?;
    let predictions = predictor.predict_files(&args.images, top)?;

    let charts: Vec<PathBuf> = match &args.chart {
        None => Vec::new(),
        Some(chart) if predictions.len() == 1 => vec![chart.clone()],
        Some(chart) => (1..=predictions.len())
            .map(|number| numbered(chart, number))
            .collect(),
    };
    for (prediction, chart) in predictions.iter().zip(&charts) {
        prediction_chart(prediction, chart)?;
    }

    if args.json {
        let output = PredictOutput {
            run: &args.run_dir,
            model: config.model.to_string(),
            class_names: predictor.class_names(),
            predictions: &predictions,
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    let width = predictor
        .class_names()
        .iter()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    for prediction in &predictions {
        println!("{}", prediction.image.display());
        for (rank, guess) in prediction.top.iter().enumerate() {
            println!(
                "  {}. {:<width$}  {:>5.1}%",
                rank + 1,
                guess.name,
                guess.probability * 100.0
            );
        }
    }
    for chart in &charts {
        println!("Wrote {}", chart.display());
    }
    Ok(())
}

/// `chart.png` -> `chart-2.png`.
fn numbered(path: &Path, number: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "chart".into(), |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(extension) => format!("{stem}-{number}.{}", extension.to_string_lossy()),
        None => format!("{stem}-{number}"),
    };
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_charts_are_numbered_beside_the_name_given() {
        assert_eq!(
            numbered(Path::new("out/top.png"), 2),
            PathBuf::from("out/top-2.png")
        );
        assert_eq!(numbered(Path::new("top"), 1), PathBuf::from("top-1"));
    }
}
