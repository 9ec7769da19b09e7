//! Downloading datasets into a local cache: `kindling data fetch cifar10`.
//!
//! [`fetch_cifar10`] makes the official CIFAR-10 binary release available as
//! `<cache>/cifar-10-batches-bin/` (see [`data_dir`] for where the cache is).
//! The steps, and what each guarantees:
//!
//! 1. If the folder already holds every expected file, nothing else happens
//!    (no network access at all).
//! 2. The archive is streamed to `<cache>/cifar-10-binary.tar.gz.part`. A `.part`
//!    file left by an interrupted run is resumed with an HTTP `Range` request; a
//!    server that ignores ranges makes the download start over from zero.
//! 3. The finished file is checked against the official MD5 checksum. A file that
//!    does not match is deleted, so the next try starts clean.
//! 4. The archive is extracted into a temporary folder inside the cache and moved
//!    into place with one rename once all files are there, so an interrupted
//!    extraction never leaves a half-filled `cifar-10-batches-bin/`. Entries with
//!    absolute paths or `..` are refused.
//! 5. The archive (about 170 MB) is deleted after a successful extraction to save
//!    disk space. If the extraction fails for a reason outside the archive (a full
//!    disk, say), the verified archive is kept and the next run reuses it without
//!    downloading again.
//!
//! Every failure is a [`FetchError`] whose message names the file or URL, the
//! problem, and what to do about it.
//!
//! Two fetches running at the same time for the same cache folder are not
//! coordinated; run one at a time.

mod cache;
mod checksum;
mod download;
mod error;
mod extract;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cache::{DATA_DIR_ENV, data_dir, data_dir_from};
pub use error::FetchError;

use crate::cifar;
use download::{DownloadRequest, Transfer};

/// Where the official CIFAR-10 binary release is downloaded from.
pub const CIFAR10_URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

/// MD5 checksum of the official `cifar-10-binary.tar.gz`.
pub const CIFAR10_MD5: &str = "c32a1d4ab5d03f1284b67883e8d87530";

/// File name of the downloaded archive inside the cache folder.
pub const CIFAR10_ARCHIVE: &str = "cifar-10-binary.tar.gz";

/// Name of the extracted folder inside the cache folder (and inside the archive).
pub const CIFAR10_DIR: &str = cifar::FOLDER_NAME;

/// The files that a complete `cifar-10-batches-bin/` folder holds.
pub const CIFAR10_FILES: [&str; 7] = [
    cifar::TRAIN_FILES[0],
    cifar::TRAIN_FILES[1],
    cifar::TRAIN_FILES[2],
    cifar::TRAIN_FILES[3],
    cifar::TRAIN_FILES[4],
    cifar::TEST_FILE,
    cifar::META_FILE,
];

/// How long the server may stay silent (while connecting or mid-download) before
/// the download gives up.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// An archive to download and the folder it must unpack to; one per dataset.
struct DatasetSpec {
    archive: &'static str,
    folder: &'static str,
    files: &'static [&'static str],
}

const CIFAR10: DatasetSpec = DatasetSpec {
    archive: CIFAR10_ARCHIVE,
    folder: CIFAR10_DIR,
    files: &CIFAR10_FILES,
};

/// What to download, where to put it, and how to report progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Address of the `.tar.gz` archive: the official one, or a mirror.
    pub url: String,
    /// Expected MD5 checksum of the archive, as 32 hexadecimal digits.
    pub md5: String,
    /// Folder that receives the extracted dataset folder; created if missing.
    pub cache_dir: PathBuf,
    /// Show a progress bar on stderr. It is hidden anyway when stderr is not a
    /// terminal, so logs and pipes stay clean.
    pub progress: bool,
    /// Give up when the server sends nothing for this long.
    pub stall_timeout: Duration,
}

impl FetchOptions {
    /// The official CIFAR-10 archive and checksum, cached in `cache_dir`, with a
    /// progress bar. Use [`data_dir`] for the usual cache folder.
    pub fn cifar10(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            url: CIFAR10_URL.to_owned(),
            md5: CIFAR10_MD5.to_owned(),
            cache_dir: cache_dir.into(),
            progress: true,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
        }
    }
}

/// The result of a successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOutcome {
    /// The extracted dataset folder, e.g. `<cache>/cifar-10-batches-bin`.
    pub dataset_dir: PathBuf,
    /// How the folder came to be there.
    pub source: FetchSource,
}

/// How [`fetch_cifar10`] obtained the dataset folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchSource {
    /// The folder was already complete; nothing was downloaded.
    AlreadyPresent,
    /// A verified archive from an earlier, interrupted run was extracted; nothing
    /// was downloaded.
    CachedArchive,
    /// The archive was downloaded from the beginning.
    Downloaded {
        /// Bytes received.
        bytes: u64,
    },
    /// An earlier partial download was continued.
    Resumed {
        /// Bytes already on disk when this run started.
        from_byte: u64,
        /// Bytes received in this run.
        bytes: u64,
    },
}

impl fmt::Display for FetchOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = self.dataset_dir.display();
        match self.source {
            FetchSource::AlreadyPresent => write!(f, "already present at {dir}"),
            FetchSource::CachedArchive => {
                write!(f, "extracted to {dir} from an archive downloaded earlier")
            }
            FetchSource::Downloaded { bytes } => {
                write!(f, "downloaded {bytes} bytes and extracted to {dir}")
            }
            FetchSource::Resumed { from_byte, bytes } => write!(
                f,
                "resumed the download at byte {from_byte}, received {bytes} more bytes, \
                 and extracted to {dir}"
            ),
        }
    }
}

/// The folder that [`fetch_cifar10`] fills, inside `cache_dir`.
pub fn cifar10_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join(CIFAR10_DIR)
}

/// Makes the CIFAR-10 binary release available in `opts.cache_dir`, downloading,
/// verifying and extracting it as needed (see the [module docs](self)).
///
/// Returns as soon as the folder is complete, without touching the network. The
/// archive is deleted after a successful extraction.
pub fn fetch_cifar10(opts: &FetchOptions) -> Result<FetchOutcome, FetchError> {
    fetch_dataset(&CIFAR10, opts)
}

fn fetch_dataset(spec: &DatasetSpec, opts: &FetchOptions) -> Result<FetchOutcome, FetchError> {
    // Check the checksum's shape first: a typo should not cost a 170 MB download.
    let expected_md5 =
        checksum::normalize_md5(&opts.md5).ok_or_else(|| FetchError::BadChecksumFormat {
            given: opts.md5.clone(),
        })?;

    let cache_dir = &opts.cache_dir;
    let dataset_dir = cache_dir.join(spec.folder);
    if cache::missing_files(&dataset_dir, spec.files).is_empty() {
        return Ok(FetchOutcome {
            dataset_dir,
            source: FetchSource::AlreadyPresent,
        });
    }

    std::fs::create_dir_all(cache_dir).map_err(FetchError::io("create the folder", cache_dir))?;

    let archive = cache_dir.join(spec.archive);
    let source = if reuse_verified_archive(&archive, &expected_md5)? {
        FetchSource::CachedArchive
    } else {
        download_verified(opts, &archive, &dataset_dir, &expected_md5)?
    };

    if let Err(error) = extract::extract_and_install(&archive, cache_dir, spec.folder, spec.files) {
        // A verified archive that lacks files or holds unsafe paths will never
        // extract: drop it so the next run downloads afresh. Other failures (disk
        // full) keep it so the next run need not download again.
        if matches!(
            error,
            FetchError::MissingFiles { .. } | FetchError::UnsafeArchiveEntry { .. }
        ) {
            remove_if_exists(&archive)?;
        }
        return Err(error);
    }

    // The dataset is in place; failing to delete the archive costs disk space, not
    // correctness, so it is not worth failing the fetch for.
    let _ = std::fs::remove_file(&archive);

    Ok(FetchOutcome {
        dataset_dir,
        source,
    })
}

/// Uses an archive left by a run that verified it but then failed to extract it.
/// Returns `false` (after deleting it, if it was bad) when it must be downloaded.
fn reuse_verified_archive(archive: &Path, expected_md5: &str) -> Result<bool, FetchError> {
    if !archive.is_file() {
        return Ok(false);
    }
    let actual = checksum::md5_file(archive).map_err(FetchError::io("read", archive))?;
    if actual == expected_md5 {
        return Ok(true);
    }
    remove_if_exists(archive)?;
    Ok(false)
}

/// Downloads into `<archive>.part`, checks its MD5 and renames it to `archive`.
fn download_verified(
    opts: &FetchOptions,
    archive: &Path,
    dataset_dir: &Path,
    expected_md5: &str,
) -> Result<FetchSource, FetchError> {
    let mut part_name = archive.as_os_str().to_owned();
    part_name.push(".part");
    let part = PathBuf::from(part_name);

    let transfer = download::download(&DownloadRequest {
        url: &opts.url,
        part: &part,
        manual_dest: dataset_dir,
        progress: opts.progress,
        stall_timeout: opts.stall_timeout,
    })?;

    let actual = checksum::md5_file(&part).map_err(FetchError::io("read", &part))?;
    if actual != expected_md5 {
        remove_if_exists(&part)?;
        return Err(FetchError::ChecksumMismatch {
            path: part,
            url: opts.url.clone(),
            expected: expected_md5.to_owned(),
            actual,
        });
    }
    std::fs::rename(&part, archive).map_err(FetchError::io("rename the download to", archive))?;

    Ok(match transfer {
        Transfer::Fresh { bytes } => FetchSource::Downloaded { bytes },
        Transfer::Resumed { from_byte, bytes } => FetchSource::Resumed { from_byte, bytes },
    })
}

pub(crate) fn remove_if_exists(path: &Path) -> Result<(), FetchError> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(FetchError::io("delete", path)(error))
        }
        _ => Ok(()),
    }
}
