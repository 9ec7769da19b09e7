//! Where things are in the repository.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Names the course repository to use, overriding the search from the current folder.
pub const ROOT_VARIABLE: &str = "KINDLING_ROOT";

/// The repository's root folder, found at run time (never where xtask was built,
/// so a course folder moved after a build is checked where it is now).
pub fn root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| match find_root() {
        Ok(root) => root,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    })
    .clone()
}

/// `KINDLING_ROOT` when set, else the nearest folder above the current one whose
/// Cargo.toml has a `[workspace]` and which holds `xtask/`.
fn find_root() -> Result<PathBuf, String> {
    if let Some(root) = std::env::var_os(ROOT_VARIABLE) {
        let root = PathBuf::from(root);
        return if is_root(&root) {
            Ok(root)
        } else {
            Err(format!(
                "{ROOT_VARIABLE}={} is not the course repository (no Cargo.toml with [workspace] and an xtask/ folder). Fix: point it at the folder holding the course's Cargo.toml, or unset it",
                root.display()
            ))
        };
    }
    let here =
        std::env::current_dir().map_err(|e| format!("the current folder cannot be read: {e}"))?;
    here.ancestors()
        .find(|dir| is_root(dir))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside the course repository (no Cargo.toml with [workspace] and an xtask/ folder above it). Fix: cd into the course folder, or set {ROOT_VARIABLE}",
                here.display()
            )
        })
}

fn is_root(dir: &Path) -> bool {
    dir.join("xtask").join("Cargo.toml").is_file()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|manifest| manifest.contains_key("workspace"))
}

/// The shared build folder: `CARGO_TARGET_DIR` when set, else `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        })
        .unwrap_or_else(|| root().join("target"))
}

/// A `cargo` command (the one that runs us, so the same toolchain builds the
/// stages) with the variables `cargo run` set for xtask itself removed: build
/// scripts that watch them (ring watches `CARGO_MANIFEST_DIR`) would otherwise
/// see a change and rebuild, and the learner would wait for nothing.
pub fn cargo() -> std::process::Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(program);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_for_xtask = name.starts_with("CARGO_")
            && !matches!(name.as_ref(), "CARGO_HOME" | "CARGO_TARGET_DIR")
            && !name.starts_with("CARGO_REGISTRIES_")
            && !name.starts_with("CARGO_NET_")
            && !name.starts_with("CARGO_HTTP_")
            && !name.starts_with("CARGO_BUILD_");
        if set_for_xtask {
            command.env_remove(name.as_ref());
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_workspace_holding_xtask() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        assert!(is_root(here));
        assert!(!is_root(&here.join("xtask")));
        assert!(!is_root(&here.join("crates")));
    }
}
