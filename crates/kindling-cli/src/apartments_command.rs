//! `kindling data apartments`: the straight-line lesson's made-up apartments as an
//! `x,y` CSV, ready for `kindling linreg`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use kindling::data::atomic::write_atomically;
use kindling::train::apartments::{
    Apartments, MAX_SIZE, MIN_SIZE, NOISE_SD, apartments_test, apartments_train,
};

#[derive(Debug, Args)]
pub struct ApartmentsArgs {
    /// Apartments to generate.
    #[arg(long, default_value_t = 100)]
    count: usize,
    /// Seed: the same seed gives the same apartments.
    #[arg(long, default_value_t = kindling::data::builtin::DEFAULT_SEED)]
    seed: u64,
    /// The CSV to write (default: apartments.csv, or apartments_test.csv with --test).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Generate the fresh set for checking a trained line, drawn apart from the
    /// training apartments of the same seed.
    #[arg(long)]
    test: bool,
    /// Replace --out if it already exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ApartmentsArgs) -> Result<()> {
    if args.count == 0 {
        bail!("--count 0 gives no apartments. Fix: ask for at least one, such as --count 100");
    }
    let default_name = if args.test {
        "apartments_test.csv"
    } else {
        "apartments.csv"
    };
    let out = args.out.unwrap_or_else(|| PathBuf::from(default_name));
    if out.is_dir() {
        bail!(
            "{} is a folder. Fix: give --out a file name such as {default_name}",
            out.display()
        );
    }
    if out.exists() && !args.force {
        bail!(
            "{} already exists. Fix: choose another --out, or pass --force to replace it",
            out.display()
        );
    }
    let (data, which) = if args.test {
        (apartments_test(args.count, args.seed), "fresh test")
    } else {
        (apartments_train(args.count, args.seed), "training")
    };
    write_atomically(&out, |writer| {
        writeln!(writer, "x,y")?;
        for (size, price) in data.sizes.iter().zip(&data.prices) {
            writeln!(writer, "{size},{price}")?;
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "Wrote {} {which} apartments (seed {}) to {}.",
        data.len(),
        args.seed,
        out.display()
    );
    println!(
        "x is the size in square metres ({MIN_SIZE} to {MAX_SIZE}), y the price in thousands of euros: the true line {} plus noise of standard deviation {NOISE_SD}.",
        Apartments::true_line()
    );
    println!(
        "Fit a line to it with: cargo kindling linreg --input {} --lr 1e-5",
        out.display()
    );
    Ok(())
}
