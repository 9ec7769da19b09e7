//! The built-in image set: "Kindling Shapes", ten classes of drawn shapes with
//! CIFAR-10's geometry (32x32 RGB, 50,000 training and 10,000 test images at most),
//! generated from a seed so the course runs offline and every run sees the same data.
//!
//! Every image is drawn from its own random stream `(seed, split, index)`, so the
//! first `n` images are the same whatever `n` is asked for, and drawing runs in
//! parallel without changing a pixel.

mod scene;
mod shapes;

use rand::seq::SliceRandom;
use rayon::prelude::*;

pub use scene::Recipe;
pub use shapes::CLASS_NAMES;

use crate::error::DataError;
use crate::image_set::{IMAGE_BYTES, ImageSet};
use crate::rng::seeded_rng;

/// Most training images the built-in set offers (as CIFAR-10).
pub const TRAIN_CAPACITY: usize = 50_000;
/// Most test images the built-in set offers (as CIFAR-10).
pub const TEST_CAPACITY: usize = 10_000;
/// The seed the course uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// Which half of the built-in set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Images for training (and validation).
    Train,
    /// Images kept for the final test.
    Test,
}

impl Split {
    fn capacity(self) -> usize {
        match self {
            Split::Train => TRAIN_CAPACITY,
            Split::Test => TEST_CAPACITY,
        }
    }

    /// Separates the random streams of the two splits.
    fn stream_base(self) -> u64 {
        match self {
            Split::Train => 1 << 40,
            Split::Test => 2 << 40,
        }
    }
}

/// Generates the first `count` images of a split.
///
/// Labels come in shuffled blocks of ten holding each class once, so every prefix
/// of the set is balanced to within one image per class.
///
/// ```
/// use kindling_data::builtin::{Split, generate};
/// let set = generate(Split::Train, 20, 42).unwrap();
/// assert_eq!(set.class_counts(), vec![2; 10]);
/// ```
pub fn generate(split: Split, count: usize, seed: u64) -> Result<ImageSet, DataError> {
    generate_with(split, count, seed, &Recipe::default())
}

/// [`generate`] with a non-default difficulty recipe.
pub fn generate_with(
    split: Split,
    count: usize,
    seed: u64,
    recipe: &Recipe,
) -> Result<ImageSet, DataError> {
    if count > split.capacity() {
        return Err(DataError::NotEnough {
            what: format!("built-in {split:?} split").to_lowercase(),
            asked: count,
            available: split.capacity(),
            fix: format!("ask for at most {}", split.capacity()),
        });
    }
    let classes = CLASS_NAMES.len();
    let labels: Vec<u8> = (0..count.div_ceil(classes))
        .flat_map(|block| {
            let mut order: Vec<u8> = (0..classes as u8).collect();
            order.shuffle(&mut seeded_rng(
                seed,
                split.stream_base() | 1 << 39 | block as u64,
            ));
            order
        })
        .take(count)
        .collect();
    let mut pixels = vec![0u8; count * IMAGE_BYTES];
    pixels
        .par_chunks_mut(IMAGE_BYTES)
        .zip(labels.par_iter())
        .enumerate()
        .for_each(|(index, (planes, &label))| {
            let mut rng = seeded_rng(seed, split.stream_base() | index as u64);
            scene::draw(label as usize, recipe, &mut rng, planes);
        });
    let names = CLASS_NAMES.iter().map(|name| name.to_string()).collect();
    ImageSet::new(pixels, labels, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_images_and_prefixes_agree() {
        let small = generate(Split::Train, 30, 7).unwrap();
        let large = generate(Split::Train, 50, 7).unwrap();
        assert_eq!(small.pixels(), &large.pixels()[..small.pixels().len()]);
        assert_eq!(small.labels(), &large.labels()[..30]);
        assert_ne!(
            generate(Split::Train, 30, 8).unwrap().pixels(),
            small.pixels()
        );
    }

    #[test]
    fn train_and_test_differ() {
        let train = generate(Split::Train, 10, 7).unwrap();
        let test = generate(Split::Test, 10, 7).unwrap();
        assert_ne!(train.pixels(), test.pixels());
    }

    #[test]
    fn too_many_is_a_clear_error() {
        let message = generate(Split::Test, TEST_CAPACITY + 1, 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("at most 10000"), "{message}");
    }

    #[test]
    fn images_are_not_flat() {
        let set = generate(Split::Train, 10, 3).unwrap();
        for index in 0..set.len() {
            let image = set.image(index);
            let (low, high) = (image.iter().min().unwrap(), image.iter().max().unwrap());
            assert!(high - low > 40, "image {index} is nearly flat");
        }
    }
}
