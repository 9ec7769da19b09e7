//! The reference a graded history is compared with: the reference solution, run at
//! the grading seed. Made once per seed and source, and cached under
//! `target/kindling-grade-cache/`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use kindling::train::History;
use kindling_checker::bands::{ReferenceEpoch, reference_epochs};
use kindling_checker::facts::stage05::HISTORY_FILE;
use kindling_checker::{Reference, StageInfo};

use crate::check::build::{BuildOutcome, build, locate};
use crate::check::run_stage;
use crate::confine::{DEFAULT_OUTPUT_BYTES, Limits};
use crate::repo;

/// Stages whose history is compared with a reference, and the history's file.
const HISTORY_STAGES: [(u8, &str); 1] = [(5, HISTORY_FILE)];

/// Decimals kept from the reference run (the bands are hundredths wide).
const DECIMALS: i32 = 6;

/// The reference for `stage` at `seed`, or `None` for a stage without a history.
pub fn for_seed(stage: &StageInfo, seed: u64, show: bool) -> Result<Option<Reference>> {
    let Some((_, history_file)) = HISTORY_STAGES.iter().find(|(n, _)| *n == stage.number) else {
        return Ok(None);
    };
    let solution = repo::root().join("solutions").join(stage.slug());
    let hash = source_hash(&solution)?;
    let cache = repo::target_dir()
        .join("kindling-grade-cache")
        .join(format!("{}-seed{seed}-{hash:016x}.json", stage.slug()));
    let origin = format!("the reference solution run with seed {seed}");
    if let Ok(text) = std::fs::read_to_string(&cache)
        && let Ok(epochs) = serde_json::from_str::<Vec<ReferenceEpoch>>(&text)
    {
        return Ok(Some(Reference { epochs, origin }));
    }
    if show {
        println!("Making the reference for seed {seed}: running the reference solution ...");
    }
    let folder = locate(&solution, &stage.slug())?;
    let binary = match build(&folder, &stage.slug(), show)? {
        BuildOutcome::Built { binary, .. } => binary,
        BuildOutcome::Failed { first_error } => {
            bail!(
                "the reference solution {} does not build: {first_error}",
                solution.display()
            )
        }
    };
    let work = tempfile::tempdir()?;
    let out = work.path().join("out");
    std::fs::create_dir_all(&out)?;
    let limits = Limits {
        seconds: stage.time_limit * 3,
        output_bytes: DEFAULT_OUTPUT_BYTES,
        memory_bytes: None,
        file_bytes: None,
    };
    let outcome = run_stage(&binary, &out, work.path(), "reference", seed, limits)?;
    if !outcome.status.is_some_and(|s| s.success()) {
        bail!(
            "the reference solution failed at seed {seed}: {}",
            outcome.stderr.text.lines().last().unwrap_or("no output")
        );
    }
    let history = History::load(&out.join(history_file))
        .map_err(|e| anyhow::anyhow!("the reference run's history: {e}"))?;
    let epochs = reference_epochs(&history, DECIMALS);
    if let Some(parent) = cache.parent() {
        std::fs::create_dir_all(parent)?;
    }
    kindling::data::atomic::write_bytes_atomically(
        &cache,
        serde_json::to_string_pretty(&epochs)?.as_bytes(),
    )
    .with_context(|| format!("writing {}", cache.display()))?;
    Ok(Some(Reference { epochs, origin }))
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
        let relative = file.strip_prefix(&root).unwrap_or(&file);
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
