//! Data for Kindling: labelled 32x32 colour images, from the built-in generated set,
//! CIFAR-10's binary files, or a folder of photos; splits, normalisation and
//! batching into Burn tensors.
//!
//! Pixels stay bytes ([`ImageSet`]) until [`ImageBatcher`] turns a batch into
//! tensors. Everything random takes a seed. This crate knows nothing of models or
//! training: those crates build on it.
//!
//! ```
//! use kindling_data::{DataSource, SplitSizes, load_splits};
//! let sizes = SplitSizes { train: Some(100), validation: Some(20), test: Some(20) };
//! let splits = load_splits(&DataSource::Builtin, sizes, 42).unwrap();
//! assert_eq!(splits.train.class_counts(), vec![10; 10]);
//! ```

pub mod atomic;
pub mod augment;
pub mod batch;
pub mod builtin;
pub mod cifar;
pub mod error;
pub mod fetch;
pub mod folder;
pub mod image_file;
pub mod image_set;
pub mod ledger;
pub mod normalize;
pub mod rng;
pub mod sealed;
pub mod source;
pub mod split;

pub use augment::{AugmentError, Augmentation, Crop, Cutout, Padding};
pub use batch::{ImageBatch, ImageBatcher, epoch_batches, sequential_batches};
pub use error::DataError;
pub use image_file::{prepare_image, read_image};
pub use image_set::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE, ImageItem, ImageSet};
pub use ledger::{
    LEDGER_FILE, Ledger, LedgerEntry, LedgerError, LedgerOpening, Opening, TEST_OPENED_FILE,
    TestOpenedRecord, TestOpening,
};
pub use normalize::Normalization;
pub use rng::{SeededRng, seeded_rng};
pub use sealed::SealedTestSet;
pub use source::{DataSource, SplitSizes, Splits, load_splits, load_test_split};
