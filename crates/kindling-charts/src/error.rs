//! `ChartError`: every way drawing a chart can fail, each message naming the file or
//! metric, the problem and the fix.

use std::io;
use std::path::PathBuf;

use kindling_train::history::HistoryError;

/// Why a chart could not be drawn. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The output file name does not end in `.png` or `.svg`.
    #[error(
        "{path}: {}, so the chart format is unknown. Fix: end the file name with `.png` (bitmap) or `.svg` (vector)",
        describe_extension(.extension)
    )]
    UnsupportedFormat {
        /// The output file.
        path: PathBuf,
        /// Its extension, if it has one.
        extension: Option<String>,
    },

    /// A metric was asked for that the history does not record.
    #[error(
        "the history has no metric `{metric}`; {}. Fix: ask for one of those names (validation metrics are the `val_` ones)",
        describe_available(.available)
    )]
    MissingMetric {
        /// The metric asked for.
        metric: String,
        /// The metrics the history does record, in column order.
        available: Vec<String>,
    },

    /// There is nothing to draw: no series, or series without a single finite value.
    #[error("{path}: nothing to draw: {what}. Fix: {fix}")]
    EmptyData {
        /// The output file.
        path: PathBuf,
        /// What is empty.
        what: String,
        /// What to do about it.
        fix: String,
    },

    /// A log-scale axis was asked for but a value is zero or negative.
    #[error(
        "{path}: a log-scale {axis} axis can only show values above 0, but `{series}` has {value} at {position}. Fix: draw it on a linear scale, or leave the values <= 0 out"
    )]
    NonPositiveOnLogScale {
        /// The output file.
        path: PathBuf,
        /// `"x"` or `"y"`.
        axis: &'static str,
        /// The series (metric, run) holding the value.
        series: String,
        /// The offending value.
        value: f64,
        /// Where it is: `epoch 3`, `point 2 (x = 0)`, ...
        position: String,
    },

    /// The inputs do not fit together (a matrix that is not square, pixels that do not
    /// match the image size, zero columns, ...).
    #[error("{path}: {problem}. Fix: {fix}")]
    InvalidInput {
        /// The output file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
        /// What to do about it.
        fix: String,
    },

    /// Plotting or PNG encoding failed. Inputs are checked first, so this points at a
    /// bug rather than at the caller.
    #[error(
        "{path}: drawing the chart failed: {message}. Fix: none on your side; please report this as a kindling-charts bug"
    )]
    Draw {
        /// The output file.
        path: PathBuf,
        /// What the plotting library said.
        message: String,
    },

    /// The finished chart could not be written.
    #[error(
        "{path}: could not write the chart: {source}. Fix: check that the folder exists and is writable"
    )]
    Write {
        /// The output file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },

    /// The history file for [`history_chart`](crate::history_chart) could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
}

fn describe_extension(extension: &Option<String>) -> String {
    match extension {
        Some(extension) => format!("`.{extension}` is neither `.png` nor `.svg`"),
        None => "the file name has no extension".to_string(),
    }
}

fn describe_available(available: &[String]) -> String {
    if available.is_empty() {
        "it records no metrics at all (no epoch has been recorded)".to_string()
    } else {
        format!("it records: {}", available.join(", "))
    }
}
