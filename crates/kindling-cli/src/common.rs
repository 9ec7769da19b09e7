//! What several toolkit commands share: checking numbers from the command line and
//! finding and loading a run's history.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use kindling::train::History;

/// A learning rate (or any rate) from `flag`: a positive, finite number.
///
/// Rates reach here unchecked (`allow_negative_numbers`), so that 0, -1 and NaN get
/// this explanation rather than a parser error.
pub fn positive_number(flag: &str, value: f64, example: &str) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        return Ok(value);
    }
    bail!(
        "{flag} {} is not allowed: it must be a positive number (above 0, not NaN or infinite). Fix: use {flag} {example}",
        shown(value)
    )
}

/// A count (epochs, steps, images) from `flag`: a whole number of at least `min`.
///
/// Counts are parsed as any number, so that 0, -5, 2.5 and NaN all reach this check
/// and get a sentence about the rule instead of clap's "invalid digit".
pub fn whole_number(flag: &str, value: f64, min: usize, example: &str) -> Result<usize> {
    if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= u32::MAX as f64
    {
        return Ok(value as usize);
    }
    let rule = if value > u32::MAX as f64 {
        format!("a whole number of at most {}", u32::MAX)
    } else if min == 0 {
        "a whole number, 0 or more".to_string()
    } else {
        format!("a whole number of at least {min}")
    };
    bail!(
        "{flag} {} is not allowed: it must be {rule}. Fix: use {flag} {example}",
        shown(value)
    )
}

/// A number as a learner would type it: `1e-5` rather than `0.00001`.
pub fn shown(value: f64) -> String {
    let size = value.abs();
    if size != 0.0 && size.is_finite() && !(1e-3..1e6).contains(&size) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// The history file of `input`: the file itself, or a run folder's `history.json`
/// (`history.csv` when only that is there).
pub fn history_file(input: &Path) -> Result<PathBuf> {
    if input.is_file() {
        return Ok(input.to_path_buf());
    }
    if !input.exists() {
        bail!(
            "{} does not exist. Fix: give a run folder written by `kindling train` (such as runs/run-001) or a history.json / history.csv file",
            input.display()
        );
    }
    for name in ["history.json", "history.csv"] {
        let file = input.join(name);
        if file.is_file() {
            return Ok(file);
        }
    }
    bail!(
        "{} has no history.json (nor history.csv), so it does not hold a finished run. Fix: give a run folder written by `kindling train`, or the history file itself",
        input.display()
    )
}

/// Finds and loads the history of `input` (see [`history_file`]).
pub fn load_history(input: &Path) -> Result<(PathBuf, History)> {
    let file = history_file(input)?;
    // The library's errors already name the file and say what to point at.
    let history = History::load(&file)?;
    if history.is_empty() {
        bail!(
            "{} records no epochs. Fix: point at the history of a run that trained for at least one epoch",
            file.display()
        );
    }
    Ok((file, history))
}

/// A metric's value for display: four decimals, or `-` when missing or NaN.
pub fn cell(value: Option<f64>) -> String {
    match value {
        Some(value) if value.is_finite() => format!("{value:.4}"),
        _ => "-".to_string(),
    }
}
