//! Loading a folder of photos: one sub-folder per class, any format the `image`
//! crate reads, each picture resized to 32x32.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::DataError;
use crate::image_file::read_image;
use crate::image_set::{IMAGE_BYTES, ImageSet};

/// Loads every image under `dir/<class>/`. Classes are the sub-folder names in
/// alphabetical order; files and folders whose names start with `.` (such as
/// `.DS_Store`) are skipped. Any other file that is not an image is an error, as is
/// a class folder with no images.
pub fn load(dir: &Path) -> Result<ImageSet, DataError> {
    let classes = class_folders(dir)?;
    let mut files: Vec<(PathBuf, u8)> = Vec::new();
    for (label, class_dir) in classes.iter().enumerate() {
        let mut entries = visible_entries(class_dir)?;
        entries.retain(|path| path.is_file());
        if entries.is_empty() {
            return Err(DataError::EmptyClass {
                path: class_dir.clone(),
            });
        }
        files.extend(entries.into_iter().map(|path| (path, label as u8)));
    }
    // Decode in parallel, but report the first bad file in name order, so the
    // message is the same on every run.
    let decoded: Vec<Result<Vec<u8>, DataError>> = files
        .par_iter()
        .map(|(path, _)| read_resized(path))
        .collect();
    let decoded: Vec<Vec<u8>> = decoded.into_iter().collect::<Result<_, _>>()?;
    let mut pixels = Vec::with_capacity(decoded.len() * IMAGE_BYTES);
    for planes in decoded {
        pixels.extend_from_slice(&planes);
    }
    let labels = files.iter().map(|(_, label)| *label).collect();
    let names = classes
        .iter()
        .map(|path| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    ImageSet::new(pixels, labels, names)
}

/// Reads one image file and returns it as 32x32 colour planes, prepared exactly as
/// prediction prepares an image ([`read_image`]).
pub fn read_resized(path: &Path) -> Result<Vec<u8>, DataError> {
    read_image(path)
}

fn class_folders(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    if !dir.is_dir() {
        return Err(DataError::Missing {
            path: dir.to_path_buf(),
            fix: "pass a folder that holds one sub-folder of images per class".into(),
        });
    }
    let mut classes = visible_entries(dir)?;
    classes.retain(|path| path.is_dir());
    if classes.len() < 2 {
        return Err(DataError::TooFewClasses {
            path: dir.to_path_buf(),
            found: classes.len(),
        });
    }
    Ok(classes)
}

/// Entries of a folder, sorted by name, without hidden ones.
fn visible_entries(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| DataError::io(dir, e))? {
        let entry = entry.map_err(|e| DataError::io(dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            entries.push(entry.path());
        }
    }
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_folders_with(dir: &Path, bad_name: &str, bad_bytes: &[u8]) {
        for class in ["cat", "dog"] {
            std::fs::create_dir_all(dir.join(class)).unwrap();
            image::RgbImage::new(40, 30)
                .save(dir.join(class).join("fine.png"))
                .unwrap();
        }
        std::fs::write(dir.join("dog").join(bad_name), bad_bytes).unwrap();
    }

    #[test]
    fn photos_of_any_size_become_32x32_and_hidden_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        class_folders_with(dir.path(), ".DS_Store", b"junk");
        let set = load(dir.path()).unwrap();
        assert_eq!(
            (set.len(), set.class_names()),
            (2, &["cat".to_string(), "dog".into()][..])
        );
    }

    #[test]
    fn a_photo_too_large_to_decode_gets_the_shrink_advice_not_the_convert_advice() {
        let dir = tempfile::tempdir().unwrap();
        // A PNG header claiming 100000x100000 pixels: refused before decoding.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&100_000u32.to_be_bytes());
        chunk.extend_from_slice(&100_000u32.to_be_bytes());
        chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut crc = flate2::Crc::new();
        crc.update(&chunk);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc.sum().to_be_bytes());
        for kind in [b"IDAT", b"IEND"] {
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            png.extend_from_slice(&0u32.to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(&crc.sum().to_be_bytes());
        }
        class_folders_with(dir.path(), "poster.png", &png);
        let message = load(dir.path()).unwrap_err().to_string();
        assert!(message.contains("poster.png"), "{message}");
        assert!(message.contains("too large to decode safely"), "{message}");
        assert!(message.contains("shrink it"), "{message}");
        assert!(!message.contains("convert it to PNG or JPEG"), "{message}");
    }
}
