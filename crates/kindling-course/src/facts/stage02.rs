//! Stage 2, Variables.

use kindling::data::SplitSizes;

use crate::Profile;

/// Training images the full run loads.
pub const FULL_IMAGES: usize = 5_000;
/// Training images the check run loads.
pub const CHECK_IMAGES: usize = 500;
/// Images in the first batch.
pub const BATCH_SIZE: usize = 32;

/// The images the stage loads: only a training split.
pub fn split_sizes(profile: Profile) -> SplitSizes {
    SplitSizes {
        train: Some(profile.pick(FULL_IMAGES, CHECK_IMAGES)),
        validation: Some(0),
        test: Some(0),
    }
}
