//! Stage 8, Improved model: the two runs, the sweep and the k-fold spread,
//! shared by the stage's solution and its checker.

use crate::facts::stage06::Sizes;
use crate::profile::Profile;

/// Training and validation images of the baseline and improved runs: stage 6's
/// piles, so the baseline is stage 6's model. The test pile stays sealed.
pub fn sizes(profile: Profile) -> Sizes {
    crate::facts::stage06::sizes(profile)
}
/// Epochs of the baseline and the improved run.
pub const EPOCHS: usize = 10;
/// Images per batch, as in stage 5.
pub const BATCH_SIZE: usize = 32;
/// Adam's learning rate of the baseline and the improved run, as in stage 5.
pub const LEARNING_RATE: f64 = 1e-3;
/// The augmentation of the improved run, as `kindling train --augment` spells it.
pub const IMPROVED_AUGMENTATION: &str = "flip,crop";
/// The folders the two runs are saved in, inside the stage's output folder.
pub const BASELINE_DIR: &str = "baseline";
/// See [`BASELINE_DIR`].
pub const IMPROVED_DIR: &str = "improved";
/// The overlay chart of both validation curves.
pub const CURVES_FILE: &str = "validation_curves.png";
/// The comparison table, as Markdown.
pub const COMPARISON_FILE: &str = "comparison.md";
/// The sweep's results table, one row per trial.
pub const SWEEP_FILE: &str = "sweep.csv";

/// The sweep's grid: every learning rate with every augmentation, each trial
/// trained like the baseline (same piles, epochs and seed). The baseline and the
/// improved run are two of its trials.
pub const SWEEP_LEARNING_RATES: [f64; 2] = [1e-3, 3e-3];
/// See [`SWEEP_LEARNING_RATES`].
pub const SWEEP_AUGMENTATIONS: [&str; 2] = ["none", "flip,crop"];
/// The parameter names of the sweep's trials.
pub const LEARNING_RATE_PARAM: &str = "learning_rate";
/// See [`LEARNING_RATE_PARAM`].
pub const AUGMENTATION_PARAM: &str = "augmentation";
/// The metric each trial reports and the sweep is sorted by.
pub const SWEEP_METRIC: &str = "val_accuracy";

/// The k-fold part: images split into folds (a stratified subset of the training
/// pile), and how many folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folds {
    /// Images split into folds.
    pub images: usize,
    /// Number of folds.
    pub folds: usize,
}

/// The full run's folds.
pub const FULL_FOLDS: Folds = Folds {
    images: 2_000,
    folds: 5,
};
/// The check run's folds: small enough to leave the whole stage under two minutes.
pub const CHECK_FOLDS: Folds = Folds {
    images: 600,
    folds: 3,
};

/// The folds of a run of this profile.
pub fn folds(profile: Profile) -> Folds {
    profile.pick(FULL_FOLDS, CHECK_FOLDS)
}
