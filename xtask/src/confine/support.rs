//! Whether this machine can sandbox graded code, found by trying it once, and the
//! choice a command makes from that: sandbox, or refuse unless `--unconfined`.

use std::fmt;
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Result, bail};

/// The oldest Landlock ABI the sandbox accepts: ABI 3 (Linux 6.2) is the first to
/// control truncation, without which a program could empty any file the grader's
/// user may write.
pub const LANDLOCK_ABI_NEEDED: i32 = 3;

/// What the kernel offers the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    /// The kernel's Landlock ABI.
    pub landlock_abi: i32,
    /// Whether programs run as `nobody` (the grader runs as root).
    pub as_nobody: bool,
}

impl fmt::Display for Support {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Landlock ABI {} (files, TCP{}), user, PID, network and IPC namespaces, a process limit and a seccomp filter{}",
            self.landlock_abi,
            if self.landlock_abi >= 6 {
                ", signals"
            } else {
                ""
            },
            if self.as_nobody {
                "; programs run as nobody"
            } else {
                ""
            }
        )
    }
}

/// How graded code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confinement {
    /// Inside the sandbox (see the module's documentation).
    Sandbox,
    /// Behind the fence only: time, output, memory and file-size limits and a
    /// process group. A hostile program can read and write whatever the grader's
    /// user can.
    Fence,
}

impl Confinement {
    /// For code the grader must not trust: the sandbox, or, on a machine that has
    /// none, an error unless `unconfined` (`--unconfined`) says to go on behind the
    /// fence. Either way it says so on standard error, before anything is built.
    pub fn for_graded_code(unconfined: bool) -> Result<Confinement> {
        if unconfined {
            eprintln!(
                "Unconfined (--unconfined): submissions are built and run behind time, memory and output limits only; each one can read and write whatever your user account can."
            );
            return Ok(Confinement::Fence);
        }
        match support() {
            Ok(support) => {
                eprintln!("Confined: {support}.");
                Ok(Confinement::Sandbox)
            }
            Err(missing) => bail!(
                "this machine cannot confine graded code: {missing}. Fix: grade on Linux 6.2 or newer with Landlock enabled and unprivileged user namespaces allowed, or pass --unconfined to grade without the sandbox (each submission can then read and write whatever your user account can)"
            ),
        }
    }

    /// For the learner's own code: the sandbox where the machine has one, else the
    /// fence (the code is theirs; nothing is refused).
    pub fn for_own_code() -> Confinement {
        if support().is_ok() {
            Confinement::Sandbox
        } else {
            Confinement::Fence
        }
    }
}

/// What the sandbox can use here, or what is missing, found once per process.
pub fn support() -> Result<Support, String> {
    static FOUND: OnceLock<Result<Support, String>> = OnceLock::new();
    FOUND.get_or_init(probe).clone()
}

#[cfg(not(target_os = "linux"))]
fn probe() -> Result<Support, String> {
    Err(format!(
        "{} has no Landlock and no namespaces (they are Linux's)",
        std::env::consts::OS
    ))
}

/// Runs `true` in a sandbox: everything a confined run does, once.
#[cfg(target_os = "linux")]
fn probe() -> Result<Support, String> {
    let abi = super::linux::landlock_abi();
    if abi < LANDLOCK_ABI_NEEDED {
        return Err(if abi <= 0 {
            "the kernel has no Landlock (it is not built in, or not enabled at boot: add `landlock` to the lsm= boot parameter)".into()
        } else {
            format!(
                "the kernel's Landlock is ABI {abi}, older than the ABI {LANDLOCK_ABI_NEEDED} (Linux 6.2) the sandbox needs"
            )
        });
    }
    let program = ["/usr/bin/true", "/bin/true"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
        .ok_or("there is no `true` program to try the sandbox with")?;
    let scratch = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let sandbox = super::Sandbox {
        read: Vec::new(),
        write: vec![scratch.path().to_path_buf()],
        processes: super::DEFAULT_PROCESSES,
        give_up_root: true,
    };
    let mut command = Command::new(program);
    super::clean_env(&mut command, scratch.path());
    let limits = super::Limits {
        seconds: 20,
        output_bytes: 4096,
        memory_bytes: None,
        file_bytes: None,
        echo_stderr: false,
    };
    let outcome = super::run(&mut command, limits, Some(&sandbox)).map_err(|error| {
        let error = format!("{error:#}");
        if error.contains("Operation not permitted") || error.contains("Invalid argument") {
            format!(
                "a sandboxed process could not be started ({error}): unprivileged user namespaces are turned off (sysctl kernel.unprivileged_userns_clone or user.max_user_namespaces, or a container's seccomp profile)"
            )
        } else {
            format!("a sandboxed process could not be started ({error})")
        }
    })?;
    match outcome.status {
        Some(status) if status.success() => Ok(Support {
            landlock_abi: abi,
            as_nobody: super::linux::gives_up_root(&sandbox),
        }),
        other => Err(format!(
            "a sandboxed `true` did not succeed ({}): {}",
            other.map_or("killed at its time limit".to_string(), |s| s.to_string()),
            outcome.stderr.text.trim()
        )),
    }
}

/// `cargo xtask confinement`: what the sandbox can use here, or what is missing.
pub fn report() -> bool {
    match support() {
        Ok(support) => {
            println!("This machine confines graded code: {support}.");
            true
        }
        Err(missing) => {
            println!(
                "This machine cannot confine graded code: {missing}. `cargo xtask grade` and `check --path` refuse to run without --unconfined here."
            );
            false
        }
    }
}
