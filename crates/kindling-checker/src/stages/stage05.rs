//! Stage 5, Training history: the loop by hand, in plain Rust, with Burn, then `fit`.

use serde_json::Value;

use kindling::train::History;
use kindling::train::apartments::{COURSE_LEARNING_RATES, apartments_test, apartments_train};
use kindling::train::diagnosis::{GapVerdict, signals};
use kindling::train::linreg::{Ending, LineConfig, fit_line};
use kindling::train::lr_experiment::{CONVERGENCE_TOLERANCE, RateVerdict, lr_experiment};
use kindling::train::threshold::learn_threshold;

use super::{Hint, StageInfo};
use crate::answers::answer;
use crate::bands::{HISTORY_BANDS, ReferenceEpoch, compare_history, within};
use crate::check::{CheckContext, CheckItem};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};

/// Apartments in the training data.
pub const APARTMENTS: usize = 100;
/// Epochs of gradient descent on the apartments.
pub const LINE_EPOCHS: usize = 200;
/// Early stopping of the line: patience and smallest improvement.
pub const LINE_EARLY_STOP: (usize, f64) = (5, 0.01);
/// The Burn loop must reach this test accuracy.
pub const POINTS_ACCURACY: f64 = 0.80;
/// Images per second the reference solution trains at on a 2-core laptop CPU
/// (Flex backend); a run ten times slower points at a debug build or a slow backend.
pub const REFERENCE_IMAGES_PER_SECOND: f64 = 700.0;
/// The snapshot holding the reference CNN history.
pub const HISTORY_SNAPSHOT: &str = "stage05_history";

/// Stage 5's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 5,
    name: "Training history",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 180,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 10] = [
    (
        "s5.threshold",
        "The threshold rule moves after each mistake, as your trace on paper does",
    ),
    (
        "s5.line",
        "Gradient descent on the apartments matches the reference, epoch by epoch",
    ),
    (
        "s5.rates",
        "The learning-rate experiment finds the rate that is too slow, the one that converges and the one that diverges",
    ),
    (
        "s5.early",
        "Early stopping ends where the reference does, and the error on fresh data is reported",
    ),
    (
        "s5.burn",
        "The Burn loop learns: its loss falls and its test accuracy reaches 80%",
    ),
    (
        "s5.history",
        "The CNN's history matches the reference within the tolerance bands",
    ),
    (
        "s5.charts",
        "accuracy.png, loss.png, loss_log.png and metrics.png are drawn by this run",
    ),
    (
        "s5.speed",
        "The CNN trains at a normal speed for a laptop CPU",
    ),
    ("s5.predict", "answers.toml holds your predictions"),
    (
        "s5.read",
        "answers.toml: your read of the training agrees with your history",
    ),
];

const HINTS: [Hint; 7] = [
    Hint {
        symptom: "The threshold never moves",
        cause: "update still returns the threshold it was given",
        fix: "move it up by one step when the rule said 1 for a 0, down when it said 0 for a 1",
    },
    Hint {
        symptom: "The line's loss stays where it started",
        cause: "step still returns the line unchanged",
        fix: "compute d_slope and d_intercept, then subtract learning_rate times each from the line",
    },
    Hint {
        symptom: "Accuracy stays near 0.10",
        cause: "the model guesses: the labels do not reach the loss, or the last layer does not have one output per class",
        fix: "pass the real targets to the loss and give the last layer 10 outputs for 10 classes",
    },
    Hint {
        symptom: "The loss is NaN or grows every epoch",
        cause: "the learning rate is too high: every step overshoots",
        fix: "use the page's learning rate (0.001 with Adam); if you changed it, lower it tenfold until the loss falls",
    },
    Hint {
        symptom: "The Burn loop's loss stays flat",
        cause: "train_step never updates the model",
        fix: "do the four steps in order: forward, loss, backward (gradients), optimizer step",
    },
    Hint {
        symptom: "history.json or the charts are missing",
        cause: "save_results is still the starting TODO",
        fix: "save the history as JSON and CSV, then draw the four charts into the output folder",
    },
    Hint {
        symptom: "The checker says your read disagrees with your history",
        cause: "the read was written from memory, not from the numbers",
        fix: "open history.json, compare epoch 1 with the last epoch, and copy the numbers you see",
    },
];

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        threshold,
        line,
        rates,
        early,
        burn,
        history,
        charts,
        speed,
        predict,
        read,
    ] = ITEMS;
    let item = |spec: (&str, &str), outcome: Result<Option<String>, String>, hint: &str| {
        CheckItem::from_result(spec.0, spec.1, outcome, hint)
    };
    let learner_history = context
        .fresh_file("history.json")
        .and_then(|path| History::load(&path).map_err(|e| e.to_string()));
    let answers = context.answers();
    vec![
        item(threshold, check_threshold(report), HINTS[0].fix),
        item(line, check_line(report, context.seed), HINTS[1].fix),
        item(rates, check_rates(report, context.seed), HINTS[1].fix),
        item(
            early,
            check_early_stopping(report, context.seed),
            "Stop when the loss has not improved by more than min_delta for patience epochs in a row, then measure the line on the fresh apartments.",
        ),
        item(burn, check_burn(context), HINTS[4].fix),
        history_item(history, context, &learner_history),
        item(charts, check_charts(context), HINTS[5].fix),
        item(
            speed,
            check_speed(report),
            "Keep the workspace's [profile.dev] settings (dependencies optimised) and the default Flex device.",
        ),
        item(
            predict,
            answer(&answers, |a| {
                for key in ["threshold_after_five", "too_large_rate"] {
                    a.text("predict", key)?;
                }
                Ok(None)
            }),
            "Before you run the stage, write what you expect under [predict] in answers.toml.",
        ),
        item(
            read,
            match (&answers, &learner_history) {
                (Err(error), _) => Err(error.to_string()),
                (_, Err(error)) => Err(format!("no history to compare with: {error}")),
                (Ok(answers), Ok(history)) => check_read(answers, history),
            },
            HINTS[6].fix,
        ),
    ]
}

fn check_threshold(report: &StageReport) -> Result<Option<String>, String> {
    let steps = report
        .get("threshold_steps")
        .and_then(Value::as_array)
        .ok_or("report.json has no threshold_steps")?;
    let examples: Vec<(f64, u8)> = steps
        .iter()
        .map(|s| {
            (
                s["x"].as_f64().unwrap_or(f64::NAN),
                s["label"].as_u64().unwrap_or(0) as u8,
            )
        })
        .collect();
    let reference = learn_threshold(&examples, 6.0, 1.0).map_err(|e| e.to_string())?;
    for (index, (step, expected)) in steps.iter().zip(&reference.steps).enumerate() {
        let found = step["threshold"].as_f64().unwrap_or(f64::NAN);
        if found != expected.threshold {
            return Err(format!(
                "after example {} (x = {}, label {}), t is {found}, but the rule gives {}",
                index + 1,
                expected.x,
                expected.label,
                expected.threshold
            ));
        }
    }
    Ok(Some(format!(
        "t = {} after {} examples",
        reference.threshold,
        reference.steps.len()
    )))
}

fn check_line(report: &StageReport, seed: u64) -> Result<Option<String>, String> {
    let rows = report
        .get("line_rows")
        .and_then(Value::as_array)
        .ok_or("report.json has no line_rows")?;
    let homes = apartments_train(APARTMENTS, seed);
    let reference = fit_line(
        &homes.sizes,
        &homes.prices,
        &LineConfig::new(COURSE_LEARNING_RATES[1], LINE_EPOCHS),
    )
    .map_err(|e| e.to_string())?;
    if rows.len() != reference.rows.len() {
        return Err(format!(
            "your run has {} epochs, the reference {}",
            rows.len(),
            reference.rows.len()
        ));
    }
    for (row, expected) in rows.iter().zip(&reference.rows) {
        for (name, value) in [
            ("loss", expected.loss),
            ("slope", expected.slope),
            ("intercept", expected.intercept),
        ] {
            let found = row[name].as_f64().unwrap_or(f64::NAN);
            // Sums in another order differ in the last digits; a wrong formula does not.
            if !within(found, value, 1e-6 * value.abs().max(1e-3)) {
                return Err(format!(
                    "epoch {}, {name}: yours is {found}, the reference is {value}",
                    expected.epoch
                ));
            }
        }
    }
    let last = reference.rows.last().expect("200 epochs");
    Ok(Some(format!("epoch {}: loss {:.1}", last.epoch, last.loss)))
}

fn check_rates(report: &StageReport, seed: u64) -> Result<Option<String>, String> {
    let found = report
        .get("learning_rates")
        .and_then(Value::as_array)
        .ok_or("report.json has no learning_rates")?;
    let homes = apartments_train(APARTMENTS, seed);
    let reference = lr_experiment(
        &homes.sizes,
        &homes.prices,
        &COURSE_LEARNING_RATES,
        LINE_EPOCHS,
        CONVERGENCE_TOLERANCE,
    )
    .map_err(|e| e.to_string())?;
    let mut verdicts = Vec::new();
    for (run, expected) in found.iter().zip(&reference.runs) {
        let verdict = &run["verdict"];
        let same = match expected.verdict {
            RateVerdict::TooSlow { .. } => verdict["kind"] == "too_slow",
            RateVerdict::Converged { epoch } => {
                verdict["kind"] == "converged" && verdict["epoch"] == epoch
            }
            RateVerdict::Diverged { epoch } => {
                verdict["kind"] == "diverged" && verdict["epoch"] == epoch
            }
        };
        if !same {
            return Err(format!(
                "learning rate {:e}: yours says {verdict}, the reference says {}",
                expected.learning_rate, expected.verdict
            ));
        }
        verdicts.push(expected.verdict.to_string());
    }
    if found.len() != reference.runs.len() {
        return Err(format!(
            "{} learning rates tried, the page asks for {}",
            found.len(),
            reference.runs.len()
        ));
    }
    Ok(Some(verdicts.join("; ")))
}

fn check_early_stopping(report: &StageReport, seed: u64) -> Result<Option<String>, String> {
    let homes = apartments_train(APARTMENTS, seed);
    let (patience, min_delta) = LINE_EARLY_STOP;
    let config = LineConfig::new(COURSE_LEARNING_RATES[1], LINE_EPOCHS)
        .with_early_stopping(patience, min_delta);
    let reference = fit_line(&homes.sizes, &homes.prices, &config).map_err(|e| e.to_string())?;
    let Ending::StoppedEarly { epoch } = reference.ending else {
        return Err("the reference run did not stop early".into());
    };
    let found = report
        .get("early_stopping")
        .ok_or("report.json has no early_stopping")?;
    if found["kind"] != "stopped_early" || found["epoch"] != epoch {
        return Err(format!(
            "your run ended with {found}, the reference stopped early after epoch {epoch}"
        ));
    }
    let fresh = apartments_test(APARTMENTS, seed);
    let expected = reference
        .line
        .mean_squared_error(&fresh.sizes, &fresh.prices)
        .map_err(|e| e.to_string())?;
    let test_error = report
        .get("test_error")
        .and_then(Value::as_f64)
        .ok_or("report.json has no test_error")?;
    if (test_error - expected).abs() > 1e-6 * expected {
        return Err(format!(
            "the error on fresh data is {test_error:.3}, the reference line gives {expected:.3}"
        ));
    }
    Ok(Some(format!(
        "stopped after epoch {epoch}; fresh-data error {expected:.1}"
    )))
}

fn check_burn(context: &CheckContext) -> Result<Option<String>, String> {
    let path = context.fresh_file("points_history.json")?;
    let history = History::load(&path).map_err(|e| e.to_string())?;
    let loss = history
        .get("loss")
        .ok_or("points_history.json has no loss")?;
    let accuracy = history
        .final_epoch()
        .and_then(|row| row.get("test_accuracy"))
        .ok_or("points_history.json has no test_accuracy")?;
    let (first, last) = (loss[0], loss[loss.len() - 1]);
    // Written so that a NaN loss counts as not falling.
    if last.is_nan() || last >= first * 0.9 {
        return Err(format!(
            "the training loss went from {first:.4} to {last:.4}: it did not fall"
        ));
    }
    if accuracy.is_nan() || accuracy < POINTS_ACCURACY {
        return Err(format!(
            "the test accuracy ended at {accuracy:.3}, below {POINTS_ACCURACY}"
        ));
    }
    Ok(Some(format!(
        "loss {first:.3} -> {last:.3}, test accuracy {accuracy:.3}"
    )))
}

fn history_item(
    spec: (&str, &str),
    context: &CheckContext,
    history: &Result<History, String>,
) -> CheckItem {
    let history = match history {
        Ok(history) => history,
        Err(error) => return CheckItem::fail(spec.0, spec.1, error.clone(), HINTS[5].fix),
    };
    let compared =
        read_snapshot(&snapshot_path(&context.snapshots, HISTORY_SNAPSHOT)).and_then(|snapshot| {
            let reference: Vec<ReferenceEpoch> = serde_json::from_value(snapshot.value.clone())
                .map_err(|e| format!("{}: {e}", snapshot.path.display()))?;
            compare_history(history, &reference, &HISTORY_BANDS).map(|()| {
                Some(format!(
                    "{} epochs within the bands (reference: {})",
                    reference.len(),
                    snapshot.info
                ))
            })
        });
    match compared {
        Ok(detail) => CheckItem {
            detail,
            ..CheckItem::pass(spec.0, spec.1)
        },
        Err(detail) => CheckItem::fail(spec.0, spec.1, detail, symptom_hint(history)),
    }
}

/// The hint a failed history earns, from the symptom it shows.
fn symptom_hint(history: &History) -> &'static str {
    let loss = history.get("loss").unwrap_or(&[]);
    if loss.iter().any(|v| !v.is_finite()) || loss.last() > loss.first() {
        return HINTS[3].fix;
    }
    let accuracy = history
        .final_epoch()
        .and_then(|row| row.get("val_accuracy").or(row.get("accuracy")));
    if accuracy.is_some_and(|a| (a - 0.1).abs() < 0.03) {
        return HINTS[2].fix;
    }
    "Train as the page says: baseline CNN, Adam at 0.001, batches of 32, 10 epochs, the seed from the arguments."
}

fn check_charts(context: &CheckContext) -> Result<Option<String>, String> {
    for name in ["accuracy.png", "loss.png", "loss_log.png", "metrics.png"] {
        let path = context.fresh_file(name)?;
        image::open(&path).map_err(|e| format!("{name} does not open as an image: {e}"))?;
    }
    Ok(None)
}

fn check_speed(report: &StageReport) -> Result<Option<String>, String> {
    let speed = report
        .get("cnn_images_per_second")
        .and_then(Value::as_f64)
        .ok_or("report.json has no cnn_images_per_second")?;
    if speed >= REFERENCE_IMAGES_PER_SECOND / 10.0 {
        Ok(Some(format!("{speed:.0} images/s")))
    } else {
        Err(format!(
            "{speed:.0} images per second, less than a tenth of the reference's {REFERENCE_IMAGES_PER_SECOND:.0}: a debug build of the dependencies, or a slow backend"
        ))
    }
}

/// The learner's read against the numbers of their own history.
fn check_read(answers: &crate::Answers, history: &History) -> Result<Option<String>, String> {
    let problem = |e: crate::AnswerProblem| e.to_string();
    let found = signals(history);
    let mut wrong = Vec::new();
    for (key, trend) in [("accuracy", found.accuracy), ("loss", found.loss)] {
        let answer = answers
            .choice("read", key, &["up", "down", "flat"])
            .map_err(problem)?;
        let values = history.get(key).unwrap_or(&[]);
        if let (Some(trend), Some(first), Some(last)) = (trend, values.first(), values.last())
            && answer != trend.to_string()
        {
            wrong.push(format!(
                "you wrote {key} = {answer}, but it goes from {first:.4} at epoch 1 to {last:.4} at epoch {}: {}",
                values.len(),
                trend
            ));
        }
    }
    let answer = answers
        .choice("read", "validation", &["close", "behind"])
        .map_err(problem)?;
    if let Some(gap) = found.gap {
        let truth = match gap {
            GapVerdict::Close => "close",
            GapVerdict::Behind => "behind",
        };
        if answer != truth {
            wrong.push(format!(
                "you wrote validation = {answer}, but at the last epoch it is {truth}"
            ));
        }
    }
    for (key, metric, epoch) in [
        ("first_epoch_accuracy", "accuracy", 1),
        ("last_epoch_accuracy", "accuracy", history.epochs()),
        ("first_epoch_val_accuracy", "val_accuracy", 1),
        ("last_epoch_val_accuracy", "val_accuracy", history.epochs()),
    ] {
        let written = answers.number("read", key).map_err(problem)?;
        let actual = history
            .get(metric)
            .and_then(|v| v.get(epoch.max(1) - 1))
            .copied()
            .unwrap_or(f64::NAN);
        if written.is_nan() {
            wrong.push(format!(
                "{key} is not filled in (your history says {actual:.4})"
            ));
        // Three decimals are enough: 0.495 written as 0.495 passes, and so does 0.5.
        } else if !within(written, actual, 0.005 + 1e-9) {
            wrong.push(format!(
                "{key} = {written}, but your history says {actual:.4} at epoch {epoch}"
            ));
        }
    }
    answers.text("read", "in_your_words").map_err(problem)?;
    if wrong.is_empty() {
        Ok(None)
    } else {
        Err(wrong.join("\n"))
    }
}
