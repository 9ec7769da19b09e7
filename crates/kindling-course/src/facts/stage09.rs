//! Stage 9, Inference: the trained run, the reference images and the program
//! that predicts, shared by the stage's solution and its checker.

use crate::facts::stage06::Sizes;
use crate::profile::Profile;

/// The training part trains on stage 6's piles, for the same epochs.
pub fn sizes(profile: Profile) -> Sizes {
    crate::facts::stage06::sizes(profile)
}
/// Epochs of training, as in stage 5.
pub const EPOCHS: usize = 10;
/// The folder of reference images inside the stage's output folder.
pub const REFERENCE_DIR: &str = "reference";
/// How many reference images the training part writes: the first validation
/// image of each class.
pub const REFERENCE_PER_CLASS: usize = 1;
/// Guesses shown for each image.
pub const TOP: usize = 3;
/// The name of the predicting program's source file (`src/bin/predict.rs`).
pub const PROGRAM: &str = "predict";
/// The folder the predict program writes its bar charts into, unless told otherwise.
pub const CHARTS_DIR: &str = "charts";
/// Probabilities of the same image through the same model agree to this.
pub const SAME_PROBABILITY: f64 = 1e-5;
