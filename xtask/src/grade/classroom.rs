//! `cargo xtask classroom stageN`: the GitHub Classroom autograding workflow for a
//! stage, printed for `.github/workflows/classroom.yml` in the assignment's
//! template repository. GitHub runs it on every push to a learner's repository:
//! one `cargo xtask check` of their exercise (the learner's own check, seed 42),
//! then one step of Classroom's command grader per checklist item, each worth its
//! rubric points and passing when `check.json` says the item passed, and
//! Classroom's reporter, which adds the points up.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use kindling_checker::parse_stage;
use kindling_checker::stages::COMMON_ITEMS;

use super::rubric::{self, Rubric};

#[derive(Debug, Clone, Args)]
pub struct ClassroomArgs {
    /// The stage the assignment is (stage5, stage05 or 5).
    stage: String,
    /// A TOML rubric: points per item (hand-graded items are left to you).
    #[arg(long)]
    rubric: Option<PathBuf>,
}

/// Prints the workflow.
pub fn command(args: &ClassroomArgs) -> Result<bool> {
    print!("{}", workflow(args)?);
    Ok(true)
}

/// A YAML string, double-quoted.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The workflow's text.
pub fn workflow(args: &ClassroomArgs) -> Result<String> {
    let stage = parse_stage(&args.stage)?;
    if !stage.written() {
        bail!(
            "stage {} is not written yet. Fix: choose a stage that is",
            stage.number
        );
    }
    let rubric = match &args.rubric {
        Some(path) => Rubric::load(path, stage)?,
        None => Rubric::plain(),
    };
    let slug = stage.slug();
    let mut text = format!(
        "# GitHub Classroom autograding for stage {number} ({name}), made by
# `cargo xtask classroom {slug}`. Put it in the template repository as
# .github/workflows/classroom.yml. It grades the learner's own check (seed 42):
# for grades with a hidden seed, use `cargo xtask grade` or Gradescope.
name: Autograding Tests
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 60
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Install Rust
        uses: dtolnay/rust-toolchain@stable
      - name: Cache the build
        uses: Swatinem/rust-cache@v2
      - name: Check stage {number}
        # The items are graded from check.json below; a failed check is not an error here.
        run: cargo xtask check {slug} --json check.json || true
",
        number = stage.number,
        name = stage.name,
    );
    let mut runners = Vec::new();
    for id in rubric::item_ids(stage) {
        let title = COMMON_ITEMS
            .iter()
            .chain(stage.items)
            .find(|(item, _)| *item == id)
            .map_or(id, |(_, title)| *title);
        let runner = id.replace('.', "-");
        let command =
            format!("jq -e '.items[] | select(.id == \"{id}\") | .status == \"pass\"' check.json");
        text.push_str(&format!(
            "      - name: {name}
        id: {runner}
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: {name}
          command: {command}
          timeout: 1
          max-score: {points}
",
            name = quoted(title),
            command = quoted(&command),
            points = rubric.points(id),
        ));
        runners.push(runner);
    }
    text.push_str(
        "      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
",
    );
    for runner in &runners {
        text.push_str(&format!(
            "          {}_RESULTS: \"${{{{steps.{runner}.outputs.result}}}}\"\n",
            runner.to_uppercase()
        ));
    }
    text.push_str(&format!(
        "        with:\n          runners: {}\n",
        runners.join(",")
    ));
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_stage_5_workflow_is_what_the_command_prints() {
        let args = ClassroomArgs {
            stage: "stage5".into(),
            rubric: Some(crate::repo::root().join("xtask/tests/rubric-example.toml")),
        };
        let text = workflow(&args).unwrap();
        let committed = crate::repo::root().join("xtask/platforms/classroom/stage05.yml");
        assert_eq!(
            std::fs::read_to_string(&committed).unwrap_or_default(),
            text,
            "{} is out of date: run `cargo xtask classroom stage5 --rubric xtask/tests/rubric-example.toml > {}`",
            committed.display(),
            committed.display()
        );
        let stage = parse_stage("stage5").unwrap();
        for id in rubric::item_ids(stage) {
            let runner = id.replace('.', "-");
            assert!(text.contains(&format!("        id: {runner}\n")), "{id}");
            assert!(
                text.contains(&format!("steps.{runner}.outputs.result")),
                "{id}"
            );
        }
        assert!(
            text.contains("max-score: 3\n"),
            "s5.history is worth 3 in the rubric"
        );
    }
}
