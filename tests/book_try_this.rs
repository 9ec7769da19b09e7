//! Every "Try this" step names only things that exist: the commands it gives run
//! a real package, subcommand and flags; the files it names exist or are written
//! by the course's programs; the functions, constants and fields it names are in
//! the learner's files for that stage (or, for library calls a step asks the
//! learner to add, in Kindling's or Burn's sources).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use course_tests::{build_program, root};
use kindling_checker::STAGES;

/// The pages of a stage, in the order SUMMARY.md lists them: `stage05.md` and
/// its parts (`stage05a.md`, ...).
fn stage_pages(slug: &str) -> Vec<PathBuf> {
    let book = root().join("book").join("src");
    let summary = std::fs::read_to_string(book.join("SUMMARY.md")).unwrap();
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|page| {
            page.strip_prefix(slug)
                .is_some_and(|rest| rest == ".md" || rest.len() == 4 && rest.ends_with(".md"))
        })
        .map(|page| book.join(page))
        .collect()
}

/// The numbered steps of a page's "## Try this", each as its text.
fn try_this_steps(text: &str) -> Vec<String> {
    let mut steps: Vec<String> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("## ") {
            inside = line.trim() == "## Try this";
            continue;
        }
        if !inside {
            continue;
        }
        let numbered = line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if numbered {
            steps.push(String::new());
        }
        if let Some(step) = steps.last_mut() {
            step.push_str(line.trim());
            step.push(' ');
        }
    }
    steps
}

/// The code spans (`between backticks`) of a text.
fn spans(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.trim().to_string())
        .filter(|span| !span.is_empty())
        .collect()
}

/// Every source and answers file under `dir`, read.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                found.extend(sources(&path));
            }
        } else if path.extension().is_some_and(|e| e == "rs" || e == "toml")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            found.push((path, text));
        }
    }
    found
}

/// Whether `word` occurs as a whole identifier in `text`.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let joins = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !joins(before) && !joins(after)
    })
}

/// The sources of Burn 0.22.1 in cargo's registry, for library calls a step asks
/// the learner to add (empty when the registry cannot be found).
fn burn_sources() -> Vec<(PathBuf, String)> {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    let mut found = Vec::new();
    let Ok(registries) = std::fs::read_dir(home.join("registry").join("src")) else {
        return found;
    };
    for registry in registries.flatten() {
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for krate in crates.flatten() {
            let name = krate.file_name().to_string_lossy().to_string();
            if name.starts_with("burn") && name.ends_with("-0.22.1") {
                found.extend(sources(&krate.path().join("src")));
            }
        }
    }
    found
}

const RUST_WORDS: [&str; 12] = [
    "let", "mut", "fn", "use", "as", "in", "for", "if", "else", "Some", "None", "self",
];

/// What a step may name, for one stage.
struct World<'a> {
    /// The learner's files: exercises/stageNN.
    learner: Vec<(PathBuf, String)>,
    /// Kindling's crates and every solution: where a program writes a file.
    workspace: &'a [(PathBuf, String)],
    /// Burn's sources.
    burn: &'a [(PathBuf, String)],
    /// Package names of the workspace.
    packages: BTreeSet<String>,
}

impl<'a> World<'a> {
    fn new(slug: &str, workspace: &'a [(PathBuf, String)], burn: &'a [(PathBuf, String)]) -> Self {
        let packages = workspace
            .iter()
            .filter(|(path, _)| path.ends_with("Cargo.toml"))
            .filter_map(|(_, text)| {
                let manifest: toml::Table = toml::from_str(text).ok()?;
                manifest
                    .get("package")?
                    .get("name")?
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        World {
            learner: sources(&root().join("exercises").join(slug)),
            workspace,
            burn,
            packages,
        }
    }

    fn learner_has(&self, word: &str) -> bool {
        self.learner.iter().any(|(_, text)| has_word(text, word))
    }

    fn anywhere_has(&self, word: &str) -> bool {
        self.learner_has(word)
            || self.workspace.iter().any(|(_, text)| has_word(text, word))
            || self.burn.iter().any(|(_, text)| has_word(text, word))
    }

    /// A file a program of the course writes: its name is a string in the code.
    fn written_by_a_program(&self, name: &str) -> bool {
        let quoted = format!("\"{name}\"");
        self.workspace
            .iter()
            .chain(self.learner.iter())
            .any(|(_, text)| text.contains(&quoted))
    }
}

/// The long flags a program's `--help` lists.
fn help_flags(program: &Path, subcommand: &[&str]) -> Result<BTreeSet<String>, String> {
    let output = Command::new(program)
        .args(subcommand)
        .arg("--help")
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "`{} {} --help` fails: {}",
            program.display(),
            subcommand.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(long_flags(&String::from_utf8_lossy(&output.stdout)))
}

fn long_flags(help: &str) -> BTreeSet<String> {
    help.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '<' || c == '=')
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(str::to_string)
        .collect()
}

/// The flags every stage program takes.
fn stage_flags() -> BTreeSet<String> {
    let command = kindling_course::StageArgs::command();
    command
        .get_arguments()
        .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
        .chain(["--help".to_string()])
        .collect()
}

/// Programs built once for the whole test.
struct Programs {
    kindling: PathBuf,
    xtask: PathBuf,
}

/// Checks one `cargo ...` command; returns the flags it accepts.
fn check_command(
    command: &str,
    world: &World,
    programs: &Programs,
) -> Result<BTreeSet<String>, String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let flags_given: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.starts_with("--"))
        .collect();
    let accepted = match words.get(1).copied() {
        Some("run") => {
            let package = words
                .iter()
                .position(|w| *w == "-p")
                .and_then(|at| words.get(at + 1))
                .ok_or("`cargo run` without `-p PACKAGE`")?;
            if !world.packages.contains(*package) {
                return Err(format!("there is no package `{package}`"));
            }
            stage_flags()
        }
        Some(tool @ ("kindling" | "xtask")) => {
            let program = if tool == "kindling" {
                &programs.kindling
            } else {
                &programs.xtask
            };
            let subcommand = words
                .get(2)
                .filter(|w| !w.starts_with('-'))
                .ok_or(format!("`cargo {tool}` without a subcommand"))?;
            help_flags(program, &[subcommand])?
        }
        other => return Err(format!("unknown cargo command `{}`", other.unwrap_or(""))),
    };
    let before_separator: Vec<&str> = match words.iter().position(|w| *w == "--") {
        // `cargo run -p x -- --flags`: only the flags after `--` go to the stage.
        Some(at) if words.get(1) == Some(&"run") => words[at + 1..].to_vec(),
        _ => flags_given.clone(),
    };
    for flag in before_separator.iter().filter(|w| w.starts_with("--")) {
        if !accepted.contains(*flag) {
            return Err(format!("`{flag}` is not a flag of this command"));
        }
    }
    Ok(accepted)
}

/// Whether a span names a file or folder.
fn is_path(span: &str) -> bool {
    let extensions = [
        ".png", ".json", ".csv", ".txt", ".toml", ".rs", ".bpk", ".kpt", ".md", ".html",
    ];
    !span.contains(' ')
        && (span.contains('/') || extensions.iter().any(|e| span.ends_with(e)))
        && !span.contains("::")
}

fn check_path(span: &str, slug: &str, world: &World) -> Result<(), String> {
    let name = span
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(span);
    let exists =
        root().join(span).exists() || root().join("exercises").join(slug).join(span).exists();
    let is_file = name.contains('.');
    if exists || span.starts_with("runs/") && !is_file {
        return Ok(());
    }
    if world.written_by_a_program(name) {
        return Ok(());
    }
    Err(format!(
        "no such file, and no program of the course writes `{name}`"
    ))
}

/// Checks the identifiers of a span of code. A name standing on its own (a
/// function, variable, constant or field) must be in the learner's files; a
/// method called with `.name` or a path segment `a::b` may come from Kindling or
/// Burn, since a step may ask the learner to call something new.
fn check_code(span: &str, world: &World) -> Result<(), String> {
    let mut rest = span;
    let mut previous_word = "";
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| c.is_alphanumeric() || c == '_')
            .unwrap_or(rest.len());
        let before = &rest[..start];
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if word.is_empty() {
            break;
        }
        let defined_here = previous_word == "let" || previous_word == "mut";
        let checkable = !word.chars().next().is_some_and(|c| c.is_ascii_digit())
            && !RUST_WORDS.contains(&word)
            && !defined_here;
        let library = before.ends_with('.') || before.ends_with("::") || rest.starts_with("::");
        previous_word = word;
        if !checkable || world.learner_has(word) {
            continue;
        }
        if !library {
            return Err(format!("`{word}` is not in the learner's files"));
        }
        if !world.anywhere_has(word) {
            return Err(format!(
                "`{word}` is in none of the learner's files, Kindling or Burn"
            ));
        }
    }
    Ok(())
}

/// Code a step asks the learner to change ("change `OLD` to `NEW`") or to use
/// something in place of ("instead of `OLD`") must be in the learner's files as
/// written.
fn check_changes(step: &str, world: &World) -> Vec<String> {
    let mut problems = Vec::new();
    for marker in ["hange `", "instead of `", "in place of `"] {
        for (at, _) in step.match_indices(marker) {
            let old = step[at + marker.len()..]
                .split('`')
                .next()
                .unwrap_or_default();
            let squeeze = |text: &str| text.split_whitespace().collect::<String>();
            let found = world
                .learner
                .iter()
                .any(|(_, text)| squeeze(text).contains(&squeeze(old)));
            let placeholder = old.chars().all(|c| c.is_ascii_uppercase() || c == '_');
            if !found && !old.starts_with("--") && !placeholder {
                problems.push(format!(
                    "`{old}` is to be changed, but the learner's files do not hold it as written"
                ));
            }
        }
    }
    problems
}

#[test]
fn every_try_this_names_what_exists() {
    let workspace: Vec<(PathBuf, String)> = ["crates", "solutions", "exercises", "xtask"]
        .iter()
        .flat_map(|dir| sources(&root().join(dir)))
        .chain(sources(&root().join("book").join("appendix-training")))
        .collect();
    let burn = burn_sources();
    let programs = Programs {
        kindling: build_program("kindling-cli", "kindling"),
        xtask: build_program("xtask", "xtask"),
    };
    let mut problems = Vec::new();
    let mut checked = 0;
    for stage in STAGES.iter().filter(|s| s.written()) {
        let slug = stage.slug();
        let world = World::new(&slug, &workspace, &burn);
        for page in stage_pages(&slug) {
            let text = std::fs::read_to_string(&page).unwrap();
            // A flag alone belongs to a command of its step or of an earlier one.
            let mut accepted = BTreeSet::new();
            for (index, step) in try_this_steps(&text).iter().enumerate() {
                let spans = spans(step);
                for problem in check_changes(step, &world) {
                    problems.push(format!(
                        "{} Try this {}: {problem}",
                        page.display(),
                        index + 1
                    ));
                }
                for command in spans.iter().filter(|s| s.starts_with("cargo ")) {
                    checked += 1;
                    match check_command(command, &world, &programs) {
                        Ok(flags) => accepted.extend(flags),
                        Err(problem) => problems.push(format!(
                            "{} Try this {}: `{command}`: {problem}",
                            page.display(),
                            index + 1
                        )),
                    }
                }
                // PATH in `--dataset folder:PATH`, then "your folder in place of `PATH`".
                let placeholder = |span: &str| {
                    span.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                        && spans
                            .iter()
                            .any(|s| s.starts_with("cargo ") && has_word(s, span))
                };
                for span in spans.iter().filter(|s| !s.starts_with("cargo ")) {
                    checked += 1;
                    let outcome = if placeholder(span) {
                        Ok(())
                    } else if span.starts_with("--") {
                        let flag = span.split_whitespace().next().unwrap_or_default();
                        if accepted.contains(flag) {
                            Ok(())
                        } else {
                            Err("no command of this step or an earlier one takes this flag"
                                .to_string())
                        }
                    } else if is_path(span) {
                        check_path(span, &slug, &world)
                    } else {
                        check_code(span, &world)
                    };
                    if let Err(problem) = outcome {
                        problems.push(format!(
                            "{} Try this {}: `{span}`: {problem}",
                            page.display(),
                            index + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} names found: is the parsing broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_parsing_finds_steps_spans_and_flags() {
    let page = "## Try this\n\n1. **One.** Run `cargo run -p stage01 -- --seed 7`\n   and `x.y()`.\n2. Two `--out`.\n\n## Test your stage\n3. Not a step `z`.\n";
    let steps = try_this_steps(page);
    assert_eq!(steps.len(), 2);
    assert_eq!(
        spans(&steps[0]),
        ["cargo run -p stage01 -- --seed 7", "x.y()"]
    );
    assert!(has_word("let x_train = 1;", "x_train"));
    assert!(!has_word("let x_train2 = 1;", "x_train"));
    assert!(is_path("runs/stage05/history.json") && is_path("samples.png"));
    assert!(!is_path("kindling::burn::nn::PaddingConfig2d::Same"));
    assert_eq!(
        long_flags("  --lr <LR>  Learning rate\n  -h, --help  Print help"),
        BTreeSet::from(["--lr".to_string(), "--help".to_string()])
    );
    assert!(stage_flags().contains("--seed"));
}
