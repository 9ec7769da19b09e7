//! `kindling read`: the automatic read of a training run's history.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Args;
use serde::Serialize;

use kindling::train::diagnosis::{Diagnosis, diagnose};

use crate::common::load_history;

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// A run folder written by `kindling train` (its history.json is read), or a
    /// history.json / history.csv file.
    #[arg(value_name = "RUN_DIR")]
    run: PathBuf,
    /// Print the read as JSON (verdict, signals, evidence and advice).
    #[arg(long)]
    json: bool,
}

/// The JSON form: the diagnosis plus the sentences the text form prints.
#[derive(Serialize)]
struct ReadJson<'a> {
    history: String,
    summary: String,
    advice: &'static str,
    #[serde(flatten)]
    diagnosis: &'a Diagnosis,
}

pub fn run(args: ReadArgs) -> Result<()> {
    let (file, history) = load_history(&args.run)?;
    let read = diagnose(&history).map_err(|error| anyhow!("{}: {error}", file.display()))?;
    if args.json {
        let json = ReadJson {
            history: file.display().to_string(),
            summary: read.verdict.to_string(),
            advice: read.verdict.advice(),
            diagnosis: &read,
        };
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!("Training read of {}", file.display());
        println!("{read}");
    }
    Ok(())
}
