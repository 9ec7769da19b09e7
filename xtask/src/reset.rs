//! `cargo xtask reset stageN [--yes]`: puts an exercise back to its starting files
//! (as generated from the solution), after a confirmation, keeping a copy of every
//! file it replaces under `runs/reset-backup/`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use clap::Args;

use kindling_checker::parse_stage;
use kindling_checker::sync::{out_of_sync, write_exercise};

use crate::repo;

#[derive(Debug, Clone, Args)]
pub struct ResetArgs {
    /// The stage to reset (stage5, stage05 or 5).
    stage: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
}

pub fn run(args: &ResetArgs) -> Result<bool> {
    let stage = parse_stage(&args.stage)?;
    if !stage.written() {
        bail!(
            "stage {} is not written yet: it has no exercise to reset. Fix: reset a written stage",
            stage.number
        );
    }
    let root = repo::root();
    let slug = stage.slug();
    let solution = root.join("solutions").join(&slug);
    let exercise = root.join("exercises").join(&slug);
    let changed = out_of_sync(&solution, &exercise, &slug)?;
    if changed.is_empty() {
        println!(
            "{} already holds its starting files: nothing to reset.",
            exercise.display()
        );
        return Ok(true);
    }
    println!(
        "These files of {} will go back to their starting version:",
        exercise.display()
    );
    for file in &changed {
        println!("  {}", file.display());
    }
    let backup = root
        .join("runs")
        .join("reset-backup")
        .join(format!("{slug}-{}", stamp()));
    println!("Your versions will be kept in {}.", backup.display());
    if !args.yes && !confirm(&mut std::io::stdin().lock())? {
        println!("Nothing was changed.");
        return Ok(true);
    }
    back_up(&exercise, &changed, &backup)?;
    write_exercise(&solution, &exercise, &slug)?;
    println!(
        "{} back to the starting version. Run `cargo xtask check {slug}` to start again.",
        if changed.len() == 1 {
            "1 file is".to_string()
        } else {
            format!("{} files are", changed.len())
        }
    );
    Ok(true)
}

/// Asks "Reset them? [y/N]"; only `y` or `yes` is a yes.
fn confirm(input: &mut impl BufRead) -> Result<bool> {
    print!("Reset them? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Copies each file about to be replaced (those that exist) into `backup`.
fn back_up(exercise: &Path, files: &[PathBuf], backup: &Path) -> Result<()> {
    for file in files {
        let from = exercise.join(file);
        if !from.is_file() {
            continue;
        }
        let to = backup.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("backing up {}", from.display()))?;
    }
    Ok(())
}

/// Seconds since 1970: backups sort in the order they were made.
fn stamp() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        for (typed, yes) in [
            ("y\n", true),
            ("YES\n", true),
            ("\n", false),
            ("no\n", false),
            ("", false),
        ] {
            assert_eq!(confirm(&mut typed.as_bytes()).unwrap(), yes, "{typed:?}");
        }
    }

    #[test]
    fn a_backup_keeps_the_replaced_files_in_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        let exercise = dir.path().join("stage01");
        std::fs::create_dir_all(exercise.join("src")).unwrap();
        std::fs::write(exercise.join("src/lib.rs"), "mine").unwrap();
        let backup = dir.path().join("backup");
        back_up(
            &exercise,
            &[PathBuf::from("src/lib.rs"), PathBuf::from("gone.rs")],
            &backup,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(backup.join("src/lib.rs")).unwrap(),
            "mine"
        );
        assert!(!backup.join("gone.rs").exists());
    }
}
