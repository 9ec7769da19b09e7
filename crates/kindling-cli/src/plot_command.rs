//! `kindling plot`: a chart straight from a history file.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use kindling::charts::history_metrics_chart;

use crate::common::load_history;

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A history.json or history.csv, or a run folder holding one.
    history: PathBuf,
    /// Metrics to draw, comma separated (each with its val_ counterpart when the
    /// history has one); default: every training metric.
    #[arg(long, value_delimiter = ',')]
    metrics: Vec<String>,
    /// Logarithmic y axis, for a loss that falls over orders of magnitude.
    #[arg(long)]
    log: bool,
    /// The chart file, .png or .svg (default: plot.png next to the history; replaced
    /// if it exists).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: PlotArgs) -> Result<()> {
    let (file, history) = load_history(&args.history)?;
    let metrics: Vec<&str> = args
        .metrics
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .collect();
    // Checked here rather than by the chart, so the message names the history file.
    let recorded: Vec<&str> = history.metrics().collect();
    for metric in &metrics {
        let with_val = format!("val_{metric}");
        if !recorded.contains(metric) && !recorded.contains(&with_val.as_str()) {
            bail!(
                "{} has no metric `{metric}`; it records: {}. Fix: pass some of those to --metrics, comma separated",
                file.display(),
                recorded.join(", ")
            );
        }
    }
    let out = args.out.unwrap_or_else(|| file.with_file_name("plot.png"));
    history_metrics_chart(&history, &metrics, args.log, &out)?;
    let drawn = if metrics.is_empty() {
        "every training metric".to_string()
    } else {
        metrics.join(", ")
    };
    println!(
        "Drew {drawn} from {} ({} epochs) to {}",
        file.display(),
        history.epochs(),
        out.display()
    );
    Ok(())
}
