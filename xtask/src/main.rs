//! Project and course tooling: `cargo xtask <command>`.

mod bench;
mod book;
mod check;
mod confine;
mod grade;
mod repo;
mod reset;
mod robust;
mod sync;
mod timings;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Kindling's project and course tooling")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build and run a stage in the check profile and print its checklist.
    Check(check::CheckArgs),
    /// Grade a class's submissions of a stage: gradebook, feedback, summary.
    Grade(grade::GradeArgs),
    /// Gradescope's autograder: grade one upload and write results.json.
    Gradescope(grade::gradescope::GradescopeArgs),
    /// Print the GitHub Classroom autograding workflow of a stage.
    Classroom(grade::classroom::ClassroomArgs),
    /// Say whether this machine can confine graded code (exit code 0 when it can).
    Confinement,
    /// Check a stage again each time one of its files is saved (or Enter is pressed).
    Watch(watch::WatchArgs),
    /// Put a stage's exercise back to its starting files (your versions are kept).
    Reset(reset::ResetArgs),
    /// Print a stage's hints: symptom, cause, fix.
    Hint {
        /// The stage (stage5, stage05 or 5).
        stage: String,
    },
    /// Build the course book (installs mdbook when missing), or serve it; first
    /// run every stage's check profile for the pictures and numbers it includes.
    Book {
        /// Serve it on localhost and open a browser, rebuilding on change.
        #[arg(long, conflicts_with = "generate")]
        serve: bool,
        /// Only regenerate the pictures, the quoted numbers (book/numbers/) and the
        /// appendices' printouts; do not build the book.
        #[arg(long)]
        generate: bool,
        /// Run only these stages (stage5, 5, ...; repeat for more); the others'
        /// pictures and numbers stay as they are.
        #[arg(long = "stage", value_name = "STAGE")]
        stages: Vec<String>,
    },
    /// Measure each stage's check (and full run) with the reference solutions and
    /// write the book's table of timings, book/numbers/timings.txt.
    Timings(timings::TimingsArgs),
    /// Regenerate exercises/ from the marked regions of solutions/.
    SyncExercises {
        /// Only report exercise files that are out of date; change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Run a stage's reference solution at several seeds and count where each claim of its page holds.
    Robust(robust::RobustArgs),
    /// Measure fit against a bare Burn loop, and data loading.
    Bench(bench::BenchArgs),
    /// One measurement of `bench`, run in its own process (used by `bench`).
    #[command(hide = true)]
    BenchWorker(bench::WorkerArgs),
    /// Runs one of a stage's other programs confined, for its checker (used by `check`).
    #[command(hide = true)]
    ConfinedProgram(check::run::ProgramArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::ConfinedProgram(args) => return check::run::program_command(&args),
        Command::Check(args) => check::command(&args),
        Command::Grade(args) => grade::command(&args),
        Command::Gradescope(args) => grade::gradescope::command(&args),
        Command::Classroom(args) => grade::classroom::command(&args),
        Command::Confinement => Ok(confine::report()),
        Command::Watch(args) => watch::run(&args),
        Command::Reset(args) => reset::run(&args),
        Command::Hint { stage } => check::hint(&stage).map(|()| true),
        Command::Book {
            serve,
            generate,
            stages,
        } => {
            let mode = match (serve, generate) {
                (true, _) => book::Mode::Serve,
                (_, true) => book::Mode::Generate,
                _ => book::Mode::Build,
            };
            book::run(mode, &stages).map(|()| true)
        }
        Command::Timings(args) => timings::run(&args).map(|()| true),
        Command::SyncExercises { check } => sync::run(check),
        Command::Robust(args) => robust::command(&args),
        Command::Bench(args) => bench::run(&args).map(|()| true),
        Command::BenchWorker(args) => bench::worker(&args).map(|()| true),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
