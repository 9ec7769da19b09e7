//! A finished run folder, read for its quotes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use kindling::train::History;

use crate::report::StageReport;

/// The files of one finished run: its `report.json` and whatever else it wrote.
pub struct RunFiles {
    /// The run folder.
    pub dir: PathBuf,
    /// Its `report.json`.
    pub report: StageReport,
}

impl RunFiles {
    /// Reads the run folder's `report.json`.
    pub fn open(dir: &Path) -> Result<RunFiles, String> {
        let report = StageReport::read(dir).map_err(|e| e.to_string())?;
        Ok(RunFiles {
            dir: dir.to_path_buf(),
            report,
        })
    }

    /// A value of `report.json`, by key.
    pub fn value(&self, key: &str) -> Result<&Value, String> {
        self.report
            .get(key)
            .ok_or_else(|| format!("report.json has no `{key}`"))
    }

    /// A number of `report.json`, by key.
    pub fn number(&self, key: &str) -> Result<f64, String> {
        self.value(key)?
            .as_f64()
            .ok_or_else(|| format!("report.json's `{key}` is not a number"))
    }

    /// A number inside a value of `report.json`: key, then a JSON pointer.
    pub fn number_at(&self, key: &str, pointer: &str) -> Result<f64, String> {
        self.value(key)?
            .pointer(pointer)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("report.json's `{key}` has no number at {pointer}"))
    }

    /// A history the run saved, such as `history.json`.
    pub fn history(&self, name: &str) -> Result<History, String> {
        History::load(&self.dir.join(name)).map_err(|e| e.to_string())
    }

    /// Any JSON file the run wrote.
    pub fn json(&self, name: &str) -> Result<Value, String> {
        let path = self.dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A metric of a history at an epoch counted from 1.
pub fn at(history: &History, metric: &str, epoch: usize) -> Result<f64, String> {
    history
        .get(metric)
        .and_then(|values| values.get(epoch.wrapping_sub(1)))
        .copied()
        .ok_or_else(|| format!("the history has no {metric} at epoch {epoch}"))
}
