//! MD5 checksums of files, computed by streaming (never the whole file in memory).

use std::fs::File;
use std::io;
use std::path::Path;

use md5::{Digest, Md5};

/// The MD5 of the file at `path`, as 32 lowercase hexadecimal digits.
pub(crate) fn md5_file(path: &Path) -> io::Result<String> {
    let mut hasher = Md5::new();
    io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// `text` as a lowercase MD5 hex string, or `None` if it is not 32 hex digits.
/// Surrounding whitespace and uppercase (as pasted from web pages) are accepted.
pub(crate) fn normalize_md5(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_a_file_matches_the_known_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc.txt");
        std::fs::write(&path, b"abc").unwrap();
        // RFC 1321 test vector.
        assert_eq!(md5_file(&path).unwrap(), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn checksums_are_normalized_or_rejected() {
        assert_eq!(
            normalize_md5(" C32A1D4AB5D03F1284B67883E8D87530\n").as_deref(),
            Some("c32a1d4ab5d03f1284b67883e8d87530")
        );
        assert_eq!(normalize_md5("c32a1d4ab5d03f1284b67883e8d8753"), None);
        assert_eq!(normalize_md5("g32a1d4ab5d03f1284b67883e8d87530"), None);
    }
}
