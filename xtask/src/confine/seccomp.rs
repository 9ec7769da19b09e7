//! The seccomp filter of a sandboxed run: `socket(AF_UNIX, ...)` fails with
//! `EACCES`. The network namespace already leaves a run without a network, and
//! abstract Unix sockets belong to that namespace, but a socket with a path
//! (`/run/...`, `/tmp/.X11-unix/...`) is reached through the file system, where
//! Landlock does not look at `connect`. Every other system call is allowed; a call
//! made through another architecture's numbering (x32, or 32-bit calls on x86-64),
//! which the filter does not read, kills the process.

use libc::{
    BPF_ABS, BPF_JEQ, BPF_JGE, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, SECCOMP_RET_ALLOW,
    SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, sock_filter,
};

#[cfg(target_arch = "x86_64")]
const ARCH: u32 = 0xc000_003e; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const ARCH: u32 = 0xc000_00b7; // AUDIT_ARCH_AARCH64
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("the grading sandbox's seccomp filter knows x86-64 and AArch64 only");

/// System call numbers from here up are x32's on x86-64 (none on AArch64).
#[cfg(target_arch = "x86_64")]
const FOREIGN_NUMBERS: u32 = 0x4000_0000;
#[cfg(target_arch = "aarch64")]
const FOREIGN_NUMBERS: u32 = u32::MAX;

// Offsets into `struct seccomp_data`: nr, arch, instruction pointer, args[6]; the
// first argument's low half comes first on these little-endian machines.
const NR: u32 = 0;
const ARCH_OFFSET: u32 = 4;
const FIRST_ARGUMENT: u32 = 16;

fn statement(code: u32, k: u32) -> sock_filter {
    sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// The filter program, ready for `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ...)`.
pub fn filter() -> Box<[sock_filter]> {
    let load = BPF_LD | BPF_W | BPF_ABS;
    // Jump offsets count the instructions skipped: from 1, 7 lands on 9.
    vec![
        statement(load, ARCH_OFFSET),
        jump(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 0, 7),
        statement(load, NR),
        jump(BPF_JMP | BPF_JGE | BPF_K, FOREIGN_NUMBERS, 5, 0),
        jump(BPF_JMP | BPF_JEQ | BPF_K, libc::SYS_socket as u32, 0, 3),
        statement(load, FIRST_ARGUMENT),
        jump(BPF_JMP | BPF_JEQ | BPF_K, libc::AF_UNIX as u32, 0, 1),
        statement(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | libc::EACCES as u32),
        statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        statement(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    ]
    .into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the classic-BPF program on one system call, as the kernel would.
    fn verdict(program: &[sock_filter], arch: u32, nr: u32, first: u32) -> u32 {
        let data = |offset: u32| match offset {
            NR => nr,
            ARCH_OFFSET => arch,
            FIRST_ARGUMENT => first,
            other => panic!("the filter reads offset {other}"),
        };
        let (mut accumulator, mut pc) = (0u32, 0usize);
        loop {
            let op = program[pc];
            let code = op.code as u32;
            if code == BPF_LD | BPF_W | BPF_ABS {
                accumulator = data(op.k);
                pc += 1;
            } else if code == BPF_RET | BPF_K {
                return op.k;
            } else {
                let taken = match code & 0xf0 {
                    c if c == BPF_JEQ => accumulator == op.k,
                    c if c == BPF_JGE => accumulator >= op.k,
                    other => panic!("unexpected jump {other:#x}"),
                };
                pc += 1 + if taken { op.jt } else { op.jf } as usize;
            }
        }
    }

    #[test]
    fn unix_sockets_are_refused_and_everything_else_is_allowed() {
        let program = filter();
        let socket = libc::SYS_socket as u32;
        let refused = SECCOMP_RET_ERRNO | libc::EACCES as u32;
        assert_eq!(
            verdict(&program, ARCH, socket, libc::AF_UNIX as u32),
            refused
        );
        assert_eq!(
            verdict(&program, ARCH, socket, libc::AF_INET as u32),
            SECCOMP_RET_ALLOW
        );
        assert_eq!(
            verdict(&program, ARCH, libc::SYS_read as u32, libc::AF_UNIX as u32),
            SECCOMP_RET_ALLOW
        );
        assert_eq!(
            verdict(&program, 0x4000_0003, socket, 1),
            SECCOMP_RET_KILL_PROCESS
        );
        if FOREIGN_NUMBERS != u32::MAX {
            assert_eq!(
                verdict(&program, ARCH, FOREIGN_NUMBERS | socket, 1),
                SECCOMP_RET_KILL_PROCESS
            );
        }
    }
}
