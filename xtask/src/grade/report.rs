//! What a grading writes besides the gradebook: one feedback page per learner,
//! the class summary, and the chart of each item's pass rate. Every string a
//! learner could have chosen (a folder name, output, a panic message, answers) is
//! escaped (`escape`) before it reaches a page.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use kindling::charts::top_k_bars;
use kindling_checker::stages::COMMON_ITEMS;
use kindling_checker::{CheckItem, StageInfo, Status};

use super::escape::{fenced, inline, link_segment, quote};
use super::gradebook::{GradeStatus, Gradebook, Row};
use super::rubric::Rubric;

/// The summary page's file name.
pub const SUMMARY_FILE: &str = "summary.md";
/// The pass-rate chart's file name.
pub const CHART_FILE: &str = "items.png";
/// Below this share of the class passing, an item is marked to teach again.
const TEACH_AGAIN: f64 = 0.5;

/// An item's title, automatic or graded by hand.
fn title<'a>(stage: &'a StageInfo, rubric: &'a Rubric, id: &'a str) -> &'a str {
    COMMON_ITEMS
        .iter()
        .chain(stage.items)
        .find(|(item, _)| *item == id)
        .map(|(_, title)| *title)
        .or_else(|| {
            rubric
                .hand
                .iter()
                .find(|h| h.id == id)
                .map(|h| h.title.as_str())
        })
        .unwrap_or(id)
}

/// One learner's feedback page: each item, its points, what was found and the
/// hint; the items graded by hand; the written answers, quoted.
pub fn feedback(
    stage: &StageInfo,
    rubric: &Rubric,
    row: &Row,
    items: &[CheckItem],
    problem: Option<&str>,
    answers: Option<&str>,
) -> String {
    let mut page = String::new();
    let _ = writeln!(
        page,
        "# Stage {} ({}): {}\n",
        stage.number,
        stage.name,
        inline(&row.student)
    );
    let _ = writeln!(
        page,
        "Status: **{}**. Score: **{} / {}** ({}%){}. Seed {}, graded {} by Kindling {}.\n",
        row.status.word(),
        row.score,
        row.max_score,
        row.percent,
        if row.late_penalty > 0.0 {
            format!(", after a late penalty of {} points", row.late_penalty)
        } else {
            String::new()
        },
        row.seed,
        row.graded_at,
        row.kindling_version
    );
    if let Some(problem) = problem {
        let _ = writeln!(
            page,
            "Nothing could be graded:\n\n{}",
            fenced(problem, "text")
        );
    }
    if !items.is_empty() {
        let _ = writeln!(
            page,
            "| Item | Result | Points | Found |\n|---|---|---|---|"
        );
        for item in items {
            let points = row.items.get(&item.id).copied().flatten().unwrap_or(0.0);
            let found = inline(
                item.detail
                    .as_deref()
                    .and_then(|d| d.lines().next())
                    .unwrap_or(""),
            );
            let _ = writeln!(
                page,
                "| {} | {} | {} / {} | {found} |",
                inline(&item.title),
                status_word(item.status),
                points,
                rubric.points(&item.id)
            );
        }
        page.push('\n');
        let failed: Vec<&CheckItem> = items.iter().filter(|i| i.status == Status::Fail).collect();
        if !failed.is_empty() {
            page.push_str("## What to fix\n\n");
            for item in failed {
                let _ = writeln!(page, "### {}\n", inline(&item.title));
                if let Some(detail) = &item.detail {
                    let _ = writeln!(page, "{}", fenced(detail, "text"));
                }
                if let Some(hint) = &item.hint {
                    let _ = writeln!(page, "Hint: {}\n", inline(hint));
                }
            }
        }
    }
    if !rubric.hand.is_empty() {
        page.push_str("## Graded by hand\n\n");
        for item in &rubric.hand {
            let _ = writeln!(
                page,
                "- {} ({} points): to be graded",
                inline(&item.title),
                item.points
            );
        }
        page.push('\n');
    }
    page.push_str("## Written answers\n\n");
    page.push_str(&quote_answers(answers));
    page
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::Skipped => "skipped",
    }
}

/// The answers file, each answer quoted under its question, for the instructor.
fn quote_answers(answers: Option<&str>) -> String {
    let Some(text) = answers else {
        return "No answers.toml was handed in.\n".into();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return format!(
            "answers.toml is not valid TOML; as handed in:\n\n{}",
            fenced(text, "toml")
        );
    };
    let mut quoted = String::new();
    for (section, value) in &table {
        let Some(answers) = value.as_table() else {
            continue;
        };
        for (key, answer) in answers {
            let answer = match answer {
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(quoted, "**\\[{}\\] {}**\n", inline(section), inline(key));
            if answer.trim().is_empty() {
                quoted.push_str("> (left empty)\n");
            }
            quoted.push_str(&quote(&answer));
            quoted.push('\n');
        }
    }
    if quoted.is_empty() {
        quoted.push_str("answers.toml holds no answers.\n");
    }
    quoted
}

/// Each item's share of the class that earned its points (items worth points only).
pub fn pass_rates(book: &Gradebook) -> Vec<(String, f64)> {
    book.items
        .iter()
        .zip(&book.item_points)
        .filter(|(id, points)| {
            **points > 0.0
                && book
                    .rows
                    .iter()
                    .all(|r| r.items.get(*id).is_some_and(Option::is_some))
        })
        .map(|(id, points)| {
            let passed = book
                .rows
                .iter()
                .filter(|row| row.items.get(id).copied().flatten() == Some(*points))
                .count();
            (id.clone(), passed as f64 / book.rows.len().max(1) as f64)
        })
        .collect()
}

/// The class summary page.
pub fn summary(stage: &StageInfo, rubric: &Rubric, book: &Gradebook) -> String {
    let mut page = String::new();
    let _ = writeln!(
        page,
        "# Stage {} ({}): the class\n",
        stage.number, stage.name
    );
    let statuses = [
        GradeStatus::Graded,
        GradeStatus::BuildFailed,
        GradeStatus::TimedOut,
        GradeStatus::Crashed,
        GradeStatus::NotAStage,
        GradeStatus::Missing,
        GradeStatus::Refused,
    ];
    let counts: Vec<String> = statuses
        .iter()
        .map(|s| (s, book.rows.iter().filter(|r| r.status == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.word()))
        .collect();
    let _ = writeln!(
        page,
        "{} learners ({}), graded with seed {} (repeat with `--seed {}`).\n",
        book.rows.len(),
        counts.join(", "),
        book.seed,
        book.seed
    );
    let mean = book.rows.iter().map(|r| r.percent).sum::<f64>() / book.rows.len().max(1) as f64;
    let _ = writeln!(page, "Mean score: {:.1}% of the points.\n", mean);
    page.push_str("## Items, hardest first\n\n| Item | Passed by | |\n|---|---|---|\n");
    let mut rates = pass_rates(book);
    rates.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (id, rate) in &rates {
        let _ = writeln!(
            page,
            "| {} ({}) | {:.0}% | {} |",
            inline(title(stage, rubric, id)),
            inline(id),
            rate * 100.0,
            if *rate < TEACH_AGAIN {
                "**teach again**"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(page, "\n![Pass rate of each item]({CHART_FILE})\n");
    page.push_str("## Learners\n\n| Learner | Status | Score | Percent |\n|---|---|---|---|\n");
    for row in &book.rows {
        let _ = writeln!(
            page,
            "| [{}](feedback/{}/{}.md) | {} | {} / {} | {}% |",
            inline(&row.student),
            link_segment(&row.student),
            stage.slug(),
            row.status.word(),
            row.score,
            row.max_score,
            row.percent
        );
    }
    page
}

/// The bar chart of each item's pass rate.
pub fn chart(book: &Gradebook, path: &Path) -> Result<()> {
    let rates = pass_rates(book);
    if rates.is_empty() {
        return Ok(());
    }
    let labels: Vec<&str> = rates.iter().map(|(id, _)| id.as_str()).collect();
    let values: Vec<f64> = rates.iter().map(|(_, rate)| *rate).collect();
    top_k_bars(
        &labels,
        &values,
        &format!("Stage {}: share of the class passing each item", book.stage),
        path,
    )?;
    Ok(())
}
