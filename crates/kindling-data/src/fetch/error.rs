//! Everything that can go wrong while fetching a dataset.

use std::io;
use std::path::{Path, PathBuf};

/// A failed fetch. Each message names the file or URL, the problem, and the fix.
///
/// Causes are part of the message (not chained as `source()`), so printing the
/// error once tells the whole story.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Neither `KINDLING_DATA` nor a platform cache folder is available.
    #[error(
        "cannot choose a folder for datasets: KINDLING_DATA is not set and this system has no \
         standard cache folder; set KINDLING_DATA to a writable folder, for example \
         `export KINDLING_DATA=$HOME/kindling-data`"
    )]
    NoDataDir,

    /// The expected checksum is not 32 hexadecimal digits.
    #[error(
        "`{given}` is not an MD5 checksum (expected 32 hexadecimal digits, such as {}); \
         pass the checksum of the official file",
        super::CIFAR10_MD5
    )]
    BadChecksumFormat {
        /// The checksum as given.
        given: String,
    },

    /// Reading or writing a local file or folder failed.
    #[error(
        "could not {action} `{}`: {cause}; check that the folder is writable and that the disk \
         has space, then try again",
        .path.display()
    )]
    Io {
        /// What was being done, e.g. "create the folder".
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        cause: io::Error,
    },

    /// The server could not be reached or did not answer (refused, unknown host,
    /// timeout, TLS failure...).
    #[error(
        "could not download {url}: {reason}; check your network connection and try again, or \
         pass --url with a mirror, or download the file by hand, extract it, and place the \
         extracted folder at `{}`",
        .manual_dest.display()
    )]
    Unreachable {
        /// The address that was requested.
        url: String,
        /// What went wrong.
        reason: String,
        /// Where a hand-extracted dataset folder would go.
        manual_dest: PathBuf,
    },

    /// The server answered with an error status such as 404.
    #[error(
        "could not download {url}: the server answered HTTP {status}; check the address, or pass \
         --url with a mirror, or download the file by hand, extract it, and place the extracted \
         folder at `{}`",
        .manual_dest.display()
    )]
    HttpStatus {
        /// The address that was requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Where a hand-extracted dataset folder would go.
        manual_dest: PathBuf,
    },

    /// The connection broke or stalled mid-download. The partial file is kept.
    #[error(
        "the download of {url} stopped after {}: {reason}; the partial file `{}` is kept, so \
         run the command again to resume where it stopped",
        describe_progress(.received, .total),
        .part.display()
    )]
    Interrupted {
        /// The address that was requested.
        url: String,
        /// The partial file, kept for resuming.
        part: PathBuf,
        /// Bytes now in the partial file.
        received: u64,
        /// Size of the whole file, when the server said.
        total: Option<u64>,
        /// What went wrong.
        reason: String,
    },

    /// The server's answer made no sense for a file download (for example, it
    /// resumed at the wrong byte). Any partial file has been deleted.
    #[error(
        "{url} sent an unexpected response: {problem}; try again, or pass --url with a mirror \
         that serves the official file"
    )]
    UnexpectedResponse {
        /// The address that was requested.
        url: String,
        /// What was wrong with the response.
        problem: String,
    },

    /// The downloaded file is not the expected one. It has been deleted.
    #[error(
        "checksum mismatch for `{}` downloaded from {url}: expected MD5 {expected}, got \
         {actual}; the file was deleted so the next try starts clean: run the command again, \
         and if it fails the same way, the server (or the mirror given with --url) does not \
         serve the official file",
        .path.display()
    )]
    ChecksumMismatch {
        /// The file that was checked (and deleted).
        path: PathBuf,
        /// Where it came from.
        url: String,
        /// The expected MD5, lowercase hex.
        expected: String,
        /// The MD5 of what was downloaded, lowercase hex.
        actual: String,
    },

    /// The archive holds an entry that would land outside the extraction folder
    /// (absolute path, `..`, or a link). The archive has been deleted.
    #[error(
        "refusing to extract `{}`: its entry `{entry}` {reason}; the archive was deleted; it is \
         not the official file, so pass --url with a mirror that serves the official file",
        .archive.display()
    )]
    UnsafeArchiveEntry {
        /// The archive.
        archive: PathBuf,
        /// The offending entry's path.
        entry: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The archive unpacked without some expected files. The archive has been
    /// deleted and nothing was put in place.
    #[error(
        "`{}` does not contain the expected files: `{folder}/` lacks {}; the archive was \
         deleted and nothing was installed; run the command again, and if it fails the same \
         way, the server (or the mirror given with --url) does not serve the official file",
        .archive.display(),
        .missing.join(", ")
    )]
    MissingFiles {
        /// The archive.
        archive: PathBuf,
        /// The folder that should hold the files.
        folder: String,
        /// The expected files that were not found.
        missing: Vec<String>,
    },

    /// Unpacking the archive failed (often: the disk is full). The verified
    /// archive is kept, so the next run extracts it without downloading again.
    #[error(
        "could not extract `{}`: {cause}; nothing was installed and the archive is kept; free \
         some disk space (CIFAR-10 needs about 200 MB) and run the command again, which will \
         not download the archive again",
        .archive.display()
    )]
    Extract {
        /// The archive.
        archive: PathBuf,
        /// The underlying error.
        cause: io::Error,
    },
}

impl FetchError {
    /// Builds a [`FetchError::Io`] mapper: `.map_err(FetchError::io("read", &path))`.
    pub(crate) fn io<'a>(
        action: &'static str,
        path: &'a Path,
    ) -> impl FnOnce(io::Error) -> Self + 'a {
        move |cause| FetchError::Io {
            action,
            path: path.to_path_buf(),
            cause,
        }
    }
}

fn describe_progress(received: &u64, total: &Option<u64>) -> String {
    match total {
        Some(total) => format!("{received} of {total} bytes"),
        None => format!("{received} bytes"),
    }
}
