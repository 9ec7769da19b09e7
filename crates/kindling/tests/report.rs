//! The demo report, built from two small evaluated runs: every number on the HTML
//! page is traced back to the file and field it names.

use std::path::{Path, PathBuf};

use burn::prelude::Device;

use kindling::data::{Augmentation, DataSource, SplitSizes, TestOpening, load_splits};
use kindling::evaluation::{EvaluationContext, validation_accuracy, write_evaluation};
use kindling::models::{ModelKind, init_seeded};
use kindling::report::{
    REPORT_HTML, REPORT_MARKDOWN, REPORT_SOURCES, ReportError, ReportOptions, ReportSources,
    read_source, shown_value, write_report,
};
use kindling::train::{BURN_VERSION, FitConfig, ImageData, RunConfig, Verbosity, fit, predict_set};

const SEED: u64 = 11;

/// Trains a small linear model into `root/name` and, when `evaluate`, scores it on
/// the test set, opened through the ledger as `kindling evaluate` does.
fn make_run(
    root: &Path,
    name: &str,
    augmentation: Option<Augmentation>,
    evaluate: bool,
) -> PathBuf {
    let sizes = SplitSizes {
        train: Some(100),
        validation: Some(40),
        test: Some(60),
    };
    let splits = load_splits(&DataSource::Builtin, sizes, SEED).unwrap();
    let normalization = splits.normalization();
    let device = Device::flex();
    let model = init_seeded(&device, SEED, |d| ModelKind::Linear.init(10, d));
    let config = FitConfig::default()
        .with_epochs(3)
        .with_batch_size(20)
        .with_verbosity(Verbosity::Silent)
        .with_seed(SEED)
        .with_augmentation(augmentation);
    let train = ImageData::new(&splits.train, normalization);
    let valid = ImageData::new(&splits.validation, normalization);
    let (model, history) = fit(model, &train, Some(&valid), &config).unwrap();
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    history.save_json(&dir.join("history.json")).unwrap();
    RunConfig {
        kindling_version: "test".into(),
        burn_version: BURN_VERSION.into(),
        dataset: "builtin".into(),
        model: ModelKind::Linear,
        model_options: Default::default(),
        device: "flex".into(),
        train_size: splits.train.len(),
        val_size: splits.validation.len(),
        class_names: splits.class_names().to_vec(),
        normalization,
        fit: config,
        patience: None,
        status: kindling::train::RunStatus::Finished,
    }
    .save(&dir)
    .unwrap();
    if evaluate {
        let opening = TestOpening {
            dataset: "builtin".into(),
            seed: SEED,
            command: "report test".into(),
        };
        let (test, ledger) = splits.test.open_recorded(&opening, &dir).unwrap();
        let predictions = predict_set(&model, &test, normalization, &device);
        let context = EvaluationContext {
            dataset: "builtin".into(),
            seed: SEED,
            model: ModelKind::Linear.to_string(),
            class_names: test.class_names().to_vec(),
            validation_accuracy: validation_accuracy(&dir),
            ledger: Some(ledger),
        };
        write_evaluation(&dir, &predictions, &test, &context, 16).unwrap();
    }
    dir
}

/// Every `<span class="num">` of the page: (file, field, text).
fn sourced_numbers(html: &str) -> Vec<(String, String, String)> {
    let dom = tl::parse(html, tl::ParserOptions::default()).unwrap();
    let parser = dom.parser();
    dom.query_selector("span.num")
        .unwrap()
        .map(|handle| {
            let tag = handle.get(parser).unwrap().as_tag().unwrap();
            let attribute = |name: &str| {
                tag.attributes()
                    .get(name)
                    .flatten()
                    .unwrap()
                    .as_utf8_str()
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            };
            (
                attribute("data-file"),
                attribute("data-field"),
                tag.inner_text(parser).into_owned(),
            )
        })
        .collect()
}

/// The page's text outside `<code>`, `<style>`, `<title>` and the sourced numbers.
fn unsourced_text(html: &str) -> String {
    let dom = tl::parse(html, tl::ParserOptions::default()).unwrap();
    let parser = dom.parser();
    let mut words = String::new();
    fn walk(node: &tl::Node, parser: &tl::Parser, words: &mut String) {
        match node {
            tl::Node::Raw(text) => {
                words.push_str(&text.as_utf8_str());
                words.push(' ');
            }
            tl::Node::Tag(tag) => {
                let name = tag.name().as_utf8_str();
                let is_number = tag
                    .attributes()
                    .class()
                    .is_some_and(|c| c.as_utf8_str() == "num");
                if matches!(name.as_ref(), "code" | "style" | "title") || is_number {
                    return;
                }
                for child in tag.children().top().iter() {
                    if let Some(child) = child.get(parser) {
                        walk(child, parser, words);
                    }
                }
            }
            tl::Node::Comment(_) => {}
        }
    }
    for node in dom.children() {
        if let Some(node) = node.get(parser) {
            walk(node, parser, &mut words);
        }
    }
    words
}

/// Numbers standing alone in text: digits not part of a word like `F1` or `run-001`.
fn loose_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let glued = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            if !before.is_some_and(glued) && !after.is_some_and(glued) {
                found.push(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn every_number_on_the_page_is_in_the_file_and_field_it_names() {
    let root = tempfile::tempdir().unwrap();
    let baseline = make_run(root.path(), "baseline", None, true);
    let improved = make_run(
        root.path(),
        "improved",
        Some(Augmentation::flip_and_crop()),
        true,
    );
    let out = root.path().join("report");
    let options = ReportOptions {
        baseline: Some(baseline.clone()),
        notes: vec!["In my words: the model was only tested on drawn shapes.".into()],
        ..ReportOptions::default()
    };
    let report = write_report(&improved, &out, &options).unwrap();

    let html = std::fs::read_to_string(out.join(REPORT_HTML)).unwrap();
    let numbers = sourced_numbers(&html);
    // Each number appears on the page and again in the sources table.
    assert_eq!(numbers.len(), 2 * report.numbers.len());
    assert!(
        report.numbers.len() > 40,
        "{} numbers",
        report.numbers.len()
    );
    for (file, field, shown) in &numbers {
        let value = read_source(Path::new(file), field)
            .unwrap_or_else(|e| panic!("{shown} names {file} {field}: {e}"));
        let whole = !shown.contains('.');
        assert_eq!(&shown_value(value, whole), shown, "{file} {field}");
    }
    let files: std::collections::BTreeSet<String> = numbers
        .iter()
        .map(|(file, _, _)| {
            Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for expected in [
        "config.json",
        "history.json",
        "test_metrics.json",
        "predictions.csv",
        "test_ledger.json",
    ] {
        assert!(
            files.contains(expected),
            "no number from {expected}: {files:?}"
        );
    }
    let baseline_numbers = numbers
        .iter()
        .filter(|(file, _, _)| Path::new(file).starts_with(&baseline))
        .count();
    assert!(baseline_numbers > 10, "{baseline_numbers} baseline numbers");
    let loose = loose_numbers(&unsourced_text(&html));
    assert!(loose.is_empty(), "numbers without a source: {loose:?}");

    // Self-contained: no scripts, nothing fetched, every image embedded.
    assert!(!html.contains("<script") && !html.contains("http"));
    for heading in [
        "Results",
        "Per class",
        "Training curves",
        "Against the baseline",
        "Confusion matrix",
        "Confident right answers",
        "Confident wrong answers",
        "Limitations",
        "Where these numbers come from",
    ] {
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 6);
    for chart in [
        "accuracy.png",
        "loss.png",
        "confusion_normalized.png",
        "mistakes.png",
        "confident_right.png",
        "comparison.png",
    ] {
        assert!(image::open(out.join(chart)).is_ok(), "{chart}");
    }

    // The Markdown page has the same content.
    let markdown = std::fs::read_to_string(out.join(REPORT_MARKDOWN)).unwrap();
    assert!(markdown.contains("## Where these numbers come from"));
    assert!(markdown.contains("![row-normalised confusion matrix](confusion_normalized.png)"));
    for number in &report.numbers {
        assert!(markdown.contains(&number.shown));
    }

    // Limitations come from the evidence: the weakest class, the two looks at the
    // test set, the generated images.
    let sources: ReportSources =
        serde_json::from_str(&std::fs::read_to_string(out.join(REPORT_SOURCES)).unwrap()).unwrap();
    assert_eq!(sources.numbers, report.numbers);
    let limits = sources.limitations.join("\n");
    assert!(limits.contains("The weakest class is"), "{limits}");
    assert!(limits.contains("looked at 2 times"), "{limits}");
    assert!(limits.contains("not real photos"), "{limits}");
    assert!(html.contains("In my words"));
}

#[test]
fn unevaluated_runs_and_existing_reports_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let trained = make_run(root.path(), "trained", None, false);
    let out = root.path().join("out");
    let error = write_report(&trained, &out, &ReportOptions::default()).unwrap_err();
    assert!(matches!(error, ReportError::NotEvaluated { .. }));
    assert!(error.to_string().contains("kindling evaluate"), "{error}");
    assert!(!out.exists(), "nothing written");

    let evaluated = make_run(root.path(), "evaluated", None, true);
    write_report(&evaluated, &out, &ReportOptions::default()).unwrap();
    let before = std::fs::read(out.join(REPORT_HTML)).unwrap();
    let again = write_report(&evaluated, &out, &ReportOptions::default()).unwrap_err();
    assert!(again.to_string().contains("--force"), "{again}");
    assert_eq!(std::fs::read(out.join(REPORT_HTML)).unwrap(), before);
    let forced = ReportOptions {
        force: true,
        ..ReportOptions::default()
    };
    write_report(&evaluated, &out, &forced).unwrap();

    let no_history = root.path().join("empty");
    std::fs::create_dir_all(&no_history).unwrap();
    let options = ReportOptions {
        baseline: Some(no_history),
        force: true,
        ..ReportOptions::default()
    };
    let error = write_report(&evaluated, &out, &options).unwrap_err();
    assert!(error.to_string().contains("history.json"), "{error}");
    // A report without a baseline shows one looked-at count and no comparison.
    let page = std::fs::read_to_string(out.join(REPORT_HTML)).unwrap();
    assert!(!page.contains("Against the baseline"));
}
