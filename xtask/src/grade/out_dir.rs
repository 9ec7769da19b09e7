//! Which `--out` folder a grading may fill. The whole folder is replaced at the end
//! (so it never holds half a grading), so it must be new, empty, or the output of
//! an earlier grading, and then only with `--force`: a folder holding anything a
//! grading did not write is never replaced.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::gradebook::{self, Gradebook};

/// The files a grading writes at the top of `--out`, besides `feedback/`.
pub const OUTPUT_FILES: [&str; 6] = [
    gradebook::CSV_FILE,
    gradebook::JSON_FILE,
    super::report::SUMMARY_FILE,
    super::report::CHART_FILE,
    super::lms::CANVAS_FILE,
    super::lms::MOODLE_FILE,
];

/// The folder of per-learner feedback pages.
pub const FEEDBACK_DIR: &str = "feedback";

/// Refuses an `--out` that a grading may not replace (see the module's words).
pub fn refuse_existing(out: &Path, force: bool) -> Result<()> {
    let Ok(metadata) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if metadata.is_symlink() {
        bail!(
            "{} is a symbolic link; grading replaces the folder it names. Fix: pass the real folder, or choose a new one for --out",
            out.display()
        );
    }
    if !metadata.is_dir() {
        bail!(
            "{} is a file, not a folder. Fix: choose a folder for --out",
            out.display()
        );
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(out)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    if entries.is_empty() {
        return Ok(());
    }
    let a_grading = Gradebook::read(out).is_ok();
    let mut strays: Vec<String> = entries
        .iter()
        .filter(|path| !a_grading || !written_by_a_grading(path))
        .map(|path| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    if !strays.is_empty() {
        strays.sort();
        let shown: Vec<&str> = strays.iter().take(5).map(String::as_str).collect();
        bail!(
            "{} holds {} that no grading wrote ({}{}), and grading replaces the whole folder; --force replaces only an earlier grading's output. Fix: choose a new or empty folder for --out",
            out.display(),
            if strays.len() == 1 { "a file" } else { "files" },
            shown.join(", "),
            if strays.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        );
    }
    if !force {
        bail!(
            "{} already holds a gradebook. Fix: pass --force to replace it, or choose another --out",
            out.display()
        );
    }
    Ok(())
}

/// Whether `path`, at the top of an output folder, is something a grading writes.
fn written_by_a_grading(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if name == FEEDBACK_DIR && metadata.is_dir() {
        // feedback/<learner>/stageNN.md, nothing else.
        return std::fs::read_dir(path).is_ok_and(|learners| {
            learners.flatten().all(|learner| {
                learner.file_type().is_ok_and(|t| t.is_dir())
                    && std::fs::read_dir(learner.path()).is_ok_and(|pages| {
                        pages.flatten().all(|page| {
                            let name = page.file_name().to_string_lossy().into_owned();
                            page.file_type().is_ok_and(|t| t.is_file())
                                && name.starts_with("stage")
                                && name.ends_with(".md")
                        })
                    })
            })
        });
    }
    metadata.is_file() && OUTPUT_FILES.contains(&name.as_ref())
}
