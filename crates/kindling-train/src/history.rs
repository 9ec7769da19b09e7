//! `History`: what happened in each epoch of a training run, in the spirit of Keras'
//! `History.history`: one list of numbers per metric, one entry per epoch.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use kindling_data::atomic::write_atomically;

/// Whether smaller or larger values of a metric are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Smaller is better (losses, errors).
    Min,
    /// Larger is better (accuracy, F1).
    Max,
}

impl Mode {
    /// The usual direction for a metric name: anything that names a loss or an
    /// error goes down, everything else goes up.
    pub fn for_metric(name: &str) -> Mode {
        let name = name.to_ascii_lowercase();
        let lower_is_better = ["loss", "error", "mse", "mae", "rmse", "seconds"];
        if lower_is_better.iter().any(|word| name.contains(word)) {
            Mode::Min
        } else {
            Mode::Max
        }
    }

    /// True when `candidate` beats `reference` by more than `min_delta`.
    pub fn improves(self, candidate: f64, reference: f64, min_delta: f64) -> bool {
        match self {
            Mode::Min => candidate < reference - min_delta,
            Mode::Max => candidate > reference + min_delta,
        }
    }
}

/// One metric's value at its best epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestEpoch {
    /// Epoch number, counted from 1.
    pub epoch: usize,
    /// The metric's value at that epoch.
    pub value: f64,
}

/// Every metric's value at one epoch, in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRow {
    /// Epoch number, counted from 1.
    pub epoch: usize,
    /// `(metric, value)` pairs in the history's column order.
    pub values: Vec<(String, f64)>,
}

impl EpochRow {
    /// The value of one metric at this epoch.
    pub fn get(&self, metric: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(name, _)| name == metric)
            .map(|(_, value)| *value)
    }
}

/// Problems reading or writing a history file.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The file could not be read or written.
    #[error(
        "{path}: {source}. Fix: check that the path is right and that the folder exists and can be written"
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The file is not a history Kindling can read.
    #[error("{path}: {problem}. Fix: point at a history.json or history.csv written by Kindling")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A metric was asked for that the history does not record.
    #[error("the history has no metric `{metric}`; it records: {available}")]
    UnknownMetric {
        /// The metric asked for.
        metric: String,
        /// The metrics it does record, comma separated.
        available: String,
    },
}

/// The context key `fit` sets to [`STATUS_INTERRUPTED`] when a run is stopped from outside.
pub const STATUS_KEY: &str = "status";
/// The status of a run stopped by an [`Interrupt`](crate::Interrupt).
pub const STATUS_INTERRUPTED: &str = "interrupted";

/// Per-epoch metrics of a training run, plus the context needed to reproduce it.
///
/// Columns keep the order in which they were first recorded (Keras order for `fit`:
/// loss, accuracy, val_loss, val_accuracy, lr, seconds). A value missing at some epoch
/// is stored as NaN.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    columns: Vec<(String, Vec<f64>)>,
    epochs: usize,
    /// Free-form facts about the run: seed, device, burn version, data sizes.
    pub context: BTreeMap<String, String>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// The columns as stored, for exact copies (checkpoints).
    pub(crate) fn columns(&self) -> &[(String, Vec<f64>)] {
        &self.columns
    }

    /// A history rebuilt from [`columns`](Self::columns) of equal length.
    pub(crate) fn from_columns(
        columns: Vec<(String, Vec<f64>)>,
        context: BTreeMap<String, String>,
    ) -> History {
        let epochs = columns.first().map_or(0, |(_, values)| values.len());
        History {
            columns,
            epochs,
            context,
        }
    }

    /// True when the run was stopped from outside (Ctrl-C) before its last epoch:
    /// it holds the epochs that finished.
    pub fn interrupted(&self) -> bool {
        self.context.get(STATUS_KEY).map(String::as_str) == Some(STATUS_INTERRUPTED)
    }

    /// Adds a fact about the run (seed, device, ...), replacing an earlier one.
    pub fn set_context(&mut self, key: impl Into<String>, value: impl ToString) {
        self.context.insert(key.into(), value.to_string());
    }

    /// Records one epoch. New metric names become new columns (NaN for the epochs
    /// before); metrics left out of this row get NaN.
    pub fn push_epoch<I, K>(&mut self, row: I)
    where
        I: IntoIterator<Item = (K, f64)>,
        K: Into<String>,
    {
        for (name, value) in row {
            let name = name.into();
            let index = match self.columns.iter().position(|(n, _)| *n == name) {
                Some(index) => index,
                None => {
                    self.columns.push((name, vec![f64::NAN; self.epochs]));
                    self.columns.len() - 1
                }
            };
            let values = &mut self.columns[index].1;
            if values.len() > self.epochs {
                // The same metric twice in one row: the later value wins.
                values[self.epochs] = value;
            } else {
                values.push(value);
            }
        }
        self.epochs += 1;
        for (_, values) in &mut self.columns {
            values.resize(self.epochs, f64::NAN);
        }
    }

    /// Number of epochs recorded.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// True when no epoch has been recorded.
    pub fn is_empty(&self) -> bool {
        self.epochs == 0
    }

    /// Metric names in column order.
    pub fn metrics(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(name, _)| name.as_str())
    }

    /// One metric's values, epoch 1 first.
    pub fn get(&self, metric: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(name, _)| name == metric)
            .map(|(_, values)| values.as_slice())
    }

    /// Like [`get`](Self::get), with an error that lists the metrics on record.
    pub fn require(&self, metric: &str) -> Result<&[f64], HistoryError> {
        self.get(metric).ok_or_else(|| HistoryError::UnknownMetric {
            metric: metric.to_string(),
            available: self.metrics().collect::<Vec<_>>().join(", "),
        })
    }

    /// Every metric at one epoch (counted from 1).
    pub fn row(&self, epoch: usize) -> Option<EpochRow> {
        if epoch == 0 || epoch > self.epochs {
            return None;
        }
        Some(EpochRow {
            epoch,
            values: self
                .columns
                .iter()
                .map(|(name, values)| (name.clone(), values[epoch - 1]))
                .collect(),
        })
    }

    /// Every metric at the last epoch. (Keras calls this the final values; `final`
    /// is a reserved word in Rust.)
    pub fn final_epoch(&self) -> Option<EpochRow> {
        self.row(self.epochs)
    }

    /// The best epoch for a metric, in the metric's usual direction
    /// ([`Mode::for_metric`]): lowest loss, highest accuracy. Ties go to the earlier
    /// epoch; NaN values never win.
    pub fn best(&self, metric: &str) -> Option<BestEpoch> {
        self.best_by(metric, Mode::for_metric(metric))
    }

    /// The best epoch for a metric in the given direction.
    pub fn best_by(&self, metric: &str, mode: Mode) -> Option<BestEpoch> {
        let values = self.get(metric)?;
        let mut best: Option<BestEpoch> = None;
        for (index, &value) in values.iter().enumerate() {
            if value.is_nan() {
                continue;
            }
            let better = match best {
                None => true,
                Some(current) => mode.improves(value, current.value, 0.0),
            };
            if better {
                best = Some(BestEpoch {
                    epoch: index + 1,
                    value,
                });
            }
        }
        best
    }

    /// Writes the history as CSV when `path` ends in `.csv`, else as JSON, atomically:
    /// the format [`load`](Self::load) reads back from the same name.
    pub fn save(&self, path: &Path) -> Result<(), HistoryError> {
        if is_csv_path(path) {
            self.save_csv(path)
        } else {
            self.save_json(path)
        }
    }

    /// Writes the history as JSON, atomically.
    pub fn save_json(&self, path: &Path) -> Result<(), HistoryError> {
        write_atomically(path, |writer| {
            serde_json::to_writer_pretty(&mut *writer, self).map_err(io::Error::other)?;
            writer.write_all(b"\n")
        })
        .map_err(|source| io_error(path, source))
    }

    /// Writes the history as CSV (`epoch,` then one column per metric), atomically.
    pub fn save_csv(&self, path: &Path) -> Result<(), HistoryError> {
        write_atomically(path, |writer| self.write_csv(writer))
            .map_err(|source| io_error(path, source))
    }

    /// Writes the CSV form to any writer.
    pub fn write_csv(&self, writer: &mut dyn Write) -> io::Result<()> {
        write!(writer, "epoch")?;
        for name in self.metrics() {
            write!(writer, ",{name}")?;
        }
        writeln!(writer)?;
        for epoch in 1..=self.epochs {
            write!(writer, "{epoch}")?;
            for (_, values) in &self.columns {
                let value = values[epoch - 1];
                if value.is_nan() {
                    write!(writer, ",")?;
                } else {
                    write!(writer, ",{value}")?;
                }
            }
            writeln!(writer)?;
        }
        Ok(())
    }

    /// Reads a history written by [`save_json`](Self::save_json) or
    /// [`save_csv`](Self::save_csv), chosen by the file extension.
    pub fn load(path: &Path) -> Result<History, HistoryError> {
        let text = std::fs::read_to_string(path).map_err(|source| io_error(path, source))?;
        let parsed = if is_csv_path(path) {
            Self::parse_csv(&text)
        } else {
            serde_json::from_str(&text).map_err(|error| error.to_string())
        };
        parsed.map_err(|problem| HistoryError::Format {
            path: path.to_path_buf(),
            problem,
        })
    }

    fn parse_csv(text: &str) -> Result<History, String> {
        let mut lines = text.lines().filter(|line| !line.trim().is_empty());
        let header = lines.next().ok_or("the file is empty")?;
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        if names.first() != Some(&"epoch") {
            return Err("the first column must be `epoch`".into());
        }
        let mut history = History::new();
        for (index, line) in lines.enumerate() {
            let row_number = index + 2;
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != names.len() {
                return Err(format!(
                    "row {row_number} has {} cells but the header has {}",
                    cells.len(),
                    names.len()
                ));
            }
            let mut row = Vec::with_capacity(names.len() - 1);
            for (name, cell) in names.iter().zip(&cells).skip(1) {
                let value = if cell.is_empty() {
                    f64::NAN
                } else {
                    cell.parse::<f64>().map_err(|_| {
                        format!("row {row_number}, column `{name}`: `{cell}` is not a number")
                    })?
                };
                row.push((name.to_string(), value));
            }
            history.push_epoch(row);
        }
        Ok(history)
    }
}

/// The file format rule shared by [`History::save`] and [`History::load`].
fn is_csv_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"))
}

fn io_error(path: &Path, source: io::Error) -> HistoryError {
    HistoryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Serialised as `{"epochs": n, "metrics": {"loss": [...], ...}, "context": {...}}`, with
/// metrics in column order and NaN written as `null`.
impl Serialize for History {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Columns<'a>(&'a [(String, Vec<f64>)]);
        impl Serialize for Columns<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (name, values) in self.0 {
                    let values: Vec<Option<f64>> = values
                        .iter()
                        .map(|v| if v.is_finite() { Some(*v) } else { None })
                        .collect();
                    map.serialize_entry(name, &values)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("epochs", &self.epochs)?;
        map.serialize_entry("metrics", &Columns(&self.columns))?;
        map.serialize_entry("context", &self.context)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Columns(Vec<(String, Vec<f64>)>);
        impl<'de> Deserialize<'de> for Columns {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ColumnsVisitor;
                impl<'de> Visitor<'de> for ColumnsVisitor {
                    type Value = Columns;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a map from metric name to a list of numbers")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Columns, A::Error> {
                        let mut columns = Vec::new();
                        while let Some((name, values)) =
                            map.next_entry::<String, Vec<Option<f64>>>()?
                        {
                            let values = values.into_iter().map(|v| v.unwrap_or(f64::NAN));
                            columns.push((name, values.collect()));
                        }
                        Ok(Columns(columns))
                    }
                }
                deserializer.deserialize_map(ColumnsVisitor)
            }
        }

        #[derive(Deserialize)]
        struct Raw {
            metrics: Columns,
            #[serde(default)]
            context: BTreeMap<String, String>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let epochs = raw.metrics.0.first().map_or(0, |(_, v)| v.len());
        if let Some((name, values)) = raw.metrics.0.iter().find(|(_, v)| v.len() != epochs) {
            return Err(de::Error::custom(format!(
                "metric `{name}` has {} values but others have {epochs}",
                values.len()
            )));
        }
        Ok(History {
            columns: raw.metrics.0,
            epochs,
            context: raw.context,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> History {
        let mut history = History::new();
        history.push_epoch([("loss", 2.0), ("accuracy", 0.2)]);
        history.push_epoch([("loss", 1.0), ("accuracy", 0.5)]);
        history.push_epoch([("loss", 1.5), ("accuracy", 0.5)]);
        history.set_context("seed", 7);
        history
    }

    #[test]
    fn best_uses_the_metrics_direction_and_prefers_the_earlier_tie() {
        let history = sample();
        assert_eq!(history.best("loss").unwrap().epoch, 2);
        assert_eq!(history.best("accuracy").unwrap().epoch, 2);
        assert_eq!(history.best_by("loss", Mode::Max).unwrap().epoch, 1);
        assert!(history.best("val_loss").is_none());
    }

    #[test]
    fn final_epoch_is_the_last_row() {
        let row = sample().final_epoch().unwrap();
        assert_eq!(row.epoch, 3);
        assert_eq!(row.get("loss"), Some(1.5));
    }

    #[test]
    fn a_metric_that_appears_late_is_padded_with_nan() {
        let mut history = sample();
        history.push_epoch([("loss", 1.0), ("lr", 0.1)]);
        let lr = history.get("lr").unwrap();
        assert_eq!(lr.len(), 4);
        assert!(lr[0].is_nan() && lr[3] == 0.1);
        assert!(history.get("accuracy").unwrap()[3].is_nan());
    }

    #[test]
    fn json_and_csv_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut history = sample();
        history.push_epoch([("loss", f64::NAN), ("accuracy", 0.6)]);
        let json = dir.path().join("h.json");
        let csv = dir.path().join("h.csv");
        history.save_json(&json).unwrap();
        history.save_csv(&csv).unwrap();
        let from_json = History::load(&json).unwrap();
        let from_csv = History::load(&csv).unwrap();
        for loaded in [&from_json, &from_csv] {
            assert_eq!(loaded.epochs(), 4);
            assert_eq!(loaded.metrics().collect::<Vec<_>>(), ["loss", "accuracy"]);
            assert_eq!(loaded.get("accuracy").unwrap(), [0.2, 0.5, 0.5, 0.6]);
            assert!(loaded.get("loss").unwrap()[3].is_nan());
        }
        assert_eq!(from_json.context.get("seed").map(String::as_str), Some("7"));
    }

    #[test]
    fn a_malformed_csv_names_the_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        std::fs::write(&path, "epoch,loss\n1,0.5\n2,abc\n").unwrap();
        let message = History::load(&path).unwrap_err().to_string();
        assert!(message.contains("row 3"), "{message}");
        assert!(message.contains("`loss`"), "{message}");
    }

    #[test]
    fn require_lists_the_available_metrics() {
        let message = sample().require("f1").unwrap_err().to_string();
        assert!(message.contains("loss, accuracy"), "{message}");
    }
}
