//! `cargo xtask gradescope stageN`: Gradescope's autograder. Gradescope puts a
//! learner's upload in `/autograder/submission/`, runs the assignment's
//! `run_autograder`, and reads `/autograder/results/results.json`. This grades the
//! upload exactly as `grade` grades one learner of a class (copied first, built and
//! run confined, with a hidden seed, against the reference for that seed) and
//! writes the results file in Gradescope's format: one test per checklist item,
//! with its score, maximum, name, output (what was found and the hint) and
//! visibility. Every failure, an upload without the stage included, still writes a
//! results file that says what to fix, and exits non-zero.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use serde_json::{Value, json};

use kindling_checker::{StageInfo, Status, parse_stage};

use super::gradebook::GradeStatus;
use super::rubric::{self, Rubric};
use super::submissions::{self, Learner};
use super::{Graded, Taken, grade_one, random_seed, reference};
use crate::check::Plan;
use crate::confine::{Confinement, DEFAULT_OUTPUT_BYTES};

#[derive(Debug, Clone, Args)]
pub struct GradescopeArgs {
    /// The stage the assignment grades (stage5, stage05 or 5).
    stage: String,
    /// The learner's upload: the stage folder, or a folder holding it.
    #[arg(long, default_value = "/autograder/submission")]
    submission: PathBuf,
    /// Where Gradescope reads the results.
    #[arg(long, default_value = "/autograder/results/results.json")]
    results: PathBuf,
    /// The seed the upload runs with (default: a random one, printed in the results).
    #[arg(long)]
    seed: Option<u64>,
    /// A TOML rubric: points per item (hand-graded items are graded in Gradescope).
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// Seconds the upload may run (default: the stage's own limit).
    #[arg(long)]
    timeout: Option<u64>,
    /// Memory the upload may map, in MiB.
    #[arg(long, default_value_t = 4096)]
    memory_mib: u64,
    /// Grade without the sandbox on a machine that has none.
    #[arg(long)]
    unconfined: bool,
}

/// Runs the command; the exit code is zero only when the upload was graded.
pub fn command(args: &GradescopeArgs) -> Result<bool> {
    let started = Instant::now();
    let outcome = grade(args);
    let seconds = started.elapsed().as_secs_f64();
    let results = match &outcome {
        Ok((stage, rubric, graded)) => results(stage, rubric, graded, seconds),
        Err(error) => failure(&format!("{error:#}"), seconds),
    };
    write(args, &results)?;
    match outcome {
        Ok((_, _, graded)) => {
            println!(
                "{}: {} / {} points. Wrote {}.",
                graded.row.status.word(),
                graded.row.score,
                graded.row.max_score,
                args.results.display()
            );
            let gradable = !matches!(
                graded.row.status,
                GradeStatus::Missing | GradeStatus::NotAStage | GradeStatus::Refused
            );
            if !gradable {
                eprintln!(
                    "error: {}",
                    graded
                        .problem
                        .as_deref()
                        .unwrap_or("nothing could be graded")
                );
            }
            Ok(gradable)
        }
        Err(error) => Err(error),
    }
}

fn write(args: &GradescopeArgs, results: &Value) -> Result<()> {
    if let Some(parent) = args.results.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    kindling::data::atomic::write_bytes_atomically(
        &args.results,
        (serde_json::to_string_pretty(results)? + "\n").as_bytes(),
    )?;
    Ok(())
}

/// Grades the upload as the only learner of a class.
fn grade(args: &GradescopeArgs) -> Result<(&'static StageInfo, Rubric, Graded)> {
    let stage = parse_stage(&args.stage)?;
    if !stage.written() {
        bail!(
            "stage {} is not written yet. Fix: grade a stage that is",
            stage.number
        );
    }
    let rubric = match &args.rubric {
        Some(path) => Rubric::load(path, stage)?,
        None => Rubric::plain(),
    };
    if !args.submission.is_dir() {
        bail!(
            "the submission folder {} does not exist. Fix: run this inside Gradescope's autograder, or pass --submission DIR",
            args.submission.display()
        );
    }
    let confinement = Confinement::for_graded_code(args.unconfined)?;
    let seed = args.seed.unwrap_or_else(random_seed);
    let space = tempfile::Builder::new()
        .prefix("kindling-gradescope-")
        .tempdir()?;
    let learner = Learner {
        name: "submission".into(),
        dir: args.submission.clone(),
    };
    let copy = space.path().join("submission");
    let problem = submissions::take_in(&learner, &copy).err();
    let references = reference::prepare(stage, seed, confinement, false)?;
    let plan = Plan {
        seed,
        timeout: args.timeout,
        reference: references
            .get(kindling_checker::stages::stage05::HISTORY_SNAPSHOT)
            .cloned(),
        references,
        memory_bytes: Some(args.memory_mib << 20),
        file_bytes: Some(1 << 30),
        output_bytes: DEFAULT_OUTPUT_BYTES,
        keep_results: false,
        show_build: false,
        build_lock: None,
        confinement,
        build_seconds: crate::check::build::BUILD_SECONDS,
    };
    let taken = Taken {
        learner,
        copy,
        problem,
    };
    let mut graded = grade_one(stage, &taken, &plan, &rubric);
    if graded.row.status == GradeStatus::Missing {
        graded.problem = Some(format!(
            "your upload holds no {slug} folder (no Cargo.toml in it or in a folder inside it). Fix: upload your {slug} folder (Cargo.toml, src/ and answers.toml), or the files inside it",
            slug = stage.slug()
        ));
    }
    Ok((stage, rubric, graded))
}

/// Gradescope's results: one test per automatic item.
fn results(stage: &StageInfo, rubric: &Rubric, graded: &Graded, seconds: f64) -> Value {
    let titles: Vec<(&str, &str)> = kindling_checker::stages::COMMON_ITEMS
        .iter()
        .chain(stage.items)
        .copied()
        .collect();
    let tests: Vec<Value> = rubric::item_ids(stage)
        .iter()
        .enumerate()
        .map(|(number, id)| {
            let title = titles
                .iter()
                .find(|(item, _)| item == id)
                .map_or(*id, |(_, title)| *title);
            let item = graded.items.iter().find(|i| i.id == *id);
            let passed = item.is_some_and(|i| i.status == Status::Pass);
            let mut output = match item {
                Some(item) => item.detail.clone().unwrap_or_default(),
                None => "not checked: nothing could be graded".into(),
            };
            if let Some(hint) = item.filter(|_| !passed).and_then(|i| i.hint.as_ref()) {
                output.push_str(&format!("\nHint: {hint}"));
            }
            json!({
                "number": (number + 1).to_string(),
                "name": format!("{title} ({id})"),
                "score": graded.row.items.get(*id).copied().flatten().unwrap_or(0.0),
                "max_score": rubric.points(id),
                "status": if passed { "passed" } else { "failed" },
                "output": output.trim(),
                "visibility": "visible",
            })
        })
        .collect();
    let row = &graded.row;
    let mut output = format!(
        "Stage {} ({}): {}, {} / {} points, graded with seed {} by Kindling {}.",
        stage.number,
        stage.name,
        row.status.word(),
        row.score,
        row.max_score,
        row.seed,
        row.kindling_version
    );
    if let Some(problem) = &graded.problem {
        output.push_str(&format!("\n\nNothing could be graded: {problem}"));
    }
    if !rubric.hand.is_empty() {
        output.push_str("\n\nSome points are graded by hand, in Gradescope.");
    }
    json!({
        "score": row.score,
        "execution_time": seconds.round() as u64,
        "output": output,
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    })
}

/// The results when the upload could not be graded at all.
fn failure(error: &str, seconds: f64) -> Value {
    json!({
        "score": 0.0,
        "execution_time": seconds.round() as u64,
        "output": format!("The autograder could not grade this submission: {error}"),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    })
}
