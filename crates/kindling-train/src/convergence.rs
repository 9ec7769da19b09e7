//! The convergence report: how much of a run's total loss drop happened in each
//! stage of training. It shows how quickly learning slows down: typically most of
//! the drop comes early and the last epochs add little.
//!
//! ```
//! use kindling_train::convergence::convergence_report;
//! let losses = [10.0, 6.0, 4.0, 3.0, 2.5, 2.25, 2.125, 2.0];
//! let report = convergence_report(&losses, Some(&[2, 4, 8]))?;
//! assert_eq!(report.total_drop, 8.0);
//! assert_eq!(report.stages[0].drop, 4.0); // 10 -> 6
//! assert_eq!(report.stages[0].share, Some(0.5));
//! println!("{report}");
//! # Ok::<(), kindling_train::convergence::ConvergenceError>(())
//! ```

use std::fmt;

use serde::Serialize;

/// One stage of the report: epochs `first_epoch..=last_epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageDrop {
    /// First epoch of the stage, counted from 1.
    pub first_epoch: usize,
    /// Last epoch of the stage.
    pub last_epoch: usize,
    /// The loss the stage started from: the previous stage's last epoch, or epoch 1
    /// for the first stage.
    pub loss_before: f64,
    /// The loss at the stage's last epoch.
    pub loss_after: f64,
    /// `loss_before - loss_after`: how much the loss went down (negative when it
    /// went up). The stages' drops add up to the total drop.
    pub drop: f64,
    /// `drop / total drop`; `None` when the total drop is zero.
    pub share: Option<f64>,
}

/// Where a run's loss drop happened, stage by stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceReport {
    /// The first epoch's loss.
    pub first_loss: f64,
    /// The last epoch's loss.
    pub last_loss: f64,
    /// `first_loss - last_loss`.
    pub total_drop: f64,
    /// The stages, in order; together they cover every epoch once.
    pub stages: Vec<StageDrop>,
}

/// Bad input to [`convergence_report`], with the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvergenceError {
    /// No losses.
    #[error("there are no losses to report on. Fix: train for at least one epoch")]
    Empty,
    /// A loss is NaN or infinite.
    #[error(
        "the loss at epoch {epoch} is {value}, not a finite number: the run diverged, so there is no convergence to report. Fix: report on a run that did not diverge"
    )]
    NonFinite {
        /// Epoch, counted from 1.
        epoch: usize,
        /// The value found.
        value: f64,
    },
    /// The stage boundaries do not split `1..=epochs` into consecutive stages.
    #[error(
        "stage ends {ends:?} do not fit {epochs} epochs: {problem}. Fix: give increasing last epochs that end at {epochs}, such as [{example}]"
    )]
    Stages {
        /// The ends given.
        ends: Vec<usize>,
        /// Epochs in the run.
        epochs: usize,
        /// What is wrong.
        problem: &'static str,
        /// A split that would work.
        example: String,
    },
}

/// The default stages for `epochs` epochs: the first quarter, the second quarter
/// and the second half (for 200 epochs: 1-50, 51-100, 101-200), as last epochs.
/// Short runs get fewer stages, never an empty one.
///
/// ```
/// use kindling_train::convergence::default_stage_ends;
/// assert_eq!(default_stage_ends(200), [50, 100, 200]);
/// assert_eq!(default_stage_ends(2), [1, 2]);
/// ```
pub fn default_stage_ends(epochs: usize) -> Vec<usize> {
    let mut ends = vec![epochs.div_ceil(4), epochs.div_ceil(2), epochs];
    ends.dedup();
    ends.retain(|&end| end > 0);
    ends
}

/// Splits per-epoch `losses` (epoch 1 first) into stages ending at the given last
/// epochs (`None` for [`default_stage_ends`]) and measures each stage's share of
/// the total drop, first epoch's loss minus last epoch's loss.
///
/// A stage's drop runs from the loss at the end of the previous stage (epoch 1's
/// loss for the first stage) to the loss at its own last epoch, so the drops add
/// up exactly to the total.
pub fn convergence_report(
    losses: &[f64],
    stage_ends: Option<&[usize]>,
) -> Result<ConvergenceReport, ConvergenceError> {
    if losses.is_empty() {
        return Err(ConvergenceError::Empty);
    }
    if let Some(index) = losses.iter().position(|loss| !loss.is_finite()) {
        return Err(ConvergenceError::NonFinite {
            epoch: index + 1,
            value: losses[index],
        });
    }
    let epochs = losses.len();
    let ends = match stage_ends {
        Some(ends) => ends.to_vec(),
        None => default_stage_ends(epochs),
    };
    check_ends(&ends, epochs)?;
    let first_loss = losses[0];
    let last_loss = losses[epochs - 1];
    let total_drop = first_loss - last_loss;
    let mut stages = Vec::with_capacity(ends.len());
    let mut first_epoch: usize = 1;
    for &last_epoch in &ends {
        let loss_before = losses[first_epoch.saturating_sub(2)];
        let loss_after = losses[last_epoch - 1];
        let drop = loss_before - loss_after;
        stages.push(StageDrop {
            first_epoch,
            last_epoch,
            loss_before,
            loss_after,
            drop,
            share: (total_drop != 0.0).then(|| drop / total_drop),
        });
        first_epoch = last_epoch + 1;
    }
    Ok(ConvergenceReport {
        first_loss,
        last_loss,
        total_drop,
        stages,
    })
}

fn check_ends(ends: &[usize], epochs: usize) -> Result<(), ConvergenceError> {
    let problem = if ends.is_empty() {
        Some("there are no stages")
    } else if ends[0] == 0 {
        Some("epochs are counted from 1, so no stage can end at epoch 0")
    } else if ends.windows(2).any(|pair| pair[1] <= pair[0]) {
        Some("each stage must end after the one before")
    } else if ends[ends.len() - 1] != epochs {
        Some("the last stage must end at the last epoch")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(ConvergenceError::Stages {
            ends: ends.to_vec(),
            epochs,
            problem,
            example: default_stage_ends(epochs)
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

impl fmt::Display for ConvergenceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "The loss went from {:.4} to {:.4}: a total drop of {:.4}.",
            self.first_loss, self.last_loss, self.total_drop
        )?;
        writeln!(
            f,
            "{:<12}  {:>14}  {:>14}  {:>14}  {:>7}",
            "epochs", "loss before", "loss after", "drop", "share"
        )?;
        for stage in &self.stages {
            let share = stage
                .share
                .map_or_else(|| "-".to_string(), |share| format!("{:.1}%", share * 100.0));
            writeln!(
                f,
                "{:<12}  {:>14.4}  {:>14.4}  {:>14.4}  {:>7}",
                format!("{}-{}", stage.first_epoch, stage.last_epoch),
                stage.loss_before,
                stage.loss_after,
                stage.drop,
                share
            )?;
        }
        Ok(())
    }
}
