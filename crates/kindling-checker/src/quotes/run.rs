//! A finished run folder, read for its quotes. The same reading as the claims'
//! (`cargo xtask robust`): `report.json` values by JSON pointer, histories by name.

use std::path::{Path, PathBuf};

use serde_json::Value;

use kindling::train::History;

use crate::report::StageReport;

/// The files of one finished run: its `report.json` and whatever else it wrote.
#[derive(Debug, Clone)]
pub struct RunFiles {
    /// The run folder.
    pub dir: PathBuf,
    /// Its `report.json`.
    pub report: StageReport,
}

impl RunFiles {
    /// Reads the run in `dir` (its `report.json` must be there).
    pub fn load(dir: &Path) -> Result<RunFiles, String> {
        let report = StageReport::read(dir).map_err(|e| e.to_string())?;
        Ok(RunFiles {
            dir: dir.to_path_buf(),
            report,
        })
    }

    /// A value of `report.json`, by a JSON pointer into its values
    /// (`image_count`, `/learning_rates/1/verdict/epoch`).
    pub fn value(&self, pointer: &str) -> Result<&Value, String> {
        let (key, rest) = match pointer.trim_start_matches('/').split_once('/') {
            Some((key, rest)) => (key, format!("/{rest}")),
            None => (pointer.trim_start_matches('/'), String::new()),
        };
        let value = self
            .report
            .get(key)
            .ok_or_else(|| format!("report.json has no `{key}`"))?;
        if rest.is_empty() {
            return Ok(value);
        }
        value
            .pointer(&rest)
            .ok_or_else(|| format!("report.json has no {pointer}"))
    }

    /// A number of `report.json`, by a JSON pointer into its values.
    pub fn number(&self, pointer: &str) -> Result<f64, String> {
        self.value(pointer)?
            .as_f64()
            .ok_or_else(|| format!("report.json's {pointer} is not a number"))
    }

    /// A history the run saved, by its path inside the run folder.
    pub fn history(&self, name: &str) -> Result<History, String> {
        History::load(&self.dir.join(name)).map_err(|e| e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_values_are_found_by_key_or_pointer() {
        let dir = tempfile::tempdir().unwrap();
        let mut report = StageReport {
            stage: 5,
            profile: crate::Profile::Check,
            seed: 1,
            dataset: "builtin".into(),
            run_id: None,
            values: Default::default(),
        };
        report.set("rates", serde_json::json!([{"epoch": 19}]));
        report.set("count", 3);
        report.write(dir.path()).unwrap();
        let run = RunFiles::load(dir.path()).unwrap();
        assert_eq!(run.number("count").unwrap(), 3.0);
        assert_eq!(run.number("/rates/0/epoch").unwrap(), 19.0);
        assert!(
            run.number("/rates/1/epoch")
                .unwrap_err()
                .contains("/rates/1/epoch")
        );
        assert!(run.value("nothing").unwrap_err().contains("no `nothing`"));
    }
}
