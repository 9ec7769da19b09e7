//! The experiments behind the book's appendices on hyperparameter tuning, k-fold
//! cross-validation and common pitfalls. Each module runs one small, seeded
//! experiment with Kindling's own tools and prints what it found; `cargo xtask
//! book` writes each printout into `output/`, which the pages include, and a
//! test keeps those files equal to what the code prints now.

pub mod kfold;
pub mod pitfalls;
pub mod points;
pub mod tuning;

use std::path::Path;

use anyhow::{Context, Result};

/// Every section of the appendices: the output file's name and its text.
pub fn sections() -> Result<Vec<(&'static str, String)>> {
    let mut sections = vec![
        ("grid_vs_random.txt", tuning::printout()?),
        ("kfold.txt", kfold::printout()?),
    ];
    sections.extend(pitfalls::printouts()?);
    Ok(sections)
}

/// Writes every section into `dir`.
pub fn write_sections(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in sections()? {
        let path = dir.join(name);
        kindling::data::atomic::write_bytes_atomically(&path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The folder the book includes the printouts from.
pub fn output_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("output")
}
