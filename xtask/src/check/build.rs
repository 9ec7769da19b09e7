//! Building a stage: inside the workspace with `cargo build -p`, or, for a folder
//! elsewhere (a submission), as a scratch crate that shares the workspace's build
//! folder, so Burn is never built a second time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::repo;

/// A stage folder: where it is and what its package is called.
#[derive(Debug, Clone)]
pub struct StageFolder {
    /// The folder.
    pub dir: PathBuf,
    /// Its package name (`stage05` or `stage05-solution`).
    pub package: String,
    /// True when the folder is a member of this workspace.
    pub in_workspace: bool,
}

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
        dir,
        package,
        in_workspace,
    })
}

/// Builds the stage's program, showing cargo's progress when `show` is set.
pub fn build(stage: &StageFolder, slug: &str, show: bool) -> Result<BuildOutcome> {
    let started = Instant::now();
    let mut command = repo::cargo();
    command.args(["build", "--message-format=json"]);
    if stage.in_workspace {
        command
            .args(["-p", &stage.package])
            .current_dir(repo::root());
    } else {
        let scratch = prepare_scratch(stage, slug)?;
        command
            .arg("--manifest-path")
            .arg(scratch.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(repo::target_dir());
    }
    let output = command
        .stderr(if show {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .output()
        .context("running cargo build")?;
    let mut binary = None;
    let mut programs = BTreeMap::new();
    let mut first_error = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
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
    match (output.status.success(), binary) {
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
                stage.dir.join("src").join(rest).display().to_string()
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
fn prepare_scratch(stage: &StageFolder, slug: &str) -> Result<PathBuf> {
    let root = repo::root();
    // One scratch crate per folder, so submissions can be checked side by side; the
    // dependencies' build is shared all the same.
    let key = folder_key(&stage.dir);
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
    let manifest = scratch_manifest(&root, stage, &key)?;
    write_if_changed(&scratch.join("Cargo.toml"), manifest.as_bytes())?;
    write_if_changed(
        &scratch.join("Cargo.lock"),
        &std::fs::read(root.join("Cargo.lock"))?,
    )?;
    Ok(scratch)
}

/// The scratch crate's manifest: the stage's own dependencies, each
/// `workspace = true` resolved against this workspace (paths made absolute), and
/// the workspace's build profiles. The package gets a name of its own, so that
/// Cargo keeps its build apart from every other copy of the stage; the library
/// keeps the stage's crate name, which `main.rs` refers to.
fn scratch_manifest(root: &Path, stage: &StageFolder, key: &str) -> Result<String> {
    let workspace: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))?.parse()?;
    let shared = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let own: toml::Table = std::fs::read_to_string(stage.dir.join("Cargo.toml"))?.parse()?;
    let mut dependencies = toml::Table::new();
    let listed = own
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    for (name, spec) in listed {
        let from_workspace = spec.get("workspace").and_then(toml::Value::as_bool) == Some(true);
        let mut spec = if from_workspace {
            shared.get(&name).cloned().with_context(|| {
                format!(
                    "{} depends on `{name}`, which this workspace does not provide",
                    stage.dir.display()
                )
            })?
        } else {
            spec
        };
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
        dependencies.insert(name, spec);
    }
    let mut manifest = toml::Table::new();
    let package = format!("{}-checked-{key}", stage.package);
    manifest.insert(
        "package".into(),
        toml::Value::Table(
            toml::toml! { version = "0.1.0" edition = "2024" publish = false autobins = false },
        ),
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
    for other in own
        .get("bin")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(path)) = (
            other.get("name").and_then(toml::Value::as_str),
            other.get("path").and_then(toml::Value::as_str),
        ) else {
            continue;
        };
        if path == "src/main.rs" {
            continue;
        }
        let mut table = toml::Table::new();
        table.insert("name".into(), format!("{package}-{name}").into());
        table.insert("path".into(), path.into());
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
        stage.dir.display(),
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
        let text = scratch_manifest(&repo::root(), &stage, "abc").unwrap();
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
    }
}
