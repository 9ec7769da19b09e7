//! `kindling data`: look at a dataset, download CIFAR-10.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;

use kindling::data::fetch::{FetchOptions, data_dir, fetch_cifar10};
use kindling::data::{DataSource, SplitSizes, load_splits};

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Print a dataset's split sizes and images per class.
    Info {
        /// builtin, cifar10[:PATH] or folder:PATH.
        #[arg(long, default_value = "builtin")]
        dataset: String,
        /// Training images (default: all but the validation share).
        #[arg(long)]
        train_size: Option<usize>,
        /// Validation images (default: a tenth of the training split).
        #[arg(long)]
        val_size: Option<usize>,
        /// Seed of the split.
        #[arg(long, default_value_t = kindling::data::builtin::DEFAULT_SEED)]
        seed: u64,
    },
    /// Download a dataset into the cache (KINDLING_DATA, or the platform cache folder).
    Fetch {
        /// The dataset: only cifar10 for now.
        #[arg(value_parser = ["cifar10"])]
        name: String,
        /// Download from this address instead of the official one (a mirror).
        #[arg(long)]
        url: Option<String>,
        /// Cache folder (default: KINDLING_DATA or the platform cache folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Write the line-fitting lesson's made-up apartments (size, price) as an x,y CSV.
    Apartments(crate::apartments_command::ApartmentsArgs),
}

pub fn run(command: DataCommand) -> Result<()> {
    match command {
        DataCommand::Info {
            dataset,
            train_size,
            val_size,
            seed,
        } => info(&dataset, train_size, val_size, seed),
        DataCommand::Fetch { name: _, url, dir } => {
            let cache = match dir {
                Some(dir) => dir,
                None => data_dir()?,
            };
            let mut options = FetchOptions::cifar10(cache);
            if let Some(url) = url {
                options.url = url;
            }
            let outcome = fetch_cifar10(&options)?;
            println!("{outcome}");
            println!("Train on it with: cargo kindling train --dataset cifar10");
            Ok(())
        }
        DataCommand::Apartments(args) => crate::apartments_command::run(args),
    }
}

fn info(dataset: &str, train: Option<usize>, validation: Option<usize>, seed: u64) -> Result<()> {
    let source: DataSource = dataset.parse()?;
    let started = Instant::now();
    let sizes = SplitSizes {
        train,
        validation,
        test: None,
    };
    let splits = load_splits(&source, sizes, seed).with_context(|| format!("loading {source}"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!("Dataset {source} (seed {seed}), loaded in {seconds:.2}s");
    println!(
        "Images: 32x32 RGB; {} training, {} validation, {} test (sealed)",
        splits.train.len(),
        splits.validation.len(),
        splits.test.len()
    );
    let names = splits.class_names();
    let width = names.iter().map(String::len).max().unwrap_or(5).max(5);
    println!(
        "{:<3} {:<width$} {:>8} {:>10} {:>8}",
        "#", "class", "train", "validation", "test"
    );
    let (train, valid, test) = (
        splits.train.class_counts(),
        splits.validation.class_counts(),
        splits.test.class_counts(),
    );
    for (index, name) in names.iter().enumerate() {
        println!(
            "{index:<3} {name:<width$} {:>8} {:>10} {:>8}",
            train[index], valid[index], test[index]
        );
    }
    Ok(())
}
