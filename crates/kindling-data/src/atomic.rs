//! Writing files so that a crash or an error never leaves half a file behind.

use std::io::{self, Write};
use std::path::Path;

/// Writes a file by filling a temporary file in the same folder and renaming it
/// into place, so readers see either the old file or the whole new one.
///
/// The closure gets a buffered writer; its error (or a failed rename) leaves the
/// destination untouched.
pub fn write_atomically<F>(path: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let folder = parent_folder(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kindling-").suffix(".tmp");
    // tempfile makes private (0600) files; results are for sharing, like any file
    // the user writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut temp = builder.tempfile_in(folder)?;
    {
        let mut writer = io::BufWriter::new(temp.as_file_mut());
        fill(&mut writer)?;
        writer.flush()?;
    }
    temp.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// [`write_atomically`] for bytes already in memory.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically(path, |writer| writer.write_all(bytes))
}

/// Moves the folder `new` to `dest`, replacing a folder already there. The old
/// folder is moved aside first and put back if the move fails, so `dest` is never
/// left missing; once the new folder is in place the old one is deleted.
pub fn replace_dir(new: &Path, dest: &Path) -> io::Result<()> {
    let aside = tempfile::Builder::new()
        .prefix(".kindling-replaced-")
        .tempdir_in(parent_folder(dest))?;
    let old = aside.path().join("old");
    let had_old = match std::fs::rename(dest, &old) {
        Ok(()) => true,
        Err(error) if error.kind() == io::ErrorKind::NotFound => false,
        Err(error) => return Err(error),
    };
    if let Err(error) = std::fs::rename(new, dest) {
        if had_old {
            // Best effort: leave things as they were found.
            let _ = std::fs::rename(&old, dest);
        }
        return Err(error);
    }
    Ok(())
}

/// The folder `path` is in (`.` for a bare file name).
pub fn parent_folder(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fill_leaves_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let result = write_atomically(&path, |writer| {
            writer.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_bytes_atomically(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
    }

    #[test]
    fn a_successful_fill_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_bytes_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn replacing_a_folder_swaps_it_whole_and_leaves_nothing_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (new, dest) = (dir.path().join("new"), dir.path().join("dest"));
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("fresh.txt"), "new").unwrap();
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("stale.txt"), "old").unwrap();
        replace_dir(&new, &dest).unwrap();
        assert!(dest.join("fresh.txt").exists());
        assert!(!dest.join("stale.txt").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_replacement_puts_the_old_folder_back() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("kept.txt"), "old").unwrap();
        let error = replace_dir(&dir.path().join("no-such-folder"), &dest).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            std::fs::read_to_string(dest.join("kept.txt")).unwrap(),
            "old"
        );
    }
}
