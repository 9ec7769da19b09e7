//! A test set that can be counted but opened only once.

use crate::image_set::ImageSet;

/// The test pile, sealed. Its size and class balance can be read at any time; its
/// images only through [`open`](SealedTestSet::open), which consumes the seal, so a
/// program cannot look at the test set, change something and look again.
#[derive(Debug, Clone)]
pub struct SealedTestSet {
    set: ImageSet,
    same_for_every_seed: bool,
}

impl SealedTestSet {
    /// Seals a set whose images depend on the seed it was drawn with (so the
    /// ledger counts each seed's test set apart).
    pub fn seal(set: ImageSet) -> Self {
        Self {
            set,
            same_for_every_seed: false,
        }
    }

    /// Seals a set that holds the same images whatever the seed, such as CIFAR-10's
    /// whole test split: the ledger counts every look at it together.
    pub fn seal_same_for_every_seed(set: ImageSet) -> Self {
        Self {
            set,
            same_for_every_seed: true,
        }
    }

    /// True when the images do not depend on the seed (see
    /// [`seal_same_for_every_seed`](Self::seal_same_for_every_seed)).
    pub fn same_for_every_seed(&self) -> bool {
        self.same_for_every_seed
    }

    /// Number of test images.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when there are no test images.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Images per class.
    pub fn class_counts(&self) -> Vec<usize> {
        self.set.class_counts()
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> &[String] {
        self.set.class_names()
    }

    /// Breaks the seal and hands out the images. Do this once, at the very end.
    pub fn open(self) -> ImageSet {
        self.set
    }
}
