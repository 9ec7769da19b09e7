//! Stage 10, Demo evidence: the runs the report is built from and where it goes,
//! shared by the stage's solution and its checker. Both of stage 8's recipes are
//! trained; validation chooses one, and only that one sees the test set.

use crate::facts::stage06::Sizes;
use crate::profile::Profile;

/// Both runs train on stage 6's piles; the one validation chooses is evaluated on the test pile.
pub fn sizes(profile: Profile) -> Sizes {
    crate::facts::stage06::sizes(profile)
}
/// Epochs of each run: stage 8's recipes.
pub const EPOCHS: usize = crate::facts::stage08::EPOCHS;
/// The improved run's augmentation, as in stage 8.
pub const IMPROVED_AUGMENTATION: &str = crate::facts::stage08::IMPROVED_AUGMENTATION;
/// What the stage's program writes into test_opened.json as the opener.
pub const COMMAND: &str = "stage10";
/// The run folders inside the stage's output folder.
pub const BASELINE_DIR: &str = "baseline";
/// See [`BASELINE_DIR`].
pub const IMPROVED_DIR: &str = "improved";
/// Where stage 8's full run keeps its two runs: a full run of stage 10 with the
/// same data and seed reuses them instead of training again.
pub const STAGE08_RUNS: &str = "runs/stage08";
/// The folder the report is written into.
pub const REPORT_DIR: &str = "report";
/// The most confident mistakes kept by the evaluation.
pub const TOP_LOSSES: usize = crate::facts::stage06::TOP_LOSSES;
/// Fewest words the limitation in your own words must have.
pub const LIMITATION_WORDS: usize = 12;
