//! Where datasets live on disk, and whether a dataset folder is complete.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::FetchError;

/// Environment variable that overrides the dataset cache folder.
pub const DATA_DIR_ENV: &str = "KINDLING_DATA";

/// The folder that holds downloaded datasets: `$KINDLING_DATA` if set, otherwise
/// `kindling` inside the platform cache folder (e.g. `~/.cache/kindling` on Linux).
///
/// Fails with [`FetchError::NoDataDir`] when neither exists.
pub fn data_dir() -> Result<PathBuf, FetchError> {
    data_dir_from(std::env::var_os(DATA_DIR_ENV), dirs::cache_dir())
}

/// [`data_dir`] without touching the environment: `kindling_data` is the value of
/// `KINDLING_DATA` (if set) and `platform_cache` the platform cache folder (if any).
///
/// An empty `KINDLING_DATA` counts as unset, as shells make `KINDLING_DATA=` easy
/// to write by accident, and an empty path would mean "the current folder".
pub fn data_dir_from(
    kindling_data: Option<OsString>,
    platform_cache: Option<PathBuf>,
) -> Result<PathBuf, FetchError> {
    match (kindling_data, platform_cache) {
        (Some(dir), _) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        (_, Some(cache)) => Ok(cache.join("kindling")),
        _ => Err(FetchError::NoDataDir),
    }
}

/// The names in `files` that are not regular files inside `dir` (all of them if
/// `dir` does not exist).
pub(crate) fn missing_files(dir: &Path, files: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|name| !dir.join(name).is_file())
        .map(|name| (*name).to_owned())
        .collect()
}
