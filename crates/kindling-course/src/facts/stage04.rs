//! Stage 4, Model.

use kindling::data::SplitSizes;

use crate::Profile;

/// Training images loaded to fit the normalisation: full run, check run.
pub const IMAGES: (usize, usize) = (1_000, 200);
/// Images in the forward pass.
pub const BATCH_SIZE: usize = 8;
/// Class scores per image.
pub const CLASSES: usize = 10;

/// The images the stage loads: only a training split.
pub fn split_sizes(profile: Profile) -> SplitSizes {
    SplitSizes {
        train: Some(profile.pick(IMAGES.0, IMAGES.1)),
        validation: Some(0),
        test: Some(0),
    }
}
