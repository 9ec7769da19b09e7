//! The book's rules: every code block is included from a compiled file (never
//! pasted), every include and anchor resolves, each stage page lists its checks
//! and hints exactly as the checker prints them, and the book builds.

use std::path::{Path, PathBuf};

use course_tests::root;
use kindling_checker::STAGES;
use kindling_checker::stages::{COMMON_HINTS, COMMON_ITEMS};

fn book() -> PathBuf {
    root().join("book").join("src")
}

/// Every page listed in SUMMARY.md.
fn pages() -> Vec<PathBuf> {
    let summary = std::fs::read_to_string(book().join("SUMMARY.md")).unwrap();
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|page| book().join(page))
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of each fenced code block of a page.
fn code_blocks(text: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(Vec::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push(line);
        }
    }
    assert!(current.is_none(), "a code block is not closed");
    blocks
}

#[test]
fn every_page_in_the_summary_exists() {
    for page in pages() {
        assert!(
            page.is_file(),
            "{} is listed in SUMMARY.md but missing",
            page.display()
        );
    }
}

/// Every `{{#include ...}}` of a text, in order, without its braces.
fn includes(text: &str) -> Vec<&str> {
    text.split("{{#include ")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(str::trim)
        .collect()
}

/// The file and the anchor (if any) an include names, relative to the page.
fn include_target(target: &str) -> (&str, Option<&str>) {
    match target.rsplit_once(':') {
        Some((file, anchor)) if !anchor.chars().all(|c| c.is_ascii_digit()) => (file, Some(anchor)),
        _ => (target, None),
    }
}

/// Includes in prose too (the numbers a page quotes from a run,
/// `{{#include ../numbers/stage05.txt:name}}`): every file and anchor exists.
#[test]
fn every_include_resolves() {
    for page in pages().iter().filter(|p| p.is_file()) {
        let text = read(page);
        for target in includes(&text) {
            let (file, anchor) = include_target(target);
            let path = page.parent().unwrap().join(file);
            let included = read(&path);
            if let Some(anchor) = anchor {
                let start = format!("ANCHOR: {anchor}\n");
                let end = format!("ANCHOR_END: {anchor}\n");
                let lines: Vec<&str> = included.lines().collect();
                assert!(
                    lines
                        .iter()
                        .any(|l| l.trim_end().ends_with(start.trim_end()))
                        && lines.iter().any(|l| l.trim_end().ends_with(end.trim_end())),
                    "{}: anchor `{anchor}` is not in {}",
                    page.display(),
                    path.display()
                );
            }
        }
    }
}

/// A number quoted from a run comes from `book/numbers/`, whose files a test
/// compares with fresh runs; no other file there may be included.
#[test]
fn quoted_numbers_come_from_the_generated_files() {
    let numbers = root().join("book").join("numbers");
    for page in pages().iter().filter(|p| p.is_file()) {
        for target in includes(&read(page)) {
            let (file, _) = include_target(target);
            let path = page.parent().unwrap().join(file);
            if path.starts_with(&numbers) || file.contains("numbers/") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let stage: Option<u8> = name
                    .strip_prefix("stage")
                    .and_then(|rest| rest.strip_suffix(".txt"))
                    .and_then(|n| n.parse().ok());
                assert!(
                    name == "timings.txt"
                        || stage.is_some_and(|n| kindling_checker::quotes::quoter(n).is_some()),
                    "{}: {file} is not a generated numbers file",
                    page.display()
                );
            }
        }
    }
}

/// Each stage that quotes its run has its numbers file, and it reads back.
#[test]
fn every_quoting_stage_has_its_numbers_file() {
    for stage in STAGES.iter().filter(|s| s.written()) {
        if kindling_checker::quotes::quoter(stage.number).is_none() {
            continue;
        }
        let path = kindling_checker::quotes::numbers_file(&root(), stage.number);
        let text = read(&path);
        let quotes = kindling_checker::quotes::parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!quotes.is_empty(), "{} quotes nothing", path.display());
    }
}

#[test]
fn code_blocks_only_include_compiled_files_and_their_anchors_exist() {
    for page in pages().iter().filter(|p| p.is_file()) {
        let text = read(page);
        for block in code_blocks(&text) {
            let lines: Vec<&str> = block
                .iter()
                .copied()
                .filter(|l| !l.trim().is_empty())
                .collect();
            assert!(
                !lines.is_empty() && lines.iter().all(|l| l.trim().starts_with("{{#include ")),
                "{}: a code block holds pasted text instead of an {{{{#include}}}}: {block:?}",
                page.display()
            );
            for line in lines {
                let target = line
                    .trim()
                    .trim_start_matches("{{#include ")
                    .trim_end_matches("}}")
                    .trim();
                let (file, anchor) = match target.rsplit_once(':') {
                    Some((file, anchor)) if !anchor.chars().all(|c| c.is_ascii_digit()) => {
                        (file, Some(anchor))
                    }
                    _ => (target, None),
                };
                let path = page.parent().unwrap().join(file);
                let included = read(&path);
                if let Some(anchor) = anchor {
                    assert!(
                        included.contains(&format!("ANCHOR: {anchor}"))
                            && included.contains(&format!("ANCHOR_END: {anchor}")),
                        "{}: anchor `{anchor}` is not in {}",
                        page.display(),
                        path.display()
                    );
                }
            }
        }
    }
}

/// The lines of a page's section, up to the next `## ` heading.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|line| line.trim() != format!("## {heading}"))
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .collect()
}

#[test]
fn stage_pages_list_the_checks_and_hints_the_checker_prints() {
    for stage in STAGES.iter().filter(|s| s.written()) {
        let page = book().join(format!("{}.md", stage.slug()));
        let text = read(&page);
        let listed: Vec<String> = section(&text, "Test your stage")
            .iter()
            .filter_map(|line| {
                line.trim()
                    .strip_prefix("- ")
                    .map(|item| item.trim().to_string())
            })
            .collect();
        assert_eq!(
            listed,
            stage.checklist_titles(),
            "{}: Test your stage",
            page.display()
        );
        let rows: Vec<Vec<String>> = section(&text, "If it breaks")
            .iter()
            .filter(|line| line.trim_start().starts_with('|') && !line.contains("---"))
            .skip(1)
            .map(|line| {
                line.trim()
                    .trim_matches('|')
                    .split('|')
                    .map(|cell| cell.trim().to_string())
                    .collect()
            })
            .collect();
        let expected: Vec<Vec<String>> = stage
            .hints
            .iter()
            .chain(&COMMON_HINTS)
            .map(|hint| {
                vec![
                    hint.symptom.to_string(),
                    hint.cause.to_string(),
                    hint.fix.to_string(),
                ]
            })
            .collect();
        assert_eq!(rows, expected, "{}: If it breaks", page.display());
        for heading in [
            "Build / Learn / Ship",
            "The big idea",
            "Where you are",
            "New words",
            "Build it",
            "Predict first",
            "Understand it",
            "Try this",
            "Test your stage",
            "If it breaks",
            "Coach notes",
        ] {
            assert!(
                text.contains(&format!("## {heading}")),
                "{}: no `## {heading}`",
                page.display()
            );
        }
    }
    assert_eq!(COMMON_ITEMS.len(), 3);
}

/// Builds the book with mdbook when it is installed (CI installs it; `cargo xtask
/// book` installs it too). Without it, the checks above still cover includes,
/// anchors and pages, which is what a build would fail on.
#[test]
fn the_book_builds() {
    let Ok(version) = std::process::Command::new("mdbook")
        .arg("--version")
        .output()
    else {
        eprintln!("mdbook is not installed: skipping the build itself (run `cargo xtask book`)");
        return;
    };
    assert!(version.status.success());
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mdbook")
        .arg("build")
        .arg(root().join("book"))
        .arg("--dest-dir")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "mdbook build failed");
    assert!(out.path().join("stage05.html").is_file());
}

#[test]
fn exercises_are_in_sync_with_the_solutions() {
    for stage in STAGES.iter().filter(|s| s.written()) {
        let slug = stage.slug();
        let stale = kindling_checker::sync::out_of_sync(
            &root().join("solutions").join(&slug),
            &root().join("exercises").join(&slug),
            &slug,
        )
        .unwrap();
        assert!(
            stale.is_empty(),
            "exercises/{slug} is out of sync ({stale:?}): run `cargo xtask sync-exercises`"
        );
    }
}
