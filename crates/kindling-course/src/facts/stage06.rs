//! Stage 6, Test evidence: the run's sizes and the thresholds its read uses.

use crate::profile::Profile;

/// Training images, validation images and test images in the full run.
pub const FULL_SIZES: Sizes = Sizes {
    train: 5_000,
    validation: 1_000,
    test: 10_000,
};
/// The same in the check run: stage 5's check piles, and a tenth of the test set.
pub const CHECK_SIZES: Sizes = Sizes {
    train: 1_000,
    validation: 200,
    test: 1_000,
};
/// Epochs of training, as in stage 5.
pub const EPOCHS: usize = 10;
/// Images per batch, as in stage 5.
pub const BATCH_SIZE: usize = 32;
/// Adam's learning rate, as in stage 5.
pub const LEARNING_RATE: f64 = 1e-3;
/// What the stage's program writes into test_opened.json as the opener.
pub const COMMAND: &str = "stage06";
/// Test and validation accuracy are "close" when they differ by at most this:
/// with 200 validation images, chance alone moves an accuracy near 0.4 by about
/// 0.035 (one standard error), so a smaller difference says nothing.
pub const CLOSE_GAP: f64 = 0.05;
/// A trained model must beat this test accuracy; guessing among ten classes scores 0.10.
pub const LEARNED_ACCURACY: f64 = 0.25;
/// The most confident mistakes written into the evaluation (test_metrics.json, mistakes.png).
pub const TOP_LOSSES: usize = 16;

/// How many images each pile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Images the model learns from.
    pub train: usize,
    /// Images watched after each epoch.
    pub validation: usize,
    /// Images of the one final evaluation.
    pub test: usize,
}

/// The sizes of a run of this profile.
pub fn sizes(profile: Profile) -> Sizes {
    profile.pick(FULL_SIZES, CHECK_SIZES)
}
