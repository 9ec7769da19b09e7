//! Part 1: the loop by hand. A rule with one number, `t`: say "1" when `x > t`.
//! After each mistake, move `t` one step, and watch the rule learn.

use serde::Serialize;

/// One example as the rule saw it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Step {
    /// The input number.
    pub x: f64,
    /// The right answer, 0 or 1.
    pub label: u8,
    /// What the rule said.
    pub prediction: u8,
    /// The threshold after learning from this example.
    pub threshold: f64,
}

// The five examples you trace on paper, where the threshold starts and how far it
// moves: facts the checker shares, so they live in kindling_course::facts.
pub use kindling_course::facts::stage05::{
    THRESHOLD_EXAMPLES as EXAMPLES, THRESHOLD_START as START, THRESHOLD_STEP as STEP,
};

// ANCHOR: learn
/// Runs the rule over the examples once, learning after each mistake.
pub fn learn(examples: &[(f64, u8)], start: f64, step: f64) -> Vec<Step> {
    let mut threshold = start;
    let mut steps = Vec::new();
    for &(x, label) in examples {
        let prediction = if x > threshold { 1 } else { 0 };
        threshold = update(threshold, prediction, label, step);
        steps.push(Step {
            x,
            label,
            prediction,
            threshold,
        });
    }
    steps
}

/// The learning step: the threshold after one example.
pub fn update(threshold: f64, prediction: u8, label: u8, step: f64) -> f64 {
    // [solution]
    if prediction == 1 && label == 0 {
        // Said 1 for a 0: the threshold is too low.
        threshold + step
    } else if prediction == 0 && label == 1 {
        // Said 0 for a 1: the threshold is too high.
        threshold - step
    } else {
        threshold
    }
    // [exercise]
    // // TODO: after a mistake, move the threshold one step: up when the rule
    // // said 1 for a 0, down when it said 0 for a 1. Right answers leave it.
    // let _ = (prediction, label, step);
    // threshold
    // [end]
}
// ANCHOR_END: learn

/// Prints the trace as a table.
pub fn print(steps: &[Step], start: f64) {
    println!("Threshold rule, starting at t = {start}:");
    println!(
        "{:>6} {:>6} {:>11} {:>8} {:>8}",
        "x", "label", "prediction", "right?", "new t"
    );
    for step in steps {
        let right = if step.prediction == step.label {
            "yes"
        } else {
            "no"
        };
        println!(
            "{:>6} {:>6} {:>11} {:>8} {:>8}",
            step.x, step.label, step.prediction, right, step.threshold
        );
    }
}
