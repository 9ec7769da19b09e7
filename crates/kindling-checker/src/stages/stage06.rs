//! Stage 6, Test evidence: one recorded opening of the sealed test set, the
//! predictions, and the metrics recomputed from them.
//!
//! The evidence judges here (`judge_opened`, `judge_predictions`) serve stage 7
//! too: it trains and evaluates the same way before it looks at the mistakes.

use kindling::data::{DataSource, SplitSizes, TestOpenedRecord, load_splits};
use kindling::evaluation::{PREDICTIONS_FILE, REPORT_FILE, TEST_METRICS_FILE, TestMetrics};
use kindling::metrics::{
    ClassificationMetrics, Predictions, RocAuc, ScoreColumns, Task, read_predictions,
};
use kindling::train::History;
use serde_json::Value;

use super::{Hint, StageInfo, with_truth};
use crate::answers::{AnswerProblem, Answers};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, Verdict};
use crate::facts::DEFAULT_SEED;
use crate::facts::stage06::{CLOSE_GAP, COMMAND, LEARNED_ACCURACY, sizes};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};

/// The snapshot of the reference solution's check run at the default seed: a read
/// graded at another seed is held to it, since the learner wrote it from that run.
pub const OUTPUTS_SNAPSHOT: &str = "stage06_outputs";

/// The claims the page makes about the run; `cargo xtask robust stage6` counts the
/// seeds each holds at.
pub const CLAIMS: [Claim; 2] = [
    Claim {
        id: "s6.classes_differ",
        statement: "accuracy hides very different classes: the best class's F1 is more than 0.5 above the weakest's",
        unit: "F1",
        judge: |run| {
            let rows = run
                .value("per_class")?
                .as_array()
                .ok_or("report.json's per_class is not a list")?;
            let f1: Vec<f64> = rows
                .iter()
                .map(|row| {
                    row["f1"]
                        .as_f64()
                        .ok_or_else(|| "a per_class row has no f1".to_string())
                })
                .collect::<Result<_, _>>()?;
            let best = f1.iter().copied().fold(0.0, f64::max);
            let worst = f1.iter().copied().fold(1.0, f64::min);
            Ok(Verdict::above(
                best - worst,
                0.5,
                format!("best F1 {best:.3}, weakest {worst:.3}"),
            ))
        },
    },
    Claim {
        id: "s6.probabilities_carry_more",
        statement: "the probabilities carry more than the predictions: ROC-AUC is above the top-1 accuracy",
        unit: "ROC-AUC minus accuracy",
        judge: |run| {
            let roc_auc = run.number("roc_auc_macro")?;
            let accuracy = run.number("/comparison/test")?;
            Ok(Verdict::above(
                roc_auc,
                accuracy,
                format!("ROC-AUC {roc_auc:.3}, accuracy {accuracy:.3}"),
            ))
        },
    },
];

/// Stage 6's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 6,
    name: "Test evidence",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 120,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 8] = [
    (
        "s6.opened",
        "The sealed test set was opened exactly once in this run, and test_opened.json records it",
    ),
    (
        "s6.predictions",
        "predictions.csv has one row per test image: its true class, the predicted class (the most probable one) and the ten probabilities",
    ),
    (
        "s6.evidence",
        "test_metrics.json and classification_report.txt are written by this run and agree with predictions.csv",
    ),
    (
        "s6.learned",
        "The model learned: its test accuracy is well above the 0.10 of guessing",
    ),
    (
        "s6.metrics",
        "Your metrics match the checker's, recomputed from predictions.csv: accuracy, per-class precision, recall, F1 and support, macro and weighted averages, ROC-AUC, top-k accuracy and the weakest class",
    ),
    (
        "s6.compare",
        "Validation and test accuracy stand side by side, with test minus validation",
    ),
    ("s6.predict", "answers.toml holds your prediction"),
    (
        "s6.read",
        "answers.toml: your read (the weakest class, test against validation, test accuracy and macro F1) agrees with the run",
    ),
];

const HINTS: [Hint; 7] = [
    Hint {
        symptom: "test_opened.json is missing, or records more than one opening",
        cause: "the test set was opened with open(), which keeps no record, or opened more than once",
        fix: "open the sealed test pile once, with open_recorded as step 2 of run() does, and predict from the images it hands back",
    },
    Hint {
        symptom: "The test accuracy is near 0.10",
        cause: "the model was not trained, or the test images were not normalised as the training images were",
        fix: "train as the page says and predict with the training pile's normalisation (trained.normalization)",
    },
    Hint {
        symptom: "The metrics item says report.json has no ROC-AUC or no top-k accuracy",
        cause: "measure computes the metrics without the probabilities",
        fix: "give ClassificationMetrics::compute the probabilities as well as the predicted classes: ROC-AUC and top-k need to know how sure the model was",
    },
    Hint {
        symptom: "The weakest class is empty, or is not the class with the lowest F1",
        cause: "weakest_class still returns its placeholder, or keeps the highest F1",
        fix: "keep the class whose F1 is lowest, changing your choice only when a later class is strictly lower, so that a tie keeps the first",
    },
    Hint {
        symptom: "The comparison's difference is missing or has the wrong sign",
        cause: "compare still returns its placeholder, or subtracts the other way round",
        fix: "subtract validation from test, and call the two close when that difference, whatever its sign, is at most the allowed gap",
    },
    Hint {
        symptom: "predictions.csv, test_metrics.json or classification_report.txt is missing",
        cause: "the evaluation's files were not written into the output folder",
        fix: "keep step 4 of run(), which writes every evidence file into the output folder",
    },
    Hint {
        symptom: "The checker says your read disagrees with the numbers",
        cause: "the read was written from the full run, or from memory",
        fix: "read classification_report.txt of the check run (runs/check/stage06/): the weakest class has the lowest f1-score; copy accuracy and macro avg f1 from it",
    },
];
pub(crate) const OPEN: Hint = HINTS[0];
const LEARN: Hint = HINTS[1];
const MEASURE: Hint = HINTS[2];
const WEAKEST: Hint = HINTS[3];
const COMPARE: Hint = HINTS[4];
const FILES: Hint = HINTS[5];
const READ: Hint = HINTS[6];

/// Label metrics (accuracy, precision, recall, F1) must match to this.
const EXACT: f64 = 1e-9;
/// ROC-AUC and top-k read from a CSV of rounded probabilities may move by a few
/// ties; a wrong formula moves them by far more.
const ROUNDED: f64 = 0.002;
/// A copied number agrees when it is right to three decimals.
const COPIED: f64 = 0.005 + 1e-9;
/// Ten probabilities per image, one per class.
const CLASSES: usize = 10;

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        opened,
        predictions_item,
        evidence,
        learned,
        metrics_item,
        compare_item,
        predict,
        read,
    ] = ITEMS;
    let item = CheckItem::judged;
    let truth = load_truth(context);
    let predictions = with_truth(&truth, |t| read_checked_predictions(context, t, FILES.fix));
    let recomputed = predictions.as_ref().map_err(Clone::clone).and_then(|p| {
        recompute(p, &truth).map_err(|e| (format!("{PREDICTIONS_FILE}: {e}"), FILES.fix))
    });
    let answers = context.answers();
    let after = |judge: &dyn Fn(&ClassificationMetrics) -> Result<String, Failure>| {
        recomputed
            .as_ref()
            .map_err(|(detail, fix)| (format!("no predictions to compare with: {detail}"), *fix))
            .and_then(judge)
    };
    vec![
        item(
            opened,
            judge_opened(context, COMMAND, sizes(context.profile).test),
        ),
        item(
            predictions_item,
            predictions
                .as_ref()
                .map(describe_rows)
                .map_err(Clone::clone),
        ),
        item(evidence, after(&|m| judge_evidence(context, m))),
        item(learned, after(&judge_learned)),
        item(metrics_item, after(&|m| judge_metrics(report, m))),
        item(
            compare_item,
            after(&|m| judge_compare(context, report, m.accuracy)),
        ),
        item(
            predict,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| {
                    a.text("predict", "test_vs_validation")
                        .map(|_| "written".to_string())
                        .map_err(|e| (e.to_string(), PREDICT_FIX))
                }),
        ),
        item(
            read,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| {
                    after(&|m| {
                        // The learner wrote the read from their own check run, at the
                        // default seed: graded at another seed, it is held to that run's
                        // numbers, kept in the reference snapshot.
                        let truth = if context.seed == DEFAULT_SEED {
                            run_read_truth(m, report)
                        } else {
                            snapshot_read_truth(context)?
                        };
                        judge_read(a, &truth)
                    })
                }),
        ),
    ]
}

const PREDICT_FIX: &str =
    "Before you run the stage, write under [predict] in answers.toml what you expect.";

/// What the check run must find, from the checker's own copy of the data.
#[derive(Debug, Clone)]
pub(crate) struct Truth {
    /// The pile the predictions are of: `test` (stage 6) or `validation` (stage 7).
    pub pile: &'static str,
    /// The pile's labels, in order.
    pub labels: Vec<usize>,
    /// Class names, indexed by label.
    pub class_names: Vec<String>,
}

/// The test labels of a check run with the context's seed.
pub(crate) fn load_truth(context: &CheckContext) -> Result<Truth, String> {
    let size = sizes(context.profile);
    let piles = SplitSizes {
        train: Some(size.train),
        validation: Some(size.validation),
        test: Some(size.test),
    };
    let splits =
        load_splits(&DataSource::Builtin, piles, context.seed).map_err(|e| e.to_string())?;
    // The checker opens its own copy of the test pile: the learner's opening is
    // the one that counts, and it is recorded in the run's folder.
    let test = splits.test.open();
    Ok(Truth {
        pile: "test",
        labels: test.labels().iter().map(|&l| l as usize).collect(),
        class_names: test.class_names().to_vec(),
    })
}

/// Every metric of the predictions, with the classes named.
pub(crate) fn recompute(
    predictions: &kindling::metrics::ClassificationPredictions,
    truth: &Result<Truth, String>,
) -> Result<ClassificationMetrics, String> {
    let metrics = predictions.metrics().map_err(|e| e.to_string())?;
    match truth {
        Ok(truth) => metrics
            .with_class_names(&truth.class_names)
            .map_err(|e| e.to_string()),
        Err(_) => Ok(metrics),
    }
}

/// The run opened the test set once, recorded in its folder, for this data.
pub(crate) fn judge_opened(
    context: &CheckContext,
    command: &str,
    images: usize,
) -> Result<String, Failure> {
    let not_recorded = |detail: String| (detail, OPEN.fix);
    context
        .fresh_file(kindling::data::TEST_OPENED_FILE)
        .map_err(|detail| {
            not_recorded(format!(
                "{detail}: the test set was opened without a record, or not at all"
            ))
        })?;
    let record = TestOpenedRecord::load(&context.out_dir)
        .map_err(|e| not_recorded(e.to_string()))?
        .ok_or_else(|| not_recorded("test_opened.json was not written".into()))?;
    let [opening] = record.openings.as_slice() else {
        return Err(not_recorded(format!(
            "test_opened.json records {} openings in this run; the test set may be opened once",
            record.openings.len()
        )));
    };
    if opening.command != command || opening.seed != context.seed || opening.images != images {
        return Err(not_recorded(format!(
            "test_opened.json records an opening by `{}` of {} images with seed {}; this run is `{command}`, {images} images, seed {}",
            opening.command, opening.images, opening.seed, context.seed
        )));
    }
    Ok(format!(
        "once, at {}, {} images",
        opening.opened_at, opening.images
    ))
}

/// predictions.csv, read and checked against the test pile and its own
/// probabilities; `missing` is the fix when the file is absent or malformed.
pub(crate) fn read_checked_predictions(
    context: &CheckContext,
    truth: &Truth,
    missing: &'static str,
) -> Result<kindling::metrics::ClassificationPredictions, Failure> {
    let path = context
        .fresh_file(PREDICTIONS_FILE)
        .map_err(|detail| (detail, missing))?;
    let read =
        read_predictions(&path, Task::Classification).map_err(|e| (e.to_string(), missing))?;
    let Predictions::Classification(predictions) = read else {
        return Err((
            format!("{PREDICTIONS_FILE} does not hold class predictions"),
            missing,
        ));
    };
    judge_predictions(&predictions, truth, missing)?;
    Ok(predictions)
}

/// One row per image of the pile, in order, each predicting its most probable class.
pub(crate) fn judge_predictions(
    predictions: &kindling::metrics::ClassificationPredictions,
    truth: &Truth,
    missing: &'static str,
) -> Result<(), Failure> {
    let rows = predictions.y_true.len();
    if rows != truth.labels.len() {
        return Err((
            format!(
                "{PREDICTIONS_FILE} has {rows} rows; the {} pile holds {} images",
                truth.pile,
                truth.labels.len()
            ),
            OPEN.fix,
        ));
    }
    if let Some(row) = (0..rows).find(|&i| predictions.y_true[i] != truth.labels[i]) {
        return Err((
            format!(
                "row {}: y_true is {}, but {} image {} is of class {}: the rows are not the {} pile's, in order",
                row + 1,
                predictions.y_true[row],
                truth.pile,
                row,
                truth.labels[row],
                truth.pile
            ),
            OPEN.fix,
        ));
    }
    let Some(ScoreColumns::Probabilities { columns, values }) = &predictions.scores else {
        return Err((
            format!("{PREDICTIONS_FILE} has no probability columns p_0 to p_9"),
            missing,
        ));
    };
    if columns.len() != CLASSES {
        return Err((
            format!(
                "{PREDICTIONS_FILE} has {} probability columns, one per class makes {CLASSES}",
                columns.len()
            ),
            missing,
        ));
    }
    for (row, probabilities) in values.chunks(CLASSES).enumerate() {
        let most_probable = argmax(probabilities);
        let predicted = predictions.y_pred[row];
        // A tie in the rounded CSV may name either of the tied classes.
        if probabilities[predicted] < probabilities[most_probable] {
            return Err((
                format!(
                    "row {}: y_pred is {predicted}, but the most probable class is {most_probable} ({:.3} against {:.3})",
                    row + 1,
                    probabilities[most_probable],
                    probabilities[predicted]
                ),
                missing,
            ));
        }
    }
    Ok(())
}

fn describe_rows(predictions: &kindling::metrics::ClassificationPredictions) -> String {
    format!(
        "{} rows, in the test pile's order, each predicting its most probable class",
        predictions.y_true.len()
    )
}

/// The index of the largest value (the first on ties).
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (index, value) in values.iter().enumerate() {
        if *value > values[best] {
            best = index;
        }
    }
    best
}

fn judge_evidence(
    context: &CheckContext,
    truth: &ClassificationMetrics,
) -> Result<String, Failure> {
    let path = context
        .fresh_file(TEST_METRICS_FILE)
        .map_err(|detail| (detail, FILES.fix))?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| (format!("{TEST_METRICS_FILE}: {e}"), FILES.fix))?;
    let written: TestMetrics = serde_json::from_str(&text).map_err(|e| {
        (
            format!("{TEST_METRICS_FILE} is not an evaluation's metrics: {e}"),
            FILES.fix,
        )
    })?;
    if written.test_images != truth.n_samples || !within(written.accuracy, truth.accuracy, EXACT) {
        return Err((
            format!(
                "{TEST_METRICS_FILE} says accuracy {:.4} over {} images; predictions.csv gives {:.4} over {}",
                written.accuracy, written.test_images, truth.accuracy, truth.n_samples
            ),
            FILES.fix,
        ));
    }
    let report_path = context
        .fresh_file(REPORT_FILE)
        .map_err(|detail| (detail, FILES.fix))?;
    let table = std::fs::read_to_string(&report_path)
        .map_err(|e| (format!("{REPORT_FILE}: {e}"), FILES.fix))?;
    if let Some(missing) = ["accuracy", "macro avg", "weighted avg"]
        .into_iter()
        .find(|line| !table.contains(line))
    {
        return Err((format!("{REPORT_FILE} has no `{missing}` line"), FILES.fix));
    }
    Ok(format!(
        "accuracy {:.4} over {} images in both",
        truth.accuracy, truth.n_samples
    ))
}

fn judge_learned(truth: &ClassificationMetrics) -> Result<String, Failure> {
    if truth.accuracy >= LEARNED_ACCURACY {
        Ok(format!("test accuracy {:.3}", truth.accuracy))
    } else {
        Err((
            format!(
                "the test accuracy is {:.3}, below {LEARNED_ACCURACY}: the model barely beats guessing (0.10)",
                truth.accuracy
            ),
            LEARN.fix,
        ))
    }
}

fn within(found: f64, expected: f64, tolerance: f64) -> bool {
    (found - expected).abs() <= tolerance
}

/// ROC-AUC as one number, when it is defined.
pub(crate) fn macro_roc_auc(metrics: &ClassificationMetrics) -> Option<f64> {
    match &metrics.roc_auc {
        Some(RocAuc::OneVsRestMacro { value, .. } | RocAuc::Binary { value }) => Some(*value),
        _ => None,
    }
}

/// The weakest classes by F1: every class tied at the lowest F1.
fn weakest_classes(truth: &ClassificationMetrics) -> (Vec<String>, f64) {
    let lowest = truth
        .report
        .classes
        .iter()
        .map(|row| row.scores.f1)
        .fold(f64::INFINITY, f64::min);
    let names = truth
        .report
        .classes
        .iter()
        .filter(|row| row.scores.f1 == lowest)
        .map(|row| row.name.clone())
        .collect();
    (names, lowest)
}

fn judge_metrics(report: &StageReport, truth: &ClassificationMetrics) -> Result<String, Failure> {
    let number = |key: &str| report.get(key).and_then(Value::as_f64);
    let averages = [
        ("accuracy", truth.accuracy),
        ("macro_precision", truth.report.macro_avg.precision),
        ("macro_recall", truth.report.macro_avg.recall),
        ("macro_f1", truth.report.macro_avg.f1),
        ("weighted_f1", truth.report.weighted_avg.f1),
    ];
    for (key, expected) in averages {
        match number(key) {
            Some(found) if within(found, expected, EXACT) => {}
            found => {
                return Err((
                    format!(
                        "{key} is {}; from predictions.csv it is {expected:.4}",
                        found.map_or("missing".into(), |f| format!("{f:.4}"))
                    ),
                    MEASURE.fix,
                ));
            }
        }
    }
    let per_class = report
        .get("per_class")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if per_class.len() != truth.report.classes.len() {
        return Err((
            format!(
                "report.json lists {} classes under per_class; there are {}",
                per_class.len(),
                truth.report.classes.len()
            ),
            MEASURE.fix,
        ));
    }
    for (class, (found, expected)) in per_class.iter().zip(&truth.report.classes).enumerate() {
        let scores = &expected.scores;
        for (field, value) in [
            ("precision", scores.precision),
            ("recall", scores.recall),
            ("f1", scores.f1),
            ("support", scores.support as f64),
        ] {
            let written = found[field].as_f64();
            if !written.is_some_and(|w| within(w, value, EXACT)) {
                return Err((
                    format!(
                        "class {class} ({}): {field} is {}; from predictions.csv it is {value:.4}",
                        expected.name,
                        written.map_or("missing".into(), |w| format!("{w:.4}"))
                    ),
                    MEASURE.fix,
                ));
            }
        }
    }
    let auc = macro_roc_auc(truth).unwrap_or(f64::NAN);
    match number("roc_auc_macro") {
        Some(found) if within(found, auc, ROUNDED) => {}
        found => {
            return Err((
                format!(
                    "roc_auc_macro is {}; from predictions.csv it is {auc:.4}",
                    found.map_or("missing".into(), |f| format!("{f:.4}"))
                ),
                MEASURE.fix,
            ));
        }
    }
    let top_k = report
        .get("top_k_accuracy")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if top_k.len() != truth.top_k_accuracy.len() {
        return Err((
            format!(
                "report.json has {} top-k accuracies; the metrics give {} (k = 2, 3 and 5)",
                top_k.len(),
                truth.top_k_accuracy.len()
            ),
            MEASURE.fix,
        ));
    }
    for (found, expected) in top_k.iter().zip(&truth.top_k_accuracy) {
        let accuracy = found["accuracy"].as_f64();
        if found["k"].as_u64() != Some(expected.k as u64)
            || !accuracy.is_some_and(|a| within(a, expected.accuracy, ROUNDED))
        {
            return Err((
                format!(
                    "top-{} accuracy is {found}; from predictions.csv it is {:.4}",
                    expected.k, expected.accuracy
                ),
                MEASURE.fix,
            ));
        }
    }
    let (weakest, lowest) = weakest_classes(truth);
    let named = report
        .get("weakest_class")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !weakest.iter().any(|w| w.eq_ignore_ascii_case(named)) {
        return Err((
            format!(
                "the weakest class is `{named}`; the lowest F1 ({lowest:.3}) is {}'s",
                weakest.join(" and ")
            ),
            WEAKEST.fix,
        ));
    }
    Ok(format!(
        "accuracy {:.3}, macro F1 {:.3}, ROC-AUC {auc:.3}; weakest {named}",
        truth.accuracy, truth.report.macro_avg.f1
    ))
}

fn judge_compare(
    context: &CheckContext,
    report: &StageReport,
    test_accuracy: f64,
) -> Result<String, Failure> {
    let history = context
        .fresh_file("history.json")
        .and_then(|path| History::load(&path).map_err(|e| e.to_string()))
        .map_err(|detail| (detail, FILES.fix))?;
    let validation = history
        .final_epoch()
        .and_then(|row| row.get("val_accuracy"))
        .ok_or_else(|| ("history.json has no val_accuracy".to_string(), FILES.fix))?;
    let comparison = report.get("comparison").cloned().unwrap_or(Value::Null);
    let field = |name: &str| comparison[name].as_f64();
    let expected = test_accuracy - validation;
    for (name, value) in [
        ("validation", validation),
        ("test", test_accuracy),
        ("difference", expected),
    ] {
        if !field(name).is_some_and(|found| within(found, value, EXACT)) {
            return Err((
                format!(
                    "comparison.{name} is {}; it should be {value:.4} (validation {validation:.4} from history.json, test {test_accuracy:.4})",
                    field(name).map_or("missing".into(), |f| format!("{f:.4}"))
                ),
                COMPARE.fix,
            ));
        }
    }
    let close = expected.abs() <= CLOSE_GAP;
    if comparison["close"].as_bool() != Some(close) {
        return Err((
            format!(
                "comparison.close is {}, but a difference of {expected:+.4} is {} (the line is {CLOSE_GAP})",
                comparison["close"],
                if close { "close" } else { "apart" }
            ),
            COMPARE.fix,
        ));
    }
    Ok(format!(
        "validation {validation:.3}, test {test_accuracy:.3}: {expected:+.3}"
    ))
}

/// The numbers a read is held to.
struct ReadTruth {
    /// The classes with the lowest F1 (more than one on a tie).
    weakest: Vec<String>,
    lowest_f1: f64,
    /// Test minus validation accuracy.
    difference: f64,
    accuracy: f64,
    macro_f1: f64,
    /// Where the numbers come from, when not from this run.
    source: &'static str,
}

/// The read's numbers from this run.
fn run_read_truth(truth: &ClassificationMetrics, report: &StageReport) -> ReadTruth {
    let (weakest, lowest_f1) = weakest_classes(truth);
    let validation = report
        .get("comparison")
        .and_then(|c| c["validation"].as_f64())
        .unwrap_or(f64::NAN);
    ReadTruth {
        weakest,
        lowest_f1,
        difference: truth.accuracy - validation,
        accuracy: truth.accuracy,
        macro_f1: truth.report.macro_avg.f1,
        source: "",
    }
}

/// The read's numbers from the reference snapshot of the default seed's check run.
fn snapshot_read_truth(context: &CheckContext) -> Result<ReadTruth, Failure> {
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, OUTPUTS_SNAPSHOT))
        .map_err(|e| (e, READ.fix))?;
    let value = &snapshot.value;
    let missing = |what: &str| {
        (
            format!("{} has no {what}", snapshot.path.display()),
            READ.fix,
        )
    };
    let number = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_f64)
            .ok_or_else(|| missing(pointer))
    };
    Ok(ReadTruth {
        weakest: vec![
            value["weakest_class"]
                .as_str()
                .ok_or_else(|| missing("weakest_class"))?
                .to_string(),
        ],
        lowest_f1: number("/weakest_f1")?,
        difference: number("/comparison/difference")?,
        accuracy: number("/accuracy")?,
        macro_f1: number("/macro_f1")?,
        source: " (your check's run, seed 42)",
    })
}

fn judge_read(answers: &Answers, truth: &ReadTruth) -> Result<String, Failure> {
    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
    let weakest = answers.text("read", "weakest_class").map_err(problem)?;
    let choice = answers
        .choice("read", "test_vs_validation", &["close", "apart"])
        .map_err(problem)?;
    let accuracy = answers.number("read", "test_accuracy").map_err(problem)?;
    let macro_f1 = answers.number("read", "macro_f1").map_err(problem)?;
    answers.text("read", "in_your_words").map_err(problem)?;
    let mut wrong = Vec::new();
    if !truth
        .weakest
        .iter()
        .any(|w| w.eq_ignore_ascii_case(&weakest))
    {
        wrong.push(format!(
            "weakest_class = `{weakest}`, but the lowest F1 ({:.3}) is {}'s",
            truth.lowest_f1,
            truth.weakest.join(" and ")
        ));
    }
    let difference = truth.difference;
    if !difference.is_nan() {
        let truth_choice = if difference.abs() <= CLOSE_GAP {
            "close"
        } else {
            "apart"
        };
        if choice != truth_choice {
            wrong.push(format!(
                "test_vs_validation = {choice}, but test minus validation is {difference:+.3}: {truth_choice} (the line is {CLOSE_GAP})"
            ));
        }
    }
    for (key, written, actual) in [
        ("test_accuracy", accuracy, truth.accuracy),
        ("macro_f1", macro_f1, truth.macro_f1),
    ] {
        if !within(written, actual, COPIED) {
            wrong.push(format!("{key} = {written}, but the run says {actual:.4}"));
        }
    }
    if wrong.is_empty() {
        Ok(format!("weakest {weakest}, {choice}{}", truth.source))
    } else {
        Err((format!("{}{}", wrong.join("\n"), truth.source), READ.fix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling::metrics::{ClassificationPredictions, PredictedScores, Probabilities};

    fn predictions(y_true: &[usize], rows: &[[f64; CLASSES]]) -> ClassificationPredictions {
        ClassificationPredictions {
            y_true: y_true.to_vec(),
            y_pred: rows.iter().map(|row| argmax(row)).collect(),
            n_classes: CLASSES,
            scores: Some(ScoreColumns::Probabilities {
                columns: (0..CLASSES).map(|c| format!("p_{c}")).collect(),
                values: rows.iter().flatten().copied().collect(),
            }),
        }
    }

    fn one_hot(class: usize, confidence: f64) -> [f64; CLASSES] {
        let mut row = [(1.0 - confidence) / 9.0; CLASSES];
        row[class] = confidence;
        row
    }

    #[test]
    fn predictions_must_be_the_test_piles_rows_and_their_most_probable_class() {
        let truth = Truth {
            pile: "test",
            labels: vec![0, 1, 2],
            class_names: Vec::new(),
        };
        let mut good = predictions(
            &[0, 1, 2],
            &[one_hot(0, 0.9), one_hot(2, 0.6), one_hot(2, 0.7)],
        );
        assert!(judge_predictions(&good, &truth, FILES.fix).is_ok());
        // Rows shuffled or from another pile.
        let other = predictions(
            &[1, 0, 2],
            &[one_hot(0, 0.9), one_hot(2, 0.6), one_hot(2, 0.7)],
        );
        let (detail, fix) = judge_predictions(&other, &truth, FILES.fix).unwrap_err();
        assert!(detail.starts_with("row 1:"), "{detail}");
        assert_eq!(fix, OPEN.fix);
        // A predicted class that is not the most probable one.
        good.y_pred[2] = 0;
        let (detail, _) = judge_predictions(&good, &truth, FILES.fix).unwrap_err();
        assert!(detail.contains("row 3: y_pred is 0"), "{detail}");
        // Too few rows.
        let short = predictions(&[0, 1], &[one_hot(0, 0.9), one_hot(1, 0.6)]);
        assert!(
            judge_predictions(&short, &truth, FILES.fix)
                .unwrap_err()
                .0
                .contains("2 rows")
        );
    }

    fn metrics(y_true: &[usize], rows: &[[f64; CLASSES]]) -> ClassificationMetrics {
        let values: Vec<f64> = rows.iter().flatten().copied().collect();
        let y_pred: Vec<usize> = rows.iter().map(|row| argmax(row)).collect();
        let scores = PredictedScores::Probabilities(Probabilities::new(&values, CLASSES).unwrap());
        let names: Vec<String> = kindling::data::builtin::CLASS_NAMES
            .iter()
            .map(|name| name.to_string())
            .collect();
        ClassificationMetrics::compute(y_true, &y_pred, CLASSES, Some(scores))
            .unwrap()
            .with_class_names(&names)
            .unwrap()
    }

    /// Ten classes, two images each; class 3 (diamond) is always taken for class 5.
    fn small_case() -> ClassificationMetrics {
        let mut y_true = Vec::new();
        let mut rows = Vec::new();
        for class in 0..CLASSES {
            for _ in 0..2 {
                y_true.push(class);
                rows.push(one_hot(if class == 3 { 5 } else { class }, 0.8));
            }
        }
        metrics(&y_true, &rows)
    }

    fn report_of(truth: &ClassificationMetrics, weakest: &str) -> StageReport {
        let mut report = StageReport {
            stage: 6,
            profile: crate::Profile::Check,
            seed: 42,
            dataset: "builtin".into(),
            run_id: None,
            values: Default::default(),
        };
        report.set("accuracy", truth.accuracy);
        report.set("macro_precision", truth.report.macro_avg.precision);
        report.set("macro_recall", truth.report.macro_avg.recall);
        report.set("macro_f1", truth.report.macro_avg.f1);
        report.set("weighted_f1", truth.report.weighted_avg.f1);
        report.set("roc_auc_macro", macro_roc_auc(truth));
        report.set("top_k_accuracy", &truth.top_k_accuracy);
        report.set("per_class", &truth.report.classes);
        report.set("weakest_class", weakest);
        report
    }

    #[test]
    fn metrics_are_compared_with_the_recomputed_ones() {
        let truth = small_case();
        // 18 of 20 right; class 3 is never right: F1 0, the weakest.
        assert!(within(truth.accuracy, 0.9, EXACT));
        assert_eq!(weakest_classes(&truth).0, ["diamond"]);
        assert!(judge_metrics(&report_of(&truth, "diamond"), &truth).is_ok());

        let (detail, fix) = judge_metrics(&report_of(&truth, "disc"), &truth).unwrap_err();
        assert_eq!(fix, WEAKEST.fix);
        assert!(detail.contains("diamond"), "{detail}");

        // The untouched exercise: computed without probabilities.
        let mut no_scores = report_of(&truth, "diamond");
        no_scores.set("roc_auc_macro", Value::Null);
        let (detail, fix) = judge_metrics(&no_scores, &truth).unwrap_err();
        assert_eq!(fix, MEASURE.fix);
        assert!(detail.starts_with("roc_auc_macro is missing"), "{detail}");

        let mut wrong_f1 = report_of(&truth, "diamond");
        wrong_f1.set("macro_f1", truth.accuracy);
        assert!(
            judge_metrics(&wrong_f1, &truth)
                .unwrap_err()
                .0
                .starts_with("macro_f1")
        );
    }

    #[test]
    fn the_read_is_checked_against_the_numbers() {
        let truth = small_case();
        let mut report = report_of(&truth, "diamond");
        report.set("comparison", serde_json::json!({"validation": 0.88}));
        let answers = |weakest: &str, choice: &str, accuracy: f64| {
            let text = format!(
                "[read]\nweakest_class = \"{weakest}\"\ntest_vs_validation = \"{choice}\"\ntest_accuracy = {accuracy}\nmacro_f1 = {:.3}\nin_your_words = \"fine\"\n",
                truth.report.macro_avg.f1
            );
            Answers::parse(&text, std::path::Path::new("answers.toml")).unwrap()
        };
        assert!(
            judge_read(
                &answers("Diamond", "close", 0.9),
                &run_read_truth(&truth, &report)
            )
            .is_ok()
        );
        let (detail, fix) = judge_read(
            &answers("disc", "apart", 0.8),
            &run_read_truth(&truth, &report),
        )
        .unwrap_err();
        assert_eq!(fix, READ.fix);
        assert_eq!(detail.lines().count(), 3, "{detail}");
        let empty = Answers::parse(
            "[read]\nweakest_class = \"\"\n",
            std::path::Path::new("a.toml"),
        )
        .unwrap();
        assert!(
            judge_read(&empty, &run_read_truth(&truth, &report))
                .unwrap_err()
                .0
                .contains("still empty")
        );
    }

    #[test]
    fn a_read_graded_at_another_seed_is_held_to_the_default_seeds_run() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut context = CheckContext::new(
            6,
            &root.join("solutions/stage06"),
            &root.join("target"),
            &root.join("tests/snapshots"),
        );
        context.seed = 271_828;
        let truth = snapshot_read_truth(&context).unwrap();
        let answers = Answers::load(&root.join("solutions/stage06/answers.toml")).unwrap();
        let detail = judge_read(&answers, &truth).unwrap();
        assert!(detail.contains("seed 42"), "{detail}");
        context.snapshots = root.join("no-such-folder");
        assert_eq!(snapshot_read_truth(&context).err().unwrap().1, READ.fix);
    }

    #[test]
    fn a_model_that_guesses_has_not_learned() {
        let truth = small_case();
        assert!(judge_learned(&truth).is_ok());
        let guessing = metrics(&[0, 1, 2, 3], &[one_hot(5, 0.3); 4]);
        assert_eq!(judge_learned(&guessing).unwrap_err().1, LEARN.fix);
    }

    #[test]
    fn argmax_takes_the_first_of_equal_values() {
        assert_eq!(argmax(&[0.1, 0.4, 0.4, 0.1]), 1);
        assert_eq!(argmax(&[0.7, 0.3]), 0);
    }
}
