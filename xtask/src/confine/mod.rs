//! Running graded code confined.
//!
//! Every run has a fence: its own process group (killed whole at the time limit and
//! again when the program ends), its output kept up to a cap, its memory and file
//! sizes limited by `setrlimit`, and no core files. On Linux, a run in a
//! [`Sandbox`] is also held by the kernel, so that a hostile program cannot change
//! anything outside its scratch folder: Landlock lets it read only the system's
//! libraries and programs and the paths the sandbox names, and write only the
//! sandbox's folders; new user, PID, network and IPC namespaces take away the
//! network, hide every process outside the run and end every process it started
//! when it ends (the first process of a PID namespace takes the rest with it);
//! a process-count limit stops fork bombs; a seccomp filter refuses Unix-domain
//! sockets (a path socket would otherwise reach servers outside); and a grader
//! running as root runs the program as `nobody`. [`support`] says whether this
//! kernel can do all of it.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
mod seccomp;
mod support;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wait_timeout::ChildExt;

pub use support::{Confinement, report};
#[cfg(test)]
pub use support::{Support, support};

/// What a confined run may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock seconds before the whole run is killed.
    pub seconds: u64,
    /// Bytes of each output stream kept; the rest is read and dropped.
    pub output_bytes: usize,
    /// Address space the program may map (`RLIMIT_AS`), in bytes.
    pub memory_bytes: Option<u64>,
    /// Largest file the program may write (`RLIMIT_FSIZE`), in bytes.
    pub file_bytes: Option<u64>,
    /// Also show its error output as it comes (cargo's progress).
    pub echo_stderr: bool,
}

/// Output kept by default: plenty for a checklist's error lines.
pub const DEFAULT_OUTPUT_BYTES: usize = 1 << 20;

/// Processes and threads a sandboxed run may have at once: room for a thread per
/// core on a large machine, far from a fork bomb.
pub const DEFAULT_PROCESSES: u64 = 512;

#[cfg(test)]
impl Limits {
    /// A time limit, the default output cap, no memory or file limit.
    pub fn time(seconds: u64) -> Self {
        Limits {
            seconds,
            output_bytes: DEFAULT_OUTPUT_BYTES,
            memory_bytes: None,
            file_bytes: None,
            echo_stderr: false,
        }
    }
}

/// Where a sandboxed program may go, besides the system's libraries and programs
/// (read and run) and `/dev/null` (written).
#[derive(Debug, Clone, Default)]
pub struct Sandbox {
    /// Files and folders it may read (and run).
    pub read: Vec<PathBuf>,
    /// Files and folders it may read, write, create and delete in.
    pub write: Vec<PathBuf>,
    /// Processes and threads it may have at once (`RLIMIT_NPROC`, counted inside its
    /// own user namespace).
    pub processes: u64,
    /// When the grader runs as root, run the program as `nobody` (its writable
    /// folders are handed to `nobody` first). Root is exempt from the process
    /// limit, and a root program could reach whatever root can.
    pub give_up_root: bool,
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

/// The variables every confined program gets, and no others: a short, fixed list,
/// so nothing of the grader's own environment (tokens, paths) reaches it.
pub fn clean_env(command: &mut Command, home: &std::path::Path) {
    command
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("TMPDIR", home)
        .env("LANG", "C.UTF-8")
        // A backtrace would push the panic message out of the lines we show.
        .env("RUST_BACKTRACE", "0");
}

/// Runs `command` behind the fence set by `limits`, and inside `sandbox` when one
/// is given (only on Linux; [`support`] must have said yes); its standard input is
/// closed.
pub fn run(command: &mut Command, limits: Limits, sandbox: Option<&Sandbox>) -> Result<RunOutcome> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    fence(command, limits);
    if let Some(sandbox) = sandbox {
        enclose(command, sandbox)?;
    }
    let started = Instant::now();
    let mut child = spawn(command)?;
    let group = child.id() as libc::pid_t;
    let stdout = reader(child.stdout.take(), limits.output_bytes, false);
    let stderr = reader(child.stderr.take(), limits.output_bytes, limits.echo_stderr);
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

/// Held while a program file is written and while a program is started: a process
/// forked while another thread holds a program open for writing keeps it open, and
/// starting that program then fails with "text file busy".
pub static PROGRAM_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Starts `command`, trying again a few times when the program is busy (a process
/// forked elsewhere still held it open for writing).
fn spawn(command: &mut Command) -> Result<std::process::Child> {
    let mut tries = 0;
    loop {
        let started = {
            let _turn = PROGRAM_FILES.lock();
            command.spawn()
        };
        match started {
            Err(error) if error.raw_os_error() == Some(libc::ETXTBSY) && tries < 20 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            other => {
                return other.with_context(|| format!("starting {:?}", command.get_program()));
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn enclose(command: &mut Command, sandbox: &Sandbox) -> Result<()> {
    linux::enclose(command, sandbox)
}

#[cfg(not(target_os = "linux"))]
fn enclose(_command: &mut Command, _sandbox: &Sandbox) -> Result<()> {
    anyhow::bail!(
        "this system cannot confine a program (Landlock and namespaces are Linux's). Fix: grade on Linux, or pass --unconfined"
    )
}

/// The process group, the resource limits and no core files.
fn fence(command: &mut Command, limits: Limits) {
    let memory = limits.memory_bytes;
    let files = limits.file_bytes;
    // SAFETY: only async-signal-safe calls (setpgid, setrlimit) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            for (resource, limit) in [
                (libc::RLIMIT_AS, memory),
                (libc::RLIMIT_FSIZE, files),
                (libc::RLIMIT_CORE, Some(0)),
            ] {
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
            Ok(())
        });
    }
}

fn kill_group(group: libc::pid_t) {
    // SAFETY: signals a process group we created; ESRCH (already gone) is fine.
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

/// Reads a pipe on its own thread, keeping up to `cap` bytes (and showing all of
/// it on our own error output when `echo` is set).
fn reader(
    pipe: Option<impl Read + Send + 'static>,
    cap: usize,
    echo: bool,
) -> mpsc::Receiver<Captured> {
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
                        if echo {
                            use std::io::Write;
                            let _ = std::io::stderr().write_all(&buffer[..n]);
                        }
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
        let outcome = run(
            &mut shell("sleep 30 & echo started"),
            Limits::time(20),
            None,
        )
        .unwrap();
        assert!(outcome.status.unwrap().success());
        assert_eq!(outcome.stdout.text.trim(), "started");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_run_past_its_limit_is_stopped() {
        let outcome = run(&mut shell("sleep 30"), Limits::time(1), None).unwrap();
        assert!(outcome.status.is_none());
        assert!(outcome.seconds < 10.0);
    }

    #[test]
    fn output_past_the_cap_is_dropped_and_counted() {
        let mut limits = Limits::time(20);
        limits.output_bytes = 1000;
        let outcome = run(&mut shell("head -c 100000 /dev/zero"), limits, None).unwrap();
        assert_eq!(outcome.stdout.text.len(), 1000);
        assert_eq!(outcome.stdout.dropped, 99_000);
    }

    #[test]
    fn memory_is_limited() {
        let mut limits = Limits::time(20);
        limits.memory_bytes = Some(64 << 20);
        // The shell must hold 200 MB of text at once: more than it may map.
        let script = "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}";
        let outcome = run(&mut shell(script), limits, None).unwrap();
        assert_ne!(outcome.stdout.text.trim(), "200000000", "{outcome:?}");
        let free = run(&mut shell(script), Limits::time(60), None).unwrap();
        assert_eq!(free.stdout.text.trim(), "200000000");
    }
}

/// The sandbox itself; these tests need a kernel that has one, and fail with the
/// reason on one that has not (CI machines have it).
#[cfg(all(test, target_os = "linux"))]
mod sandbox_tests {
    use super::*;

    fn supported() -> Support {
        support().unwrap_or_else(|missing| {
            panic!("these tests need the sandbox, and this machine has none: {missing}")
        })
    }

    /// A shell script run in a sandbox that may write `scratch` only.
    fn sandboxed(scratch: &std::path::Path, script: &str, seconds: u64) -> RunOutcome {
        supported();
        let mut command = Command::new("/bin/bash");
        command.arg("-c").arg(script).current_dir(scratch);
        clean_env(&mut command, scratch);
        let sandbox = Sandbox {
            read: Vec::new(),
            write: vec![scratch.to_path_buf()],
            processes: 64,
            give_up_root: true,
        };
        run(&mut command, Limits::time(seconds), Some(&sandbox)).unwrap()
    }

    #[test]
    fn it_writes_its_scratch_folder_and_nothing_else() {
        let scratch = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "instructor only").unwrap();
        let script = format!(
            "echo mine > mine.txt && cat mine.txt; cat {0} || echo no-read; echo x >> {0} || echo no-write; rm -f {0} || echo no-remove; : > {0} || echo no-truncate",
            secret.display()
        );
        let outcome = sandboxed(scratch.path(), &script, 20);
        let said = outcome.stdout.text;
        assert!(said.starts_with("mine\n"), "{said} {}", outcome.stderr.text);
        for refused in ["no-read", "no-write", "no-remove", "no-truncate"] {
            assert!(said.contains(refused), "{refused}: {said}");
        }
        assert_eq!(std::fs::read_to_string(&secret).unwrap(), "instructor only");
    }

    #[test]
    fn no_process_it_starts_outlives_it_whatever_it_does() {
        let scratch = tempfile::tempdir().unwrap();
        let marker = format!("kindling-sandbox-{}", std::process::id());
        // A new session, a double fork and a new process group, each sleeping on.
        let script = format!(
            "setsid bash -c 'exec -a {marker} sleep 300' & (bash -c 'exec -a {marker} sleep 300' &) ; bash -c 'set -m; exec -a {marker} sleep 300' & sleep 1; echo started"
        );
        let outcome = sandboxed(scratch.path(), &script, 20);
        assert!(outcome.status.unwrap().success(), "{outcome:?}");
        assert_eq!(outcome.stdout.text.trim(), "started");
        let alive = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|entry| {
                let line = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                line.starts_with(marker.as_bytes())
            })
            .count();
        assert_eq!(alive, 0, "a process outlived its run");
    }

    #[test]
    fn it_sees_no_process_network_or_socket_outside() {
        let scratch = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let socket_dir = tempfile::tempdir().unwrap();
        let socket = socket_dir.path().join("server.sock");
        let _server = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(
            socket_dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .unwrap();
        let script = format!(
            "ls /proc >/dev/null 2>&1 && echo proc-visible; \
             (echo hi > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo tcp-reached; \
             command -v python3 >/dev/null && python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.connect('{}'); print('unix-reached')\" 2>/dev/null; \
             env; echo done",
            socket.display()
        );
        let mut command = Command::new("/bin/bash");
        let outcome = {
            supported();
            command.arg("-c").arg(&script).current_dir(scratch.path());
            clean_env(&mut command, scratch.path());
            command.env("GRADER_SECRET_PROBE", "leaked");
            clean_env(&mut command, scratch.path());
            let sandbox = Sandbox {
                read: Vec::new(),
                write: vec![scratch.path().to_path_buf()],
                processes: 64,
                give_up_root: true,
            };
            run(&mut command, Limits::time(20), Some(&sandbox)).unwrap()
        };
        let said = outcome.stdout.text;
        assert!(said.ends_with("done\n"), "{said} {}", outcome.stderr.text);
        for reached in [
            "proc-visible",
            "tcp-reached",
            "unix-reached",
            "GRADER_SECRET",
        ] {
            assert!(!said.contains(reached), "{reached}: {said}");
        }
    }

    #[test]
    fn a_fork_bomb_meets_the_process_limit() {
        let scratch = tempfile::tempdir().unwrap();
        // Each loop starts sleepers until the limit refuses; the run still ends.
        let script =
            "i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done 2>/dev/null; echo tried";
        let started = Instant::now();
        let outcome = sandboxed(scratch.path(), script, 60);
        assert!(outcome.status.is_some(), "{outcome:?}");
        assert!(
            outcome.stderr.text.contains("fork")
                || outcome
                    .stderr
                    .text
                    .contains("Resource temporarily unavailable")
                || !outcome.status.unwrap().success(),
            "{outcome:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
