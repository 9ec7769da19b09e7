//! What a stage program's `main` does: read the flags, make Ctrl-C stop training
//! safely, run the stage, and turn how it ended into an exit code.
//!
//! With the handler installed, every `fit` in the stage watches Ctrl-C: the first press
//! lets the current batch finish and `fit` returns the epochs that finished (a fit
//! started after it stops before its first batch). The stage then writes what it has,
//! and the program ends with exit code 130 and says that its files hold a shortened run.
//! A second press quits at once. Every file a stage writes is written atomically, so
//! neither leaves half a file behind.

use std::fmt::Debug;
use std::process::ExitCode;

use clap::Parser;
use kindling::train::{FORCE_QUIT_EXIT_CODE, Interrupt};

use crate::StageArgs;

/// What the stage's `main` should say to the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The stage ran to the end.
    Finished,
    /// The stage stopped with an error, already printed.
    Failed,
    /// Ctrl-C stopped training: the results are from a shortened run.
    Interrupted,
}

impl From<Ending> for ExitCode {
    fn from(ending: Ending) -> ExitCode {
        match ending {
            Ending::Finished => ExitCode::SUCCESS,
            Ending::Failed => ExitCode::FAILURE,
            Ending::Interrupted => ExitCode::from(FORCE_QUIT_EXIT_CODE as u8),
        }
    }
}

/// What Ctrl-C leaves, said when a stage ends after it.
pub const INTERRUPTED_NOTE: &str = "Stopped by Ctrl-C: training ended after the batch it was on, so this stage's files hold a shortened run, not its real result. Run the stage again for the full result.";

/// The whole `main` of a stage program: `kindling_course::run_stage(stage01::run)`.
pub fn run_stage<E: Debug>(run: impl FnOnce(&StageArgs) -> Result<(), E>) -> ExitCode {
    run_stage_with::<StageArgs, E>(run)
}

/// [`run_stage`] for a stage whose program takes flags of its own besides
/// [`StageArgs`] (which it flattens in with `#[command(flatten)]`), such as stage
/// 5's `--part`.
pub fn run_stage_with<A: Parser, E: Debug>(run: impl FnOnce(&A) -> Result<(), E>) -> ExitCode {
    let args = match crate::args::with_argument_files(std::env::args_os()) {
        Ok(line) => A::parse_from(line),
        Err(error) => {
            eprintln!("Error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let interrupt = match Interrupt::ctrl_c() {
        Ok(interrupt) => interrupt,
        Err(error) => {
            eprintln!("Error: {error}");
            return ExitCode::FAILURE;
        }
    };
    ending(run(&args), &interrupt).into()
}

/// How a stage ended, printing its error (as Rust's own `main` would) and, after a
/// Ctrl-C, what the files are worth.
pub fn ending<E: Debug>(outcome: Result<(), E>, interrupt: &Interrupt) -> Ending {
    if let Err(error) = &outcome {
        interrupt.wait_if_force_quitting();
        eprintln!("Error: {error:?}");
    }
    if interrupt.requested() {
        eprintln!("{INTERRUPTED_NOTE}");
        return Ending::Interrupted;
    }
    match outcome {
        Ok(()) => Ending::Finished,
        Err(_) => Ending::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_that_runs_through_finishes() {
        assert_eq!(
            ending(Ok::<(), String>(()), &Interrupt::new()),
            Ending::Finished
        );
    }

    #[test]
    fn an_error_fails() {
        assert_eq!(ending(Err("no data"), &Interrupt::new()), Ending::Failed);
    }

    #[test]
    fn after_ctrl_c_the_stage_says_it_was_interrupted_whatever_came_next() {
        let interrupt = Interrupt::new();
        interrupt.request();
        assert_eq!(
            ending(Ok::<(), String>(()), &interrupt),
            Ending::Interrupted
        );
        assert_eq!(
            ending(Err("an empty history"), &interrupt),
            Ending::Interrupted
        );
    }

    #[test]
    fn exit_codes_follow_the_shells_conventions() {
        let code = |ending: Ending| format!("{:?}", ExitCode::from(ending));
        assert_eq!(code(Ending::Finished), format!("{:?}", ExitCode::SUCCESS));
        assert_eq!(code(Ending::Failed), format!("{:?}", ExitCode::FAILURE));
        assert_eq!(
            code(Ending::Interrupted),
            format!("{:?}", ExitCode::from(130))
        );
    }
}
