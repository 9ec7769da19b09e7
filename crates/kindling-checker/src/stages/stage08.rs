//! Stage 8, Improved model: baseline against augmented, the sweep, the k-fold
//! spread, and the read of them, each checked against the run's own files.

use kindling::data::Augmentation;
use kindling::train::{History, RunConfig};
use serde_json::Value;

use super::{Hint, StageInfo};
use crate::answers::{AnswerProblem, Answers};
use crate::bands::{HISTORY_BANDS, compare_history, within};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, Verdict};
use crate::facts::stage08::{
    BASELINE_DIR, COMPARISON_FILE, CURVES_FILE, EPOCHS, IMPROVED_AUGMENTATION, IMPROVED_DIR,
    LEARNING_RATE, SWEEP_AUGMENTATIONS, SWEEP_FILE, SWEEP_LEARNING_RATES, folds,
};
use crate::report::StageReport;

/// The snapshots holding the reference histories of the two runs.
pub const BASELINE_SNAPSHOT: &str = "stage08_baseline_history";
/// See [`BASELINE_SNAPSHOT`].
pub const IMPROVED_SNAPSHOT: &str = "stage08_improved_history";

/// The two runs' histories, by their path in the run folder: grading compares
/// them with the reference solution's at its seed ([`BASELINE_SNAPSHOT`] and
/// [`IMPROVED_SNAPSHOT`] at the default seed).
pub const REFERENCE_HISTORIES: [&str; 2] = ["baseline/history.json", "improved/history.json"];

/// What the page says about the run, each judged from its files (see `crate::claims`).
pub const CLAIMS: [Claim; 2] = [
    Claim {
        id: "s8.gap_shrinks",
        statement: "augmentation shrinks the gap between training and validation accuracy",
        unit: "accuracy",
        judge: |run| {
            let (baseline, improved) = (
                gap_of(&run.history(REFERENCE_HISTORIES[0])?),
                gap_of(&run.history(REFERENCE_HISTORIES[1])?),
            );
            Ok(Verdict::below(
                improved,
                baseline,
                format!("gap {baseline:+.3} -> {improved:+.3}"),
            ))
        },
    },
    Claim {
        id: "s8.improved_beats_baseline",
        statement: "the improved model ends with a higher validation accuracy than the baseline",
        unit: "accuracy",
        judge: |run| {
            let last = |h: &History| {
                h.final_epoch()
                    .and_then(|r| r.get("val_accuracy"))
                    .unwrap_or(f64::NAN)
            };
            let (baseline, improved) = (
                last(&run.history(REFERENCE_HISTORIES[0])?),
                last(&run.history(REFERENCE_HISTORIES[1])?),
            );
            Ok(Verdict::above(
                improved,
                baseline,
                format!("improved {improved:.3}, baseline {baseline:.3}"),
            ))
        },
    },
];

/// Stage 8's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 8,
    name: "Improved model",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 360,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 8] = [
    (
        "s8.runs",
        "baseline/ and improved/ are run folders of this run: the same network, seed, epochs and learning rate, and only the improved run augments its training images (flip and crop)",
    ),
    (
        "s8.histories",
        "Both histories match the reference within the tolerance bands",
    ),
    (
        "s8.chart",
        "validation_curves.png puts both validation curves on one chart",
    ),
    (
        "s8.table",
        "The comparison table gives each run's training and validation accuracy, its best epoch and its gap, as its history says",
    ),
    (
        "s8.sweep",
        "The sweep tried every learning rate with every augmentation once, and names the trial with the highest validation accuracy",
    ),
    (
        "s8.kfold",
        "k-fold cross-validation reports one score per fold, their mean and their spread",
    ),
    ("s8.predict", "answers.toml holds your prediction"),
    (
        "s8.read",
        "answers.toml: your read (did the gap shrink, the sweep's winner, the k-fold spread) agrees with the run",
    ),
];

const HINTS: [Hint; 7] = [
    Hint {
        symptom: "The runs item says the improved run does not augment",
        cause: "improved_augmentation still returns Augmentation::none()",
        fix: "return Ok(IMPROVED_AUGMENTATION.parse()?) from improved_augmentation, and keep steps 1 and 2 of run() saving both runs",
    },
    Hint {
        symptom: "A history leaves its band",
        cause: "a run was trained with other settings than the page's",
        fix: "train both runs as the page says: baseline CNN, Adam at 0.001, batches of 32, 10 epochs, the seed from the arguments; only the improved run augments",
    },
    Hint {
        symptom: "The table's gap is missing (NaN) or has the wrong sign",
        cause: "gap still returns its placeholder, or subtracts the other way round",
        fix: "gap(history) = last(history, \"accuracy\") - last(history, \"val_accuracy\")",
    },
    Hint {
        symptom: "The sweep has 2 trials instead of 4",
        cause: "the search space only lists the learning rates",
        fix: "add .values(AUGMENTATION_PARAM, SWEEP_AUGMENTATIONS) to search_space()",
    },
    Hint {
        symptom: "validation_curves.png, sweep.csv or the k-fold scores are missing",
        cause: "a step of run() was removed or writes somewhere else",
        fix: "keep steps 1, 3 and 4 of run(): they write into args.out_dir(8), and report.set(..) each result",
    },
    Hint {
        symptom: "The checker says your read disagrees with the numbers",
        cause: "the read was written from the full run, or from memory",
        fix: "read the check run's files in runs/check/stage08/: the gap column of comparison.md, the first row of sweep.csv (best first) and the std of kfold in report.json",
    },
    Hint {
        symptom: "The check run stops at its time limit",
        cause: "the sweep or the folds train on more images or epochs than the check profile asks for",
        fix: "take the sizes from sizes(args.profile) and folds(args.profile), as the page does",
    },
];
const RUNS: Hint = HINTS[0];
const HISTORY: Hint = HINTS[1];
const GAP: Hint = HINTS[2];
const SWEEP: Hint = HINTS[3];
const FILES: Hint = HINTS[4];
const READ: Hint = HINTS[5];

/// Accuracies recomputed from a history agree to this (JSON round trips).
const EXACT: f64 = 1e-9;
/// A copied number agrees when it is right to three decimals.
const COPIED: f64 = 0.0005 + 1e-9;

/// One run folder as the checker reads it.
struct SavedRun {
    config: RunConfig,
    history: History,
}

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [runs, histories, chart, table, sweep, kfold, predict, read] = ITEMS;
    let item = CheckItem::judged;
    let baseline = load_run(context, BASELINE_DIR);
    let improved = load_run(context, IMPROVED_DIR);
    let both = || match (&baseline, &improved) {
        (Ok(b), Ok(i)) => Ok((b, i)),
        (Err(e), _) | (_, Err(e)) => Err((e.clone(), FILES.fix)),
    };
    let answers = context.answers();
    vec![
        item(runs, both().and_then(|(b, i)| judge_runs(b, i))),
        item(
            histories,
            both().and_then(|(b, i)| judge_histories(context, &b.history, &i.history)),
        ),
        item(chart, judge_chart(context)),
        item(
            table,
            context
                .fresh_file(COMPARISON_FILE)
                .map_err(|detail| (detail, FILES.fix))
                .and_then(|_| both())
                .and_then(|(b, i)| judge_table(report, &b.history, &i.history)),
        ),
        item(
            sweep,
            context
                .fresh_file(SWEEP_FILE)
                .map_err(|detail| (detail, FILES.fix))
                .and_then(|_| judge_sweep(report)),
        ),
        item(kfold, judge_kfold(report, folds(context.profile).folds)),
        item(
            predict,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| {
                    a.text("predict", "train_accuracy")
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
                    both().and_then(|(b, i)| judge_read(a, report, &b.history, &i.history))
                }),
        ),
    ]
}

const PREDICT_FIX: &str =
    "Before you run the stage, write under [predict] in answers.toml what you expect.";

fn load_run(context: &CheckContext, folder: &str) -> Result<SavedRun, String> {
    let history_name = format!("{folder}/history.json");
    let path = context.fresh_file(&history_name)?;
    let history = History::load(&path).map_err(|e| e.to_string())?;
    context.fresh_file(&format!("{folder}/config.json"))?;
    context.fresh_file(&format!("{folder}/{}", kindling::train::MODEL_FILE))?;
    let config = RunConfig::load(&context.out_dir.join(folder)).map_err(|e| e.to_string())?;
    Ok(SavedRun { config, history })
}

/// The augmentation a run folder's config.json records.
fn augmentation_of(config: &RunConfig) -> Augmentation {
    config.fit.augmentation.unwrap_or_default()
}

fn judge_runs(baseline: &SavedRun, improved: &SavedRun) -> Result<String, Failure> {
    let expected: Augmentation = IMPROVED_AUGMENTATION
        .parse()
        .expect("the course's augmentation parses");
    let (b, i) = (&baseline.config.fit, &improved.config.fit);
    if !augmentation_of(&baseline.config).is_none() {
        return Err((
            format!(
                "the baseline augments ({}); it must train on the images as they are",
                augmentation_of(&baseline.config)
            ),
            HISTORY.fix,
        ));
    }
    let found = augmentation_of(&improved.config);
    if found != expected {
        return Err((
            format!(
                "improved/config.json records the augmentation `{found}`; the improved run uses `{IMPROVED_AUGMENTATION}`"
            ),
            RUNS.fix,
        ));
    }
    for (name, same) in [
        ("seed", b.seed == i.seed),
        ("epochs", b.epochs == i.epochs && b.epochs == EPOCHS),
        (
            "learning rate",
            b.learning_rate == i.learning_rate && b.learning_rate == LEARNING_RATE,
        ),
        ("batch size", b.batch_size == i.batch_size),
        ("model", baseline.config.model == improved.config.model),
    ] {
        if !same {
            return Err((
                format!(
                    "the two runs differ in their {name} (or it is not the page's): a comparison only means something when augmentation is the one change"
                ),
                HISTORY.fix,
            ));
        }
    }
    Ok(format!("baseline: none; improved: {found}"))
}

fn judge_histories(
    context: &CheckContext,
    baseline: &History,
    improved: &History,
) -> Result<String, Failure> {
    let mut details = Vec::new();
    let mut origin = None;
    for (run, history, name) in [
        ("baseline", baseline, BASELINE_SNAPSHOT),
        ("improved", improved, IMPROVED_SNAPSHOT),
    ] {
        let reference = context
            .reference_or_snapshot(name)
            .map_err(|d| (d, HISTORY.fix))?;
        compare_history(history, &reference.0, &HISTORY_BANDS)
            .map_err(|detail| (format!("{run}: {detail}"), HISTORY.fix))?;
        details.push(format!("{run}: {} epochs", reference.0.len()));
        origin = Some(reference.1);
    }
    Ok(format!(
        "{} within the bands (reference: {})",
        details.join(", "),
        origin.unwrap_or_default()
    ))
}

fn judge_chart(context: &CheckContext) -> Result<String, Failure> {
    let path = context
        .fresh_file(CURVES_FILE)
        .map_err(|detail| (detail, FILES.fix))?;
    let image = image::open(&path).map_err(|e| {
        (
            format!("{CURVES_FILE} does not open as an image: {e}"),
            FILES.fix,
        )
    })?;
    Ok(format!("{}x{} pixels", image.width(), image.height()))
}

/// The numbers a comparison row must hold, from a run's history.
fn expected_row(history: &History) -> [(&'static str, f64); 5] {
    let last = |metric: &str| {
        history
            .final_epoch()
            .and_then(|row| row.get(metric))
            .unwrap_or(f64::NAN)
    };
    let best = history.best("val_accuracy");
    [
        ("train_accuracy", last("accuracy")),
        ("val_accuracy", last("val_accuracy")),
        (
            "best_val_accuracy",
            best.as_ref().map_or(f64::NAN, |b| b.value),
        ),
        ("best_epoch", best.map_or(f64::NAN, |b| b.epoch as f64)),
        ("gap", last("accuracy") - last("val_accuracy")),
    ]
}

fn judge_table(
    report: &StageReport,
    baseline: &History,
    improved: &History,
) -> Result<String, Failure> {
    let rows = report
        .get("runs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if rows.len() != 2 {
        return Err((
            format!(
                "report.json has {} comparison rows; it needs two, baseline then improved",
                rows.len()
            ),
            FILES.fix,
        ));
    }
    for (row, (run, history)) in rows
        .iter()
        .zip([(BASELINE_DIR, baseline), (IMPROVED_DIR, improved)])
    {
        for (field, expected) in expected_row(history) {
            let found = row[field].as_f64();
            if !found.is_some_and(|f| within(f, expected, EXACT)) {
                let fix = if field == "gap" { GAP.fix } else { FILES.fix };
                return Err((
                    format!(
                        "the {run} row's {field} is {}; its history says {expected:.4}",
                        found.map_or("missing".into(), |f| format!("{f:.4}"))
                    ),
                    fix,
                ));
            }
        }
    }
    Ok(format!(
        "gap {:+.3} (baseline) and {:+.3} (improved)",
        expected_row(baseline)[4].1,
        expected_row(improved)[4].1
    ))
}

/// One trial of the sweep as report.json lists it.
#[derive(Debug, Clone, PartialEq)]
struct TrialSeen {
    learning_rate: f64,
    augmentation: String,
    val_accuracy: f64,
}

fn trials(value: Option<&Value>) -> Vec<TrialSeen> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|trial| TrialSeen {
            learning_rate: trial["learning_rate"].as_f64().unwrap_or(f64::NAN),
            augmentation: trial["augmentation"].as_str().unwrap_or("").to_string(),
            val_accuracy: trial["val_accuracy"].as_f64().unwrap_or(f64::NAN),
        })
        .collect()
}

fn judge_sweep(report: &StageReport) -> Result<String, Failure> {
    let seen = trials(report.get("sweep"));
    let grid_size = SWEEP_LEARNING_RATES.len() * SWEEP_AUGMENTATIONS.len();
    for rate in SWEEP_LEARNING_RATES {
        for augmentation in SWEEP_AUGMENTATIONS {
            let count = seen
                .iter()
                .filter(|t| t.learning_rate == rate && t.augmentation == augmentation)
                .count();
            if count != 1 {
                return Err((
                    format!(
                        "the sweep has {} trials; learning rate {rate} with augmentation `{augmentation}` appears {count} times (every one of the {grid_size} combinations must appear once)",
                        seen.len()
                    ),
                    SWEEP.fix,
                ));
            }
        }
    }
    if seen.len() != grid_size {
        return Err((
            format!(
                "the sweep has {} trials; the grid has {grid_size}",
                seen.len()
            ),
            SWEEP.fix,
        ));
    }
    if let Some(bad) = seen.iter().find(|t| !(0.0..=1.0).contains(&t.val_accuracy)) {
        return Err((
            format!(
                "the trial at learning rate {} with `{}` has the validation accuracy {}",
                bad.learning_rate, bad.augmentation, bad.val_accuracy
            ),
            FILES.fix,
        ));
    }
    let best = best_trial(&seen).expect("a full grid");
    let named = report
        .get("sweep_best")
        .map(|best| trials(Some(&Value::Array(vec![best.clone()]))))
        .unwrap_or_default();
    if named.first() != Some(best) {
        return Err((
            format!(
                "sweep_best is {:?}; the highest validation accuracy ({:.4}) is learning rate {} with `{}`",
                named.first(),
                best.val_accuracy,
                best.learning_rate,
                best.augmentation
            ),
            FILES.fix,
        ));
    }
    Ok(format!(
        "{grid_size} trials; best: learning rate {}, `{}`, {:.3}",
        best.learning_rate, best.augmentation, best.val_accuracy
    ))
}

/// The trial with the highest validation accuracy, the first of equal ones.
fn best_trial(trials: &[TrialSeen]) -> Option<&TrialSeen> {
    trials
        .iter()
        .fold(None, |best: Option<&TrialSeen>, trial| match best {
            Some(b) if b.val_accuracy >= trial.val_accuracy => Some(b),
            _ => Some(trial),
        })
}

fn judge_kfold(report: &StageReport, folds: usize) -> Result<String, Failure> {
    let kfold = report.get("kfold").cloned().unwrap_or(Value::Null);
    let scores: Vec<f64> = kfold["scores"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    if scores.len() != folds || scores.iter().any(|s| !(0.0..=1.0).contains(s)) {
        return Err((
            format!(
                "report.json's kfold has the scores {scores:?}; {folds} accuracies between 0 and 1 were expected, one per fold"
            ),
            FILES.fix,
        ));
    }
    let mean = scores.iter().sum::<f64>() / folds as f64;
    let std = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / folds as f64).sqrt();
    for (name, expected) in [("mean", mean), ("std", std)] {
        let found = kfold[name].as_f64();
        if !found.is_some_and(|f| within(f, expected, EXACT)) {
            return Err((
                format!(
                    "kfold.{name} is {}; from the scores it is {expected:.4}",
                    found.map_or("missing".into(), |f| format!("{f:.4}"))
                ),
                FILES.fix,
            ));
        }
    }
    Ok(format!("{folds} folds: {mean:.3} ± {std:.3}"))
}

fn gap_of(history: &History) -> f64 {
    expected_row(history)[4].1
}

fn judge_read(
    answers: &Answers,
    report: &StageReport,
    baseline: &History,
    improved: &History,
) -> Result<String, Failure> {
    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
    let shrank = answers
        .choice("read", "gap_shrank", &["yes", "no"])
        .map_err(problem)?;
    let rate = answers
        .number("read", "best_learning_rate")
        .map_err(problem)?;
    let augmentation = answers
        .choice("read", "best_augmentation", &SWEEP_AUGMENTATIONS)
        .map_err(problem)?;
    let spread = answers.number("read", "kfold_spread").map_err(problem)?;
    answers.text("read", "in_your_words").map_err(problem)?;

    let mut wrong = Vec::new();
    let (before, after) = (gap_of(baseline), gap_of(improved));
    let truth = if after < before { "yes" } else { "no" };
    if shrank != truth {
        wrong.push(format!(
            "gap_shrank = {shrank}, but the gap went from {before:+.3} (baseline) to {after:+.3} (improved): {truth}"
        ));
    }
    let seen = trials(report.get("sweep"));
    match best_trial(&seen) {
        Some(best) => {
            if !within(rate, best.learning_rate, best.learning_rate * 1e-6) {
                wrong.push(format!(
                    "best_learning_rate = {rate}, but the sweep's best trial has {}",
                    best.learning_rate
                ));
            }
            if augmentation != best.augmentation {
                wrong.push(format!(
                    "best_augmentation = {augmentation}, but the sweep's best trial has `{}`",
                    best.augmentation
                ));
            }
        }
        None => wrong.push("the run has no sweep to read".into()),
    }
    let std = report
        .get("kfold")
        .and_then(|k| k["std"].as_f64())
        .unwrap_or(f64::NAN);
    if !within(spread, std, COPIED) {
        wrong.push(format!(
            "kfold_spread = {spread}, but the k-fold scores' std is {std:.4}"
        ));
    }
    if wrong.is_empty() {
        Ok(format!(
            "gap shrank: {shrank}; best {rate} with {augmentation}"
        ))
    } else {
        Err((wrong.join("\n"), READ.fix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn history(rows: &[(f64, f64)]) -> History {
        let mut history = History::new();
        for (epoch, (accuracy, val_accuracy)) in rows.iter().enumerate() {
            history.push_epoch([
                ("loss", 2.0 - 0.1 * epoch as f64),
                ("accuracy", *accuracy),
                ("val_loss", 2.1 - 0.1 * epoch as f64),
                ("val_accuracy", *val_accuracy),
            ]);
        }
        history
    }

    fn report(values: &[(&str, Value)]) -> StageReport {
        let mut report = StageReport {
            stage: 8,
            profile: crate::Profile::Check,
            seed: 42,
            dataset: "builtin".into(),
            run_id: None,
            values: Default::default(),
        };
        for (key, value) in values {
            report.set(key, value);
        }
        report
    }

    fn row(history: &History) -> Value {
        let mut row = serde_json::Map::new();
        for (field, value) in expected_row(history) {
            row.insert(field.into(), serde_json::json!(value));
        }
        Value::Object(row)
    }

    fn grid(scores: [f64; 4]) -> Value {
        let mut trials = Vec::new();
        let mut index = 0;
        for rate in SWEEP_LEARNING_RATES {
            for augmentation in SWEEP_AUGMENTATIONS {
                trials.push(serde_json::json!({"learning_rate": rate, "augmentation": augmentation, "val_accuracy": scores[index]}));
                index += 1;
            }
        }
        Value::Array(trials)
    }

    #[test]
    fn the_table_is_recomputed_from_the_histories() {
        let baseline = history(&[(0.3, 0.28), (0.6, 0.4)]);
        let improved = history(&[(0.25, 0.3), (0.45, 0.42)]);
        let good = report(&[("runs", serde_json::json!([row(&baseline), row(&improved)]))]);
        let detail = judge_table(&good, &baseline, &improved).unwrap();
        assert_eq!(detail, "gap +0.200 (baseline) and +0.030 (improved)");
        // The untouched exercise: the gap is NaN (JSON null).
        let mut broken = row(&improved);
        broken["gap"] = Value::Null;
        let bad = report(&[("runs", serde_json::json!([row(&baseline), broken]))]);
        let (detail, fix) = judge_table(&bad, &baseline, &improved).unwrap_err();
        assert_eq!(fix, GAP.fix);
        assert!(
            detail.starts_with("the improved row's gap is missing"),
            "{detail}"
        );
        // Validation minus training: the wrong sign.
        let mut flipped = row(&baseline);
        flipped["gap"] = serde_json::json!(-0.2);
        let bad = report(&[("runs", serde_json::json!([flipped, row(&improved)]))]);
        assert_eq!(
            judge_table(&bad, &baseline, &improved).unwrap_err().1,
            GAP.fix
        );
    }

    #[test]
    fn the_sweep_must_cover_the_grid_and_name_its_best_trial() {
        let scores = [0.30, 0.31, 0.36, 0.34];
        let best = serde_json::json!({"learning_rate": 3e-3, "augmentation": "none", "val_accuracy": 0.36});
        let good = report(&[("sweep", grid(scores)), ("sweep_best", best.clone())]);
        assert!(
            judge_sweep(&good)
                .unwrap()
                .contains("best: learning rate 0.003, `none`")
        );
        // Only the learning rates: the untouched exercise.
        let rates_only: Vec<Value> = SWEEP_LEARNING_RATES
            .iter()
            .map(|rate| serde_json::json!({"learning_rate": rate, "augmentation": "none", "val_accuracy": 0.3}))
            .collect();
        let bad = report(&[("sweep", Value::Array(rates_only)), ("sweep_best", best)]);
        let (detail, fix) = judge_sweep(&bad).unwrap_err();
        assert_eq!(fix, SWEEP.fix);
        assert!(detail.starts_with("the sweep has 2 trials"), "{detail}");
        // The wrong winner.
        let wrong = serde_json::json!({"learning_rate": 1e-3, "augmentation": "none", "val_accuracy": 0.30});
        let bad = report(&[("sweep", grid(scores)), ("sweep_best", wrong)]);
        assert!(judge_sweep(&bad).unwrap_err().0.starts_with("sweep_best"));
    }

    #[test]
    fn kfold_scores_mean_and_spread_are_recomputed() {
        let good = report(&[(
            "kfold",
            serde_json::json!({"scores": [0.3, 0.4, 0.5], "mean": 0.4, "std": (0.02f64 / 3.0).sqrt()}),
        )]);
        assert_eq!(judge_kfold(&good, 3).unwrap(), "3 folds: 0.400 ± 0.082");
        assert!(judge_kfold(&good, 5).is_err());
        let sample_std = report(&[(
            "kfold",
            serde_json::json!({"scores": [0.3, 0.4, 0.5], "mean": 0.4, "std": 0.1}),
        )]);
        assert!(
            judge_kfold(&sample_std, 3)
                .unwrap_err()
                .0
                .starts_with("kfold.std")
        );
    }

    #[test]
    fn the_read_is_checked_against_the_numbers() {
        let baseline = history(&[(0.3, 0.28), (0.6, 0.4)]);
        let improved = history(&[(0.25, 0.3), (0.45, 0.42)]);
        let run = report(&[
            ("sweep", grid([0.30, 0.31, 0.36, 0.34])),
            ("kfold", serde_json::json!({"std": 0.0421})),
        ]);
        let answers = |shrank: &str, rate: f64, augmentation: &str, spread: f64| {
            let text = format!(
                "[read]\ngap_shrank = \"{shrank}\"\nbest_learning_rate = {rate}\nbest_augmentation = \"{augmentation}\"\nkfold_spread = {spread}\nin_your_words = \"fine\"\n"
            );
            Answers::parse(&text, Path::new("answers.toml")).unwrap()
        };
        assert!(
            judge_read(
                &answers("yes", 0.003, "none", 0.042),
                &run,
                &baseline,
                &improved
            )
            .is_ok()
        );
        let (detail, fix) = judge_read(
            &answers("no", 0.001, "flip,crop", 0.1),
            &run,
            &baseline,
            &improved,
        )
        .unwrap_err();
        assert_eq!(fix, READ.fix);
        assert_eq!(detail.lines().count(), 4, "{detail}");
    }
}
