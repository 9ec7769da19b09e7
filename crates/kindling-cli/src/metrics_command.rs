//! `kindling metrics`: every metric of a predictions CSV.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use kindling::metrics::{Predictions, Task, read_predictions};

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Predictions CSV: a header, then columns y_true,y_pred, plus for classification
    /// either one score column (binary) or one probability column per class.
    #[arg(long)]
    input: PathBuf,
    /// What the file holds: class labels (classification) or numbers (regression).
    #[arg(long, value_enum, default_value_t = TaskArg::Classification)]
    task: TaskArg,
    /// Print the metrics as JSON instead of a report.
    #[arg(long)]
    json: bool,
    /// Names of the classes in label order, comma separated (e.g. cat,dog,bird).
    #[arg(long, value_delimiter = ',')]
    class_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TaskArg {
    Classification,
    Regression,
}

pub fn run(args: MetricsArgs) -> Result<()> {
    let task = match args.task {
        TaskArg::Classification => Task::Classification,
        TaskArg::Regression => Task::Regression,
    };
    if task == Task::Regression && args.class_names.is_some() {
        bail!(
            "--class-names names classes, but --task regression has none. Fix: leave out --class-names, or use --task classification"
        );
    }
    let file = args.input.display().to_string();
    // The reader's errors name the file, the row and the column.
    let predictions = read_predictions(&args.input, task)?;
    let n_samples = predictions.n_samples();
    // Reading checked every cell, so a failure here is about the file as a whole.
    let problem = || format!("{file}: the predictions do not fit together");
    match predictions {
        Predictions::Classification(predictions) => {
            let mut metrics = predictions.metrics().with_context(problem)?;
            if let Some(names) = &args.class_names {
                if names.len() != metrics.n_classes {
                    bail!(
                        "--class-names gives {} names but {file} has {} classes. Fix: give exactly one name per class, in label order (0, 1, 2, ...)",
                        names.len(),
                        metrics.n_classes
                    );
                }
                metrics = metrics.with_class_names(names)?;
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&metrics)?);
            } else {
                println!("Classification metrics of {file} ({n_samples} samples)\n");
                print!("{metrics}");
            }
        }
        Predictions::Regression(predictions) => {
            let metrics = predictions.metrics().with_context(problem)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&metrics)?);
            } else {
                println!("Regression metrics of {file}\n");
                print!("{metrics}");
            }
        }
    }
    Ok(())
}
