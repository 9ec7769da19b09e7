//! `kindling compare`: several runs side by side, as overlaid charts and a table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use kindling::charts::overlay_chart;
use kindling::data::atomic::write_bytes_atomically;
use kindling::train::History;

use crate::common::{cell, load_history};
use crate::run_folder::StagedRun;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Run folders written by `kindling train` (or their history files), one or more.
    // Not `required`: an empty list gets the program's explanation, not clap's.
    #[arg(value_name = "RUN_DIR")]
    runs: Vec<PathBuf>,
    /// Folder for the charts and the table (default: the next free runs/compare-NNN).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out if it already holds something.
    #[arg(long)]
    force: bool,
}

/// One run being compared.
struct Run {
    label: String,
    history: History,
}

impl Run {
    /// The metric at the final epoch (NaN, as for a diverged run, shows as missing).
    fn last(&self, metric: &str) -> Option<f64> {
        self.history.final_epoch()?.get(metric)
    }
}

/// The table's columns, in order.
const COLUMNS: [&str; 8] = [
    "run",
    "epochs",
    "loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "best val_accuracy",
    "best epoch",
];

pub fn run(args: CompareArgs) -> Result<()> {
    if args.runs.is_empty() {
        bail!(
            "no run folders given: compare needs at least one. Fix: name the runs, such as `kindling compare runs/run-001 runs/run-002`"
        );
    }
    let mut runs = Vec::with_capacity(args.runs.len());
    for input in &args.runs {
        let (file, history) = load_history(input)?;
        if history.get("loss").is_none() && history.get("val_loss").is_none() {
            bail!(
                "{} records no loss (it has: {}). Fix: compare runs written by `kindling train`",
                file.display(),
                history.metrics().collect::<Vec<_>>().join(", ")
            );
        }
        runs.push(Run {
            label: run_name(input, &file),
            history,
        });
    }
    // Two runs can share a folder name (a/run-001, b/run-001): then the paths tell them apart.
    let shared: Vec<bool> = runs
        .iter()
        .map(|run| runs.iter().filter(|other| other.label == run.label).count() > 1)
        .collect();
    for ((run, input), shared) in runs.iter_mut().zip(&args.runs).zip(shared) {
        if shared {
            run.label = input.display().to_string();
        }
    }
    let staged = StagedRun::prepare_numbered(args.out.as_deref(), args.force, "compare")?;

    let mut notes = Vec::new();
    for (metric, title, file) in [
        ("accuracy", "Accuracy", "accuracy.png"),
        ("loss", "Loss", "loss.png"),
    ] {
        match overlay(&runs, metric) {
            Some(Overlay {
                series,
                all_validation,
            }) => {
                let (title, y_label) = if all_validation {
                    (
                        format!("Validation {metric} by run"),
                        format!("val_{metric}"),
                    )
                } else {
                    (
                        format!("{title} by run (validation where recorded, else training)"),
                        metric.to_string(),
                    )
                };
                overlay_chart(&title, &y_label, &series, false, staged.file(file))?;
            }
            None => notes.push(format!("No run records {metric}, so there is no {file}.")),
        }
    }

    let rows: Vec<Vec<String>> = runs.iter().map(table_row).collect();
    write_csv(&rows, &staged.file("comparison.csv"))?;
    write_markdown(&rows, &staged.file("comparison.md"))?;
    let folder = staged.commit()?;

    print_table(&rows);
    for note in notes {
        println!("{note}");
    }
    println!("Saved the comparison to {}:", folder.display());
    for file in [
        "accuracy.png",
        "loss.png",
        "comparison.csv",
        "comparison.md",
    ] {
        let path = folder.join(file);
        if path.exists() {
            println!("  {}", path.display());
        }
    }
    Ok(())
}

/// The run's name for legends and the table: its folder's name.
fn run_name(input: &Path, file: &Path) -> String {
    let folder = if input.is_dir() {
        Some(input)
    } else {
        file.parent()
            .filter(|parent| !parent.as_os_str().is_empty())
    };
    folder
        .and_then(Path::file_name)
        .or_else(|| file.file_stem())
        .map_or_else(
            || input.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
}

/// The lines of one overlaid chart.
struct Overlay {
    /// `(label, values)` per run that has the metric.
    series: Vec<(String, Vec<f64>)>,
    /// True when every line is a validation curve.
    all_validation: bool,
}

/// One line per run for `metric`: its validation values, or its training values
/// (labelled so) when the run has no validation. `None` when no run has either.
fn overlay(runs: &[Run], metric: &str) -> Option<Overlay> {
    let val_metric = format!("val_{metric}");
    let mut all_validation = true;
    let mut series = Vec::new();
    for run in runs {
        if let Some(values) = run.history.get(&val_metric) {
            series.push((run.label.clone(), values.to_vec()));
        } else if let Some(values) = run.history.get(metric) {
            all_validation = false;
            series.push((format!("{} (training)", run.label), values.to_vec()));
        }
    }
    (!series.is_empty()).then_some(Overlay {
        series,
        all_validation,
    })
}

fn table_row(run: &Run) -> Vec<String> {
    let best = run.history.best("val_accuracy");
    vec![
        run.label.clone(),
        run.history.epochs().to_string(),
        cell(run.last("loss")),
        cell(run.last("accuracy")),
        cell(run.last("val_loss")),
        cell(run.last("val_accuracy")),
        cell(best.map(|best| best.value)),
        best.map_or("-".to_string(), |best| best.epoch.to_string()),
    ]
}

fn print_table(rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([COLUMNS[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(column, (text, &width))| {
                // Names read best flush left, numbers flush right.
                if column == 0 {
                    format!("{text:<width$}")
                } else {
                    format!("{text:>width$}")
                }
            })
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(&COLUMNS);
    for row in rows {
        line(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

fn write_csv(rows: &[Vec<String>], path: &Path) -> Result<()> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(COLUMNS)?;
    for row in rows {
        // A missing value is an empty cell in CSV, as in history.csv.
        csv.write_record(row.iter().map(|cell| if cell == "-" { "" } else { cell }))?;
    }
    let bytes = csv.into_inner().context("writing the comparison table")?;
    write_bytes_atomically(path, &bytes).with_context(|| format!("writing {}", path.display()))
}

fn write_markdown(rows: &[Vec<String>], path: &Path) -> Result<()> {
    let escape = |text: &str| text.replace('|', "\\|");
    let mut text = format!("| {} |\n", COLUMNS.join(" | "));
    text.push_str(&format!("|---|{}\n", "---:|".repeat(COLUMNS.len() - 1)));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| escape(cell)).collect();
        text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    write_bytes_atomically(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
