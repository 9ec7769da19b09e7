//! Stage 10, Demo evidence: the report of the run validation chose against the
//! other recipe, built in this run, every number on it traced back to the run's
//! own files (and the test-set ledger that counted its look).

use std::path::{Path, PathBuf};

use kindling::evaluation::{TEST_METRICS_FILE, TestMetrics};
use kindling::report::{REPORT_HTML, REPORT_MARKDOWN, REPORT_SOURCES, read_source};
use serde_json::Value;

use kindling::data::{Ledger, TEST_OPENED_FILE};

use super::stage06::judge_opened;
use super::{Hint, StageInfo};
use crate::answers::{AnswerProblem, Answers};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, RunFiles, Verdict};
use crate::facts::DEFAULT_SEED;
use crate::facts::stage10::{
    BASELINE_DIR, COMMAND, IMPROVED_DIR, LIMITATION_WORDS, REPORT_DIR, sizes,
};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};

/// The snapshot of the reference solution's check run (default seed): a read
/// graded at another seed is held to it.
pub const OUTPUTS_SNAPSHOT: &str = "stage10_outputs";

/// What the page says about the run, each judged from its files (see `crate::claims`).
pub const CLAIMS: [Claim; 2] = [
    Claim {
        id: "s10.test_near_validation",
        statement: "the chosen model's test accuracy lands within 0.06 of its validation accuracy (a sealed test set gives a fair estimate; 0.06 is about two standard errors of a 200-image validation accuracy)",
        unit: "accuracy",
        judge: |run| {
            let metrics = chosen_metrics(run)?;
            let validation = metrics
                .validation_accuracy
                .ok_or("test_metrics.json has no validation accuracy")?;
            let apart = (metrics.accuracy - validation).abs();
            Ok(Verdict::below(
                apart,
                0.06,
                format!("test {:.3}, validation {validation:.3}", metrics.accuracy),
            ))
        },
    },
    Claim {
        id: "s10.looked_once",
        statement: "in a fresh runs folder, the report says the test set was looked at once",
        unit: "looks",
        judge: |run| {
            let looks = run.number("/times_opened")?;
            Ok(Verdict::below(
                looks,
                1.5,
                format!("{looks} looks in the ledger"),
            ))
        },
    },
];

/// The last validation accuracy of each run folder of a stage 10 run.
fn validation_scores(out: &Path) -> Result<(f64, f64), String> {
    let score = |folder: &str| {
        kindling::evaluation::validation_accuracy(&out.join(folder))
            .ok_or_else(|| format!("{folder}/history.json has no validation accuracy"))
    };
    Ok((score(BASELINE_DIR)?, score(IMPROVED_DIR)?))
}

/// The folder validation chooses: the higher validation accuracy, the baseline on a tie.
fn chosen_folder(out: &Path) -> Result<&'static str, String> {
    let (baseline, improved) = validation_scores(out)?;
    Ok(if improved > baseline {
        IMPROVED_DIR
    } else {
        BASELINE_DIR
    })
}

fn chosen_metrics(run: &RunFiles) -> Result<TestMetrics, String> {
    let folder = chosen_folder(&run.dir)?;
    let path = run.dir.join(folder).join(TEST_METRICS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Stage 10's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 10,
    name: "Demo evidence",
    items: &ITEMS,
    hints: &HINTS,
    // Two 30-epoch trainings on 1,000 images and an evaluation.
    time_limit: 180,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 7] = [
    (
        "s10.evaluated",
        "Validation chose the run (the higher validation accuracy of baseline/ and improved/), and only that run was evaluated in this run: the sealed test set opened once, recorded in its test_opened.json",
    ),
    (
        "s10.report",
        "report/ holds report.html, report.md and report_sources.json, built by this run; the HTML page stands alone (no scripts, nothing loaded from the network)",
    ),
    (
        "s10.traced",
        "Every number on the page names its file and field, and that file of this run holds it",
    ),
    (
        "s10.baseline",
        "The report compares the chosen run with the other recipe's run",
    ),
    (
        "s10.limitation",
        "The report states a limitation in your own words, naming something the evidence shows",
    ),
    ("s10.predict", "answers.toml holds your prediction"),
    (
        "s10.read",
        "answers.toml: your read (the run validation chose, its test accuracy and the weakest class) agrees with the report",
    ),
];

const HINTS: [Hint; 6] = [
    Hint {
        symptom: "The evaluated item names the wrong run, or test_opened.json is missing or records more than one opening",
        cause: "choose still returns its placeholder (always the same run), the test set was opened for the other run, or opened more than once",
        fix: "reread step 2 of the page: validation alone decides which run sees the test set, and that run looks once",
    },
    Hint {
        symptom: "report.html, report.md or report_sources.json is missing",
        cause: "build_report was not called, or writes somewhere else",
        fix: "keep step 4 of run() as the page shows it: the report is built last, into report/",
    },
    Hint {
        symptom: "A number on the page is not in the file it names",
        cause: "the report was built from another run's folder, or a file changed after the report was built",
        fix: "build the report last, from the run folders this run wrote (improved/ and baseline/)",
    },
    Hint {
        symptom: "The report has no comparison with the other run",
        cause: "build_report still leaves the run to compare with out of ReportOptions",
        fix: "reread step 4 of the page: the report compares the chosen run with the other recipe's run",
    },
    Hint {
        symptom: "The limitation item says your words are missing or too short",
        cause: "IN_MY_OWN_WORDS in limitation.rs is still empty, or says nothing the report shows",
        fix: "write a sentence or two in limitation.rs that names a class, a number or the kind of data the report shows, and why it limits the model",
    },
    Hint {
        symptom: "The checker says your read disagrees with the numbers",
        cause: "the read was written from the full run, or from memory",
        fix: "read report/report.md of the check run (runs/check/stage10/): the run it reports on, its test accuracy and the class with the lowest F1",
    },
];
const OPENED: Hint = HINTS[0];
const BUILT: Hint = HINTS[1];
const TRACED: Hint = HINTS[2];
const BASELINE: Hint = HINTS[3];
const LIMITATION: Hint = HINTS[4];
const READ: Hint = HINTS[5];

/// A copied number agrees when it is right to three decimals.
const COPIED: f64 = 0.0005 + 1e-9;

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        evaluated,
        built,
        traced,
        baseline,
        limitation,
        predict,
        read,
    ] = ITEMS;
    let item = CheckItem::judged;
    let chosen = chosen_folder(&context.out_dir);
    let chosen_context = CheckContext {
        out_dir: context
            .out_dir
            .join(chosen.as_ref().copied().unwrap_or(IMPROVED_DIR)),
        ..context.clone()
    };
    let pages = read_pages(context);
    let pages_or = || pages.as_ref().map_err(Clone::clone);
    let metrics = chosen
        .clone()
        .map_err(|e| (e, OPENED.fix))
        .and_then(|folder| read_metrics(&chosen_context, folder));
    let answers = context.answers();
    let other = chosen.as_ref().map(|&c| {
        if c == BASELINE_DIR {
            IMPROVED_DIR
        } else {
            BASELINE_DIR
        }
    });
    vec![
        item(
            evaluated,
            chosen
                .clone()
                .map_err(|e| (e, OPENED.fix))
                .and_then(|folder| judge_evaluated(context, &chosen_context, folder)),
        ),
        item(built, pages_or().and_then(judge_self_contained)),
        item(traced, pages_or().and_then(|p| judge_traced(context, p))),
        item(
            baseline,
            pages_or().and_then(|p| {
                let other = other.map_err(|e| (e.clone(), OPENED.fix))?;
                judge_baseline(context, p, other)
            }),
        ),
        item(
            limitation,
            pages_or().and_then(|p| {
                let metrics = metrics.as_ref().map_err(Clone::clone)?;
                judge_limitation(context, p, metrics)
            }),
        ),
        item(
            predict,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| {
                    a.text("predict", "weakest_point")
                        .map(|_| "written".to_string())
                        .map_err(|e| (e.to_string(), PREDICT_FIX))
                }),
        ),
        item(
            read,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| judge_read_of(context, a, report, &metrics)),
        ),
    ]
}

/// Only the chosen run looked at the test set, once; the run named it chosen.
fn judge_evaluated(
    context: &CheckContext,
    chosen: &CheckContext,
    folder: &str,
) -> Result<String, Failure> {
    let other = if folder == BASELINE_DIR {
        IMPROVED_DIR
    } else {
        BASELINE_DIR
    };
    if context.out_dir.join(other).join(TEST_OPENED_FILE).exists() {
        return Err((
            format!(
                "{other}/ opened the test set, but validation chose {folder}/: only the chosen run may look"
            ),
            OPENED.fix,
        ));
    }
    let opened = judge_opened(chosen, COMMAND, sizes(context.profile).test)
        .map_err(|(detail, fix)| (format!("{folder}/: {detail}"), fix))?;
    Ok(format!("validation chose {folder}/; {opened}"))
}

const PREDICT_FIX: &str =
    "Before you run the stage, write under [predict] in answers.toml what you expect.";

/// The report's three files, read.
#[derive(Debug, Clone)]
struct Pages {
    html: String,
    markdown: String,
    sources: Value,
}

fn read_pages(context: &CheckContext) -> Result<Pages, Failure> {
    let read = |name: &str| {
        let relative = format!("{REPORT_DIR}/{name}");
        let path = context
            .fresh_file(&relative)
            .map_err(|detail| (detail, BUILT.fix))?;
        std::fs::read_to_string(&path).map_err(|e| (format!("{relative}: {e}"), BUILT.fix))
    };
    let sources = read(REPORT_SOURCES)?;
    Ok(Pages {
        html: read(REPORT_HTML)?,
        markdown: read(REPORT_MARKDOWN)?,
        sources: serde_json::from_str(&sources)
            .map_err(|e| (format!("{REPORT_SOURCES}: {e}"), BUILT.fix))?,
    })
}

fn read_metrics(chosen: &CheckContext, folder: &str) -> Result<TestMetrics, Failure> {
    let path = chosen
        .fresh_file(TEST_METRICS_FILE)
        .map_err(|detail| (format!("{folder}/{detail}"), OPENED.fix))?;
    let text = std::fs::read_to_string(&path).map_err(|e| (e.to_string(), OPENED.fix))?;
    serde_json::from_str(&text).map_err(|e| (format!("{}: {e}", path.display()), OPENED.fix))
}

fn judge_self_contained(pages: &Pages) -> Result<String, Failure> {
    let lower = pages.html.to_ascii_lowercase();
    if lower.contains("<script") {
        return Err((
            "report.html holds a <script>: the page must be plain HTML".into(),
            BUILT.fix,
        ));
    }
    for attribute in ["src=\"http", "href=\"http", "src='http", "url(http"] {
        if lower.contains(attribute) {
            return Err((
                format!(
                    "report.html loads something from the network ({attribute}...): it must work offline"
                ),
                BUILT.fix,
            ));
        }
    }
    Ok(format!(
        "{} KB of HTML, {} lines of Markdown",
        pages.html.len() / 1024,
        pages.markdown.lines().count()
    ))
}

/// One `<span class="num" data-file=".." data-field="..">shown</span>` of the page.
#[derive(Debug, Clone, PartialEq)]
struct ShownNumber {
    file: String,
    field: String,
    shown: String,
}

/// Every sourced number of the page, in page order.
fn shown_numbers(html: &str) -> Vec<ShownNumber> {
    let mut numbers = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<span class=\"num\"") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let Some(close) = rest.find("</span>") else {
            break;
        };
        let attribute = |name: &str| {
            let key = format!("{name}=\"");
            tag.find(&key).and_then(|at| {
                let value = &tag[at + key.len()..];
                value.find('"').map(|end| unescape(&value[..end]))
            })
        };
        numbers.push(ShownNumber {
            file: attribute("data-file").unwrap_or_default(),
            field: attribute("data-field").unwrap_or_default(),
            shown: unescape(rest[tag_end + 1..close].trim()),
        });
        rest = &rest[close..];
    }
    numbers
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A value as the page shows it: with as many decimals as `shown` has.
fn matches_shown(value: f64, shown: &str) -> bool {
    let shown = shown.trim_end_matches('%');
    match shown.split_once('.') {
        Some((_, decimals)) => format!("{value:.*}", decimals.len()) == shown,
        None => value.fract() == 0.0 && format!("{value:.0}") == shown,
    }
}

/// The value at `field` of `file` (a JSON pointer, or `/ROW/COLUMN` of a CSV
/// file), which must be a file of this run, written in this run.
fn traced_value(context: &CheckContext, file: &str, field: &str) -> Result<f64, String> {
    let path = PathBuf::from(file);
    match path.strip_prefix(&context.out_dir) {
        Ok(relative) => {
            context.fresh_file(&relative.to_string_lossy())?;
        }
        // The ledger that counted this run's look lives in the runs root, above
        // the run's folder; it is the one the run's test_opened.json names.
        Err(_) if is_this_runs_ledger(context, &path) => {}
        Err(_) => return Err(format!("{file} is not a file of this run")),
    }
    read_source(&path, field).map_err(|e| e.to_string())
}

/// Whether `path` is the ledger a run folder of this run counted its look in.
fn is_this_runs_ledger(context: &CheckContext, path: &Path) -> bool {
    [BASELINE_DIR, IMPROVED_DIR].iter().any(|folder| {
        Ledger::file_of_run(&context.out_dir.join(folder))
            .ok()
            .flatten()
            .is_some_and(|ledger| {
                let same = |a: &Path, b: &Path| {
                    std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
                };
                same(&ledger, path)
            })
    })
}

fn judge_traced(context: &CheckContext, pages: &Pages) -> Result<String, Failure> {
    let numbers = shown_numbers(&pages.html);
    if numbers.is_empty() {
        return Err((
            "report.html shows no sourced numbers (<span class=\"num\" data-file=.. data-field=..>)"
                .into(),
            BUILT.fix,
        ));
    }
    // The page may show a number twice (in the text and in its sources table);
    // every (file, field) it shows must be listed, and every listed one shown.
    let on_page: std::collections::BTreeSet<(String, String)> = numbers
        .iter()
        .map(|n| (n.file.clone(), n.field.clone()))
        .collect();
    let listed: std::collections::BTreeSet<(String, String)> = pages.sources["numbers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            (
                n["file"].as_str().unwrap_or("").to_string(),
                n["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    if let Some((file, field)) = on_page.symmetric_difference(&listed).next() {
        let (place, other) = if on_page.contains(&(file.clone(), field.clone())) {
            ("on the page", "not in report_sources.json")
        } else {
            ("in report_sources.json", "not on the page")
        };
        return Err((format!("{file} {field} is {place} but {other}"), TRACED.fix));
    }
    let mut files = std::collections::BTreeSet::new();
    for number in &numbers {
        let value = traced_value(context, &number.file, &number.field)
            .map_err(|detail| (detail, TRACED.fix))?;
        if !matches_shown(value, &number.shown) {
            return Err((
                format!(
                    "the page shows {} for {}{}, which holds {value}",
                    number.shown, number.file, number.field
                ),
                TRACED.fix,
            ));
        }
        files.insert(number.file.clone());
    }
    Ok(format!(
        "{} numbers from {} files",
        on_page.len(),
        files.len()
    ))
}

fn judge_baseline(context: &CheckContext, pages: &Pages, other: &str) -> Result<String, Failure> {
    let baseline = context.out_dir.join(other);
    let named = pages.sources["baseline"].as_str().map(PathBuf::from);
    if named.as_deref() != Some(baseline.as_path()) {
        return Err((
            format!(
                "report_sources.json compares with {}; it should be this run's other run, {}",
                named.map_or("null".into(), |p| p.display().to_string()),
                baseline.display()
            ),
            BASELINE.fix,
        ));
    }
    let from_baseline = shown_numbers(&pages.html)
        .iter()
        .filter(|n| Path::new(&n.file).starts_with(&baseline))
        .count();
    if from_baseline == 0 {
        return Err((
            format!("no number on the page comes from {other}/'s files"),
            BASELINE.fix,
        ));
    }
    Ok(format!("{from_baseline} numbers from {other}/"))
}

fn judge_limitation(
    context: &CheckContext,
    pages: &Pages,
    metrics: &TestMetrics,
) -> Result<String, Failure> {
    let own = own_words(context).map_err(|detail| (detail, LIMITATION.fix))?;
    let words = own.split_whitespace().count();
    if words < LIMITATION_WORDS {
        return Err((
            format!(
                "your limitation has {words} words (\"{own}\"); write at least {LIMITATION_WORDS}"
            ),
            LIMITATION.fix,
        ));
    }
    if !pages.markdown.contains(&own) {
        return Err((
            "report.md does not state your limitation: pass it to the report in ReportOptions.notes"
                .into(),
            LIMITATION.fix,
        ));
    }
    let lower = own.to_ascii_lowercase();
    let names_a_class = metrics
        .class_names
        .iter()
        .any(|name| lower.contains(&name.to_ascii_lowercase()));
    let names_the_data = ["built-in", "builtin", "real photo", "drawing", "generated"]
        .iter()
        .any(|word| lower.contains(word));
    let names_a_number = lower
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|token| token.contains(|c: char| c.is_ascii_digit()));
    if names_a_class || names_the_data || names_a_number {
        Ok(format!("{words} words"))
    } else {
        Err((
            format!(
                "your limitation (\"{own}\") names no class, number or kind of data from the report"
            ),
            LIMITATION.fix,
        ))
    }
}

/// The learner's limitation, from the stage's `src/limitation.rs`.
fn own_words(context: &CheckContext) -> Result<String, String> {
    let path = context.stage_dir.join("src").join("limitation.rs");
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let declaration = "IN_MY_OWN_WORDS: &str = \"";
    let start = source
        .find(declaration)
        .ok_or_else(|| format!("{} has no IN_MY_OWN_WORDS", path.display()))?
        + declaration.len();
    let end = source[start..]
        .find("\";")
        .ok_or_else(|| format!("{}: IN_MY_OWN_WORDS is not one string", path.display()))?;
    Ok(source[start..start + end]
        .replace("\\\"", "\"")
        .trim()
        .to_string())
}

/// What a read must say: the chosen run, its test accuracy, its weakest classes.
#[derive(Debug, Clone, PartialEq)]
struct ReadTruth {
    chosen: String,
    accuracy: f64,
    weakest: Vec<String>,
}

impl ReadTruth {
    fn of(chosen: &str, metrics: &TestMetrics) -> ReadTruth {
        let lowest = metrics
            .per_class
            .iter()
            .map(|c| c.f1)
            .fold(f64::INFINITY, f64::min);
        ReadTruth {
            chosen: chosen.to_string(),
            accuracy: metrics.accuracy,
            weakest: metrics
                .per_class
                .iter()
                .filter(|c| c.f1 == lowest)
                .map(|c| c.name.clone())
                .collect(),
        }
    }
}

/// The read is judged against the run the learner read: their own check run at
/// the default seed. Grading runs at a hidden seed, so there it is held to the
/// reference solution's check run at the default seed (the snapshot).
fn judge_read_of(
    context: &CheckContext,
    answers: &Answers,
    report: &StageReport,
    metrics: &Result<TestMetrics, Failure>,
) -> Result<String, Failure> {
    if context.seed == DEFAULT_SEED {
        let metrics = metrics.as_ref().map_err(Clone::clone)?;
        let chosen = report
            .get("chosen")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return judge_read(answers, &ReadTruth::of(chosen, metrics));
    }
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, OUTPUTS_SNAPSHOT))
        .map_err(|e| (e, READ.fix))?;
    let value = &snapshot.value;
    let truth = ReadTruth {
        chosen: value["chosen"].as_str().unwrap_or_default().to_string(),
        accuracy: value["test_accuracy"].as_f64().unwrap_or(f64::NAN),
        weakest: value["weakest_class"]["name"]
            .as_str()
            .map(|name| vec![name.to_string()])
            .unwrap_or_default(),
    };
    judge_read(answers, &truth)
        .map(|detail| format!("{detail} (your check's run, seed {DEFAULT_SEED})"))
}

fn judge_read(answers: &Answers, truth: &ReadTruth) -> Result<String, Failure> {
    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
    let chosen = answers
        .choice("read", "chosen", &[BASELINE_DIR, IMPROVED_DIR])
        .map_err(problem)?;
    let accuracy = answers.number("read", "test_accuracy").map_err(problem)?;
    let weakest = answers.text("read", "weakest_class").map_err(problem)?;
    answers.text("read", "in_your_words").map_err(problem)?;
    let mut wrong = Vec::new();
    if chosen != truth.chosen {
        wrong.push(format!(
            "chosen = {chosen}, but validation chose {}",
            truth.chosen
        ));
    }
    if (accuracy - truth.accuracy).abs() > COPIED {
        wrong.push(format!(
            "test_accuracy = {accuracy}, but the report says {:.4}",
            truth.accuracy
        ));
    }
    let weakest_names: Vec<&str> = truth.weakest.iter().map(String::as_str).collect();
    if !weakest_names
        .iter()
        .any(|name| name.eq_ignore_ascii_case(&weakest))
    {
        wrong.push(format!(
            "weakest_class = `{weakest}`, but the lowest F1 is {}'s",
            weakest_names.join(" and ")
        ));
    }
    if wrong.is_empty() {
        Ok(format!(
            "chosen {chosen}, test accuracy {accuracy}, weakest {weakest}"
        ))
    } else {
        Err((wrong.join("\n"), READ.fix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sourced_numbers_are_read_from_the_page() {
        let html = r#"<p>Test accuracy <span class="num" data-file="/r/improved/test_metrics.json" data-field="/accuracy">0.4120</span>, cat <span class="num" data-file="/r/a&amp;b.json" data-field="/per_class/3/f1">0.2</span></p>"#;
        let numbers = shown_numbers(html);
        assert_eq!(numbers.len(), 2);
        assert_eq!(numbers[0].field, "/accuracy");
        assert_eq!(numbers[0].shown, "0.4120");
        assert_eq!(numbers[1].file, "/r/a&b.json");
    }

    #[test]
    fn a_value_matches_what_the_page_shows_at_its_precision() {
        assert!(matches_shown(0.41204, "0.4120"));
        assert!(!matches_shown(0.41254, "0.4120"));
        assert!(matches_shown(2.0, "2"));
        assert!(!matches_shown(2.5, "2"));
    }

    #[test]
    fn numbers_must_come_from_fresh_files_of_this_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("improved")).unwrap();
        let file = dir.path().join("improved").join("test_metrics.json");
        std::fs::write(&file, r#"{"accuracy": 0.4123, "per_class": [{"f1": 0.5}]}"#).unwrap();
        let context = CheckContext::new(10, dir.path(), dir.path(), dir.path());
        let path = file.display().to_string();
        assert_eq!(traced_value(&context, &path, "/accuracy").unwrap(), 0.4123);
        assert_eq!(
            traced_value(&context, &path, "/per_class/0/f1").unwrap(),
            0.5
        );
        assert!(
            traced_value(&context, &path, "/macro_f1")
                .unwrap_err()
                .contains("macro_f1")
        );
        let elsewhere = traced_value(&context, "/etc/metrics.json", "/accuracy").unwrap_err();
        assert!(elsewhere.contains("not a file of this run"), "{elsewhere}");
    }

    #[test]
    fn a_page_with_a_script_or_a_network_image_does_not_stand_alone() {
        let pages = |html: &str| Pages {
            html: html.into(),
            markdown: String::new(),
            sources: Value::Null,
        };
        assert!(judge_self_contained(&pages("<img src=\"data:image/png;base64,AA\">")).is_ok());
        assert!(judge_self_contained(&pages("<script>alert(1)</script>")).is_err());
        assert!(judge_self_contained(&pages("<img src=\"https://x/y.png\">")).is_err());
    }
}
