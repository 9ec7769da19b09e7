//! The stage's second program: load a saved run and predict image files.
//!
//! `cargo run --bin <package>-predict -- runs/stage09 my_photo.jpg` (the page names it).

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use kindling::inference::Predictor;
use kindling_course::facts::stage09::CHARTS_DIR;
use stage09_solution::predict::{describe, draw_chart, predict_files};

/// Predicts the class of image files with the model a run folder holds.
#[derive(Debug, Parser)]
struct Args {
    /// The run folder the training part wrote (model.bpk and config.json).
    run: PathBuf,
    /// Image files of any size, in any common format.
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// Folder for the bar charts (default: RUN/charts).
    #[arg(long)]
    charts: Option<PathBuf>,
    /// Print the predictions as JSON instead of text.
    #[arg(long)]
    json: bool,
}

// ANCHOR: main
fn main() -> Result<()> {
    let args = Args::parse();
    let (_, device) = kindling::choose_device(None)?;
    // The model is loaded once, however many images follow.
    let predictor = Predictor::load(&args.run, &device)?;
    let predictions = predict_files(&predictor, &args.images)?;
    let charts = args.charts.unwrap_or_else(|| args.run.join(CHARTS_DIR));
    let mut drawn = Vec::new();
    for prediction in &predictions {
        drawn.push(draw_chart(prediction, &charts)?);
    }
    if args.json {
        let json = serde_json::json!({ "predictions": predictions, "charts": drawn });
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        for (prediction, chart) in predictions.iter().zip(&drawn) {
            print!("{}", describe(prediction));
            println!("  chart: {}", chart.display());
        }
    }
    Ok(())
}
// ANCHOR_END: main
