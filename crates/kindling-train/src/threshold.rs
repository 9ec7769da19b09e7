//! The smallest learner there is: one number `t` and the rule "predict 1 when
//! `x > t`". After each mistake `t` moves one `step`: a false positive (predicted 1,
//! label 0) means `t` was too low, so it goes up; a false negative (predicted 0,
//! label 1) means `t` was too high, so it goes down. Right answers leave `t` alone.
//!
//! Nothing is random: the same examples give the same trace.
//!
//! ```
//! use kindling_train::threshold::learn_threshold;
//! let examples = [(1.0, 0), (4.0, 1), (2.0, 0), (3.5, 1), (2.5, 0)];
//! let trace = learn_threshold(&examples, 0.0, 1.0)?;
//! // x = 1, 2 and 2.5 are false positives: each raises t by one.
//! assert_eq!(trace.threshold, 3.0);
//! assert_eq!(trace.mistakes(), 3);
//! println!("{trace}");
//! # Ok::<(), kindling_train::threshold::ThresholdError>(())
//! ```

use std::fmt;

use serde::Serialize;

/// One example seen by the threshold learner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdStep {
    /// The input.
    pub x: f64,
    /// The right answer, 0 or 1.
    pub label: u8,
    /// What the rule said before learning from this example: 1 when `x > t`.
    pub prediction: u8,
    /// True when the prediction equals the label.
    pub correct: bool,
    /// The threshold after this example.
    pub threshold: f64,
}

/// Everything the threshold learner did, one row per example; print it to see the
/// rule learn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdTrace {
    /// The threshold before the first example.
    pub start: f64,
    /// How far `t` moves after a mistake.
    pub step: f64,
    /// One row per example, in order.
    pub steps: Vec<ThresholdStep>,
    /// The threshold after the last example.
    pub threshold: f64,
}

impl ThresholdTrace {
    /// Number of wrong predictions.
    pub fn mistakes(&self) -> usize {
        self.steps.iter().filter(|step| !step.correct).count()
    }
}

impl fmt::Display for ThresholdTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Rule: predict 1 when x > t. Start t = {}, step {}.",
            self.start, self.step
        )?;
        writeln!(
            f,
            "{:>4}  {:>10}  {:>5}  {:>10}  {:>6}  {:>10}",
            "#", "x", "label", "prediction", "result", "new t"
        )?;
        for (index, step) in self.steps.iter().enumerate() {
            writeln!(
                f,
                "{:>4}  {:>10}  {:>5}  {:>10}  {:>6}  {:>10}",
                index + 1,
                step.x,
                step.label,
                step.prediction,
                if step.correct { "right" } else { "wrong" },
                step.threshold
            )?;
        }
        write!(
            f,
            "{} mistake(s) in {} example(s); final t = {}.",
            self.mistakes(),
            self.steps.len(),
            self.threshold
        )
    }
}

/// Bad input to [`learn_threshold`], with the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    /// A label other than 0 or 1.
    #[error("example {position} has label {label}: labels must be 0 or 1. Fix: relabel it")]
    Label {
        /// Position of the example, counted from 1.
        position: usize,
        /// The label found.
        label: u8,
    },
    /// An input that is NaN or infinite.
    #[error("example {position} has x = {value}, not a finite number. Fix: remove or repair it")]
    NonFinite {
        /// Position of the example, counted from 1.
        position: usize,
        /// The value found.
        value: f64,
    },
    /// The start or the step is not a usable number.
    #[error("{setting} = {value} is not allowed: {rule}. Fix: {fix}")]
    Setting {
        /// `"start"` or `"step"`.
        setting: &'static str,
        /// The value given.
        value: f64,
        /// What the value must be.
        rule: &'static str,
        /// An example of a good value.
        fix: &'static str,
    },
}

/// Runs the threshold rule once over `examples` (`(x, label)` pairs, labels 0 or
/// 1), starting from `t = start` and moving `t` by `step` after every mistake.
pub fn learn_threshold(
    examples: &[(f64, u8)],
    start: f64,
    step: f64,
) -> Result<ThresholdTrace, ThresholdError> {
    if !start.is_finite() {
        return Err(ThresholdError::Setting {
            setting: "start",
            value: start,
            rule: "the starting threshold is a finite number",
            fix: "start at 0",
        });
    }
    if !(step.is_finite() && step > 0.0) {
        return Err(ThresholdError::Setting {
            setting: "step",
            value: step,
            rule: "the step is a positive number",
            fix: "use a step of 1",
        });
    }
    for (index, &(x, label)) in examples.iter().enumerate() {
        if !x.is_finite() {
            return Err(ThresholdError::NonFinite {
                position: index + 1,
                value: x,
            });
        }
        if label > 1 {
            return Err(ThresholdError::Label {
                position: index + 1,
                label,
            });
        }
    }
    let mut threshold = start;
    let mut steps = Vec::with_capacity(examples.len());
    for &(x, label) in examples {
        let prediction = u8::from(x > threshold);
        match (prediction, label) {
            (1, 0) => threshold += step,
            (0, 1) => threshold -= step,
            _ => {}
        }
        steps.push(ThresholdStep {
            x,
            label,
            prediction,
            correct: prediction == label,
            threshold,
        });
    }
    Ok(ThresholdTrace {
        start,
        step,
        steps,
        threshold,
    })
}
