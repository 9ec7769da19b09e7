//! Where things are in the repository.

use std::path::{Path, PathBuf};

/// The repository's root folder (xtask lives one level down).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_path_buf()
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
