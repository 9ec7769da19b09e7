//! `cargo xtask timings [--full] [--stage N]`: measures how long each stage's
//! check takes (and, with `--full`, its full run) with the reference solutions,
//! and writes the book's one table of timings, `book/numbers/timings.txt`. Pages
//! include its cells (`{{#include ../numbers/timings.txt:stage05_check}}`) wherever
//! they give a time, so every page gives the same, measured figure.
//!
//! A measurement, not a test: run it on a quiet machine after the build.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;

use kindling::data::atomic::write_bytes_atomically;
use kindling_checker::{STAGES, StageInfo, parse_stage};

use crate::check::{Plan, check_stage, locate};
use crate::repo;

#[derive(Debug, Clone, Args)]
pub struct TimingsArgs {
    /// Measure only these stages (stage5, 5, ...; repeat for more); the table
    /// keeps the others' last measurements.
    #[arg(long = "stage", value_name = "STAGE")]
    stages: Vec<String>,
    /// Also time each stage's full run (`cargo run -p stageNN-solution`), which
    /// takes minutes.
    #[arg(long)]
    full: bool,
}

/// One stage's measured seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Measured {
    /// `cargo xtask check stageN` on the solution, after its build.
    check: Option<f64>,
    /// The stage's full run, after its build.
    full: Option<f64>,
}

pub fn run(args: &TimingsArgs) -> Result<()> {
    let mut chosen = Vec::new();
    for name in &args.stages {
        chosen.push(parse_stage(name)?.number);
    }
    let path = timings_file(&repo::root());
    let mut table = match std::fs::read_to_string(&path) {
        Ok(text) => read_table(&text)?,
        Err(_) => BTreeMap::new(),
    };
    let machine = machine();
    println!("Measuring on {machine}.");
    for stage in STAGES
        .iter()
        .filter(|s| s.written() && (chosen.is_empty() || chosen.contains(&s.number)))
    {
        let entry = table.entry(stage.number).or_default();
        entry.check = Some(time_check(stage)?);
        if args.full {
            entry.full = Some(time_full_run(stage)?);
        }
        println!(
            "stage {}: check {}, full run {}",
            stage.number,
            entry.check.map_or("-".into(), words),
            entry.full.map_or("-".into(), words)
        );
    }
    write_bytes_atomically(&path, render(&table, &machine).as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    println!("Wrote {}", path.display());
    Ok(())
}

/// `book/numbers/timings.txt` under the repository `root`.
pub fn timings_file(root: &Path) -> std::path::PathBuf {
    root.join("book").join("numbers").join("timings.txt")
}

/// Seconds of a whole `cargo xtask check` of the stage's solution, after the build:
/// the build runs once first, untimed.
fn time_check(stage: &StageInfo) -> Result<f64> {
    let dir = repo::root().join("solutions").join(stage.slug());
    let folder = locate(&dir, &stage.slug())?;
    let plan = Plan {
        keep_results: false,
        ..Plan::learner(None, true)
    };
    let warm = check_stage(stage, &folder, &plan, true)?;
    if !warm.passed {
        bail!(
            "the {} solution does not pass its check, so its time means nothing. Fix: run `cargo xtask check {} --path {}`",
            stage.slug(),
            stage.slug(),
            dir.display()
        );
    }
    let clock = Instant::now();
    check_stage(stage, &folder, &plan, true)?;
    Ok(clock.elapsed().as_secs_f64())
}

/// Seconds of the stage solution's full run into a scratch folder, after the build.
fn time_full_run(stage: &StageInfo) -> Result<f64> {
    let package = format!("{}-solution", stage.slug());
    let status = repo::cargo()
        .args(["build", "--quiet", "-p", &package])
        .current_dir(repo::root())
        .status()
        .context("building a stage solution")?;
    if !status.success() {
        bail!("{package} does not build");
    }
    let scratch = tempfile::tempdir()?;
    let out = scratch.path().join("run");
    let clock = Instant::now();
    let status = repo::cargo()
        .args(["run", "--quiet", "-p", &package, "--", "--out"])
        .arg(&out)
        .current_dir(repo::root())
        .stdout(std::process::Stdio::null())
        .status()
        .context("running a stage solution")?;
    if !status.success() {
        bail!("{package}'s full run failed");
    }
    Ok(clock.elapsed().as_secs_f64())
}

/// A time as the pages say it: "under a second", "14 seconds", "3.5 minutes".
fn words(seconds: f64) -> String {
    if seconds < 1.0 {
        "under a second".into()
    } else if seconds < 1.5 {
        "1 second".into()
    } else if seconds < 90.0 {
        format!("{:.0} seconds", seconds)
    } else {
        let halves = (seconds / 30.0).round() / 2.0;
        format!("{halves} minutes")
    }
}

/// The CPU and its cores, and how busy the machine was when measuring began.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    format!("{cores} cores of {cpu} (load average {load} when measuring began)")
}

const HEADER: &str = "# The book's one table of measured timings. Written by `cargo xtask timings`
# from the reference solutions; pages include its cells. Do not edit by hand.";

/// The file: each stage's cells as anchors, the whole table, and the machine.
fn render(table: &BTreeMap<u8, Measured>, machine: &str) -> String {
    let mut text = format!("{HEADER}\n");
    let mut anchor = |name: String, value: String| {
        text.push_str(&format!("ANCHOR: {name}\n{value}\nANCHOR_END: {name}\n"));
    };
    let mut rows = vec![
        "| Stage | `cargo xtask check`, once built | Full run, once built |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for (number, measured) in table {
        let stage = STAGES.iter().find(|s| s.number == *number);
        let name = stage.map_or("", |s| s.name);
        rows.push(format!(
            "| {number}. {name} | {} | {} |",
            measured.check.map_or("not measured".into(), words),
            measured.full.map_or("not measured".into(), words)
        ));
        if let Some(seconds) = measured.check {
            anchor(format!("stage{number:02}_check"), words(seconds));
            anchor(
                format!("stage{number:02}_check_seconds"),
                format!("{seconds:.1}"),
            );
        }
        if let Some(seconds) = measured.full {
            anchor(format!("stage{number:02}_full"), words(seconds));
            anchor(
                format!("stage{number:02}_full_seconds"),
                format!("{seconds:.1}"),
            );
        }
    }
    anchor("table".into(), rows.join("\n"));
    anchor("machine".into(), machine.to_string());
    text
}

/// Reads the seconds back from a file written by [`render`].
fn read_table(text: &str) -> Result<BTreeMap<u8, Measured>> {
    let mut table: BTreeMap<u8, Measured> = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix("ANCHOR: ") else {
            continue;
        };
        let value = lines.next().unwrap_or_default();
        let Some((stage, kind)) = name
            .strip_prefix("stage")
            .and_then(|rest| rest.split_once('_'))
        else {
            continue;
        };
        let (Ok(stage), Ok(seconds)) = (stage.parse::<u8>(), value.parse::<f64>()) else {
            continue;
        };
        let entry = table.entry(stage).or_default();
        match kind {
            "check_seconds" => entry.check = Some(seconds),
            "full_seconds" => entry.full = Some(seconds),
            _ => {}
        }
    }
    if table.is_empty() && text.contains("ANCHOR") {
        bail!("book/numbers/timings.txt holds no seconds. Fix: delete it and measure again");
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_said_in_words() {
        assert_eq!(words(0.4), "under a second");
        assert_eq!(words(1.2), "1 second");
        assert_eq!(words(14.4), "14 seconds");
        assert_eq!(words(89.0), "89 seconds");
        assert_eq!(words(100.0), "1.5 minutes");
        assert_eq!(words(180.0), "3 minutes");
    }

    #[test]
    fn the_table_reads_back_its_seconds() {
        let table = BTreeMap::from([
            (
                1,
                Measured {
                    check: Some(2.3),
                    full: None,
                },
            ),
            (
                5,
                Measured {
                    check: Some(14.0),
                    full: Some(95.5),
                },
            ),
        ]);
        let text = render(&table, "2 cores");
        assert_eq!(read_table(&text).unwrap(), table);
        assert!(text.contains("ANCHOR: stage05_check\n14 seconds\n"));
        assert!(text.contains("| 5. Training history | 14 seconds | 1.5 minutes |"));
    }
}
