//! `cargo xtask robust stageN --seeds K`: runs a stage's reference solution in the
//! check profile at K seeds and counts, for every claim its page makes (see
//! `kindling_checker::claims`) and for the checker itself, how many seeds it held
//! at and by what margin. A lesson the book teaches must hold at every seed the
//! grader may pick; this is where that is measured.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;

use kindling::train::History;
use kindling_checker::bands::reference_epochs;
use kindling_checker::claims::{self, Claim, RunFiles, Verdict};
use kindling_checker::facts::DEFAULT_SEED;
use kindling_checker::{CheckContext, Reference, StageInfo, Status, evaluate_run, parse_stage};

use crate::check::build::{BuildRules, build};
use crate::check::{BuildOutcome, locate};
use crate::confine::{self, Confinement, Limits};
use crate::repo;

#[derive(Debug, Clone, Args)]
pub struct RobustArgs {
    /// The stage (stage8, stage08 or 8).
    stage: String,
    /// How many seeds: the default seed (42), then 1, 2, 3, ...
    #[arg(long, default_value_t = 10)]
    seeds: usize,
    /// Run exactly these seeds instead (repeat: --seed 7 --seed 271828).
    #[arg(long = "seed", value_name = "SEED")]
    seed: Vec<u64>,
    /// Keep each seed's run folder as DIR/seed-N (replaced if there).
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Also write the results as JSON into FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Seconds each run may take (default: the stage's check time limit).
    #[arg(long)]
    timeout: Option<u64>,
    /// Run nothing: judge the claims on a finished run's folder (a full run, say).
    #[arg(long, value_name = "RUN_DIR", conflicts_with_all = ["seed", "keep"])]
    judge: Option<PathBuf>,
}

/// One claim (or the checker) at one seed.
#[derive(Debug, Clone, Serialize)]
struct SeedVerdict {
    seed: u64,
    #[serde(flatten)]
    verdict: Verdict,
}

/// One claim over every seed.
#[derive(Debug, Clone, Serialize)]
struct ClaimRow {
    id: String,
    statement: String,
    unit: String,
    held: usize,
    seeds: usize,
    verdicts: Vec<SeedVerdict>,
}

/// One seed's run.
#[derive(Debug, Clone, Serialize)]
struct SeedRun {
    seed: u64,
    seconds: f64,
    /// Why the run gave nothing to judge, if it did not finish.
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Robustness {
    stage: u8,
    name: &'static str,
    profile: &'static str,
    runs: Vec<SeedRun>,
    claims: Vec<ClaimRow>,
}

/// The pseudo-claim every stage has: its checker passes the reference solution.
const CHECK_ID: &str = "check";

/// Runs the command; `Ok(false)` (exit code 1) when a claim failed at a seed.
pub fn command(args: &RobustArgs) -> Result<bool> {
    let stage = parse_stage(&args.stage)?;
    if let Some(dir) = &args.judge {
        return judge_folder(stage, dir);
    }
    let seeds = seeds(args)?;
    let claims = claims::for_stage(stage.number);
    let solution = repo::root().join("solutions").join(stage.slug());
    let folder = locate(&solution, &stage.slug())?;
    println!(
        "Robustness of stage {} ({}): its reference solution in the check profile at {} seed{}: {}",
        stage.number,
        stage.name,
        seeds.len(),
        if seeds.len() == 1 { "" } else { "s" },
        seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if claims.is_empty() {
        println!(
            "Stage {}'s page lists no claims about its run: only its checker is counted.",
            stage.number
        );
    }
    let rules = BuildRules {
        show: true,
        confinement: Confinement::for_own_code(),
        seconds: crate::grade::reference::REFERENCE_BUILD_SECONDS,
    };
    let (binary, programs) = match build(&folder, &stage.slug(), rules)? {
        BuildOutcome::Built {
            binary, programs, ..
        } => (binary, programs),
        BuildOutcome::Failed { first_error } => bail!(
            "the reference solution {} does not build: {first_error}",
            solution.display()
        ),
    };
    let mut result = Robustness {
        stage: stage.number,
        name: stage.name,
        profile: "check",
        runs: Vec::new(),
        claims: std::iter::once((
            CHECK_ID,
            "the checker passes the reference solution",
            "items",
        ))
        .chain(claims.iter().map(|c| (c.id, c.statement, c.unit)))
        .map(|(id, statement, unit)| ClaimRow {
            id: id.into(),
            statement: statement.into(),
            unit: unit.into(),
            held: 0,
            seeds: 0,
            verdicts: Vec::new(),
        })
        .collect(),
    };
    for &seed in &seeds {
        let (run, verdicts) = run_seed(stage, claims, &folder.dir, &binary, &programs, seed, args)?;
        let held = verdicts.iter().filter(|v| v.held).count();
        match &run.error {
            Some(error) => println!(
                "seed {seed}: the run failed after {:.1}s: {error}",
                run.seconds
            ),
            None => println!(
                "seed {seed}: {:.1}s, {held} of {} held",
                run.seconds,
                verdicts.len()
            ),
        }
        for (row, verdict) in result.claims.iter_mut().zip(verdicts) {
            row.seeds += 1;
            row.held += usize::from(verdict.held);
            row.verdicts.push(SeedVerdict { seed, verdict });
        }
        result.runs.push(run);
    }
    println!();
    print!("{}", table(&result));
    if let Some(file) = &args.json {
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_string_pretty(&result)? + "\n";
        kindling::data::atomic::write_bytes_atomically(file, text.as_bytes())
            .with_context(|| format!("writing {}", file.display()))?;
    }
    let failures = failures(&result);
    if failures.is_empty() {
        println!("\nEvery claim held at every seed.");
        Ok(true)
    } else {
        println!(
            "\n{} failure{}:",
            failures.len(),
            if failures.len() == 1 { "" } else { "s" }
        );
        for failure in &failures {
            println!("  {failure}");
        }
        Ok(false)
    }
}

/// Every claim that failed, with its seed: `seed 7: s8.x failed: ...`.
fn failures(result: &Robustness) -> Vec<String> {
    result
        .claims
        .iter()
        .flat_map(|row| {
            row.verdicts
                .iter()
                .filter(|v| !v.verdict.held)
                .map(move |v| format!("seed {}: {} failed: {}", v.seed, row.id, v.verdict.detail))
        })
        .collect()
}

/// Judges every claim of the stage on the finished run in `dir`.
fn judge_folder(stage: &StageInfo, dir: &Path) -> Result<bool> {
    let claims = claims::for_stage(stage.number);
    if claims.is_empty() {
        bail!(
            "stage {}'s page lists no claims about its run. Fix: name a stage that has claims (7 to 10)",
            stage.number
        );
    }
    let files = RunFiles::load(dir).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a finished run of stage {}: {e}. Fix: point --judge at the folder the stage wrote (its --out)",
            dir.display(),
            stage.number
        )
    })?;
    if files.report.stage != stage.number {
        bail!(
            "{} holds a run of stage {}, not stage {}. Fix: point --judge at a stage {} run",
            dir.display(),
            files.report.stage,
            stage.number,
            stage.number
        );
    }
    println!(
        "Claims of stage {} on {} ({} profile, seed {}):",
        stage.number,
        dir.display(),
        files.report.profile,
        files.report.seed
    );
    let mut held = true;
    for claim in claims {
        let verdict = claim.judge_run(&files);
        held &= verdict.held;
        println!(
            "  [{}] {}: margin {} {} ({})",
            if verdict.held { "held" } else { "FAILED" },
            claim.id,
            margin(verdict.margin),
            claim.unit,
            verdict.detail
        );
    }
    Ok(held)
}

/// The seeds to run: `--seed`s as given, or the default seed and then 1, 2, 3, ...
fn seeds(args: &RobustArgs) -> Result<Vec<u64>> {
    if !args.seed.is_empty() {
        let mut seen = Vec::new();
        for &seed in &args.seed {
            if seen.contains(&seed) {
                bail!("--seed {seed} is given twice. Fix: name each seed once");
            }
            seen.push(seed);
        }
        return Ok(seen);
    }
    if args.seeds == 0 {
        bail!(
            "--seeds 0 runs nothing. Fix: --seeds 1 or more (the book's claims must hold at 10 of 10)"
        );
    }
    Ok(std::iter::once(DEFAULT_SEED)
        .chain((1..).filter(|&s| s != DEFAULT_SEED))
        .take(args.seeds)
        .collect())
}

/// Runs the solution at `seed` and judges the checker and every claim on its files.
fn run_seed(
    stage: &StageInfo,
    claims: &[Claim],
    stage_dir: &Path,
    binary: &Path,
    programs: &std::collections::BTreeMap<String, PathBuf>,
    seed: u64,
    args: &RobustArgs,
) -> Result<(SeedRun, Vec<Verdict>)> {
    let work = tempfile::Builder::new()
        .prefix(&format!("{}-robust-", stage.slug()))
        .tempdir()?;
    let out = match &args.keep {
        Some(dir) => {
            let out = dir.join(format!("seed-{seed}"));
            if out.exists() {
                std::fs::remove_dir_all(&out)
                    .with_context(|| format!("replacing {}", out.display()))?;
            }
            out
        }
        None => work.path().join("out"),
    };
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let run_id = format!("robust-{seed}-{}", std::process::id());
    let limits = Limits {
        seconds: args.timeout.unwrap_or(stage.time_limit),
        output_bytes: confine::DEFAULT_OUTPUT_BYTES,
        memory_bytes: None,
        file_bytes: None,
        echo_stderr: false,
    };
    let mut command = Command::new(binary);
    command
        .args(["--profile", "check", "--out"])
        .arg(&out)
        .args(["--run-id", &run_id, "--seed", &seed.to_string()])
        // Anything the program writes beside its results stays in the scratch folder.
        .current_dir(work.path())
        .env("RUST_BACKTRACE", "0")
        .env_remove("KINDLING_DEVICE");
    let started = SystemTime::now();
    // The reference solution is the course's own code: behind the fence only.
    let outcome = confine::run(&mut command, limits, None)?;
    let mut run = SeedRun {
        seed,
        seconds: outcome.seconds,
        error: None,
    };
    let failed = |run: &mut SeedRun, error: String| {
        let verdicts = (0..=claims.len())
            .map(|_| Verdict {
                held: false,
                margin: f64::NEG_INFINITY,
                detail: format!("the run failed: {error}"),
            })
            .collect();
        run.error = Some(error);
        verdicts
    };
    match outcome.status {
        None => {
            let error = format!("stopped at the time limit ({}s)", limits.seconds);
            let verdicts = failed(&mut run, error);
            return Ok((run, verdicts));
        }
        Some(status) if !status.success() => {
            let last = outcome.stderr.text.lines().last().unwrap_or("no output");
            let error = format!("it stopped with {status}: {last}");
            let verdicts = failed(&mut run, error);
            return Ok((run, verdicts));
        }
        Some(_) => {}
    }

    // The checker, as grading would run it at this seed: the reference it
    // compares with is the reference solution's own run at this seed, this one.
    let mut context = CheckContext::new(
        stage.number,
        stage_dir,
        &out,
        &repo::root().join("tests").join("snapshots"),
    );
    context.run_id = Some(run_id);
    context.started = started;
    context.seed = seed;
    context.run_seconds = Some(outcome.seconds);
    context.programs = programs.clone();
    let origin = format!("the reference solution at seed {seed}");
    for (snapshot, file) in crate::grade::reference::histories(stage) {
        // A history that cannot be read leaves the snapshot in place: the
        // checker's history item then fails and says why.
        if let Ok(history) = History::load(&out.join(file)) {
            let reference = Reference {
                epochs: reference_epochs(&history, 6),
                origin: origin.clone(),
            };
            if stage.number == 5 {
                context.reference = Some(reference.clone());
            }
            context.references.insert(snapshot.to_string(), reference);
        }
    }
    let items = evaluate_run(stage, &context);
    let passed = items.iter().filter(|i| i.status == Status::Pass).count();
    let failed_items: Vec<String> = items
        .iter()
        .filter(|i| i.status != Status::Pass)
        .map(|i| format!("{} ({})", i.id, i.detail.as_deref().unwrap_or("no detail")))
        .collect();
    let check = Verdict {
        held: failed_items.is_empty(),
        // All passed: the items passed; otherwise minus the items that failed.
        margin: if failed_items.is_empty() {
            passed as f64
        } else {
            -(failed_items.len() as f64)
        },
        detail: if failed_items.is_empty() {
            format!("{passed}/{} items", items.len())
        } else {
            format!(
                "{passed}/{} items; failed: {}",
                items.len(),
                failed_items.join("; ")
            )
        },
    };
    let mut verdicts = vec![check];
    match RunFiles::load(&out) {
        Ok(files) => verdicts.extend(claims.iter().map(|claim| claim.judge_run(&files))),
        Err(error) => verdicts.extend(claims.iter().map(|_| Verdict {
            held: false,
            margin: f64::NEG_INFINITY,
            detail: format!("no report to judge: {error}"),
        })),
    }
    Ok((run, verdicts))
}

/// The table: each claim, the seeds it held at, its smallest and median margin.
fn table(result: &Robustness) -> String {
    let mut text = String::from(
        "| claim | held | smallest margin (seed) | median margin | unit |\n|---|---|---|---|---|\n",
    );
    for row in &result.claims {
        let mut margins: Vec<(f64, u64)> = row
            .verdicts
            .iter()
            .map(|v| (v.verdict.margin, v.seed))
            .collect();
        margins.sort_by(|a, b| a.0.total_cmp(&b.0));
        let smallest = margins
            .first()
            .map_or("-".into(), |(m, s)| format!("{} ({s})", margin(*m)));
        let median = if margins.is_empty() {
            "-".into()
        } else {
            let mid = margins.len() / 2;
            let value = if margins.len() % 2 == 1 {
                margins[mid].0
            } else {
                (margins[mid - 1].0 + margins[mid].0) / 2.0
            };
            margin(value)
        };
        let title = if row.id == CHECK_ID {
            row.statement.clone()
        } else {
            format!("{}: {}", row.id, row.statement)
        };
        text.push_str(&format!(
            "| {title} | {}/{} | {smallest} | {median} | {} |\n",
            row.held, row.seeds, row.unit
        ));
    }
    text
}

fn margin(value: f64) -> String {
    if value == f64::NEG_INFINITY {
        "none (not judged)".into()
    } else if value.fract() == 0.0 && value.abs() < 1e6 {
        format!("{value:+.0}")
    } else {
        format!("{value:+.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(seeds: usize, seed: &[u64]) -> RobustArgs {
        RobustArgs {
            stage: "8".into(),
            seeds,
            seed: seed.to_vec(),
            keep: None,
            json: None,
            timeout: None,
            judge: None,
        }
    }

    #[test]
    fn the_default_seed_comes_first_and_is_not_repeated() {
        assert_eq!(seeds(&args(3, &[])).unwrap(), vec![42, 1, 2]);
        let many = seeds(&args(45, &[])).unwrap();
        assert_eq!(many.len(), 45);
        assert_eq!(many.iter().filter(|&&s| s == 42).count(), 1);
        assert_eq!(seeds(&args(10, &[7, 271_828])).unwrap(), vec![7, 271_828]);
    }

    #[test]
    fn no_seeds_or_a_repeated_seed_is_a_clear_error() {
        let message = seeds(&args(0, &[])).unwrap_err().to_string();
        assert!(
            message.contains("--seeds 0") && message.contains("Fix:"),
            "{message}"
        );
        let message = seeds(&args(10, &[7, 7])).unwrap_err().to_string();
        assert!(
            message.contains("twice") && message.contains("Fix:"),
            "{message}"
        );
    }

    #[test]
    fn a_run_that_fails_fails_every_claim_at_its_seed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("stage");
        std::fs::write(
            &program,
            "#!/bin/sh\necho 'error: the data is gone' >&2\nexit 3\n",
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let stage = parse_stage("8").unwrap();
        let claims = claims::for_stage(8);
        let (run, verdicts) = run_seed(
            stage,
            claims,
            dir.path(),
            &program,
            &Default::default(),
            7,
            &args(1, &[]),
        )
        .unwrap();
        let error = run.error.unwrap();
        assert!(error.contains("the data is gone"), "{error}");
        assert_eq!(
            verdicts.len(),
            claims.len() + 1,
            "the checker and every claim"
        );
        assert!(verdicts.iter().all(|v| !v.held));
        let result = Robustness {
            stage: 8,
            name: stage.name,
            profile: "check",
            runs: Vec::new(),
            claims: vec![ClaimRow {
                id: claims[0].id.into(),
                statement: claims[0].statement.into(),
                unit: claims[0].unit.into(),
                held: 0,
                seeds: 1,
                verdicts: vec![SeedVerdict {
                    seed: 7,
                    verdict: verdicts[1].clone(),
                }],
            }],
        };
        let failures = failures(&result);
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0].starts_with(&format!("seed 7: {} failed: the run failed", claims[0].id)),
            "{}",
            failures[0]
        );
    }

    #[test]
    fn the_table_names_the_worst_seed_and_the_median() {
        let verdict = |seed, margin: f64| SeedVerdict {
            seed,
            verdict: Verdict {
                held: margin > 0.0,
                margin,
                detail: String::new(),
            },
        };
        let result = Robustness {
            stage: 8,
            name: "Improved model",
            profile: "check",
            runs: Vec::new(),
            claims: vec![ClaimRow {
                id: "s8.x".into(),
                statement: "x holds".into(),
                unit: "accuracy".into(),
                held: 2,
                seeds: 3,
                verdicts: vec![verdict(42, 0.05), verdict(1, -0.01), verdict(2, 0.2)],
            }],
        };
        let text = table(&result);
        assert!(
            text.contains("| s8.x: x holds | 2/3 | -0.010 (1) | +0.050 | accuracy |"),
            "{text}"
        );
    }
}
