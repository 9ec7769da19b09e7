//! Copying what the grader reads into its own space before anything reads it: a
//! submission before any code is built, a run's results after every process of the
//! run has ended. Only regular files and folders are copied, never through a
//! link; a file is opened without following a link and without blocking (a FIFO
//! opens at once, is seen not to be a file, and is never read), and sizes are
//! capped. Nothing the learner's code did, or left behind, can then change what the
//! grader reads, hang it, or point it at a file elsewhere.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The most a copy may hold.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Bytes of one file.
    pub file_bytes: u64,
    /// Bytes of all files together.
    pub total_bytes: u64,
    /// Files and folders together.
    pub entries: usize,
}

/// What a submission may hold: sources and answers are text, a few hundred KB at
/// most in practice.
pub const SUBMISSION: Caps = Caps {
    file_bytes: 1 << 20,
    total_bytes: 8 << 20,
    entries: 1000,
};

/// What a run's results may hold: models and charts, with room to spare (a stage-5
/// check run writes about 2 MB).
pub const RESULTS: Caps = Caps {
    file_bytes: 256 << 20,
    total_bytes: 1 << 30,
    entries: 10_000,
};

/// A running count against the caps.
#[derive(Debug)]
struct Budget {
    caps: Caps,
    bytes: u64,
    entries: usize,
}

impl Budget {
    fn new(caps: Caps) -> Self {
        Budget {
            caps,
            bytes: 0,
            entries: 0,
        }
    }

    fn entry(&mut self, path: &Path) -> Result<()> {
        self.entries += 1;
        if self.entries > self.caps.entries {
            bail!(
                "{} is one entry too many: more than {} files and folders. Fix: hand in only the stage's Cargo.toml, src/ and answers.toml",
                path.display(),
                self.caps.entries
            );
        }
        Ok(())
    }
}

/// What is not a plain file or folder, in words.
fn kind(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file, refusing anything else, without following a link or
/// blocking, up to the budget's caps.
fn read_file(path: &Path, budget: &mut Budget) -> Result<(Vec<u8>, std::fs::Metadata)> {
    // Named before anything is opened: a device is never opened at all.
    let seen = std::fs::symlink_metadata(path)
        .with_context(|| format!("{} cannot be read", path.display()))?;
    if !seen.is_file() {
        bail!(
            "{} is {}, not a regular file",
            path.display(),
            kind(seen.file_type())
        );
    }
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .with_context(|| format!("{} cannot be opened as a plain file", path.display()))?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        bail!(
            "{} is {}, not a regular file",
            path.display(),
            kind(metadata.file_type())
        );
    }
    let room = budget
        .caps
        .file_bytes
        .min(budget.caps.total_bytes - budget.bytes);
    let mut bytes = Vec::new();
    file.take(room + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > room {
        bail!(
            "{} is too large: the grader reads at most {} MiB a file and {} MiB in all",
            path.display(),
            budget.caps.file_bytes >> 20,
            budget.caps.total_bytes >> 20
        );
    }
    budget.bytes += bytes.len() as u64;
    Ok((bytes, metadata))
}

/// Copies one regular file, keeping its modification time (the checker compares
/// it with the run's start).
fn copy_file(from: &Path, to: &Path, budget: &mut Budget) -> Result<()> {
    budget.entry(from)?;
    let (bytes, metadata) = read_file(from, budget)?;
    std::fs::write(to, bytes).with_context(|| format!("writing {}", to.display()))?;
    if let Ok(modified) = metadata.modified() {
        File::options()
            .write(true)
            .open(to)
            .and_then(|file| file.set_modified(modified))
            .with_context(|| format!("dating {}", to.display()))?;
    }
    Ok(())
}

/// What to do with an entry that is neither a regular file nor a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Odd {
    /// Refuse the whole copy, naming the entry (a submission).
    Refuse,
    /// Leave it out (a run's results: the checker then finds the file missing).
    Skip,
}

/// Copies the folder `from` into `to` (which must not exist): regular files and
/// folders only.
pub fn copy_tree(from: &Path, to: &Path, caps: Caps, odd: Odd) -> Result<()> {
    let mut budget = Budget::new(caps);
    copy_tree_within(from, to, &mut budget, odd)
}

fn copy_tree_within(from: &Path, to: &Path, budget: &mut Budget, odd: Odd) -> Result<()> {
    let metadata =
        std::fs::symlink_metadata(from).with_context(|| format!("reading {}", from.display()))?;
    if !metadata.is_dir() {
        bail!(
            "{} is {}, not a folder",
            from.display(),
            kind(metadata.file_type())
        );
    }
    budget.entry(from)?;
    std::fs::create_dir(to).with_context(|| format!("creating {}", to.display()))?;
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .with_context(|| format!("reading {}", from.display()))?
        .collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let target = to.join(entry.file_name());
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            copy_tree_within(&path, &target, budget, odd)?;
        } else if file_type.is_file() {
            copy_file(&path, &target, budget)?;
        } else if odd == Odd::Refuse {
            bail!(
                "{} is {}: the grader reads only regular files",
                path.display(),
                kind(file_type)
            );
        }
    }
    Ok(())
}

/// The files of a stage folder the grader uses, copied from `from` into `to`:
/// `Cargo.toml`, `answers.toml` (when there is one) and `src/`. Anything else
/// (`target/`, run folders, notes) is left where it is, unread.
pub fn stage_folder(from: &Path, to: &Path) -> Result<()> {
    let metadata = std::fs::symlink_metadata(from)
        .with_context(|| format!("{} cannot be read", from.display()))?;
    if !metadata.is_dir() {
        bail!(
            "{} is {}, not a folder. Fix: hand in the stage folder itself, not a link to it",
            from.display(),
            kind(metadata.file_type())
        );
    }
    let mut budget = Budget::new(SUBMISSION);
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    // A stage folder without a manifest is `locate`'s to name.
    for name in ["Cargo.toml", kindling_checker::ANSWERS_FILE] {
        let path = from.join(name);
        if exists(&path) {
            copy_file(&path, &to.join(name), &mut budget)
                .map_err(|e| anyhow::anyhow!("{e:#}. Fix: hand in {name} as a plain file"))?;
        }
    }
    let src = from.join("src");
    if std::fs::symlink_metadata(&src).is_ok() {
        copy_tree_within(&src, &to.join("src"), &mut budget, Odd::Refuse).map_err(|e| {
            anyhow::anyhow!("{e:#}. Fix: hand in src/ with plain files and folders only")
        })?;
    }
    Ok(())
}

/// Copies a small regular file (a learner's `timestamp.txt`), or says why not.
pub fn small_file(from: &Path, to: &Path) -> Result<()> {
    let mut budget = Budget::new(Caps {
        file_bytes: 4096,
        total_bytes: 4096,
        entries: 1,
    });
    copy_file(from, to, &mut budget)
}

/// Whether something (even a dangling link) is at `path`.
pub fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// The folders directly inside `dir` (not links to folders), sorted.
pub fn folders_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_fifos_and_oversized_files_are_refused_or_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let stage = dir.path().join("stage01");
        std::fs::create_dir_all(stage.join("src/nested")).unwrap();
        std::fs::write(stage.join("Cargo.toml"), "[package]\nname = \"stage01\"\n").unwrap();
        std::fs::write(stage.join("src/lib.rs"), "// lib\n").unwrap();
        std::fs::write(stage.join("src/nested/more.rs"), "// more\n").unwrap();
        std::fs::create_dir_all(stage.join("target/debug")).unwrap();
        std::fs::write(stage.join("target/debug/big"), vec![0u8; 3 << 20]).unwrap();
        let copy = dir.path().join("copy");
        stage_folder(&stage, &copy).unwrap();
        assert_eq!(
            std::fs::read_to_string(copy.join("src/nested/more.rs")).unwrap(),
            "// more\n"
        );
        assert!(
            !copy.join("target").exists(),
            "only what is graded is copied"
        );

        // answers.toml as a link to a file elsewhere.
        std::os::unix::fs::symlink("/etc/passwd", stage.join("answers.toml")).unwrap();
        let error = stage_folder(&stage, &dir.path().join("c2")).unwrap_err();
        assert!(format!("{error:#}").contains("answers.toml"), "{error:#}");
        std::fs::remove_file(stage.join("answers.toml")).unwrap();

        // A FIFO in src/: refused without blocking.
        let fifo = stage.join("src/pipe.rs");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let error = stage_folder(&stage, &dir.path().join("c3")).unwrap_err();
        assert!(format!("{error:#}").contains("FIFO"), "{error:#}");
        // In results, it is left out and the rest is copied.
        let results = dir.path().join("results");
        copy_tree(&stage.join("src"), &results, RESULTS, Odd::Skip).unwrap();
        assert!(results.join("lib.rs").is_file() && !exists(&results.join("pipe.rs")));
        std::fs::remove_file(&fifo).unwrap();

        // Too large.
        std::fs::write(stage.join("src/huge.rs"), vec![b'a'; 2 << 20]).unwrap();
        let error = stage_folder(&stage, &dir.path().join("c4")).unwrap_err();
        assert!(format!("{error:#}").contains("too large"), "{error:#}");
        std::fs::remove_file(stage.join("src/huge.rs")).unwrap();

        // The stage folder itself a link.
        let link = dir.path().join("linked");
        std::os::unix::fs::symlink(&stage, &link).unwrap();
        let error = stage_folder(&link, &dir.path().join("c5")).unwrap_err();
        assert!(format!("{error:#}").contains("symbolic link"), "{error:#}");
    }

    #[test]
    fn a_copy_keeps_each_files_time() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        std::fs::create_dir(&from).unwrap();
        let file = from.join("history.json");
        std::fs::write(&file, "[]").unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let to = dir.path().join("to");
        copy_tree(&from, &to, RESULTS, Odd::Skip).unwrap();
        let copied = std::fs::metadata(to.join("history.json")).unwrap();
        assert_eq!(copied.modified().unwrap(), old);
    }
}
