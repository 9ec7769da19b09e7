//! The demo report: one page that presents an evaluated run, built only from the
//! run's own files, where every number says which file and field it was read from.
//!
//! [`write_report`] writes `report.html` (inline CSS, no scripts, its images
//! embedded, so the one file works alone), `report.md` (the same content, its images
//! beside it), `report_sources.json` (every number with its file and field) and the
//! charts. `kindling report` and stage 10 both call it.
//!
//! A number's field is an RFC 6901 JSON pointer into its file (`/per_class/3/f1`);
//! for `predictions.csv` it is `/ROW/COLUMN` (`/17/p_3`, rows counted from 0 after
//! the header). [`read_source`] reads a number back from a file and field, so a
//! checker can trace every number on the page.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use kindling_charts::{
    ChartError, accuracy_chart, confusion_matrix_heatmap, loss_chart, overlay_chart,
};
use kindling_data::atomic::write_bytes_atomically;
use kindling_data::ledger::{Ledger, now_utc};
use kindling_train::{CONFIG_FILE, History, RunConfig, RunConfigError, SetPredictions};

use crate::evaluation::{
    CONFIDENT_RIGHT_FILE, CONFIDENT_RIGHT_SHOWN, MISTAKES_FILE, PREDICTIONS_FILE,
    TEST_METRICS_FILE, TestMetrics, most_confident_right, saved_weights_epoch,
};

/// The page.
pub const REPORT_HTML: &str = "report.html";
/// The same content as Markdown.
pub const REPORT_MARKDOWN: &str = "report.md";
/// Every number of the page with its file and field, as JSON.
pub const REPORT_SOURCES: &str = "report_sources.json";
/// Training and validation accuracy per epoch.
pub const ACCURACY_CHART: &str = "accuracy.png";
/// Training and validation loss per epoch.
pub const LOSS_CHART: &str = "loss.png";
/// The confusion matrix, each row divided by its total.
pub const CONFUSION_CHART: &str = "confusion_normalized.png";
/// Validation accuracy of the run and its baseline on one chart.
pub const COMPARISON_CHART: &str = "comparison.png";
/// History file of a run folder.
const HISTORY_FILE: &str = "history.json";
/// How many confident mistakes the page lists.
const MISTAKES_SHOWN: usize = 8;
/// A training accuracy this far above validation is reported as overfitting.
const OVERFIT_GAP: f64 = 0.05;
/// A test score this far from the validation score is reported.
const VALIDATION_TEST_GAP: f64 = 0.02;
/// Below this many test images, chance differences of a point or two are likely.
const SMALL_TEST_SET: usize = 2000;

/// What to put in a report besides the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Another run folder to compare with (needs its `history.json`; its test
    /// numbers are shown when it was evaluated).
    pub baseline: Option<PathBuf>,
    /// Replace a report already in the output folder.
    pub force: bool,
    /// The page's title; default "Report on RUN".
    pub title: Option<String>,
    /// Paragraphs in the author's own words, shown under the limitations (not
    /// checked against the files).
    pub notes: Vec<String>,
}

/// What [`write_report`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `report.html`.
    pub html: PathBuf,
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report_sources.json`.
    pub sources: PathBuf,
    /// Every number on the page, in page order.
    pub numbers: Vec<SourcedNumber>,
    /// The limitations stated from the evidence, as plain sentences.
    pub limitations: Vec<String>,
    /// Every file written.
    pub files: Vec<PathBuf>,
}

/// A number on the page and where it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedNumber {
    /// What it is ("test accuracy", "F1 of cat").
    pub label: String,
    /// Exactly the text on the page: 4 decimals, or a whole number for counts.
    pub shown: String,
    /// The value read.
    pub value: f64,
    /// The file it was read from.
    pub file: PathBuf,
    /// Where in the file: a JSON pointer, or `/ROW/COLUMN` in a CSV file.
    pub field: String,
}

/// `report_sources.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSources {
    /// When the report was built (RFC 3339, UTC).
    pub generated_at: String,
    /// The same, as seconds since 1970.
    pub unix_seconds: u64,
    /// The run folder.
    pub run: PathBuf,
    /// The baseline run folder, if any.
    pub baseline: Option<PathBuf>,
    /// Every number on the page.
    pub numbers: Vec<SourcedNumber>,
    /// The limitations stated from the evidence.
    pub limitations: Vec<String>,
}

/// A report that could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The run has no test metrics yet.
    #[error(
        "{} has no {TEST_METRICS_FILE}: the run has not been evaluated on its test set, and a report shows test results. Fix: run `kindling evaluate {}` first",
        dir.display(), dir.display()
    )]
    NotEvaluated {
        /// The run folder.
        dir: PathBuf,
    },
    /// A run folder without a history.
    #[error(
        "{} has no {HISTORY_FILE}, so it is not a training run. Fix: pass a folder written by `kindling train` (such as runs/run-001)",
        dir.display()
    )]
    NoHistory {
        /// The folder.
        dir: PathBuf,
    },
    /// The output folder already holds a report.
    #[error(
        "{} already holds a report ({file}). Fix: choose another --out folder, or pass --force to replace it",
        dir.display()
    )]
    Exists {
        /// The output folder.
        dir: PathBuf,
        /// The report file found there.
        file: &'static str,
    },
    /// The output folder is a file.
    #[error("{} is a file. Fix: pass a folder to --out", path.display())]
    OutIsFile {
        /// The path given.
        path: PathBuf,
    },
    /// A file could not be read.
    #[error("could not read {}: {problem}. Fix: check that the file exists and is readable", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// A file does not hold what a run folder's file should.
    #[error(
        "{} is not what a Kindling run writes: {problem}. Fix: evaluate the run again with `kindling evaluate`, or train it again",
        path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A field that a number should come from is not in its file.
    #[error("{} has no number at {field}", path.display())]
    NoField {
        /// The file.
        path: PathBuf,
        /// The field asked for.
        field: String,
    },
    /// A file could not be written.
    #[error("could not write {}: {problem}. Fix: check that the folder is writable and the disk is not full", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// `config.json` could not be read.
    #[error(transparent)]
    Config(#[from] RunConfigError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

/// Builds the report of the evaluated run in `run_dir` into `out_dir` (made if
/// needed; other files there are left alone). Every file is written atomically,
/// `report.html` last. Refuses a run that has not been evaluated, and an
/// `out_dir` that already holds a report unless `options.force` is set.
pub fn write_report(
    run_dir: &Path,
    out_dir: &Path,
    options: &ReportOptions,
) -> Result<Report, ReportError> {
    let run = RunFiles::load(run_dir, true)?;
    let baseline = options
        .baseline
        .as_deref()
        .map(|dir| RunFiles::load(dir, false))
        .transpose()?;
    if out_dir.is_file() {
        return Err(ReportError::OutIsFile {
            path: out_dir.to_path_buf(),
        });
    }
    if !options.force {
        for file in [REPORT_HTML, REPORT_MARKDOWN] {
            if out_dir.join(file).exists() {
                return Err(ReportError::Exists {
                    dir: out_dir.to_path_buf(),
                    file,
                });
            }
        }
    }
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::Write {
        path: out_dir.to_path_buf(),
        problem: e.to_string(),
    })?;

    let mut files = Vec::new();
    let mut images = Images::default();
    let chart = |name: &str| out_dir.join(name);
    accuracy_chart(&run.history, chart(ACCURACY_CHART))?;
    loss_chart(&run.history, chart(LOSS_CHART), false)?;
    let metrics = run.metrics.as_ref().expect("loaded with metrics");
    confusion_matrix_heatmap(
        &metrics.confusion_matrix,
        &metrics.class_names,
        true,
        chart(CONFUSION_CHART),
    )?;
    for name in [ACCURACY_CHART, LOSS_CHART, CONFUSION_CHART] {
        images.add(name, &chart(name))?;
        files.push(chart(name));
    }
    for name in [MISTAKES_FILE, CONFIDENT_RIGHT_FILE] {
        let source = run.dir.join(name);
        if source.is_file() {
            let bytes = read_bytes(&source)?;
            write_bytes(&chart(name), &bytes)?;
            images.add(name, &chart(name))?;
            files.push(chart(name));
        }
    }
    // The comparison needs both runs' validation curves.
    let validation_curves = |files: &RunFiles| {
        files
            .history
            .get("val_accuracy")
            .is_some_and(|v| !v.is_empty())
    };
    if let Some(baseline) = baseline
        .as_ref()
        .filter(|b| validation_curves(b) && validation_curves(&run))
    {
        let curves = [
            (
                run.name.clone(),
                run.history.get("val_accuracy").unwrap_or(&[]).to_vec(),
            ),
            (
                format!("{} (baseline)", baseline.name),
                baseline.history.get("val_accuracy").unwrap_or(&[]).to_vec(),
            ),
        ];
        overlay_chart(
            "Validation accuracy: run and baseline",
            "val_accuracy",
            &curves,
            false,
            chart(COMPARISON_CHART),
        )?;
        images.add(COMPARISON_CHART, &chart(COMPARISON_CHART))?;
        files.push(chart(COMPARISON_CHART));
    }

    let page = build_page(&run, baseline.as_ref(), options, &images)?;
    let (unix_seconds, generated_at) = now_utc();
    let sources = ReportSources {
        generated_at: generated_at.clone(),
        unix_seconds,
        run: run.dir.clone(),
        baseline: baseline.as_ref().map(|b| b.dir.clone()),
        numbers: page.numbers.clone(),
        limitations: page.limitations.clone(),
    };
    let json = serde_json::to_string_pretty(&sources).expect("plain data serialises") + "\n";
    let markdown = page.markdown(&generated_at);
    let html = page.html(&images, &generated_at);
    let paths = [REPORT_SOURCES, REPORT_MARKDOWN, REPORT_HTML].map(|name| out_dir.join(name));
    write_bytes(&paths[0], json.as_bytes())?;
    write_bytes(&paths[1], markdown.as_bytes())?;
    write_bytes(&paths[2], html.as_bytes())?;
    files.extend(paths.iter().cloned());
    let [sources_path, markdown_path, html_path] = paths;
    Ok(Report {
        html: html_path,
        markdown: markdown_path,
        sources: sources_path,
        numbers: page.numbers,
        limitations: page.limitations,
        files,
    })
}

/// Reads the number at `field` in `file`: a JSON pointer into a JSON file (a
/// string holding a number counts), or `/ROW/COLUMN` into a CSV file.
pub fn read_source(file: &Path, field: &str) -> Result<f64, ReportError> {
    let text = std::fs::read_to_string(file).map_err(|e| ReportError::Read {
        path: file.to_path_buf(),
        problem: e.to_string(),
    })?;
    let missing = || ReportError::NoField {
        path: file.to_path_buf(),
        field: field.to_string(),
    };
    if file.extension().is_some_and(|e| e == "csv") {
        let mut parts = field.trim_start_matches('/').splitn(2, '/');
        let row: usize = parts
            .next()
            .and_then(|r| r.parse().ok())
            .ok_or_else(missing)?;
        let column = parts.next().ok_or_else(missing)?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().ok_or_else(missing)?.split(',').collect();
        let position = header
            .iter()
            .position(|h| *h == column)
            .ok_or_else(missing)?;
        let line = lines.nth(row).ok_or_else(missing)?;
        return line
            .split(',')
            .nth(position)
            .and_then(|cell| cell.trim().parse().ok())
            .ok_or_else(missing);
    }
    let json: Value = serde_json::from_str(&text).map_err(|e| ReportError::Invalid {
        path: file.to_path_buf(),
        problem: e.to_string(),
    })?;
    match json.pointer(field) {
        Some(Value::Number(number)) => number.as_f64().ok_or_else(missing),
        Some(Value::String(text)) => text.parse().map_err(|_| missing()),
        _ => Err(missing()),
    }
}

/// How a number is shown: a whole number as it is, anything else with 4 decimals.
pub fn shown_value(value: f64, whole: bool) -> String {
    if whole {
        format!("{value:.0}")
    } else {
        format!("{value:.4}")
    }
}

/// What the report reads from one run folder.
struct RunFiles {
    dir: PathBuf,
    name: String,
    config: RunConfig,
    history: History,
    weights_epoch: usize,
    metrics: Option<TestMetrics>,
    predictions: Option<SetPredictions>,
}

impl RunFiles {
    fn load(dir: &Path, need_metrics: bool) -> Result<RunFiles, ReportError> {
        let history_path = dir.join(HISTORY_FILE);
        if !history_path.is_file() {
            return Err(ReportError::NoHistory {
                dir: dir.to_path_buf(),
            });
        }
        let metrics_path = dir.join(TEST_METRICS_FILE);
        if need_metrics && !metrics_path.is_file() {
            return Err(ReportError::NotEvaluated {
                dir: dir.to_path_buf(),
            });
        }
        let config = RunConfig::load(dir)?;
        let history = History::load(&history_path).map_err(|e| ReportError::Invalid {
            path: history_path.clone(),
            problem: e.to_string(),
        })?;
        let weights_epoch = saved_weights_epoch(&history).ok_or_else(|| ReportError::Invalid {
            path: history_path.clone(),
            problem: "it holds no epochs".into(),
        })?;
        let metrics = if metrics_path.is_file() {
            let text = String::from_utf8(read_bytes(&metrics_path)?).unwrap_or_default();
            Some(
                serde_json::from_str::<TestMetrics>(&text).map_err(|e| ReportError::Invalid {
                    path: metrics_path.clone(),
                    problem: e.to_string(),
                })?,
            )
        } else {
            None
        };
        let predictions_path = dir.join(PREDICTIONS_FILE);
        let predictions = match &metrics {
            Some(metrics) if predictions_path.is_file() => Some(read_predictions(
                &predictions_path,
                metrics.class_names.len(),
            )?),
            _ => None,
        };
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(RunFiles {
            dir: dir.to_path_buf(),
            name,
            config,
            history,
            weights_epoch,
            metrics,
            predictions,
        })
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Reads `predictions.csv` (`y_true,y_pred,p_0,...`).
fn read_predictions(path: &Path, n_classes: usize) -> Result<SetPredictions, ReportError> {
    let text = String::from_utf8(read_bytes(path)?).map_err(|e| ReportError::Invalid {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })?;
    let invalid = |row: usize| ReportError::Invalid {
        path: path.to_path_buf(),
        problem: format!("row {row} is not y_true,y_pred and {n_classes} probabilities"),
    };
    let mut predictions = SetPredictions {
        y_true: Vec::new(),
        y_pred: Vec::new(),
        probabilities: Vec::new(),
        n_classes,
    };
    for (row, line) in text.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != n_classes + 2 {
            return Err(invalid(row + 1));
        }
        let number = |cell: &str| cell.trim().parse::<f64>().map_err(|_| invalid(row + 1));
        predictions.y_true.push(number(cells[0])? as usize);
        predictions.y_pred.push(number(cells[1])? as usize);
        for cell in &cells[2..] {
            predictions.probabilities.push(number(cell)?);
        }
    }
    Ok(predictions)
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ReportError> {
    std::fs::read(path).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_bytes_atomically(path, bytes).map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })
}

/// The PNGs written beside the report, by name, for embedding in the HTML page.
#[derive(Default)]
struct Images {
    embedded: Vec<(String, String)>,
}

impl Images {
    fn add(&mut self, name: &str, path: &Path) -> Result<(), ReportError> {
        let bytes = read_bytes(path)?;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.embedded.push((name.to_string(), data));
        Ok(())
    }

    fn has(&self, name: &str) -> bool {
        self.embedded.iter().any(|(n, _)| n == name)
    }

    fn data(&self, name: &str) -> Option<&str> {
        self.embedded
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, data)| data.as_str())
    }
}

/// A piece of text on the page.
#[derive(Debug, Clone)]
enum Inline {
    Text(String),
    /// A name, path or other identifier: shown as code.
    Code(String),
    /// Index into the page's numbers.
    Number(usize),
}

/// A block of the page: the same blocks become HTML and Markdown.
#[derive(Debug, Clone)]
enum Block {
    Heading(String),
    Paragraph(Vec<Inline>),
    Bullets(Vec<Vec<Inline>>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Image {
        file: String,
        alt: String,
    },
    Quote(String),
    Sources,
}

/// The page being built: its blocks and every number in them.
#[derive(Default)]
struct Page {
    title: String,
    blocks: Vec<Block>,
    numbers: Vec<SourcedNumber>,
    limitations: Vec<String>,
}

fn text(words: impl Into<String>) -> Inline {
    Inline::Text(words.into())
}

fn code(words: impl Into<String>) -> Inline {
    Inline::Code(words.into())
}

impl Page {
    /// Reads the number at `field` of `file` and puts it on the page.
    fn number(
        &mut self,
        label: impl Into<String>,
        file: &Path,
        field: &str,
        whole: bool,
    ) -> Result<Inline, ReportError> {
        let value = read_source(file, field)?;
        self.numbers.push(SourcedNumber {
            label: label.into(),
            shown: shown_value(value, whole),
            value,
            file: file.to_path_buf(),
            field: field.to_string(),
        });
        Ok(Inline::Number(self.numbers.len() - 1))
    }

    fn plain(&self, inlines: &[Inline]) -> String {
        inlines
            .iter()
            .map(|inline| match inline {
                Inline::Text(t) | Inline::Code(t) => t.clone(),
                Inline::Number(i) => self.numbers[*i].shown.clone(),
            })
            .collect()
    }

    fn markdown(&self, generated_at: &str) -> String {
        let inline = |inlines: &[Inline]| -> String {
            inlines
                .iter()
                .map(|inline| match inline {
                    Inline::Text(t) => t.replace('|', "\\|"),
                    Inline::Code(t) => format!("`{t}`"),
                    Inline::Number(i) => self.numbers[*i].shown.clone(),
                })
                .collect()
        };
        let mut out = format!(
            "# {}\n\nBuilt by `kindling report` at `{generated_at}`, from the run's own files only.\n\n",
            self.title
        );
        for block in &self.blocks {
            match block {
                Block::Heading(h) => out += &format!("## {h}\n\n"),
                Block::Paragraph(p) => out += &format!("{}\n\n", inline(p)),
                Block::Bullets(items) => {
                    for item in items {
                        out += &format!("- {}\n", inline(item));
                    }
                    out += "\n";
                }
                Block::Table { header, rows } => {
                    out += &format!("| {} |\n", header.join(" | "));
                    out += &format!("|{}\n", "---|".repeat(header.len()));
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(|c| inline(c)).collect();
                        out += &format!("| {} |\n", cells.join(" | "));
                    }
                    out += "\n";
                }
                Block::Image { file, alt } => out += &format!("![{alt}]({file})\n\n"),
                Block::Quote(q) => out += &format!("> {}\n\n", q.replace('\n', "\n> ")),
                Block::Sources => {
                    out += "| number | value | file | field |\n|---|---|---|---|\n";
                    for n in &self.numbers {
                        out += &format!(
                            "| {} | {} | `{}` | `{}` |\n",
                            n.label,
                            n.shown,
                            n.file.display(),
                            n.field
                        );
                    }
                    out += "\n";
                }
            }
        }
        out
    }

    fn html(&self, images: &Images, generated_at: &str) -> String {
        let number = |n: &SourcedNumber| {
            format!(
                "<span class=\"num\" data-file=\"{}\" data-field=\"{}\" title=\"{}: {} {}\">{}</span>",
                escape(&n.file.display().to_string()),
                escape(&n.field),
                escape(&n.label),
                escape(&n.file.display().to_string()),
                escape(&n.field),
                escape(&n.shown)
            )
        };
        let inline = |inlines: &[Inline]| -> String {
            inlines
                .iter()
                .map(|inline| match inline {
                    Inline::Text(t) => escape(t),
                    Inline::Code(t) => format!("<code>{}</code>", escape(t)),
                    Inline::Number(i) => number(&self.numbers[*i]),
                })
                .collect()
        };
        let mut body = format!("<h1>{}</h1>\n", escape(&self.title));
        body += &format!(
            "<p class=\"built\">Built by <code>kindling report</code> at <code>{}</code>, from the run's own files only.</p>\n",
            escape(generated_at)
        );
        for block in &self.blocks {
            match block {
                Block::Heading(h) => body += &format!("<h2>{}</h2>\n", escape(h)),
                Block::Paragraph(p) => body += &format!("<p>{}</p>\n", inline(p)),
                Block::Bullets(items) => {
                    body += "<ul>\n";
                    for item in items {
                        body += &format!("<li>{}</li>\n", inline(item));
                    }
                    body += "</ul>\n";
                }
                Block::Table { header, rows } => {
                    body += "<table>\n<tr>";
                    for h in header {
                        body += &format!("<th>{}</th>", escape(h));
                    }
                    body += "</tr>\n";
                    for row in rows {
                        body += "<tr>";
                        for cell in row {
                            body += &format!("<td>{}</td>", inline(cell));
                        }
                        body += "</tr>\n";
                    }
                    body += "</table>\n";
                }
                Block::Image { file, alt } => {
                    if let Some(data) = images.data(file) {
                        body += &format!(
                            "<figure><img src=\"data:image/png;base64,{data}\" alt=\"{}\"><figcaption><code>{}</code></figcaption></figure>\n",
                            escape(alt),
                            escape(file)
                        );
                    }
                }
                Block::Quote(q) => {
                    body += &format!("<blockquote class=\"notes\">{}</blockquote>\n", escape(q))
                }
                Block::Sources => {
                    body += "<table class=\"sources\">\n<tr><th>number</th><th>value</th><th>file</th><th>field</th></tr>\n";
                    for n in &self.numbers {
                        body += &format!(
                            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>\n",
                            escape(&n.label),
                            number(n),
                            escape(&n.file.display().to_string()),
                            escape(&n.field)
                        );
                    }
                    body += "</table>\n";
                }
            }
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
            escape(&self.title)
        )
    }
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }
h1, h2 { line-height: 1.2; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
th { background: #f3f3f3; }
.num { font-variant-numeric: tabular-nums; border-bottom: 1px dotted #888; }
figure { margin: 1rem 0; }
img { max-width: 100%; }
code { background: #f3f3f3; padding: 0 .2rem; }
.built { color: #666; }
blockquote { border-left: 4px solid #ccc; margin-left: 0; padding-left: 1rem; }
";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Everything on the page, read from the run's files.
fn build_page(
    run: &RunFiles,
    baseline: Option<&RunFiles>,
    options: &ReportOptions,
    images: &Images,
) -> Result<Page, ReportError> {
    let metrics = run.metrics.as_ref().expect("loaded with metrics");
    let metrics_file = run.file(TEST_METRICS_FILE);
    let history_file = run.file(HISTORY_FILE);
    let config_file = run.file(CONFIG_FILE);
    let mut page = Page {
        title: options
            .title
            .clone()
            .unwrap_or_else(|| format!("Report on {}", run.name)),
        ..Page::default()
    };

    // What was trained.
    let mut about = vec![text("The model "), code(run.config.model.to_string())];
    about.push(text(" was trained on "));
    about.push(code(run.config.dataset.clone()));
    about.push(text(" with "));
    about.push(page.number("training images", &config_file, "/train_size", true)?);
    about.push(text(" training and "));
    about.push(page.number("validation images", &config_file, "/val_size", true)?);
    about.push(text(" validation images for "));
    about.push(page.number("epochs trained", &history_file, "/epochs", true)?);
    about.push(text(" epochs; the saved weights are those of epoch "));
    let epoch_field = if run
        .history
        .context
        .contains_key(crate::evaluation::WEIGHTS_EPOCH_CONTEXT)
    {
        format!("/context/{}", crate::evaluation::WEIGHTS_EPOCH_CONTEXT)
    } else {
        "/epochs".to_string()
    };
    about.push(page.number(
        "epoch of the saved weights",
        &history_file,
        &epoch_field,
        true,
    )?);
    about.push(text(". Augmentation: "));
    about.push(code(
        run.config
            .fit
            .augmentation
            .map_or_else(|| "none".to_string(), |a| a.to_string()),
    ));
    about.push(text(". It was tested on "));
    about.push(page.number("test images", &metrics_file, "/test_images", true)?);
    about.push(text(" images of the sealed test set."));
    page.blocks.push(Block::Paragraph(about));

    // Results.
    page.blocks.push(Block::Heading("Results".into()));
    let mut header = vec!["measure".to_string(), run.name.clone()];
    if let Some(baseline) = baseline {
        header.push(format!("{} (baseline)", baseline.name));
    }
    let mut rows = Vec::new();
    let index = run.weights_epoch - 1;
    for (label, metric) in [
        ("training accuracy (saved weights)", "accuracy"),
        ("validation accuracy (saved weights)", "val_accuracy"),
    ] {
        if run.history.get(metric).is_none() {
            continue;
        }
        let mut row = vec![vec![text(label)]];
        row.push(vec![page.number(
            format!("{label} of {}", run.name),
            &history_file,
            &format!("/metrics/{metric}/{index}"),
            false,
        )?]);
        if let Some(baseline) = baseline {
            row.push(match baseline.history.get(metric) {
                Some(_) => vec![page.number(
                    format!("{label} of {}", baseline.name),
                    &baseline.file(HISTORY_FILE),
                    &format!("/metrics/{metric}/{}", baseline.weights_epoch - 1),
                    false,
                )?],
                None => vec![text("-")],
            });
        }
        rows.push(row);
    }
    for (label, field) in [
        ("test accuracy", "/accuracy"),
        ("test macro F1", "/macro_f1"),
    ] {
        let mut row = vec![vec![text(label)]];
        row.push(vec![page.number(
            format!("{label} of {}", run.name),
            &metrics_file,
            field,
            false,
        )?]);
        if let Some(baseline) = baseline {
            row.push(match &baseline.metrics {
                Some(_) => vec![page.number(
                    format!("{label} of {}", baseline.name),
                    &baseline.file(TEST_METRICS_FILE),
                    field,
                    false,
                )?],
                None => vec![text("not evaluated")],
            });
        }
        rows.push(row);
    }
    page.blocks.push(Block::Table { header, rows });

    // Per class.
    page.blocks.push(Block::Heading("Per class".into()));
    let mut header: Vec<String> = ["class", "precision", "recall", "F1", "test images"]
        .map(String::from)
        .to_vec();
    let baseline_classes = baseline
        .and_then(|b| b.metrics.as_ref().map(|m| (b, m)))
        .filter(|(_, m)| m.class_names == metrics.class_names);
    if let Some((baseline, _)) = baseline_classes {
        header.push(format!("F1 of {} (baseline)", baseline.name));
    }
    let mut rows = Vec::new();
    for (class, scores) in metrics.per_class.iter().enumerate() {
        let mut row = vec![vec![text(scores.name.clone())]];
        for (what, whole) in [
            ("precision", false),
            ("recall", false),
            ("f1", false),
            ("support", true),
        ] {
            let label = match what {
                "f1" => format!("F1 of {}", scores.name),
                "support" => format!("test images of {}", scores.name),
                other => format!("{other} of {}", scores.name),
            };
            row.push(vec![page.number(
                label,
                &metrics_file,
                &format!("/per_class/{class}/{what}"),
                whole,
            )?]);
        }
        if let Some((baseline, _)) = baseline_classes {
            row.push(vec![page.number(
                format!("F1 of {} in {}", scores.name, baseline.name),
                &baseline.file(TEST_METRICS_FILE),
                &format!("/per_class/{class}/f1"),
                false,
            )?]);
        }
        rows.push(row);
    }
    page.blocks.push(Block::Table { header, rows });

    // Charts.
    page.blocks.push(Block::Heading("Training curves".into()));
    for (file, alt) in [
        (
            ACCURACY_CHART,
            "accuracy per epoch, training and validation",
        ),
        (LOSS_CHART, "loss per epoch, training and validation"),
    ] {
        page.blocks.push(Block::Image {
            file: file.into(),
            alt: alt.into(),
        });
    }
    if let Some(baseline) = baseline {
        page.blocks
            .push(Block::Heading("Against the baseline".into()));
        page.blocks.push(Block::Paragraph(vec![
            text("Validation accuracy per epoch of "),
            code(run.name.clone()),
            text(" and of the baseline "),
            code(baseline.name.clone()),
            text(" (augmentation "),
            code(
                baseline
                    .config
                    .fit
                    .augmentation
                    .map_or_else(|| "none".to_string(), |a| a.to_string()),
            ),
            text("). The table above gives both runs' numbers side by side."),
        ]));
        if images.has(COMPARISON_CHART) {
            page.blocks.push(Block::Image {
                file: COMPARISON_CHART.into(),
                alt: "validation accuracy of the run and the baseline".into(),
            });
        }
    }
    page.blocks.push(Block::Heading("Confusion matrix".into()));
    page.blocks.push(Block::Paragraph(vec![text(
        "Each row is an actual class, divided by its total: the diagonal is each class's recall, and a bright cell off it is a pair of classes the model mixes up.",
    )]));
    page.blocks.push(Block::Image {
        file: CONFUSION_CHART.into(),
        alt: "row-normalised confusion matrix".into(),
    });

    // Examples.
    page.blocks
        .push(Block::Heading("Confident right answers".into()));
    match &run.predictions {
        Some(predictions) => {
            let right = most_confident_right(predictions, CONFIDENT_RIGHT_SHOWN);
            let mut rows = Vec::new();
            for answer in &right {
                let name = metrics.class_names[answer.actual].clone();
                rows.push(vec![
                    vec![text(name.clone())],
                    vec![page.number(
                        format!("probability of a right {name}"),
                        &run.file(PREDICTIONS_FILE),
                        &format!("/{}/p_{}", answer.index, answer.actual),
                        false,
                    )?],
                ]);
            }
            page.blocks.push(Block::Table {
                header: vec!["class (predicted and actual)".into(), "probability".into()],
                rows,
            });
        }
        None => page.blocks.push(Block::Paragraph(vec![
            text("The run folder has no "),
            code(PREDICTIONS_FILE),
            text(", so its right answers cannot be listed."),
        ])),
    }
    if images.has(CONFIDENT_RIGHT_FILE) {
        page.blocks.push(Block::Image {
            file: CONFIDENT_RIGHT_FILE.into(),
            alt: "the most confident right answers".into(),
        });
    }
    page.blocks
        .push(Block::Heading("Confident wrong answers".into()));
    let mut rows = Vec::new();
    for (position, mistake) in metrics.top_losses.iter().take(MISTAKES_SHOWN).enumerate() {
        let predicted = metrics.class_names[mistake.predicted].clone();
        let actual = metrics.class_names[mistake.actual].clone();
        rows.push(vec![
            vec![text(predicted.clone())],
            vec![text(actual.clone())],
            vec![page.number(
                format!("probability of {predicted} for an actual {actual}"),
                &metrics_file,
                &format!("/top_losses/{position}/probability"),
                false,
            )?],
        ]);
    }
    if rows.is_empty() {
        page.blocks.push(Block::Paragraph(vec![text(
            "The model made no mistakes on the test set.",
        )]));
    } else {
        page.blocks.push(Block::Table {
            header: vec![
                "predicted".into(),
                "actual".into(),
                "probability given".into(),
            ],
            rows,
        });
    }
    if images.has(MISTAKES_FILE) {
        page.blocks.push(Block::Image {
            file: MISTAKES_FILE.into(),
            alt: "the most confident mistakes".into(),
        });
    }

    // Limitations, from the evidence.
    page.blocks.push(Block::Heading("Limitations".into()));
    let mut limits: Vec<Vec<Inline>> = Vec::new();
    let weakest = &metrics.weakest_class;
    limits.push(vec![
        text(format!("The weakest class is {}, with F1 ", weakest.name)),
        page.number(
            format!("F1 of the weakest class, {}", weakest.name),
            &metrics_file,
            "/weakest_class/f1",
            false,
        )?,
        text(format!(
            ": pictures of {} are the ones to distrust most.",
            weakest.name
        )),
    ]);
    if let Some(gap) = metrics.test_minus_validation
        && gap.abs() >= VALIDATION_TEST_GAP
    {
        let direction = if gap < 0.0 {
            "below validation accuracy: the validation score was optimistic, so expect the test figure on new images"
        } else {
            "above validation accuracy: the validation pile was harder than the test pile, so both figures carry chance"
        };
        limits.push(vec![
            text("Test accuracy minus validation accuracy is "),
            page.number(
                "test minus validation accuracy",
                &metrics_file,
                "/test_minus_validation",
                false,
            )?,
            text(format!(", so test accuracy is {direction}.")),
        ]);
    }
    let train = run.history.get("accuracy").map(|a| a[index]);
    let valid = run.history.get("val_accuracy").map(|a| a[index]);
    if let (Some(train), Some(valid)) = (train, valid)
        && train - valid > OVERFIT_GAP
    {
        limits.push(vec![
            text("Training accuracy "),
            page.number(
                "training accuracy (saved weights)",
                &history_file,
                &format!("/metrics/accuracy/{index}"),
                false,
            )?,
            text(" is well above validation accuracy "),
            page.number(
                "validation accuracy (saved weights)",
                &history_file,
                &format!("/metrics/val_accuracy/{index}"),
                false,
            )?,
            text(": the model fits its training images better than new ones (overfitting)."),
        ]);
    }
    if let Some(looked) = times_opened(run, metrics, &mut page)? {
        let count = page.numbers.last().map_or(0.0, |n| n.value);
        if count > 1.0 {
            limits.push(vec![
                text("The test set of "),
                code(metrics.dataset.clone()),
                text(" has been looked at "),
                looked,
                text(" times. Every look after the first lets choices lean toward the test images, so the test score is a little optimistic."),
            ]);
        } else {
            limits.push(vec![
                text("The test set has been looked at "),
                looked,
                text(" time, by this run: the test score is a fair estimate for images like these, and it stays fair only if nothing is tuned on it now."),
            ]);
        }
    }
    if metrics.test_images < SMALL_TEST_SET {
        limits.push(vec![
            text("The test set holds only "),
            page.number("test images", &metrics_file, "/test_images", true)?,
            text(" images: a difference of a point or two between runs can be chance."),
        ]);
    }
    if run.config.dataset == "builtin" {
        limits.push(vec![text(
            "The images are Kindling's built-in generated set, shapes drawn on noisy coloured backgrounds, not real photos: these numbers say nothing about how the model does on photographs.",
        )]);
    }
    page.limitations = limits.iter().map(|l| page.plain(l)).collect();
    page.blocks.push(Block::Bullets(limits));
    for note in &options.notes {
        page.blocks.push(Block::Quote(note.clone()));
    }

    page.blocks
        .push(Block::Heading("Where these numbers come from".into()));
    page.blocks.push(Block::Paragraph(vec![
        text("Every number above was read from a file of the run folder "),
        code(run.dir.display().to_string()),
        text(
            " (and of the baseline's, when given); paths are as they were given to the report builder. Fields are JSON pointers into the file; in a CSV file they are the row (counted from the first row after the header) and the column.",
        ),
    ]));
    page.blocks.push(Block::Sources);
    Ok(page)
}

/// How many times the run's test set has been opened: from the ledger that counted
/// the run's opening (every look on this machine with the same runs root, by any
/// program or stage) when it is there, else from the count recorded at evaluation.
fn times_opened(
    run: &RunFiles,
    metrics: &TestMetrics,
    page: &mut Page,
) -> Result<Option<Inline>, ReportError> {
    if let Ok(Some(file)) = Ledger::file_of_run(&run.dir)
        && let Ok(ledger) = Ledger::load_file(&file)
        && let Some(position) = ledger
            .entries
            .iter()
            // A test set that is the same for every seed is counted under no seed.
            .position(|e| {
                e.dataset == metrics.dataset && e.seed.is_none_or(|seed| seed == metrics.seed)
            })
    {
        let field = format!("/entries/{position}/times_opened");
        return Ok(Some(page.number(
            "times the test set was opened",
            &file,
            &field,
            true,
        )?));
    }
    if metrics.test_set_opened.is_some() {
        return Ok(Some(page.number(
            "times the test set was opened",
            &run.file(TEST_METRICS_FILE),
            "/test_set_opened/times_opened",
            true,
        )?));
    }
    Ok(None)
}
