//! Stage 1, Photos.

use kindling::data::SplitSizes;

use crate::Profile;

/// Images the check run loads; the full run loads the whole training split.
pub const CHECK_IMAGES: usize = 2_000;
/// Sample images per class in the grid.
pub const SAMPLES_PER_CLASS: usize = 2;

/// The images the stage loads: only a training split.
pub fn split_sizes(profile: Profile) -> SplitSizes {
    SplitSizes {
        train: profile.pick(None, Some(CHECK_IMAGES)),
        validation: Some(0),
        test: Some(0),
    }
}
