//! Running a stage in-process in the check profile and checking it as
//! `cargo xtask check` does.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kindling_checker::{
    CheckContext, CheckItem, Profile, StageArgs, Status, evaluate_run, parse_stage,
};

/// The repository's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the repository")
        .to_path_buf()
}

/// A run's results folder, alone inside a temporary folder of its own: files
/// written beside run folders (the test-set ledger) stay private to this run.
/// Both are deleted when this is dropped.
pub struct RunFolder {
    _parent: tempfile::TempDir,
    path: PathBuf,
}

impl RunFolder {
    /// A fresh, empty results folder.
    pub fn new() -> RunFolder {
        let parent = tempfile::tempdir().expect("a temporary folder");
        let path = parent.path().join("run");
        std::fs::create_dir(&path).expect("a results folder");
        RunFolder {
            _parent: parent,
            path,
        }
    }

    /// The results folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Default for RunFolder {
    fn default() -> Self {
        Self::new()
    }
}

/// A finished check-profile run of a stage, ready to be checked.
pub struct StageRun {
    /// The results folder (deleted when this is dropped).
    pub out: RunFolder,
    /// What the checker needs to know about the run.
    pub context: CheckContext,
}

impl StageRun {
    /// Runs `run` (a stage's entry point) in the check profile; answers are read from
    /// `stage_dir` (e.g. `solutions/stage01`).
    pub fn new(
        stage: &str,
        stage_dir: &str,
        run: impl FnOnce(&StageArgs) -> anyhow::Result<()>,
    ) -> StageRun {
        let info = parse_stage(stage).expect("a known stage");
        let out = RunFolder::new();
        let mut args = StageArgs::new(Profile::Check, out.path());
        let run_id = format!("test-{stage}-{}", std::process::id());
        args.run_id = Some(run_id.clone());
        let started = SystemTime::now();
        let clock = std::time::Instant::now();
        run(&args).unwrap_or_else(|error| panic!("{stage} failed to run: {error:#}"));
        let seconds = clock.elapsed().as_secs_f64();
        let mut context = CheckContext::new(
            info.number,
            &root().join(stage_dir),
            out.path(),
            &snapshots(),
        );
        // The solution's answers are its read of the book machine's run; another
        // CPU's run gives other numbers, read in the file kept for it.
        let here = numerics_answers(info.number);
        if stage_dir.starts_with("solutions/") && here.is_file() {
            context.answers_path = here;
        }
        context.run_id = Some(run_id);
        context.started = started;
        context.run_seconds = Some(seconds);
        StageRun { out, context }
    }

    /// The checklist of this run, after the build and run items.
    pub fn check(&self) -> Checked {
        let info = parse_stage(&self.context.stage.to_string()).expect("a known stage");
        Checked {
            items: evaluate_run(info, &self.context),
        }
    }

    /// The numbers the book quotes from this stage's check run
    /// (`book/numbers/stageNN.txt`) are the ones this run gives: a change that
    /// moves a quoted number must regenerate the file, and so the page.
    pub fn assert_book_numbers(&self) {
        use kindling_checker::quotes::{numbers_file_for, parse, quotes_of_run};
        let stage = self.context.stage;
        // On the book's machine, the book's own file; elsewhere this CPU's numbers.
        let path = numbers_file_for(&root(), stage, &kindling::train::numerics());
        let fix = "Fix: run `cargo xtask book --generate --stage N`, review the diff of book/numbers/ (or tests/numerics/ on a computer that computes otherwise than the book's) and reread the sentences that include the changed numbers";
        let committed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| parse(&text))
            .unwrap_or_else(|problem| panic!("{}: {problem}. {fix}", path.display()));
        let fresh = quotes_of_run(stage, self.out.path())
            .unwrap_or_else(|problem| panic!("stage {stage}'s quotes: {problem}"));
        let changed: Vec<String> = fresh
            .iter()
            .filter(|quote| !committed.contains(quote))
            .map(|quote| {
                let old = committed.iter().find(|c| c.name == quote.name);
                format!(
                    "{}: the run gives {}, the book says {}",
                    quote.name,
                    quote.text,
                    old.map_or("nothing", |c| c.text.as_str())
                )
            })
            .chain(
                committed
                    .iter()
                    .filter(|c| !fresh.iter().any(|q| q.name == c.name))
                    .map(|c| format!("{}: no longer quoted", c.name)),
            )
            .collect();
        assert!(
            changed.is_empty(),
            "{} is out of date:\n{}\n{fix}",
            path.display(),
            changed.join("\n")
        );
    }

    /// A file the run wrote.
    pub fn file(&self, name: &str) -> PathBuf {
        self.out.path().join(name)
    }

    /// Asserts that every claim the stage's page makes about its run
    /// (`kindling_checker::claims`) holds on this run: at the default seed here,
    /// at other seeds in `cargo xtask robust`.
    pub fn assert_claims(&self) {
        let files = kindling_checker::claims::RunFiles::load(self.out.path())
            .unwrap_or_else(|e| panic!("the run's files: {e}"));
        for claim in kindling_checker::claims::for_stage(self.context.stage) {
            let verdict = claim.judge_run(&files);
            assert!(
                verdict.held,
                "stage {}'s claim {} ({}) does not hold: margin {:+.3} {} ({})",
                self.context.stage,
                claim.id,
                claim.statement,
                verdict.margin,
                claim.unit,
                verdict.detail
            );
        }
    }
}

/// The solution's `answers.toml` for stage `stage` as read from this computer's
/// check run, when its numerics are not the book's:
/// `tests/numerics/<numerics>/stageNN.answers.toml` (see
/// `kindling_checker::quotes::numerics_dir`).
pub fn numerics_answers(stage: u8) -> PathBuf {
    let numerics = kindling::train::numerics();
    if numerics == kindling_checker::snapshot::BOOK_NUMERICS {
        return PathBuf::new();
    }
    kindling_checker::quotes::numerics_dir(&root(), &numerics)
        .join(format!("stage{stage:02}.answers.toml"))
}

/// Where the reference snapshots live.
pub fn snapshots() -> PathBuf {
    root().join("tests").join("snapshots")
}

/// A checklist.
pub struct Checked {
    /// Its items.
    pub items: Vec<CheckItem>,
}

impl Checked {
    /// Identifiers of the items that did not pass.
    pub fn failed(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|i| i.status != Status::Pass)
            .map(|i| i.id.as_str())
            .collect()
    }

    /// Every item's status, id and detail, for assertion messages.
    pub fn describe(&self) -> String {
        self.items
            .iter()
            .map(|i| {
                format!(
                    "{:?} {} {}",
                    i.status,
                    i.id,
                    i.detail.clone().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> &CheckItem {
        self.items
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }
}

/// Rounds to `decimals` places (snapshots keep what is stable, not float noise).
pub fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Builds one program of a workspace package (such as stage 9's predict program)
/// and returns its path, as `cargo xtask check` hands it to the checker.
pub fn build_program(package: &str, bin: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "build",
            "--message-format=json",
            "-p",
            package,
            "--bin",
            bin,
        ])
        .current_dir(root())
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("cargo build runs");
    assert!(
        output.status.success(),
        "building {package} --bin {bin} failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == bin)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built no program {bin}"))
}
