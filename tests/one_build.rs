//! One build of the dependencies serves every command learners run: the README's
//! `cargo kindling train` (the kindling-cli package), `cargo test --workspace`,
//! `cargo xtask ...` and `cargo run -p stageNN`. Cargo builds a dependency again
//! whenever two commands ask for it with different features, and a second build of
//! Burn costs minutes, so every package must get the same features everywhere.

use std::collections::BTreeMap;
use std::process::Command;

use course_tests::root;

/// `package version -> features` of the graph `cargo tree` shows for `args`.
fn features(args: &[&str]) -> BTreeMap<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .arg("tree")
        .args(args)
        .args(["--prefix", "none", "--format", "{p}|{f}"])
        .current_dir(root())
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (package, features) = line.split_once('|')?;
            let package = package.split(" (").next()?.trim().to_string();
            let features = features.split(" (").next().unwrap_or("").trim().to_string();
            Some((package, features))
        })
        .collect()
}

#[test]
fn every_command_asks_for_the_same_features() {
    let everything = features(&["--workspace"]);
    assert!(
        everything.keys().any(|p| p.starts_with("burn ")),
        "burn is in the graph"
    );
    for root_package in ["kindling-cli", "xtask", "stage05", "stage01-solution"] {
        let graph = features(&["-p", root_package, "-e", "normal,build"]);
        let differing: Vec<String> = graph
            .iter()
            .filter(|(package, used)| everything.get(*package) != Some(*used))
            .map(|(package, used)| {
                format!(
                    "{package}: [{used}] vs [{}] in the workspace",
                    everything.get(package).map_or("", String::as_str)
                )
            })
            .collect();
        assert!(
            differing.is_empty(),
            "building {root_package} alone would rebuild these (and whatever depends on them, Burn included):\n{}\nFix: ask for the same features in kindling-data's Cargo.toml",
            differing.join("\n")
        );
    }
}
