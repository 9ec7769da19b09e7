//! The global allocator of every course program (the stage binaries, xtask):
//! mimalloc, like the `kindling` program, unless `KINDLING_SYSTEM_ALLOCATOR` is
//! set, so that `cargo xtask bench` can time both in the same run (its workers are
//! child processes started with or without it). Burn allocates and frees large
//! tensor buffers on every operation; glibc's malloc maps and unmaps them each
//! time (page faults, TLB shootdowns), mimalloc reuses them.
//!
//! The choice is made once, at the first allocation (before any thread starts),
//! and never changes, so every block is freed by the allocator that made it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CStr;
use std::sync::atomic::{AtomicU8, Ordering};

use mimalloc::MiMalloc;

/// The environment variable that selects the system allocator.
pub const SYSTEM_ALLOCATOR_VAR: &CStr = c"KINDLING_SYSTEM_ALLOCATOR";

const UNDECIDED: u8 = 0;
const MIMALLOC: u8 = 1;
const SYSTEM: u8 = 2;

/// Forwards to mimalloc or, when asked, the system allocator.
pub struct Switchable;

#[global_allocator]
static ALLOCATOR: Switchable = Switchable;

static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

fn choice() -> u8 {
    let known = CHOICE.load(Ordering::Relaxed);
    if known != UNDECIDED {
        return known;
    }
    // getenv does not allocate, so it is safe inside the allocator.
    #[cfg(unix)]
    // SAFETY: a NUL-terminated name; the environment is not being modified this early.
    let system = unsafe { !libc::getenv(SYSTEM_ALLOCATOR_VAR.as_ptr()).is_null() };
    #[cfg(not(unix))]
    let system = false;
    let decided = if system { SYSTEM } else { MIMALLOC };
    CHOICE.store(decided, Ordering::Relaxed);
    decided
}

// SAFETY: every call is forwarded to one allocator, fixed for the process's life.
unsafe impl GlobalAlloc for Switchable {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe {
            if choice() == SYSTEM {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the same allocator (the choice never changes).
        unsafe {
            if choice() == SYSTEM {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe {
            if choice() == SYSTEM {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from the same allocator (the choice never changes).
        unsafe {
            if choice() == SYSTEM {
                System.realloc(ptr, layout, new_size)
            } else {
                MiMalloc.realloc(ptr, layout, new_size)
            }
        }
    }
}
