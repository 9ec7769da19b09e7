//! The CIFAR-10 binary loader on small CIFAR-shaped folders written by the tests.

use std::path::Path;

use kindling_data::builtin::{Split, generate};
use kindling_data::cifar::{self, FOLDER_NAME, RECORDS_PER_FILE, load};
use kindling_data::{DataError, DataSource, SplitSizes, load_splits};

/// Writes a complete `cifar-10-batches-bin` (60,000 images: real sizes, built-in pixels).
fn write_folder(root: &Path) -> std::path::PathBuf {
    let train = generate(Split::Train, 5 * RECORDS_PER_FILE, 3).unwrap();
    let test = generate(Split::Test, RECORDS_PER_FILE, 3).unwrap();
    cifar::write_folder(root, &train, &test).unwrap()
}

#[test]
fn a_complete_folder_loads_every_image_and_label() {
    let root = tempfile::tempdir().unwrap();
    let dir = write_folder(root.path());
    let original = generate(Split::Train, 50_000, 3).unwrap();
    // Both the folder itself and the folder holding it are accepted.
    for path in [dir.as_path(), root.path()] {
        let data = load(path).unwrap();
        assert_eq!((data.train.len(), data.test.len()), (50_000, 10_000));
        assert_eq!(data.train.class_names()[9], "v-stripes");
        assert_eq!(data.train.image(12_345), original.image(12_345));
        assert_eq!(data.train.labels(), original.labels());
    }
    let splits = load_splits(
        &DataSource::Cifar10(Some(dir.clone())),
        SplitSizes {
            train: Some(900),
            validation: Some(100),
            test: Some(200),
        },
        1,
    )
    .unwrap();
    assert_eq!(splits.train.class_counts(), vec![90; 10]);
    assert_eq!(splits.test.len(), 200);
}

#[test]
fn damaged_folders_name_the_file_and_the_fix() {
    let root = tempfile::tempdir().unwrap();
    let dir = write_folder(root.path());

    // A truncated batch file.
    let batch = dir.join("data_batch_3.bin");
    let bytes = std::fs::read(&batch).unwrap();
    std::fs::write(&batch, &bytes[..bytes.len() - 100]).unwrap();
    let error = load(&dir).unwrap_err();
    assert!(matches!(error, DataError::CifarFileSize { .. }));
    let message = error.to_string();
    assert!(
        message.contains("data_batch_3.bin") && message.contains("30730000"),
        "{message}"
    );
    assert!(message.contains("kindling data fetch cifar10"), "{message}");
    std::fs::write(&batch, &bytes).unwrap();

    // A label byte out of range.
    let mut bad_label = bytes.clone();
    bad_label[3073 * 7] = 42;
    std::fs::write(&batch, &bad_label).unwrap();
    let message = load(&dir).unwrap_err().to_string();
    assert!(message.contains("record 7 has label 42"), "{message}");
    std::fs::write(&batch, &bytes).unwrap();

    // The class-name file is missing.
    std::fs::remove_file(dir.join("batches.meta.txt")).unwrap();
    let message = load(&dir).unwrap_err().to_string();
    assert!(message.contains("batches.meta.txt is missing"), "{message}");

    // No folder at all.
    let empty = tempfile::tempdir().unwrap();
    let message = load(empty.path()).unwrap_err().to_string();
    assert!(
        message.contains(FOLDER_NAME) && message.contains("kindling data fetch"),
        "{message}"
    );
}
