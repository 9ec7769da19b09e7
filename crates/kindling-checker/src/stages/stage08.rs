//! Stage 8, Improved model: baseline against augmented, the sweep with repeats,
//! the seed-by-seed difference, and the read of them, each checked against the
//! run's own files.

use kindling::data::Augmentation;
use kindling::train::{History, RunConfig};
use serde_json::Value;

use super::{Hint, StageInfo};
use crate::answers::{AnswerProblem, Answers};
use crate::bands::{HISTORY_BANDS, compare_history, within};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, Verdict};
use crate::facts::DEFAULT_SEED;
use crate::facts::stage08::{
    BASELINE_DIR, COMPARISON_FILE, CURVES_FILE, EPOCHS, IMPROVED_AUGMENTATION, IMPROVED_DIR,
    LEARNING_RATE, REAL_BEYOND, SWEEP_AUGMENTATIONS, SWEEP_FILE, seeds,
};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};

/// The snapshots holding the reference histories of the two runs.
pub const BASELINE_SNAPSHOT: &str = "stage08_baseline_history";
/// See [`BASELINE_SNAPSHOT`].
pub const IMPROVED_SNAPSHOT: &str = "stage08_improved_history";
/// The snapshot of the reference solution's check run (default seed): a read
/// graded at another seed is held to it.
pub const OUTPUTS_SNAPSHOT: &str = "stage08_outputs";

/// The two runs' histories, by their path in the run folder: grading compares
/// them with the reference solution's at its seed ([`BASELINE_SNAPSHOT`] and
/// [`IMPROVED_SNAPSHOT`] at the default seed).
pub const REFERENCE_HISTORIES: [&str; 2] = ["baseline/history.json", "improved/history.json"];

/// What the page says about the run, each judged from its files (see `crate::claims`).
pub const CLAIMS: [Claim; 8] = [
    Claim {
        id: "s8.baseline_overfits",
        statement: "trained for 30 epochs, the baseline learns its training images by heart: its gap (training minus validation accuracy) ends above 0.25",
        unit: "accuracy",
        judge: |run| {
            let gap = gap_of(&run.history(REFERENCE_HISTORIES[0])?);
            Ok(Verdict::above(gap, 0.25, format!("baseline gap {gap:+.3}")))
        },
    },
    Claim {
        id: "s8.baseline_val_loss_rises",
        statement: "the baseline's validation loss turns and rises: it ends more than 0.5 above its lowest value",
        unit: "loss",
        judge: |run| {
            let history = run.history(REFERENCE_HISTORIES[0])?;
            let losses = history.require("val_loss").map_err(|e| e.to_string())?;
            let lowest = losses.iter().copied().fold(f64::INFINITY, f64::min);
            let last = *losses.last().ok_or("the baseline's history is empty")?;
            Ok(Verdict::above(
                last - lowest,
                0.5,
                format!("lowest {lowest:.3}, last {last:.3}"),
            ))
        },
    },
    Claim {
        id: "s8.slow_start",
        statement: "at stage 5's 10 epochs the improved run is not ahead of the baseline on validation by more than the noise (one standard error of the baseline's validation accuracy): augmentation only pays off in longer training",
        unit: "accuracy",
        judge: |run| {
            let at_10 = |file: &str| -> Result<(f64, f64), String> {
                let history = run.history(file)?;
                let accuracy = history
                    .row(10)
                    .and_then(|row| row.get("val_accuracy"))
                    .ok_or_else(|| format!("{file} has no epoch 10"))?;
                let images: f64 = history
                    .context
                    .get("valid_examples")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("{file}'s context has no valid_examples"))?;
                Ok((accuracy, images))
            };
            let (baseline, images) = at_10(REFERENCE_HISTORIES[0])?;
            let (improved, _) = at_10(REFERENCE_HISTORIES[1])?;
            // A few images either way on a 200-image pile is chance, not a head start.
            let noise = (baseline * (1.0 - baseline) / images).sqrt();
            Ok(Verdict::below(
                improved - baseline,
                noise,
                format!(
                    "epoch 10: baseline {baseline:.3}, improved {improved:.3} (one standard error {noise:.3})"
                ),
            ))
        },
    },
    Claim {
        id: "s8.gap_shrinks",
        statement: "augmentation shrinks the gap between training and validation accuracy",
        unit: "accuracy",
        judge: |run| {
            let baseline = gap_of(&run.history(REFERENCE_HISTORIES[0])?);
            let improved = gap_of(&run.history(REFERENCE_HISTORIES[1])?);
            Ok(Verdict::below(
                improved,
                baseline,
                format!("gap {baseline:+.3} -> {improved:+.3}"),
            ))
        },
    },
    Claim {
        id: "s8.improved_gap_small",
        statement: "the improved run's training accuracy ends close to its validation accuracy: its gap is below 0.20",
        unit: "accuracy",
        judge: |run| {
            let gap = gap_of(&run.history(REFERENCE_HISTORIES[1])?);
            Ok(Verdict::below(gap, 0.20, format!("improved gap {gap:+.3}")))
        },
    },
    Claim {
        id: "s8.improved_ends_higher",
        statement: "at the run's own seed the improved run ends with a higher validation accuracy than the baseline",
        unit: "accuracy",
        judge: |run| {
            let last = |file: &str| -> Result<f64, String> {
                run.history(file)?
                    .final_epoch()
                    .and_then(|row| row.get("val_accuracy"))
                    .ok_or_else(|| format!("{file} has no epochs"))
            };
            let (baseline, improved) =
                (last(REFERENCE_HISTORIES[0])?, last(REFERENCE_HISTORIES[1])?);
            Ok(Verdict::above(
                improved,
                baseline,
                format!("baseline {baseline:.3}, improved {improved:.3}"),
            ))
        },
    },
    Claim {
        id: "s8.improved_ahead_on_average",
        statement: "over the run's seeds the improved recipe is ahead of the baseline on validation on average: the mean difference is above zero (whether it is beyond two standard errors is the run's own verdict, real at nine of the ten seeds we tried)",
        unit: "accuracy",
        judge: |run| {
            let d = recomputed_difference(run.report.get("sweep"))?;
            Ok(Verdict::above(
                d.mean,
                0.0,
                format!(
                    "mean difference {:+.3}, standard error {:.3} ({:.1} standard errors)",
                    d.mean,
                    d.standard_error,
                    d.mean / d.standard_error
                ),
            ))
        },
    },
    Claim {
        id: "s8.sweep_picks_improved",
        statement: "the sweep's best recipe is the augmented one",
        unit: "accuracy",
        judge: |run| {
            let d = recomputed_difference(run.report.get("sweep"))?;
            let best = best_trial(&trials(run.report.get("sweep")))
                .map(|t| t.augmentation.clone())
                .unwrap_or_default();
            let margin = if best == IMPROVED_AUGMENTATION {
                d.mean
            } else {
                -d.mean.abs()
            };
            Ok(Verdict::above(
                margin,
                0.0,
                format!("best: {best}, by {:+.3} in mean", d.mean),
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
        "The sweep trained every recipe at the same three seeds, its table gives each recipe's mean and standard error, and it names the recipe with the highest mean",
    ),
    (
        "s8.noise",
        "The difference between the recipes is measured seed by seed: its mean, sample standard deviation, standard error, and whether it is more than two standard errors",
    ),
    ("s8.predict", "answers.toml holds your prediction"),
    (
        "s8.read",
        "answers.toml: your read (did the gap shrink, the sweep's winner, the mean difference and its standard error, is it real) agrees with the run",
    ),
];

const HINTS: [Hint; 7] = [
    Hint {
        symptom: "The runs item says the improved run does not augment",
        cause: "improved_augmentation still returns no augmentation, so both recipes are the same",
        fix: "reread step 2 of the page: the improved recipe's augmentation comes from IMPROVED_AUGMENTATION",
    },
    Hint {
        symptom: "A history leaves its band",
        cause: "a run was trained with other settings than the page's",
        fix: "train both runs as the page says: baseline CNN, Adam at 0.001, batches of 32, 30 epochs, the seed from the arguments; only the improved run augments",
    },
    Hint {
        symptom: "The table's gap is missing (NaN) or has the wrong sign",
        cause: "gap still returns its placeholder, or subtracts the other way round",
        fix: "reread the gap's definition on the page: a model that does better on its training images has a positive gap",
    },
    Hint {
        symptom: "The standard errors are missing (NaN), or the checker says they do not match the values",
        cause: "standard_error still returns its placeholder, or divides by n instead of its square root",
        fix: "reread step 4 of the page: the standard error shrinks with the square root of the number of seeds",
    },
    Hint {
        symptom: "validation_curves.png, sweep.csv or a run folder is missing",
        cause: "a step of run() was removed or writes somewhere else",
        fix: "keep every step of run() as the page shows it: each writes into args.out_dir(8) and records its result with report.set(..)",
    },
    Hint {
        symptom: "The checker says your read disagrees with the numbers",
        cause: "the read was written from the full run, or from memory",
        fix: "read the check run's files in runs/check/stage08/: the gap column of comparison.md, the first row of sweep.csv (best first), and difference in report.json",
    },
    Hint {
        symptom: "The check run stops at its time limit",
        cause: "the runs train on more images, epochs or seeds than the check profile asks for",
        fix: "take the sizes from sizes(args.profile) and the seeds from seeds(args.seed), as the page does",
    },
];
const RUNS: Hint = HINTS[0];
const HISTORY: Hint = HINTS[1];
const GAP: Hint = HINTS[2];
const ERROR: Hint = HINTS[3];
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
    let [runs, histories, chart, table, sweep, noise, predict, read] = ITEMS;
    let item = CheckItem::judged;
    let baseline = load_run(context, BASELINE_DIR);
    let improved = load_run(context, IMPROVED_DIR);
    let both = || match (&baseline, &improved) {
        (Ok(b), Ok(i)) => Ok((b, i)),
        (Err(e), _) | (_, Err(e)) => Err((e.clone(), FILES.fix)),
    };
    let answers = context.answers();
    vec![
        item(
            runs,
            both().and_then(|(b, i)| judge_runs(b, i, context.seed)),
        ),
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
                .and_then(|_| both())
                .and_then(|(b, i)| judge_sweep(report, context.seed, &b.history, &i.history)),
        ),
        item(noise, judge_noise(report)),
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
                .and_then(|a| judge_read_of(context, a, report)),
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

fn judge_runs(baseline: &SavedRun, improved: &SavedRun, seed: u64) -> Result<String, Failure> {
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
        ("seed", b.seed == i.seed && b.seed == seed),
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

/// One recipe of the sweep as report.json lists it.
#[derive(Debug, Clone, PartialEq)]
struct TrialSeen {
    augmentation: String,
    seeds: Vec<u64>,
    val_accuracy: Vec<f64>,
    mean: f64,
    std: f64,
    standard_error: f64,
}

fn trials(value: Option<&Value>) -> Vec<TrialSeen> {
    let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|trial| TrialSeen {
            augmentation: trial["augmentation"].as_str().unwrap_or("").to_string(),
            seeds: trial["seeds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_u64)
                .collect(),
            val_accuracy: trial["val_accuracy"]
                .as_array()
                .into_iter()
                .flatten()
                .map(number)
                .collect(),
            mean: number(&trial["mean"]),
            std: number(&trial["std"]),
            standard_error: number(&trial["standard_error"]),
        })
        .collect()
}

/// Mean, sample standard deviation and standard error of some values.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, std, std / n.sqrt())
}

/// The recipe with the highest mean, the first of equal ones.
fn best_trial(trials: &[TrialSeen]) -> Option<&TrialSeen> {
    trials
        .iter()
        .fold(None, |best: Option<&TrialSeen>, trial| match best {
            Some(b) if b.mean >= trial.mean => Some(b),
            _ => Some(trial),
        })
}

fn judge_sweep(
    report: &StageReport,
    seed: u64,
    baseline: &History,
    improved: &History,
) -> Result<String, Failure> {
    let seen = trials(report.get("sweep"));
    let expected_seeds = seeds(seed);
    for augmentation in SWEEP_AUGMENTATIONS {
        let count = seen
            .iter()
            .filter(|t| t.augmentation == augmentation)
            .count();
        if count != 1 {
            return Err((
                format!(
                    "the sweep has {} recipes; augmentation `{augmentation}` appears {count} times (each of the {} must appear once)",
                    seen.len(),
                    SWEEP_AUGMENTATIONS.len()
                ),
                FILES.fix,
            ));
        }
    }
    if seen.len() != SWEEP_AUGMENTATIONS.len() {
        return Err((
            format!(
                "the sweep has {} recipes; the grid has {}",
                seen.len(),
                SWEEP_AUGMENTATIONS.len()
            ),
            FILES.fix,
        ));
    }
    for trial in &seen {
        if trial.seeds != expected_seeds || trial.val_accuracy.len() != expected_seeds.len() {
            return Err((
                format!(
                    "the recipe `{}` was trained at the seeds {:?} with {} scores; the page trains each at {expected_seeds:?}",
                    trial.augmentation,
                    trial.seeds,
                    trial.val_accuracy.len()
                ),
                FILES.fix,
            ));
        }
        if let Some(bad) = trial
            .val_accuracy
            .iter()
            .find(|a| !(0.0..=1.0).contains(*a))
        {
            return Err((
                format!(
                    "the recipe `{}` has the validation accuracy {bad}",
                    trial.augmentation
                ),
                FILES.fix,
            ));
        }
        let (mean, std, standard_error) = spread(&trial.val_accuracy);
        for (name, found, expected, fix) in [
            ("mean", trial.mean, mean, FILES.fix),
            ("std", trial.std, std, FILES.fix),
            (
                "standard_error",
                trial.standard_error,
                standard_error,
                ERROR.fix,
            ),
        ] {
            if !within(found, expected, EXACT) {
                return Err((
                    format!(
                        "the recipe `{}` has {name} {found:.4}; from its scores it is {expected:.4}",
                        trial.augmentation
                    ),
                    fix,
                ));
            }
        }
    }
    // The run folders are the sweep's runs at the run's own seed.
    let last = |history: &History| {
        history
            .final_epoch()
            .and_then(|row| row.get("val_accuracy"))
            .unwrap_or(f64::NAN)
    };
    for (augmentation, history, folder) in [
        ("none", baseline, BASELINE_DIR),
        (IMPROVED_AUGMENTATION, improved, IMPROVED_DIR),
    ] {
        let trial = seen
            .iter()
            .find(|t| t.augmentation == augmentation)
            .expect("every recipe appears");
        if !within(trial.val_accuracy[0], last(history), EXACT) {
            return Err((
                format!(
                    "the sweep's `{augmentation}` at seed {seed} ended at {:.4}, but {folder}/history.json ends at {:.4}: {folder}/ must be that run",
                    trial.val_accuracy[0],
                    last(history)
                ),
                FILES.fix,
            ));
        }
    }
    let best = best_trial(&seen).expect("a full grid");
    let named = trials(
        report
            .get("sweep_best")
            .map(|b| Value::Array(vec![b.clone()]))
            .as_ref(),
    );
    if named.first().map(|t| &t.augmentation) != Some(&best.augmentation) {
        return Err((
            format!(
                "sweep_best names {:?}; the highest mean ({:.4}) is `{}`",
                named.first().map(|t| t.augmentation.clone()),
                best.mean,
                best.augmentation
            ),
            FILES.fix,
        ));
    }
    Ok(format!(
        "{} recipes at seeds {expected_seeds:?}; best: `{}`, {:.3} ± {:.3} (standard error)",
        seen.len(),
        best.augmentation,
        best.mean,
        best.standard_error
    ))
}

/// The difference between the recipes, recomputed from the sweep's scores.
#[derive(Debug, Clone, PartialEq)]
struct DifferenceSeen {
    differences: Vec<f64>,
    mean: f64,
    std: f64,
    standard_error: f64,
    real: bool,
}

/// Improved minus baseline, seed by seed, from the sweep's rows, and their spread.
fn recomputed_difference(sweep: Option<&Value>) -> Result<DifferenceSeen, String> {
    let seen = trials(sweep);
    let scores = |augmentation: &str| {
        seen.iter()
            .find(|t| t.augmentation == augmentation)
            .map(|t| t.val_accuracy.clone())
            .ok_or_else(|| format!("the sweep has no recipe `{augmentation}`"))
    };
    let (baseline, improved) = (scores("none")?, scores(IMPROVED_AUGMENTATION)?);
    if baseline.len() != improved.len() || baseline.len() < 2 {
        return Err(format!(
            "the sweep has {} baseline and {} improved scores; a standard error needs two or more of each, at the same seeds",
            baseline.len(),
            improved.len()
        ));
    }
    let differences: Vec<f64> = improved.iter().zip(&baseline).map(|(i, b)| i - b).collect();
    let (mean, std, standard_error) = spread(&differences);
    Ok(DifferenceSeen {
        real: mean > REAL_BEYOND * standard_error,
        differences,
        mean,
        std,
        standard_error,
    })
}

fn judge_noise(report: &StageReport) -> Result<String, Failure> {
    let truth = recomputed_difference(report.get("sweep")).map_err(|e| (e, FILES.fix))?;
    let written = report.get("difference").cloned().unwrap_or(Value::Null);
    let found: Vec<f64> = written["differences"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect();
    if found.len() != truth.differences.len()
        || found
            .iter()
            .zip(&truth.differences)
            .any(|(f, t)| !within(*f, *t, EXACT))
    {
        return Err((
            format!(
                "difference.differences is {found:?}; improved minus baseline, seed by seed, is {:?}",
                rounded(&truth.differences)
            ),
            FILES.fix,
        ));
    }
    for (name, expected, fix) in [
        ("mean", truth.mean, FILES.fix),
        ("std", truth.std, FILES.fix),
        ("standard_error", truth.standard_error, ERROR.fix),
    ] {
        let value = written[name].as_f64();
        if !value.is_some_and(|v| within(v, expected, EXACT)) {
            return Err((
                format!(
                    "difference.{name} is {}; from the differences it is {expected:.4}",
                    value.map_or("missing".into(), |v| format!("{v:.4}"))
                ),
                fix,
            ));
        }
    }
    if written["real"].as_bool() != Some(truth.real) {
        return Err((
            format!(
                "difference.real is {}; the mean {:+.4} is {} two standard errors ({:.4})",
                written["real"],
                truth.mean,
                if truth.real { "beyond" } else { "within" },
                REAL_BEYOND * truth.standard_error
            ),
            ERROR.fix,
        ));
    }
    Ok(format!(
        "{:+.3} ± {:.3} (standard error): {}",
        truth.mean,
        truth.standard_error,
        if truth.real {
            "real"
        } else {
            "within the noise"
        }
    ))
}

fn rounded(values: &[f64]) -> Vec<f64> {
    values.iter().map(|v| (v * 1e4).round() / 1e4).collect()
}

fn gap_of(history: &History) -> f64 {
    expected_row(history)[4].1
}

/// What a read must say: the gaps, the sweep's winner and the difference.
#[derive(Debug, Clone, PartialEq)]
struct ReadTruth {
    baseline_gap: f64,
    improved_gap: f64,
    best: String,
    difference: DifferenceSeen,
}

/// The truth of report values (this run's, or the snapshot's).
fn read_truth(values: &Value) -> Result<ReadTruth, String> {
    let gap = |i: usize| {
        values["runs"][i]["gap"]
            .as_f64()
            .ok_or_else(|| format!("no gap for runs[{i}]"))
    };
    Ok(ReadTruth {
        baseline_gap: gap(0)?,
        improved_gap: gap(1)?,
        best: best_trial(&trials(Some(&values["sweep"])))
            .map(|t| t.augmentation.clone())
            .ok_or("the run has no sweep to read")?,
        difference: recomputed_difference(Some(&values["sweep"]))?,
    })
}

/// The read is judged against the run the learner read: their own check run at
/// the default seed. Grading runs at a hidden seed, so there it is held to the
/// reference solution's check run at the default seed (the snapshot), the run
/// the learner's own check made.
fn judge_read_of(
    context: &CheckContext,
    answers: &Answers,
    report: &StageReport,
) -> Result<String, Failure> {
    if context.seed == DEFAULT_SEED {
        let values = serde_json::to_value(&report.values).unwrap_or(Value::Null);
        let truth = read_truth(&values).map_err(|e| (e, FILES.fix))?;
        return judge_read(answers, &truth);
    }
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, OUTPUTS_SNAPSHOT))
        .map_err(|e| (e, READ.fix))?;
    let truth = read_truth(&snapshot.value)
        .map_err(|e| (format!("{}: {e}", snapshot.path.display()), READ.fix))?;
    judge_read(answers, &truth)
        .map(|detail| format!("{detail} (your check's run, seed {DEFAULT_SEED})"))
}

fn judge_read(answers: &Answers, truth: &ReadTruth) -> Result<String, Failure> {
    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
    let shrank = answers
        .choice("read", "gap_shrank", &["yes", "no"])
        .map_err(problem)?;
    let best = answers
        .choice("read", "best_augmentation", &SWEEP_AUGMENTATIONS)
        .map_err(problem)?;
    let mean = answers.number("read", "mean_difference").map_err(problem)?;
    let error = answers.number("read", "standard_error").map_err(problem)?;
    let real = answers
        .choice("read", "real", &["yes", "no"])
        .map_err(problem)?;
    answers.text("read", "in_your_words").map_err(problem)?;

    let mut wrong = Vec::new();
    let (before, after) = (truth.baseline_gap, truth.improved_gap);
    let shrank_truth = if after < before { "yes" } else { "no" };
    if shrank != shrank_truth {
        wrong.push(format!(
            "gap_shrank = {shrank}, but the gap went from {before:+.3} (baseline) to {after:+.3} (improved): {shrank_truth}"
        ));
    }
    if best != truth.best {
        wrong.push(format!(
            "best_augmentation = {best}, but the sweep's best recipe is `{}`",
            truth.best
        ));
    }
    let d = &truth.difference;
    if !within(mean, d.mean, COPIED) {
        wrong.push(format!(
            "mean_difference = {mean}, but improved minus baseline averages {:.4} over the seeds",
            d.mean
        ));
    }
    if !within(error, d.standard_error, COPIED) {
        wrong.push(format!(
            "standard_error = {error}, but the differences' standard error is {:.4} (sample standard deviation {:.4} over the square root of {})",
            d.standard_error,
            d.std,
            d.differences.len()
        ));
    }
    let real_truth = if d.real { "yes" } else { "no" };
    if real != real_truth {
        wrong.push(format!(
            "real = {real}, but the mean {:+.3} is {} two standard errors ({:.3}): {real_truth}",
            d.mean,
            if d.real { "beyond" } else { "within" },
            REAL_BEYOND * d.standard_error
        ));
    }
    if wrong.is_empty() {
        Ok(format!(
            "gap shrank: {shrank}; best {best}; {mean:+.3} ± {error:.3}, real: {real}"
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

    /// A sweep row with its spread computed as the solution does.
    fn trial(augmentation: &str, scores: &[f64]) -> Value {
        let (mean, std, standard_error) = spread(scores);
        serde_json::json!({
            "augmentation": augmentation,
            "seeds": seeds(42),
            "val_accuracy": scores,
            "mean": mean,
            "std": std,
            "standard_error": standard_error,
        })
    }

    fn sweep(baseline: &[f64], improved: &[f64]) -> Value {
        serde_json::json!([trial("none", baseline), trial("flip,crop", improved)])
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
    }

    #[test]
    fn the_sweep_must_train_every_recipe_at_the_seeds_and_name_the_best() {
        let baseline = history(&[(0.9, 0.45)]);
        let improved = history(&[(0.6, 0.58)]);
        let rows = sweep(&[0.45, 0.47, 0.46], &[0.58, 0.60, 0.62]);
        let best = trial("flip,crop", &[0.58, 0.60, 0.62]);
        let good = report(&[("sweep", rows.clone()), ("sweep_best", best)]);
        let detail = judge_sweep(&good, 42, &baseline, &improved).unwrap();
        assert!(detail.contains("best: `flip,crop`, 0.600"), "{detail}");
        // The wrong winner.
        let wrong = report(&[
            ("sweep", rows.clone()),
            ("sweep_best", trial("none", &[0.45, 0.47, 0.46])),
        ]);
        let (detail, _) = judge_sweep(&wrong, 42, &baseline, &improved).unwrap_err();
        assert!(detail.starts_with("sweep_best"), "{detail}");
        // Another seed's runs.
        let (detail, _) = judge_sweep(&good, 7, &baseline, &improved).unwrap_err();
        assert!(detail.contains("seeds [42, 43, 44]"), "{detail}");
        // A standard error divided by n, not its square root.
        let mut bad_rows = rows;
        let n = 3.0;
        bad_rows[1]["standard_error"] = serde_json::json!(bad_rows[1]["std"].as_f64().unwrap() / n);
        let bad = report(&[
            ("sweep", bad_rows),
            ("sweep_best", trial("flip,crop", &[0.58, 0.60, 0.62])),
        ]);
        let (detail, fix) = judge_sweep(&bad, 42, &baseline, &improved).unwrap_err();
        assert!(detail.contains("standard_error"), "{detail}");
        assert_eq!(fix, ERROR.fix);
    }

    #[test]
    fn the_difference_is_recomputed_seed_by_seed() {
        let rows = sweep(&[0.45, 0.47, 0.46], &[0.58, 0.60, 0.62]);
        let truth = recomputed_difference(Some(&rows)).unwrap();
        assert!(truth.real);
        let written = serde_json::json!({
            "differences": truth.differences,
            "mean": truth.mean,
            "std": truth.std,
            "standard_error": truth.standard_error,
            "real": true,
        });
        let good = report(&[("sweep", rows.clone()), ("difference", written.clone())]);
        assert!(judge_noise(&good).unwrap().ends_with("real"));
        let mut wrong = written;
        wrong["real"] = Value::Bool(false);
        let bad = report(&[("sweep", rows), ("difference", wrong)]);
        assert!(
            judge_noise(&bad)
                .unwrap_err()
                .0
                .starts_with("difference.real")
        );
        // Noisy seeds: a mean within two standard errors is not real.
        let noisy = sweep(&[0.45, 0.50, 0.46], &[0.55, 0.44, 0.50]);
        assert!(!recomputed_difference(Some(&noisy)).unwrap().real);
    }

    #[test]
    fn the_read_is_checked_against_the_numbers() {
        let baseline = history(&[(0.6, 0.4)]);
        let improved = history(&[(0.45, 0.42)]);
        let values = serde_json::json!({
            "runs": [row(&baseline), row(&improved)],
            "sweep": sweep(&[0.45, 0.47, 0.46], &[0.58, 0.60, 0.62]),
        });
        let truth = read_truth(&values).unwrap();
        let answers = |shrank: &str, best: &str, mean: f64, error: f64, real: &str| {
            let text = format!(
                "[read]\ngap_shrank = \"{shrank}\"\nbest_augmentation = \"{best}\"\nmean_difference = {mean}\nstandard_error = {error}\nreal = \"{real}\"\nin_your_words = \"fine\"\n"
            );
            Answers::parse(&text, Path::new("answers.toml")).unwrap()
        };
        let d = &truth.difference;
        let (mean, error) = (
            (d.mean * 1e3).round() / 1e3,
            (d.standard_error * 1e3).round() / 1e3,
        );
        assert!(judge_read(&answers("yes", "flip,crop", mean, error, "yes"), &truth).is_ok());
        let (detail, fix) = judge_read(&answers("no", "none", 0.5, 0.1, "no"), &truth).unwrap_err();
        assert_eq!(fix, READ.fix);
        assert_eq!(detail.lines().count(), 5, "{detail}");
    }
}
