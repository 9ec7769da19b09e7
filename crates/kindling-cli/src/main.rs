//! `kindling`: train models, inspect data, compute metrics and draw charts.

mod data_command;
mod run_folder;
mod train_command;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Kindling: learn, and do, model training in Rust with Burn.
#[derive(Debug, Parser)]
#[command(name = "kindling", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train a model and save its history, charts, weights and settings.
    Train(train_command::TrainArgs),
    /// Look at datasets and download CIFAR-10.
    #[command(subcommand)]
    Data(data_command::DataCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Train(args) => train_command::run(args),
        Command::Data(command) => data_command::run(command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
