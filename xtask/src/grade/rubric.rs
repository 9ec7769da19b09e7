//! The rubric: points per item, items graded by hand, and a late penalty.
//!
//! ```toml
//! [points]            # items not listed are worth 1 point
//! "s5.history" = 3
//! "common.build" = 0
//!
//! [[hand]]            # graded by the instructor, filled into the gradebook later
//! id = "hand.read"
//! title = "The read of the training, in the learner's own words"
//! points = 2
//!
//! [late]
//! due = "2026-12-01T23:59:00Z"
//! percent_per_day = 10   # of the score, per day or part of a day late
//! max_percent = 50
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Result, bail};
use serde::Deserialize;

use kindling_checker::StageInfo;
use kindling_checker::stages::COMMON_ITEMS;

use super::timestamp;

/// Points an item is worth when the rubric does not say.
pub const DEFAULT_POINTS: f64 = 1.0;

/// An item the instructor grades by hand.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandItem {
    /// Its column in the gradebook, such as `hand.read`.
    pub id: String,
    /// What to look at.
    pub title: String,
    /// Points it is worth.
    pub points: f64,
}

/// The late penalty.
#[derive(Debug, Clone, PartialEq)]
pub struct Late {
    /// When the submission was due.
    pub due: SystemTime,
    /// Percent of the score taken per day, or part of a day, late.
    pub percent_per_day: f64,
    /// The largest penalty, in percent of the score.
    pub max_percent: f64,
}

/// A parsed, checked rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    points: BTreeMap<String, f64>,
    /// Items graded by hand.
    pub hand: Vec<HandItem>,
    /// The late penalty, if any.
    pub late: Option<Late>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RubricFile {
    #[serde(default)]
    points: BTreeMap<String, f64>,
    #[serde(default)]
    hand: Vec<HandItem>,
    late: Option<LateFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LateFile {
    due: String,
    percent_per_day: f64,
    #[serde(default = "hundred")]
    max_percent: f64,
}

fn hundred() -> f64 {
    100.0
}

impl Rubric {
    /// Every item worth one point, nothing by hand, no late penalty.
    pub fn plain() -> Self {
        Rubric {
            points: BTreeMap::new(),
            hand: Vec::new(),
            late: None,
        }
    }

    /// Reads and checks a rubric for `stage`.
    pub fn load(path: &Path, stage: &StageInfo) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "the rubric {} cannot be read ({e}). Fix: pass the path of a TOML rubric to --rubric",
                path.display()
            )
        })?;
        Self::parse(&text, stage).map_err(|e| anyhow::anyhow!("the rubric {}: {e}", path.display()))
    }

    /// Parses and checks a rubric's text.
    pub fn parse(text: &str, stage: &StageInfo) -> Result<Self> {
        let file: RubricFile = toml::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{}. Fix: see the rubric example on the instructors' page",
                e.to_string().trim()
            )
        })?;
        let ids = item_ids(stage);
        for (id, points) in &file.points {
            if !ids.contains(&id.as_str()) {
                bail!(
                    "[points] names `{id}`, which stage {} does not have. Fix: use one of {}",
                    stage.number,
                    ids.join(", ")
                );
            }
            if !points.is_finite() || *points < 0.0 {
                bail!("[points] `{id}` = {points}. Fix: give each item zero or more points");
            }
        }
        for item in &file.hand {
            if ids.contains(&item.id.as_str())
                || file.hand.iter().filter(|h| h.id == item.id).count() > 1
            {
                bail!(
                    "[[hand]] `{}` is used twice. Fix: give each hand-graded item an id of its own, such as hand.read",
                    item.id
                );
            }
            if !item.points.is_finite() || item.points < 0.0 {
                bail!(
                    "[[hand]] `{}` has {} points. Fix: zero or more points",
                    item.id,
                    item.points
                );
            }
        }
        let late = match file.late {
            None => None,
            Some(late) => {
                if !(0.0..=100.0).contains(&late.percent_per_day)
                    || !(0.0..=100.0).contains(&late.max_percent)
                {
                    bail!(
                        "[late] percentages must be between 0 and 100. Fix: percent_per_day = 10, max_percent = 50"
                    );
                }
                Some(Late {
                    due: timestamp::parse(&late.due)
                        .map_err(|e| anyhow::anyhow!("[late] due: {e}"))?,
                    percent_per_day: late.percent_per_day,
                    max_percent: late.max_percent,
                })
            }
        };
        Ok(Rubric {
            points: file.points,
            hand: file.hand,
            late,
        })
    }

    /// Points item `id` is worth.
    pub fn points(&self, id: &str) -> f64 {
        self.points.get(id).copied().unwrap_or(DEFAULT_POINTS)
    }

    /// The penalty, in points, for `score` handed in at `submitted`.
    pub fn late_penalty(&self, score: f64, submitted: Option<SystemTime>) -> f64 {
        let (Some(late), Some(submitted)) = (&self.late, submitted) else {
            return 0.0;
        };
        let Ok(late_by) = submitted.duration_since(late.due) else {
            return 0.0;
        };
        let days = (late_by.as_secs_f64() / 86_400.0).ceil();
        let percent = (days * late.percent_per_day).min(late.max_percent);
        score * percent / 100.0
    }
}

/// Every automatic item of a stage, in checklist order.
pub fn item_ids(stage: &StageInfo) -> Vec<&'static str> {
    COMMON_ITEMS
        .iter()
        .chain(stage.items)
        .map(|(id, _)| *id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_checker::parse_stage;

    fn stage1() -> &'static StageInfo {
        parse_stage("stage1").unwrap()
    }

    #[test]
    fn a_rubric_sets_points_hand_items_and_lateness() {
        let rubric = Rubric::parse(
            "[points]\n\"s1.counts\" = 3\n\"common.build\" = 0\n[[hand]]\nid = \"hand.grid\"\ntitle = \"The grid is readable\"\npoints = 2\n[late]\ndue = \"2026-12-01T12:00:00Z\"\npercent_per_day = 10\nmax_percent = 25\n",
            stage1(),
        )
        .unwrap();
        assert_eq!(rubric.points("s1.counts"), 3.0);
        assert_eq!(rubric.points("common.build"), 0.0);
        assert_eq!(rubric.points("s1.grid"), DEFAULT_POINTS);
        assert_eq!(rubric.hand[0].points, 2.0);
        let due = timestamp::parse("2026-12-01T12:00:00Z").unwrap();
        let hours = |h: u64| Some(due + std::time::Duration::from_secs(h * 3600));
        assert_eq!(rubric.late_penalty(10.0, hours(0)), 0.0);
        assert_eq!(rubric.late_penalty(10.0, hours(1)), 1.0);
        assert_eq!(rubric.late_penalty(10.0, hours(25)), 2.0);
        assert_eq!(rubric.late_penalty(10.0, hours(24 * 9)), 2.5);
        assert_eq!(rubric.late_penalty(10.0, None), 0.0);
    }

    #[test]
    fn the_example_on_the_instructors_page_is_a_valid_stage_5_rubric() {
        let path = crate::repo::root().join("xtask/tests/rubric-example.toml");
        let rubric = Rubric::load(&path, parse_stage("stage5").unwrap()).unwrap();
        assert_eq!(rubric.points("s5.history"), 3.0);
        assert_eq!(rubric.hand.len(), 1);
        assert!(rubric.late.is_some());
    }

    #[test]
    fn malformed_rubrics_and_unknown_items_are_refused_with_a_fix() {
        for (text, says) in [
            ("[points]\n\"s1.nope\" = 2\n", "does not have"),
            ("[points\n", "Fix:"),
            ("[points]\n\"s1.counts\" = -1\n", "zero or more"),
            (
                "[late]\ndue = \"soon\"\npercent_per_day = 5\n",
                "not a time",
            ),
            ("[bonus]\nx = 1\n", "unknown field"),
            (
                "[[hand]]\nid = \"s1.counts\"\ntitle = \"t\"\npoints = 1\n",
                "used twice",
            ),
        ] {
            let error = Rubric::parse(text, stage1()).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
