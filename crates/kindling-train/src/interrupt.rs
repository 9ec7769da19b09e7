//! Stopping a run from outside: a flag that `fit` reads after every batch, and,
//! when the program asks for it, Ctrl-C wired to that flag.
//!
//! The library never touches signals on its own: a program that wants Ctrl-C to
//! stop training calls [`Interrupt::ctrl_c`] once and puts the flag in its
//! [`FitConfig`](crate::FitConfig) (`with_interrupt`). The first Ctrl-C then lets
//! the current batch finish and `fit` returns the finished epochs; a second one
//! removes the folders registered with [`Interrupt::remove_on_force_quit`] and
//! ends the process at once with exit code 130.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Exit code of a process ended by a second Ctrl-C (128 + SIGINT, the shell's convention).
pub const FORCE_QUIT_EXIT_CODE: i32 = 130;

/// A shared "please stop" flag. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requests: AtomicUsize,
    force_quit_cleanup: Mutex<Vec<PathBuf>>,
}

/// Ctrl-C could not be wired up (another handler is already installed).
#[derive(Debug, thiserror::Error)]
#[error(
    "could not install the Ctrl-C handler: {0}. Fix: install only one Ctrl-C handler per program, or use Interrupt::new() and call request() from yours"
)]
pub struct InterruptError(String);

static CTRL_C: OnceLock<Interrupt> = OnceLock::new();

impl Interrupt {
    /// A flag nobody raises but you (call [`request`](Self::request)).
    pub fn new() -> Self {
        Self::default()
    }

    /// The process's Ctrl-C flag, installing the handler on the first call (later
    /// calls return the same flag).
    pub fn ctrl_c() -> Result<Interrupt, InterruptError> {
        if let Some(existing) = CTRL_C.get() {
            return Ok(existing.clone());
        }
        let interrupt = Interrupt::new();
        let handler = interrupt.clone();
        ctrlc::set_handler(move || handler.signal())
            .map_err(|error| InterruptError(error.to_string()))?;
        Ok(CTRL_C.get_or_init(|| interrupt).clone())
    }

    /// The Ctrl-C flag, if the program installed it with [`ctrl_c`](Self::ctrl_c).
    /// `fit` watches it when its config names no other flag, so one call in a
    /// program's `main` makes every `fit` in it stop cleanly on Ctrl-C.
    pub fn installed() -> Option<Interrupt> {
        CTRL_C.get().cloned()
    }

    /// Asks training to stop after the current batch.
    pub fn request(&self) {
        self.inner.requests.fetch_add(1, Ordering::SeqCst);
    }

    /// True once a stop has been asked for.
    pub fn requested(&self) -> bool {
        self.inner.requests.load(Ordering::SeqCst) > 0
    }

    /// Removes `dir` (a folder being filled, such as a staged run) if the process is
    /// force-quit by a second Ctrl-C, so nothing half-written stays behind.
    pub fn remove_on_force_quit(&self, dir: impl Into<PathBuf>) {
        self.cleanup_list().push(dir.into());
    }

    /// Stops removing `dir` on a force-quit (it has been moved into place).
    pub fn keep_on_force_quit(&self, dir: &std::path::Path) {
        self.cleanup_list().retain(|registered| registered != dir);
    }

    /// True while a second Ctrl-C is removing folders and ending the process.
    pub fn force_quitting(&self) -> bool {
        self.inner.requests.load(Ordering::SeqCst) > 1
    }

    /// When a force-quit is under way, waits for it to end the process (call it
    /// before reporting an error: the error is only the folder vanishing under the
    /// program's feet, and the exit code should be the force-quit's).
    pub fn wait_if_force_quitting(&self) {
        while self.force_quitting() {
            std::thread::park_timeout(std::time::Duration::from_millis(100));
        }
    }

    fn cleanup_list(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        // A poisoned list is still a list of folders.
        self.inner
            .force_quit_cleanup
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What a signal does: the first asks to stop, the second removes the
    /// registered folders and ends the process.
    fn signal(&self) {
        let before = self.inner.requests.fetch_add(1, Ordering::SeqCst);
        if before == 0 {
            eprintln!(
                "\nCtrl-C: stopping after the current batch and saving the finished epochs (press Ctrl-C again to quit at once, saving nothing)."
            );
            return;
        }
        for dir in self.cleanup_list().iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
        eprintln!("\nCtrl-C again: quitting at once; what was not saved yet is dropped.");
        std::process::exit(FORCE_QUIT_EXIT_CODE);
    }
}

impl PartialEq for Interrupt {
    /// Two flags are equal when they are the same flag.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_flag() {
        let flag = Interrupt::new();
        let clone = flag.clone();
        assert!(!clone.requested());
        flag.request();
        assert!(clone.requested());
        assert_eq!(flag, clone);
        assert_ne!(flag, Interrupt::new());
    }

    #[test]
    fn force_quit_folders_can_be_registered_and_released() {
        let flag = Interrupt::new();
        flag.remove_on_force_quit("/tmp/a");
        flag.remove_on_force_quit("/tmp/b");
        flag.keep_on_force_quit(std::path::Path::new("/tmp/a"));
        assert_eq!(*flag.cleanup_list(), [PathBuf::from("/tmp/b")]);
    }
}
