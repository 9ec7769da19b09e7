//! Stage 10, Demo evidence: the runs the report is built from and where it goes,
//! shared by the stage's solution and its checker.

use crate::facts::stage06::Sizes;
use crate::profile::Profile;

/// Both runs train on stage 6's piles; the improved one is evaluated on the test pile.
pub fn sizes(profile: Profile) -> Sizes {
    crate::facts::stage06::sizes(profile)
}
/// Epochs of each run, as in stage 8.
pub const EPOCHS: usize = crate::facts::stage08::EPOCHS;
/// The improved run's augmentation, as in stage 8.
pub const IMPROVED_AUGMENTATION: &str = crate::facts::stage08::IMPROVED_AUGMENTATION;
/// What the stage's program writes into test_opened.json as the opener.
pub const COMMAND: &str = "stage10";
/// The run folders inside the stage's output folder.
pub const BASELINE_DIR: &str = "baseline";
/// See [`BASELINE_DIR`].
pub const IMPROVED_DIR: &str = "improved";
/// The folder the report is written into.
pub const REPORT_DIR: &str = "report";
/// The most confident mistakes kept by the evaluation.
pub const TOP_LOSSES: usize = crate::facts::stage06::TOP_LOSSES;
/// Fewest words the limitation in your own words must have.
pub const LIMITATION_WORDS: usize = 12;
