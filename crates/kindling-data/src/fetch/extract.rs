//! Unpacking a `.tar.gz` into the cache, all or nothing.
//!
//! The archive is unpacked into a temporary folder inside the cache folder (same
//! file system, so the final move is a single rename). Only when every expected
//! file is there does the dataset folder move into place. If anything fails, the
//! temporary folder is deleted when it goes out of scope.

use std::fs::File;
use std::io::BufReader;
use std::path::{Component, Path};

use flate2::read::GzDecoder;
use tar::EntryType;

use super::FetchError;
use super::cache::missing_files;
use crate::atomic::replace_dir;

/// Extracts `archive` and installs its `folder` as `<cache_dir>/<folder>`,
/// provided it holds all of `files`.
///
/// An existing, incomplete `<cache_dir>/<folder>` is replaced.
pub(crate) fn extract_and_install(
    archive: &Path,
    cache_dir: &Path,
    folder: &str,
    files: &[&str],
) -> Result<(), FetchError> {
    // A recognisable prefix tells a user what a leftover folder (after a crash)
    // was for; it is safe to delete.
    let staging = tempfile::Builder::new()
        .prefix(".kindling-extract-")
        .tempdir_in(cache_dir)
        .map_err(FetchError::io("create a temporary folder in", cache_dir))?;

    unpack(archive, staging.path())?;

    let unpacked = staging.path().join(folder);
    let missing = missing_files(&unpacked, files);
    if !missing.is_empty() {
        return Err(FetchError::MissingFiles {
            archive: archive.to_path_buf(),
            folder: folder.to_owned(),
            missing,
        });
    }

    // An incomplete folder from earlier (a file deleted by hand, say) is replaced.
    let dest = cache_dir.join(folder);
    replace_dir(&unpacked, &dest).map_err(FetchError::io("move the extracted folder to", &dest))
}

/// Unpacks every entry of the gzipped tar `archive` into `into`, refusing entries
/// that could write outside it.
fn unpack(archive: &Path, into: &Path) -> Result<(), FetchError> {
    let extract_error = |cause| FetchError::Extract {
        archive: archive.to_path_buf(),
        cause,
    };
    let file = File::open(archive).map_err(FetchError::io("open", archive))?;
    let mut tar = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    for entry in tar.entries().map_err(extract_error)? {
        let mut entry = entry.map_err(extract_error)?;
        let path = entry.path().map_err(extract_error)?.into_owned();
        let unsafe_entry = |reason| FetchError::UnsafeArchiveEntry {
            archive: archive.to_path_buf(),
            entry: path.display().to_string(),
            reason,
        };
        if let Some(reason) = unsafe_path_reason(&path) {
            return Err(unsafe_entry(reason));
        }
        match entry.header().entry_type() {
            EntryType::Regular | EntryType::Continuous | EntryType::Directory => {
                entry.unpack_in(into).map_err(extract_error)?;
            }
            // Metadata records, not files.
            EntryType::XGlobalHeader
            | EntryType::XHeader
            | EntryType::GNULongName
            | EntryType::GNULongLink => {}
            // A link could point outside the folder and a later entry could write
            // through it; datasets have no business holding links or devices.
            _ => {
                return Err(unsafe_entry(
                    "is a link or special file, not a regular file",
                ));
            }
        }
    }
    Ok(())
}

/// Why `path` may not be unpacked, or `None` if it stays inside the target.
fn unsafe_path_reason(path: &Path) -> Option<&'static str> {
    path.components().find_map(|component| match component {
        Component::Prefix(_) | Component::RootDir => Some("has an absolute path"),
        Component::ParentDir => Some("contains `..`"),
        Component::CurDir | Component::Normal(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_paths_without_parent_steps_are_safe() {
        assert_eq!(unsafe_path_reason(Path::new("a/b.bin")), None);
        assert_eq!(unsafe_path_reason(Path::new("./a/b.bin")), None);
        assert!(unsafe_path_reason(Path::new("/etc/passwd")).is_some());
        assert!(unsafe_path_reason(Path::new("a/../../b")).is_some());
    }
}
