//! A class's submissions: one folder per learner, holding the stage folder or being
//! it, copied into the grader's own folder before anything is built; and the share
//! of them one shard grades.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Result, bail};

use super::TIMESTAMP_FILE;
use crate::check::intake;
use crate::check::{StageFolder, locate};

/// One learner's folder.
#[derive(Debug, Clone)]
pub struct Learner {
    /// The folder's name: the learner's id in the gradebook.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
}

/// What a learner's folder holds.
#[derive(Debug)]
pub enum Found {
    /// The stage folder to grade.
    Stage(StageFolder),
    /// No stage at all.
    Missing(String),
    /// Something that cannot be graded as this stage.
    NotAStage(String),
}

/// The learners in `dir`, sorted by name; an error when there are none.
pub fn learners(dir: &Path) -> Result<Vec<Learner>> {
    if !dir.is_dir() {
        bail!(
            "the submissions folder {} does not exist. Fix: pass the folder that holds one folder per learner",
            dir.display()
        );
    }
    let mut learners = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // A link is listed too: it is refused by name, not skipped unseen.
        let file_type = entry.file_type()?;
        if (file_type.is_dir() || file_type.is_symlink()) && !name.starts_with('.') {
            learners.push(Learner {
                name,
                dir: entry.path(),
            });
        }
    }
    if learners.is_empty() {
        bail!(
            "the submissions folder {} holds no learner folders. Fix: put each learner's stage folder in a folder named after them (submissions/alice/stage05/...)",
            dir.display()
        );
    }
    learners.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(learners)
}

/// Copies what the grader uses of a learner's folder into `to`: `timestamp.txt`,
/// and the stage folder (the learner's folder itself, or each folder inside it
/// holding a `Cargo.toml`), regular files only. The reason, when the folder breaks
/// the rules (a link, a FIFO, too large).
pub fn take_in(learner: &Learner, to: &Path) -> Result<(), String> {
    let dir = &learner.dir;
    let link = |path: &Path| {
        format!(
            "{} is a symbolic link: the grader reads only real folders and files. Fix: copy the learner's files into a folder of their own",
            path.display()
        )
    };
    let metadata = std::fs::symlink_metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if metadata.is_symlink() {
        return Err(link(dir));
    }
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let timestamp = dir.join(TIMESTAMP_FILE);
    if intake::exists(&timestamp) {
        intake::small_file(&timestamp, &to.join(TIMESTAMP_FILE)).map_err(|e| {
            format!("{e:#}. Fix: write the hand-in time into a plain, short {TIMESTAMP_FILE}")
        })?;
    }
    if intake::exists(&dir.join("Cargo.toml")) {
        return intake::stage_folder(dir, to).map_err(|e| format!("{e:#}"));
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for inner in entries {
        let Ok(metadata) = std::fs::symlink_metadata(&inner) else {
            continue;
        };
        if metadata.is_symlink() && inner.join("Cargo.toml").exists() {
            return Err(link(&inner));
        }
        if metadata.is_dir() && intake::exists(&inner.join("Cargo.toml")) {
            let name = inner.file_name().unwrap_or_default();
            intake::stage_folder(&inner, &to.join(name)).map_err(|e| format!("{e:#}"))?;
        }
    }
    Ok(())
}

/// Finds the `slug` stage in the grader's `copy` of a learner's folder: the folder
/// itself, or one folder inside it. Messages and the stage's origin name the
/// learner's own folder.
pub fn find_stage(learner: &Learner, copy: &Path, slug: &str) -> Found {
    let in_learners_words = |text: String| {
        text.replace(
            &copy.display().to_string(),
            &learner.dir.display().to_string(),
        )
    };
    let located = |dir: &Path| {
        locate(dir, slug)
            .map(|folder| {
                let inside = dir.strip_prefix(copy).unwrap_or(Path::new(""));
                StageFolder {
                    origin: learner.dir.join(inside),
                    ..folder
                }
                .read_from(dir)
            })
            .map_err(|error| in_learners_words(format!("{error:#}")))
    };
    if copy.join("Cargo.toml").is_file() {
        return match located(copy) {
            Ok(folder) => Found::Stage(folder),
            Err(why) => Found::NotAStage(why),
        };
    }
    let mut matching = Vec::new();
    let mut others = Vec::new();
    for dir in intake::folders_in(copy)
        .iter()
        .filter(|d| d.join("Cargo.toml").is_file())
    {
        match located(dir) {
            Ok(folder) => matching.push(folder),
            Err(why) => others.push(why),
        }
    }
    match (matching.len(), others.first()) {
        (1, _) => Found::Stage(matching.remove(0)),
        (0, None) => Found::Missing(format!(
            "{} holds no {slug} folder (no Cargo.toml in it or in a folder inside it)",
            learner.dir.display()
        )),
        (0, Some(first)) => Found::NotAStage(first.clone()),
        (count, _) => Found::NotAStage(format!(
            "{} holds {count} {slug} folders ({}): grade one. Fix: keep only the folder the learner hands in",
            learner.dir.display(),
            matching
                .iter()
                .map(|f| f
                    .origin
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `--shard K/N`: the K-th of N shares of the class, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which share, 1 to `count`.
    pub index: usize,
    /// How many shares.
    pub count: usize,
}

impl Shard {
    /// Every `count`-th learner, starting from the `index`-th.
    pub fn take<T>(&self, all: Vec<T>) -> Vec<T> {
        all.into_iter()
            .enumerate()
            .filter(|(position, _)| position % self.count == self.index - 1)
            .map(|(_, item)| item)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let fail =
            || format!("`{text}` is not a shard. Fix: write K/N with 1 <= K <= N, such as 2/4");
        let (index, count) = text.split_once('/').ok_or_else(fail)?;
        let index: usize = index.trim().parse().map_err(|_| fail())?;
        let count: usize = count.trim().parse().map_err(|_| fail())?;
        if index == 0 || index > count {
            return Err(fail());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_class_without_overlap() {
        let class: Vec<usize> = (0..7).collect();
        let first: Shard = "1/3".parse().unwrap();
        let second: Shard = "2/3".parse().unwrap();
        let third: Shard = "3/3".parse().unwrap();
        assert_eq!(first.take(class.clone()), [0, 3, 6]);
        assert_eq!(second.take(class.clone()), [1, 4]);
        assert_eq!(third.take(class), [2, 5]);
        for bad in ["0/2", "3/2", "2", "a/b"] {
            assert!(bad.parse::<Shard>().unwrap_err().contains("Fix:"), "{bad}");
        }
    }

    #[test]
    fn a_learner_folder_without_a_stage_or_with_two_is_named() {
        let class = tempfile::tempdir().unwrap();
        let empty = class.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let learner = |dir: &Path| Learner {
            name: "x".into(),
            dir: dir.to_path_buf(),
        };
        let find = |dir: &Path, slug: &str| {
            let copy = tempfile::tempdir().unwrap();
            take_in(&learner(dir), copy.path()).unwrap();
            find_stage(&learner(dir), copy.path(), slug)
        };
        assert!(matches!(find(&empty, "stage01"), Found::Missing(_)));
        let twice = class.path().join("twice");
        let solution = crate::repo::root().join("solutions/stage01");
        for copy in ["a", "b"] {
            let dir = twice.join(copy);
            std::fs::create_dir_all(dir.join("src")).unwrap();
            for file in ["Cargo.toml", "src/lib.rs", "src/main.rs"] {
                std::fs::copy(solution.join(file), dir.join(file)).unwrap();
            }
        }
        match find(&twice, "stage01") {
            Found::NotAStage(why) => assert!(why.contains("2 stage01 folders"), "{why}"),
            other => panic!("{other:?}"),
        }
        match find(&twice, "stage02") {
            Found::NotAStage(why) => {
                assert!(why.contains("not stage02"), "{why}");
                assert!(why.contains(&twice.display().to_string()), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert!(learners(&class.path().join("nobody")).is_err());
        let none = tempfile::tempdir().unwrap();
        assert!(
            learners(none.path())
                .unwrap_err()
                .to_string()
                .contains("no learner folders")
        );
    }
}
