//! Stage 3, Prepared data.

use kindling::data::SplitSizes;

use crate::Profile;

/// Images split into training and validation piles: full run, check run.
pub const POOL: (usize, usize) = (5_000, 1_000);
/// Images in the sealed test pile: full run, check run.
pub const TEST: (usize, usize) = (1_000, 200);
/// One image in this many of the pool goes to validation.
pub const VALIDATION_SHARE: usize = 5;
/// The piles, in the order the checker reports them.
pub const PILE_NAMES: [&str; 3] = ["train", "validation", "test"];

/// The images the stage loads: the pool (as the training split) and the test pile.
pub fn split_sizes(profile: Profile) -> SplitSizes {
    SplitSizes {
        train: Some(profile.pick(POOL.0, POOL.1)),
        validation: Some(0),
        test: Some(profile.pick(TEST.0, TEST.1)),
    }
}

/// The validation pile's size for a pool of `pool` images.
pub fn validation_size(pool: usize) -> usize {
    pool / VALIDATION_SHARE
}

/// Images in each pile after the split, in `PILE_NAMES` order.
pub fn pile_sizes(profile: Profile) -> [usize; 3] {
    let pool = profile.pick(POOL.0, POOL.1);
    let validation = validation_size(pool);
    [pool - validation, validation, profile.pick(TEST.0, TEST.1)]
}
