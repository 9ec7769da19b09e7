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

/// The pages of a stage, in SUMMARY.md's order: `stage05.md`, then its parts
/// (`stage05a.md`, `stage05b.md`, ...).
fn stage_pages(slug: &str) -> Vec<PathBuf> {
    pages()
        .into_iter()
        .filter(|page| {
            let name = page.file_name().unwrap().to_string_lossy().to_string();
            name.strip_prefix(slug).is_some_and(|rest| {
                rest == ".md"
                    || rest.len() == 4
                        && rest.ends_with(".md")
                        && rest.as_bytes()[0].is_ascii_lowercase()
            })
        })
        .collect()
}

/// A stage's sections, in the order every stage has them (the brief's order, with
/// "Run it" after "Predict first" and a "Recap" before the coach notes).
const SECTIONS: [&str; 13] = [
    "Build / Learn / Ship",
    "The big idea",
    "Where you are",
    "New words",
    "Build it",
    "Predict first",
    "Run it",
    "Understand it",
    "Try this",
    "Test your stage",
    "If it breaks",
    "Recap",
    "Coach notes",
];

/// Sections a page may add between the standard ones.
const EXTRA_SECTIONS: [&str; 2] = ["How this stage works", "Your read"];

/// The `## ` headings of a text, in order.
fn headings(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(str::trim)
        .collect()
}

#[test]
fn stage_pages_list_the_checks_and_hints_the_checker_prints() {
    for stage in STAGES.iter().filter(|s| s.written()) {
        let pages = stage_pages(&stage.slug());
        assert!(!pages.is_empty(), "{} has no page", stage.slug());
        let with_tests: Vec<&PathBuf> = pages
            .iter()
            .filter(|page| read(page).contains("\n## Test your stage\n"))
            .collect();
        assert_eq!(
            with_tests.len(),
            1,
            "{}: exactly one page lists the checks",
            stage.slug()
        );
        let page = with_tests[0];
        let text = read(page);
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
    }
    assert_eq!(COMMON_ITEMS.len(), 3);
}

/// Every stage has every section, each page has them in the standard order, and a
/// page that runs something asks for a prediction first.
#[test]
fn stage_pages_have_their_sections_in_order_and_predict_before_running() {
    for stage in STAGES.iter().filter(|s| s.written()) {
        let pages = stage_pages(&stage.slug());
        let required = SECTIONS;
        let all: Vec<String> = pages
            .iter()
            .flat_map(|page| {
                headings(&read(page))
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        for heading in &required {
            assert!(
                all.iter().any(|h| h == heading),
                "{}: no `## {heading}` on any of its pages",
                stage.slug()
            );
        }
        for page in &pages {
            let text = read(page);
            let found = headings(&text);
            let mut last = 0;
            for heading in &found {
                if EXTRA_SECTIONS.contains(heading) {
                    continue;
                }
                let position = SECTIONS
                    .iter()
                    .position(|s| s == heading)
                    .unwrap_or_else(|| {
                        panic!("{}: `## {heading}` is not a stage section", page.display())
                    });
                assert!(
                    position >= last,
                    "{}: `## {heading}` comes after `## {}`",
                    page.display(),
                    SECTIONS[last]
                );
                last = position;
            }
            if found.contains(&"Run it") {
                assert!(
                    found.contains(&"Predict first"),
                    "{}: it runs something but asks for no prediction first",
                    page.display()
                );
            }
        }
    }
}

/// No stage page is longer than about 3,500 words (the prose; included code and
/// numbers are not counted).
#[test]
fn no_stage_page_is_longer_than_3500_words() {
    for stage in STAGES.iter().filter(|s| s.written()) {
        for page in stage_pages(&stage.slug()) {
            let text = read(&page);
            let words = text
                .split_whitespace()
                .filter(|w| !w.starts_with("{{#include"))
                .count();
            assert!(
                words <= 3_600,
                "{} has {words} words: split it or tighten it",
                page.display()
            );
        }
    }
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
