//! `kindling`: train models, inspect data, compute metrics and draw charts.

mod apartments_command;
mod common;
mod compare_command;
mod data_command;
mod evaluate_command;
mod linreg_command;
mod lr_find_command;
mod metrics_command;
mod plot_command;
mod predict_command;
mod read_command;
mod report_command;
mod run_folder;
mod train_command;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Burn allocates and frees large tensor buffers on every operation; glibc's malloc
// maps and unmaps them each time (page faults, TLB shootdowns), mimalloc reuses
// them. `cargo xtask bench` measures the difference.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Score a trained run on its sealed test set, once: metrics, predictions,
    /// confusion matrices and the most confident mistakes, recorded in a ledger.
    Evaluate(evaluate_command::EvaluateArgs),
    /// Predict the class of image files with a trained run: the top classes and
    /// their probabilities, as text, JSON or a bar chart.
    Predict(predict_command::PredictArgs),
    /// Build a report of an evaluated run (HTML and Markdown): results, charts,
    /// examples, limitations, and where every number comes from.
    Report(report_command::ReportArgs),
    /// Look at datasets and download CIFAR-10.
    #[command(subcommand)]
    Data(data_command::DataCommand),
    /// Metrics of a predictions CSV: accuracy, precision/recall/F1, ROC-AUC, confusion
    /// matrix; or MSE, RMSE, MAE and R^2.
    Metrics(metrics_command::MetricsArgs),
    /// Fit a straight line to an x,y CSV by gradient descent, showing every epoch.
    Linreg(linreg_command::LinregArgs),
    /// Sweep the learning rate over a short run and suggest one (the LR range test).
    LrFind(lr_find_command::LrFindArgs),
    /// Read a training run: healthy, still improving, plateau, overfitting,
    /// underfitting or diverged, with the evidence and advice.
    Read(read_command::ReadArgs),
    /// Draw a chart of chosen metrics straight from a history file.
    Plot(plot_command::PlotArgs),
    /// Compare runs: overlaid validation curves and a table of their final numbers.
    Compare(compare_command::CompareArgs),
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Train(args) => match train_command::run(args) {
            // 130, the shell's code for Ctrl-C, so `kindling train && next` stops.
            Ok(train_command::Outcome::Interrupted) => {
                return ExitCode::from(kindling::train::FORCE_QUIT_EXIT_CODE as u8);
            }
            other => other.map(|_| ()),
        },
        Command::Evaluate(args) => evaluate_command::run(args),
        Command::Predict(args) => predict_command::run(args),
        Command::Report(args) => report_command::run(args),
        Command::Data(command) => data_command::run(command),
        Command::Metrics(args) => metrics_command::run(args),
        Command::Linreg(args) => linreg_command::run(args),
        Command::LrFind(args) => lr_find_command::run(args),
        Command::Read(args) => read_command::run(args),
        Command::Plot(args) => plot_command::run(args),
        Command::Compare(args) => compare_command::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A second Ctrl-C removing the run under our feet is not an error to report.
            if let Some(interrupt) = kindling::train::Interrupt::installed() {
                interrupt.wait_if_force_quitting();
            }
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `kindling read run --json | head` closes the pipe early: end quietly, as Unix
/// programs do, instead of panicking in `println!`.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
