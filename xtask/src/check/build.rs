//! Building a stage: inside the workspace with `cargo build -p`, or, for a folder
//! elsewhere (a submission), as a scratch crate that shares the workspace's build
//! folder, so Burn is never built a second time. A submission is built under the
//! rules of graded code: a manifest written by the grader from what the
//! submission's may ask (`manifest`), `cargo build --offline --locked` with a clean
//! environment and a time limit, and, in the sandbox, able to read only the
//! toolchain, the course's crates and its own copy, and to write only the build
//! folder of the profile and a temporary folder. No code of the submission runs at
//! build time: there is no build script, and the only procedural macros are the
//! course's own dependencies'.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::manifest;
use crate::confine::{self, Confinement, Limits, Sandbox};
use crate::repo;

/// A stage folder: where it is and what its package is called.
#[derive(Debug, Clone)]
pub struct StageFolder {
    /// The folder read: the learner's own, or the grader's copy of a submission.
    pub dir: PathBuf,
    /// Where the learner's files are (their folder, which messages name, and whose
    /// path keys the scratch crate); `dir` itself unless a copy is read.
    pub origin: PathBuf,
    /// Its package name (`stage05` or `stage05-solution`).
    pub package: String,
    /// True when the folder is a member of this workspace.
    pub in_workspace: bool,
}

impl StageFolder {
    /// The same stage, read from the grader's `copy` of it.
    pub fn read_from(self, copy: &Path) -> StageFolder {
        StageFolder {
            dir: copy.to_path_buf(),
            in_workspace: false,
            ..self
        }
    }
}

/// How a build is run.
#[derive(Debug, Clone, Copy)]
pub struct BuildRules {
    /// Show cargo's progress.
    pub show: bool,
    /// In the sandbox, or behind the fence only.
    pub confinement: Confinement,
    /// Seconds the build may take.
    pub seconds: u64,
}

/// Seconds a submission's build may take: it compiles the stage's own crate only.
pub const BUILD_SECONDS: u64 = 600;

/// What building gave.
pub enum BuildOutcome {
    /// The program to run, the stage's other programs (by the name of their
    /// source file: `src/bin/predict.rs` is `predict`), and the seconds the build took.
    Built {
        binary: PathBuf,
        programs: BTreeMap<String, PathBuf>,
        seconds: f64,
    },
    /// The first compiler error, with the file and line it points at.
    Failed { first_error: String },
}

/// Checks that `dir` holds a stage crate for stage `slug`, and reads its package name.
pub fn locate(dir: &Path, slug: &str) -> Result<StageFolder> {
    let fix = format!(
        "point --path at a stage folder such as exercises/{slug} (it holds Cargo.toml, src/ and answers.toml)"
    );
    if !dir.is_dir() {
        bail!("{} is not a folder. Fix: {fix}", dir.display());
    }
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|_| {
        anyhow::anyhow!(
            "{} is not a stage: it has no Cargo.toml. Fix: {fix}",
            dir.display()
        )
    })?;
    if !dir.join("src").join("lib.rs").is_file() || !dir.join("src").join("main.rs").is_file() {
        bail!(
            "{} is not a stage: it has no src/lib.rs and src/main.rs. Fix: {fix}",
            dir.display()
        );
    }
    let package = text
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_string())
        })
        .ok_or_else(|| anyhow::anyhow!("{} has no package name. Fix: {fix}", manifest.display()))?;
    let stage_of_folder = package.trim_end_matches("-solution");
    if !stage_of_folder.starts_with("stage") {
        bail!(
            "{} holds the package `{package}`, not a course stage. Fix: {fix}",
            dir.display()
        );
    }
    if stage_of_folder != slug {
        bail!(
            "{} holds {stage_of_folder}, not {slug}. Fix: check {stage_of_folder} instead, or point --path at a {slug} folder",
            dir.display()
        );
    }
    let dir = dir
        .canonicalize()
        .with_context(|| format!("reading {}", dir.display()))?;
    let root = repo::root().canonicalize()?;
    let in_workspace = [
        root.join("exercises").join(slug),
        root.join("solutions").join(slug),
    ]
    .contains(&dir);
    Ok(StageFolder {
        origin: dir.clone(),
        dir,
        package,
        in_workspace,
    })
}

/// Builds the stage's program: the learner's own exercise in the workspace, any
/// other folder as graded code.
pub fn build(stage: &StageFolder, slug: &str, rules: BuildRules) -> Result<BuildOutcome> {
    let started = Instant::now();
    let mut command = repo::cargo();
    command.args(["build", "--message-format=json"]);
    let output = if stage.in_workspace {
        command
            .args(["-p", &stage.package])
            .current_dir(repo::root())
            .stderr(if rules.show {
                std::process::Stdio::inherit()
            } else {
                std::process::Stdio::null()
            });
        let output = command.output().context("running cargo build")?;
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    } else {
        let allowed = match allowed(stage, slug) {
            Ok(allowed) => allowed,
            Err(refusal) => {
                return Ok(BuildOutcome::Failed {
                    first_error: refusal,
                });
            }
        };
        let scratch = prepare_scratch(stage, slug, &allowed)?;
        match build_graded(&scratch, rules)? {
            Ok(output) => output,
            Err(refusal) => {
                return Ok(BuildOutcome::Failed {
                    first_error: refusal,
                });
            }
        }
    };
    let (success, stdout) = output;
    let mut binary = None;
    let mut programs = BTreeMap::new();
    let mut first_error = None;
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(path) = message["executable"].as_str() {
                    let source = Path::new(message["target"]["src_path"].as_str().unwrap_or(""));
                    if source.ends_with("src/main.rs") {
                        binary = Some(PathBuf::from(path));
                    } else if let Some(stem) = source.file_stem() {
                        programs.insert(stem.to_string_lossy().into_owned(), PathBuf::from(path));
                    }
                }
            }
            Some("compiler-message")
                if first_error.is_none() && message["message"]["level"] == "error" =>
            {
                first_error = Some(describe_error(&message["message"], stage));
            }
            _ => {}
        }
    }
    match (success, binary) {
        (true, Some(binary)) => Ok(BuildOutcome::Built {
            binary,
            programs,
            seconds: started.elapsed().as_secs_f64(),
        }),
        _ => Ok(BuildOutcome::Failed {
            first_error: first_error
                .unwrap_or_else(|| "cargo build failed (see its output above)".into()),
        }),
    }
}

/// The submission's manifest, checked against the stage's reference solution's.
fn allowed(stage: &StageFolder, slug: &str) -> Result<manifest::Allowed, String> {
    let reference_path = repo::root().join("solutions").join(slug).join("Cargo.toml");
    let reference: toml::Table = std::fs::read_to_string(&reference_path)
        .map_err(|e| format!("{}: {e}", reference_path.display()))?
        .parse()
        .map_err(|e| format!("{}: {e}", reference_path.display()))?;
    let text = std::fs::read_to_string(stage.dir.join("Cargo.toml"))
        .map_err(|e| format!("{}/Cargo.toml: {e}", stage.origin.display()))?;
    manifest::check(&text, &reference).map_err(|e| format!("{}/{e}", stage.origin.display()))
}

/// Runs `cargo build --offline --locked` on a scratch crate under `rules`: the
/// success and cargo's JSON messages, or why the build was stopped.
fn build_graded(scratch: &Path, rules: BuildRules) -> Result<Result<(bool, String), String>> {
    let temporary = tempfile::Builder::new()
        .prefix("kindling-build-")
        .tempdir()?;
    let toolchain = toolchain()?;
    let sandbox = match rules.confinement {
        Confinement::Sandbox => Some(build_sandbox(scratch, temporary.path(), &toolchain)?),
        Confinement::Fence => None,
    };
    if let Err(refusal) = lock(scratch, &toolchain, temporary.path(), sandbox.as_ref())? {
        return Ok(Err(refusal));
    }
    let mut command = cargo_command(&toolchain, scratch, temporary.path());
    command.args(["build", "--message-format=json", "--offline", "--locked"]);
    command
        .arg("--manifest-path")
        .arg(scratch.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(repo::target_dir());
    let limits = Limits {
        seconds: rules.seconds,
        output_bytes: 64 << 20,
        memory_bytes: None,
        file_bytes: None,
        echo_stderr: rules.show,
    };
    let outcome = confine::run(&mut command, limits, sandbox.as_ref())?;
    Ok(match outcome.status {
        None => Err(format!(
            "the build did not finish in {}s and was stopped",
            rules.seconds
        )),
        Some(status) => {
            if !status.success() && !outcome.stdout.text.contains("\"level\":\"error\"") {
                // Not a compiler error: cargo's own, such as a refused file.
                let said = outcome.stderr.text.trim();
                if !said.is_empty() {
                    return Ok(Err(format!("cargo build failed: {said}")));
                }
            }
            Ok((status.success(), outcome.stdout.text))
        }
    })
}

/// Cargo, with a clean environment but the toolchain and the instructor's build
/// settings, in `scratch`.
fn cargo_command(toolchain: &Toolchain, scratch: &Path, temporary: &Path) -> Command {
    let mut command = Command::new(&toolchain.cargo);
    command.current_dir(scratch);
    confine::clean_env(&mut command, temporary);
    let mut path = std::ffi::OsString::from(toolchain.bin.as_os_str());
    path.push(":/usr/local/bin:/usr/bin:/bin");
    command
        .env("PATH", path)
        .env("CARGO_HOME", &toolchain.cargo_home)
        .env("RUSTC", &toolchain.rustc)
        .env("CARGO_TERM_COLOR", "never");
    for (name, value) in std::env::vars_os() {
        if build_setting(&name.to_string_lossy()) {
            command.env(name, value);
        }
    }
    command
}

/// Gives the scratch crate a lock file that `--locked` accepts: the workspace's,
/// cut down by cargo to what the crate uses (`cargo metadata --offline`), and
/// checked to hold nothing the workspace's does not, at the same versions.
fn lock(
    scratch: &Path,
    toolchain: &Toolchain,
    temporary: &Path,
    sandbox: Option<&Sandbox>,
) -> Result<Result<(), String>> {
    let workspace_lock = std::fs::read_to_string(repo::root().join("Cargo.lock"))?;
    let path = scratch.join("Cargo.lock");
    // Seeded with the workspace's; a lock cut down before is cut again, unchanged.
    let seed = std::fs::read_to_string(&path).unwrap_or_default();
    if subset_of(&seed, &workspace_lock).is_err() || seed.is_empty() {
        std::fs::write(&path, &workspace_lock)?;
    }
    let mut command = cargo_command(toolchain, scratch, temporary);
    command
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(scratch.join("Cargo.toml"));
    let limits = Limits {
        seconds: 120,
        output_bytes: 1 << 20,
        memory_bytes: None,
        file_bytes: None,
        echo_stderr: false,
    };
    // This step alone may write the lock file.
    let sandbox = sandbox.cloned().map(|mut sandbox| {
        sandbox.write.push(path.clone());
        sandbox
    });
    let outcome = confine::run(&mut command, limits, sandbox.as_ref())?;
    if !outcome.status.is_some_and(|s| s.success()) {
        return Ok(Err(format!(
            "cargo could not resolve the stage's dependencies offline: {}",
            outcome.stderr.text.trim()
        )));
    }
    let written = std::fs::read_to_string(&path)?;
    Ok(subset_of(&written, &workspace_lock)
        .map_err(|extra| format!("the stage's dependencies would need {extra}, which the course's Cargo.lock does not hold")))
}

/// Checks that every package of the lock file `text` is in `workspace`'s, at the
/// same version and from the same source, but the scratch crate itself.
fn subset_of(text: &str, workspace: &str) -> Result<(), String> {
    let packages = |text: &str| -> Result<Vec<toml::Table>, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e| format!("a lock file that does not parse ({e})"))?;
        Ok(table
            .get("package")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_table().cloned())
            .collect())
    };
    let known = packages(workspace)?;
    let key =
        |p: &toml::Table, field: &str| p.get(field).map(|v| v.to_string()).unwrap_or_default();
    for package in packages(text)? {
        let name = key(&package, "name");
        if name.contains("-checked-") {
            continue;
        }
        let found = known.iter().any(|k| {
            ["name", "version", "source", "checksum"]
                .iter()
                .all(|field| key(k, field) == key(&package, field))
        });
        if !found {
            return Err(format!("{name} {}", key(&package, "version")));
        }
    }
    Ok(())
}

/// The instructor's build settings, passed to a submission's build so that it
/// reuses the build of the dependencies (different flags would build them again).
/// Nothing else of the grader's environment reaches it: a build could embed any
/// variable into the program with `env!`.
fn build_setting(name: &str) -> bool {
    matches!(
        name,
        "RUSTFLAGS"
            | "CARGO_ENCODED_RUSTFLAGS"
            | "CARGO_INCREMENTAL"
            | "CARGO_BUILD_JOBS"
            | "CARGO_BUILD_RUSTFLAGS"
            | "RUSTUP_HOME"
            | "RUSTUP_TOOLCHAIN"
            | "CC"
            | "CXX"
            | "AR"
            | "CFLAGS"
            | "CXXFLAGS"
    ) || name.starts_with("CARGO_PROFILE_")
}

/// Where the toolchain is.
#[derive(Debug, Clone)]
struct Toolchain {
    /// The cargo program (the one running xtask).
    cargo: PathBuf,
    /// The rustc program beside it (not a rustup proxy).
    rustc: PathBuf,
    /// The folder holding both.
    bin: PathBuf,
    /// rustc's sysroot: its libraries.
    sysroot: PathBuf,
    /// Cargo's home: the registry's sources and the configuration.
    cargo_home: PathBuf,
}

fn toolchain() -> Result<Toolchain> {
    static FOUND: OnceLock<Result<Toolchain, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| find_toolchain().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn find_toolchain() -> Result<Toolchain> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .context("running rustc --print sysroot")?;
    if !output.status.success() {
        bail!(
            "rustc --print sysroot failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let bin = sysroot.join("bin");
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .filter(|c| c.is_absolute())
        .unwrap_or_else(|| bin.join("cargo"));
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cargo"));
    Ok(Toolchain {
        rustc: bin.join("rustc"),
        cargo,
        bin,
        sysroot,
        cargo_home,
    })
}

/// What a submission's build may touch: read the toolchain, cargo's registry, the
/// course's crates, manifest, lock file and cargo configuration, and its own
/// scratch crate; write the profile's build folder (`target/debug`), cargo's lock
/// files and its temporary folder. Not the grading reference's cache, not the other
/// submissions' copies, not the submissions themselves.
fn build_sandbox(scratch: &Path, temporary: &Path, toolchain: &Toolchain) -> Result<Sandbox> {
    let root = repo::root();
    let target = repo::target_dir();
    let profile = target.join("debug");
    std::fs::create_dir_all(&profile)?;
    let mut read = vec![
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
        root.join("crates"),
        toolchain.sysroot.clone(),
        scratch.to_path_buf(),
    ];
    // Of cargo's home, the registry and the configuration only: not
    // credentials.toml, which `include_str!` would put into the program.
    let home = &toolchain.cargo_home;
    read.extend(
        [
            root.join(".cargo"),
            toolchain.cargo.clone(),
            home.join("registry"),
            home.join("git"),
            home.join("config.toml"),
            home.join("config"),
        ]
        .into_iter()
        .filter(|p| p.exists()),
    );
    let mut write = vec![profile, temporary.to_path_buf()];
    write.extend(
        [
            target.join(".rustc_info.json"),
            toolchain.cargo_home.join(".package-cache"),
            toolchain.cargo_home.join(".package-cache-mutate"),
            toolchain.cargo_home.join(".global-cache"),
        ]
        .into_iter()
        .filter(|p| p.exists()),
    );
    Ok(Sandbox {
        read,
        write,
        processes: 4096,
        give_up_root: false,
    })
}

/// `file:line: message` followed by the compiler's own rendering.
fn describe_error(message: &Value, stage: &StageFolder) -> String {
    let span = message["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true));
    let place = span.map(|span| {
        let file = span["file_name"].as_str().unwrap_or("?");
        // Scratch builds compile a copy (paths relative to it): name the
        // learner's own file instead.
        let file = match file.strip_prefix("src/") {
            Some(rest) if !stage.in_workspace => {
                stage.origin.join("src").join(rest).display().to_string()
            }
            _ => file.to_string(),
        };
        format!("{file}:{}", span["line_start"])
    });
    let rendered = message["rendered"].as_str().unwrap_or("").trim_end();
    match place {
        Some(place) => format!(
            "{place}: {}\n{rendered}",
            message["message"].as_str().unwrap_or("")
        ),
        None => rendered.to_string(),
    }
}

/// A crate under `target/kindling-check/<slug>` holding a copy of the folder's
/// sources and depending on this workspace's crates, with the workspace's lock
/// file and build settings, so it reuses the build of every dependency.
fn prepare_scratch(
    stage: &StageFolder,
    slug: &str,
    allowed: &manifest::Allowed,
) -> Result<PathBuf> {
    let root = repo::root();
    // One scratch crate per learner's folder, so submissions can be checked side by
    // side; the dependencies' build is shared all the same.
    let key = folder_key(&stage.origin);
    let scratch = repo::target_dir()
        .join("kindling-check")
        .join(format!("{slug}-{key}"));
    std::fs::create_dir_all(&scratch)?;
    let src = scratch.join("src");
    if src.exists() && !same_tree(&stage.dir.join("src"), &src) {
        std::fs::remove_dir_all(&src)?;
    }
    if !src.exists() {
        copy_dir(&stage.dir.join("src"), &src)?;
    }
    let manifest = scratch_manifest(&root, stage, &key, allowed)?;
    write_if_changed(&scratch.join("Cargo.toml"), manifest.as_bytes())?;
    Ok(scratch)
}

/// The scratch crate's manifest: the stage's own dependencies, each
/// `workspace = true` resolved against this workspace (paths made absolute), its
/// programs, and the workspace's build profiles; no build script. The package gets
/// a name of its own, so that Cargo keeps its build apart from every other copy of
/// the stage; the library keeps the stage's crate name, which `main.rs` refers to.
fn scratch_manifest(
    root: &Path,
    stage: &StageFolder,
    key: &str,
    allowed: &manifest::Allowed,
) -> Result<String> {
    let workspace: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))?.parse()?;
    let shared = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut dependencies = toml::Table::new();
    for name in &allowed.dependencies {
        let mut spec = shared.get(name).cloned().with_context(|| {
            format!(
                "{} depends on `{name}`, which this workspace does not provide",
                stage.origin.display()
            )
        })?;
        if let Some(table) = spec.as_table_mut()
            && let Some(path) = table.get("path").and_then(toml::Value::as_str)
        {
            let absolute = if Path::new(path).is_absolute() {
                PathBuf::from(path)
            } else {
                root.join(path)
            };
            table.insert("path".into(), absolute.display().to_string().into());
        }
        dependencies.insert(name.clone(), spec);
    }
    let mut manifest = toml::Table::new();
    let package = format!("{}-checked-{key}", stage.package);
    manifest.insert(
        "package".into(),
        toml::Value::Table(toml::toml! {
            version = "0.1.0"
            edition = "2024"
            publish = false
            build = false
            autobins = false
            autoexamples = false
            autotests = false
            autobenches = false
        }),
    );
    manifest["package"]
        .as_table_mut()
        .expect("a table")
        .insert("name".into(), package.clone().into());
    let mut lib = toml::Table::new();
    lib.insert("name".into(), stage.package.replace('-', "_").into());
    lib.insert("path".into(), "src/lib.rs".into());
    manifest.insert("lib".into(), lib.into());
    let mut bin = toml::Table::new();
    bin.insert("name".into(), package.clone().into());
    bin.insert("path".into(), "src/main.rs".into());
    let mut bins = vec![toml::Value::Table(bin)];
    // The stage's other programs (stage 9's predict), each under a name of its own.
    for (name, path) in &allowed.programs {
        let mut table = toml::Table::new();
        table.insert("name".into(), format!("{package}-{name}").into());
        table.insert("path".into(), path.clone().into());
        bins.push(table.into());
    }
    manifest.insert("bin".into(), toml::Value::Array(bins));
    manifest.insert("workspace".into(), toml::Table::new().into());
    manifest.insert("dependencies".into(), dependencies.into());
    if let Some(profile) = workspace.get("profile") {
        manifest.insert("profile".into(), profile.clone());
    }
    Ok(format!(
        "# Generated by `cargo xtask check` to build {}.\n{}",
        stage.origin.display(),
        toml::to_string(&manifest)?
    ))
}

/// A stable key for a folder's path (FNV-1a), to name its scratch crate.
fn folder_key(dir: &Path) -> String {
    format!("{:016x}", folder_hash(dir))
}

fn folder_hash(dir: &Path) -> u64 {
    dir.as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
            (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Writes `bytes` unless the file already holds them: an untouched file keeps its
/// time, so cargo does not rebuild a submission graded again.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

/// True when the two folders hold the same files with the same contents.
fn same_tree(a: &Path, b: &Path) -> bool {
    fn listing(
        dir: &Path,
        base: &Path,
        files: &mut Vec<(PathBuf, Vec<u8>)>,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                listing(&path, base, files)?;
            } else {
                let relative = path.strip_prefix(base).unwrap_or(&path).to_path_buf();
                files.push((relative, std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    let read = |dir: &Path| {
        let mut files = Vec::new();
        listing(dir, dir, &mut files).ok()?;
        files.sort();
        Some(files)
    };
    matches!((read(a), read(b)), (Some(x), Some(y)) if x == y)
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_manifest_has_the_stages_own_dependencies_and_a_name_of_its_own() {
        let stage = locate(&repo::root().join("solutions/stage05"), "stage05").unwrap();
        let allowed = allowed(&stage, "stage05").unwrap();
        let text = scratch_manifest(&repo::root(), &stage, "abc", &allowed).unwrap();
        let manifest: toml::Table = text.parse().unwrap();
        assert_eq!(
            manifest["package"]["name"].as_str(),
            Some("stage05-solution-checked-abc")
        );
        assert_eq!(manifest["lib"]["name"].as_str(), Some("stage05_solution"));
        let dependencies = manifest["dependencies"].as_table().unwrap();
        for name in [
            "kindling",
            "kindling-course",
            "anyhow",
            "clap",
            "serde",
            "serde_json",
            "rand",
        ] {
            assert!(
                dependencies.contains_key(name),
                "{name} missing from {text}"
            );
        }
        let kindling = dependencies["kindling"]["path"].as_str().unwrap();
        assert!(
            Path::new(kindling).is_absolute() && Path::new(kindling).join("Cargo.toml").is_file()
        );
        assert!(manifest["profile"]["dev"]["package"]["*"]["opt-level"].as_integer() == Some(3));
        assert_eq!(manifest["package"]["build"].as_bool(), Some(false));
    }

    /// `include_str!` reads at build time whatever the build may read: of cargo's
    /// home, that must be the registry's sources and the configuration only.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_build_reads_cargos_registry_but_not_its_credentials() {
        confine::support().unwrap_or_else(|missing| {
            panic!("this test needs the sandbox, and this machine has none: {missing}")
        });
        let home = tempfile::tempdir().unwrap();
        let source = home.path().join("registry/src/index/some-crate/src/lib.rs");
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        std::fs::write(&source, "registry-source").unwrap();
        let config = home.path().join("config.toml");
        std::fs::write(&config, "[net]\noffline = true\n").unwrap();
        let credentials = home.path().join("credentials.toml");
        std::fs::write(&credentials, "token = \"instructors-token\"\n").unwrap();
        let mut toolchain = toolchain().unwrap();
        toolchain.cargo_home = home.path().to_path_buf();
        let scratch = tempfile::tempdir().unwrap();
        let temporary = tempfile::tempdir().unwrap();
        let sandbox = build_sandbox(scratch.path(), temporary.path(), &toolchain).unwrap();
        let script = format!(
            "cat '{}'; echo; cat '{}'; cat '{}' || echo no-credentials",
            source.display(),
            config.display(),
            credentials.display()
        );
        let mut command = Command::new("/bin/bash");
        command.arg("-c").arg(script).current_dir(scratch.path());
        confine::clean_env(&mut command, scratch.path());
        let outcome = confine::run(&mut command, Limits::time(20), Some(&sandbox)).unwrap();
        let said = outcome.stdout.text;
        assert!(
            said.starts_with("registry-source\n[net]"),
            "{said} {}",
            outcome.stderr.text
        );
        assert!(said.contains("no-credentials"), "{said}");
        assert!(!said.contains("instructors-token"), "{said}");
    }
}
