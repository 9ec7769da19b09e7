//! The learner's loop around `check`: xtask finds the course where it is now (not
//! where it was built), and `reset` puts an exercise back after asking, keeping a
//! backup.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;
use support::{copy_tree, root, text};

/// A course folder elsewhere: the workspace manifest, xtask's, and stage 1.
fn moved_course() -> tempfile::TempDir {
    let course = tempfile::tempdir().unwrap();
    for file in ["Cargo.toml", "xtask/Cargo.toml"] {
        let to = course.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(file), to).unwrap();
    }
    for folder in ["solutions/stage01", "exercises/stage01"] {
        copy_tree(&root().join(folder), &course.path().join(folder));
    }
    course
}

fn xtask_in(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .env_remove("KINDLING_ROOT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_course_is_found_where_it_is_and_reset_asks_and_keeps_a_backup() {
    let course = moved_course();
    let lib = course.path().join("exercises/stage01/src/lib.rs");
    let start = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{start}// my work\n")).unwrap();

    // Run from a folder inside the moved course: its exercise, not the original's.
    let inside = course.path().join("exercises");
    let declined = xtask_in(&inside, &["reset", "stage1"], "n\n");
    assert!(declined.status.success(), "{}", text(&declined));
    assert!(
        text(&declined).contains("src/lib.rs") && text(&declined).contains("Nothing was changed")
    );
    assert!(
        std::fs::read_to_string(&lib)
            .unwrap()
            .ends_with("// my work\n")
    );

    let reset = xtask_in(&inside, &["reset", "stage1", "--yes"], "");
    assert!(reset.status.success(), "{}", text(&reset));
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), start);
    let backups: Vec<_> = std::fs::read_dir(course.path().join("runs/reset-backup"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(backups.len(), 1);
    let kept = std::fs::read_to_string(backups[0].path().join("src/lib.rs")).unwrap();
    assert!(kept.ends_with("// my work\n"));

    let again = xtask_in(&inside, &["reset", "stage1"], "");
    assert!(
        text(&again).contains("nothing to reset"),
        "{}",
        text(&again)
    );

    // Outside any course: a clear message, not a check of the folder xtask was built in.
    let elsewhere = tempfile::tempdir().unwrap();
    let lost = xtask_in(elsewhere.path(), &["reset", "stage1", "--yes"], "");
    assert_eq!(lost.status.code(), Some(1));
    assert!(
        text(&lost).contains("is not inside the course repository"),
        "{}",
        text(&lost)
    );
    assert!(text(&lost).contains("KINDLING_ROOT"));
}
