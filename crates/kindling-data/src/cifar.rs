//! Reading CIFAR-10's binary version (`cifar-10-batches-bin/`).
//!
//! Each batch file holds 10,000 records of 3,073 bytes: one label byte, then 1,024
//! red, 1,024 green and 1,024 blue bytes. `batches.meta.txt` names the classes.

use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::DataError;
use crate::image_set::{IMAGE_BYTES, ImageSet};

/// The folder the official tarball unpacks to.
pub const FOLDER_NAME: &str = "cifar-10-batches-bin";
/// Images per batch file.
pub const RECORDS_PER_FILE: usize = 10_000;
const RECORD_BYTES: usize = 1 + IMAGE_BYTES;
pub(crate) const TRAIN_FILES: [&str; 5] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
];
pub(crate) const TEST_FILE: &str = "test_batch.bin";
pub(crate) const META_FILE: &str = "batches.meta.txt";

/// The two splits of CIFAR-10.
#[derive(Debug, Clone)]
pub struct Cifar10 {
    /// 50,000 training images.
    pub train: ImageSet,
    /// 10,000 test images.
    pub test: ImageSet,
}

/// Finds the batch folder: `dir` itself when it holds `batches.meta.txt`, otherwise
/// `dir/cifar-10-batches-bin`.
pub fn locate(dir: &Path) -> PathBuf {
    if dir.join(META_FILE).is_file() || dir.file_name() == Some(FOLDER_NAME.as_ref()) {
        dir.to_path_buf()
    } else {
        dir.join(FOLDER_NAME)
    }
}

/// Loads both splits from a `cifar-10-batches-bin` folder (or the folder holding it).
pub fn load(dir: &Path) -> Result<Cifar10, DataError> {
    let folder = existing_folder(dir)?;
    let names = read_class_names(&folder.join(META_FILE))?;
    let train_paths: Vec<PathBuf> = TRAIN_FILES.iter().map(|f| folder.join(f)).collect();
    let train = read_batches(&train_paths, names.clone())?;
    let test = read_batches(&[folder.join(TEST_FILE)], names)?;
    Ok(Cifar10 { train, test })
}

/// Loads only the test split (10,000 images), for evaluating without reading the
/// 50,000 training images.
pub fn load_test(dir: &Path) -> Result<ImageSet, DataError> {
    let folder = existing_folder(dir)?;
    let names = read_class_names(&folder.join(META_FILE))?;
    read_batches(&[folder.join(TEST_FILE)], names)
}

/// The `cifar-10-batches-bin` folder in or at `dir`, or what to do when it is missing.
fn existing_folder(dir: &Path) -> Result<PathBuf, DataError> {
    let folder = locate(dir);
    if !folder.is_dir() {
        return Err(DataError::Missing {
            path: folder,
            fix: "run `cargo kindling data fetch cifar10`, or pass the folder that holds cifar-10-batches-bin".into(),
        });
    }
    Ok(folder)
}

/// Reads the ten class names, one per line.
pub fn read_class_names(path: &Path) -> Result<Vec<String>, DataError> {
    let text = std::fs::read_to_string(path).map_err(|error| incomplete_folder(path, error))?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect();
    if names.len() != 10 {
        return Err(DataError::Inconsistent(format!(
            "{} names {} classes, CIFAR-10 has 10; delete the folder and run `cargo kindling data fetch cifar10` again",
            path.display(),
            names.len()
        )));
    }
    Ok(names)
}

/// Reads batch files into one set, straight into its final buffer: no second copy
/// of the pixels is ever held.
pub fn read_batches(paths: &[PathBuf], class_names: Vec<String>) -> Result<ImageSet, DataError> {
    for path in paths {
        check_size(path)?;
    }
    let total = paths.len() * RECORDS_PER_FILE;
    let mut pixels = Vec::with_capacity(total * IMAGE_BYTES);
    let mut labels = Vec::with_capacity(total);
    for path in paths {
        let file = File::open(path).map_err(|e| DataError::io(path, e))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        for record in 0..RECORDS_PER_FILE {
            let mut label = [0u8];
            reader
                .read_exact(&mut label)
                .map_err(|e| DataError::io(path, e))?;
            if label[0] > 9 {
                return Err(DataError::CifarLabel {
                    path: path.clone(),
                    record,
                    label: label[0],
                });
            }
            labels.push(label[0]);
            let start = pixels.len();
            pixels.resize(start + IMAGE_BYTES, 0);
            reader
                .read_exact(&mut pixels[start..])
                .map_err(|e| DataError::io(path, e))?;
        }
    }
    ImageSet::new(pixels, labels, class_names)
}

/// A file of the folder that cannot be read: missing means an incomplete download.
fn incomplete_folder(path: &Path, error: std::io::Error) -> DataError {
    match error.kind() {
        std::io::ErrorKind::NotFound => DataError::Missing {
            path: path.to_path_buf(),
            fix: "the folder is incomplete; delete it and run `cargo kindling data fetch cifar10` again"
                .into(),
        },
        _ => DataError::io(path, error),
    }
}

fn check_size(path: &Path) -> Result<(), DataError> {
    let metadata = std::fs::metadata(path).map_err(|error| incomplete_folder(path, error))?;
    if metadata.len() != (RECORDS_PER_FILE * RECORD_BYTES) as u64 {
        return Err(DataError::CifarFileSize {
            path: path.to_path_buf(),
            size: metadata.len(),
        });
    }
    Ok(())
}

/// Writes a set in CIFAR-10's binary layout (one label byte, then the planes).
/// Tests and tools use it to make small CIFAR-shaped folders.
pub fn write_batch(set: &ImageSet, path: &Path) -> std::io::Result<()> {
    write_records(set, 0..set.len(), path)
}

/// Writes a complete `cifar-10-batches-bin/` inside `root` from `train` (5 x
/// [`RECORDS_PER_FILE`] images, split over the five batch files in order) and
/// `test` ([`RECORDS_PER_FILE`] images), with `train`'s class names. Tests and
/// benchmarks use it to stand in for the real download; returns the folder.
pub fn write_folder(root: &Path, train: &ImageSet, test: &ImageSet) -> std::io::Result<PathBuf> {
    let sizes_fit =
        train.len() == TRAIN_FILES.len() * RECORDS_PER_FILE && test.len() == RECORDS_PER_FILE;
    if !sizes_fit {
        return Err(std::io::Error::other(format!(
            "a CIFAR-10 folder holds {} training and {RECORDS_PER_FILE} test images, not {} and {}",
            TRAIN_FILES.len() * RECORDS_PER_FILE,
            train.len(),
            test.len()
        )));
    }
    let dir = root.join(FOLDER_NAME);
    std::fs::create_dir_all(&dir)?;
    // The official file ends with a blank line too.
    let meta = train.class_names().join("\n") + "\n\n";
    crate::atomic::write_bytes_atomically(&dir.join(META_FILE), meta.as_bytes())?;
    for (file, name) in TRAIN_FILES.iter().enumerate() {
        let records = file * RECORDS_PER_FILE..(file + 1) * RECORDS_PER_FILE;
        write_records(train, records, &dir.join(name))?;
    }
    write_batch(test, &dir.join(TEST_FILE))?;
    Ok(dir)
}

fn write_records(set: &ImageSet, records: Range<usize>, path: &Path) -> std::io::Result<()> {
    crate::atomic::write_atomically(path, |writer| {
        for index in records {
            writer.write_all(&[set.label(index) as u8])?;
            writer.write_all(set.image(index))?;
        }
        Ok(())
    })
}
