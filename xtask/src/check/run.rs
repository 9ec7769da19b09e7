//! Running a built stage in the check profile, with a time limit.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wait_timeout::ChildExt;

/// How a run ended.
pub struct RunOutcome {
    /// Exit status: `None` when it was stopped at the time limit.
    pub status: Option<std::process::ExitStatus>,
    /// Seconds it ran.
    pub seconds: f64,
    /// What it printed on standard output.
    pub stdout: String,
    /// What it printed on standard error.
    pub stderr: String,
}

/// Runs `binary --profile check --out <out> --run-id <id>` and stops it after
/// `limit` seconds.
pub fn run(binary: &Path, out: &Path, run_id: &str, limit: u64) -> Result<RunOutcome> {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("--profile")
        .arg("check")
        .arg("--out")
        .arg(out)
        .arg("--run-id")
        .arg(run_id)
        // A backtrace would push the panic message out of the lines we show.
        .env("RUST_BACKTRACE", "0")
        // The check profile runs on the CPU, whatever device the learner set for
        // their own runs.
        .env_remove("KINDLING_DEVICE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    // Read both pipes while waiting, so a chatty program never blocks on a full pipe.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = match child.wait_timeout(Duration::from_secs(limit))? {
        Some(status) => Some(status),
        None => {
            child.kill().ok();
            child.wait().ok();
            None
        }
    };
    Ok(RunOutcome {
        status,
        seconds: started.elapsed().as_secs_f64(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}
