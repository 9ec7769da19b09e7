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
use kindling::train::{History, ImageData, Mode, evaluate as measure};

use kindling_course::facts::stage05::{
    APARTMENTS, BEST_MODEL_FILE, CNN_EPOCHS, CNN_MAX_EPOCHS, CNN_PATIENCE, CNN_TRAIN,
    EARLY_STOP_MIN_DELTA, EARLY_STOP_PATIENCE, HISTORY_FILE, LINE_EPOCHS, LONGER_HISTORY_FILE,
    MODEL_FILE, POINTS_HISTORY_FILE, THRESHOLD_EXAMPLES, THRESHOLD_START, THRESHOLD_STEP,
    cnn_split_sizes,
};

use kindling_course::facts::DEFAULT_SEED;

use super::{Hint, StageInfo};
use crate::answers::{Answers, AnswersError};
use crate::bands::{HISTORY_BANDS, ReferenceEpoch, compare_history, within};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, RunFiles, Verdict};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};
/// The loss of a model that guesses between the Burn loop's two classes: ln 2.
const POINTS_CHANCE_LOSS: f64 = std::f64::consts::LN_2;
/// The Burn loop must reach this validation accuracy.
pub const POINTS_ACCURACY: f64 = 0.80;
/// Images per second the reference solution trains at on a 2-core laptop CPU
/// (Flex backend); a run ten times slower points at a debug build or a slow backend.
/// The checker measures the whole run's wall time itself, so the speed it finds
/// is a little below the training loop's own.
pub const REFERENCE_IMAGES_PER_SECOND: f64 = 700.0;
/// The snapshot holding the reference CNN history.
pub const HISTORY_SNAPSHOT: &str = "stage05_history";
/// The snapshot holding the reference longer run (epoch 1 to where it stopped).
pub const LONGER_SNAPSHOT: &str = "stage05_longer_history";
/// A prediction within this of the run counts as close.
pub const PREDICTION_CLOSE: f64 = 0.05;

/// Past this many times the best line's loss, a learning rate has not converged
/// (the page's "within 20% of the best any line can do").
const CONVERGED_WITHIN: f64 = 1.0 + CONVERGENCE_TOLERANCE;

/// The claims pages 5b to 5e make about the run, in page order; `cargo xtask
/// robust stage5` counts the seeds each holds at. The longer run's claims read its
/// history with [`read_longer`], as the checker and the book's numbers do.
pub const CLAIMS: [Claim; 12] = [
    Claim {
        id: "s5.slow_rate_too_slow",
        statement: "5b: at 1e-7 the line is too slow: after 200 epochs its loss is still far from the best any line can do (more than 20% above it)",
        unit: "times the best loss",
        judge: |run| {
            let ratio = rate_last_loss(run, 0)? / run.number("/least_squares/loss")?;
            Ok(Verdict::above(
                ratio,
                CONVERGED_WITHIN,
                format!("{ratio:.1} times the best loss"),
            ))
        },
    },
    Claim {
        id: "s5.good_rate_converges",
        statement: "5b: at 1e-5 the line converges: its loss ends within 20% of the best any line can do",
        unit: "times the best loss",
        judge: |run| {
            let ratio = rate_last_loss(run, 1)? / run.number("/least_squares/loss")?;
            let kind = rate_verdict(run, 1)?;
            let verdict = Verdict::below(
                ratio,
                CONVERGED_WITHIN,
                format!("{ratio:.3} times the best loss, verdict {kind}"),
            );
            Ok(if kind == "converged" {
                verdict
            } else {
                Verdict {
                    held: false,
                    margin: verdict.margin.min(0.0),
                    ..verdict
                }
            })
        },
    },
    Claim {
        id: "s5.big_rate_diverges_at_once",
        statement: "5b: at 1e-3 the line diverges after one step, its loss over a hundred times the first epoch's",
        unit: "log10 of the loss ratio above 2",
        judge: |run| {
            let kind = rate_verdict(run, 2)?;
            let epoch = run.number("/learning_rates/2/verdict/epoch")?;
            let ratio = rate_last_loss(run, 2)? / run.number("/line_rows/0/loss")?;
            let verdict = Verdict::above(
                ratio.log10(),
                2.0,
                format!("{kind} at epoch {epoch}, loss {ratio:.0} times the first epoch's"),
            );
            Ok(if kind == "diverged" && epoch <= 2.0 {
                verdict
            } else {
                Verdict {
                    held: false,
                    margin: verdict.margin.min(0.0),
                    ..verdict
                }
            })
        },
    },
    Claim {
        id: "s5.learning_happens_early",
        statement: "5b: most of the line's learning happens early: the first 50 epochs make more than half of the whole drop",
        unit: "share of the drop",
        judge: |run| {
            let share = run.number("/convergence_shares/0")?;
            Ok(Verdict::above(
                share,
                0.5,
                format!("first 50 epochs: {share:.4}"),
            ))
        },
    },
    Claim {
        id: "s5.line_stops_early",
        statement: "5b: early stopping (patience 5, minimum improvement 0.01) ends the line's training well before 200 epochs",
        unit: "epochs saved",
        judge: |run| {
            let kind = run
                .value("/early_stopping/kind")?
                .as_str()
                .unwrap_or_default()
                .to_string();
            let epoch = run
                .number("/early_stopping/epoch")
                .unwrap_or(LINE_EPOCHS as f64);
            let verdict = Verdict::below(
                epoch,
                LINE_EPOCHS as f64,
                format!("{kind} after epoch {epoch}"),
            );
            Ok(if kind == "stopped_early" {
                verdict
            } else {
                Verdict {
                    held: false,
                    margin: verdict.margin.min(0.0),
                    ..verdict
                }
            })
        },
    },
    Claim {
        id: "s5.errors_move_together",
        statement: "5b: the fitted line's training and fresh errors differ the same way as the true line's: the piles drew different noise",
        unit: "fresh minus training error, in the true line's direction",
        judge: |run| {
            let fitted = run.number("test_error")? - run.number("train_error")?;
            let truth =
                run.number("/true_line_errors/fresh")? - run.number("/true_line_errors/train")?;
            Ok(Verdict::above(
                fitted * truth.signum(),
                0.0,
                format!("fitted line {fitted:+.0}, true line {truth:+.0}"),
            ))
        },
    },
    Claim {
        id: "s5.points_learns",
        statement: "5c: the Burn loop's validation accuracy ends above the 0.80 the checker asks for",
        unit: "accuracy",
        judge: |run| {
            let history = run.history(POINTS_HISTORY_FILE)?;
            let last = *history
                .require("val_accuracy")
                .map_err(|e| e.to_string())?
                .last()
                .ok_or("points_history.json is empty")?;
            Ok(Verdict::above(last, POINTS_ACCURACY, format!("{last:.3}")))
        },
    },
    Claim {
        id: "s5.cnn_still_improving",
        statement: "5d: after 10 epochs the baseline's validation loss is still coming down: its last epoch is below every epoch before the last three",
        unit: "loss",
        judge: |run| {
            let history = run.history(HISTORY_FILE)?;
            let val_loss = history.require("val_loss").map_err(|e| e.to_string())?;
            let last = *val_loss.last().ok_or("history.json is empty")?;
            let earlier = val_loss[..val_loss.len().saturating_sub(3)]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            Ok(Verdict::below(
                last,
                earlier,
                format!("last {last:.3}, lowest before the last three epochs {earlier:.3}"),
            ))
        },
    },
    Claim {
        id: "s5.longer_stops_early",
        statement: "5e: early stopping on the validation loss (patience 5) ends the longer run before its 30 epochs",
        unit: "epochs saved",
        judge: |run| {
            let read = longer_read(run)?;
            let stopped = read.stops_after.unwrap_or(CNN_MAX_EPOCHS);
            Ok(Verdict::below(
                stopped as f64,
                CNN_MAX_EPOCHS as f64,
                format!("best epoch {}, stopped after {stopped}", read.best_epoch),
            ))
        },
    },
    Claim {
        id: "s5.longer_overfits",
        statement: "5e: from the best epoch on, the validation loss rises while the training loss keeps falling",
        unit: "loss",
        judge: |run| {
            let read = longer_read(run)?;
            let history = run.history(LONGER_HISTORY_FILE)?;
            let loss = history.require("loss").map_err(|e| e.to_string())?;
            let last = read.stops_after.unwrap_or(loss.len()).min(loss.len());
            let train_fall = loss[read.best_epoch - 1] - loss[last - 1];
            Ok(Verdict::above(
                read.loss_rise.min(train_fall),
                0.0,
                format!(
                    "validation loss rose {:.3}, training loss fell {train_fall:.3}",
                    read.loss_rise
                ),
            ))
        },
    },
    Claim {
        id: "s5.loss_warns_first",
        statement: "5e: the validation loss warns first: when the run stops, the validation accuracy has not fallen beyond its noise (two standard errors) from the best epoch",
        unit: "accuracy",
        judge: |run| {
            let read = longer_read(run)?;
            Ok(Verdict::above(
                read.accuracy_change + read.accuracy_noise,
                0.0,
                format!(
                    "accuracy changed {:+.3}, noise {:.3}",
                    read.accuracy_change, read.accuracy_noise
                ),
            ))
        },
    },
    Claim {
        id: "s5.noisy_epoch",
        statement: "5e: the run shows a noisy epoch: validation accuracy fell while validation loss fell",
        unit: "noisy epochs",
        judge: |run| {
            let read = longer_read(run)?;
            Ok(Verdict::above(
                read.noisy_epochs.len() as f64,
                0.0,
                format!("noisy epochs {:?}", read.noisy_epochs),
            ))
        },
    },
];

/// The final loss of the line at learning rate number `rate` (0: 1e-7, 1: 1e-5, 2: 1e-3).
fn rate_last_loss(run: &RunFiles, rate: usize) -> Result<f64, String> {
    run.number(&format!("/learning_rates/{rate}/last/loss"))
}

/// The verdict (`too_slow`, `converged`, `diverged`) of learning rate number `rate`.
fn rate_verdict(run: &RunFiles, rate: usize) -> Result<String, String> {
    Ok(run
        .value(&format!("/learning_rates/{rate}/verdict/kind"))?
        .as_str()
        .ok_or("a learning rate's verdict has no kind")?
        .to_string())
}

/// The longer run read as the page reads it, with the run profile's validation pile.
fn longer_read(run: &RunFiles) -> Result<LongerRead, String> {
    let images = cnn_split_sizes(run.report.profile).validation.unwrap_or(0);
    read_longer(&run.history(LONGER_HISTORY_FILE)?, images)
}

/// Stage 5's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 5,
    name: "Training history",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 180,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 14] = [
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
        "The Burn loop learns: its loss falls and its validation accuracy reaches 80%",
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
        "s5.longer",
        "The longer run goes on from the baseline, and early stopping ends it when the validation loss stops improving",
    ),
    (
        "s5.best",
        "best_model.bpk holds the weights of the longer run's best epoch: the checker measures it",
    ),
    (
        "s5.speed",
        "The CNN trains at a normal speed for a laptop CPU",
    ),
    (
        "s5.predict",
        "answers.toml holds your predictions, the baseline's final accuracies among them",
    ),
    (
        "s5.read",
        "answers.toml: your read of the baseline, and of your prediction, agrees with its history",
    ),
    (
        "s5.read_longer",
        "answers.toml: your read of the longer run (its best epoch, a noisy epoch, the first warning) agrees with its history",
    ),
];

const HINTS: [Hint; 10] = [
    Hint {
        symptom: "The threshold never moves",
        cause: "update still returns the threshold it was given",
        fix: "trace the five examples on paper again: after a mistake, which way must t move for the rule to have been right?",
    },
    Hint {
        symptom: "The line's loss stays where it started",
        cause: "step still returns the line unchanged",
        fix: "work out both gradients with the page's formulas, then move the line a learning rate's worth against them",
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
        fix: "make train_step do the four moves of training in order, and return the model the optimizer hands back",
    },
    Hint {
        symptom: "history.json, longer_history.json or the charts are missing",
        cause: "part_4 no longer saves what the two runs return",
        fix: "keep the lines of part_4 that save the histories, the charts and the two models",
    },
    Hint {
        symptom: "The checker says your read disagrees with your history",
        cause: "the read was written from memory, or from another run, not from the check run's numbers",
        fix: "open runs/check/stage05/history.json (and longer_history.json), find each epoch the question asks about, and copy the numbers you see",
    },
    Hint {
        symptom: "model.bpk is missing, or its accuracy differs from the history's",
        cause: "the model saved is not the one fit trained, or the history was not written by this training",
        fix: "keep the lines of part_4 that save the model fit returns into model.bpk, and save the history fit returned",
    },
    Hint {
        symptom: "The longer run trains all 30 epochs, or stops where the validation loss was still improving",
        cause: "early stopping watches the wrong number (the training loss keeps falling while the model overfits), or waits the wrong number of epochs",
        fix: "make early stopping watch the validation loss and wait the page's patience before it stops",
    },
    Hint {
        symptom: "best_model.bpk scores what the last epoch scored, not what the best epoch scored",
        cause: "early stopping kept the weights of the epoch the run stopped at",
        fix: "ask early stopping to put the best epoch's weights back when the run ends",
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
const WATCHING: Hint = HINTS[8];
const NOT_RESTORED: Hint = HINTS[9];

const EARLY_FIX: &str = "Stop when the loss has not improved by more than min_delta for patience epochs in a row, then measure the line on the fresh apartments.";
const SPEED_FIX: &str = "Keep the workspace's [profile.dev] settings (dependencies optimised) and the default Flex device.";
const PREDICT_FIX: &str = "Before you run each part, write what you expect under [predict] in answers.toml: text between the quotes, the two accuracies as numbers between 0 and 1.";
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
        longer_spec,
        best_spec,
        speed,
        predict,
        read,
        read_longer,
    ] = ITEMS;
    let item = CheckItem::judged;
    let history = context
        .fresh_file(HISTORY_FILE)
        .and_then(|path| History::load(&path).map_err(|e| e.to_string()));
    let longer = context
        .fresh_file(LONGER_HISTORY_FILE)
        .and_then(|path| History::load(&path).map_err(|e| e.to_string()));
    let answers = context.answers();
    let model_outcome = history
        .as_ref()
        .map_err(|e| (e.clone(), NO_RESULTS.fix))
        .and_then(|history| judge_model(measure_model(context, MODEL_FILE), history));
    // A history counts only as the record of the model this run trained: numbers
    // copied from elsewhere match no saved model.
    let history_outcome = judge_history(context, &history).and_then(|detail| match &model_outcome {
        Ok(_) => Ok(detail),
        Err((why, _)) => Err((
            format!("the history is within the bands, but it is not the record of the model this run saved: {why}"),
            MODEL.fix,
        )),
    });
    let longer_outcome = judge_longer(&history, &longer, report);
    let best_outcome = match (&longer, &longer_outcome) {
        (Ok(longer), Ok(_)) => judge_best_model(measure_model(context, BEST_MODEL_FILE), longer),
        (Err(e), _) => Err((e.clone(), NO_RESULTS.fix)),
        (_, Err(_)) => Err((
            "not measured: the longer run must stop where early stopping on the validation loss stops first".into(),
            WATCHING.fix,
        )),
    };
    // Speed only counts for a run that really trained the model its history
    // describes: a run that skips training is fast and proves nothing.
    let trained = history_outcome.is_ok() && model_outcome.is_ok();
    let epochs_trained = longer.as_ref().map_or(CNN_EPOCHS, History::epochs);
    vec![
        item(threshold, judge_threshold(report)),
        item(line, judge_line(report, context.seed)),
        item(rates, judge_rates(report, context.seed)),
        item(early, judge_early_stopping(report, context.seed)),
        item(burn, judge_burn(context)),
        item(history_spec, history_outcome),
        item(model_spec, model_outcome),
        item(charts, judge_charts(context)),
        item(longer_spec, longer_outcome),
        item(best_spec, best_outcome),
        item(speed, judge_speed(context, trained, epochs_trained)),
        item(predict, judge_predictions(&answers)),
        item(read, judge_read_of(context, &answers, &history)),
        item(
            read_longer,
            judge_longer_read_of(context, &answers, &longer),
        ),
    ]
}

/// What the longer run's history shows, worked out the way early stopping and the
/// page read it. Shared by the checker, the book's numbers and the robustness
/// claims, so all three read a history the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct LongerRead {
    /// The epoch with the lowest validation loss, from epoch 10 on (where early
    /// stopping starts watching).
    pub best_epoch: usize,
    /// Where early stopping on the validation loss must have ended the run; `None`
    /// when it would train all 30 epochs.
    pub stops_after: Option<usize>,
    /// Epochs (from 2 on) whose validation accuracy fell although the validation
    /// loss fell too: the accuracy's step was the noise of a small pile.
    pub noisy_epochs: Vec<usize>,
    /// Validation loss at the last epoch minus at the best epoch.
    pub loss_rise: f64,
    /// Validation accuracy at the last epoch minus at the best epoch.
    pub accuracy_change: f64,
    /// Two standard errors of the validation accuracy at the best epoch: a change
    /// smaller than this is within the noise of the validation pile.
    pub accuracy_noise: f64,
}

impl LongerRead {
    /// The answer to "which number warned first": `loss` when the validation
    /// accuracy had not fallen beyond its noise by the end of the run, else `both`.
    pub fn first_warning(&self) -> &'static str {
        if self.accuracy_change > -self.accuracy_noise {
            "loss"
        } else {
            "both"
        }
    }
}

/// Reads the longer run's history; `validation_images` sets the noise.
pub fn read_longer(history: &History, validation_images: usize) -> Result<LongerRead, String> {
    let val_loss = history.require("val_loss").map_err(|e| e.to_string())?;
    let val_accuracy = history.require("val_accuracy").map_err(|e| e.to_string())?;
    if val_loss.len() < CNN_EPOCHS {
        return Err(format!(
            "the longer run's history has {} epochs; it goes on from the baseline's {CNN_EPOCHS}",
            val_loss.len()
        ));
    }
    // Early stopping as the page sets it up: watching from epoch 10, patience 3,
    // any fall counts (min_delta 0).
    let mut best: Option<(usize, f64)> = None;
    let mut waited = 0;
    let mut stops_after = None;
    for epoch in CNN_EPOCHS..=val_loss.len().min(CNN_MAX_EPOCHS) {
        let value = val_loss[epoch - 1];
        let improved = best.is_none_or(|(_, best)| Mode::Min.improves(value, best, 0.0));
        if improved {
            best = Some((epoch, value));
            waited = 0;
        } else {
            waited += 1;
            if waited >= CNN_PATIENCE {
                stops_after = Some(epoch);
                break;
            }
        }
    }
    let (best_epoch, best_loss) = best.ok_or("the longer run has no validation loss")?;
    let last = stops_after.unwrap_or(val_loss.len());
    let noisy_epochs = (2..=last)
        .filter(|&e| val_accuracy[e - 1] < val_accuracy[e - 2] && val_loss[e - 1] < val_loss[e - 2])
        .collect();
    let at_best = val_accuracy[best_epoch - 1];
    Ok(LongerRead {
        best_epoch,
        stops_after,
        noisy_epochs,
        loss_rise: val_loss[last - 1] - best_loss,
        accuracy_change: val_accuracy[last - 1] - at_best,
        accuracy_noise: 2.0 * (at_best * (1.0 - at_best) / validation_images.max(1) as f64).sqrt(),
    })
}

/// Validation images of the CNN in this profile.
fn validation_images(context: &CheckContext) -> usize {
    cnn_split_sizes(context.profile).validation.unwrap_or(0)
}

fn judge_longer(
    baseline: &Result<History, String>,
    longer: &Result<History, String>,
    report: &StageReport,
) -> Result<String, Failure> {
    let baseline = baseline.as_ref().map_err(|e| (e.clone(), NO_RESULTS.fix))?;
    let longer = longer.as_ref().map_err(|e| (e.clone(), NO_RESULTS.fix))?;
    // It goes on from the baseline: its first ten epochs are the baseline's.
    for metric in ["loss", "val_loss"] {
        let (ours, theirs) = (baseline.get(metric), longer.get(metric));
        let same = match (ours, theirs) {
            (Some(ours), Some(theirs)) => {
                theirs.len() >= ours.len() && ours.iter().zip(theirs).all(|(a, b)| a == b)
            }
            _ => false,
        };
        if !same {
            return Err((
                format!(
                    "the longer run's first {CNN_EPOCHS} epochs of {metric} are not the baseline's: it must go on from the baseline's checkpoint"
                ),
                NO_RESULTS.fix,
            ));
        }
    }
    let read = read_longer(longer, 1).map_err(|e| (e, NO_RESULTS.fix))?;
    let epochs = longer.epochs();
    match read.stops_after {
        Some(stop) if epochs != stop => {
            return Err((
                format!(
                    "the longer run has {epochs} epochs, but its validation loss was lowest at epoch {} and had not improved for {CNN_PATIENCE} epochs by epoch {stop}: early stopping on the validation loss ends it there",
                    read.best_epoch
                ),
                WATCHING.fix,
            ));
        }
        None if epochs != CNN_MAX_EPOCHS => {
            return Err((
                format!(
                    "the longer run stopped after epoch {epochs}, but its validation loss was still improving (best at epoch {})",
                    read.best_epoch
                ),
                WATCHING.fix,
            ));
        }
        _ => {}
    }
    let reported = report.get("longer_best_epoch").and_then(Value::as_u64);
    if reported != Some(read.best_epoch as u64) {
        return Err((
            format!(
                "report.json says the best epoch was {reported:?}, but the validation loss was lowest at epoch {}",
                read.best_epoch
            ),
            WATCHING.fix,
        ));
    }
    Ok(match read.stops_after {
        Some(stop) => format!(
            "lowest validation loss at epoch {}, stopped after epoch {stop}",
            read.best_epoch
        ),
        None => format!(
            "lowest validation loss at epoch {}, trained all {CNN_MAX_EPOCHS} epochs",
            read.best_epoch
        ),
    })
}

fn judge_best_model(
    measured: Result<(f64, usize), String>,
    longer: &History,
) -> Result<String, Failure> {
    let (accuracy, images) = measured.map_err(|e| (e, NOT_RESTORED.fix))?;
    let read = read_longer(longer, images).map_err(|e| (e, NO_RESULTS.fix))?;
    let values = longer.get("val_accuracy").unwrap_or(&[]);
    let at_best = values[read.best_epoch - 1];
    let half_an_image = 0.5 / images.max(1) as f64;
    if within(accuracy, at_best, half_an_image) {
        return Ok(format!(
            "validation accuracy {accuracy:.4}, as at epoch {}",
            read.best_epoch
        ));
    }
    let last = values.last().copied().unwrap_or(f64::NAN);
    let why = if within(accuracy, last, half_an_image) {
        format!(
            "best_model.bpk scores {accuracy:.4}, the last epoch's {last:.4}, not the best epoch's ({}) {at_best:.4}",
            read.best_epoch
        )
    } else {
        format!(
            "best_model.bpk scores {accuracy:.4} on the {images} validation images, but epoch {} of the longer run scored {at_best:.4}",
            read.best_epoch
        )
    };
    Err((why, NOT_RESTORED.fix))
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
    let path = context.fresh_file(POINTS_HISTORY_FILE).map_err(fail)?;
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
        .and_then(|row| row.get("val_accuracy"))
        .ok_or_else(|| fail("points_history.json has no val_accuracy".into()))?;
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
            "the validation accuracy ended at {accuracy:.3}, below {POINTS_ACCURACY}"
        )));
    }
    Ok(format!(
        "loss {first:.3} -> {last:.3}, validation accuracy {accuracy:.3}"
    ))
}

/// The reference history: made at grading time for the grader's seed, or else the
/// committed snapshot of this computer's numerics (the learner's own
/// `cargo xtask check`, fixed seed), or one made here when there is none.
fn reference_history(context: &CheckContext) -> Result<(Vec<ReferenceEpoch>, String), String> {
    if let Some(reference) = &context.reference {
        return Ok((reference.epochs.clone(), reference.origin.clone()));
    }
    context.reference_or_snapshot(HISTORY_SNAPSHOT)
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
    let seen = snapshot_history(context, HISTORY_SNAPSHOT).map_err(|e| (e, READ.fix))?;
    judge_read(answers, &seen)
        .map(|detail| format!("{detail} (your check's run, seed {DEFAULT_SEED})"))
}

/// The validation accuracy of a model the run saved, measured by the checker on
/// its own copy of the validation images; and how many images that is.
fn measure_model(context: &CheckContext, file: &str) -> Result<(f64, usize), String> {
    let path = context.fresh_file(file)?;
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
    for name in [
        "accuracy.png",
        "loss.png",
        "loss_log.png",
        "metrics.png",
        "longer_metrics.png",
    ] {
        let path = context.fresh_file(name).map_err(|e| (e, NO_RESULTS.fix))?;
        image::open(&path).map_err(|e| {
            (
                format!("{name} does not open as an image: {e}"),
                NO_RESULTS.fix,
            )
        })?;
    }
    Ok("5 charts".into())
}

/// Images the CNN trains on in all, in this profile, over `epochs` epochs.
fn cnn_images_trained(context: &CheckContext, epochs: usize) -> usize {
    context.profile.pick(CNN_TRAIN.0, CNN_TRAIN.1) * epochs
}

fn judge_speed(context: &CheckContext, trained: bool, epochs: usize) -> Result<String, Failure> {
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
    judge_images_per_second(cnn_images_trained(context, epochs) as f64 / seconds.max(1e-9))
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
    for key in [
        "threshold_after_five",
        "too_large_rate",
        "burn_loop",
        "longer_run",
    ] {
        answers
            .text("predict", key)
            .map_err(|e| (e.to_string(), PREDICT_FIX))?;
    }
    for key in ["final_train_accuracy", "final_val_accuracy"] {
        let value = answers
            .number("predict", key)
            .map_err(|e| (e.to_string(), PREDICT_FIX))?;
        if value.is_nan() {
            return Err((
                format!(
                    "[predict] {key} is not filled in yet: write your prediction as a number between 0 and 1"
                ),
                PREDICT_FIX,
            ));
        }
        if !(0.0..=1.0).contains(&value) {
            return Err((
                format!("[predict] {key} is {value}: an accuracy lies between 0 and 1"),
                PREDICT_FIX,
            ));
        }
    }
    Ok("written".into())
}

/// How a predicted accuracy compares with the run's: `close` within 0.05.
pub fn prediction_verdict(predicted: f64, actual: f64) -> &'static str {
    if (predicted - actual).abs() <= PREDICTION_CLOSE {
        "close"
    } else if predicted > actual {
        "too high"
    } else {
        "too low"
    }
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
    for (key, predicted, metric) in [
        ("train_prediction", "final_train_accuracy", "accuracy"),
        ("val_prediction", "final_val_accuracy", "val_accuracy"),
    ] {
        let answer = answers
            .choice("read", key, &["too high", "too low", "close"])
            .map_err(problem)?;
        let predicted = answers.number("predict", predicted).map_err(problem)?;
        let actual = history
            .get(metric)
            .and_then(|v| v.last())
            .copied()
            .unwrap_or(f64::NAN);
        let truth = prediction_verdict(predicted, actual);
        if answer != truth {
            wrong.push(format!(
                "you predicted {predicted} and the last epoch's {metric} is {actual:.4}, so your prediction was {truth}, not {answer}"
            ));
        }
    }
    answers.text("read", "prediction_why").map_err(problem)?;
    answers.text("read", "in_your_words").map_err(problem)?;
    if wrong.is_empty() {
        Ok("agrees with the history".into())
    } else {
        Err((wrong.join("\n"), READ.fix))
    }
}

/// The learner's read of the longer run against its history.
fn judge_longer_read(
    answers: &Answers,
    history: &History,
    validation_images: usize,
) -> Result<String, Failure> {
    let problem = |e: crate::AnswerProblem| (e.to_string(), READ.fix);
    let read = read_longer(history, validation_images).map_err(|e| (e, NO_RESULTS.fix))?;
    let mut wrong = Vec::new();
    let best = answers.number("read", "best_epoch").map_err(problem)?;
    if best != read.best_epoch as f64 {
        wrong.push(format!(
            "best_epoch = {best}, but the validation loss of the longer run is lowest at epoch {}",
            read.best_epoch
        ));
    }
    let noisy = answers.number("read", "noisy_epoch").map_err(problem)?;
    let val_accuracy = history.get("val_accuracy").unwrap_or(&[]);
    let val_loss = history.get("val_loss").unwrap_or(&[]);
    if !read.noisy_epochs.iter().any(|&e| e as f64 == noisy) {
        let at = noisy as usize;
        let what = match (
            val_accuracy.get(at.wrapping_sub(1)),
            val_accuracy.get(at.wrapping_sub(2)),
        ) {
            (Some(now), Some(before)) if noisy.fract() == 0.0 => format!(
                "at epoch {at} validation accuracy went from {before:.3} to {now:.3} and validation loss from {:.3} to {:.3}",
                val_loss.get(at - 2).copied().unwrap_or(f64::NAN),
                val_loss.get(at - 1).copied().unwrap_or(f64::NAN)
            ),
            _ => format!("the run has no epoch {noisy} to compare with the one before"),
        };
        wrong.push(format!(
            "noisy_epoch = {noisy}, but {what}: a noisy epoch is one where validation accuracy fell although validation loss fell"
        ));
    }
    let warning = answers
        .choice("read", "first_warning", &["loss", "both"])
        .map_err(problem)?;
    if warning != read.first_warning() {
        wrong.push(format!(
            "first_warning = {warning}, but from epoch {} to the end the validation loss rose by {:.3} while the validation accuracy changed by {:+.3} (its noise is about {:.3}): the answer is {}",
            read.best_epoch,
            read.loss_rise,
            read.accuracy_change,
            read.accuracy_noise,
            read.first_warning()
        ));
    }
    if wrong.is_empty() {
        Ok("agrees with the longer run".into())
    } else {
        Err((wrong.join("\n"), READ.fix))
    }
}

/// Like [`judge_read_of`], for the longer run: a grading run's hidden seed holds
/// the read to the default seed's reference, the run the learner's check made.
fn judge_longer_read_of(
    context: &CheckContext,
    answers: &Result<Answers, AnswersError>,
    longer: &Result<History, String>,
) -> Result<String, Failure> {
    let answers = answers.as_ref().map_err(|e| (e.to_string(), READ.fix))?;
    let images = validation_images(context);
    if context.seed == DEFAULT_SEED {
        let longer = longer.as_ref().map_err(|e| {
            (
                format!("no longer run to compare with: {e}"),
                NO_RESULTS.fix,
            )
        })?;
        return judge_longer_read(answers, longer, images);
    }
    let seen = snapshot_history(context, LONGER_SNAPSHOT).map_err(|e| (e, READ.fix))?;
    judge_longer_read(answers, &seen, images)
        .map(|detail| format!("{detail} (your check's run, seed {DEFAULT_SEED})"))
}

/// A reference history kept as a snapshot, as a [`History`].
fn snapshot_history(context: &CheckContext, name: &str) -> Result<History, String> {
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, name))?;
    let epochs: Vec<ReferenceEpoch> = serde_json::from_value(snapshot.value)
        .map_err(|e| format!("{}: {e}", snapshot.path.display()))?;
    let mut seen = History::new();
    for epoch in &epochs {
        seen.push_epoch([
            ("loss", epoch.loss),
            ("accuracy", epoch.accuracy),
            ("val_loss", epoch.val_loss),
            ("val_accuracy", epoch.val_accuracy),
        ]);
    }
    Ok(seen)
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
            &[("loss", 0.7), ("val_accuracy", 0.6)],
            &[("loss", 0.3), ("val_accuracy", 0.9)],
        ]);
        assert!(judge_points_history(&learned).is_ok());
        let flat = history(&[
            &[("loss", 0.7), ("val_accuracy", 0.5)],
            &[("loss", 0.69), ("val_accuracy", 0.5)],
        ]);
        let (detail, fix) = judge_points_history(&flat).unwrap_err();
        assert_eq!(fix, FLAT_BURN.fix);
        assert!(detail.contains("did not fall"), "{detail}");
        // Learned within the first epoch: the mean loss of epoch 1 is already low.
        let quick = history(&[
            &[("loss", 0.2435), ("val_accuracy", 0.89)],
            &[("loss", 0.2275), ("val_accuracy", 0.895)],
        ]);
        assert!(judge_points_history(&quick).is_ok());
        let weak = history(&[
            &[("loss", 0.7), ("val_accuracy", 0.5)],
            &[("loss", 0.3), ("val_accuracy", 0.7)],
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
            judge_speed(&context, true, CNN_EPOCHS)
                .unwrap()
                .contains("1000 images/s")
        );
        assert!(
            judge_speed(&context, false, CNN_EPOCHS)
                .unwrap_err()
                .0
                .starts_with("not measured")
        );
        context.run_seconds = Some(500.0);
        assert_eq!(
            judge_speed(&context, true, CNN_EPOCHS).unwrap_err().1,
            SPEED_FIX
        );
        context.run_seconds = None;
        assert!(judge_speed(&context, true, CNN_EPOCHS).is_err());
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
        let missing = reference_history(&context).unwrap_err();
        assert!(
            missing.contains("no reference history `stage05_history` was recorded"),
            "{missing}"
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

    /// A longer run: validation loss falls to epoch 12, then rises; epoch 11's
    /// accuracy dips while its loss falls (a noisy epoch).
    fn longer_run(epochs: usize) -> History {
        let mut rows: Vec<Vec<(&str, f64)>> = Vec::new();
        for epoch in 1..=epochs {
            let e = epoch as f64;
            let val_loss = if epoch <= 12 {
                2.3 - 0.06 * e
            } else {
                1.58 + 0.05 * (e - 12.0)
            };
            let val_accuracy = match epoch {
                11 => 0.35,
                _ => 0.1 + 0.03 * e.min(12.0) + 0.01 * (e - 12.0).max(0.0),
            };
            rows.push(vec![
                ("loss", 2.3 - 0.07 * e),
                ("accuracy", 0.1 + 0.04 * e),
                ("val_loss", val_loss),
                ("val_accuracy", val_accuracy),
            ]);
        }
        let refs: Vec<&[(&str, f64)]> = rows.iter().map(Vec::as_slice).collect();
        history(&refs)
    }

    #[test]
    fn the_longer_run_is_read_as_early_stopping_reads_it() {
        let read = read_longer(&longer_run(20), 200).unwrap();
        assert_eq!(read.best_epoch, 12);
        assert_eq!(read.stops_after, Some(12 + CNN_PATIENCE));
        assert_eq!(read.noisy_epochs, vec![11]);
        assert!(read.loss_rise > 0.2, "{read:?}");
        assert_eq!(read.first_warning(), "loss");
        // Too short to go on from the baseline.
        assert!(read_longer(&longer_run(5), 200).is_err());
    }

    #[test]
    fn a_longer_run_must_stop_where_the_validation_loss_says() {
        let full = longer_run(30);
        let mut first_ten = History::new();
        for epoch in 1..=CNN_EPOCHS {
            first_ten.push_epoch(full.row(epoch).unwrap().values);
        }
        let stop = 12 + CNN_PATIENCE;
        let mut stopped = History::new();
        for epoch in 1..=stop {
            stopped.push_epoch(full.row(epoch).unwrap().values);
        }
        let said = report(&[("longer_best_epoch", json!(12))]);
        assert!(judge_longer(&Ok(first_ten.clone()), &Ok(stopped.clone()), &said).is_ok());
        // Trained on to 30: early stopping watched something else.
        let (detail, fix) = judge_longer(&Ok(first_ten.clone()), &Ok(full), &said).unwrap_err();
        assert_eq!(fix, WATCHING.fix);
        assert!(detail.contains(&format!("by epoch {stop}")), "{detail}");
        // A longer run that did not start from the baseline.
        let other = longer_run(10);
        let mut shifted = History::new();
        for epoch in 1..=stop {
            let mut row = stopped.row(epoch).unwrap().values;
            if epoch == 1 {
                row.iter_mut().for_each(|(_, v)| *v += 0.01);
            }
            shifted.push_epoch(row);
        }
        assert!(
            judge_longer(&Ok(other), &Ok(shifted), &said)
                .unwrap_err()
                .0
                .contains("are not the baseline's")
        );
    }

    #[test]
    fn the_best_model_must_score_the_best_epoch() {
        let full = longer_run(30);
        let mut stopped = History::new();
        for epoch in 1..=12 + CNN_PATIENCE {
            stopped.push_epoch(full.row(epoch).unwrap().values);
        }
        let best = stopped.get("val_accuracy").unwrap()[11];
        let last = *stopped.get("val_accuracy").unwrap().last().unwrap();
        assert!(judge_best_model(Ok((best, 200)), &stopped).is_ok());
        let (detail, fix) = judge_best_model(Ok((last, 200)), &stopped).unwrap_err();
        assert_eq!(fix, NOT_RESTORED.fix);
        assert!(detail.contains("the last epoch's"), "{detail}");
    }

    #[test]
    fn predictions_and_the_longer_read_are_held_to_the_run() {
        assert_eq!(prediction_verdict(0.6, 0.519), "too high");
        assert_eq!(prediction_verdict(0.3, 0.519), "too low");
        assert_eq!(prediction_verdict(0.5, 0.519), "close");
        let full = longer_run(30);
        let mut stopped = History::new();
        for epoch in 1..=12 + CNN_PATIENCE {
            stopped.push_epoch(full.row(epoch).unwrap().values);
        }
        let answers = |best: u32, noisy: u32, warning: &str| {
            Answers::parse(
                &format!("[read]\nbest_epoch = {best}\nnoisy_epoch = {noisy}\nfirst_warning = \"{warning}\"\n"),
                Path::new("answers.toml"),
            )
            .unwrap()
        };
        assert!(judge_longer_read(&answers(12, 11, "loss"), &stopped, 200).is_ok());
        let (detail, _) = judge_longer_read(&answers(14, 13, "both"), &stopped, 200).unwrap_err();
        assert!(detail.contains("best_epoch = 14"), "{detail}");
        assert!(detail.contains("noisy_epoch = 13"), "{detail}");
        assert!(detail.contains("the answer is loss"), "{detail}");
    }
}
