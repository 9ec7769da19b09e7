//! Stage 5, Training history: the loop by hand, in plain Rust, with Burn, then `fit`.

use serde_json::Value;

use kindling::burn::prelude::Device;
use kindling::data::{DataSource, load_splits};
use kindling::models::{ModelKind, load_model};
use kindling::train::apartments::{COURSE_LEARNING_RATES, apartments_test, apartments_train};
use kindling::train::diagnosis::{GapVerdict, signals};
use kindling::train::linreg::{Ending, LineConfig, fit_line};
use kindling::train::lr_experiment::{CONVERGENCE_TOLERANCE, RateVerdict, lr_experiment};
use kindling::train::threshold::learn_threshold;
use kindling::train::{History, ImageData, evaluate as measure};

use kindling_course::facts::stage05::{
    APARTMENTS, CNN_EPOCHS, CNN_TRAIN, EARLY_STOP_MIN_DELTA, EARLY_STOP_PATIENCE, HISTORY_FILE,
    LINE_EPOCHS, MODEL_FILE, THRESHOLD_EXAMPLES, THRESHOLD_START, THRESHOLD_STEP, cnn_split_sizes,
};

use kindling_course::facts::DEFAULT_SEED;

use super::{Hint, StageInfo};
use crate::answers::{Answers, AnswersError};
use crate::bands::{HISTORY_BANDS, ReferenceEpoch, compare_history, within};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};
/// The loss of a model that guesses between the Burn loop's two classes: ln 2.
const POINTS_CHANCE_LOSS: f64 = std::f64::consts::LN_2;
/// The Burn loop must reach this test accuracy.
pub const POINTS_ACCURACY: f64 = 0.80;
/// Images per second the reference solution trains at on a 2-core laptop CPU
/// (Flex backend); a run ten times slower points at a debug build or a slow backend.
/// The checker measures the whole run's wall time itself, so the speed it finds
/// is a little below the training loop's own.
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

const ITEMS: [(&str, &str); 11] = [
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
        "s5.model",
        "model.bpk holds the trained CNN: the checker measures its validation accuracy, and it matches the history's last epoch",
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

const HINTS: [Hint; 8] = [
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
    Hint {
        symptom: "model.bpk is missing, or its accuracy differs from the history's",
        cause: "the model saved is not the one fit trained, or the history was not written by this training",
        fix: "keep the lines of run() that save the model fit returns into model.bpk, and save the history fit returned",
    },
];
const THRESHOLD: Hint = HINTS[0];
const LINE: Hint = HINTS[1];
const GUESSING: Hint = HINTS[2];
const DIVERGING: Hint = HINTS[3];
const FLAT_BURN: Hint = HINTS[4];
const NO_RESULTS: Hint = HINTS[5];
const READ: Hint = HINTS[6];
const MODEL: Hint = HINTS[7];

const EARLY_FIX: &str = "Stop when the loss has not improved by more than min_delta for patience epochs in a row, then measure the line on the fresh apartments.";
const SPEED_FIX: &str = "Keep the workspace's [profile.dev] settings (dependencies optimised) and the default Flex device.";
const PREDICT_FIX: &str =
    "Before you run the stage, write what you expect under [predict] in answers.toml.";
const TRAIN_AS_THE_PAGE_SAYS: &str = "Train as the page says: baseline CNN, Adam at 0.001, batches of 32, 10 epochs, the seed from the arguments.";

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        threshold,
        line,
        rates,
        early,
        burn,
        history_spec,
        model_spec,
        charts,
        speed,
        predict,
        read,
    ] = ITEMS;
    let item = CheckItem::judged;
    let history = context
        .fresh_file(HISTORY_FILE)
        .and_then(|path| History::load(&path).map_err(|e| e.to_string()));
    let answers = context.answers();
    let model_outcome = history
        .as_ref()
        .map_err(|e| (e.clone(), NO_RESULTS.fix))
        .and_then(|history| judge_model(measure_model(context), history));
    // A history counts only as the record of the model this run trained: numbers
    // copied from elsewhere match no saved model.
    let history_outcome = judge_history(context, &history).and_then(|detail| match &model_outcome {
        Ok(_) => Ok(detail),
        Err((why, _)) => Err((
            format!("the history is within the bands, but it is not the record of the model this run saved: {why}"),
            MODEL.fix,
        )),
    });
    // Speed only counts for a run that really trained the model its history
    // describes: a run that skips training is fast and proves nothing.
    let trained = history_outcome.is_ok() && model_outcome.is_ok();
    vec![
        item(threshold, judge_threshold(report)),
        item(line, judge_line(report, context.seed)),
        item(rates, judge_rates(report, context.seed)),
        item(early, judge_early_stopping(report, context.seed)),
        item(burn, judge_burn(context)),
        item(history_spec, history_outcome),
        item(model_spec, model_outcome),
        item(charts, judge_charts(context)),
        item(speed, judge_speed(context, trained)),
        item(predict, judge_predictions(&answers)),
        item(read, judge_read_of(context, &answers, &history)),
    ]
}

fn judge_threshold(report: &StageReport) -> Result<String, Failure> {
    let fail = |detail: String| (detail, THRESHOLD.fix);
    let steps = report
        .get("threshold_steps")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("report.json has no threshold_steps".into()))?;
    // The examples come from the course, never from the report.
    let reference = learn_threshold(&THRESHOLD_EXAMPLES, THRESHOLD_START, THRESHOLD_STEP)
        .map_err(|e| fail(e.to_string()))?;
    if steps.len() != reference.steps.len() {
        return Err(fail(format!(
            "the trace has {} steps, the page has {} examples",
            steps.len(),
            reference.steps.len()
        )));
    }
    for (index, (step, expected)) in steps.iter().zip(&reference.steps).enumerate() {
        let found = step["threshold"].as_f64().unwrap_or(f64::NAN);
        if found != expected.threshold {
            return Err(fail(format!(
                "after example {} (x = {}, label {}), t is {found}, but the rule gives {}",
                index + 1,
                expected.x,
                expected.label,
                expected.threshold
            )));
        }
    }
    Ok(format!(
        "t = {} after {} examples",
        reference.threshold,
        reference.steps.len()
    ))
}

fn judge_line(report: &StageReport, seed: u64) -> Result<String, Failure> {
    let fail = |detail: String| (detail, LINE.fix);
    let rows = report
        .get("line_rows")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("report.json has no line_rows".into()))?;
    let homes = apartments_train(APARTMENTS, seed);
    let reference = fit_line(
        &homes.sizes,
        &homes.prices,
        &LineConfig::new(COURSE_LEARNING_RATES[1], LINE_EPOCHS),
    )
    .map_err(|e| fail(e.to_string()))?;
    if rows.len() != reference.rows.len() {
        return Err(fail(format!(
            "your run has {} epochs, the reference {}",
            rows.len(),
            reference.rows.len()
        )));
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
                return Err(fail(format!(
                    "epoch {}, {name}: yours is {found}, the reference is {value}",
                    expected.epoch
                )));
            }
        }
    }
    let last = reference
        .rows
        .last()
        .ok_or_else(|| fail("the reference line has no epochs".into()))?;
    Ok(format!("epoch {}: loss {:.1}", last.epoch, last.loss))
}

fn judge_rates(report: &StageReport, seed: u64) -> Result<String, Failure> {
    let fail = |detail: String| (detail, LINE.fix);
    let found = report
        .get("learning_rates")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("report.json has no learning_rates".into()))?;
    let homes = apartments_train(APARTMENTS, seed);
    let reference = lr_experiment(
        &homes.sizes,
        &homes.prices,
        &COURSE_LEARNING_RATES,
        LINE_EPOCHS,
        CONVERGENCE_TOLERANCE,
    )
    .map_err(|e| fail(e.to_string()))?;
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
            return Err(fail(format!(
                "learning rate {:e}: yours says {verdict}, the reference says {}",
                expected.learning_rate, expected.verdict
            )));
        }
        verdicts.push(expected.verdict.to_string());
    }
    if found.len() != reference.runs.len() {
        return Err(fail(format!(
            "{} learning rates tried, the page asks for {}",
            found.len(),
            reference.runs.len()
        )));
    }
    Ok(verdicts.join("; "))
}

fn judge_early_stopping(report: &StageReport, seed: u64) -> Result<String, Failure> {
    let fail = |detail: String| (detail, EARLY_FIX);
    let homes = apartments_train(APARTMENTS, seed);
    let config = LineConfig::new(COURSE_LEARNING_RATES[1], LINE_EPOCHS)
        .with_early_stopping(EARLY_STOP_PATIENCE, EARLY_STOP_MIN_DELTA);
    let reference =
        fit_line(&homes.sizes, &homes.prices, &config).map_err(|e| fail(e.to_string()))?;
    let Ending::StoppedEarly { epoch } = reference.ending else {
        return Err(fail("the reference run did not stop early".into()));
    };
    let found = report
        .get("early_stopping")
        .ok_or_else(|| fail("report.json has no early_stopping".into()))?;
    if found["kind"] != "stopped_early" || found["epoch"] != epoch {
        return Err(fail(format!(
            "your run ended with {found}, the reference stopped early after epoch {epoch}"
        )));
    }
    let fresh = apartments_test(APARTMENTS, seed);
    let expected = reference
        .line
        .mean_squared_error(&fresh.sizes, &fresh.prices)
        .map_err(|e| fail(e.to_string()))?;
    let test_error = report
        .get("test_error")
        .and_then(Value::as_f64)
        .ok_or_else(|| fail("report.json has no test_error".into()))?;
    if (test_error - expected).abs() > 1e-6 * expected {
        return Err(fail(format!(
            "the error on fresh data is {test_error:.3}, the reference line gives {expected:.3}"
        )));
    }
    Ok(format!(
        "stopped after epoch {epoch}; fresh-data error {expected:.1}"
    ))
}

fn judge_burn(context: &CheckContext) -> Result<String, Failure> {
    let fail = |detail: String| (detail, FLAT_BURN.fix);
    let path = context.fresh_file("points_history.json").map_err(fail)?;
    let history = History::load(&path).map_err(|e| fail(e.to_string()))?;
    judge_points_history(&history)
}

fn judge_points_history(history: &History) -> Result<String, Failure> {
    let fail = |detail: String| (detail, FLAT_BURN.fix);
    let loss = history
        .get("loss")
        .filter(|loss| !loss.is_empty())
        .ok_or_else(|| fail("points_history.json has no loss".into()))?;
    let accuracy = history
        .final_epoch()
        .and_then(|row| row.get("test_accuracy"))
        .ok_or_else(|| fail("points_history.json has no test_accuracy".into()))?;
    let (first, last) = (loss[0], loss[loss.len() - 1]);
    // Epoch 1's loss is a mean over its batches, so on easy data most of the fall
    // happens inside it: ending well below a guesser's loss counts as falling too.
    // Written so that a NaN loss counts as not falling.
    let fell = last < first * 0.9 || last < POINTS_CHANCE_LOSS * 0.9;
    if last.is_nan() || !fell {
        return Err(fail(format!(
            "the training loss went from {first:.4} to {last:.4}: it did not fall (a model that guesses between the two classes has a loss of {POINTS_CHANCE_LOSS:.3})"
        )));
    }
    if accuracy.is_nan() || accuracy < POINTS_ACCURACY {
        return Err(fail(format!(
            "the test accuracy ended at {accuracy:.3}, below {POINTS_ACCURACY}"
        )));
    }
    Ok(format!(
        "loss {first:.3} -> {last:.3}, test accuracy {accuracy:.3}"
    ))
}

/// The reference history: made at grading time for the grader's seed, or else the
/// committed snapshot (the learner's own `cargo xtask check`, fixed seed).
fn reference_history(context: &CheckContext) -> Result<(Vec<ReferenceEpoch>, String), String> {
    if let Some(reference) = &context.reference {
        return Ok((reference.epochs.clone(), reference.origin.clone()));
    }
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, HISTORY_SNAPSHOT))?;
    let epochs = serde_json::from_value(snapshot.value.clone())
        .map_err(|e| format!("{}: {e}", snapshot.path.display()))?;
    Ok((epochs, snapshot.info))
}

fn judge_history(
    context: &CheckContext,
    history: &Result<History, String>,
) -> Result<String, Failure> {
    let history = history.as_ref().map_err(|e| (e.clone(), NO_RESULTS.fix))?;
    let (reference, origin) =
        reference_history(context).map_err(|e| (e, TRAIN_AS_THE_PAGE_SAYS))?;
    compare_history(history, &reference, &HISTORY_BANDS)
        .map(|()| {
            format!(
                "{} epochs within the bands (reference: {origin})",
                reference.len()
            )
        })
        .map_err(|detail| (detail, symptom_hint(history)))
}

/// The hint a failed history earns, from the symptom it shows.
fn symptom_hint(history: &History) -> &'static str {
    let loss = history.get("loss").unwrap_or(&[]);
    if loss.iter().any(|v| !v.is_finite()) || loss.last() > loss.first() {
        return DIVERGING.fix;
    }
    let accuracy = history
        .final_epoch()
        .and_then(|row| row.get("val_accuracy").or(row.get("accuracy")));
    if accuracy.is_some_and(|a| (a - 0.1).abs() < 0.03) {
        return GUESSING.fix;
    }
    TRAIN_AS_THE_PAGE_SAYS
}

/// The read is judged against the history the learner read: their own run's at the
/// default seed. A grading run has a hidden seed, so there the learner's numbers are
/// held to the default seed's reference instead, the run their own check made.
fn judge_read_of(
    context: &CheckContext,
    answers: &Result<Answers, AnswersError>,
    history: &Result<History, String>,
) -> Result<String, Failure> {
    let answers = answers.as_ref().map_err(|e| (e.to_string(), READ.fix))?;
    if context.seed == DEFAULT_SEED {
        let history = history
            .as_ref()
            .map_err(|e| (format!("no history to compare with: {e}"), NO_RESULTS.fix))?;
        return judge_read(answers, history);
    }
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, HISTORY_SNAPSHOT))
        .map_err(|e| (e, READ.fix))?;
    let epochs: Vec<ReferenceEpoch> = serde_json::from_value(snapshot.value)
        .map_err(|e| (format!("{}: {e}", snapshot.path.display()), READ.fix))?;
    let mut seen = History::new();
    for epoch in &epochs {
        seen.push_epoch([
            ("loss", epoch.loss),
            ("accuracy", epoch.accuracy),
            ("val_loss", epoch.val_loss),
            ("val_accuracy", epoch.val_accuracy),
        ]);
    }
    judge_read(answers, &seen)
        .map(|detail| format!("{detail} (your check's run, seed {DEFAULT_SEED})"))
}

/// The validation accuracy of the model the run saved, measured by the checker on
/// its own copy of the validation images; and how many images that is.
fn measure_model(context: &CheckContext) -> Result<(f64, usize), String> {
    let path = context.fresh_file(MODEL_FILE)?;
    let splits = load_splits(
        &DataSource::Builtin,
        cnn_split_sizes(context.profile),
        context.seed,
    )
    .map_err(|e| e.to_string())?;
    let device = Device::flex();
    let blank = ModelKind::BaselineCnn.init(splits.class_names().len(), &device);
    let model = load_model(blank, &path).map_err(|e| e.to_string())?;
    let valid = ImageData::new(&splits.validation, splits.normalization());
    let measured = measure(&model, &valid, &device);
    Ok((measured.accuracy, measured.examples))
}

fn judge_model(
    measured: Result<(f64, usize), String>,
    history: &History,
) -> Result<String, Failure> {
    let (accuracy, images) = measured.map_err(|e| (e, MODEL.fix))?;
    let claimed = history
        .final_epoch()
        .and_then(|row| row.get("val_accuracy"))
        .ok_or_else(|| {
            (
                "history.json has no val_accuracy".to_string(),
                NO_RESULTS.fix,
            )
        })?;
    // Both count right answers among the same images: they agree to the image.
    let half_an_image = 0.5 / images.max(1) as f64;
    if within(claimed, accuracy, half_an_image) {
        Ok(format!(
            "validation accuracy {accuracy:.4} on {images} images, as the history says"
        ))
    } else {
        Err((
            format!(
                "the saved model scores {accuracy:.4} on the {images} validation images, but the history's last val_accuracy is {claimed:.4}"
            ),
            MODEL.fix,
        ))
    }
}

fn judge_charts(context: &CheckContext) -> Result<String, Failure> {
    for name in ["accuracy.png", "loss.png", "loss_log.png", "metrics.png"] {
        let path = context.fresh_file(name).map_err(|e| (e, NO_RESULTS.fix))?;
        image::open(&path).map_err(|e| {
            (
                format!("{name} does not open as an image: {e}"),
                NO_RESULTS.fix,
            )
        })?;
    }
    Ok("4 charts".into())
}

/// Images the CNN trains on in all, in this profile.
fn cnn_images_trained(context: &CheckContext) -> usize {
    context.profile.pick(CNN_TRAIN.0, CNN_TRAIN.1) * CNN_EPOCHS
}

fn judge_speed(context: &CheckContext, trained: bool) -> Result<String, Failure> {
    if !trained {
        return Err((
            "not measured: speed only counts for a run whose history and saved model show it trained the CNN".into(),
            TRAIN_AS_THE_PAGE_SAYS,
        ));
    }
    let seconds = context.run_seconds.ok_or_else(|| {
        (
            "the run was not timed by the checker".to_string(),
            SPEED_FIX,
        )
    })?;
    judge_images_per_second(cnn_images_trained(context) as f64 / seconds.max(1e-9))
}

fn judge_images_per_second(speed: f64) -> Result<String, Failure> {
    if speed >= REFERENCE_IMAGES_PER_SECOND / 10.0 {
        Ok(format!("{speed:.0} images/s, timed by the checker"))
    } else {
        Err((
            format!(
                "{speed:.0} images per second over the whole run, less than a tenth of the reference's {REFERENCE_IMAGES_PER_SECOND:.0}: a debug build of the dependencies, or a slow backend"
            ),
            SPEED_FIX,
        ))
    }
}

fn judge_predictions(answers: &Result<Answers, AnswersError>) -> Result<String, Failure> {
    let answers = answers.as_ref().map_err(|e| (e.to_string(), PREDICT_FIX))?;
    for key in ["threshold_after_five", "too_large_rate"] {
        answers
            .text("predict", key)
            .map_err(|e| (e.to_string(), PREDICT_FIX))?;
    }
    Ok("written".into())
}

/// The learner's read against the numbers of their own history.
fn judge_read(answers: &Answers, history: &History) -> Result<String, Failure> {
    let problem = |e: crate::AnswerProblem| (e.to_string(), READ.fix);
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
        Ok("agrees with the history".into())
    } else {
        Err((wrong.join("\n"), READ.fix))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::profile::Profile;

    fn report(values: &[(&str, Value)]) -> StageReport {
        StageReport {
            stage: 5,
            profile: Profile::Check,
            seed: kindling_course::facts::DEFAULT_SEED,
            dataset: "builtin".into(),
            run_id: None,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn history(rows: &[&[(&str, f64)]]) -> History {
        let mut history = History::new();
        for row in rows {
            history.push_epoch(row.iter().map(|(k, v)| (k.to_string(), *v)));
        }
        history
    }

    #[test]
    fn the_threshold_trace_is_held_to_the_pages_examples() {
        let trace = |thresholds: [f64; 5]| {
            let steps: Vec<Value> = thresholds
                .iter()
                .map(|t| json!({"x": 0.0, "label": 0, "threshold": t}))
                .collect();
            report(&[("threshold_steps", json!(steps))])
        };
        // 2 -> 0 right; 7 -> 1 right; 4 said 0 for a 1: down to 5; 9 right; 5 said 0 for a 0: right.
        let detail = judge_threshold(&trace([6.0, 6.0, 5.0, 5.0, 5.0])).unwrap();
        assert_eq!(detail, "t = 5 after 5 examples");
        let (detail, fix) = judge_threshold(&trace([6.0; 5])).unwrap_err();
        assert_eq!(fix, THRESHOLD.fix);
        assert!(
            detail.starts_with("after example 3 (x = 4, label 1)"),
            "{detail}"
        );
        assert!(judge_threshold(&report(&[])).is_err());
    }

    #[test]
    fn the_burn_loop_must_learn() {
        let learned = history(&[
            &[("loss", 0.7), ("test_accuracy", 0.6)],
            &[("loss", 0.3), ("test_accuracy", 0.9)],
        ]);
        assert!(judge_points_history(&learned).is_ok());
        let flat = history(&[
            &[("loss", 0.7), ("test_accuracy", 0.5)],
            &[("loss", 0.69), ("test_accuracy", 0.5)],
        ]);
        let (detail, fix) = judge_points_history(&flat).unwrap_err();
        assert_eq!(fix, FLAT_BURN.fix);
        assert!(detail.contains("did not fall"), "{detail}");
        // Learned within the first epoch: the mean loss of epoch 1 is already low.
        let quick = history(&[
            &[("loss", 0.2435), ("test_accuracy", 0.89)],
            &[("loss", 0.2275), ("test_accuracy", 0.895)],
        ]);
        assert!(judge_points_history(&quick).is_ok());
        let weak = history(&[
            &[("loss", 0.7), ("test_accuracy", 0.5)],
            &[("loss", 0.3), ("test_accuracy", 0.7)],
        ]);
        assert!(
            judge_points_history(&weak)
                .unwrap_err()
                .0
                .contains("below 0.8")
        );
    }

    #[test]
    fn the_saved_model_must_score_what_the_history_claims() {
        let claimed = history(&[&[("val_accuracy", 0.425)]]);
        assert!(judge_model(Ok((0.425, 200)), &claimed).is_ok());
        let (detail, fix) = judge_model(Ok((0.1, 200)), &claimed).unwrap_err();
        assert_eq!(fix, MODEL.fix);
        assert!(
            detail.contains("scores 0.1000") && detail.contains("0.4250"),
            "{detail}"
        );
        assert_eq!(
            judge_model(Err("model.bpk was not written".into()), &claimed)
                .unwrap_err()
                .1,
            MODEL.fix
        );
    }

    #[test]
    fn speed_is_timed_by_the_checker_and_only_for_a_run_that_trained() {
        let mut context = CheckContext::new(5, Path::new("."), Path::new("."), Path::new("."));
        context.run_seconds = Some(10.0);
        assert!(
            judge_speed(&context, true)
                .unwrap()
                .contains("1000 images/s")
        );
        assert!(
            judge_speed(&context, false)
                .unwrap_err()
                .0
                .starts_with("not measured")
        );
        context.run_seconds = Some(500.0);
        assert_eq!(judge_speed(&context, true).unwrap_err().1, SPEED_FIX);
        context.run_seconds = None;
        assert!(judge_speed(&context, true).is_err());
    }

    #[test]
    fn a_history_that_blows_up_or_guesses_gets_its_own_hint() {
        let blows_up = history(&[&[("loss", 2.3)], &[("loss", f64::NAN)]]);
        assert_eq!(symptom_hint(&blows_up), DIVERGING.fix);
        let guesses = history(&[
            &[("loss", 2.3), ("val_accuracy", 0.1)],
            &[("loss", 2.29), ("val_accuracy", 0.11)],
        ]);
        assert_eq!(symptom_hint(&guesses), GUESSING.fix);
    }

    #[test]
    fn a_grading_reference_replaces_the_snapshot() {
        let mut context = CheckContext::new(5, Path::new("."), Path::new("."), Path::new("/none"));
        assert!(
            reference_history(&context)
                .unwrap_err()
                .contains("cannot be read")
        );
        let epoch = ReferenceEpoch {
            epoch: 1,
            loss: 2.0,
            accuracy: 0.2,
            val_loss: 2.1,
            val_accuracy: 0.2,
        };
        context.reference = Some(crate::Reference {
            epochs: vec![epoch],
            origin: "seed 7".into(),
        });
        let learner = history(&[&[
            ("loss", 2.01),
            ("accuracy", 0.21),
            ("val_loss", 2.1),
            ("val_accuracy", 0.2),
        ]]);
        let detail = judge_history(&context, &Ok(learner)).unwrap();
        assert!(detail.ends_with("(reference: seed 7)"), "{detail}");
    }
}
