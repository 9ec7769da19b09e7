//! The reference a graded run is compared with: the stage's reference solution, run
//! at the grading seed, for every stage whose check compares a run with the
//! reference's (`REFERENCE_HISTORIES`).
//!
//! Nobody can touch it. It is built from a pristine copy of `solutions/stageNN`,
//! each file checked against the one committed to git, built and run under the same
//! confinement as a submission (which also builds every dependency once, before any
//! submission's build runs against the clock). Its histories are kept in
//! `target/kindling-grade-cache/`, where no build or run may write, and each entry
//! is sealed with an HMAC-SHA256 under a key kept beside them that only the grader
//! reads; an entry whose seal does not match is made again.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kindling::train::History;
use kindling_checker::bands::{ReferenceEpoch, reference_epochs};
use kindling_checker::stages::{stage05, stage08};
use kindling_checker::{Reference, StageInfo};

use crate::check::build::{BuildOutcome, BuildRules, build, locate};
use crate::check::intake;
use crate::check::run::Scratch;
use crate::confine::{Confinement, DEFAULT_OUTPUT_BYTES, Limits};
use crate::repo;

/// Stages whose check compares a run with the reference solution's: the snapshot
/// each grading reference replaces, and the file of the reference run it is made
/// from.
const REFERENCE_HISTORIES: [(u8, &[(&str, &str)]); 2] = [
    (
        5,
        &[(
            stage05::HISTORY_SNAPSHOT,
            kindling_checker::facts::stage05::HISTORY_FILE,
        )],
    ),
    (
        8,
        &[
            (stage08::BASELINE_SNAPSHOT, stage08::REFERENCE_HISTORIES[0]),
            (stage08::IMPROVED_SNAPSHOT, stage08::REFERENCE_HISTORIES[1]),
        ],
    ),
];

/// Decimals kept from the reference run (the bands are hundredths wide).
const DECIMALS: i32 = 6;

/// Seconds the reference's build may take: on a fresh build folder it builds every
/// dependency, Burn included.
pub const REFERENCE_BUILD_SECONDS: u64 = 3600;

/// The snapshots whose grading references `stage` needs (none for most stages).
pub fn histories(stage: &StageInfo) -> &'static [(&'static str, &'static str)] {
    REFERENCE_HISTORIES
        .iter()
        .find(|(number, _)| *number == stage.number)
        .map_or(&[], |(_, files)| files)
}

/// Builds the pristine reference solution of `stage` (so every dependency is built
/// before any submission is), and returns the references for `seed`, by snapshot
/// name, made or read from the cache.
pub fn prepare(
    stage: &StageInfo,
    seed: u64,
    confinement: Confinement,
    show: bool,
) -> Result<BTreeMap<String, Reference>> {
    let pristine = tempfile::Builder::new()
        .prefix("kindling-reference-")
        .tempdir()?;
    let solution = repo::root().join("solutions").join(stage.slug());
    let copy = pristine.path().join(stage.slug());
    intake::stage_folder(&solution, &copy)
        .with_context(|| format!("copying the reference solution {}", solution.display()))?;
    check_committed(&repo::root(), &solution, &copy)?;
    let wanted = histories(stage);
    let hash = source_hash(&copy)?;
    // A reference holds only on computers with the same numerics as the one that made it.
    let cache = cache_dir().join(format!(
        "{}-seed{seed}-{}-{hash:016x}.json",
        stage.slug(),
        kindling::train::numerics()
    ));
    let key = grader_key()?;
    let cached = if wanted.is_empty() {
        None
    } else {
        read_sealed(&cache, &key)
    };
    if show {
        println!("Building the reference solution (a pristine copy) ...");
    }
    let folder = locate(&copy, &stage.slug())?;
    let folder = crate::check::StageFolder {
        origin: solution.clone(),
        ..folder
    }
    .read_from(&copy);
    let rules = BuildRules {
        show,
        confinement,
        seconds: REFERENCE_BUILD_SECONDS,
    };
    let (binary, programs) = match build(&folder, &stage.slug(), rules)? {
        BuildOutcome::Built {
            binary, programs, ..
        } => (binary, programs),
        BuildOutcome::Failed { first_error } => bail!(
            "the reference solution {} does not build as graded code: {first_error}. Fix: check it with `cargo xtask check {} --path {}`",
            solution.display(),
            stage.slug(),
            solution.display()
        ),
    };
    if wanted.is_empty() {
        return Ok(BTreeMap::new());
    }
    let origin = format!("the reference solution run with seed {seed}");
    if let Some(histories) = cached {
        return Ok(references(histories, &origin));
    }
    if show {
        println!("Making the reference for seed {seed}: running the reference solution ...");
    }
    let scratch = Scratch::new(&stage.slug(), &binary, &programs)?;
    let limits = Limits {
        seconds: stage.time_limit * 3,
        output_bytes: DEFAULT_OUTPUT_BYTES,
        memory_bytes: None,
        file_bytes: None,
        echo_stderr: false,
    };
    let outcome = scratch.run(&stage.slug(), "reference", seed, limits, confinement)?;
    if !outcome.status.is_some_and(|s| s.success()) {
        bail!(
            "the reference solution failed at seed {seed}: {}",
            outcome.stderr.text.lines().last().unwrap_or("no output")
        );
    }
    let results = scratch.results()?;
    let mut made = BTreeMap::new();
    for (snapshot, file) in wanted {
        let history = History::load(&results.join(file))
            .map_err(|e| anyhow::anyhow!("the reference run's {file}: {e}"))?;
        made.insert(snapshot.to_string(), reference_epochs(&history, DECIMALS));
    }
    write_sealed(&cache, &key, &made)?;
    Ok(references(made, &origin))
}

fn references(
    histories: BTreeMap<String, Vec<ReferenceEpoch>>,
    origin: &str,
) -> BTreeMap<String, Reference> {
    histories
        .into_iter()
        .map(|(snapshot, epochs)| {
            (
                snapshot,
                Reference {
                    epochs,
                    origin: origin.to_string(),
                },
            )
        })
        .collect()
}

/// The grading cache: `target/kindling-grade-cache/`.
fn cache_dir() -> PathBuf {
    repo::target_dir().join("kindling-grade-cache")
}

/// Checks that the pristine `copy` of `solution` holds exactly the files committed
/// to git: what a run (or anyone) changed in the working tree is never the reference.
fn check_committed(root: &Path, solution: &Path, copy: &Path) -> Result<()> {
    let relative = solution.strip_prefix(root).unwrap_or(solution);
    let fix = format!(
        "Fix: put the committed files back (`git checkout -- {}`), or commit the change, and grade again",
        relative.display()
    );
    let git = |args: &[&str], input: Option<&str>| -> Result<String> {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(root)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().context(
            "git cannot be started to check the reference solution against the committed files. Fix: install git, and grade from a git clone of the course",
        )?;
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(text.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        if !output.status.success() {
            bail!(
                "git {} failed: {}. Fix: grade from a git clone of the course",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    // What HEAD holds: blob hashes by path inside the stage folder.
    let listing = git(
        &[
            "ls-tree",
            "-r",
            "HEAD",
            "--",
            &format!("{}/", relative.display()),
        ],
        None,
    )?;
    let mut committed = BTreeMap::new();
    for line in listing.lines() {
        let Some((meta, path)) = line.split_once('\t') else {
            continue;
        };
        let inside = Path::new(path)
            .strip_prefix(relative)
            .unwrap_or(Path::new(path));
        let graded = inside == Path::new("Cargo.toml")
            || inside == Path::new(kindling_checker::ANSWERS_FILE)
            || inside.starts_with("src");
        if graded && let Some(hash) = meta.split_whitespace().nth(2) {
            committed.insert(inside.to_path_buf(), hash.to_string());
        }
    }
    if committed.is_empty() {
        bail!(
            "{} holds no committed files in git, so the reference cannot be checked. {fix}",
            relative.display()
        );
    }
    let mut copied = Vec::new();
    collect_files(copy, copy, &mut copied)?;
    let paths: Vec<String> = copied
        .iter()
        .map(|p| copy.join(p).display().to_string())
        .collect();
    let hashes = git(
        &["hash-object", "--stdin-paths"],
        Some(&(paths.join("\n") + "\n")),
    )?;
    for (file, hash) in copied.iter().zip(hashes.lines()) {
        match committed.remove(file) {
            Some(expected) if expected == hash => {}
            Some(_) => bail!(
                "{} differs from the committed file: the reference would not be the course's. {fix}",
                relative.join(file).display()
            ),
            None => bail!(
                "{} is not a committed file: the reference would not be the course's. {fix}",
                relative.join(file).display()
            ),
        }
    }
    if let Some(missing) = committed.keys().next() {
        bail!(
            "{} is committed but missing: the reference would not be the course's. {fix}",
            relative.join(missing).display()
        );
    }
    Ok(())
}

/// The files under `dir`, relative to `base`.
fn collect_files(dir: &Path, base: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, base, files)?;
        } else {
            files.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
        }
    }
    files.sort();
    Ok(())
}

/// The key that seals the cache: 32 random bytes, made on first use, readable by
/// the grader's user only, in a folder no build or run may read.
fn grader_key() -> Result<Vec<u8>> {
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("key");
    if let Ok(key) = std::fs::read(&path)
        && key.len() == 32
    {
        return Ok(key);
    }
    let mut key = vec![0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| std::io::Read::read_exact(&mut random, &mut key))
        .context("reading /dev/urandom for the grading cache's key")?;
    // Written beside the key's place, then moved in: never half a key.
    let staged = dir.join(format!(".key-{}", std::process::id()));
    let mut file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&staged)
        .with_context(|| format!("writing {}", staged.display()))?;
    file.write_all(&key)?;
    drop(file);
    std::fs::rename(&staged, &path)?;
    Ok(key)
}

/// A cache entry: the histories and their seal.
#[derive(Serialize, Deserialize)]
struct Sealed {
    histories: BTreeMap<String, Vec<ReferenceEpoch>>,
    /// HMAC-SHA256 of the histories' JSON, in hex.
    seal: String,
}

fn seal(key: &[u8], histories: &BTreeMap<String, Vec<ReferenceEpoch>>) -> Result<String> {
    let mac = hmac_sha256(key, serde_json::to_string(histories)?.as_bytes());
    Ok(mac.iter().map(|b| format!("{b:02x}")).collect())
}

/// HMAC-SHA256 (RFC 2104): SHA-256 of the key padded with `opad`, then of the key
/// padded with `ipad` and the message.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut padded = [0u8; BLOCK];
    if key.len() > BLOCK {
        padded[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        padded[..key.len()].copy_from_slice(key);
    }
    let with = |pad: u8| padded.map(|b| b ^ pad);
    let inner = Sha256::new()
        .chain_update(with(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(with(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The cached histories, when the entry is there and its seal matches.
fn read_sealed(path: &Path, key: &[u8]) -> Option<BTreeMap<String, Vec<ReferenceEpoch>>> {
    let text = std::fs::read_to_string(path).ok()?;
    let entry: Sealed = serde_json::from_str(&text).ok()?;
    if seal(key, &entry.histories).ok()? == entry.seal {
        Some(entry.histories)
    } else {
        eprintln!(
            "The cached reference {} does not match its seal (it was changed after it was made): making it again.",
            path.display()
        );
        None
    }
}

fn write_sealed(
    path: &Path,
    key: &[u8],
    histories: &BTreeMap<String, Vec<ReferenceEpoch>>,
) -> Result<()> {
    let entry = Sealed {
        seal: seal(key, histories)?,
        histories: histories.clone(),
    };
    kindling::data::atomic::write_bytes_atomically(
        path,
        serde_json::to_string_pretty(&entry)?.as_bytes(),
    )
    .with_context(|| format!("writing {}", path.display()))
}

/// A hash (FNV-1a) of everything the reference run depends on: the solution, the
/// workspace's crates it links (all but the checker) and the lock file.
fn source_hash(solution: &Path) -> Result<u64> {
    let root = repo::root();
    let mut files = Vec::new();
    collect(solution, &mut files)?;
    collect(&root.join("crates"), &mut files)?;
    files.push(root.join("Cargo.lock"));
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .or_else(|_| file.strip_prefix(solution))
            .unwrap_or(&file);
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        for &byte in relative.as_os_str().as_encoded_bytes().iter().chain(&bytes) {
            hash = (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(hash)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            // The checker judges runs; it is not built into one.
            if name != "target" && name != "kindling-checker" && !name.starts_with('.') {
                collect(&path, files)?;
            }
        } else if name.ends_with(".rs") || name == "Cargo.toml" {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_is_hmac_sha256() {
        // RFC 4231, test cases 2 and 6 (a key longer than a block).
        let hex = |bytes: [u8; 32]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_changed_cache_entry_fails_its_seal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.json");
        let key = vec![7u8; 32];
        let epoch = ReferenceEpoch {
            epoch: 1,
            loss: 2.0,
            accuracy: 0.3,
            val_loss: 2.1,
            val_accuracy: 0.28,
        };
        let histories = BTreeMap::from([("stage05_history".to_string(), vec![epoch])]);
        write_sealed(&path, &key, &histories).unwrap();
        assert_eq!(read_sealed(&path, &key), Some(histories));
        let forged = std::fs::read_to_string(&path)
            .unwrap()
            .replace("0.28", "0.99");
        std::fs::write(&path, forged).unwrap();
        assert_eq!(read_sealed(&path, &key), None);
        // Nor does a seal made with another key.
        let other = vec![8u8; 32];
        write_sealed(&path, &other, &BTreeMap::new()).unwrap();
        assert_eq!(read_sealed(&path, &key), None);
    }

    #[test]
    fn a_reference_solution_that_differs_from_git_is_refused() {
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(root)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .output()
                .unwrap();
            assert!(status.status.success(), "{status:?}");
        };
        let solution = root.join("solutions/stage01");
        std::fs::create_dir_all(solution.join("src")).unwrap();
        std::fs::write(
            solution.join("Cargo.toml"),
            "[package]\nname = \"stage01-solution\"\n",
        )
        .unwrap();
        std::fs::write(solution.join("src/lib.rs"), "// the reference\n").unwrap();
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "course"]);
        let check = || {
            let copy = tempfile::tempdir().unwrap();
            let to = copy.path().join("stage01");
            intake::stage_folder(&solution, &to).unwrap();
            check_committed(root, &solution, &to).map_err(|e| format!("{e:#}"))
        };
        check().unwrap();
        // A run (or anyone) changed a file, added one, removed one.
        std::fs::write(solution.join("src/lib.rs"), "compile_error!(\"x\");\n").unwrap();
        let error = check().unwrap_err();
        assert!(
            error.contains("src/lib.rs differs from the committed file"),
            "{error}"
        );
        assert!(
            error.contains("git checkout -- solutions/stage01"),
            "{error}"
        );
        git(&["checkout", "--", "solutions/stage01"]);
        std::fs::write(solution.join("src/extra.rs"), "").unwrap();
        assert!(check().unwrap_err().contains("not a committed file"));
        std::fs::remove_file(solution.join("src/extra.rs")).unwrap();
        std::fs::remove_file(solution.join("src/lib.rs")).unwrap();
        assert!(check().unwrap_err().contains("committed but missing"));
    }

    #[test]
    fn every_reference_history_names_a_known_snapshot() {
        for (number, files) in REFERENCE_HISTORIES {
            let stage = kindling_checker::parse_stage(&number.to_string()).unwrap();
            assert!(!histories(stage).is_empty());
            for (snapshot, _) in files {
                let path = repo::root()
                    .join("tests/snapshots")
                    .join(format!("{snapshot}.snap"));
                assert!(path.is_file(), "{}", path.display());
            }
        }
        assert!(histories(kindling_checker::parse_stage("1").unwrap()).is_empty());
    }
}
