//! `kindling train` under Ctrl-C, and `--resume`: exact continuation and every
//! bad input it must refuse.
#![cfg(unix)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{assert_fails_with, entries, kindling, stderr, stdout};

const TINY: [&str; 8] = [
    "--train-size",
    "48",
    "--val-size",
    "16",
    "--model",
    "mlp",
    "--batch-size",
    "16",
];

fn train(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train", "--out", out, "--quiet", "--patience", "4"];
    args.extend(TINY);
    args.extend(extra);
    let output = kindling(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every metric of a history.json but the wall-clock seconds.
fn numbers(run: &Path) -> serde_json::Value {
    let mut history = json(&run.join("history.json"));
    history["metrics"]
        .as_object_mut()
        .unwrap()
        .remove("seconds");
    history["metrics"].take()
}

#[test]
fn three_epochs_straight_equal_two_then_resumed_to_three() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), "straight", &["--epochs", "3"]);
    train(dir.path(), "split", &["--epochs", "2"]);
    let split = dir.path().join("split");
    assert_eq!(json(&split.join("config.json"))["status"], "finished");

    let resumed = kindling(
        dir.path(),
        &["train", "--resume", "split", "--epochs", "3", "--quiet"],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let printed = stdout(&resumed);
    assert!(
        printed.contains("after epoch 2 of 3") && printed.contains("Epoch 3/3 - "),
        "{printed}"
    );
    assert!(
        !printed.contains("Epoch 2/3"),
        "finished epochs are not trained again"
    );
    let straight = dir.path().join("straight");
    assert_eq!(numbers(&split), numbers(&straight), "bit-identical history");
    assert_eq!(
        json(&split.join("history.json"))["context"],
        json(&straight.join("history.json"))["context"]
    );
    let config = json(&split.join("config.json"));
    assert_eq!(config["fit"]["epochs"], 3);
    assert_eq!(config["status"], "finished");
    assert_eq!(
        entries(dir.path()),
        ["split", "straight"],
        "no temporary folder left"
    );
}

#[test]
fn bad_resumes_name_the_file_and_the_fix_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), "run", &["--epochs", "2"]);
    let run = dir.path().join("run");
    let checkpoint = run.join("checkpoint.kpt");
    let good = std::fs::read(&checkpoint).unwrap();
    let config_text = std::fs::read_to_string(run.join("config.json")).unwrap();
    let resume = |extra: &[&str]| {
        let mut args = vec!["train", "--resume", "run", "--quiet"];
        args.extend(extra);
        kindling(dir.path(), &args)
    };

    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let output = kindling(dir.path(), &["train", "--resume", "empty"]);
    assert_fails_with(&output, &["empty has no config.json", "Fix:"]);

    assert_fails_with(
        &resume(&["--epochs", "1"]),
        &["already trained 2 epoch(s)", "--epochs", "Fix:"],
    );
    assert_fails_with(&resume(&[]), &["already trained 2 epoch(s)"]);

    std::fs::write(&checkpoint, &good[..good.len() - 100]).unwrap();
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["checkpoint.kpt is truncated", "Fix:"],
    );
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 1;
    std::fs::write(&checkpoint, &flipped).unwrap();
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["checkpoint.kpt is damaged", "Fix:"],
    );
    std::fs::remove_file(&checkpoint).unwrap();
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["checkpoint.kpt does not exist", "Fix:"],
    );
    std::fs::write(&checkpoint, &good).unwrap();

    let edited = |from: &str, to: &str| {
        assert!(config_text.contains(from), "{from}");
        std::fs::write(run.join("config.json"), config_text.replacen(from, to, 1)).unwrap();
    };
    edited(
        "\"kindling_version\": \"0.1.0\"",
        "\"kindling_version\": \"0.0.9\"",
    );
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["config.json was written by Kindling 0.0.9", "Fix:"],
    );
    edited("\"learning_rate\": 0.001", "\"learning_rate\": 0.01");
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["learning_rate = 0.01", "checkpoint.kpt", "Fix:"],
    );
    edited("\"model\": \"mlp\"", "\"model\": \"linear\"");
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["checkpoint.kpt does not fit this run", "weights", "Fix:"],
    );
    edited("\"train_size\": 48", "\"train_size\": 40");
    assert_fails_with(
        &resume(&["--epochs", "4"]),
        &["not the one", "was trained on", "Fix:"],
    );
    std::fs::write(run.join("config.json"), &config_text).unwrap();

    // Settings come from the run: changing one is refused by the command line.
    let output = resume(&["--lr", "0.1"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("cannot be used with"),
        "{}",
        stderr(&output)
    );

    assert_eq!(
        std::fs::read(&checkpoint).unwrap(),
        good,
        "the checkpoint is untouched"
    );
    assert_eq!(
        entries(dir.path()),
        ["empty", "run"],
        "no temporary folder left"
    );
}

/// Starts a long `kindling train` and waits for the row of epoch `epoch`.
fn start_long_run(
    dir: &Path,
    epoch: usize,
) -> (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    String,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["train", "--out", "runs/long", "--quiet", "--epochs", "1000"])
        .args([
            "--train-size",
            "96",
            "--val-size",
            "16",
            "--batch-size",
            "16",
        ])
        .current_dir(dir)
        .env_remove("KINDLING_DEVICE")
        .env("KINDLING_DATA", dir.join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains(&format!("Epoch {epoch}/1000 - ")) {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "ended early: {printed}"
        );
        printed.push_str(&line);
    }
    (child, out, printed)
}

/// Starts a long `kindling train`, waits for its first epoch row, sends SIGINT
/// `presses` times and returns the finished process's output.
fn interrupt_after_first_epoch(dir: &Path, presses: usize) -> (Option<i32>, String, String) {
    let (child, mut out, printed) = start_long_run(dir, 1);
    let pid = child.id() as libc::pid_t;
    for press in 0..presses {
        if press > 0 {
            std::thread::sleep(Duration::from_millis(2));
        }
        // SAFETY: signalling our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.code(), printed + &rest, stderr(&output))
}

#[test]
fn ctrl_c_saves_the_finished_epochs_and_the_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (code, printed, errors) = interrupt_after_first_epoch(dir.path(), 1);
    assert_eq!(code, Some(130), "{printed}\n{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
    assert!(
        printed.contains("kindling train --resume runs/long"),
        "{printed}"
    );

    let run = dir.path().join("runs/long");
    assert_eq!(
        entries(&run),
        [
            "accuracy.png",
            "checkpoint.kpt",
            "config.json",
            "history.csv",
            "history.json",
            "loss.png",
            "model.bpk"
        ]
    );
    assert_eq!(
        entries(&dir.path().join("runs")),
        ["long"],
        "no temporary folder left"
    );
    let config = json(&run.join("config.json"));
    assert_eq!(config["status"], "interrupted");
    let history = json(&run.join("history.json"));
    let done = history["epochs"].as_u64().unwrap();
    assert!(done >= 1, "{history}");
    assert_eq!(history["context"]["status"], "interrupted");

    let more = (done + 1).to_string();
    let resumed = kindling(
        dir.path(),
        &[
            "train",
            "--resume",
            "runs/long",
            "--epochs",
            &more,
            "--quiet",
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let history = json(&run.join("history.json"));
    assert_eq!(history["epochs"].as_u64(), Some(done + 1));
    assert!(history["context"].get("status").is_none(), "{history}");
    assert_eq!(json(&run.join("config.json"))["status"], "finished");
}

#[test]
fn a_second_ctrl_c_quits_at_once_leaving_no_temporary_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, printed, errors) = interrupt_after_first_epoch(dir.path(), 2);
    assert_eq!(code, Some(130), "{printed}\n{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
    let left = entries(&dir.path().join("runs"));
    assert!(
        left.iter().all(|name| !name.starts_with('.')),
        "no temporary folder left: {left:?}"
    );
    // Either the second press came while training or saving (nothing is left), or
    // after the run was moved into place (it is whole).
    if !left.is_empty() {
        assert_eq!(left, ["long"]);
        assert_eq!(
            entries(&dir.path().join("runs/long")).len(),
            7,
            "a whole run"
        );
    }
}

#[test]
fn a_killed_run_leaves_its_last_checkpoint_whole_and_resumable() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _out, _) = start_long_run(dir.path(), 2);
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    child.wait().unwrap();

    let runs = dir.path().join("runs");
    let left = entries(&runs);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with(".kindling-run-"), "{left:?}");
    let staged = runs.join(&left[0]);
    assert_eq!(json(&staged.join("config.json"))["status"], "running");
    std::fs::rename(&staged, runs.join("killed")).unwrap();
    let resumed = kindling(
        dir.path(),
        &[
            "train",
            "--resume",
            "runs/killed",
            "--epochs",
            "3",
            "--quiet",
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(
        stdout(&resumed).contains("Epoch 3/3"),
        "{}",
        stdout(&resumed)
    );
    assert_eq!(json(&runs.join("killed/history.json"))["epochs"], 3);
}
