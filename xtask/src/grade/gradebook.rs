//! The gradebook: one row per learner, written as `gradebook.csv` and
//! `gradebook.json` with the same content, and shards joined into one.
//!
//! CSV columns, in this order: `student, stage, status, score, max_score, percent,
//! late_penalty, seed, graded_at, kindling_version`, then one column per item id
//! (the stage's automatic items in checklist order, then the rubric's hand-graded
//! items, left empty for the instructor).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use kindling::data::atomic::write_bytes_atomically;

use super::escape::spreadsheet_cell;

/// The gradebook file format's version.
pub const SCHEMA: u32 = 1;
/// The CSV file's name.
pub const CSV_FILE: &str = "gradebook.csv";
/// The JSON file's name.
pub const JSON_FILE: &str = "gradebook.json";

/// The columns before the items.
pub const FIXED_COLUMNS: [&str; 10] = [
    "student",
    "stage",
    "status",
    "score",
    "max_score",
    "percent",
    "late_penalty",
    "seed",
    "graded_at",
    "kindling_version",
];

/// How grading a learner ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeStatus {
    /// Built, ran and was checked item by item.
    Graded,
    /// It did not compile: no points.
    BuildFailed,
    /// It was stopped at the time limit: the build's point only.
    TimedOut,
    /// It stopped with an error: the build's point only.
    Crashed,
    /// The folder holds something that is not this stage (or two of it).
    NotAStage,
    /// The folder holds no stage.
    Missing,
    /// The folder breaks the grader's rules (a link, a FIFO, more than the size cap):
    /// nothing of it was built or run.
    Refused,
}

impl GradeStatus {
    /// The word in the gradebook.
    pub fn word(self) -> &'static str {
        match self {
            GradeStatus::Graded => "graded",
            GradeStatus::BuildFailed => "build_failed",
            GradeStatus::TimedOut => "timed_out",
            GradeStatus::Crashed => "crashed",
            GradeStatus::NotAStage => "not_a_stage",
            GradeStatus::Missing => "missing",
            GradeStatus::Refused => "refused",
        }
    }
}

/// One learner's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The learner's folder name.
    pub student: String,
    /// Stage number.
    pub stage: u8,
    /// How grading ended.
    pub status: GradeStatus,
    /// Points after the late penalty (hand-graded items not yet counted).
    pub score: f64,
    /// Points possible, hand-graded items included.
    pub max_score: f64,
    /// `score` as a percentage of `max_score`, to one decimal.
    pub percent: f64,
    /// Points taken for lateness.
    pub late_penalty: f64,
    /// The seed the submission ran with.
    pub seed: u64,
    /// When it was graded (UTC).
    pub graded_at: String,
    /// The Kindling version that graded it.
    pub kindling_version: String,
    /// Points per item id; `None` for an item graded by hand, not yet filled in.
    pub items: BTreeMap<String, Option<f64>>,
}

/// A whole gradebook (or one shard of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gradebook {
    /// [`SCHEMA`].
    pub schema: u32,
    /// Stage number.
    pub stage: u8,
    /// The grading seed.
    pub seed: u64,
    /// `K/N` for a shard, `None` for a whole class.
    pub shard: Option<String>,
    /// The item columns.
    pub items: Vec<String>,
    /// The points each item column is worth (`items` order).
    pub item_points: Vec<f64>,
    /// One row per learner, sorted by name.
    pub rows: Vec<Row>,
}

/// A number as the CSV writes it: no trailing zeros.
fn number(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    format!("{rounded}")
}

impl Gradebook {
    /// The CSV text.
    pub fn to_csv(&self) -> Result<String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = FIXED_COLUMNS
            .iter()
            .copied()
            .chain(self.items.iter().map(String::as_str))
            .collect();
        writer.write_record(&header)?;
        for row in &self.rows {
            let mut record = vec![
                // A folder named `=HYPERLINK(...)` stays a name.
                spreadsheet_cell(&row.student),
                row.stage.to_string(),
                row.status.word().to_string(),
                number(row.score),
                number(row.max_score),
                number(row.percent),
                number(row.late_penalty),
                row.seed.to_string(),
                row.graded_at.clone(),
                row.kindling_version.clone(),
            ];
            record.extend(self.items.iter().map(|id| {
                row.items
                    .get(id)
                    .copied()
                    .flatten()
                    .map(number)
                    .unwrap_or_default()
            }));
            writer.write_record(&record)?;
        }
        Ok(String::from_utf8(writer.into_inner()?)?)
    }

    /// Writes `gradebook.csv` and `gradebook.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        write_bytes_atomically(&dir.join(CSV_FILE), self.to_csv()?.as_bytes())?;
        let json = serde_json::to_string_pretty(self)? + "\n";
        write_bytes_atomically(&dir.join(JSON_FILE), json.as_bytes())?;
        Ok(())
    }

    /// Reads `gradebook.json` from a grading's output folder.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(JSON_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{} cannot be read. Fix: pass the --out folders of finished gradings",
                path.display()
            )
        })?;
        let book: Gradebook = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a gradebook", path.display()))?;
        if book.schema != SCHEMA {
            bail!(
                "{} has schema {}, this xtask writes {SCHEMA}. Fix: grade every shard with the same Kindling",
                path.display(),
                book.schema
            );
        }
        Ok(book)
    }
}

/// Joins shard gradebooks into one, checking that they fit together: the same
/// stage, seed and items, every shard of the same count exactly once, and no
/// learner twice.
pub fn merge(shards: &[(std::path::PathBuf, Gradebook)]) -> Result<Gradebook> {
    let Some((first_path, first)) = shards.first() else {
        bail!(
            "--merge needs the output folders of the shards. Fix: cargo xtask grade --merge grades-1 grades-2 --out grades"
        );
    };
    let mut seen = Vec::new();
    let mut count = None;
    for (path, book) in shards {
        let mismatch = |what: &str| {
            anyhow::anyhow!(
                "{} was graded with another {what} than {}. Fix: merge the shards of one grading (same stage, --seed and --rubric)",
                path.display(),
                first_path.display()
            )
        };
        if book.stage != first.stage {
            return Err(mismatch("stage"));
        }
        if book.seed != first.seed {
            return Err(mismatch("seed"));
        }
        if book.items != first.items || book.item_points != first.item_points {
            return Err(mismatch("rubric"));
        }
        let shard: super::Shard = book
            .shard
            .as_deref()
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} is a whole grading, not a shard. Fix: merge only the outputs of --shard K/N runs",
                    path.display()
                )
            })?
            .parse()
            .map_err(|e: String| anyhow::anyhow!("{}: {e}", path.display()))?;
        if *count.get_or_insert(shard.count) != shard.count {
            bail!(
                "{} is shard {shard}, but the others are out of {}. Fix: merge shards of one --shard K/N series",
                path.display(),
                count.unwrap_or(0)
            );
        }
        if seen.contains(&shard.index) {
            bail!(
                "shard {shard} is given twice ({}). Fix: give each shard once",
                path.display()
            );
        }
        seen.push(shard.index);
    }
    let count = count.unwrap_or(0);
    if seen.len() != count {
        let missing: Vec<String> = (1..=count)
            .filter(|k| !seen.contains(k))
            .map(|k| format!("{k}/{count}"))
            .collect();
        bail!(
            "shards {} are missing. Fix: grade them, then merge all {count}",
            missing.join(", ")
        );
    }
    let mut rows: Vec<Row> = shards.iter().flat_map(|(_, b)| b.rows.clone()).collect();
    rows.sort_by(|a, b| a.student.cmp(&b.student));
    if let Some(pair) = rows
        .windows(2)
        .find(|pair| pair[0].student == pair[1].student)
    {
        bail!(
            "{} is in two shards. Fix: shard one submissions folder, the same for every shard",
            pair[0].student
        );
    }
    Ok(Gradebook {
        shard: None,
        rows,
        ..first.clone()
    })
}
