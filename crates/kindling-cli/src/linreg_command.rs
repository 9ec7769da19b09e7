//! `kindling linreg`: fit a straight line to an `x,y` CSV by gradient descent, one
//! visible epoch at a time.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;

use kindling::train::linreg::{Ending, LineConfig, fit_line, least_squares};

use crate::common::{positive_number, shown, whole_number};

#[derive(Debug, Args)]
// Bad numbers reach the program, which explains the rule. `allow_negative_numbers`
// misses `-1e-5`, so the number flags also take values that start with a hyphen.
#[command(allow_negative_numbers = true)]
pub struct LinregArgs {
    /// CSV with a header naming the columns x and y, then one example per row
    /// (make one with `kindling data apartments`).
    #[arg(long)]
    input: PathBuf,
    /// Learning rate: the step size of each update (for the apartments, 1e-7 is too
    /// small, 1e-5 good, 1e-3 too large).
    #[arg(long, allow_hyphen_values = true)]
    lr: f64,
    /// Epochs: full passes over the data, one update each.
    #[arg(long, allow_hyphen_values = true, default_value_t = 200.0)]
    epochs: f64,
    /// Stop when the loss has not improved (by more than --min-delta) for this many
    /// epochs in a row.
    #[arg(long, allow_hyphen_values = true)]
    patience: Option<f64>,
    /// The least drop in loss that counts as an improvement for --patience (default 0).
    #[arg(long, allow_hyphen_values = true, requires = "patience")]
    min_delta: Option<f64>,
    /// Also write the per-epoch history (loss, slope, intercept) to this file:
    /// .json or .csv.
    #[arg(long)]
    history: Option<PathBuf>,
}

pub fn run(args: LinregArgs) -> Result<()> {
    // Settings first: nothing is read or computed for a run that cannot start.
    let lr = positive_number("--lr", args.lr, "1e-5")?;
    let epochs = whole_number("--epochs", args.epochs, 1, "200")?;
    let mut config = LineConfig::new(lr, epochs);
    if let Some(patience) = args.patience {
        let patience = whole_number("--patience", patience, 0, "10")?;
        let min_delta = args.min_delta.unwrap_or(0.0);
        if !(min_delta.is_finite() && min_delta >= 0.0) {
            bail!(
                "--min-delta {} is not allowed: it must be 0 or a positive number. Fix: use --min-delta 0",
                shown(min_delta)
            );
        }
        config = config.with_early_stopping(patience, min_delta);
    }
    config.validate()?;
    if let Some(history) = &args.history {
        check_history_extension(history)?;
    }

    let (x, y) = read_xy(&args.input)?;
    let fit = fit_line(&x, &y, &config)?;
    println!(
        "Fitting y = slope * x + intercept to {} examples from {} by gradient descent (learning rate {lr:e}, up to {epochs} epochs).",
        x.len(),
        args.input.display()
    );
    print!("{}", fit.table());
    if let Ending::Diverged { .. } = fit.ending {
        bail!(
            "training {}. Each step overshoots further than the last, so learning rate {lr:e} is too large for this data. Fix: use a smaller rate, such as --lr {} (a tenth)",
            fit.ending,
            tenth(lr)
        );
    }
    println!("Learning rate {lr:e}: {}.", fit.ending);
    println!("Final line: {} (loss {:.4})", fit.line, fit.final_loss);
    // The best any straight line can do on this data: the yardstick for the run.
    if let Ok(best) = least_squares(&x, &y)
        && let Ok(best_loss) = best.mean_squared_error(&x, &y)
    {
        println!("Best possible line (least squares): {best} (loss {best_loss:.4})");
        if best_loss > 0.0 {
            println!(
                "The final loss is {:.2} times the best possible.",
                fit.final_loss / best_loss
            );
        }
    }
    if let Some(path) = &args.history {
        fit.to_history().save(path)?;
        println!("Saved the history to {}", path.display());
    }
    Ok(())
}

fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"))
}

fn check_history_extension(path: &Path) -> Result<()> {
    let json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    if !(json || is_csv(path)) {
        bail!(
            "--history {}: the file name must end in .json or .csv, which picks the format. Fix: use --history history.json",
            path.display()
        );
    }
    Ok(())
}

/// Reads the `x` and `y` columns. Errors name the file, the row (the header is
/// row 1, as a spreadsheet shows it) and the column.
fn read_xy(path: &Path) -> Result<(Vec<f64>, Vec<f64>)> {
    let file = path.display();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => bail!("cannot read {file}: {error}. Fix: check the path given to --input"),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "{file} is empty. Fix: row 1 must be the header `x,y`, followed by one row per example"
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        // Field counts are checked below so the error can say which row.
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => bail!(
            "{file}, row 1 (the header): not readable as CSV: {error}. Fix: save the file as UTF-8 text with comma-separated fields"
        ),
    };
    let column = |name: &str| {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, cell)| *cell == name)
            .map(|(index, _)| index)
            .collect();
        match found[..] {
            [index] => Ok(index),
            [] => bail!(
                "{file}, row 1 (the header): there is no column \"{name}\" (the header is `{}`). Fix: name the input column x and the target column y, as in `x,y`",
                header.iter().collect::<Vec<_>>().join(",")
            ),
            _ => bail!(
                "{file}, row 1 (the header): column \"{name}\" appears more than once. Fix: keep one x and one y column"
            ),
        }
    };
    let (x_column, y_column) = (column("x")?, column("y")?);

    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let mut record = csv::StringRecord::new();
    loop {
        // The header is row 1, so the first example is row 2.
        let hint = xs.len() as u64 + 2;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                let row = error.position().map_or(hint, csv::Position::line);
                bail!(
                    "{file}, row {row}: not readable as CSV: {error}. Fix: save the file as UTF-8 text with comma-separated fields"
                );
            }
        }
        let row = record.position().map_or(hint, csv::Position::line);
        if record.len() != header.len() {
            bail!(
                "{file}, row {row}: the row has {} fields but the header has {}. Fix: write one value per header column",
                record.len(),
                header.len()
            );
        }
        let number = |index: usize| -> Result<f64> {
            let (name, text) = (&header[index], &record[index]);
            let Ok(value) = text.parse::<f64>() else {
                bail!(
                    "{file}, row {row}, column \"{name}\": \"{text}\" is not a number. Fix: write a plain decimal number such as 72.5"
                );
            };
            if !value.is_finite() {
                bail!(
                    "{file}, row {row}, column \"{name}\": \"{text}\" is not a finite number. Fix: repair or remove that row"
                );
            }
            Ok(value)
        };
        xs.push(number(x_column)?);
        ys.push(number(y_column)?);
    }
    if xs.is_empty() {
        bail!(
            "{file} has a header (row 1) but no data rows. Fix: add one row per example below it"
        );
    }
    Ok((xs, ys))
}

/// A tenth of a rate, printed short: 1.4e-4 gives "1.4e-5", not "1.3999999999999998e-5".
fn tenth(rate: f64) -> String {
    let text = format!("{:.3e}", rate / 10.0);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tenth_prints_short() {
        assert_eq!(super::tenth(1.4e-4), "1.4e-5");
        assert_eq!(super::tenth(1e-3), "1e-4");
    }
}
