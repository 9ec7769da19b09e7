//! The folder a command writes its results into: filled in a hidden temporary
//! folder beside it and renamed into place only when everything is written, so
//! a failed or interrupted run never leaves half a run behind.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use kindling::data::atomic::{parent_folder, replace_dir};

/// Files whose presence marks a folder as holding a run.
const RUN_MARKERS: [&str; 4] = ["history.json", "config.json", "model.bpk", "checkpoint.kpt"];

/// A run folder being written.
pub struct StagedRun {
    destination: PathBuf,
    staging: tempfile::TempDir,
}

impl StagedRun {
    /// Prepares to write into `out`, or into the next free `runs/run-NNN` when no
    /// folder is given. An existing folder that holds anything is refused unless
    /// `force` is set.
    pub fn prepare(out: Option<&Path>, force: bool) -> Result<StagedRun> {
        Self::prepare_numbered(out, force, "run")
    }

    /// Like [`prepare`](Self::prepare), but the default folder is the next free
    /// `runs/{prefix}-NNN` (`lr-find-001`, `compare-001`, ...), so each command's
    /// results are numbered on their own.
    pub fn prepare_numbered(out: Option<&Path>, force: bool, prefix: &str) -> Result<StagedRun> {
        let destination = match out {
            Some(out) => out.to_path_buf(),
            None => next_free_numbered(Path::new("runs"), prefix),
        };
        if destination.is_file() {
            bail!(
                "{} is a file. Fix: pass a folder to --out",
                destination.display()
            );
        }
        if destination.is_dir() && !force {
            let marker = RUN_MARKERS
                .iter()
                .find(|name| destination.join(name).exists());
            let not_empty = std::fs::read_dir(&destination)
                .with_context(|| format!("reading {}", destination.display()))?
                .next()
                .is_some();
            if let Some(marker) = marker {
                bail!(
                    "{} already holds a run ({marker}). Fix: choose another --out, or pass --force to replace it",
                    destination.display()
                );
            }
            if not_empty {
                bail!(
                    "{} is not empty. Fix: choose an empty or new --out folder, or pass --force to replace it",
                    destination.display()
                );
            }
        }
        let parent = parent_folder(&destination).to_path_buf();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let staging = tempfile::Builder::new()
            .prefix(".kindling-run-")
            .tempdir_in(&parent)
            .with_context(|| format!("creating a temporary folder in {}", parent.display()))?;
        Ok(StagedRun {
            destination,
            staging,
        })
    }

    /// The folder the run is written into for now.
    pub fn dir(&self) -> &Path {
        self.staging.path()
    }

    /// Where a file of the run is written for now.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.path().join(name)
    }

    /// Moves the finished run into place, replacing an older one (only reachable
    /// with `--force`).
    pub fn commit(self) -> Result<PathBuf> {
        let staging = self.staging.keep();
        replace_dir(&staging, &self.destination).with_context(|| {
            format!(
                "moving the run from {} to {}",
                staging.display(),
                self.destination.display()
            )
        })?;
        Ok(self.destination)
    }
}

/// `runs/run-001`, `runs/run-002`, ...: the first that does not exist yet.
#[cfg(test)]
fn next_free(root: &Path) -> PathBuf {
    next_free_numbered(root, "run")
}

/// `root/{prefix}-001`, `root/{prefix}-002`, ...: the first that does not exist yet.
fn next_free_numbered(root: &Path, prefix: &str) -> PathBuf {
    (1..)
        .map(|n| root.join(format!("{prefix}-{n:03}")))
        .find(|path| !path.exists())
        .expect("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_folder_is_refused_without_force_and_replaced_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("history.json"), "{}").unwrap();
        let message = StagedRun::prepare(Some(&out), false)
            .err()
            .unwrap()
            .to_string();
        assert!(message.contains("already holds a run") && message.contains("--force"));

        let staged = StagedRun::prepare(Some(&out), true).unwrap();
        std::fs::write(staged.file("new.txt"), "x").unwrap();
        staged.commit().unwrap();
        assert!(out.join("new.txt").exists());
        assert!(!out.join("history.json").exists());
    }

    #[test]
    fn a_dropped_run_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let staged = StagedRun::prepare(Some(&out), false).unwrap();
        std::fs::write(staged.file("history.json"), "{}").unwrap();
        drop(staged);
        assert!(!out.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn numbered_folders_skip_taken_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("run-001")).unwrap();
        assert_eq!(next_free(dir.path()), dir.path().join("run-002"));
    }
}
