//! `cargo xtask bench --real PATH --vs-pytorch`: the README's training recipes on a
//! real photo tree (`PATH/train/CLASS/*`, `PATH/test/CLASS/*`), run by the real
//! `kindling` program and by PyTorch on the very same images, compared epoch by
//! epoch, on test accuracy, peak memory and time to a common accuracy.
//!
//! xtask loads the folder with Kindling's own loader and split (the seed `kindling
//! train` uses by default) and hands PyTorch the piles as raw bytes, so no image
//! is decoded on PyTorch's side and both train on identical pixels. Everything is
//! written in one temporary folder, removed at the end whatever happens.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::ValueEnum;
use serde::Deserialize;

use kindling::data::builtin::DEFAULT_SEED;
use kindling::data::{Augmentation, DataSource, ImageSet, Normalization, SplitSizes, load_splits};
use kindling::models::ModelKind;
use kindling::train::{FitConfig, History, RunConfig, ScheduleName};

use super::BenchArgs;
use crate::repo;

/// Validation images of every recipe: the README's `--val-size 1000`.
const VAL_SIZE: usize = 1000;
/// Training images by default: the rest of CIFAR-10's 50,000 (`--train-size 49000`).
const DEFAULT_TRAIN_SIZE: usize = 49_000;
/// Threads each framework gets: a 2-core laptop, the machine the course targets.
const THREADS: usize = 2;

/// Which recipes `--real` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecipeChoice {
    /// The baseline CNN at its defaults (Adam 0.001, batches of 32, no augmentation).
    Baseline,
    /// The CNN with batch normalisation and the README's full recipe.
    BnCnn,
    /// Both, baseline first.
    Both,
}

/// A training recipe, as `kindling train` flags and as the PyTorch script's.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Recipe {
    name: &'static str,
    /// `--model`, for both programs.
    model: &'static str,
    epochs: usize,
    batch_size: usize,
    lr: f64,
    /// `--schedule` and `--warmup`.
    schedule: Option<(&'static str, f64)>,
    /// `--augment`.
    augment: Option<&'static str>,
    label_smoothing: f64,
    weight_decay: f64,
}

/// `kindling train --dataset folder:PATH --train-size 49000 --val-size 1000 --epochs 10`.
const BASELINE: Recipe = Recipe {
    name: "baseline",
    model: "baseline-cnn",
    epochs: 10,
    batch_size: 32,
    lr: 0.001,
    schedule: None,
    augment: None,
    label_smoothing: 0.0,
    weight_decay: 0.0,
};

/// The README's recipe for the CNN with batch normalisation.
const BN_CNN: Recipe = Recipe {
    name: "bn-cnn",
    model: "bn-cnn",
    epochs: 8,
    batch_size: 128,
    lr: 0.004,
    schedule: Some(("one-cycle", 1.5)),
    augment: Some("flip,crop"),
    label_smoothing: 0.1,
    weight_decay: 0.05,
};

impl RecipeChoice {
    fn recipes(self) -> Vec<Recipe> {
        match self {
            RecipeChoice::Baseline => vec![BASELINE],
            RecipeChoice::BnCnn => vec![BN_CNN],
            RecipeChoice::Both => vec![BASELINE, BN_CNN],
        }
    }
}

impl Recipe {
    /// `kindling train`'s flags for this recipe: the dataset and sizes, then each
    /// setting that differs from the program's default, so the baseline is the
    /// README's command word for word.
    fn kindling_args(&self, path: &Path, train_size: usize, epochs: usize) -> Vec<String> {
        let defaults = FitConfig::default();
        let mut args: Vec<String> = vec![
            "train".into(),
            "--dataset".into(),
            format!("folder:{}", path.display()),
            "--train-size".into(),
            train_size.to_string(),
            "--val-size".into(),
            VAL_SIZE.to_string(),
        ];
        let mut flag = |name: &str, value: String| {
            args.push(format!("--{name}"));
            args.push(value);
        };
        if self.model != "baseline-cnn" {
            flag("model", self.model.into());
        }
        flag("epochs", epochs.to_string());
        if self.batch_size != defaults.batch_size {
            flag("batch-size", self.batch_size.to_string());
        }
        if self.lr != defaults.learning_rate {
            flag("lr", self.lr.to_string());
        }
        if let Some((schedule, warmup)) = self.schedule {
            flag("schedule", schedule.into());
            flag("warmup", warmup.to_string());
        }
        if let Some(augment) = self.augment {
            flag("augment", augment.into());
        }
        if self.label_smoothing > 0.0 {
            flag("label-smoothing", self.label_smoothing.to_string());
        }
        if self.weight_decay > 0.0 {
            flag("weight-decay", self.weight_decay.to_string());
        }
        args
    }

    /// The PyTorch script's flags for the same recipe.
    fn pytorch_args(&self, data: &Path, epochs: usize) -> Vec<String> {
        let (schedule, warmup) = self.schedule.unwrap_or(("constant", 1.0));
        [
            ("data", data.display().to_string()),
            ("model", self.model.into()),
            ("epochs", epochs.to_string()),
            ("batch-size", self.batch_size.to_string()),
            ("lr", self.lr.to_string()),
            ("schedule", schedule.into()),
            ("warmup", warmup.to_string()),
            ("augment", self.augment.unwrap_or("none").into()),
            ("label-smoothing", self.label_smoothing.to_string()),
            ("weight-decay", self.weight_decay.to_string()),
            ("threads", THREADS.to_string()),
            ("seed", DEFAULT_SEED.to_string()),
        ]
        .into_iter()
        .flat_map(|(name, value)| [format!("--{name}"), value])
        .collect()
    }

    /// Refuses, before anything runs, what `kindling train` would refuse: a warm-up
    /// as long as the run, a last batch of one image for batch normalisation.
    fn check(&self, epochs: usize, train_size: usize) -> Result<()> {
        let schedule = self
            .schedule
            .map(|(name, warmup)| {
                Ok::<_, anyhow::Error>(name.parse::<ScheduleName>()?.with_warmup(warmup))
            })
            .transpose()?
            .flatten();
        let augmentation = self.augment.map(str::parse::<Augmentation>).transpose()?;
        FitConfig::default()
            .with_epochs(epochs)
            .with_batch_size(self.batch_size)
            .with_learning_rate(self.lr)
            .with_schedule(schedule)
            .with_augmentation(augmentation)
            .with_label_smoothing(self.label_smoothing)
            .with_weight_decay(self.weight_decay)
            .validate()
            .map_err(|error| anyhow!("the {} recipe with {epochs} epoch(s): {error}", self.name))?;
        let kind: ModelKind = self.model.parse()?;
        kind.check_batches(train_size, self.batch_size)
            .map_err(|problem| anyhow!("the {} recipe: {problem}", self.name))
    }
}

/// Runs `--real PATH`.
pub fn run(args: &BenchArgs, path: &Path) -> Result<()> {
    if !args.vs_pytorch {
        bail!(
            "--real runs the recipes with Kindling and PyTorch side by side, so it needs --vs-pytorch. Fix: add --vs-pytorch (and `pip install torch`); for Kindling alone, run `cargo kindling train --dataset folder:{} --train-size 49000 --val-size 1000` and `cargo kindling evaluate RUN` directly",
            path.display()
        );
    }
    check_tree(path)?;
    let train_size = args.train_size.unwrap_or(DEFAULT_TRAIN_SIZE);
    let recipes = args.recipe.recipes();
    for recipe in &recipes {
        recipe.check(args.epochs.unwrap_or(recipe.epochs), train_size)?;
    }
    let torch_version = super::check_torch()?;
    let kindling = build_kindling()?;

    let work = tempfile::tempdir().context("making a temporary folder for the piles and runs")?;
    let data = work.path().join("data");
    println!(
        "Loading {} with Kindling's loader and split (seed {DEFAULT_SEED}, as kindling train's default)...",
        path.display()
    );
    let loaded = export_piles(path, train_size, &data)?;
    println!(
        "Kindling's loader read and decoded train/ and test/ and split them ({} training, {} validation, {} test images) in {:.1} s; PyTorch gets the same piles as raw bytes.",
        loaded.train, loaded.validation, loaded.test, loaded.seconds
    );
    let openmp = match std::env::var(super::OMP_WAIT_POLICY) {
        Ok(policy) => format!(
            "otherwise at its defaults but for {}={policy}, set in your environment",
            super::OMP_WAIT_POLICY
        ),
        Err(_) => format!(
            "otherwise at its defaults ({} unset: OpenMP's threads spin while they wait, which costs PyTorch dearly on a busy machine)",
            super::OMP_WAIT_POLICY
        ),
    };
    println!(
        "PyTorch {torch_version}, {THREADS} threads (torch.set_num_threads), {openmp}; Kindling {} with RAYON_NUM_THREADS={THREADS}, Flex CPU, dev profile (dependencies optimised). Measure on an otherwise idle machine.",
        env!("CARGO_PKG_VERSION")
    );
    for recipe in &recipes {
        let epochs = args.epochs.unwrap_or(recipe.epochs);
        println!();
        let ours = run_kindling(
            &kindling,
            recipe,
            path,
            train_size,
            epochs,
            work.path(),
            &loaded,
        )?;
        let theirs = run_pytorch(recipe, &data, epochs)?;
        print_comparison(recipe, epochs, &loaded, &ours, &theirs);
    }
    Ok(())
}

/// Checks that `path` is a train/test tree with the same class folders in both,
/// without reading any image.
pub fn check_tree(path: &Path) -> Result<()> {
    let fix_tree = "Fix: pass a folder holding train/CLASS/*.jpg and test/CLASS/*.jpg with the same CLASS folders (unpack the images there first: nothing is downloaded)";
    if !path.exists() {
        bail!("{} does not exist. {fix_tree}", path.display());
    }
    if !path.is_dir() {
        bail!("{} is not a folder. {fix_tree}", path.display());
    }
    let mut classes = Vec::new();
    for part in ["train", "test"] {
        let dir = path.join(part);
        if !dir.is_dir() {
            bail!(
                "{} has no {part}/ folder, and --real needs the data's own train and test piles. {fix_tree}",
                path.display()
            );
        }
        let names = class_folders(&dir)?;
        if names.len() < 2 {
            bail!(
                "{} holds {} class folder(s); a classifier needs at least two. {fix_tree}",
                dir.display(),
                names.len()
            );
        }
        classes.push(names);
    }
    let (train, test) = (&classes[0], &classes[1]);
    if train != test {
        let only = |a: &[String], b: &[String]| {
            let names: Vec<&str> = a
                .iter()
                .filter(|name| !b.contains(name))
                .map(String::as_str)
                .collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        bail!(
            "{} and {} hold different class folders (only in train: {}; only in test: {}). {fix_tree}",
            path.join("train").display(),
            path.join("test").display(),
            only(train, test),
            only(test, train)
        );
    }
    Ok(())
}

/// The visible sub-folders of `dir`, sorted, as the folder loader lists classes.
fn class_folders(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}. Fix: make it readable", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.path().is_dir() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Builds the `kindling` program (nothing to do when it is up to date) and returns
/// its path.
fn build_kindling() -> Result<PathBuf> {
    let status = repo::cargo()
        .args(["build", "--quiet", "-p", "kindling-cli"])
        .current_dir(repo::root())
        .status()
        .context("starting cargo to build the kindling program")?;
    if !status.success() {
        bail!(
            "`cargo build -p kindling-cli` failed ({status}). Fix: build it yourself and read the error above"
        );
    }
    let program = repo::target_dir().join("debug").join("kindling");
    if !program.is_file() {
        bail!(
            "the kindling program is not at {} after the build. Fix: check CARGO_TARGET_DIR, then `cargo build -p kindling-cli`",
            program.display()
        );
    }
    Ok(program)
}

/// What was handed to PyTorch, and how long Kindling's loader took.
#[derive(Debug)]
struct Loaded {
    train: usize,
    validation: usize,
    test: usize,
    normalization: Normalization,
    seconds: f64,
}

/// Loads the tree as `kindling train` does and writes the three piles, labels and
/// normalisation into `dir` for the PyTorch script.
fn export_piles(path: &Path, train_size: usize, dir: &Path) -> Result<Loaded> {
    let source = DataSource::Folder(path.to_path_buf());
    let sizes = SplitSizes {
        train: Some(train_size),
        validation: Some(VAL_SIZE),
        test: None,
    };
    let started = Instant::now();
    let splits = load_splits(&source, sizes, DEFAULT_SEED)
        .with_context(|| format!("loading {source} with Kindling's loader"))?;
    let seconds = started.elapsed().as_secs_f64();
    let normalization = splits.normalization();
    let classes = splits.class_names().to_vec();
    // A benchmark, not a choice of model: the test pile is opened to score both
    // frameworks' finished models once each, as `kindling evaluate` does.
    let test = splits.test.open();
    std::fs::create_dir(dir).with_context(|| format!("making {}", dir.display()))?;
    for (name, set) in [
        ("train", &splits.train),
        ("validation", &splits.validation),
        ("test", &test),
    ] {
        write_pile(dir, name, set)?;
    }
    let meta = serde_json::json!({
        "classes": classes,
        "mean": normalization.mean,
        "std": normalization.std,
        "train": splits.train.len(),
        "validation": splits.validation.len(),
        "test": test.len(),
    });
    std::fs::write(dir.join("meta.json"), serde_json::to_vec_pretty(&meta)?)
        .with_context(|| format!("writing {}", dir.join("meta.json").display()))?;
    Ok(Loaded {
        train: splits.train.len(),
        validation: splits.validation.len(),
        test: test.len(),
        normalization,
        seconds,
    })
}

fn write_pile(dir: &Path, name: &str, set: &ImageSet) -> Result<()> {
    for (extension, bytes) in [("pixels", set.pixels()), ("labels", set.labels())] {
        let file = dir.join(format!("{name}.{extension}"));
        std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
    }
    Ok(())
}

/// One side's run of a recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct SideRun {
    /// Each epoch's seconds (training and its validation pass).
    pub seconds: Vec<f64>,
    /// Each epoch's validation accuracy.
    pub val_accuracy: Vec<f64>,
    /// Accuracy on the test pile after the last epoch.
    pub test_accuracy: f64,
    /// Peak resident memory of the training process.
    pub peak_rss_mib: Option<f64>,
    /// Wall time of the training process.
    pub wall_seconds: f64,
    /// What the side spends loading its data, in words, for the report.
    pub loading: String,
}

impl SideRun {
    fn curve(&self) -> SideCurve<'_> {
        SideCurve {
            seconds: &self.seconds,
            val_accuracy: &self.val_accuracy,
        }
    }
}

fn run_kindling(
    program: &Path,
    recipe: &Recipe,
    path: &Path,
    train_size: usize,
    epochs: usize,
    work: &Path,
    loaded: &Loaded,
) -> Result<SideRun> {
    let run_dir = work.join(format!("run-{}", recipe.name));
    let mut command = Command::new(program);
    let args = recipe.kindling_args(path, train_size, epochs);
    println!(
        "[{}] Kindling: kindling {} --out RUN",
        recipe.name,
        args.join(" ")
    );
    command.args(&args).arg("--out").arg(&run_dir);
    command.env("RAYON_NUM_THREADS", THREADS.to_string());
    let trained = run_child(command, "kindling train", "kindling")?;

    let history_file = run_dir.join("history.json");
    let history = History::load(&history_file)?;
    let seconds = history.require("seconds")?.to_vec();
    let val_accuracy = history.require("val_accuracy")?.to_vec();
    // The run must have trained on the piles PyTorch gets: same sizes, same statistics.
    let config = RunConfig::load(&run_dir)?;
    let same = |a: &[f32; 3], b: &[f32; 3]| {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-6 * x.abs().max(1.0))
    };
    if config.train_size != loaded.train
        || config.val_size != loaded.validation
        || !same(&config.normalization.mean, &loaded.normalization.mean)
        || !same(&config.normalization.std, &loaded.normalization.std)
    {
        bail!(
            "kindling train trained on other piles ({} training, {} validation images, normalisation {:?}) than xtask handed PyTorch ({}, {}, {:?}), so the comparison would not be fair. Fix: run both from the same build of the workspace (cargo build -p kindling-cli)",
            config.train_size,
            config.val_size,
            config.normalization,
            loaded.train,
            loaded.validation,
            loaded.normalization
        );
    }

    let mut command = Command::new(program);
    command.arg("evaluate").arg(&run_dir);
    command.env("RAYON_NUM_THREADS", THREADS.to_string());
    run_child(command, "kindling evaluate", "kindling")?;
    let metrics_file = run_dir.join(kindling::evaluation::TEST_METRICS_FILE);
    let metrics: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&metrics_file)
            .with_context(|| format!("reading {}", metrics_file.display()))?,
    )?;
    let test_accuracy = metrics["accuracy"]
        .as_f64()
        .with_context(|| format!("{} has no accuracy", metrics_file.display()))?;
    let outside = trained.seconds - seconds.iter().sum::<f64>();
    Ok(SideRun {
        seconds,
        val_accuracy,
        test_accuracy,
        peak_rss_mib: trained.peak_rss_mib,
        wall_seconds: trained.seconds,
        loading: format!(
            "kindling train spent {outside:.1} s outside its epochs (reading and decoding the JPEGs, the normalisation, the model, writing the run)"
        ),
    })
}

/// What the PyTorch script prints.
#[derive(Debug, Deserialize)]
struct PytorchReport {
    threads: usize,
    import_seconds: f64,
    load_seconds: f64,
    epochs: Vec<PytorchEpoch>,
    test_accuracy: f64,
}

#[derive(Debug, Deserialize)]
struct PytorchEpoch {
    seconds: f64,
    val_accuracy: f64,
}

/// The script beside this crate.
fn pytorch_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/pytorch_real.py")
}

fn run_pytorch(recipe: &Recipe, data: &Path, epochs: usize) -> Result<SideRun> {
    let mut command = Command::new(super::python());
    command
        .arg(pytorch_script())
        .args(recipe.pytorch_args(data, epochs));
    // This mode sets no OpenMP variable: PyTorch runs at its defaults unless the
    // caller's environment says otherwise, which the header then prints.
    println!(
        "[{}] PyTorch: {} {}",
        recipe.name,
        pytorch_script().display(),
        recipe.pytorch_args(Path::new("PILES"), epochs).join(" ")
    );
    let run = run_child(command, "the PyTorch script", "pytorch")?;
    let line = run
        .stdout
        .lines()
        .last()
        .context("the PyTorch script printed nothing")?;
    let report: PytorchReport = serde_json::from_str(line)
        .with_context(|| format!("reading the PyTorch script's result: {line}"))?;
    if report.threads != THREADS {
        bail!(
            "PyTorch ran with {} threads, not {THREADS}. Fix: check that nothing overrides torch.set_num_threads (such as a patched torch)",
            report.threads
        );
    }
    Ok(SideRun {
        seconds: report.epochs.iter().map(|e| e.seconds).collect(),
        val_accuracy: report.epochs.iter().map(|e| e.val_accuracy).collect(),
        test_accuracy: report.test_accuracy,
        peak_rss_mib: run.peak_rss_mib,
        wall_seconds: run.seconds,
        loading: format!(
            "reading the prepared bytes took {:.1} s and `import torch` {:.1} s (its JPEGs were decoded by Kindling's loader above, not timed here)",
            report.load_seconds, report.import_seconds
        ),
    })
}

/// A finished child process.
struct ChildRun {
    stdout: String,
    seconds: f64,
    peak_rss_mib: Option<f64>,
}

/// Runs `command`, echoing its output lines as they come (prefixed by `label`),
/// and measures its wall time and peak memory. The peak is the child's own: it is
/// reaped with `wait4`, whose usage covers that one process (RUSAGE_CHILDREN
/// would give the largest of all children so far).
fn run_child(mut command: Command, what: &str, label: &str) -> Result<ChildRun> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {what}"))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let label_out = label.to_string();
    let out = std::thread::spawn(move || echo(stdout, &label_out));
    let label_err = label.to_string();
    let err = std::thread::spawn(move || echo(stderr, &label_err));
    let (status, max_rss) = wait_with_usage(child.id())?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "{what} failed ({status}): {}. Fix: read its error above; the runs were in a temporary folder, now removed",
            tail.join(" | ")
        );
    }
    Ok(ChildRun {
        stdout,
        seconds,
        peak_rss_mib: max_rss,
    })
}

/// Copies a child's output to ours line by line, and returns it whole.
fn echo(stream: impl Read, label: &str) -> String {
    let mut all = String::new();
    for line in BufReader::new(stream).lines().map_while(Result::ok) {
        println!("    {label} | {line}");
        let _ = std::io::stdout().flush();
        all.push_str(&line);
        all.push('\n');
    }
    all
}

/// Waits for process `pid` and returns its exit status and peak resident memory.
fn wait_with_usage(pid: u32) -> Result<(ExitStatus, Option<f64>)> {
    use std::os::unix::process::ExitStatusExt;
    let pid = pid as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pointers to live locals, a pid we started and have not reaped.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error).context("waiting for a benchmark process");
        }
    }
    // Linux counts ru_maxrss in KiB, macOS in bytes.
    let kib = if cfg!(target_os = "macos") {
        usage.ru_maxrss as f64 / 1024.0
    } else {
        usage.ru_maxrss as f64
    };
    Ok((
        ExitStatus::from_raw(status),
        (kib > 0.0).then_some(kib / 1024.0),
    ))
}

/// When each side first reached the accuracy both reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeToAccuracy {
    /// The lower of the two final validation accuracies.
    pub target: f64,
    /// Kindling's epoch (from 1) that first reached it, and the seconds up to its end.
    pub kindling: (usize, f64),
    /// PyTorch's.
    pub pytorch: (usize, f64),
}

impl TimeToAccuracy {
    /// PyTorch's time over Kindling's: above 1, Kindling got there sooner.
    pub fn ratio(&self) -> f64 {
        self.pytorch.1 / self.kindling.1
    }
}

/// The target is the lower of the two final validation accuracies, so both sides
/// reach it; each side's time is its cumulative seconds at the end of its first
/// epoch at or above the target. `None` when a side has no epochs.
pub fn time_to_accuracy(kindling: &SideCurve, pytorch: &SideCurve) -> Option<TimeToAccuracy> {
    let target = kindling
        .val_accuracy
        .last()?
        .min(*pytorch.val_accuracy.last()?);
    Some(TimeToAccuracy {
        target,
        kindling: first_reach(kindling, target)?,
        pytorch: first_reach(pytorch, target)?,
    })
}

/// Per-epoch seconds and validation accuracy of one side.
#[derive(Debug, Clone, Copy)]
pub struct SideCurve<'a> {
    pub seconds: &'a [f64],
    pub val_accuracy: &'a [f64],
}

fn first_reach(curve: &SideCurve, target: f64) -> Option<(usize, f64)> {
    let mut elapsed = 0.0;
    for (index, (seconds, accuracy)) in curve.seconds.iter().zip(curve.val_accuracy).enumerate() {
        elapsed += seconds;
        if *accuracy >= target {
            return Some((index + 1, elapsed));
        }
    }
    None
}

fn mib(value: Option<f64>) -> String {
    value.map_or("n/a".into(), |v| format!("{v:.0} MiB"))
}

fn print_comparison(
    recipe: &Recipe,
    epochs: usize,
    loaded: &Loaded,
    ours: &SideRun,
    theirs: &SideRun,
) {
    println!();
    println!(
        "Recipe {}: {}, {epochs} epoch(s), batch {}, lr {}{}{}{}{}; {} training, {} validation, {} test images",
        recipe.name,
        recipe.model,
        recipe.batch_size,
        recipe.lr,
        recipe.schedule.map_or(String::new(), |(s, w)| format!(
            ", {s} schedule, warm-up {w}"
        )),
        recipe
            .augment
            .map_or(String::new(), |a| format!(", augment {a}")),
        if recipe.label_smoothing > 0.0 {
            format!(", label smoothing {}", recipe.label_smoothing)
        } else {
            String::new()
        },
        if recipe.weight_decay > 0.0 {
            format!(", weight decay {} (AdamW)", recipe.weight_decay)
        } else {
            String::new()
        },
        loaded.train,
        loaded.validation,
        loaded.test
    );
    println!(
        "{:>6} {:>12} {:>13} {:>12} {:>13}",
        "epoch", "Kindling s", "Kindling val", "PyTorch s", "PyTorch val"
    );
    let rows = ours.seconds.len().max(theirs.seconds.len());
    let cell = |values: &[f64], index: usize, digits: usize| {
        values
            .get(index)
            .map_or("-".to_string(), |v| format!("{v:.digits$}"))
    };
    for index in 0..rows {
        println!(
            "{:>6} {:>12} {:>13} {:>12} {:>13}",
            index + 1,
            cell(&ours.seconds, index, 1),
            cell(&ours.val_accuracy, index, 4),
            cell(&theirs.seconds, index, 1),
            cell(&theirs.val_accuracy, index, 4)
        );
    }
    let total = |run: &SideRun| run.seconds.iter().sum::<f64>();
    println!(
        "{:>6} {:>12.1} {:>13} {:>12.1} {:>13}",
        "total",
        total(ours),
        "",
        total(theirs),
        ""
    );
    println!(
        "test accuracy: Kindling {:.4}, PyTorch {:.4}",
        ours.test_accuracy, theirs.test_accuracy
    );
    println!(
        "peak memory of the training process: Kindling {}, PyTorch {} (each whole process; PyTorch's includes the torch library)",
        mib(ours.peak_rss_mib),
        mib(theirs.peak_rss_mib)
    );
    match time_to_accuracy(&ours.curve(), &theirs.curve()) {
        Some(reach) => println!(
            "time to accuracy: target {:.4} (the lower final validation accuracy); Kindling {:.1} s (epoch {}), PyTorch {:.1} s (epoch {}); PyTorch / Kindling = {:.2} (above 1: Kindling faster)",
            reach.target,
            reach.kindling.1,
            reach.kindling.0,
            reach.pytorch.1,
            reach.pytorch.0,
            reach.ratio()
        ),
        None => println!("time to accuracy: n/a (a side finished no epoch)"),
    }
    println!(
        "data loading: Kindling: {} (the loader alone took {:.1} s above); PyTorch: {}",
        ours.loading, loaded.seconds, theirs.loading
    );
    println!(
        "whole processes: kindling train {:.1} s, PyTorch script {:.1} s. An epoch's seconds include its validation pass on both sides.",
        ours.wall_seconds, theirs.wall_seconds
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve<'a>(seconds: &'a [f64], val_accuracy: &'a [f64]) -> SideCurve<'a> {
        SideCurve {
            seconds,
            val_accuracy,
        }
    }

    #[test]
    fn time_to_accuracy_uses_the_lower_final_accuracy_and_the_first_epoch_reaching_it() {
        // Kindling ends higher (0.70), PyTorch lower (0.65): the target is 0.65.
        // Kindling first reaches it at epoch 3 (0.66), after 10 + 10 + 10 s;
        // PyTorch at its last epoch, 4, after 4 x 12 s.
        let kindling = curve(&[10.0, 10.0, 10.0, 10.0], &[0.40, 0.60, 0.66, 0.70]);
        let pytorch = curve(&[12.0, 12.0, 12.0, 12.0], &[0.50, 0.62, 0.64, 0.65]);
        let reach = time_to_accuracy(&kindling, &pytorch).unwrap();
        assert_eq!(reach.target, 0.65);
        assert_eq!(reach.kindling, (3, 30.0));
        assert_eq!(reach.pytorch, (4, 48.0));
        assert!((reach.ratio() - 1.6).abs() < 1e-12);
    }

    #[test]
    fn an_early_peak_counts_and_the_ratio_can_favour_pytorch() {
        // PyTorch ends lower (0.55) but touched 0.56 at epoch 2 before dipping: its
        // time is epoch 2's. Kindling reaches 0.55 only at its last epoch.
        let kindling = curve(&[5.0, 5.0, 5.0], &[0.30, 0.50, 0.58]);
        let pytorch = curve(&[2.0, 3.0, 4.0], &[0.40, 0.56, 0.55]);
        let reach = time_to_accuracy(&kindling, &pytorch).unwrap();
        assert_eq!(reach.target, 0.55);
        assert_eq!(reach.kindling, (3, 15.0));
        assert_eq!(reach.pytorch, (2, 5.0));
        assert!(
            (reach.ratio() - 5.0 / 15.0).abs() < 1e-12,
            "PyTorch faster: below 1"
        );
    }

    #[test]
    fn equal_curves_give_a_ratio_of_one_and_no_epochs_give_none() {
        let same = curve(&[3.0, 4.0], &[0.2, 0.3]);
        let reach = time_to_accuracy(&same, &same).unwrap();
        assert_eq!(
            (reach.target, reach.kindling, reach.ratio()),
            (0.3, (2, 7.0), 1.0)
        );
        assert_eq!(time_to_accuracy(&curve(&[], &[]), &same), None);
    }

    #[test]
    fn the_kindling_commands_are_the_readme_recipes() {
        let path = Path::new("/tmp/cifar10");
        assert_eq!(
            BASELINE.kindling_args(path, 49_000, 10).join(" "),
            "train --dataset folder:/tmp/cifar10 --train-size 49000 --val-size 1000 --epochs 10"
        );
        assert_eq!(
            BN_CNN.kindling_args(path, 49_000, 8).join(" "),
            "train --dataset folder:/tmp/cifar10 --train-size 49000 --val-size 1000 --model bn-cnn --epochs 8 --batch-size 128 --lr 0.004 --schedule one-cycle --warmup 1.5 --augment flip,crop --label-smoothing 0.1 --weight-decay 0.05"
        );
        let script = BN_CNN.pytorch_args(Path::new("D"), 8).join(" ");
        assert_eq!(
            script,
            "--data D --model bn-cnn --epochs 8 --batch-size 128 --lr 0.004 --schedule one-cycle --warmup 1.5 --augment flip,crop --label-smoothing 0.1 --weight-decay 0.05 --threads 2 --seed 42"
        );
    }

    #[test]
    fn recipes_that_kindling_train_would_refuse_are_refused_first() {
        let message = BN_CNN.check(1, 49_000).unwrap_err().to_string();
        assert!(
            message.contains("warm-up") && message.contains("Fix:"),
            "{message}"
        );
        let message = BN_CNN.check(8, 129).unwrap_err().to_string();
        assert!(message.contains("last batch of one image"), "{message}");
        assert!(BN_CNN.check(8, 49_000).is_ok());
        assert!(BASELINE.check(10, 49_000).is_ok());
    }
}
