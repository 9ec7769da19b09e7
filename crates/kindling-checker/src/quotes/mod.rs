//! The numbers the book quotes from a stage's check run, each with a name.
//!
//! A page never types a number a run produced. It includes it by name from
//! `book/numbers/stageNN.txt`, a file that `cargo xtask book` writes from the
//! stage's check run (seed 42) with [`render`]; the course tests run the same
//! solution, compute the quotes again with the same function, and fail when the
//! committed file differs. So an edit that changes a run either changes the page
//! or fails the tests.
//!
//! In a page: `{{#include ../numbers/stage05.txt:cnn_last_val_accuracy}}`; mdBook
//! puts the number in the sentence.

mod run;
mod stage01;
mod stage02;
mod stage03;
mod stage04;
mod stage05;
mod stage06;

use std::path::{Path, PathBuf};

pub use crate::claims::RunFiles;
pub use run::at;

/// One quoted number (or short phrase), as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The anchor the page includes, such as `cnn_last_val_accuracy`.
    pub name: String,
    /// The text that appears in the page, such as `0.435`.
    pub text: String,
}

impl Quote {
    /// A quote from anything that prints.
    pub fn new(name: &str, text: impl ToString) -> Self {
        Quote {
            name: name.to_string(),
            text: text.to_string(),
        }
    }
}

/// Computes a stage's quotes from its finished check run.
pub type Quoter = fn(&RunFiles) -> Result<Vec<Quote>, String>;

/// The quoter of a stage, if its pages quote its run.
pub fn quoter(stage: u8) -> Option<Quoter> {
    match stage {
        1 => Some(stage01::quotes),
        2 => Some(stage02::quotes),
        3 => Some(stage03::quotes),
        4 => Some(stage04::quotes),
        5 => Some(stage05::quotes),
        6 => Some(stage06::quotes),
        _ => None,
    }
}

/// The quotes of stage `stage` from its run folder `dir`.
pub fn quotes_of_run(stage: u8, dir: &Path) -> Result<Vec<Quote>, String> {
    let quoter = quoter(stage).ok_or_else(|| format!("stage {stage} quotes no run numbers"))?;
    let run = RunFiles::load(dir)?;
    let quotes = quoter(&run)?;
    check_names(&quotes)?;
    Ok(quotes)
}

/// `book/numbers/stageNN.txt` under the repository `root`: the numbers the pages
/// quote, from a run on the book's machine.
pub fn numbers_file(root: &Path, stage: u8) -> PathBuf {
    root.join("book")
        .join("numbers")
        .join(format!("stage{stage:02}.txt"))
}

/// The numbers of stage `stage`'s check run as a computer with `numerics` gives
/// them: the book's own file on the book's machine, else
/// `tests/numerics/<numerics>/stageNN.txt`, which only the tests compare with (a
/// run's numbers differ from machine to machine; see `kindling::train::numerics`).
pub fn numbers_file_for(root: &Path, stage: u8, numerics: &str) -> PathBuf {
    if numerics == crate::snapshot::BOOK_NUMERICS {
        numbers_file(root, stage)
    } else {
        numerics_dir(root, numerics).join(format!("stage{stage:02}.txt"))
    }
}

/// `tests/numerics/<numerics>/`: what the check runs give on computers that
/// compute otherwise than the book's machine (their numbers, and the solutions'
/// reads of them), for the tests to compare with there.
pub fn numerics_dir(root: &Path, numerics: &str) -> PathBuf {
    root.join("tests").join("numerics").join(numerics)
}

const HEADER: &str = "# Numbers the book quotes from this stage's check run, one anchor each.
# Written by `cargo xtask book --generate` from the run; the course tests run the
# stage again and compare. Do not edit by hand.";

/// The file's text: a header, then each quote between its anchor lines.
pub fn render(stage: u8, quotes: &[Quote]) -> String {
    let mut text = format!(
        "{HEADER}\n# Stage {stage}, check profile, seed 42, {} numerics.\n",
        kindling::train::numerics()
    );
    for quote in quotes {
        text.push_str(&format!(
            "ANCHOR: {name}\n{text}\nANCHOR_END: {name}\n",
            name = quote.name,
            text = quote.text
        ));
    }
    text
}

/// Reads back a file written by [`render`].
pub fn parse(text: &str) -> Result<Vec<Quote>, String> {
    let mut quotes = Vec::new();
    let mut lines = text.lines().filter(|line| !line.starts_with('#'));
    while let Some(line) = lines.next() {
        let name = line
            .strip_prefix("ANCHOR: ")
            .ok_or_else(|| format!("expected `ANCHOR: name`, found `{line}`"))?;
        let value = lines
            .next()
            .ok_or_else(|| format!("`{name}` has no value"))?;
        let end = lines.next().unwrap_or_default();
        if end != format!("ANCHOR_END: {name}") {
            return Err(format!(
                "`{name}` is not closed by `ANCHOR_END: {name}` (found `{end}`)"
            ));
        }
        quotes.push(Quote::new(name, value));
    }
    Ok(quotes)
}

/// Names must be unique and usable as mdBook anchors; texts one line.
fn check_names(quotes: &[Quote]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for quote in quotes {
        let usable = !quote.name.is_empty()
            && quote
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !usable || !seen.insert(quote.name.as_str()) {
            return Err(format!(
                "quote name `{}` is repeated or not [a-z0-9_]",
                quote.name
            ));
        }
        if quote.text.contains('\n') || quote.text.trim().is_empty() {
            return Err(format!("quote `{}` must be one non-empty line", quote.name));
        }
    }
    Ok(())
}

/// A number with `decimals` decimals: `fixed(0.43499, 3)` is `0.435`.
pub fn fixed(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

/// A whole number with thousands separators, as the book writes them: `122,570`.
pub fn thousands(value: impl Into<u64>) -> String {
    let digits = value.into().to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A number rounded to a whole number, with thousands separators: `1,047`.
pub fn rounded(value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    format!("{sign}{}", thousands(value.abs().round() as u64))
}

/// A share as a percentage with `decimals` decimals: `percent(0.566, 1)` is `56.6%`.
pub fn percent(share: f64, decimals: usize) -> String {
    format!("{:.decimals$}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_file_reads_back() {
        let quotes = vec![Quote::new("a_b", "0.435"), Quote::new("c", "1,047.5")];
        let text = render(5, &quotes);
        assert_eq!(parse(&text).unwrap(), quotes);
        assert!(parse("ANCHOR: a\n1\nANCHOR_END: b\n").is_err());
        assert!(parse("stray\n").is_err());
    }

    #[test]
    fn names_are_anchors_and_texts_one_line() {
        assert!(check_names(&[Quote::new("ok_1", "x")]).is_ok());
        assert!(check_names(&[Quote::new("a-b", "x")]).is_err());
        assert!(check_names(&[Quote::new("a", "x"), Quote::new("a", "y")]).is_err());
        assert!(check_names(&[Quote::new("a", "x\ny")]).is_err());
        assert!(check_names(&[Quote::new("a", " ")]).is_err());
    }

    #[test]
    fn numbers_are_written_as_the_book_writes_them() {
        assert_eq!(fixed(0.43499, 3), "0.435");
        assert_eq!(thousands(122_570u32), "122,570");
        assert_eq!(thousands(999u32), "999");
        assert_eq!(thousands(1_000_000u32), "1,000,000");
        assert_eq!(rounded(1047.5), "1,048");
        assert_eq!(rounded(-3.4), "-3");
        assert_eq!(percent(0.566, 1), "56.6%");
    }
}
