//! The examples behind the book's appendix on metrics. Each module builds one
//! small, hand-checkable case and prints its numbers with `kindling-metrics`;
//! `cargo xtask book` writes each printout into `output/`, which the page
//! includes, and a test keeps those files equal to what the code prints now.

pub mod imbalance;
pub mod regression;
pub mod thresholds;

use std::path::Path;

use anyhow::{Context, Result};

/// Every section of the appendix: the output file's name and its text.
pub fn sections() -> Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("imbalance.txt", imbalance::printout()?),
        ("thresholds.txt", thresholds::printout()?),
        ("regression.txt", regression::printout()?),
    ])
}

/// Writes every section into `dir`.
pub fn write_sections(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in sections()? {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The folder the book includes the printouts from.
pub fn output_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("output")
}
