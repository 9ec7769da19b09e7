//! `cargo xtask sync-exercises [--check]`: regenerate exercises/ from solutions/.

use anyhow::{Result, bail};

use kindling_checker::STAGES;
use kindling_checker::sync::{out_of_sync, write_exercise};

use crate::repo;

/// Writes every written stage's exercise, or with `check` only reports stale files.
pub fn run(check: bool) -> Result<bool> {
    let root = repo::root();
    let mut stale = Vec::new();
    for stage in STAGES.iter().filter(|s| s.written()) {
        let slug = stage.slug();
        let solution = root.join("solutions").join(&slug);
        let exercise = root.join("exercises").join(&slug);
        if !solution.is_dir() {
            bail!("{} is missing", solution.display());
        }
        if check {
            stale.extend(
                out_of_sync(&solution, &exercise, &slug)?
                    .into_iter()
                    .map(|f| exercise.join(f)),
            );
        } else {
            for file in write_exercise(&solution, &exercise, &slug)? {
                println!("wrote {}", exercise.join(file).display());
            }
        }
    }
    if check && !stale.is_empty() {
        println!("Out of sync with solutions/ (run `cargo xtask sync-exercises`):");
        for file in &stale {
            println!("  {}", file.display());
        }
        return Ok(false);
    }
    Ok(true)
}
