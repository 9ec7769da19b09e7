//! The Linux sandbox: a Landlock ruleset made here, then, between fork and exec,
//! new namespaces, the process limit, the ruleset and the seccomp filter, and two
//! more forks, so that the program runs under an init of our own:
//!
//! ```text
//! grader ── keeper (new user/network/IPC namespaces; waits, mirrors the status)
//!             └── init, PID 1 of a new PID namespace (reaps, reports the status)
//!                   └── the program, PID 2, and everything it starts
//! ```
//!
//! When init ends (its program ended, or the keeper was killed and the kernel sent
//! init `SIGKILL` as its parent-death signal), the kernel kills every process left
//! in the namespace, whatever group or session it moved to: nothing outlives a run.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, PathBeneath, PathFd,
    Ruleset, RulesetAttr, RulesetCreatedAttr, Scope,
};

use super::Sandbox;

/// The newest Landlock ABI whose rights the sandbox asks for.
const ABI_USED: ABI = ABI::V7;

/// `nobody` and `nogroup` (65534 on Debian, Ubuntu, Fedora and Arch alike).
const NOBODY: libc::uid_t = 65534;

/// System files and folders every sandboxed program may read and run: libraries,
/// programs (a submission may start `sh` or `sleep`: they are confined as it is),
/// the dynamic linker's cache and the CPU's description (Burn's matrix product
/// sizes its blocks from the caches listed there).
const SYSTEM_READ: [&str; 14] = [
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/sys/devices/system/cpu",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];

/// System files every sandboxed program may write.
const SYSTEM_WRITE: [&str; 2] = ["/dev/null", "/dev/full"];

/// The highest Landlock ABI this kernel offers (0: none).
pub fn landlock_abi() -> i32 {
    // SAFETY: the documented version query: no ruleset is created.
    unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32, // LANDLOCK_CREATE_RULESET_VERSION
        ) as i32
    }
}

/// Whether the sandbox will run its program as `nobody`.
pub fn gives_up_root(sandbox: &Sandbox) -> bool {
    // SAFETY: geteuid cannot fail.
    sandbox.give_up_root && unsafe { libc::geteuid() } == 0
}

/// The Landlock ruleset of `sandbox`: every file-system right and TCP are handled,
/// signals and abstract sockets are scoped to the sandbox, and only the listed
/// paths are opened up.
fn ruleset(sandbox: &Sandbox) -> Result<OwnedFd> {
    let read = AccessFs::from_read(ABI_USED);
    let all = AccessFs::from_all(ABI_USED);
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all)?
        .handle_access(AccessNet::from_all(ABI_USED))?
        .scope(Scope::from_all(ABI_USED))?
        .create()?;
    let system_read = SYSTEM_READ.iter().map(PathBuf::from);
    let system_write = SYSTEM_WRITE.iter().map(PathBuf::from);
    let rules: Vec<(PathBuf, BitFlags<AccessFs>, bool)> = system_read
        .map(|p| (p, read, false))
        .chain(system_write.map(|p| (p, all, false)))
        .chain(sandbox.read.iter().map(|p| (p.clone(), read, true)))
        .chain(sandbox.write.iter().map(|p| (p.clone(), all, true)))
        .collect();
    for (path, access, required) in rules {
        match PathFd::new(&path) {
            Ok(fd) => ruleset = ruleset.add_rule(PathBeneath::new(fd, access))?,
            // A system folder this distribution does not have.
            Err(_) if !required => {}
            Err(error) => {
                return Err(error).with_context(|| {
                    format!("opening {} for the sandbox's rules", path.display())
                });
            }
        }
    }
    Option::<OwnedFd>::from(ruleset)
        .context("the kernel gave no Landlock ruleset (Landlock is not enabled)")
}

/// Hands the sandbox's writable folders, and everything in them, to `nobody`.
fn hand_to_nobody(sandbox: &Sandbox) -> Result<()> {
    fn chown_tree(path: &Path) -> Result<()> {
        let metadata = std::fs::symlink_metadata(path)?;
        std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY))
            .with_context(|| format!("handing {} to nobody", path.display()))?;
        if metadata.is_dir() {
            for entry in std::fs::read_dir(path)? {
                chown_tree(&entry?.path())?;
            }
        }
        Ok(())
    }
    for path in &sandbox.write {
        // Only what the grader made for the run: never a system file.
        if std::fs::metadata(path)?.uid() == 0 && !path.starts_with("/dev") {
            chown_tree(path)?;
        }
    }
    Ok(())
}

/// Sets up `command` to run inside `sandbox`.
pub fn enclose(command: &mut Command, sandbox: &Sandbox) -> Result<()> {
    if landlock_abi() < super::support::LANDLOCK_ABI_NEEDED {
        bail!(
            "this kernel has no Landlock (or one older than ABI {}). Fix: grade on Linux 6.2 or newer with Landlock enabled, or pass --unconfined",
            super::support::LANDLOCK_ABI_NEEDED
        );
    }
    let give_up_root = gives_up_root(sandbox);
    if give_up_root {
        hand_to_nobody(sandbox)?;
    }
    let ruleset = ruleset(sandbox)?;
    let filter = super::seccomp::filter();
    let processes = sandbox.processes.max(4);
    // SAFETY: between fork and exec this runs only async-signal-safe system calls
    // (no allocation, no locks); the keeper and init never return from it.
    unsafe {
        command.pre_exec(move || {
            let fail = || Err(std::io::Error::last_os_error());
            // The grader's own SIGCHLD handler (wait-timeout's) would run in the
            // keeper and init, writing to a descriptor they do not have.
            libc::signal(libc::SIGCHLD, libc::SIG_DFL);
            if give_up_root
                && (libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(NOBODY) != 0
                    || libc::setuid(NOBODY) != 0)
            {
                return fail();
            }
            let spaces =
                libc::CLONE_NEWUSER | libc::CLONE_NEWPID | libc::CLONE_NEWNET | libc::CLONE_NEWIPC;
            if libc::unshare(spaces) != 0 {
                return fail();
            }
            // After the user namespace: the count is of this run's processes only.
            let limit = libc::rlimit {
                rlim_cur: processes as libc::rlim_t,
                rlim_max: processes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0 {
                return fail();
            }
            if libc::prctl(
                libc::PR_SET_NO_NEW_PRIVS,
                1 as libc::c_ulong,
                0 as libc::c_ulong,
                0 as libc::c_ulong,
                0 as libc::c_ulong,
            ) != 0
            {
                return fail();
            }
            if libc::syscall(libc::SYS_landlock_restrict_self, ruleset.as_raw_fd(), 0u32) != 0 {
                return fail();
            }
            let program = libc::sock_fprog {
                len: filter.len() as u16,
                filter: filter.as_ptr() as *mut libc::sock_filter,
            };
            if libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER as libc::c_ulong,
                &program as *const libc::sock_fprog as libc::c_ulong,
            ) != 0
            {
                return fail();
            }
            let mut status_pipe = [0; 2];
            if libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
                return fail();
            }
            match libc::fork() {
                -1 => fail(),
                0 => become_init(status_pipe[1]),
                init => keep(init, status_pipe[0]),
            }
        });
    }
    Ok(())
}

/// Closes every descriptor from 3 up but `keep`.
unsafe fn close_from_3_but(keep: libc::c_int) {
    // SAFETY: close_range only closes descriptors.
    unsafe {
        libc::syscall(libc::SYS_close_range, 3u32, (keep - 1) as u32, 0u32);
        libc::syscall(libc::SYS_close_range, (keep + 1) as u32, u32::MAX, 0u32);
    }
}

/// The keeper: waits for init and ends as the program ended (its status comes
/// through the pipe; when init was killed before it could say, init's own).
unsafe fn keep(init: libc::pid_t, status_read: libc::c_int) -> ! {
    // SAFETY: plain system calls on our own descriptors and child.
    unsafe {
        // The grader's end of the exec-error pipe among them: the grader must not
        // wait for the keeper to learn that the program started.
        close_from_3_but(status_read);
        let mut reported: libc::c_int = 0;
        let mut got = 0usize;
        let size = std::mem::size_of::<libc::c_int>();
        while got < size {
            let n = libc::read(
                status_read,
                (&mut reported as *mut libc::c_int as *mut u8).add(got) as *mut libc::c_void,
                size - got,
            );
            if n > 0 {
                got += n as usize;
            } else if n == 0 || *libc::__errno_location() != libc::EINTR {
                break;
            }
        }
        let mut init_status = 0;
        while libc::waitpid(init, &mut init_status, 0) < 0
            && *libc::__errno_location() == libc::EINTR
        {}
        mirror(if got == size { reported } else { init_status })
    }
}

/// Ends this process the way `status` says a process ended.
unsafe fn mirror(status: libc::c_int) -> ! {
    // SAFETY: plain system calls on this process.
    unsafe {
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            libc::signal(signal, libc::SIG_DFL);
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            libc::kill(libc::getpid(), signal);
            libc::_exit(128 + signal);
        }
        libc::_exit(if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            1
        })
    }
}

/// Init: starts the program, reaps whatever else ends, and reports the program's
/// status; returns only in the program, which then execs.
unsafe fn become_init(status_write: libc::c_int) -> std::io::Result<()> {
    // SAFETY: plain system calls; the loop never returns but in the program.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        let program = libc::fork();
        if program == 0 {
            // The program dies with init too (init itself is killed, not signalled,
            // when its keeper dies).
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            return Ok(());
        }
        close_from_3_but(status_write);
        if program < 0 {
            libc::_exit(127);
        }
        loop {
            let mut status = 0;
            let pid = libc::waitpid(-1, &mut status, 0);
            if pid == program {
                libc::write(
                    status_write,
                    &status as *const libc::c_int as *const libc::c_void,
                    std::mem::size_of::<libc::c_int>(),
                );
                // Everything else in the namespace is killed as init ends.
                libc::_exit(0);
            }
            if pid < 0 && *libc::__errno_location() != libc::EINTR {
                libc::_exit(127);
            }
        }
    }
}
