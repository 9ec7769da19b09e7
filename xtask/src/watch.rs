//! `cargo xtask watch [stageN] [--manual]`: checks the stage, then checks it again
//! each time one of its files is saved (or, with `--manual`, each time Enter is
//! pressed), showing the checklist and the progress. `q` and Enter quit.

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use notify::{EventKind, RecursiveMode, Watcher};

use kindling_checker::{STAGES, StageInfo, parse_stage};

use crate::check::{self, Plan};
use crate::repo;

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// The stage to watch (default: the first one whose last check did not pass).
    stage: Option<String>,
    /// Check again when Enter is pressed, not when a file is saved (for folders where
    /// file events do not arrive: network drives, some containers).
    #[arg(long)]
    manual: bool,
}

/// What wakes the loop.
enum Wake {
    /// A file of the stage changed.
    Saved,
    /// Enter was pressed.
    Enter,
    /// `q` was typed, or standard input closed.
    Quit,
}

/// How long saves are gathered before checking: editors write a file in steps.
const SETTLE: Duration = Duration::from_millis(300);

pub fn run(args: &WatchArgs) -> Result<bool> {
    let stage = match &args.stage {
        Some(name) => parse_stage(name)?,
        None => check::next_stage(),
    };
    if !stage.written() {
        bail!(
            "stage {} is not written yet. Fix: watch one of the written stages",
            stage.number
        );
    }
    let dir = repo::root().join("exercises").join(stage.slug());
    let (send, wake) = mpsc::channel();
    let keys = send.clone();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let quit = line
                .as_ref()
                .map_or(true, |l| l.trim().eq_ignore_ascii_case("q"));
            if keys
                .send(if quit { Wake::Quit } else { Wake::Enter })
                .is_err()
                || quit
            {
                return;
            }
        }
        let _ = keys.send(Wake::Quit);
    });
    // The watcher lives as long as the loop: dropping it stops the events.
    let watcher = if args.manual {
        None
    } else {
        match watch_files(&dir, send) {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                println!(
                    "File events are not available here ({error}); checking when you press Enter instead (as with --manual)."
                );
                None
            }
        }
    };
    let how = if watcher.is_some() {
        "each time you save a file of the stage"
    } else {
        "each time you press Enter"
    };
    loop {
        check_once(stage, &dir)?;
        println!(
            "\nWatching {}: checking again {how}. Type q and Enter to stop.",
            dir.display()
        );
        match wake.recv() {
            Ok(Wake::Saved) => {
                // Gather the rest of this save.
                while wake
                    .recv_timeout(SETTLE)
                    .is_ok_and(|w| matches!(w, Wake::Saved))
                {}
            }
            Ok(Wake::Enter) => {}
            Ok(Wake::Quit) | Err(_) => return Ok(true),
        }
    }
}

fn watch_files(dir: &Path, send: mpsc::Sender<Wake>) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let saved = matches!(
                event.kind,
                EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
            ) && event.paths.iter().any(|p| is_stage_file(p));
            if saved {
                let _ = send.send(Wake::Saved);
            }
        }
    })?;
    watcher.watch(&dir.join("src"), RecursiveMode::Recursive)?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// Source, manifest and answers: the files a save of which means "check again"
/// (an editor's swap and backup files do not).
fn is_stage_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.')
        && (name.ends_with(".rs") || name == "Cargo.toml" || name == "answers.toml")
}

fn check_once(stage: &StageInfo, dir: &Path) -> Result<()> {
    // Clear the screen, as rustlings does, so the newest checklist is the one shown.
    print!("\x1b[2J\x1b[H");
    let folder = check::locate(dir, &stage.slug())?;
    let result = check::check_stage(stage, &folder, &Plan::learner(None, false), false)?;
    check::print_checklist(stage, &result);
    check::record(stage, result.passed);
    let (passed, total) = (result.passed_items, result.total_items);
    let width = 30;
    let filled = width * passed / total.max(1);
    println!(
        "\nStage {}: [{}{}] {passed}/{total} items",
        stage.number,
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    let passing = STAGES.iter().filter(|s| check::recorded_pass(s)).count();
    let written = STAGES.iter().filter(|s| s.written()).count();
    println!("Course: {passing}/{written} written stages pass.");
    if result.passed {
        let next = check::next_stage();
        if next.number != stage.number {
            println!("Next: `cargo xtask watch {}`.", next.slug());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_saves_of_the_stages_own_files_wake_the_check() {
        assert!(is_stage_file(Path::new("exercises/stage05/src/cnn.rs")));
        assert!(is_stage_file(Path::new("exercises/stage05/answers.toml")));
        assert!(!is_stage_file(Path::new(
            "exercises/stage05/src/.cnn.rs.swp"
        )));
        assert!(!is_stage_file(Path::new("exercises/stage05/src/cnn.rs~")));
    }
}
