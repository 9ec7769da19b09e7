//! The ten stages: names, what `cargo xtask check` verifies for each, and the
//! hints it prints.

pub mod stage01;
pub mod stage02;
pub mod stage03;
pub mod stage04;
pub mod stage05;
pub mod stage06;
pub mod stage07;
pub mod stage08;
pub mod stage09;
pub mod stage10;

use crate::check::{CheckContext, CheckItem, Failure};
use crate::report::StageReport;

/// A symptom, its likely cause and the fix: one row of a page's "If it breaks".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    /// What the learner sees.
    pub symptom: &'static str,
    /// Why it happens.
    pub cause: &'static str,
    /// What to do.
    pub fix: &'static str,
}

/// One stage of the course.
#[derive(Debug, Clone, Copy)]
pub struct StageInfo {
    /// 1 to 10.
    pub number: u8,
    /// Short name, as on the course map.
    pub name: &'static str,
    /// The stage-specific checklist lines (after the common ones), in page order.
    pub items: &'static [(&'static str, &'static str)],
    /// The page's "If it breaks" rows.
    pub hints: &'static [Hint],
    /// Seconds a check run may take before it is stopped.
    pub time_limit: u64,
    /// The checks of a finished run; `None` for stages not written yet.
    pub evaluate: Option<fn(&CheckContext, &StageReport) -> Vec<CheckItem>>,
}

/// The checklist lines every written stage starts with.
pub const COMMON_ITEMS: [(&str, &str); 3] = [
    ("common.build", "The stage builds"),
    (
        "common.run",
        "The stage runs to the end without an error, within its time limit",
    ),
    (
        "common.fresh",
        "The results come from this run (report.json)",
    ),
];

/// Hints that apply to every stage.
pub const COMMON_HINTS: [Hint; 2] = [
    Hint {
        symptom: "The run takes far longer than the reference",
        cause: "a debug build of the dependencies, or a slow backend",
        fix: "keep the workspace's [profile.dev] settings (dependencies optimised), and run on the CPU's default Flex device (leave KINDLING_DEVICE unset)",
    },
    Hint {
        symptom: "The check says results come from an earlier run",
        cause: "the program did not write report.json into the folder passed with --out",
        fix: "write every result into args.out_dir(..) and finish with report.write(..)",
    },
];

/// Every stage, in order.
pub const STAGES: [StageInfo; 10] = [
    stage01::STAGE,
    stage02::STAGE,
    stage03::STAGE,
    stage04::STAGE,
    stage05::STAGE,
    stage06::STAGE,
    stage07::STAGE,
    stage08::STAGE,
    stage09::STAGE,
    stage10::STAGE,
];

/// A stage name the checker does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown stage `{0}`. Fix: name a stage from stage1 to stage10 (stage5, stage05 and 5 all work)"
)]
pub struct UnknownStage(pub String);

/// Reads `stage5`, `stage05`, `5` or `05`.
pub fn parse_stage(text: &str) -> Result<&'static StageInfo, UnknownStage> {
    let digits = text.trim().to_ascii_lowercase();
    let digits = digits.strip_prefix("stage").unwrap_or(&digits);
    let number: u8 = digits.parse().map_err(|_| UnknownStage(text.to_string()))?;
    STAGES
        .iter()
        .find(|stage| stage.number == number)
        .ok_or_else(|| UnknownStage(text.to_string()))
}

impl StageInfo {
    /// Whether its page, exercise and checks exist yet.
    pub fn written(&self) -> bool {
        self.evaluate.is_some()
    }

    /// The folder name, `stage05`.
    pub fn slug(&self) -> String {
        format!("stage{:02}", self.number)
    }

    /// Every checklist line: the common ones, then the stage's own.
    pub fn checklist_titles(&self) -> Vec<&'static str> {
        COMMON_ITEMS
            .iter()
            .chain(self.items)
            .map(|(_, title)| *title)
            .collect()
    }
}

/// Runs `judge` when the checker's own copy of the data could be loaded.
pub(crate) fn with_truth<T, U>(
    truth: &Result<T, String>,
    judge: impl FnOnce(&T) -> Result<U, Failure>,
) -> Result<U, Failure> {
    match truth {
        Ok(truth) => judge(truth),
        Err(error) => Err((
            format!("the checker could not load the data: {error}"),
            "Run `cargo xtask check` from the course repository, with its built-in data.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_parse_in_every_spelling() {
        for text in ["stage5", "stage05", "5", "05", "Stage5"] {
            assert_eq!(parse_stage(text).unwrap().number, 5);
        }
        for text in ["stage11", "stage", "five", ""] {
            let message = parse_stage(text).unwrap_err().to_string();
            assert!(message.contains("stage1 to stage10"), "{message}");
        }
    }

    #[test]
    fn item_identifiers_are_unique() {
        let mut ids: Vec<&str> = STAGES
            .iter()
            .flat_map(|s| s.items.iter().map(|(id, _)| *id))
            .chain(COMMON_ITEMS.iter().map(|(id, _)| *id))
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }
}
