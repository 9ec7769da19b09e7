//! Running a built stage in the check profile, confined (see `confine`), in a
//! scratch folder of its own: the program's copy, the file holding its arguments
//! and its results folder `out`. Nothing of the grader's reaches the program but
//! that folder: its command line is `stage05 @arguments.txt` and its environment is
//! `confine::clean_env`'s. When it has ended, its `out` is moved aside and copied
//! back in its place by the grader (regular files only), so that paths the run
//! wrote into its files (stage 10's sources) still lead to the files the checker
//! reads, and the checker reads only the grader's copy.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};
use clap::Args;

use super::intake::{self, Odd};
use crate::confine::{self, Confinement, DEFAULT_PROCESSES, Limits, RunOutcome, Sandbox};

/// The argument file's name inside the scratch folder.
const ARGUMENTS_FILE: &str = "arguments.txt";
/// The results folder's name inside the scratch folder.
const OUT_DIR: &str = "out";
/// Where the run's own results folder is moved to before the grader copies it back.
const RUN_OUT_DIR: &str = "out-as-run";

/// A run's scratch folder, removed when this is dropped.
pub struct Scratch {
    dir: tempfile::TempDir,
    program: PathBuf,
    programs: BTreeMap<String, PathBuf>,
}

impl Scratch {
    /// A fresh folder holding copies of the stage's program and its other programs.
    pub fn new(slug: &str, binary: &Path, programs: &BTreeMap<String, PathBuf>) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{slug}-check-"))
            .tempdir_in(std::env::temp_dir())?;
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin)?;
        // Copies, so that the program (perhaps run as nobody) reads nothing in the
        // grader's own folders, and learns no path of theirs from its own file.
        let copy = |from: &Path, name: &str| -> Result<PathBuf> {
            let to = bin.join(name);
            let _turn = confine::PROGRAM_FILES.lock();
            std::fs::copy(from, &to).with_context(|| format!("copying {}", from.display()))?;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755))?;
            Ok(to)
        };
        let program = copy(binary, slug)?;
        let programs = programs
            .iter()
            .map(|(name, path)| Ok((name.clone(), copy(path, &format!("{slug}-{name}"))?)))
            .collect::<Result<_>>()?;
        std::fs::create_dir(dir.path().join(OUT_DIR))?;
        Ok(Scratch {
            dir,
            program,
            programs,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the stage: `<slug> @arguments.txt`, the arguments being
    /// `--profile check --out <scratch>/out --run-id <id> --seed <seed>`.
    pub fn run(
        &self,
        slug: &str,
        run_id: &str,
        seed: u64,
        limits: Limits,
        confinement: Confinement,
    ) -> Result<RunOutcome> {
        let out = self.path().join(OUT_DIR);
        let out = out.to_string_lossy();
        let arguments = [
            "--profile",
            "check",
            "--out",
            &out,
            "--run-id",
            run_id,
            "--seed",
        ];
        let text = format!("{}\n{seed}\n", arguments.join("\n"));
        std::fs::write(self.path().join(ARGUMENTS_FILE), text)?;
        let mut command = Command::new(&self.program);
        command
            .arg0(slug)
            .arg(format!("@{ARGUMENTS_FILE}"))
            .current_dir(self.path());
        confine::clean_env(&mut command, self.path());
        let sandbox = Sandbox {
            read: Vec::new(),
            write: vec![self.path().to_path_buf()],
            processes: DEFAULT_PROCESSES,
            give_up_root: true,
        };
        confine::run(
            &mut command,
            limits,
            (confinement == Confinement::Sandbox).then_some(&sandbox),
        )
    }

    /// Replaces the run's results folder with the grader's copy of it (regular files
    /// only, capped) and returns it. A results folder the run removed or replaced
    /// gives an empty one: the checker then says which files are missing.
    pub fn results(&self) -> Result<PathBuf> {
        let out = self.path().join(OUT_DIR);
        let aside = self.path().join(RUN_OUT_DIR);
        // Anything already at `aside` was left by the run.
        if intake::exists(&aside) {
            if std::fs::symlink_metadata(&aside)?.is_dir() {
                std::fs::remove_dir_all(&aside)?;
            } else {
                std::fs::remove_file(&aside)?;
            }
        }
        if intake::exists(&out) {
            std::fs::rename(&out, &aside)?;
        }
        if intake::copy_tree(&aside, &out, intake::RESULTS, Odd::Skip).is_err() {
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir(&out)?;
        }
        make_readable(&out)?;
        Ok(out)
    }

    /// The stage's other programs as the checker should start them: each through a
    /// small script that runs it confined as the stage was, reading the checked
    /// results and writing only the checker's folder inside them.
    pub fn confined_programs(
        &self,
        checked: &Path,
        scripts: &Path,
        limits: Limits,
        confinement: Confinement,
    ) -> Result<BTreeMap<String, PathBuf>> {
        let xtask = std::env::current_exe().context("finding xtask's own program")?;
        let mut wrapped = BTreeMap::new();
        for (name, program) in &self.programs {
            let mut line = vec![
                quote(&xtask),
                "confined-program".into(),
                "--seconds".into(),
                limits.seconds.to_string(),
                "--read".into(),
                quote(checked),
                "--write".into(),
                quote(&checked.join(CHECKER_DIR)),
                "--program".into(),
                quote(program),
            ];
            if let Some(memory) = limits.memory_bytes {
                line.extend(["--memory-mib".into(), (memory >> 20).to_string()]);
            }
            if confinement == Confinement::Fence {
                line.push("--unconfined".into());
            }
            let script = scripts.join(name);
            std::fs::write(
                &script,
                format!("#!/bin/sh\nexec {} -- \"$@\"\n", line.join(" ")),
            )?;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700))?;
            wrapped.insert(name.clone(), script);
        }
        Ok(wrapped)
    }
}

/// The folder a stage's checker writes its own inputs and outputs into, inside the
/// results (stage 9's images and charts).
const CHECKER_DIR: &str = "checker";

/// A path quoted for `sh`.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// Folders 0755 and files 0644, so that a program run as nobody can read them.
fn make_readable(path: &Path) -> Result<()> {
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.is_dir() {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
        for entry in std::fs::read_dir(path)? {
            make_readable(&entry?.path())?;
        }
    } else if metadata.is_file() {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

/// `xtask confined-program`: runs one of a stage's other programs for its checker,
/// confined, passing its output and exit code through.
#[derive(Debug, Clone, Args)]
pub struct ProgramArgs {
    /// Seconds it may run.
    #[arg(long)]
    seconds: u64,
    /// Memory it may map, in MiB.
    #[arg(long)]
    memory_mib: Option<u64>,
    /// Folders it may read.
    #[arg(long)]
    read: Vec<PathBuf>,
    /// Folders it may write (those that exist).
    #[arg(long)]
    write: Vec<PathBuf>,
    /// Behind the fence only.
    #[arg(long)]
    unconfined: bool,
    /// The program.
    #[arg(long)]
    program: PathBuf,
    /// Its arguments.
    #[arg(last = true)]
    args: Vec<OsString>,
}

/// Runs `xtask confined-program`.
pub fn program_command(args: &ProgramArgs) -> ExitCode {
    match confined_program(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(125)
        }
    }
}

fn confined_program(args: &ProgramArgs) -> Result<ExitCode> {
    use std::io::Write;
    let home = tempfile::tempdir()?;
    let mut command = Command::new(&args.program);
    command.args(&args.args).current_dir(home.path());
    confine::clean_env(&mut command, home.path());
    let mut write = vec![home.path().to_path_buf()];
    write.extend(args.write.iter().filter(|p| p.is_dir()).cloned());
    let sandbox = Sandbox {
        read: [args.program.clone()]
            .into_iter()
            .chain(args.read.iter().cloned())
            .collect(),
        write,
        processes: DEFAULT_PROCESSES,
        give_up_root: true,
    };
    let limits = Limits {
        seconds: args.seconds,
        output_bytes: confine::DEFAULT_OUTPUT_BYTES,
        memory_bytes: args.memory_mib.map(|m| m << 20),
        file_bytes: Some(1 << 30),
        echo_stderr: false,
    };
    let outcome = confine::run(&mut command, limits, (!args.unconfined).then_some(&sandbox))?;
    std::io::stdout().write_all(outcome.stdout.text.as_bytes())?;
    std::io::stderr().write_all(outcome.stderr.text.as_bytes())?;
    Ok(match outcome.status {
        None => {
            eprintln!(
                "stopped after {}s: the program did not finish in time",
                args.seconds
            );
            ExitCode::from(124)
        }
        Some(status) => {
            use std::os::unix::process::ExitStatusExt;
            let code = status
                .code()
                .or_else(|| status.signal().map(|s| 128 + s))
                .unwrap_or(1);
            ExitCode::from(code.clamp(0, 255) as u8)
        }
    })
}
