//! `report.json`: the numbers a stage program hands in, which the checker reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use kindling::data::atomic::write_bytes_atomically;

use crate::args::StageArgs;
use crate::profile::Profile;

/// The file name of a stage's report inside its results folder.
pub const REPORT_FILE: &str = "report.json";

/// What a stage run produced, as named values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// Stage number, 1 to 10.
    pub stage: u8,
    /// The run's size.
    pub profile: Profile,
    /// The seed used.
    pub seed: u64,
    /// The dataset, as `--dataset` names it.
    pub dataset: String,
    /// The checker's identifier for this run, if it passed one.
    pub run_id: Option<String>,
    /// Named results.
    pub values: BTreeMap<String, Value>,
}

/// A report that could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing or reading failed.
    #[error("{path}: {problem}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
}

impl StageReport {
    /// An empty report for stage `stage` of a run with these arguments.
    pub fn new(stage: u8, args: &StageArgs) -> Self {
        StageReport {
            stage,
            profile: args.profile,
            seed: args.seed,
            dataset: args.dataset.to_string(),
            run_id: args.run_id.clone(),
            values: BTreeMap::new(),
        }
    }

    /// Records a named result.
    pub fn set(&mut self, key: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.values.insert(key.to_string(), value);
    }

    /// A named result, if recorded.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Writes `report.json` into `dir`, atomically.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, ReportError> {
        let path = dir.join(REPORT_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|e| ReportError::File {
            path: path.clone(),
            problem: e.to_string(),
        })? + "\n";
        write_bytes_atomically(&path, text.as_bytes()).map_err(|e| ReportError::File {
            path: path.clone(),
            problem: e.to_string(),
        })?;
        Ok(path)
    }

    /// Reads `report.json` from `dir`.
    pub fn read(dir: &Path) -> Result<StageReport, ReportError> {
        let path = dir.join(REPORT_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| ReportError::File {
            path: path.clone(),
            problem: e.to_string(),
        })?;
        serde_json::from_str(&text).map_err(|e| ReportError::File {
            path,
            problem: format!("not a stage report: {e}"),
        })
    }
}
