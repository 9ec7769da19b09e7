//! Running a built stage in the check profile, confined (see `confine`).

use std::path::Path;
use std::process::Command;

use anyhow::Result;

use crate::confine::{self, Limits, RunOutcome};

/// Runs `binary --profile check --out <out> --run-id <id> --seed <seed>` in the
/// folder `work`, confined by `limits`.
pub fn run(
    binary: &Path,
    out: &Path,
    work: &Path,
    run_id: &str,
    seed: u64,
    limits: Limits,
) -> Result<RunOutcome> {
    let mut command = Command::new(binary);
    command
        .arg("--profile")
        .arg("check")
        .arg("--out")
        .arg(out)
        .arg("--run-id")
        .arg(run_id)
        .arg("--seed")
        .arg(seed.to_string())
        .current_dir(work)
        // Whatever the program writes to "home" or "temp" lands in its scratch folder.
        .env("HOME", work)
        .env("TMPDIR", work)
        // A backtrace would push the panic message out of the lines we show.
        .env("RUST_BACKTRACE", "0")
        // The check profile runs on the CPU, whatever device the learner set for
        // their own runs.
        .env_remove("KINDLING_DEVICE");
    confine::run(&mut command, limits)
}
