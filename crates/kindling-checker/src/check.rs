//! A stage's checklist: the items of its book page's "Test your stage", each passed
//! or failed, with a hint for what failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use crate::answers::{ANSWERS_FILE, Answers, AnswersError};
use crate::profile::Profile;
use crate::report::StageReport;

/// Whether an item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It holds.
    Pass,
    /// It does not.
    Fail,
    /// It could not be checked because an earlier item failed.
    Skipped,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckItem {
    /// A stable identifier, such as `s1.counts`.
    pub id: String,
    /// The line as the book's "Test your stage" words it.
    pub title: String,
    /// Pass, fail or skipped.
    pub status: Status,
    /// What was found, when it failed (or a short figure when it passed).
    pub detail: Option<String>,
    /// What to do about a failure.
    pub hint: Option<String>,
}

impl CheckItem {
    /// A passed item.
    pub fn pass(id: &str, title: &str) -> Self {
        CheckItem {
            id: id.into(),
            title: title.into(),
            status: Status::Pass,
            detail: None,
            hint: None,
        }
    }

    /// A failed item with what was found and a hint.
    pub fn fail(id: &str, title: &str, detail: impl Into<String>, hint: impl Into<String>) -> Self {
        CheckItem {
            id: id.into(),
            title: title.into(),
            status: Status::Fail,
            detail: Some(detail.into()),
            hint: Some(hint.into()),
        }
    }

    /// An item not checked because of an earlier failure.
    pub fn skipped(id: &str, title: &str, because: &str) -> Self {
        CheckItem {
            id: id.into(),
            title: title.into(),
            status: Status::Skipped,
            detail: Some(because.into()),
            hint: None,
        }
    }

    /// Passes with `outcome`'s detail, or fails with its detail and its fix.
    pub fn judged((id, title): (&str, &str), outcome: Result<String, Failure>) -> Self {
        match outcome {
            Ok(detail) => CheckItem {
                detail: Some(detail),
                ..CheckItem::pass(id, title)
            },
            Err((detail, fix)) => CheckItem::fail(id, title, detail, fix),
        }
    }

    /// Passes when `outcome` is `Ok`, fails with its detail and `hint` otherwise.
    pub fn from_result(
        id: &str,
        title: &str,
        outcome: Result<Option<String>, String>,
        hint: &str,
    ) -> Self {
        match outcome {
            Ok(detail) => CheckItem {
                detail,
                ..CheckItem::pass(id, title)
            },
            Err(detail) => CheckItem::fail(id, title, detail, hint),
        }
    }
}

/// A failed check: what was found, and the fix to print.
pub type Failure = (String, &'static str);

/// The checklist of one run of one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    /// Stage number.
    pub stage: u8,
    /// The items, in the book's order.
    pub items: Vec<CheckItem>,
}

impl Checklist {
    /// True when every item passed.
    pub fn passed(&self) -> bool {
        self.items.iter().all(|item| item.status == Status::Pass)
    }

    /// Items passed and items in all.
    pub fn score(&self) -> (usize, usize) {
        let passed = self
            .items
            .iter()
            .filter(|i| i.status == Status::Pass)
            .count();
        (passed, self.items.len())
    }
}

/// Everything the checks of a finished run may look at.
#[derive(Debug, Clone)]
pub struct CheckContext {
    /// Stage number.
    pub stage: u8,
    /// The stage's folder (its `src/` and answers file).
    pub stage_dir: PathBuf,
    /// The folder the run wrote its results into.
    pub out_dir: PathBuf,
    /// The stage's answers file.
    pub answers_path: PathBuf,
    /// The identifier the run was given (its report must repeat it).
    pub run_id: Option<String>,
    /// When the run started: every result must be newer.
    pub started: SystemTime,
    /// The profile the run used.
    pub profile: Profile,
    /// The seed the run used.
    pub seed: u64,
    /// Folder holding the reference snapshots (`tests/snapshots`).
    pub snapshots: PathBuf,
    /// Seconds the run took, as the checker measured them around it (`None` when
    /// it was not timed).
    pub run_seconds: Option<f64>,
    /// The reference a history is compared with when grading: the reference
    /// solution run at this context's seed. `None`: the committed snapshot.
    /// (Stage 5's; [`CheckContext::references`] holds every stage's.)
    pub reference: Option<Reference>,
    /// The references made for a grading, by the name of the snapshot each replaces
    /// (`stage05_history`): the reference solution run at this context's seed.
    /// For a learner's own check, empty, unless no snapshot was recorded on a
    /// computer that computes as this one does: then `cargo xtask check` makes the
    /// references here, at the default seed. Read them with
    /// [`CheckContext::reference_or_snapshot`].
    pub references: BTreeMap<String, Reference>,
    /// The stage's other programs, as built, by the name of their source file
    /// (stage 9's `src/bin/predict.rs` is `predict`): checks may run them.
    pub programs: BTreeMap<String, PathBuf>,
}

/// A reference history made by running the reference solution.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Its epochs.
    pub epochs: Vec<crate::bands::ReferenceEpoch>,
    /// Where it comes from, for the item's detail.
    pub origin: String,
}

impl CheckContext {
    /// A context for a run in `out_dir` of the stage whose folder is `stage_dir`.
    pub fn new(stage: u8, stage_dir: &Path, out_dir: &Path, snapshots: &Path) -> Self {
        CheckContext {
            stage,
            stage_dir: stage_dir.to_path_buf(),
            out_dir: out_dir.to_path_buf(),
            answers_path: stage_dir.join(ANSWERS_FILE),
            run_id: None,
            started: SystemTime::UNIX_EPOCH,
            profile: Profile::Check,
            seed: kindling_course::facts::DEFAULT_SEED,
            snapshots: snapshots.to_path_buf(),
            run_seconds: None,
            reference: None,
            references: BTreeMap::new(),
            programs: BTreeMap::new(),
        }
    }

    /// The reference epochs a history is compared with, and where they come from:
    /// the grading's reference for `snapshot` when there is one (the reference
    /// solution run at the grading seed, or here), else the committed snapshot
    /// recorded with this computer's numerics.
    pub fn reference_or_snapshot(
        &self,
        snapshot: &str,
    ) -> Result<(Vec<crate::bands::ReferenceEpoch>, String), String> {
        if let Some(reference) = self.references.get(snapshot) {
            return Ok((reference.epochs.clone(), reference.origin.clone()));
        }
        // A history recorded on a machine that computes otherwise is another run
        // altogether after a few epochs (see `kindling::train::numerics`).
        let path =
            crate::snapshot::local_snapshot_path(&self.snapshots, snapshot).ok_or_else(|| {
                format!(
                    "no reference history `{snapshot}` was recorded on a computer that computes as this one does ({}). Fix: run `cargo xtask check`, which makes one here from the reference solution",
                    kindling::train::numerics()
                )
            })?;
        let read = crate::snapshot::read_snapshot(&path)?;
        let epochs = serde_json::from_value(read.value.clone())
            .map_err(|e| format!("{}: {e}", read.path.display()))?;
        Ok((epochs, read.info))
    }

    /// The stage's other program `name` (see [`CheckContext::programs`]).
    pub fn program(&self, name: &str) -> Result<&Path, String> {
        self.programs
            .get(name)
            .map(PathBuf::as_path)
            .ok_or_else(|| {
                format!("the stage has no program src/bin/{name}.rs, or it was not built")
            })
    }

    /// Reads the run's report, checking that this run wrote it.
    pub fn fresh_report(&self) -> Result<StageReport, String> {
        let report = StageReport::read(&self.out_dir).map_err(|e| e.to_string())?;
        if report.stage != self.stage {
            return Err(format!(
                "report.json is from stage {}, not stage {}",
                report.stage, self.stage
            ));
        }
        if self.run_id.is_some() && report.run_id != self.run_id {
            return Err(
                "report.json was not written by this run (it carries another run's identifier): results left over from an earlier run do not count"
                    .into(),
            );
        }
        if report.profile != self.profile || report.seed != self.seed {
            return Err(format!(
                "report.json is from a {} run with seed {}, the check needs a {} run with seed {}",
                report.profile, report.seed, self.profile, self.seed
            ));
        }
        Ok(report)
    }

    /// A result file of the run, which must exist and be newer than the run's start.
    pub fn fresh_file(&self, name: &str) -> Result<PathBuf, String> {
        let path = self.out_dir.join(name);
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(|_| format!("{name} was not written"))?;
        // File times can be coarser than the clock that stamped the start: a file
        // written in the run's first instants may read a little older. The run id
        // in report.json is the real guard; this catches files from earlier runs.
        let slack = std::time::Duration::from_secs(2);
        if modified + slack < self.started {
            return Err(format!(
                "{name} is older than this run: it was left by an earlier run"
            ));
        }
        Ok(path)
    }

    /// The answers file, parsed.
    pub fn answers(&self) -> Result<Answers, AnswersError> {
        Answers::load(&self.answers_path)
    }
}

/// The item every stage starts with after building and running: the results
/// really come from this run.
pub fn fresh_results_item(context: &CheckContext) -> (CheckItem, Option<StageReport>) {
    let (id, title) = crate::stages::COMMON_ITEMS[2];
    match context.fresh_report() {
        Ok(report) => (CheckItem::pass(id, title), Some(report)),
        Err(detail) => (
            CheckItem::fail(
                id,
                title,
                detail,
                "Make sure the program ends by writing its report (the last step of the page) into the folder given with --out.",
            ),
            None,
        ),
    }
}

/// The checks of a finished run: the freshness item, then the stage's own items
/// (skipped when there is no fresh report to read).
pub fn evaluate_run(stage: &crate::stages::StageInfo, context: &CheckContext) -> Vec<CheckItem> {
    let (fresh, report) = fresh_results_item(context);
    let mut items = vec![fresh];
    match (report, stage.evaluate) {
        (Some(report), Some(evaluate)) => items.extend(evaluate(context, &report)),
        _ => items.extend(stage.items.iter().map(|(id, title)| {
            CheckItem::skipped(id, title, "not checked: this run left no report of its own")
        })),
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_file_from_the_runs_first_instants_counts_but_an_old_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.txt");
        std::fs::write(&path, "table").unwrap();
        let written = std::fs::metadata(&path).unwrap().modified().unwrap();
        let mut context = CheckContext::new(4, dir.path(), dir.path(), dir.path());
        // The run's clock read a few milliseconds after the file's time.
        context.started = written + Duration::from_millis(4);
        assert_eq!(context.fresh_file("summary.txt").unwrap(), path);
        context.started = written + Duration::from_secs(5);
        let stale = context.fresh_file("summary.txt").unwrap_err();
        assert!(stale.contains("earlier run"), "{stale}");
    }
}
