//! The results table: one row per trial, parameters then metrics, best first,
//! as CSV or Markdown.

use std::fmt;
use std::path::Path;

use kindling_data::atomic::write_bytes_atomically;

use crate::history::Mode;

use super::error::TuningError;
use super::search::SearchResults;
use super::value::ParamValue;

/// A search's trials as a table, sorted best first by one metric.
///
/// Columns: `trial`, every parameter, every metric, and `error` when some trial
/// failed. CSV keeps full precision (empty cells for missing values); Markdown
/// rounds to four significant digits for reading.
///
/// ```
/// use kindling_train::Mode;
/// use kindling_train::tuning::{SearchSpace, TuningError, grid_search};
/// let space = SearchSpace::new().values("lr", [0.1, 0.01]);
/// let results = grid_search(&space, |p| {
///     Ok::<_, TuningError>([("val_loss", p.f64("lr")? * 10.0)])
/// })?;
/// let table = results.table("val_loss", Mode::Min)?;
/// assert_eq!(table.to_csv(), "trial,lr,val_loss\n2,0.01,0.1\n1,0.1,1\n");
/// # Ok::<(), TuningError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsTable {
    /// The metric the rows are sorted by.
    pub sort_by: String,
    /// Its direction.
    pub mode: Mode,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells; `None` where a trial has no value.
    rows: Vec<Vec<Option<Cell>>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
}

impl SearchResults {
    /// The results as a table sorted best first by `metric` in `mode` (see
    /// [`SearchResults::sorted_by`] for ties and missing values).
    pub fn table(&self, metric: &str, mode: Mode) -> Result<ResultsTable, TuningError> {
        let sorted = self.sorted_by(metric, mode)?;
        let parameters = self.parameter_names();
        let metrics = self.metric_names();
        let with_errors = self.failures() > 0;
        let mut columns = vec!["trial".to_string()];
        columns.extend(parameters.iter().cloned());
        columns.extend(metrics.iter().cloned());
        if with_errors {
            columns.push("error".to_string());
        }
        let rows = sorted
            .into_iter()
            .map(|trial| {
                let mut row = vec![Some(Cell::Text(trial.number.to_string()))];
                for name in &parameters {
                    row.push(trial.params.get(name).map(|value| match value {
                        ParamValue::Int(v) => Cell::Text(v.to_string()),
                        ParamValue::Float(v) => Cell::Number(*v),
                        ParamValue::Text(v) => Cell::Text(v.clone()),
                    }));
                }
                for name in &metrics {
                    row.push(trial.metric(name).map(Cell::Number));
                }
                if with_errors {
                    row.push(trial.error().map(|e| Cell::Text(e.to_string())));
                }
                row
            })
            .collect();
        Ok(ResultsTable {
            sort_by: metric.to_string(),
            mode,
            columns,
            rows,
        })
    }
}

impl ResultsTable {
    /// Number of rows (trials).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as CSV, numbers at full precision; cells with commas, quotes or
    /// line breaks are quoted (RFC 4180).
    pub fn to_csv(&self) -> String {
        let mut text = String::new();
        let mut line = |cells: Vec<String>| {
            let quoted: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
            text.push_str(&quoted.join(","));
            text.push('\n');
        };
        line(self.columns.clone());
        for row in &self.rows {
            line(
                row.iter()
                    .map(|cell| match cell {
                        None => String::new(),
                        Some(Cell::Number(value)) if value.is_nan() => String::new(),
                        Some(Cell::Number(value)) => value.to_string(),
                        Some(Cell::Text(text)) => text.clone(),
                    })
                    .collect(),
            );
        }
        text
    }

    /// The table as Markdown, numbers rounded to four significant digits.
    pub fn to_markdown(&self) -> String {
        let mut text = String::new();
        let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        text.push_str(&line(self.columns.clone()));
        text.push_str(&line(
            self.columns.iter().map(|_| "---".to_string()).collect(),
        ));
        for row in &self.rows {
            let cells = row
                .iter()
                .map(|cell| match cell {
                    None => "-".to_string(),
                    Some(Cell::Number(value)) => significant(*value),
                    Some(Cell::Text(text)) => text.replace('|', "\\|").replace('\n', " "),
                })
                .collect();
            text.push_str(&line(cells));
        }
        text
    }

    /// Writes [`to_csv`](Self::to_csv) to `path` atomically (never half a file).
    pub fn save_csv(&self, path: &Path) -> Result<(), TuningError> {
        save(path, &self.to_csv())
    }

    /// Writes [`to_markdown`](Self::to_markdown) to `path` atomically.
    pub fn save_markdown(&self, path: &Path) -> Result<(), TuningError> {
        save(path, &self.to_markdown())
    }
}

impl fmt::Display for ResultsTable {
    /// The Markdown form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn save(path: &Path, text: &str) -> Result<(), TuningError> {
    write_bytes_atomically(path, text.as_bytes()).map_err(|source| TuningError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Four significant digits: plain notation from 0.001 to below 1,000,000,
/// scientific outside.
fn significant(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "-".to_string()
        } else {
            value.to_string()
        };
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let exponent = value.abs().log10().floor() as i32;
    if !(-3..6).contains(&exponent) {
        return format!("{value:.3e}");
    }
    let decimals = (3 - exponent).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn four_significant_digits() {
        assert_eq!(significant(0.123456), "0.1235");
        assert_eq!(significant(12.5), "12.5");
        assert_eq!(significant(1234567.0), "1.235e6");
        assert_eq!(significant(0.0001234), "1.234e-4");
        assert_eq!(significant(-2.0), "-2");
        assert_eq!(significant(0.0), "0");
    }
}
