//! `cargo xtask book [--serve]`: build (or serve) the course book with mdbook,
//! after drawing its pictures by running each stage's reference solution and
//! printing the metrics appendix's examples.

use std::process::Command;

use anyhow::{Context, Result, bail};

use kindling_checker::STAGES;

use crate::repo;

/// The mdbook release the book is written for.
pub const MDBOOK_VERSION: &str = "0.5.4";

/// Builds the book into `book/book`, or serves it with live reload.
pub fn run(serve: bool) -> Result<()> {
    ensure_mdbook()?;
    draw_pictures()?;
    write_appendix_outputs()?;
    let book = repo::root().join("book");
    let mut command = Command::new("mdbook");
    if serve {
        command.args(["serve", "--open"]);
    } else {
        command.arg("build");
    }
    let status = command.arg(&book).status().context("running mdbook")?;
    if !status.success() {
        bail!("mdbook failed (see above)");
    }
    if !serve {
        println!(
            "The book is in {}",
            book.join("book").join("index.html").display()
        );
    }
    Ok(())
}

/// Installs mdbook with `cargo install --locked` unless the right one is there.
fn ensure_mdbook() -> Result<()> {
    let installed = Command::new("mdbook")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains(MDBOOK_VERSION))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    println!("Installing mdbook {MDBOOK_VERSION} (once; a few minutes) ...");
    let status = repo::cargo()
        .args(["install", "--locked", "mdbook", "--version", MDBOOK_VERSION])
        .status()
        .context("running cargo install")?;
    if !status.success() {
        bail!(
            "could not install mdbook. Fix: run `cargo install --locked mdbook --version {MDBOOK_VERSION}` and read its error"
        );
    }
    Ok(())
}

/// Runs every written stage's solution in the check profile into
/// `book/src/generated/stageNN/`, so the book's pictures come from the code.
fn draw_pictures() -> Result<()> {
    let root = repo::root();
    for stage in STAGES.iter().filter(|s| s.written()) {
        let out = root
            .join("book")
            .join("src")
            .join("generated")
            .join(stage.slug());
        if out.exists() {
            std::fs::remove_dir_all(&out)?;
        }
        let status = repo::cargo()
            .args([
                "run",
                "--quiet",
                "-p",
                &format!("{}-solution", stage.slug()),
                "--",
            ])
            .args(["--profile", "check", "--out"])
            .arg(&out)
            .current_dir(&root)
            .stdout(std::process::Stdio::null())
            .status()
            .context("running a stage solution")?;
        if !status.success() {
            bail!(
                "the {} solution failed while drawing the book's pictures",
                stage.slug()
            );
        }
    }
    Ok(())
}

/// Runs the appendices' experiments, which write the printouts the pages include.
fn write_appendix_outputs() -> Result<()> {
    for package in ["appendix-metrics", "appendix-training"] {
        let status = repo::cargo()
            .args(["run", "--quiet", "-p", package, "--", "--write"])
            .current_dir(repo::root())
            .status()
            .context("running an appendix's experiments")?;
        if !status.success() {
            bail!("{package} failed while writing the appendices' printouts");
        }
    }
    Ok(())
}
