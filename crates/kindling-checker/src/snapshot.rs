//! Reading the reference snapshots that the test suite writes with insta
//! (`tests/snapshots/*.snap`): a YAML header between `---` lines, then the value
//! as JSON.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A reference snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The file.
    pub path: PathBuf,
    /// The `info:` block of the header (the run's context), as text.
    pub info: String,
    /// The snapshot's value.
    pub value: Value,
}

/// The numerics (see `kindling::train::numerics`) of the machine the committed
/// reference runs were made on: the snapshots without a suffix, the book's
/// numbers (`book/numbers/`) and the solutions' `answers.toml` all come from it.
pub const BOOK_NUMERICS: &str = "x86-64-v3";

/// The file insta gives a named snapshot of the course test suite, as recorded
/// on the book's machine.
pub fn snapshot_path(dir: &Path, name: &str) -> PathBuf {
    snapshot_path_for(dir, name, BOOK_NUMERICS)
}

/// The file of snapshot `name` recorded on a machine with `numerics`: the book's
/// own have no suffix, others insta's suffix (`stage05_history@aarch64.snap`).
pub fn snapshot_path_for(dir: &Path, name: &str, numerics: &str) -> PathBuf {
    if numerics == BOOK_NUMERICS {
        dir.join(format!("{name}.snap"))
    } else {
        dir.join(format!("{name}@{numerics}.snap"))
    }
}

/// Snapshot `name` as recorded on a machine that computes as this one does, if
/// it was recorded on one: only such a recording can be compared bit for bit
/// with a run made here.
pub fn local_snapshot_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let path = snapshot_path_for(dir, name, &kindling::train::numerics());
    path.is_file().then_some(path)
}

/// Reads a snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "the reference snapshot {} cannot be read ({e}); run `cargo test --workspace` to write it",
            path.display()
        )
    })?;
    let mut parts = text.splitn(3, "---\n");
    let (Some(""), Some(header), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("{} is not an insta snapshot", path.display()));
    };
    let info = header
        .lines()
        .skip_while(|line| !line.starts_with("info:"))
        .skip(1)
        .take_while(|line| line.starts_with(' '))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(", ");
    let value = serde_json::from_str(body).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Snapshot {
        path: path.to_path_buf(),
        info,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_info_and_body_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.snap");
        std::fs::write(
            &path,
            "---\nsource: tests/solutions.rs\ninfo:\n  seed: 42\n  device: flex\nexpression: x\n---\n{\n  \"a\": [1, 2]\n}\n",
        )
        .unwrap();
        let snapshot = read_snapshot(&path).unwrap();
        assert_eq!(snapshot.info, "seed: 42, device: flex");
        assert_eq!(snapshot.value["a"][1], 2);
        std::fs::write(&path, "not a snapshot").unwrap();
        assert!(read_snapshot(&path).is_err());
    }

    #[test]
    fn other_numerics_have_their_own_files() {
        let dir = Path::new("snaps");
        assert_eq!(
            snapshot_path_for(dir, "h", BOOK_NUMERICS),
            dir.join("h.snap")
        );
        assert_eq!(
            snapshot_path_for(dir, "h", "aarch64"),
            dir.join("h@aarch64.snap")
        );
        let temp = tempfile::tempdir().unwrap();
        let here = kindling::train::numerics();
        assert_eq!(local_snapshot_path(temp.path(), "h"), None);
        std::fs::write(snapshot_path_for(temp.path(), "h", &here), "").unwrap();
        assert_eq!(
            local_snapshot_path(temp.path(), "h"),
            Some(snapshot_path_for(temp.path(), "h", &here))
        );
    }
}
