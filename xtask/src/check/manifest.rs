//! What a submission's `Cargo.toml` may ask of the build. The grader writes the
//! manifest it builds with itself; from the submission's it takes only the names of
//! dependencies the stage's reference solution declares, each `workspace = true`
//! (so the course's lock file and build are used), and the paths of its programs
//! under `src/`. Anything that would run code at build time or fetch code (a build
//! script, build or platform dependencies, path, git or registry dependencies,
//! patches, a procedural-macro library) is refused, with the line to change.

use std::collections::BTreeSet;
use std::path::{Component, Path};

/// What the manifest contributes, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// Dependencies, by name (each one of the reference's).
    pub dependencies: BTreeSet<String>,
    /// The stage's other programs: `[[bin]]` name and path (under `src/`).
    pub programs: Vec<(String, String)>,
}

/// Checks the submission's manifest `text` against the reference's manifest.
pub fn check(text: &str, reference: &toml::Table) -> Result<Allowed, String> {
    let own: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        format!(
            "Cargo.toml is not valid TOML: {}. Fix: start again from the exercise's Cargo.toml",
            e.message()
        )
    })?;
    let refuse = |what: &str, fix: &str| -> Result<Allowed, String> {
        Err(format!(
            "Cargo.toml {what}, and graded code may not run or fetch code at build time. Fix: {fix}"
        ))
    };
    let package = own.get("package").and_then(toml::Value::as_table);
    if package
        .and_then(|p| p.get("build"))
        .is_some_and(|build| build.as_bool() != Some(false))
    {
        return refuse(
            "declares a build script (`build = ...`)",
            "remove the `build` line and the script",
        );
    }
    for (table, what) in [
        ("build-dependencies", "has [build-dependencies]"),
        ("target", "has platform-specific [target.*] tables"),
        ("patch", "patches dependencies ([patch])"),
        ("replace", "replaces dependencies ([replace])"),
    ] {
        if own.contains_key(table) {
            return refuse(what, &format!("remove the [{table}] section"));
        }
    }
    if let Some(lib) = own.get("lib").and_then(toml::Value::as_table) {
        if lib.get("proc-macro").and_then(toml::Value::as_bool) == Some(true) {
            return refuse(
                "makes the library a procedural macro",
                "remove `proc-macro = true`",
            );
        }
        if let Some(path) = lib.get("path").and_then(toml::Value::as_str)
            && path != "src/lib.rs"
        {
            return Err(format!(
                "Cargo.toml puts the library at `{path}`; the grader builds src/lib.rs. Fix: remove the [lib] path"
            ));
        }
    }
    let provided: BTreeSet<String> = reference
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    let mut dependencies = BTreeSet::new();
    let listed = own
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    for (name, spec) in listed {
        if !provided.contains(&name) {
            return Err(format!(
                "Cargo.toml asks for `{name}`, which this stage does not provide (it provides {}). Fix: remove `{name}` and use what the stage provides",
                provided.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let from_workspace = spec
            .as_table()
            .is_some_and(|t| t.get("workspace").and_then(toml::Value::as_bool) == Some(true));
        let kind = match &spec {
            toml::Value::String(_) => Some("a crates.io version"),
            toml::Value::Table(t) if t.contains_key("path") => Some("a path dependency"),
            toml::Value::Table(t) if t.contains_key("git") => Some("a git dependency"),
            toml::Value::Table(t) if t.contains_key("registry") => Some("another registry's"),
            _ if !from_workspace => Some("not the course's own"),
            _ => None,
        };
        if let Some(kind) = kind {
            return Err(format!(
                "Cargo.toml's dependency `{name}` is {kind}: graded code builds with the course's dependencies only. Fix: write `{name}.workspace = true`"
            ));
        }
        dependencies.insert(name);
    }
    let mut programs = Vec::new();
    for bin in own
        .get("bin")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = bin.get("name").and_then(toml::Value::as_str).unwrap_or("");
        let Some(path) = bin.get("path").and_then(toml::Value::as_str) else {
            return Err(format!(
                "Cargo.toml's [[bin]] `{name}` has no path. Fix: give it `path = \"src/bin/{name}.rs\"`"
            ));
        };
        let inside_src = Path::new(path).starts_with("src")
            && Path::new(path)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            && path.ends_with(".rs");
        if !inside_src {
            return Err(format!(
                "Cargo.toml's [[bin]] `{name}` is built from `{path}`, outside src/. Fix: keep every program's source under src/ (src/bin/{name}.rs)"
            ));
        }
        if path != "src/main.rs" {
            programs.push((name.to_string(), path.to_string()));
        }
    }
    Ok(Allowed {
        dependencies,
        programs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> toml::Table {
        "[package]\nname = \"stage05-solution\"\n[dependencies]\nkindling.workspace = true\nanyhow.workspace = true\n"
            .parse()
            .unwrap()
    }

    #[test]
    fn the_exercise_manifest_passes() {
        let allowed = check(
            "[package]\nname = \"stage05\"\n[dependencies]\nkindling.workspace = true\nanyhow = { workspace = true }\n[[bin]]\nname = \"predict\"\npath = \"src/bin/predict.rs\"\n",
            &reference(),
        )
        .unwrap();
        assert_eq!(allowed.dependencies.len(), 2);
        assert_eq!(
            allowed.programs,
            [("predict".to_string(), "src/bin/predict.rs".to_string())]
        );
    }

    #[test]
    fn what_would_run_or_fetch_code_is_refused_with_the_line_to_change() {
        let head = "[package]\nname = \"stage05\"\n";
        for (rest, says) in [
            ("build = \"build.rs\"\n", "build script"),
            ("[build-dependencies]\ncc = \"1\"\n", "[build-dependencies]"),
            ("[dependencies]\nserde_yaml = \"0.9\"\n", "does not provide"),
            ("[dependencies]\nkindling = \"0.1\"\n", "crates.io version"),
            (
                "[dependencies]\nkindling = { path = \"../evil\" }\n",
                "path dependency",
            ),
            (
                "[dependencies]\nanyhow = { git = \"https://example.com/a\" }\n",
                "git dependency",
            ),
            (
                "[[bin]]\nname = \"x\"\npath = \"../../etc/x.rs\"\n",
                "outside src/",
            ),
            (
                "[[bin]]\nname = \"x\"\npath = \"src/../../x.rs\"\n",
                "outside src/",
            ),
            (
                "[[bin]]\nname = \"x\"\npath = \"/tmp/x.rs\"\n",
                "outside src/",
            ),
            ("[lib]\nproc-macro = true\n", "procedural macro"),
            ("[patch.crates-io]\nanyhow = { path = \"x\" }\n", "[patch]"),
            (
                "[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n",
                "[target.*]",
            ),
            ("[package\n", "not valid TOML"),
        ] {
            let error = check(&format!("{head}{rest}"), &reference()).unwrap_err();
            assert!(error.contains(says), "{rest}: {error}");
            assert!(error.contains("Fix:"), "{error}");
        }
    }
}
