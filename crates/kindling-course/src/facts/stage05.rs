//! Stage 5, Training history.

use kindling::data::SplitSizes;

use crate::Profile;

// ANCHOR: threshold
/// The five examples you trace on paper first: (number, right answer).
pub const THRESHOLD_EXAMPLES: [(f64, u8); 5] = [(2.0, 0), (7.0, 1), (4.0, 1), (9.0, 1), (5.0, 0)];
/// Where the threshold starts.
pub const THRESHOLD_START: f64 = 6.0;
/// How far the threshold moves after a mistake.
pub const THRESHOLD_STEP: f64 = 1.0;
// ANCHOR_END: threshold

/// Apartments in the training data (and as many fresh ones to test on).
pub const APARTMENTS: usize = 100;
/// Epochs of gradient descent on the apartments.
pub const LINE_EPOCHS: usize = 200;
/// Early stopping of the line: epochs without improvement before it stops.
pub const EARLY_STOP_PATIENCE: usize = 5;
/// Early stopping of the line: the smallest fall in loss that counts as improving.
pub const EARLY_STOP_MIN_DELTA: f64 = 0.01;

/// Epochs of `fit` on the CNN.
pub const CNN_EPOCHS: usize = 10;
/// Images per batch for the CNN.
pub const CNN_BATCH_SIZE: usize = 32;
/// Adam's learning rate for the CNN.
pub const CNN_LEARNING_RATE: f64 = 1e-3;
/// Training images for the CNN: full run, check run.
pub const CNN_TRAIN: (usize, usize) = (5_000, 1_000);
/// Validation images for the CNN: full run, check run.
pub const CNN_VALIDATION: (usize, usize) = (1_000, 200);

/// The CNN's history, in the results folder.
pub const HISTORY_FILE: &str = "history.json";
/// The trained CNN, in the results folder: the checker loads it and measures its
/// validation accuracy itself.
pub const MODEL_FILE: &str = "model.bpk";

/// The images the CNN trains and validates on.
pub fn cnn_split_sizes(profile: Profile) -> SplitSizes {
    SplitSizes {
        train: Some(profile.pick(CNN_TRAIN.0, CNN_TRAIN.1)),
        validation: Some(profile.pick(CNN_VALIDATION.0, CNN_VALIDATION.1)),
        test: Some(0),
    }
}
