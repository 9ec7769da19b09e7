//! Recording every look at a test set: `test_opened.json` in the run folder that
//! opened it, and a ledger in the runs root (the folder that holds the run folders,
//! `runs/`) that counts, per data source and seed, how many times its test set has
//! been looked at and by which runs. Every program that opens a test set on this
//! machine with the same runs root adds to the same ledger: `kindling evaluate
//! runs/run-003`, stage 6 in `runs/stage06`, stage 10's `runs/stage10/improved`.
//!
//! Two programs may open test sets at once: the ledger and the run's record are
//! read, changed and written while holding an exclusive lock on
//! `test_ledger.lock` in the runs root, and each file is replaced atomically, so
//! no count is lost and no reader sees half a file.
//!
//! A test score is an unbiased estimate only the first time the test set is seen:
//! once several runs have been scored on it and the best one kept, the test set has
//! been used to choose, like a validation set. The ledger makes that visible.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::atomic::{parent_folder, write_bytes_atomically};
use crate::image_set::ImageSet;
use crate::sealed::SealedTestSet;

/// The record of test-set openings kept in a run folder.
pub const TEST_OPENED_FILE: &str = "test_opened.json";
/// The ledger kept in the runs root, the folder that holds the run folders.
pub const LEDGER_FILE: &str = "test_ledger.json";
/// The file whose lock every change of the ledger holds, beside the ledger.
pub const LEDGER_LOCK_FILE: &str = "test_ledger.lock";

/// Who opens a test set, and which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOpening {
    /// The data source, as `DataSource` prints it (`builtin`, `cifar10`, `folder:PATH`).
    pub dataset: String,
    /// The split seed.
    pub seed: u64,
    /// The program that looked, such as `kindling evaluate` or `stage06`.
    pub command: String,
}

/// One opening, as a run folder's `test_opened.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// When, in UTC (RFC 3339, whole seconds).
    pub opened_at: String,
    /// When, as seconds since 1970-01-01 UTC.
    pub unix_seconds: u64,
    /// The program that looked.
    pub command: String,
    /// The data source.
    pub dataset: String,
    /// The split seed.
    pub seed: u64,
    /// How many test images were handed out.
    pub images: usize,
}

/// A run folder's `test_opened.json`: every time this folder opened a test set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOpenedRecord {
    /// The openings, oldest first.
    pub openings: Vec<Opening>,
    /// The ledger the last opening was counted in (absent in records written
    /// before the ledger's place was recorded: then it is beside the run folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<PathBuf>,
}

/// One opening, as the ledger lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerOpening {
    /// The run folder, as a path inside the runs root (`run-003`, `stage10/improved`).
    pub run: String,
    /// When, in UTC (RFC 3339, whole seconds).
    pub opened_at: String,
    /// When, as seconds since 1970-01-01 UTC.
    pub unix_seconds: u64,
    /// The program that looked.
    pub command: String,
    /// How many test images were handed out.
    pub images: usize,
}

/// The ledger's count for one test set: a data source and seed, or a data source
/// alone when its test images are the same for every seed (CIFAR-10's test split).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The data source.
    pub dataset: String,
    /// The split seed; `None` when the test images do not depend on it.
    pub seed: Option<u64>,
    /// How many times this test set has been opened (the length of `openings`).
    pub times_opened: usize,
    /// Every opening, oldest first.
    pub openings: Vec<LedgerOpening>,
}

/// The ledger: one entry per test set opened (see [`LedgerEntry`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The entries, in the order their test sets were first opened.
    pub entries: Vec<LedgerEntry>,
}

/// A record or ledger that could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The file exists but is not what Kindling wrote.
    #[error(
        "{} is damaged: {problem}. Fix: {fix}",
        path.display()
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// What to do about it.
        fix: &'static str,
    },
    /// Reading, writing or locking failed.
    #[error("could not {action} {}: {problem}. Fix: check that the folder exists and is writable", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// `read`, `write` or `lock`.
        action: &'static str,
        /// What the system said.
        problem: String,
    },
}

const LEDGER_FIX: &str = "restore it from a backup, or move it aside to start counting afresh (the count then starts again at zero, so keep the old file to know how often the test set was really seen)";
const RECORD_FIX: &str = "restore the file, or evaluate into a fresh run folder";

impl LedgerEntry {
    /// The distinct run folders that opened this test set, first-seen order.
    pub fn runs(&self) -> Vec<&str> {
        let mut runs: Vec<&str> = Vec::new();
        for opening in &self.openings {
            if !runs.contains(&opening.run.as_str()) {
                runs.push(&opening.run);
            }
        }
        runs
    }

    /// The plain warning shown once a test set has been looked at more than once.
    pub fn warning(&self) -> Option<String> {
        (self.times_opened > 1).then(|| {
            let which = match self.seed {
                Some(seed) => format!("seed {seed}"),
                None => "the same images for every seed".to_string(),
            };
            format!(
                "the {} test set ({which}) has now been looked at {} times, by {}. A test score looked at after choosing among several runs is no longer an unbiased estimate of how the model does on new images: report it as such, or keep a fresh test set for the final score.",
                self.dataset,
                self.times_opened,
                self.runs().join(", ")
            )
        })
    }
}

impl Ledger {
    /// The ledger's path in `root`, the folder that holds the run folders.
    pub fn path_in(root: &Path) -> PathBuf {
        root.join(LEDGER_FILE)
    }

    /// Reads the ledger in `root`; an empty ledger when there is none yet.
    pub fn load(root: &Path) -> Result<Ledger, LedgerError> {
        Self::load_file(&Self::path_in(root))
    }

    /// Reads the ledger file `path`; an empty ledger when there is none yet.
    pub fn load_file(path: &Path) -> Result<Ledger, LedgerError> {
        read_json(path, LEDGER_FIX).map(Option::unwrap_or_default)
    }

    /// The ledger file that counted the openings of the run in `run_dir`: the one
    /// its `test_opened.json` names, or else the one beside it (older records).
    /// `None` when the run never opened a test set.
    pub fn file_of_run(run_dir: &Path) -> Result<Option<PathBuf>, LedgerError> {
        let Some(record) = TestOpenedRecord::load(run_dir)? else {
            return Ok(None);
        };
        Ok(Some(record.ledger.unwrap_or_else(|| {
            let real = std::fs::canonicalize(run_dir).unwrap_or_else(|_| run_dir.to_path_buf());
            Self::path_in(parent_folder(&real))
        })))
    }

    /// The entry of a test set, if it was ever opened: `seed` is `None` for a test
    /// set that is the same for every seed.
    pub fn entry(&self, dataset: &str, seed: Option<u64>) -> Option<&LedgerEntry> {
        self.entries
            .iter()
            .find(|entry| entry.dataset == dataset && entry.seed == seed)
    }

    fn record(&mut self, dataset: &str, seed: Option<u64>, opening: LedgerOpening) -> LedgerEntry {
        let index = match self
            .entries
            .iter()
            .position(|entry| entry.dataset == dataset && entry.seed == seed)
        {
            Some(index) => index,
            None => {
                self.entries.push(LedgerEntry {
                    dataset: dataset.to_string(),
                    seed,
                    times_opened: 0,
                    openings: Vec::new(),
                });
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        entry.openings.push(opening);
        entry.times_opened = entry.openings.len();
        entry.clone()
    }
}

impl TestOpenedRecord {
    /// The record's path in a run folder.
    pub fn path_in(run_dir: &Path) -> PathBuf {
        run_dir.join(TEST_OPENED_FILE)
    }

    /// Reads a run folder's record; `None` when the folder never opened a test set.
    pub fn load(run_dir: &Path) -> Result<Option<TestOpenedRecord>, LedgerError> {
        read_json(&Self::path_in(run_dir), RECORD_FIX)
    }
}

impl SealedTestSet {
    /// Breaks the seal and records it, with the ledger in the folder above
    /// `run_dir` (`runs/run-003` counts in `runs/test_ledger.json`): see
    /// [`SealedTestSet::open_recorded_in`].
    pub fn open_recorded(
        self,
        opening: &TestOpening,
        run_dir: &Path,
    ) -> Result<(ImageSet, LedgerEntry), LedgerError> {
        // `.`, `run/..` or a link still name the real folder and the one above it.
        let real = std::fs::canonicalize(run_dir).unwrap_or_else(|_| run_dir.to_path_buf());
        let root = parent_folder(&real).to_path_buf();
        self.open_recorded_in(opening, run_dir, &root)
    }

    /// Breaks the seal and records it: one more opening in `run_dir/test_opened.json`
    /// and in the ledger of the runs root `root` (`<root>/test_ledger.json`), then
    /// hands out the images with the ledger's updated count for this test set: the
    /// data source and seed, or the data source alone when the set is
    /// [the same for every seed](SealedTestSet::same_for_every_seed). A run folder
    /// nested deeper than the others (stage 10's `runs/stage10/improved`) passes
    /// the runs root itself, so its look is counted with theirs.
    ///
    /// The ledger's lock is held from reading to writing, so evaluations running at
    /// once each add their opening. Both files are read before anything is
    /// written: when either is damaged the error names it and nothing changes.
    /// `run_dir` and `root` must exist.
    pub fn open_recorded_in(
        self,
        opening: &TestOpening,
        run_dir: &Path,
        root: &Path,
    ) -> Result<(ImageSet, LedgerEntry), LedgerError> {
        let real = std::fs::canonicalize(run_dir).unwrap_or_else(|_| run_dir.to_path_buf());
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let _lock = lock(&root)?;
        let mut ledger = Ledger::load(&root)?;
        let mut record = TestOpenedRecord::load(run_dir)?.unwrap_or_default();
        let (unix_seconds, opened_at) = now_utc();
        let images = self.len();
        record.openings.push(Opening {
            opened_at: opened_at.clone(),
            unix_seconds,
            command: opening.command.clone(),
            dataset: opening.dataset.clone(),
            seed: opening.seed,
            images,
        });
        let key_seed = (!self.same_for_every_seed()).then_some(opening.seed);
        record.ledger = Some(Ledger::path_in(&root));
        let entry = ledger.record(
            &opening.dataset,
            key_seed,
            LedgerOpening {
                run: run_name(&real, &root),
                opened_at,
                unix_seconds,
                command: opening.command.clone(),
                images,
            },
        );
        write_json(&TestOpenedRecord::path_in(run_dir), &record)?;
        write_json(&Ledger::path_in(&root), &ledger)?;
        Ok((self.open(), entry))
    }
}

/// Holds the ledger's lock in `root` until the file is dropped (closed).
fn lock(root: &Path) -> Result<File, LedgerError> {
    let path = root.join(LEDGER_LOCK_FILE);
    let failed = |problem: std::io::Error| LedgerError::Io {
        path: path.clone(),
        action: "lock",
        problem: problem.to_string(),
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(failed)?;
    file.lock().map_err(failed)?;
    Ok(file)
}

/// The run folder as the ledger lists it: its path inside the runs root
/// (`run-001`, `stage10/improved`), or its own name when it is elsewhere.
fn run_name(run_dir: &Path, root: &Path) -> String {
    match run_dir.strip_prefix(root) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ => run_dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| run_dir.display().to_string()),
    }
}

fn read_json<T: DeserializeOwned>(
    path: &Path,
    fix: &'static str,
) -> Result<Option<T>, LedgerError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(LedgerError::Io {
                path: path.to_path_buf(),
                action: "read",
                problem: error.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|error| LedgerError::Damaged {
            path: path.to_path_buf(),
            problem: error.to_string(),
            fix,
        })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), LedgerError> {
    let io = |problem: String| LedgerError::Io {
        path: path.to_path_buf(),
        action: "write",
        problem,
    };
    let json = serde_json::to_string_pretty(value).map_err(|e| io(e.to_string()))? + "\n";
    write_bytes_atomically(path, json.as_bytes()).map_err(|e| io(e.to_string()))
}

/// Now, as seconds since the epoch and as an RFC 3339 UTC time.
pub fn now_utc() -> (u64, String) {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    (seconds, rfc3339_utc(seconds))
}

/// `2026-12-01T21:30:05Z` for a number of seconds since 1970-01-01 UTC.
pub fn rfc3339_utc(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let of_day = unix_seconds % 86_400;
    // Howard Hinnant's days-to-civil conversion (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_set::ImageSet;

    fn sealed(count: usize) -> SealedTestSet {
        let names = vec!["a".to_string(), "b".to_string()];
        let pixels = vec![0u8; count * crate::IMAGE_BYTES];
        let labels: Vec<u8> = (0..count).map(|i| (i % 2) as u8).collect();
        SealedTestSet::seal(ImageSet::new(pixels, labels, names).unwrap())
    }

    fn opening(command: &str) -> TestOpening {
        TestOpening {
            dataset: "builtin".into(),
            seed: 7,
            command: command.into(),
        }
    }

    #[test]
    fn utc_times_match_known_dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339_utc(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn each_opening_is_recorded_in_the_run_and_counted_in_the_ledger() {
        let root = tempfile::tempdir().unwrap();
        let (first, second) = (root.path().join("run-001"), root.path().join("run-002"));
        std::fs::create_dir(&first).unwrap();
        std::fs::create_dir(&second).unwrap();

        let (images, entry) = sealed(4).open_recorded(&opening("one"), &first).unwrap();
        assert_eq!(images.len(), 4);
        assert_eq!(entry.times_opened, 1);
        assert_eq!(entry.warning(), None);

        let (_, entry) = sealed(4).open_recorded(&opening("two"), &second).unwrap();
        assert_eq!(entry.times_opened, 2);
        assert_eq!(entry.runs(), vec!["run-001", "run-002"]);
        let warning = entry.warning().unwrap();
        assert!(
            warning.contains("2 times") && warning.contains("unbiased"),
            "{warning}"
        );

        let record = TestOpenedRecord::load(&first).unwrap().unwrap();
        assert_eq!(record.openings.len(), 1);
        assert_eq!(record.openings[0].command, "one");
        assert_eq!(record.openings[0].images, 4);
        let ledger = Ledger::load(root.path()).unwrap();
        assert_eq!(ledger.entry("builtin", Some(7)).unwrap().times_opened, 2);
        assert!(ledger.entry("builtin", Some(8)).is_none());
    }

    #[test]
    fn a_run_folder_given_as_a_dotted_path_keeps_the_ledger_beside_it() {
        let root = tempfile::tempdir().unwrap();
        let run = root.path().join("run-007");
        std::fs::create_dir(&run).unwrap();
        let (_, entry) = sealed(2)
            .open_recorded(&opening("x"), &run.join("."))
            .unwrap();
        assert_eq!(entry.runs(), vec!["run-007"]);
        assert!(root.path().join(LEDGER_FILE).is_file());
        assert!(!run.join(LEDGER_FILE).exists());
    }

    #[test]
    fn another_seed_is_counted_apart() {
        let root = tempfile::tempdir().unwrap();
        let run = root.path().join("run");
        std::fs::create_dir(&run).unwrap();
        sealed(2).open_recorded(&opening("x"), &run).unwrap();
        let other = TestOpening {
            seed: 8,
            ..opening("x")
        };
        let (_, entry) = sealed(2).open_recorded(&other, &run).unwrap();
        assert_eq!(entry.times_opened, 1);
        let record = TestOpenedRecord::load(&run).unwrap().unwrap();
        assert_eq!(record.openings.len(), 2);
    }

    #[test]
    fn a_test_set_that_is_the_same_for_every_seed_is_counted_across_seeds() {
        let root = tempfile::tempdir().unwrap();
        let run = root.path().join("run");
        std::fs::create_dir(&run).unwrap();
        let same = |count| {
            let names = vec!["a".to_string()];
            let set = ImageSet::new(vec![0; count * crate::IMAGE_BYTES], vec![0; count], names);
            SealedTestSet::seal_same_for_every_seed(set.unwrap())
        };
        let cifar = |seed| TestOpening {
            dataset: "cifar10".into(),
            seed,
            command: "x".into(),
        };
        same(3).open_recorded(&cifar(1), &run).unwrap();
        let (_, entry) = same(3).open_recorded(&cifar(2), &run).unwrap();
        assert_eq!((entry.seed, entry.times_opened), (None, 2));
        assert!(
            entry
                .warning()
                .unwrap()
                .contains("the same images for every seed")
        );
        let record = TestOpenedRecord::load(&run).unwrap().unwrap();
        assert_eq!(record.openings[1].seed, 2, "the record keeps the seed used");
    }

    #[test]
    fn a_nested_run_counts_in_the_runs_root_it_names() {
        let root = tempfile::tempdir().unwrap();
        let first = root.path().join("stage06");
        let nested = root.path().join("stage10").join("improved");
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(&nested).unwrap();
        sealed(2)
            .open_recorded(&opening("stage06"), &first)
            .unwrap();
        let (_, entry) = sealed(2)
            .open_recorded_in(&opening("stage10"), &nested, root.path())
            .unwrap();
        assert_eq!(entry.times_opened, 2);
        assert_eq!(entry.runs(), vec!["stage06", "stage10/improved"]);
        assert!(!root.path().join("stage10").join(LEDGER_FILE).exists());
        let ledger = Ledger::file_of_run(&nested).unwrap().unwrap();
        assert_eq!(
            ledger,
            std::fs::canonicalize(root.path())
                .unwrap()
                .join(LEDGER_FILE)
        );
        assert_eq!(
            Ledger::load_file(&ledger)
                .unwrap()
                .entry("builtin", Some(7))
                .unwrap()
                .times_opened,
            2
        );
        assert_eq!(Ledger::file_of_run(root.path()).unwrap(), None);
    }

    #[test]
    fn evaluations_at_once_lose_no_count() {
        let root = tempfile::tempdir().unwrap();
        let runs: Vec<PathBuf> = (0..8)
            .map(|i| {
                let run = root.path().join(format!("run-{i:03}"));
                std::fs::create_dir(&run).unwrap();
                run
            })
            .collect();
        std::thread::scope(|scope| {
            for run in &runs {
                scope.spawn(move || {
                    for _ in 0..5 {
                        sealed(2).open_recorded(&opening("x"), run).unwrap();
                    }
                });
            }
        });
        let ledger = Ledger::load(root.path()).unwrap();
        assert_eq!(ledger.entry("builtin", Some(7)).unwrap().times_opened, 40);
        for run in &runs {
            let record = TestOpenedRecord::load(run).unwrap().unwrap();
            assert_eq!(record.openings.len(), 5);
        }
    }

    #[test]
    fn a_damaged_ledger_is_named_and_nothing_is_written() {
        let root = tempfile::tempdir().unwrap();
        let run = root.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::write(root.path().join(LEDGER_FILE), "{ not json").unwrap();
        let message = sealed(2)
            .open_recorded(&opening("x"), &run)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(LEDGER_FILE)
                && message.contains("damaged")
                && message.contains("Fix:"),
            "{message}"
        );
        assert!(!run.join(TEST_OPENED_FILE).exists());
        assert_eq!(
            std::fs::read_to_string(root.path().join(LEDGER_FILE)).unwrap(),
            "{ not json"
        );
    }
}
