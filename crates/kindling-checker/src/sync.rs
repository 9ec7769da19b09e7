//! Exercises are generated from the solutions, so the two never drift apart.
//!
//! In a solution's source, a region marked like this:
//!
//! ```text
//!     // [solution]
//!     for &label in labels {
//!         counts[label as usize] += 1;
//!     }
//!     // [exercise]
//!     // // TODO: add one to counts[label] for every label.
//!     // let _ = labels;
//!     // [end]
//! ```
//!
//! becomes, in the exercise, the `[exercise]` lines with one level of `// ` removed:
//!
//! ```text
//!     // TODO: add one to counts[label] for every label.
//!     let _ = labels;
//! ```
//!
//! Everything else is copied, with the crate renamed (`stage01-solution` becomes
//! `stage01`). In `answers.toml`, every answer is blanked: text becomes `""` and
//! numbers become `nan` (the checker reads `nan` as "not answered yet").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A solution that cannot be turned into an exercise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// Markers out of order.
    #[error("{file}, line {line}: {problem}")]
    Markers {
        /// The source file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A file could not be read.
    #[error("{file}: {problem}")]
    Io {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        problem: String,
    },
}

#[derive(Clone, Copy, PartialEq)]
enum Region {
    Shared,
    Solution,
    Exercise,
}

/// The exercise version of one solution source file.
pub fn exercise_source(solution: &str, file: &Path) -> Result<String, SyncError> {
    let error = |line: usize, problem: &str| SyncError::Markers {
        file: file.to_path_buf(),
        line: line + 1,
        problem: problem.to_string(),
    };
    let mut region = Region::Shared;
    let mut out = String::with_capacity(solution.len());
    for (number, line) in solution.lines().enumerate() {
        let marker = line.trim();
        match (marker, region) {
            ("// [solution]", Region::Shared) => region = Region::Solution,
            ("// [exercise]", Region::Solution) => region = Region::Exercise,
            ("// [end]", Region::Exercise) => region = Region::Shared,
            ("// [solution]" | "// [exercise]" | "// [end]", _) => {
                return Err(error(
                    number,
                    "markers must come in the order // [solution], // [exercise], // [end]",
                ));
            }
            (_, Region::Shared) => {
                out.push_str(line);
                out.push('\n');
            }
            (_, Region::Solution) => {}
            (_, Region::Exercise) => {
                let indent = &line[..line.len() - line.trim_start().len()];
                let Some(rest) = line.trim_start().strip_prefix("//") else {
                    return Err(error(
                        number,
                        "lines of an [exercise] region must be comments",
                    ));
                };
                let rest = rest.strip_prefix(' ').unwrap_or(rest);
                if rest.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(indent);
                    out.push_str(rest);
                    out.push('\n');
                }
            }
        }
    }
    if region != Region::Shared {
        return Err(error(
            solution.lines().count(),
            "a region is not closed with // [end]",
        ));
    }
    Ok(out)
}

/// The blank answers template for an exercise, from the solution's answers.
pub fn blank_answers(solution: &str) -> String {
    let mut out = String::with_capacity(solution.len());
    for line in solution.lines() {
        let trimmed = line.trim_start();
        let is_answer =
            !trimmed.starts_with('#') && !trimmed.starts_with('[') && trimmed.contains('=');
        if is_answer {
            let (key, value) = line.split_once('=').expect("has =");
            let value = value.trim_start();
            let (blank, rest) = match value.strip_prefix('"') {
                // Text: whatever follows the closing quote (a comment) is kept.
                Some(text) => ("\"\"", text.find('"').map_or("", |end| &text[end + 1..])),
                None => ("nan", value.find('#').map_or("", |at| &value[at..])),
            };
            let rest = rest.trim_end();
            let rest = if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                rest.to_string()
            } else {
                format!("  {rest}")
            };
            out.push_str(&format!("{key}= {blank}{rest}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every file of the exercise generated from the solution in `solution_dir`:
/// relative path -> content.
pub fn exercise_files(
    solution_dir: &Path,
    slug: &str,
) -> Result<BTreeMap<PathBuf, String>, SyncError> {
    let solution_crate = format!("{slug}_solution");
    let solution_package = format!("{slug}-solution");
    let mut files = BTreeMap::new();
    for path in walk(solution_dir)? {
        let relative = path
            .strip_prefix(solution_dir)
            .expect("inside")
            .to_path_buf();
        let text = std::fs::read_to_string(&path).map_err(|e| SyncError::Io {
            file: path.clone(),
            problem: e.to_string(),
        })?;
        let generated = match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => exercise_source(&text, &path)?.replace(&solution_crate, slug),
            _ if relative == Path::new("answers.toml") => blank_answers(&text),
            _ if relative == Path::new("Cargo.toml") => text
                // "stage09-solution" and its programs' "stage09-solution-predict".
                .replace(&format!("\"{solution_package}"), &format!("\"{slug}"))
                .replace("the reference solution", "the exercise"),
            _ => text,
        };
        files.insert(relative, generated);
    }
    Ok(files)
}

/// Files under `dir`, skipping build output, sorted.
pub(crate) fn walk(dir: &Path) -> Result<Vec<PathBuf>, SyncError> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| SyncError::Io {
        file: dir.to_path_buf(),
        problem: e.to_string(),
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| SyncError::Io {
                file: dir.to_path_buf(),
                problem: e.to_string(),
            })?
            .path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            found.extend(walk(&path)?);
        } else {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Exercise files that differ from what the solution generates (or are missing).
pub fn out_of_sync(
    solution_dir: &Path,
    exercise_dir: &Path,
    slug: &str,
) -> Result<Vec<PathBuf>, SyncError> {
    let mut stale = Vec::new();
    for (relative, content) in exercise_files(solution_dir, slug)? {
        let on_disk = std::fs::read_to_string(exercise_dir.join(&relative)).ok();
        if on_disk.as_deref() != Some(content.as_str()) {
            stale.push(relative);
        }
    }
    Ok(stale)
}

/// Writes the generated exercise into `exercise_dir`; returns the files written.
pub fn write_exercise(
    solution_dir: &Path,
    exercise_dir: &Path,
    slug: &str,
) -> Result<Vec<PathBuf>, SyncError> {
    let mut written = Vec::new();
    for (relative, content) in exercise_files(solution_dir, slug)? {
        let path = exercise_dir.join(&relative);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        let io = |e: std::io::Error| SyncError::Io {
            file: path.clone(),
            problem: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        kindling::data::atomic::write_bytes_atomically(&path, content.as_bytes()).map_err(io)?;
        written.push(relative);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solution_regions_become_exercise_text() {
        let solution = "fn f() {\n    // [solution]\n    real();\n    // [exercise]\n    // // TODO: do it\n    // todo_free();\n    //\n    // [end]\n    after();\n}\n";
        let exercise = exercise_source(solution, Path::new("lib.rs")).unwrap();
        assert_eq!(
            exercise,
            "fn f() {\n    // TODO: do it\n    todo_free();\n\n    after();\n}\n"
        );
    }

    #[test]
    fn broken_markers_name_the_line() {
        let message = exercise_source("a\n// [exercise]\n", Path::new("lib.rs"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("lib.rs, line 2"), "{message}");
        let unclosed = exercise_source("// [solution]\nx\n", Path::new("l.rs")).unwrap_err();
        assert!(unclosed.to_string().contains("not closed"));
    }

    #[test]
    fn answers_are_blanked_and_comments_kept() {
        let solution =
            "# Stage\n[read]\n# why\naccuracy = \"up\"  # up, down or flat\nfirst = 0.31\n";
        assert_eq!(
            blank_answers(solution),
            "# Stage\n[read]\n# why\naccuracy = \"\"  # up, down or flat\nfirst = nan\n"
        );
    }
}
