//! `kindling report`: the demo report of an evaluated run (the builder is
//! `kindling::report`, so stage 10 can call it too).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use kindling::report::{ReportOptions, write_report};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The evaluated run folder (`kindling train`, then `kindling evaluate`).
    run_dir: PathBuf,
    /// Another run folder to compare with, such as the run before an improvement.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Folder for report.html, report.md, report_sources.json and the charts.
    #[arg(long)]
    out: PathBuf,
    /// Replace a report already in --out.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ReportArgs) -> Result<()> {
    let options = ReportOptions {
        baseline: args.baseline,
        force: args.force,
        ..ReportOptions::default()
    };
    let report = write_report(&args.run_dir, &args.out, &options)?;
    println!(
        "Built the report of {} ({} numbers, each traced to its file and field).",
        args.run_dir.display(),
        report.numbers.len()
    );
    println!("Limitations found in the evidence:");
    for limitation in &report.limitations {
        println!("  - {limitation}");
    }
    println!("Wrote:");
    for file in &report.files {
        println!("  {}", file.display());
    }
    println!(
        "Open {} in a browser; it works offline, on its own.",
        report.html.display()
    );
    Ok(())
}
