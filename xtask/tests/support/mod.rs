//! What every xtask test file needs: running the xtask binary, reading its output,
//! the repository root, and copying a folder.
#![allow(dead_code)] // each test file uses its own share

use std::path::Path;
use std::process::{Command, Output};

/// Runs `cargo xtask ARGS` (the binary built for the tests).
pub fn xtask(args: &[&str]) -> Output {
    xtask_with_env(args, &[])
}

/// [`xtask`] with extra environment variables.
pub fn xtask_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("xtask runs")
}

/// Standard output then standard error, as one text.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The repository's root folder.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Copies the folder `from` into `to`, whole.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Live processes (zombies left out: they only wait to be reaped) whose command
/// line, its arguments joined by NUL bytes, passes `matches`.
pub fn live_processes(matches: impl Fn(&[u8]) -> bool) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|entry| {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let alive = stat
                .rsplit(") ")
                .next()
                .is_some_and(|s| !s.starts_with('Z'));
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            alive && matches(cmdline.strip_suffix(&[0]).unwrap_or(&cmdline))
        })
        .count()
}
