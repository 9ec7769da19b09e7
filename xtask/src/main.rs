//! Project and course tooling: `cargo xtask <command>`.

mod bench;

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
    /// Measure fit against a bare Burn loop, and data loading.
    Bench(bench::BenchArgs),
    /// One measurement of `bench`, run in its own process (used by `bench`).
    #[command(hide = true)]
    BenchWorker(bench::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Bench(args) => bench::run(&args),
        Command::BenchWorker(args) => bench::worker(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
