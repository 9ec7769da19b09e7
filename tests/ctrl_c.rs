//! Ctrl-C in a stage program: training stops after the current batch, the stage writes
//! what it has, says its files hold a shortened run and exits with 130, without a panic;
//! also in stage 8, whose later trainings start after the Ctrl-C.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use course_tests::build_program;
use kindling_course::program::INTERRUPTED_NOTE;

/// Runs a stage's solution in the check profile, presses Ctrl-C once its first epoch
/// row is printed, and returns the exit code and everything it printed.
fn interrupt_stage(package: &str, out: &std::path::Path) -> (Option<i32>, String, String) {
    let program = build_program(package, package);
    let mut child = Command::new(program)
        .args(["--profile", "check", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the stage starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ended before an epoch: {printed}"
        );
        printed.push_str(&line);
        if line.starts_with("Epoch 1/") {
            break;
        }
    }
    // SAFETY: signalling our own child process.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), printed + &rest, errors)
}

#[test]
fn ctrl_c_stops_a_stages_training_and_says_the_run_was_shortened() {
    let dir = tempfile::tempdir().unwrap();
    let (code, printed, errors) = interrupt_stage("stage06-solution", dir.path());
    assert_eq!(code, Some(130), "{printed}\n{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
    assert!(
        errors.contains("stopping after the current batch"),
        "{errors}"
    );
    assert!(errors.contains(INTERRUPTED_NOTE), "{errors}");
    // The finished epochs were kept and the stage went on to write its history.
    let history: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("history.json")).unwrap())
            .unwrap();
    let epochs = history["epochs"].as_u64().unwrap();
    assert!((1..10).contains(&epochs), "{epochs} epochs: {printed}");
    assert_eq!(history["context"]["status"], "interrupted", "{history}");
}

#[test]
fn trainings_after_the_ctrl_c_do_not_crash_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    let (code, printed, errors) = interrupt_stage("stage08-solution", dir.path());
    assert_eq!(code, Some(130), "{printed}\n{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
    assert!(errors.contains(INTERRUPTED_NOTE), "{errors}");
}
