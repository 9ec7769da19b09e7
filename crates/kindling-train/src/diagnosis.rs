//! An automatic read of a training run: from a [`History`] with `loss` (and
//! usually `accuracy`, `val_loss`, `val_accuracy`), say whether training looks
//! healthy, is still improving, has stalled, overfits, underfits or diverged, and
//! show the evidence.
//!
//! It also exposes the simple signals a learner is asked to read off the curves
//! (each metric's [`Trend`] and the train-validation [`GapVerdict`]), so a written
//! read can be checked against them.
//!
//! ```
//! use kindling_train::History;
//! use kindling_train::diagnosis::{Trend, Verdict, diagnose};
//! let mut history = History::new();
//! for (loss, acc, val_loss, val_acc) in [
//!     (2.0, 0.30, 1.9, 0.32),
//!     (1.2, 0.60, 1.3, 0.55),
//!     (0.8, 0.75, 1.2, 0.58),
//!     (0.5, 0.85, 1.4, 0.57),
//!     (0.3, 0.93, 1.7, 0.56),
//! ] {
//!     history.push_epoch([
//!         ("loss", loss),
//!         ("accuracy", acc),
//!         ("val_loss", val_loss),
//!         ("val_accuracy", val_acc),
//!     ]);
//! }
//! let read = diagnose(&history)?;
//! assert_eq!(read.verdict, Verdict::Overfitting { since_epoch: 4 });
//! assert_eq!(read.signals.val_loss, Some(Trend::Down)); // 1.9 -> 1.7
//! println!("{read}");
//! # Ok::<(), kindling_train::diagnosis::DiagnosisError>(())
//! ```
//!
//! # The rules
//!
//! The verdict is the first of these rules that matches. "The watched loss" is
//! `val_loss` when the history has it, else `loss`. The recent part of a run is its
//! last quarter (at least one epoch).
//!
//! 1. **Diverged at epoch N**: epoch N is the first whose training loss is not a
//!    finite number or is more than [`DIVERGED_FACTOR`] (1.5) times the first
//!    epoch's. A working run never gets far worse than where it started.
//! 2. **Overfitting from epoch N**, either of:
//!    * the validation loss ended more than [`OVERFIT_RISE`] (5%) above its best,
//!      while the training loss kept falling after that best epoch; N is the epoch
//!      after the best one. (Without `val_loss`, the same with `val_accuracy`
//!      ending more than [`OVERFIT_ACCURACY_DROP`] (0.02) below its best.)
//!    * validation accuracy ends more than [`OVERFIT_GAP`] (0.10, ten percentage
//!      points) behind training accuracy; N is the first epoch from which the gap
//!      stayed that wide.
//! 3. **Still improving**: the best watched loss of the recent part beats the best
//!    before it by more than [`IMPROVING_DROP`] (2%). More epochs should help.
//! 4. **Underfitting**: the watched loss has levelled off (rule 3 did not match)
//!    while training accuracy is below [`UNDERFIT_ACCURACY`] (0.60): the model
//!    cannot even fit the examples it trains on.
//! 5. **Plateau since epoch N**: levelled off, and the best watched loss (at epoch
//!    N) came in the first half of the run: the second half added nothing.
//! 6. **Healthy**: none of the above. The loss went down, levelled off late, and
//!    validation keeps up with training.

use std::fmt;

use serde::Serialize;

use crate::history::{History, HistoryError};

/// A trend is flat when a loss moved by at most this share of its first value
/// between the first and the last epoch (2%).
pub const LOSS_TOLERANCE: f64 = 0.02;

/// A trend is flat when an accuracy (or any metric that is not a loss) moved by
/// at most this much between the first and the last epoch (0.01: one percentage
/// point).
pub const ACCURACY_TOLERANCE: f64 = 0.01;

/// Validation is close to training when its accuracy at the last epoch is at most
/// this far below training accuracy (0.05: five percentage points).
pub const GAP_TOLERANCE: f64 = 0.05;

/// Without accuracies, validation is close to training when its loss at the last
/// epoch is at most this share above the training loss (10%).
pub const LOSS_GAP_TOLERANCE: f64 = 0.10;

/// Diverged: the training loss went above this multiple of its first value.
pub const DIVERGED_FACTOR: f64 = 1.5;

/// Overfitting: the validation loss ended this share above its best (5%).
pub const OVERFIT_RISE: f64 = 0.05;

/// Overfitting (no `val_loss`): validation accuracy ended this far below its best.
pub const OVERFIT_ACCURACY_DROP: f64 = 0.02;

/// Overfitting: validation accuracy ends this far behind training accuracy.
pub const OVERFIT_GAP: f64 = 0.10;

/// Still improving: the recent best loss beats the earlier best by this share (2%).
pub const IMPROVING_DROP: f64 = 0.02;

/// Underfitting: training accuracy below this when the loss has levelled off.
pub const UNDERFIT_ACCURACY: f64 = 0.60;

/// Which way a metric went from the first to the last epoch. Up and down are
/// directions, not judgements: a loss going down is good, an accuracy going down
/// is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// Ended higher, by more than the tolerance.
    Up,
    /// Ended lower, by more than the tolerance.
    Down,
    /// Ended within the tolerance of where it started.
    Flat,
}

impl fmt::Display for Trend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Flat => "flat",
        })
    }
}

/// The trend of a metric's values, comparing the first and the last finite value:
/// for a metric whose name contains `loss`, flat within [`LOSS_TOLERANCE`] of the
/// first value; for any other metric (accuracies), flat within
/// [`ACCURACY_TOLERANCE`]. `None` with fewer than two finite values.
///
/// ```
/// use kindling_train::diagnosis::{Trend, trend};
/// assert_eq!(trend("loss", &[2.0, 1.0]), Some(Trend::Down));
/// assert_eq!(trend("loss", &[2.0, 1.99]), Some(Trend::Flat)); // 0.5% is within 2%
/// assert_eq!(trend("accuracy", &[0.50, 0.505]), Some(Trend::Flat));
/// assert_eq!(trend("accuracy", &[0.50, 0.60]), Some(Trend::Up));
/// ```
pub fn trend(metric: &str, values: &[f64]) -> Option<Trend> {
    let (first, last) = first_and_last(values)?;
    let tolerance = if is_loss(metric) {
        LOSS_TOLERANCE * first.abs()
    } else {
        ACCURACY_TOLERANCE
    };
    Some(if last - first > tolerance {
        Trend::Up
    } else if first - last > tolerance {
        Trend::Down
    } else {
        Trend::Flat
    })
}

/// Where validation stands against training at the last epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapVerdict {
    /// Validation is close to training (or better).
    Close,
    /// Validation is behind training by more than the tolerance.
    Behind,
}

impl fmt::Display for GapVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GapVerdict::Close => "close",
            GapVerdict::Behind => "behind",
        })
    }
}

/// The simple signals a learner reads off the curves; `None` where the history
/// lacks the metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Signals {
    /// Trend of `accuracy`.
    pub accuracy: Option<Trend>,
    /// Trend of `loss`.
    pub loss: Option<Trend>,
    /// Trend of `val_accuracy`.
    pub val_accuracy: Option<Trend>,
    /// Trend of `val_loss`.
    pub val_loss: Option<Trend>,
    /// Validation against training at the last epoch: by accuracy within
    /// [`GAP_TOLERANCE`] when both accuracies exist, else by loss within
    /// [`LOSS_GAP_TOLERANCE`].
    pub gap: Option<GapVerdict>,
}

/// Reads the [`Signals`] of a history (any metric may be missing).
pub fn signals(history: &History) -> Signals {
    let trend_of = |name| history.get(name).and_then(|values| trend(name, values));
    Signals {
        accuracy: trend_of("accuracy"),
        loss: trend_of("loss"),
        val_accuracy: trend_of("val_accuracy"),
        val_loss: trend_of("val_loss"),
        gap: gap(history).map(|(_, verdict)| verdict),
    }
}

/// What the read concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Loss down and levelled off late; validation keeps up.
    Healthy,
    /// The loss was still setting new bests at the end.
    StillImproving,
    /// No real progress since this epoch, in the first half of the run.
    Plateau {
        /// The epoch of the best watched loss.
        since_epoch: usize,
    },
    /// Validation got worse (or fell far behind) while training got better.
    Overfitting {
        /// The first overfitting epoch.
        since_epoch: usize,
    },
    /// Levelled off with low training accuracy.
    Underfitting,
    /// The loss blew up at this epoch.
    Diverged {
        /// The epoch, counted from 1.
        epoch: usize,
    },
}

impl Verdict {
    /// One sentence of advice for this verdict.
    pub fn advice(&self) -> &'static str {
        match self {
            Verdict::Healthy => {
                "Training did its job; compare it with other settings on validation data."
            }
            Verdict::StillImproving => {
                "Train for more epochs: the loss has not finished going down."
            }
            Verdict::Plateau { .. } => {
                "Stop earlier, or lower the learning rate (for example with ReduceLrOnPlateau) to make progress again."
            }
            Verdict::Overfitting { .. } => {
                "Keep the weights of the best validation epoch (early stopping), and get more data, augment it or regularise."
            }
            Verdict::Underfitting => {
                "Use a bigger model, train longer with a better learning rate, or check the inputs and labels."
            }
            Verdict::Diverged { .. } => {
                "Lower the learning rate (try a tenth) or turn on gradient clipping."
            }
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Healthy => write!(f, "healthy"),
            Verdict::StillImproving => write!(f, "still improving"),
            Verdict::Plateau { since_epoch } => write!(f, "plateau since epoch {since_epoch}"),
            Verdict::Overfitting { since_epoch } => {
                write!(f, "overfitting from epoch {since_epoch}")
            }
            Verdict::Underfitting => write!(f, "underfitting"),
            Verdict::Diverged { epoch } => write!(f, "diverged at epoch {epoch}"),
        }
    }
}

/// One metric's first, last and best values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRead {
    /// The metric's name.
    pub name: String,
    /// Its first finite value.
    pub first: f64,
    /// Its last finite value.
    pub last: f64,
    /// Which way it went.
    pub trend: Trend,
    /// The epoch of its best value (lowest loss, highest accuracy).
    pub best_epoch: usize,
    /// Its best value.
    pub best: f64,
}

/// The numbers behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Epochs in the history.
    pub epochs: usize,
    /// First, last and best of each of `loss`, `accuracy`, `val_loss`,
    /// `val_accuracy` that the history has.
    pub metrics: Vec<MetricRead>,
    /// The metric the verdict watched: `val_loss` when present, else `loss`.
    pub watched: String,
    /// Training accuracy minus validation accuracy at the last epoch.
    pub accuracy_gap: Option<f64>,
    /// Validation loss minus training loss at the last epoch.
    pub loss_gap: Option<f64>,
}

impl Evidence {
    /// The read of one metric, if the history has it.
    pub fn metric(&self, name: &str) -> Option<&MetricRead> {
        self.metrics.iter().find(|read| read.name == name)
    }
}

/// A verdict with its signals and evidence. Print it for a few plain sentences;
/// serialise it for the course's checker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// What the read concluded.
    pub verdict: Verdict,
    /// Trends and the gap verdict.
    pub signals: Signals,
    /// The numbers behind it.
    pub evidence: Evidence,
}

/// A history that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DiagnosisError {
    /// The history has no `loss`.
    #[error("{0}. Fix: diagnose a history written by fit (it always records `loss`)")]
    NoLoss(#[source] HistoryError),
    /// Fewer than two epochs: there is no trend to read.
    #[error(
        "the history has {epochs} epoch(s): a read compares epochs, so it needs at least 2. Fix: train for at least 2 epochs"
    )]
    TooFewEpochs {
        /// Epochs in the history.
        epochs: usize,
    },
}

/// Reads a training history; see the [module documentation](self) for each rule
/// and its thresholds.
pub fn diagnose(history: &History) -> Result<Diagnosis, DiagnosisError> {
    let loss = history.require("loss").map_err(DiagnosisError::NoLoss)?;
    let epochs = history.epochs();
    if epochs < 2 {
        return Err(DiagnosisError::TooFewEpochs { epochs });
    }
    let accuracy = history.get("accuracy");
    let val_loss = history.get("val_loss");
    let val_accuracy = history.get("val_accuracy");

    let metrics = ["loss", "accuracy", "val_loss", "val_accuracy"]
        .into_iter()
        .filter_map(|name| read_metric(history, name))
        .collect();
    let (watched_name, watched) = match val_loss {
        Some(values) => ("val_loss", values),
        None => ("loss", loss),
    };
    let evidence = Evidence {
        epochs,
        metrics,
        watched: watched_name.to_string(),
        accuracy_gap: accuracy
            .zip(val_accuracy)
            .and_then(|(train, valid)| last_finite(train).zip(last_finite(valid)))
            .map(|(train, valid)| train - valid),
        loss_gap: val_loss
            .and_then(last_finite)
            .zip(last_finite(loss))
            .map(|(valid, train)| valid - train),
    };

    let verdict = diverged(loss)
        .or_else(|| overfitting(loss, accuracy, val_loss, val_accuracy))
        .unwrap_or_else(|| levelled_verdict(watched, accuracy));
    Ok(Diagnosis {
        verdict,
        signals: signals(history),
        evidence,
    })
}

/// Rule 1.
fn diverged(loss: &[f64]) -> Option<Verdict> {
    let limit = DIVERGED_FACTOR * loss[0];
    loss.iter()
        .position(|&value| !value.is_finite() || value > limit)
        .map(|index| Verdict::Diverged { epoch: index + 1 })
}

/// Rule 2.
fn overfitting(
    loss: &[f64],
    accuracy: Option<&[f64]>,
    val_loss: Option<&[f64]>,
    val_accuracy: Option<&[f64]>,
) -> Option<Verdict> {
    let last = loss.len() - 1;
    // Validation got worse than its best while training kept improving.
    let rise = match (val_loss, val_accuracy) {
        (Some(values), _) => best_index(values, true).filter(|&best| {
            best < last
                && values[last] > values[best] * (1.0 + OVERFIT_RISE)
                && loss[last] < loss[best]
        }),
        (None, Some(values)) => best_index(values, false).filter(|&best| {
            let train_better = accuracy.is_none_or(|train| train[last] > train[best]);
            best < last && values[last] < values[best] - OVERFIT_ACCURACY_DROP && train_better
        }),
        (None, None) => None,
    };
    if let Some(best) = rise {
        return Some(Verdict::Overfitting {
            since_epoch: best + 2,
        });
    }
    // Validation fell far behind training and stayed there.
    let (train, valid) = accuracy.zip(val_accuracy)?;
    let wide = |index: usize| train[index] - valid[index] > OVERFIT_GAP;
    if !wide(last) {
        return None;
    }
    let mut start = last;
    while start > 0 && wide(start - 1) {
        start -= 1;
    }
    Some(Verdict::Overfitting {
        since_epoch: start + 1,
    })
}

/// Rules 3 to 6, on the watched loss.
fn levelled_verdict(watched: &[f64], accuracy: Option<&[f64]>) -> Verdict {
    let epochs = watched.len();
    let recent = epochs.div_ceil(4).max(1);
    let split = epochs - recent;
    let best_before = min_finite(&watched[..split]);
    let best_recent = min_finite(&watched[split..]);
    if let (Some(before), Some(recent)) = (best_before, best_recent)
        && before - recent > IMPROVING_DROP * before.abs()
    {
        return Verdict::StillImproving;
    }
    if let Some(final_accuracy) = accuracy.and_then(last_finite)
        && final_accuracy < UNDERFIT_ACCURACY
    {
        return Verdict::Underfitting;
    }
    match best_index(watched, true) {
        Some(best) if best < epochs / 2 => Verdict::Plateau {
            since_epoch: best + 1,
        },
        _ => Verdict::Healthy,
    }
}

/// The gap at the last epoch and its verdict.
fn gap(history: &History) -> Option<(f64, GapVerdict)> {
    let last = |name| history.get(name).and_then(last_finite);
    if let (Some(train), Some(valid)) = (last("accuracy"), last("val_accuracy")) {
        let gap = train - valid;
        let verdict = if gap > GAP_TOLERANCE {
            GapVerdict::Behind
        } else {
            GapVerdict::Close
        };
        return Some((gap, verdict));
    }
    let (train, valid) = last("loss").zip(last("val_loss"))?;
    let gap = valid - train;
    let verdict = if gap > LOSS_GAP_TOLERANCE * train.abs() {
        GapVerdict::Behind
    } else {
        GapVerdict::Close
    };
    Some((gap, verdict))
}

fn read_metric(history: &History, name: &str) -> Option<MetricRead> {
    let values = history.get(name)?;
    let (first, last) = first_and_last(values)?;
    let best = history.best(name)?;
    Some(MetricRead {
        name: name.to_string(),
        first,
        last,
        trend: trend(name, values)?,
        best_epoch: best.epoch,
        best: best.value,
    })
}

fn is_loss(metric: &str) -> bool {
    metric.to_ascii_lowercase().contains("loss")
}

fn first_and_last(values: &[f64]) -> Option<(f64, f64)> {
    let mut finite = values.iter().copied().filter(|v| v.is_finite());
    let first = finite.next()?;
    let last = finite.next_back()?;
    Some((first, last))
}

fn last_finite(values: &[f64]) -> Option<f64> {
    values.iter().rev().copied().find(|v| v.is_finite())
}

fn min_finite(values: &[f64]) -> Option<f64> {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .min_by(f64::total_cmp)
}

/// Index of the lowest (`lowest`) or highest finite value; ties go to the earlier.
fn best_index(values: &[f64], lowest: bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (index, &value) in values.iter().enumerate() {
        if !value.is_finite() {
            continue;
        }
        let better = match best {
            None => true,
            Some(current) if lowest => value < values[current],
            Some(current) => value > values[current],
        };
        if better {
            best = Some(index);
        }
    }
    best
}

fn describe(read: &MetricRead, label: &str) -> String {
    let moved = match read.trend {
        Trend::Up => "went up",
        Trend::Down => "went down",
        Trend::Flat => "stayed about level",
    };
    format!(
        "{label} {moved} from {:.4} to {:.4} (best {:.4} at epoch {}).",
        read.first, read.last, read.best, read.best_epoch
    )
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let evidence = &self.evidence;
        writeln!(f, "Read of {} epochs: {}.", evidence.epochs, self.verdict)?;
        for (name, label) in [
            ("loss", "Training loss"),
            ("accuracy", "Training accuracy"),
            ("val_loss", "Validation loss"),
            ("val_accuracy", "Validation accuracy"),
        ] {
            if let Some(read) = evidence.metric(name) {
                writeln!(f, "{}", describe(read, label))?;
            }
        }
        match (evidence.accuracy_gap, self.signals.gap) {
            (Some(gap), Some(verdict)) => writeln!(
                f,
                "At the end, validation accuracy is {:.1} points {} training accuracy ({verdict}).",
                gap.abs() * 100.0,
                if gap >= 0.0 { "below" } else { "above" },
            )?,
            (None, Some(verdict)) => {
                if let Some(gap) = evidence.loss_gap {
                    writeln!(
                        f,
                        "At the end, validation loss is {gap:.4} {} training loss ({verdict}).",
                        if gap >= 0.0 { "above" } else { "below" }
                    )?;
                }
            }
            _ => {}
        }
        write!(f, "{}", self.verdict.advice())
    }
}
