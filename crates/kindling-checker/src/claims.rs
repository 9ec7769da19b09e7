//! Claims: the statements a stage's page makes about its run ("the improved model
//! beats the baseline on validation by more than two standard errors", "the
//! weakest class is hexagon"), each a function of a finished run's files that says
//! whether it held and by how much.
//!
//! A claim is defined once, in its stage's checker module (`stages::stageNN::CLAIMS`),
//! and used three ways: the checker judges a learner's read with the same function,
//! the page states only claims listed here, and `cargo xtask robust stageN --seeds K`
//! runs the reference solution at K seeds and counts where each claim held. A
//! lesson the book teaches must hold at every seed the grader may pick.

use std::path::{Path, PathBuf};

use kindling::train::History;
use serde::Serialize;
use serde_json::Value;

use crate::report::StageReport;

/// A finished run's folder and its report, as a claim reads them.
#[derive(Debug, Clone)]
pub struct RunFiles {
    /// The folder the run wrote into (`--out`).
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

    /// A history the run saved, by its path inside the run folder.
    pub fn history(&self, name: &str) -> Result<History, String> {
        History::load(&self.dir.join(name)).map_err(|e| e.to_string())
    }

    /// A number of `report.json`, by a JSON pointer into its values
    /// (`/kfold/std`, `/runs/0/gap`).
    pub fn number(&self, pointer: &str) -> Result<f64, String> {
        self.value(pointer)?
            .as_f64()
            .ok_or_else(|| format!("report.json's {pointer} is not a number"))
    }

    /// A value of `report.json`, by a JSON pointer into its values.
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
}

/// Whether a claim held on one run, and by how much.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The claim held.
    pub held: bool,
    /// How far from failing, in the claim's own unit: positive when it held,
    /// negative (or zero) when it did not. A margin of 0.004 on an accuracy claim
    /// held by less than one image in 200.
    pub margin: f64,
    /// The numbers behind it, in words (`improved 0.612, baseline 0.540: +0.072, 3.1 SE`).
    pub detail: String,
}

impl Verdict {
    /// Held when `value` is above `threshold`; the margin is their difference.
    pub fn above(value: f64, threshold: f64, detail: impl Into<String>) -> Verdict {
        let margin = value - threshold;
        Verdict {
            held: margin > 0.0,
            margin: if margin.is_nan() {
                f64::NEG_INFINITY
            } else {
                margin
            },
            detail: detail.into(),
        }
    }

    /// Held when `value` is below `threshold`; the margin is their difference.
    pub fn below(value: f64, threshold: f64, detail: impl Into<String>) -> Verdict {
        Verdict::above(-value, -threshold, detail)
    }
}

/// One claim a stage's page makes about its run.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// A stable identifier (`s8.improved_beats_baseline`).
    pub id: &'static str,
    /// What the page says, in its words.
    pub statement: &'static str,
    /// The unit of the margin (`accuracy`, `standard errors`, `F1`).
    pub unit: &'static str,
    /// Judges a finished run: an error when the files needed are missing or damaged.
    pub judge: fn(&RunFiles) -> Result<Verdict, String>,
}

impl Claim {
    /// Judges a run; a run the claim cannot read counts as the claim failing.
    pub fn judge_run(&self, run: &RunFiles) -> Verdict {
        (self.judge)(run).unwrap_or_else(|problem| Verdict {
            held: false,
            margin: f64::NEG_INFINITY,
            detail: format!("could not be judged: {problem}"),
        })
    }
}

/// The claims of stage `number`'s page, in page order (none for a stage whose
/// page makes no claim about its run's numbers).
pub fn for_stage(number: u8) -> &'static [Claim] {
    use crate::stages::*;
    match number {
        5 => &stage05::CLAIMS,
        6 => &stage06::CLAIMS,
        7 => &stage07::CLAIMS,
        8 => &stage08::CLAIMS,
        9 => &stage09::CLAIMS,
        10 => &stage10::CLAIMS,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_are_signed_distances_to_the_threshold() {
        let held = Verdict::above(0.62, 0.5, "x");
        assert!(held.held && (held.margin - 0.12).abs() < 1e-12);
        let failed = Verdict::above(0.4, 0.5, "x");
        assert!(!failed.held && failed.margin < 0.0);
        let tie = Verdict::above(0.5, 0.5, "x");
        assert!(!tie.held, "a tie is not a win");
        let below = Verdict::below(0.1, 0.3, "x");
        assert!(below.held && (below.margin - 0.2).abs() < 1e-12);
        let nan = Verdict::above(f64::NAN, 0.5, "x");
        assert!(!nan.held && nan.margin == f64::NEG_INFINITY);
    }

    #[test]
    fn report_values_are_found_by_pointer() {
        let dir = tempfile::tempdir().unwrap();
        let mut report = StageReport {
            stage: 8,
            profile: crate::Profile::Check,
            seed: 1,
            dataset: "builtin".into(),
            run_id: None,
            values: Default::default(),
        };
        report.set(
            "kfold",
            serde_json::json!({"std": 0.02, "scores": [0.5, 0.6]}),
        );
        report.set("gap_shrank", true);
        report.write(dir.path()).unwrap();
        let run = RunFiles::load(dir.path()).unwrap();
        assert_eq!(run.number("/kfold/std").unwrap(), 0.02);
        assert_eq!(run.number("kfold/scores/1").unwrap(), 0.6);
        assert_eq!(run.value("gap_shrank").unwrap(), &Value::Bool(true));
        assert!(
            run.number("/kfold/mean")
                .unwrap_err()
                .contains("/kfold/mean")
        );
        assert!(
            run.number("/gap_shrank")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(run.value("/nothing").unwrap_err().contains("no `nothing`"));
    }

    #[test]
    fn a_claim_that_cannot_read_its_files_fails() {
        let claim = Claim {
            id: "t.x",
            statement: "x",
            unit: "accuracy",
            judge: |run| run.number("/missing").map(|v| Verdict::above(v, 0.0, "")),
        };
        let dir = tempfile::tempdir().unwrap();
        let report = StageReport {
            stage: 8,
            profile: crate::Profile::Check,
            seed: 1,
            dataset: "builtin".into(),
            run_id: None,
            values: Default::default(),
        };
        report.write(dir.path()).unwrap();
        let verdict = claim.judge_run(&RunFiles::load(dir.path()).unwrap());
        assert!(!verdict.held);
        assert!(
            verdict.detail.starts_with("could not be judged"),
            "{}",
            verdict.detail
        );
    }
}
