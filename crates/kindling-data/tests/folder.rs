//! The image-folder loader: one sub-folder per class, any image format, any size.

use std::path::Path;

use image::{ImageBuffer, Rgb, RgbImage};
use kindling_data::folder::load;
use kindling_data::{DataSource, IMAGE_BYTES, SplitSizes, load_splits};

fn save(path: &Path, width: u32, height: u32, colour: [u8; 3]) {
    let image: RgbImage = ImageBuffer::from_pixel(width, height, Rgb(colour));
    image.save(path).unwrap();
}

fn photo_folder(root: &Path, per_class: usize) {
    for (class, colour) in [("cats", [200, 10, 10]), ("dogs", [10, 10, 200])] {
        let dir = root.join(class);
        std::fs::create_dir_all(&dir).unwrap();
        for index in 0..per_class {
            // Mixed formats and sizes: everything is resized to 32x32.
            let name = if index % 2 == 0 {
                format!("{index}.png")
            } else {
                format!("{index}.jpg")
            };
            save(&dir.join(name), 40 + index as u32, 25, colour);
        }
    }
    std::fs::write(root.join("cats").join(".DS_Store"), b"not an image").unwrap();
}

#[test]
fn classes_come_from_sub_folders_and_images_are_resized() {
    let root = tempfile::tempdir().unwrap();
    photo_folder(root.path(), 3);
    let set = load(root.path()).unwrap();
    assert_eq!(set.class_names(), ["cats", "dogs"]);
    assert_eq!(set.class_counts(), [3, 3]);
    let first = set.image(0);
    assert_eq!(first.len(), IMAGE_BYTES);
    // A red image: the red plane is bright, the blue plane dark (JPEG may blur a little).
    assert!(first[0] > 180 && first[2048] < 40);
}

#[test]
fn a_folder_without_train_and_test_gets_a_sealed_test_share() {
    let root = tempfile::tempdir().unwrap();
    photo_folder(root.path(), 10);
    let source: DataSource = format!("folder:{}", root.path().display()).parse().unwrap();
    let sizes = SplitSizes {
        train: Some(12),
        validation: Some(4),
        test: None,
    };
    let splits = load_splits(&source, sizes, 1).unwrap();
    assert_eq!(splits.test.len(), 4, "a fifth of 20 images");
    assert_eq!(splits.test.class_counts(), [2, 2]);
    assert_eq!((splits.train.len(), splits.validation.len()), (12, 4));
}

#[test]
fn a_non_image_file_is_named() {
    let root = tempfile::tempdir().unwrap();
    photo_folder(root.path(), 2);
    std::fs::write(root.path().join("dogs").join("notes.txt"), b"hello").unwrap();
    let message = load(root.path()).unwrap_err().to_string();
    assert!(
        message.contains("notes.txt") && message.contains("not an image"),
        "{message}"
    );
    assert!(message.contains("remove it"), "{message}");
}

#[test]
fn an_empty_class_folder_is_named() {
    let root = tempfile::tempdir().unwrap();
    photo_folder(root.path(), 2);
    std::fs::create_dir(root.path().join("birds")).unwrap();
    let message = load(root.path()).unwrap_err().to_string();
    assert!(
        message.contains("birds") && message.contains("holds no images"),
        "{message}"
    );
}

#[test]
fn a_folder_with_one_class_is_refused() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("only")).unwrap();
    save(&root.path().join("only").join("a.png"), 4, 4, [0, 0, 0]);
    let message = load(root.path()).unwrap_err().to_string();
    assert!(message.contains("1 class folder"), "{message}");
}
