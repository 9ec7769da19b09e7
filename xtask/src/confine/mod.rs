//! Running a learner's program confined: in its own process group (killed whole at
//! the time limit and again when the program ends, so nothing it started outlives
//! it), with its output kept up to a cap, its memory and file sizes limited by
//! `setrlimit`, and its working, home and temporary folders pointed at a scratch
//! folder. This is a fence against mistakes and shortcuts, not a sandbox against a
//! hostile program: grade as a user who can write nothing that matters.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wait_timeout::ChildExt;

/// What a confined run may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock seconds before the whole process group is killed.
    pub seconds: u64,
    /// Bytes of each output stream kept; the rest is read and dropped.
    pub output_bytes: usize,
    /// Address space the program may map (`RLIMIT_AS`), in bytes.
    pub memory_bytes: Option<u64>,
    /// Largest file the program may write (`RLIMIT_FSIZE`), in bytes.
    pub file_bytes: Option<u64>,
}

/// Output kept by default: plenty for a checklist's error lines.
pub const DEFAULT_OUTPUT_BYTES: usize = 1 << 20;

#[cfg(test)]
impl Limits {
    /// A time limit, the default output cap, no memory or file limit.
    pub fn time(seconds: u64) -> Self {
        Limits {
            seconds,
            output_bytes: DEFAULT_OUTPUT_BYTES,
            memory_bytes: None,
            file_bytes: None,
        }
    }
}

/// One output stream, up to the cap.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    /// What was kept, as text.
    pub text: String,
    /// Bytes read past the cap and dropped.
    pub dropped: u64,
}

/// How a confined run ended.
#[derive(Debug)]
pub struct RunOutcome {
    /// Exit status: `None` when it was killed at the time limit.
    pub status: Option<ExitStatus>,
    /// Seconds it ran, measured here.
    pub seconds: f64,
    /// Standard output.
    pub stdout: Captured,
    /// Standard error.
    pub stderr: Captured,
}

/// Runs `command` confined by `limits`; its standard input is closed.
pub fn run(command: &mut Command, limits: Limits) -> Result<RunOutcome> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let memory = limits.memory_bytes;
    let files = limits.file_bytes;
    // SAFETY: only async-signal-safe calls (setpgid, setrlimit) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            for (resource, limit) in [(libc::RLIMIT_AS, memory), (libc::RLIMIT_FSIZE, files)] {
                if let Some(bytes) = limit {
                    let rlimit = libc::rlimit {
                        rlim_cur: bytes as libc::rlim_t,
                        rlim_max: bytes as libc::rlim_t,
                    };
                    if libc::setrlimit(resource, &rlimit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
            }
            // No core files from a crash.
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {:?}", command.get_program()))?;
    let group = child.id() as libc::pid_t;
    let stdout = reader(child.stdout.take(), limits.output_bytes);
    let stderr = reader(child.stderr.take(), limits.output_bytes);
    let status = match child.wait_timeout(Duration::from_secs(limits.seconds))? {
        Some(status) => Some(status),
        None => {
            kill_group(group);
            child.wait().ok();
            None
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    // Whatever the program started and left behind goes with it.
    kill_group(group);
    Ok(RunOutcome {
        status,
        seconds,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

fn kill_group(group: libc::pid_t) {
    // SAFETY: signals a process group we created; ESRCH (already gone) is fine.
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

/// Reads a pipe on its own thread, keeping up to `cap` bytes.
fn reader(pipe: Option<impl Read + Send + 'static>, cap: usize) -> mpsc::Receiver<Captured> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut dropped = 0u64;
        if let Some(mut pipe) = pipe {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match pipe.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let room = cap.saturating_sub(kept.len()).min(n);
                        kept.extend_from_slice(&buffer[..room]);
                        dropped += (n - room) as u64;
                    }
                }
            }
        }
        let _ = send.send(Captured {
            text: String::from_utf8_lossy(&kept).into_owned(),
            dropped,
        });
    });
    receive
}

/// The stream's text; a process that escaped the group and holds the pipe open is
/// not waited for.
fn collect(receiver: mpsc::Receiver<Captured>) -> Captured {
    receiver
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| Captured {
            text: "(the output could not be read to its end: a process outside the run's group held it open)".into(),
            dropped: 0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    #[test]
    fn a_background_child_is_killed_with_its_parent_and_never_holds_the_run() {
        let started = Instant::now();
        let outcome = run(&mut shell("sleep 30 & echo started"), Limits::time(20)).unwrap();
        assert!(outcome.status.unwrap().success());
        assert_eq!(outcome.stdout.text.trim(), "started");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_run_past_its_limit_is_stopped() {
        let outcome = run(&mut shell("sleep 30"), Limits::time(1)).unwrap();
        assert!(outcome.status.is_none());
        assert!(outcome.seconds < 10.0);
    }

    #[test]
    fn output_past_the_cap_is_dropped_and_counted() {
        let mut limits = Limits::time(20);
        limits.output_bytes = 1000;
        let outcome = run(&mut shell("head -c 100000 /dev/zero"), limits).unwrap();
        assert_eq!(outcome.stdout.text.len(), 1000);
        assert_eq!(outcome.stdout.dropped, 99_000);
    }

    #[test]
    fn memory_is_limited() {
        let mut limits = Limits::time(20);
        limits.memory_bytes = Some(64 << 20);
        // The shell must hold 200 MB of text at once: more than it may map.
        let script = "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}";
        let outcome = run(&mut shell(script), limits).unwrap();
        assert_ne!(outcome.stdout.text.trim(), "200000000", "{outcome:?}");
        let free = run(&mut shell(script), Limits::time(60)).unwrap();
        assert_eq!(free.stdout.text.trim(), "200000000");
    }
}
