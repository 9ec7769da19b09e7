//! `cargo xtask check [stageN] [--path DIR] [--json [FILE]]`: build and run a stage in
//! the check profile, then print its checklist with a hint for each failure.

pub mod build;
pub mod intake;
mod manifest;
pub mod run;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;

use std::sync::{Arc, Mutex};

use serde::Deserialize;

use kindling_checker::facts::DEFAULT_SEED;
use kindling_checker::stages::{COMMON_HINTS, COMMON_ITEMS, STAGES};
use kindling_checker::{
    CheckContext, CheckItem, Checklist, Reference, StageInfo, Status, evaluate_run, parse_stage,
};

use crate::confine::{self, Confinement, Limits};
use crate::repo;
pub use build::{BuildOutcome, BuildRules, StageFolder, locate};

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The stage to check (stage5, stage05 or 5); without it, show progress over all stages.
    stage: Option<String>,
    /// The stage folder to check (default: exercises/stageNN).
    #[arg(long)]
    path: Option<PathBuf>,
    /// Print the result as JSON (to standard output, or into FILE) for graders.
    #[arg(long, num_args = 0..=1, value_name = "FILE")]
    json: Option<Option<PathBuf>>,
    /// Seconds the stage may run before it is stopped (default: the stage's own limit).
    #[arg(long)]
    timeout: Option<u64>,
    /// Check a --path folder without the sandbox, where this machine has none (its
    /// code can then read and write whatever your user account can).
    #[arg(long)]
    unconfined: bool,
}

/// The machine-readable result.
#[derive(Debug, Serialize)]
pub struct CheckResult {
    /// Stage number.
    pub stage: u8,
    /// Stage name.
    pub name: &'static str,
    /// The folder checked.
    pub path: PathBuf,
    /// How far the check got.
    pub outcome: Outcome,
    /// The seed the run was given.
    pub seed: u64,
    /// True when every item passed.
    pub passed: bool,
    /// Items passed.
    pub passed_items: usize,
    /// Items in all.
    pub total_items: usize,
    /// Seconds the build took.
    pub build_seconds: Option<f64>,
    /// Seconds the run took.
    pub run_seconds: Option<f64>,
    /// The checklist.
    pub items: Vec<CheckItem>,
}

/// Runs the command; the exit code is 0 only when every item passed.
pub fn command(args: &CheckArgs) -> Result<bool> {
    let Some(name) = &args.stage else {
        if args.path.is_some() {
            bail!("--path needs a stage. Fix: cargo xtask check stage5 --path DIR");
        }
        return progress(args.json.is_some());
    };
    match prepare_and_check(name, args) {
        Ok(passed) => Ok(passed),
        Err(error) => {
            // Graders reading a result file get one for every submission.
            if let Some(Some(file)) = &args.json {
                let failure = serde_json::json!({"stage": name, "passed": false, "error": format!("{error:#}")});
                write_json(file, &(serde_json::to_string_pretty(&failure)? + "\n"))?;
            }
            Err(error)
        }
    }
}

fn prepare_and_check(name: &str, args: &CheckArgs) -> Result<bool> {
    let stage = parse_stage(name)?;
    if !stage.written() {
        let ready: Vec<String> = STAGES
            .iter()
            .filter(|s| s.written())
            .map(|s| s.number.to_string())
            .collect();
        bail!(
            "stage {} ({}) is not written yet. Fix: check one of the stages that are ready ({}); see the course map in the book",
            stage.number,
            stage.name,
            ready.join(", ")
        );
    }
    let dir = args
        .path
        .clone()
        .unwrap_or_else(|| repo::root().join("exercises").join(stage.slug()));
    let folder = build::locate(&dir, &stage.slug())?;
    let quiet = args.json.is_some();
    let mut plan = Plan::learner(args.timeout, quiet);
    plan.references = references_made_here(stage, plan.seed, quiet)?;
    // A folder outside the workspace is graded code: copied first, then built and
    // run confined. The copy lives as long as the check.
    let intake = tempfile::Builder::new()
        .prefix("kindling-intake-")
        .tempdir()?;
    let folder = if folder.in_workspace {
        folder
    } else {
        plan.confinement = Confinement::for_graded_code(args.unconfined)?;
        let copy = intake.path().join(stage.slug());
        intake::stage_folder(&dir, &copy)?;
        folder.read_from(&copy)
    };
    if !quiet {
        println!(
            "Checking stage {} ({}) in {}",
            stage.number,
            stage.name,
            dir.display()
        );
    }
    let result = check_stage(stage, &folder, &plan, quiet)?;
    match &args.json {
        Some(target) => {
            let text = serde_json::to_string_pretty(&result)? + "\n";
            match target {
                Some(file) => write_json(file, &text)?,
                None => print!("{text}"),
            }
        }
        None => print_checklist(stage, &result),
    }
    if args.path.is_none() {
        record(stage, result.passed);
    }
    Ok(result.passed)
}

/// The reference histories of `stage`, made on this computer, when the committed
/// ones were recorded on computers that compute otherwise (another
/// `kindling::train::numerics`): the reference solution runs here once at `seed`,
/// and the grading cache keeps what it gives for the next checks. Empty when the
/// stage compares no history, or the snapshots fit this computer.
fn references_made_here(
    stage: &StageInfo,
    seed: u64,
    quiet: bool,
) -> Result<BTreeMap<String, Reference>> {
    let snapshots = repo::root().join("tests").join("snapshots");
    let recorded_here = crate::grade::reference::histories(stage)
        .iter()
        .all(|(name, _)| {
            kindling_checker::snapshot::local_snapshot_path(&snapshots, name).is_some()
        });
    if recorded_here {
        return Ok(BTreeMap::new());
    }
    if !quiet {
        println!(
            "This computer's CPU computes with {} numerics; the reference histories were recorded on others, and a run's last bits (then its whole history) differ between them. So the reference solution runs here first, once, at seed {seed}; the next checks reuse it.",
            kindling::train::numerics()
        );
    }
    crate::grade::reference::prepare(stage, seed, Confinement::for_own_code(), !quiet)
}

/// How a stage is checked. `cargo xtask check` uses [`Plan::learner`]; grading
/// sets a hidden seed, a fresh reference and tighter limits.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The seed the run is given.
    pub seed: u64,
    /// Seconds the run may take (default: the stage's own limit).
    pub timeout: Option<u64>,
    /// The reference history to compare with, instead of the committed snapshot
    /// (stage 5's; see `references`).
    pub reference: Option<Reference>,
    /// The references made at the grading seed, by the snapshot each replaces.
    pub references: BTreeMap<String, Reference>,
    /// Address space the run may map, in bytes.
    pub memory_bytes: Option<u64>,
    /// Largest file the run may write, in bytes.
    pub file_bytes: Option<u64>,
    /// Bytes of each output stream kept.
    pub output_bytes: usize,
    /// Keep a copy of the results in `runs/check/stageNN/` for the learner to read.
    pub keep_results: bool,
    /// Show cargo's progress while building.
    pub show_build: bool,
    /// Held while building, so submissions graded side by side build one at a time
    /// (they share one build folder) and run in parallel.
    pub build_lock: Option<Arc<Mutex<()>>>,
    /// In the sandbox, or behind the fence only.
    pub confinement: Confinement,
    /// Seconds a build of graded code may take.
    pub build_seconds: u64,
}

impl Plan {
    /// The learner's own check: the default seed, the committed snapshot.
    pub fn learner(timeout: Option<u64>, quiet: bool) -> Self {
        Plan {
            seed: DEFAULT_SEED,
            timeout,
            reference: None,
            references: BTreeMap::new(),
            memory_bytes: None,
            file_bytes: None,
            output_bytes: confine::DEFAULT_OUTPUT_BYTES,
            keep_results: true,
            show_build: !quiet,
            build_lock: None,
            confinement: Confinement::for_own_code(),
            build_seconds: build::BUILD_SECONDS,
        }
    }

    /// How a build of this plan runs.
    pub fn build_rules(&self) -> BuildRules {
        BuildRules {
            show: self.show_build,
            confinement: self.confinement,
            seconds: self.build_seconds,
        }
    }
}

/// How far a check got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Built, ran to the end and was checked item by item.
    Checked,
    /// It did not compile.
    BuildFailed,
    /// It was stopped at the time limit.
    TimedOut,
    /// It stopped with an error, a panic or a signal.
    Crashed,
}

/// Builds, runs and checks one stage folder.
pub fn check_stage(
    stage: &StageInfo,
    folder: &StageFolder,
    plan: &Plan,
    quiet: bool,
) -> Result<CheckResult> {
    let [build_item, run_item, _] = COMMON_ITEMS;
    let mut items = Vec::new();
    let mut result = CheckResult {
        stage: stage.number,
        name: stage.name,
        path: folder.dir.clone(),
        outcome: Outcome::Checked,
        seed: plan.seed,
        passed: false,
        passed_items: 0,
        total_items: 0,
        build_seconds: None,
        run_seconds: None,
        items: Vec::new(),
    };
    if !quiet {
        println!("Building {} ...", folder.package);
    }
    let built = {
        let _turn = plan.build_lock.as_ref().map(|lock| lock.lock());
        build::build(folder, &stage.slug(), plan.build_rules())?
    };
    let (binary, programs) = match built {
        BuildOutcome::Built {
            binary,
            programs,
            seconds,
        } => {
            result.build_seconds = Some(seconds);
            items.push(CheckItem::pass(build_item.0, build_item.1));
            (binary, programs)
        }
        BuildOutcome::Failed { first_error } => {
            items.push(CheckItem::fail(
                build_item.0,
                build_item.1,
                first_error,
                "Fix the first compiler error (above, with its file and line), then check again. Later errors often disappear with it.",
            ));
            skip_rest(stage, &mut items, "not checked: the stage did not build");
            result.outcome = Outcome::BuildFailed;
            return Ok(finish(result, items));
        }
    };

    // The run's scratch folder, removed when the check is over.
    let scratch = run::Scratch::new(&stage.slug(), &binary, &programs)?;
    let run_id = run_id();
    let limit = plan.timeout.unwrap_or(stage.time_limit);
    if !quiet {
        println!("Running it in the check profile (at most {limit}s) ...");
    }
    let limits = Limits {
        seconds: limit,
        output_bytes: plan.output_bytes,
        memory_bytes: plan.memory_bytes,
        file_bytes: plan.file_bytes,
        echo_stderr: false,
    };
    let started = SystemTime::now();
    let outcome = scratch.run(&stage.slug(), &run_id, plan.seed, limits, plan.confinement)?;
    result.run_seconds = Some(outcome.seconds);
    let capped = [
        ("output", &outcome.stdout),
        ("error output", &outcome.stderr),
    ]
    .iter()
    .filter(|(_, stream)| stream.dropped > 0)
    .map(|(name, stream)| {
        format!(
            " (its {name} passed the {} byte cap: {} bytes dropped)",
            plan.output_bytes, stream.dropped
        )
    })
    .collect::<String>();
    let failure = match outcome.status {
        None => Some(format!(
            "stopped after {limit}s: the run did not finish in time{capped}{}",
            last_lines(&outcome.stdout.text, "\nits last output:\n")
        )),
        Some(status) if !status.success() => Some(format!(
            "the program stopped with {status}{capped}{}",
            last_lines(&outcome.stderr.text, ":\n")
        )),
        Some(_) => None,
    };
    if let Some(detail) = failure {
        let hint = if outcome.status.is_none() {
            result.outcome = Outcome::TimedOut;
            "Look for a loop that never ends, or a run far bigger than the check profile asks for (use args.profile.pick(..))."
        } else {
            result.outcome = Outcome::Crashed;
            "Read the error above: a panic names the file and line. Run the stage yourself with `cargo run -p <stage> -- --profile check` to see it whole."
        };
        items.push(CheckItem::fail(run_item.0, run_item.1, detail, hint));
        skip_rest(stage, &mut items, "not checked: the run did not finish");
        return Ok(finish(result, items));
    }
    items.push(CheckItem {
        detail: Some(format!("{:.1}s{capped}", outcome.seconds)),
        ..CheckItem::pass(run_item.0, run_item.1)
    });

    let out = scratch.results()?;
    let scripts = tempfile::Builder::new()
        .prefix("kindling-programs-")
        .tempdir()?;
    let mut context = CheckContext::new(
        stage.number,
        &folder.dir,
        &out,
        &repo::root().join("tests").join("snapshots"),
    );
    context.run_id = Some(run_id);
    context.started = started;
    context.seed = plan.seed;
    context.run_seconds = Some(outcome.seconds);
    context.reference = plan.reference.clone();
    context.references = plan.references.clone();
    context.programs = scratch.confined_programs(&out, scripts.path(), limits, plan.confinement)?;
    items.extend(evaluate_run(stage, &context));
    if plan.keep_results {
        keep_results(&out, &stage.slug());
    }
    Ok(finish(result, items))
}

/// Keeps a copy of the check run's files in `runs/check/stageNN/` (replacing the
/// last one) so the learner can read the history the checker read, and the run
/// folders and reports inside it. The check itself only ever reads its own fresh
/// folder.
fn keep_results(from: &std::path::Path, slug: &str) {
    let kept = repo::root().join("runs").join("check").join(slug);
    let _ = std::fs::remove_dir_all(&kept);
    let _ = build::copy_dir(from, &kept);
}

/// The file listing the stages whose last check of the learner's exercise passed.
fn passed_file() -> PathBuf {
    repo::root().join("runs").join("check").join("passed.txt")
}

fn passed_slugs() -> Vec<String> {
    std::fs::read_to_string(passed_file())
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Remembers whether the last check of the stage's exercise passed (for `watch`'s
/// progress and its choice of stage). Best effort: a check does not fail for it.
pub fn record(stage: &StageInfo, passed: bool) {
    let mut slugs = passed_slugs();
    slugs.retain(|slug| *slug != stage.slug());
    if passed {
        slugs.push(stage.slug());
    }
    slugs.sort();
    let path = passed_file();
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ =
        kindling::data::atomic::write_bytes_atomically(&path, (slugs.join("\n") + "\n").as_bytes());
}

/// Whether the stage's last recorded check passed.
pub fn recorded_pass(stage: &StageInfo) -> bool {
    passed_slugs().contains(&stage.slug())
}

/// The first written stage whose last check did not pass (the last stage when all do).
pub fn next_stage() -> &'static StageInfo {
    let written: Vec<&'static StageInfo> = STAGES.iter().filter(|s| s.written()).collect();
    written
        .iter()
        .find(|s| !recorded_pass(s))
        .or(written.last())
        .copied()
        .unwrap_or(&STAGES[0])
}

/// Writes a result file, creating its folder.
fn write_json(file: &std::path::Path, text: &str) -> Result<()> {
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    kindling::data::atomic::write_bytes_atomically(file, text.as_bytes())?;
    Ok(())
}

fn finish(mut result: CheckResult, items: Vec<CheckItem>) -> CheckResult {
    let checklist = Checklist {
        stage: result.stage,
        items,
    };
    (result.passed_items, result.total_items) = checklist.score();
    result.passed = checklist.passed();
    result.items = checklist.items;
    result
}

fn skip_rest(stage: &StageInfo, items: &mut Vec<CheckItem>, because: &str) {
    let done = items.len();
    for (id, title) in COMMON_ITEMS.iter().chain(stage.items).skip(done) {
        items.push(CheckItem::skipped(id, title, because));
    }
}

/// The lines worth showing from a program's output: from a panic message on, or
/// else the last few.
fn last_lines(text: &str, lead: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines
        .iter()
        .position(|line| line.contains("panicked at"))
        .unwrap_or(lines.len().saturating_sub(8));
    let shown = &lines[start..(start + 8).min(lines.len())];
    format!("{lead}{}", shown.join("\n"))
}

/// A fresh identifier for each run, so a report left by another run never counts.
fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{:x}", std::process::id(), nanos)
}

/// Prints the checklist with a hint under each failure.
pub fn print_checklist(stage: &StageInfo, result: &CheckResult) {
    println!();
    for item in &result.items {
        let mark = match item.status {
            Status::Pass => "[pass]",
            Status::Fail => "[FAIL]",
            Status::Skipped => "[skip]",
        };
        match (&item.status, &item.detail) {
            (Status::Pass, Some(detail)) => println!("{mark} {} ({detail})", item.title),
            _ => println!("{mark} {}", item.title),
        }
        if item.status == Status::Fail {
            if let Some(detail) = &item.detail {
                for line in detail.lines() {
                    println!("         {line}");
                }
            }
            if let Some(hint) = &item.hint {
                println!("         hint: {hint}");
            }
        }
    }
    println!();
    if result.run_seconds.is_some() {
        println!("The check run's files are in runs/check/{}/.", stage.slug());
    }
    if result.passed {
        println!(
            "Stage {} passes: {}/{} items. On to the next stage!",
            stage.number, result.passed_items, result.total_items
        );
    } else {
        println!(
            "{}/{} items pass. Fix the first [FAIL], then run `cargo xtask check {}` again (`cargo xtask hint {}` lists every hint).",
            result.passed_items,
            result.total_items,
            stage.slug(),
            stage.slug()
        );
    }
}

/// `cargo xtask check` without a stage: which stages pass, and what to do next.
fn progress(json: bool) -> Result<bool> {
    let mut passed = 0;
    let mut next: Option<&StageInfo> = None;
    let mut rows = Vec::new();
    for stage in &STAGES {
        let status = if !stage.written() {
            "not written yet".to_string()
        } else {
            let dir = repo::root().join("exercises").join(stage.slug());
            let folder = build::locate(&dir, &stage.slug())?;
            if !json {
                println!("Checking stage {} ({}) ...", stage.number, stage.name);
            }
            let result = check_stage(stage, &folder, &Plan::learner(None, true), true)?;
            record(stage, result.passed);
            if result.passed {
                passed += 1;
                "passes".to_string()
            } else {
                next.get_or_insert(stage);
                format!("{}/{} items", result.passed_items, result.total_items)
            }
        };
        rows.push((stage.number, stage.name, status));
    }
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|(number, name, status)| serde_json::json!({"stage": number, "name": name, "status": status}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"passed": passed, "of": STAGES.len(), "stages": rows})
            )?
        );
    } else {
        println!();
        for (number, name, status) in &rows {
            println!("  stage {number:<2} {name:<18} {status}");
        }
        println!("\nProgress: {passed}/{} stages pass.", STAGES.len());
        match next {
            Some(stage) => println!(
                "Next: stage {} ({}). Run `cargo xtask check {}`.",
                stage.number,
                stage.name,
                stage.slug()
            ),
            None => println!("Every written stage passes."),
        }
    }
    Ok(passed == STAGES.iter().filter(|s| s.written()).count())
}

/// `cargo xtask hint stageN`: the stage's "If it breaks" table.
pub fn hint(name: &str) -> Result<()> {
    let stage = parse_stage(name)?;
    println!("Stage {} ({}): if it breaks", stage.number, stage.name);
    if !stage.written() {
        println!("  This stage is not written yet.");
        return Ok(());
    }
    for hint in stage.hints.iter().chain(&COMMON_HINTS) {
        println!(
            "\n- {}\n  cause: {}\n  fix:   {}",
            hint.symptom, hint.cause, hint.fix
        );
    }
    Ok(())
}
