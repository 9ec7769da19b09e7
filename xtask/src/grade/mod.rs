//! `cargo xtask grade stageN SUBMISSIONS --out GRADES`: grades a class. Every
//! learner's folder is first copied into the grader's own folder; each stage is
//! then built (sharing the workspace's build folder) and run confined (see
//! `confine`) with a seed the learner has never seen, and checked against a
//! reference made for that seed; the gradebook, one feedback page per learner, a
//! summary and a pass-rate chart are written into GRADES. `--shard K/N` grades a
//! share of the class and `--merge` joins the shares.

pub mod classroom;
mod escape;
mod gradebook;
pub mod gradescope;
mod lms;
mod out_dir;
pub mod reference;
mod report;
mod rubric;
mod submissions;
mod timestamp;

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use clap::Args;

use kindling::data::atomic::replace_dir;
use kindling_checker::{ANSWERS_FILE, CheckItem, StageInfo, Status, parse_stage};

use crate::check::build::BUILD_SECONDS;
use crate::check::{Outcome, Plan, check_stage};
use crate::confine::{Confinement, DEFAULT_OUTPUT_BYTES};
use gradebook::{GradeStatus, Gradebook, Row, SCHEMA};
use rubric::Rubric;
pub use submissions::Shard;
use submissions::{Found, Learner};

/// The file a learner's folder may hold with the time it was handed in.
pub const TIMESTAMP_FILE: &str = "timestamp.txt";

#[derive(Debug, Clone, Args)]
pub struct GradeArgs {
    /// The stage to grade (stage5, stage05 or 5).
    stage: Option<String>,
    /// The folder holding one folder per learner.
    submissions: Option<PathBuf>,
    /// The folder to write the gradebook, feedback and summary into.
    #[arg(long)]
    out: PathBuf,
    /// Submissions graded side by side (they build one at a time and run in parallel).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Seconds each submission may run (default: the stage's own limit).
    #[arg(long)]
    timeout: Option<u64>,
    /// The seed every submission runs with (default: a random one, printed and kept in the gradebook).
    #[arg(long)]
    seed: Option<u64>,
    /// A TOML rubric: points per item, items graded by hand, a late penalty.
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// Grade only every N-th learner, starting from the K-th (1-based): K/N.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Join the output folders of shards into one gradebook (no stage or submissions then).
    #[arg(long, num_args = 1.., value_name = "GRADES")]
    merge: Option<Vec<PathBuf>>,
    /// Replace a gradebook already in --out.
    #[arg(long)]
    force: bool,
    /// Memory each submission may map, in MiB.
    #[arg(long, default_value_t = 4096)]
    memory_mib: u64,
    /// Output each submission may print, in KiB a stream (the rest is dropped and noted).
    #[arg(long, default_value_t = (DEFAULT_OUTPUT_BYTES / 1024) as u64)]
    output_kib: u64,
    /// Seconds each submission's build may take.
    #[arg(long, default_value_t = BUILD_SECONDS)]
    build_timeout: u64,
    /// Grade without the sandbox on a machine that has none (each submission can
    /// then read and write whatever your user account can).
    #[arg(long)]
    unconfined: bool,
}

/// Runs the command; the exit code is non-zero only when the batch itself could not run.
pub fn command(args: &GradeArgs) -> Result<bool> {
    out_dir::refuse_existing(&args.out, args.force)?;
    if let Some(shards) = &args.merge {
        if args.stage.is_some() || args.submissions.is_some() || args.shard.is_some() {
            bail!(
                "--merge joins finished gradings: give it only their folders and --out. Fix: cargo xtask grade --merge grades-1 grades-2 --out grades"
            );
        }
        return merge(shards, &args.out).map(|()| true);
    }
    let (Some(stage), Some(submissions)) = (&args.stage, &args.submissions) else {
        bail!(
            "grade needs a stage and a submissions folder. Fix: cargo xtask grade stage5 submissions/ --out grades/"
        );
    };
    let stage = parse_stage(stage)?;
    if !stage.written() {
        bail!(
            "stage {} is not written yet. Fix: grade a stage that is",
            stage.number
        );
    }
    if args.jobs == 0 {
        bail!("--jobs 0 grades nothing. Fix: --jobs 1 or more");
    }
    let rubric = match &args.rubric {
        Some(path) => Rubric::load(path, stage)?,
        None => Rubric::plain(),
    };
    let confinement = Confinement::for_graded_code(args.unconfined)?;
    let mut learners = submissions::learners(submissions)?;
    if let Some(shard) = args.shard {
        learners = shard.take(learners);
    }
    let seed = args.seed.unwrap_or_else(random_seed);
    println!(
        "Grading stage {} ({}) for {} learners{} with seed {seed} (repeat it with --seed {seed}).",
        stage.number,
        stage.name,
        learners.len(),
        args.shard
            .map(|s| format!(" (shard {s})"))
            .unwrap_or_default()
    );
    // Every submission is copied before any code is built or run.
    let space = tempfile::Builder::new()
        .prefix("kindling-grading-")
        .tempdir()?;
    let taken: Vec<Taken> = learners
        .into_iter()
        .enumerate()
        .map(|(index, learner)| {
            let copy = space.path().join(index.to_string());
            let problem = submissions::take_in(&learner, &copy).err();
            Taken {
                learner,
                copy,
                problem,
            }
        })
        .collect();
    let references = reference::prepare(stage, seed, confinement, true)?;
    let plan = Plan {
        seed,
        timeout: args.timeout,
        reference: references
            .get(kindling_checker::stages::stage05::HISTORY_SNAPSHOT)
            .cloned(),
        references,
        memory_bytes: Some(args.memory_mib << 20),
        file_bytes: Some(1 << 30),
        output_bytes: (args.output_kib as usize) << 10,
        keep_results: false,
        show_build: false,
        build_lock: Some(Arc::new(Mutex::new(()))),
        confinement,
        build_seconds: args.build_timeout,
    };
    let graded = grade_all(stage, &taken, &plan, &rubric, args.jobs);
    let book = Gradebook {
        schema: SCHEMA,
        stage: stage.number,
        seed,
        shard: args.shard.map(|s| s.to_string()),
        items: columns(stage, &rubric),
        item_points: columns(stage, &rubric)
            .iter()
            .map(|id| {
                rubric
                    .hand
                    .iter()
                    .find(|h| &h.id == id)
                    .map_or_else(|| rubric.points(id), |h| h.points)
            })
            .collect(),
        rows: graded.iter().map(|g| g.row.clone()).collect(),
    };
    let pages: Vec<(String, String)> = graded
        .into_iter()
        .map(|g| (g.row.student, g.page))
        .collect();
    write_out(&args.out, stage, &rubric, &book, |staging| {
        for (student, page) in &pages {
            let dir = staging.join(out_dir::FEEDBACK_DIR).join(student);
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(format!("{}.md", stage.slug())), page)?;
        }
        Ok(())
    })?;
    println!(
        "Wrote {} (gradebook.csv, gradebook.json, summary.md, items.png, canvas.csv, moodle.csv, feedback/).",
        args.out.display()
    );
    Ok(true)
}

/// A seed nobody has seen: the process's random hasher keys.
fn random_seed() -> u64 {
    RandomState::new().hash_one(SystemTime::now()) % 1_000_000_000
}

/// The gradebook's item columns: the automatic items, then the hand-graded ones.
fn columns(stage: &StageInfo, rubric: &Rubric) -> Vec<String> {
    rubric::item_ids(stage)
        .into_iter()
        .map(String::from)
        .chain(rubric.hand.iter().map(|h| h.id.clone()))
        .collect()
}

/// One learner graded: the gradebook row, the feedback page, and what they came from.
#[derive(Debug, Clone)]
pub struct Graded {
    /// The gradebook row.
    pub row: Row,
    /// The feedback page.
    pub page: String,
    /// The checklist.
    pub items: Vec<CheckItem>,
    /// Why nothing was graded, if so.
    pub problem: Option<String>,
}

/// A learner's folder, as copied into the grader's folder.
#[derive(Debug, Clone)]
struct Taken {
    learner: Learner,
    /// The copy.
    copy: PathBuf,
    /// Why it could not be copied (a link, a FIFO, too large).
    problem: Option<String>,
}

/// Grades every learner, `jobs` at a time; one broken submission never stops the
/// rest, and none can hold the batch: each is graded on a thread of its own, given
/// up after a generous deadline (every build before it, its own build and run, and
/// the checking), and graded as crashed then.
fn grade_all(
    stage: &'static StageInfo,
    taken: &[Taken],
    plan: &Plan,
    rubric: &Rubric,
    jobs: usize,
) -> Vec<Graded> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Graded>>> = Mutex::new(vec![None; taken.len()]);
    let workers = jobs.min(taken.len().max(1));
    let run_limit = plan.timeout.unwrap_or(stage.time_limit);
    let deadline =
        Duration::from_secs(plan.build_seconds * (workers as u64 + 1) + run_limit * 4 + 600);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(one) = taken.get(index) else {
                        break;
                    };
                    let graded = watched(stage, one, plan, rubric, deadline);
                    let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                    println!(
                        "[{finished}/{}] {}: {} {} / {} ({}%)",
                        taken.len(),
                        one.learner.name,
                        graded.row.status.word(),
                        graded.row.score,
                        graded.row.max_score,
                        graded.row.percent
                    );
                    if let Ok(mut results) = results.lock() {
                        results[index] = Some(graded);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Grades one learner on a thread of its own, giving up at `deadline`.
fn watched(
    stage: &'static StageInfo,
    one: &Taken,
    plan: &Plan,
    rubric: &Rubric,
    deadline: Duration,
) -> Graded {
    let (send, receive) = mpsc::channel();
    let (copy, plan_copy, rubric_copy) = (one.clone(), plan.clone(), rubric.clone());
    std::thread::spawn(move || {
        let _ = send.send(grade_one(stage, &copy, &plan_copy, &rubric_copy));
    });
    receive.recv_timeout(deadline).unwrap_or_else(|_| {
        let why = format!(
            "the grader gave up on it after {}s: its build, run or check never finished",
            deadline.as_secs()
        );
        finish(
            stage,
            &one.learner,
            plan,
            rubric,
            GradeStatus::Crashed,
            Vec::new(),
            Some(why),
            None,
            None,
        )
    })
}

/// Grades one learner: the gradebook row and the feedback page.
fn grade_one(stage: &StageInfo, one: &Taken, plan: &Plan, rubric: &Rubric) -> Graded {
    let learner = &one.learner;
    let submitted = submission_time(&one.copy);
    if let Some(problem) = &one.problem {
        return finish(
            stage,
            learner,
            plan,
            rubric,
            GradeStatus::Refused,
            Vec::new(),
            Some(problem.clone()),
            None,
            submitted,
        );
    }
    let (status, items, problem, answers) =
        match submissions::find_stage(learner, &one.copy, &stage.slug()) {
            Found::Missing(why) => (GradeStatus::Missing, Vec::new(), Some(why), None),
            Found::NotAStage(why) => (GradeStatus::NotAStage, Vec::new(), Some(why), None),
            Found::Stage(folder) => {
                let answers = std::fs::read_to_string(folder.dir.join(ANSWERS_FILE)).ok();
                match check_stage(stage, &folder, plan, true) {
                    Ok(result) => {
                        let status = match result.outcome {
                            Outcome::Checked => GradeStatus::Graded,
                            Outcome::BuildFailed => GradeStatus::BuildFailed,
                            Outcome::TimedOut => GradeStatus::TimedOut,
                            Outcome::Crashed => GradeStatus::Crashed,
                        };
                        (status, result.items, None, answers)
                    }
                    // The grader itself failed on this one (a file it could not write):
                    // the learner is not graded, the class goes on.
                    Err(error) => (
                        GradeStatus::Crashed,
                        Vec::new(),
                        Some(format!("the grader could not run it: {error:#}")),
                        answers,
                    ),
                }
            }
        };
    finish(
        stage, learner, plan, rubric, status, items, problem, answers, submitted,
    )
}

/// The row and the page of a learner graded so far.
#[allow(clippy::too_many_arguments)]
fn finish(
    stage: &StageInfo,
    learner: &Learner,
    plan: &Plan,
    rubric: &Rubric,
    status: GradeStatus,
    items: Vec<CheckItem>,
    problem: Option<String>,
    answers: Option<String>,
    submitted: Option<SystemTime>,
) -> Graded {
    let mut points = BTreeMap::new();
    for id in rubric::item_ids(stage) {
        let passed = items
            .iter()
            .any(|i: &CheckItem| i.id == id && i.status == Status::Pass);
        points.insert(
            id.to_string(),
            Some(if passed { rubric.points(id) } else { 0.0 }),
        );
    }
    for hand in &rubric.hand {
        points.insert(hand.id.clone(), None);
    }
    let raw: f64 = points.values().flatten().sum();
    let max_score: f64 = rubric::item_ids(stage)
        .iter()
        .map(|id| rubric.points(id))
        .sum::<f64>()
        + rubric.hand.iter().map(|h| h.points).sum::<f64>();
    let late_penalty = round(rubric.late_penalty(raw, submitted));
    let score = round(raw - late_penalty);
    let row = Row {
        student: learner.name.clone(),
        stage: stage.number,
        status,
        score,
        max_score,
        percent: (score / max_score.max(1e-9) * 1000.0).round() / 10.0,
        late_penalty,
        seed: plan.seed,
        graded_at: timestamp::format(SystemTime::now()),
        kindling_version: env!("CARGO_PKG_VERSION").to_string(),
        items: points,
    };
    let page = report::feedback(
        stage,
        rubric,
        &row,
        &items,
        problem.as_deref(),
        answers.as_deref(),
    );
    Graded {
        row,
        page,
        items,
        problem,
    }
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// When the learner handed in: `timestamp.txt` in the copy of their folder, if
/// there is one.
fn submission_time(copy: &Path) -> Option<SystemTime> {
    let text = std::fs::read_to_string(copy.join(TIMESTAMP_FILE)).ok()?;
    timestamp::parse(&text).ok()
}

/// Writes a grading's files into a folder beside `out`, then swaps it into place,
/// so `out` never holds half a gradebook.
fn write_out(
    out: &Path,
    stage: &StageInfo,
    rubric: &Rubric,
    book: &Gradebook,
    extra: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let parent = kindling::data::atomic::parent_folder(out);
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".kindling-grades-")
        .tempdir_in(parent)?;
    book.write(staging.path())?;
    std::fs::write(
        staging.path().join(report::SUMMARY_FILE),
        report::summary(stage, rubric, book),
    )?;
    std::fs::write(
        staging.path().join(lms::CANVAS_FILE),
        lms::canvas(book, stage.name)?,
    )?;
    std::fs::write(
        staging.path().join(lms::MOODLE_FILE),
        lms::moodle(book, stage.name)?,
    )?;
    report::chart(book, &staging.path().join(report::CHART_FILE))?;
    extra(staging.path())?;
    let staged = staging.keep();
    replace_dir(&staged, out)
        .with_context(|| format!("moving the grades into {}", out.display()))?;
    Ok(())
}

/// `--merge`: joins shard outputs, their feedback included.
fn merge(shards: &[PathBuf], out: &Path) -> Result<()> {
    let books: Vec<(PathBuf, Gradebook)> = shards
        .iter()
        .map(|dir| Gradebook::read(dir).map(|book| (dir.clone(), book)))
        .collect::<Result<_>>()?;
    let merged = gradebook::merge(&books)?;
    let stage = parse_stage(&merged.stage.to_string())?;
    // The rubric's titles for hand items are not in the gradebook; their ids stand in.
    let rubric = Rubric::plain();
    write_out(out, stage, &rubric, &merged, |staging| {
        for dir in shards {
            let feedback = dir.join("feedback");
            if feedback.is_dir() {
                copy_tree(&feedback, &staging.join("feedback"))?;
            }
        }
        Ok(())
    })?;
    println!(
        "Merged {} shards ({} learners) into {}.",
        shards.len(),
        merged.rows.len(),
        out.display()
    );
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
