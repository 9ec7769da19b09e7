//! Stage 8, Improved model: the two recipes, the seeds each is trained at, and
//! the rule that says when a difference is real, shared by the stage's solution
//! and its checker.

use crate::facts::stage06::Sizes;
use crate::profile::Profile;

/// Training and validation images: stage 6's piles. The test pile stays sealed.
pub fn sizes(profile: Profile) -> Sizes {
    crate::facts::stage06::sizes(profile)
}
/// Epochs of every run: three times stage 5's 10, long enough for the plain
/// network to learn its training images by heart (its gap opens wide) and for
/// the augmented one, which learns more slowly, to pass it on validation.
pub const EPOCHS: usize = 30;
/// Images per batch, as in stage 5.
pub const BATCH_SIZE: usize = 32;
/// Adam's learning rate, as in stage 5.
pub const LEARNING_RATE: f64 = 1e-3;
/// The augmentation of the improved recipe, as `kindling train --augment` spells it.
pub const IMPROVED_AUGMENTATION: &str = "flip,crop";
/// How many seeds each recipe is trained at: the run's seed and the next ones
/// (`seed`, `seed + 1`, ...). Only the starting weights, the shuffling and the
/// augmentation's draws change between them; the piles stay the same.
pub const SEEDS: usize = 3;
/// A difference is called real when its mean is more than this many standard
/// errors above zero.
pub const REAL_BEYOND: f64 = 2.0;

/// The folders of the two runs at the run's own seed, inside the stage's output folder.
pub const BASELINE_DIR: &str = "baseline";
/// See [`BASELINE_DIR`].
pub const IMPROVED_DIR: &str = "improved";
/// The overlay chart of both validation curves (the run's own seed).
pub const CURVES_FILE: &str = "validation_curves.png";
/// The comparison table, as Markdown.
pub const COMPARISON_FILE: &str = "comparison.md";
/// The sweep's results table, one row per recipe, best first.
pub const SWEEP_FILE: &str = "sweep.csv";

/// The sweep's grid: each augmentation, each trained at [`SEEDS`] seeds. The
/// baseline (`none`) and the improved recipe are its two trials.
pub const SWEEP_AUGMENTATIONS: [&str; 2] = ["none", IMPROVED_AUGMENTATION];
/// The parameter name of the sweep's trials.
pub const AUGMENTATION_PARAM: &str = "augmentation";
/// The metric the sweep is sorted by: a recipe's validation accuracy, averaged
/// over its seeds.
pub const SWEEP_METRIC: &str = "val_accuracy_mean";
/// The standard error of that mean, the sweep's second column.
pub const SWEEP_ERROR: &str = "val_accuracy_se";

/// The seeds a run with seed `seed` trains each recipe at.
pub fn seeds(seed: u64) -> Vec<u64> {
    (0..SEEDS as u64).map(|i| seed.wrapping_add(i)).collect()
}
