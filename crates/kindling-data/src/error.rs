//! Everything that can go wrong while loading data, each with the fix.

use std::path::PathBuf;

/// A data problem: the message names the file, the problem and the fix.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Reading a file or folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A CIFAR-10 batch file has the wrong size.
    #[error(
        "{path}: {size} bytes, but a CIFAR-10 batch file holds 10000 records of 3073 bytes (30730000 bytes); the file is truncated or is not the binary version. Fix: delete the folder and run `cargo kindling data fetch cifar10` again (the Python and MATLAB versions do not work)"
    )]
    CifarFileSize {
        /// The file.
        path: PathBuf,
        /// Its actual size in bytes.
        size: u64,
    },
    /// A label byte outside 0..=9.
    #[error(
        "{path}: record {record} has label {label}, but CIFAR-10 labels are 0 to 9; the file is damaged. Fix: delete the folder and run `cargo kindling data fetch cifar10` again"
    )]
    CifarLabel {
        /// The file.
        path: PathBuf,
        /// Record number, counted from 0.
        record: usize,
        /// The label byte found.
        label: u8,
    },
    /// A file the dataset needs is not there.
    #[error("{path} is missing. Fix: {fix}")]
    Missing {
        /// The file or folder that should exist.
        path: PathBuf,
        /// What to do about it.
        fix: String,
    },
    /// A file the image library cannot decode: not an image, or cut short.
    #[error(
        "{path} is not an image Kindling can read ({reason}). Fix: check that it is a complete image file (PNG, JPEG, GIF, BMP, WebP, TIFF, PNM, TGA, ICO or QOI; a file cut short by an interrupted copy or download must be copied again), or remove it from the class folder"
    )]
    NotAnImage {
        /// The file.
        path: PathBuf,
        /// What the image library said.
        reason: String,
    },
    /// An image file with nothing in it.
    #[error(
        "{path} is empty (0 bytes), so it holds no image. Fix: copy the image again, or remove the file"
    )]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// A folder where an image file was expected.
    #[error("{path} is a folder, not an image file. Fix: pass the image files inside it")]
    NotAFile {
        /// The folder.
        path: PathBuf,
    },
    /// An image whose decoding would take too much memory.
    #[error(
        "{path} is too large to decode safely ({}): Kindling decodes images of at most {} pixels a side and {} megapixels. Fix: shrink it first, for example to 1024 pixels on its longest side (`convert IN -resize 1024x1024 OUT` with ImageMagick); Kindling resizes every image to 32x32 anyway",
        size_words(.width, .height),
        crate::image_file::MAX_IMAGE_SIDE,
        crate::image_file::MAX_IMAGE_PIXELS / (1024 * 1024)
    )]
    ImageTooLarge {
        /// The file.
        path: PathBuf,
        /// Its width from its header, when it could be read.
        width: Option<u32>,
        /// Its height from its header, when it could be read.
        height: Option<u32>,
    },
    /// A class folder with no images in it.
    #[error(
        "class folder {path} holds no images. Fix: add images to it or remove the folder (every sub-folder is a class)"
    )]
    EmptyClass {
        /// The folder.
        path: PathBuf,
    },
    /// An image folder with fewer than two class folders.
    #[error(
        "{path} holds {found} class folder(s); an image folder needs one sub-folder per class and at least two classes. Fix: arrange it as {path}/<class name>/<image files>"
    )]
    TooFewClasses {
        /// The folder.
        path: PathBuf,
        /// How many class folders it holds.
        found: usize,
    },
    /// A dataset name that is not known.
    #[error(
        "unknown dataset `{given}`. Fix: use `builtin`, `cifar10` or `folder:PATH` (a folder with one sub-folder per class)"
    )]
    UnknownSource {
        /// What was asked for.
        given: String,
    },
    /// More images were asked for than the split holds.
    #[error("{what}: asked for {asked} images but only {available} are available. Fix: {fix}")]
    NotEnough {
        /// Which split or request.
        what: String,
        /// How many were asked for.
        asked: usize,
        /// How many there are.
        available: usize,
        /// What to do about it.
        fix: String,
    },
    /// Images, labels and class names that do not fit together.
    #[error("inconsistent image set: {0}")]
    Inconsistent(String),
}

/// "100000x100000 pixels", or what is known when the header gave no size.
fn size_words(width: &Option<u32>, height: &Option<u32>) -> String {
    match (width, height) {
        (Some(width), Some(height)) => format!("{width}x{height} pixels"),
        _ => "the decoder ran past its memory limit".to_string(),
    }
}

impl DataError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}
