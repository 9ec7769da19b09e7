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

/// The stage's five parts, in order: the threshold, the line, the Burn loop, the
/// CNN's baseline and its longer run.
pub const PARTS: [u8; 5] = [1, 2, 3, 4, 5];

/// Apartments in the training data (and as many fresh ones to test on).
pub const APARTMENTS: usize = 100;
/// Epochs of gradient descent on the apartments.
pub const LINE_EPOCHS: usize = 200;
/// Early stopping of the line: epochs without improvement before it stops.
pub const EARLY_STOP_PATIENCE: usize = 5;
/// Early stopping of the line: the smallest fall in loss that counts as improving.
pub const EARLY_STOP_MIN_DELTA: f64 = 0.01;

/// People the Burn loop trains on, and people in its validation pile.
pub const POINTS_TRAIN: usize = 800;
/// People in the Burn loop's validation pile.
pub const POINTS_VALIDATION: usize = 200;
/// The Burn loop's history, in the results folder.
pub const POINTS_HISTORY_FILE: &str = "points_history.json";

/// Epochs of `fit` on the CNN: the baseline run.
pub const CNN_EPOCHS: usize = 10;
/// The longer run goes on from the baseline's epoch 10 up to this many epochs,
/// unless early stopping ends it first.
pub const CNN_MAX_EPOCHS: usize = 30;
/// Early stopping of the longer run: epochs without a lower validation loss
/// before it stops.
pub const CNN_PATIENCE: usize = 5;
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
/// The longer run's history (epoch 1 to where it stopped), in the results folder.
pub const LONGER_HISTORY_FILE: &str = "longer_history.json";
/// The longer run's model: the weights of its best epoch, put back by early
/// stopping. The checker measures it too.
pub const BEST_MODEL_FILE: &str = "best_model.bpk";

/// The images the CNN trains and validates on.
pub fn cnn_split_sizes(profile: Profile) -> SplitSizes {
    SplitSizes {
        train: Some(profile.pick(CNN_TRAIN.0, CNN_TRAIN.1)),
        validation: Some(profile.pick(CNN_VALIDATION.0, CNN_VALIDATION.1)),
        test: Some(0),
    }
}
