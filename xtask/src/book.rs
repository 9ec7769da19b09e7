//! `cargo xtask book [--serve | --generate]`: build (or serve) the course book with
//! mdbook, after generating what it includes: its pictures, drawn by running each
//! stage's reference solution in the check profile; the numbers it quotes from
//! those runs (`book/numbers/stageNN.txt`, see `kindling_checker::quotes`); and the
//! appendices' printouts. `--generate` stops there, without mdbook.

use std::process::Command;

use anyhow::{Context, Result, bail};

use kindling::data::atomic::write_bytes_atomically;
use kindling_checker::STAGES;
use kindling_checker::quotes::{numbers_file_for, quoter, quotes_of_run, render};
use kindling_checker::snapshot::BOOK_NUMERICS;

use crate::repo;

/// The mdbook release the book is written for.
pub const MDBOOK_VERSION: &str = "0.5.4";

/// What `cargo xtask book` does after generating the book's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Build the book into `book/book`.
    Build,
    /// Serve it with live reload.
    Serve,
    /// Only generate the pictures, numbers and printouts.
    Generate,
}

/// Generates the book's files, then builds or serves it.
pub fn run(mode: Mode, only: &[String]) -> Result<()> {
    let mut stages = Vec::new();
    for name in only {
        stages.push(kindling_checker::parse_stage(name)?.number);
    }
    if mode != Mode::Generate {
        ensure_mdbook()?;
    }
    run_stages(&stages)?;
    draw_diagrams()?;
    if stages.is_empty() {
        write_appendix_outputs()?;
    }
    if mode == Mode::Generate {
        println!("The book's pictures, numbers and printouts are up to date.");
        return Ok(());
    }
    let serve = mode == Mode::Serve;
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
/// `book/src/generated/stageNN/`, so the book's pictures come from the code, and
/// writes the numbers the pages quote from each run into `book/numbers/`.
/// `only` limits them to these stage numbers when it is not empty.
fn run_stages(only: &[u8]) -> Result<()> {
    let root = repo::root();
    let chosen = |number: u8| only.is_empty() || only.contains(&number);
    // The book's pictures and numbers come from one machine's runs; another CPU
    // gives other numbers (kindling::train::numerics), which only the tests keep.
    let numerics = kindling::train::numerics();
    let book_machine = numerics == BOOK_NUMERICS;
    let elsewhere = tempfile::Builder::new()
        .prefix("kindling-book-runs-")
        .tempdir()?;
    if !book_machine {
        println!(
            "This computer computes with {numerics} numerics, the book's pages with {BOOK_NUMERICS}: the book's pictures and numbers stay as they are, and this computer's numbers go to {} for the tests.",
            kindling_checker::quotes::numerics_dir(&root, &numerics).display()
        );
    }
    for stage in STAGES.iter().filter(|s| s.written() && chosen(s.number)) {
        let generated = root.join("book").join("src").join("generated");
        let out = if book_machine {
            generated
        } else {
            elsewhere.path().to_path_buf()
        }
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
        if quoter(stage.number).is_some() {
            let quotes = quotes_of_run(stage.number, &out).map_err(|problem| {
                anyhow::anyhow!(
                    "the {} check run lacks a number its pages quote: {problem}",
                    stage.slug()
                )
            })?;
            let path = numbers_file_for(&root, stage.number, &numerics);
            std::fs::create_dir_all(path.parent().expect("a numbers folder"))?;
            write_bytes_atomically(&path, render(stage.number, &quotes).as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

/// The k of the k-fold appendix's example (`appendix-training`'s `kfold::K`), which
/// its diagram draws.
const KFOLD_APPENDIX_FOLDS: usize = 5;

/// The teaching diagrams, into `book/src/generated/diagrams/`: drawn by
/// kindling-charts from the stages' check runs where a run knows the numbers (the
/// piles from stage 3's, the network's shapes from stage 4's), and from the course
/// facts otherwise. A diagram whose stage was not run is left as it is.
fn draw_diagrams() -> Result<()> {
    use kindling::charts::{
        GridImage, image_grid, kfold_diagram, layer_shapes_diagram, split_diagram,
        training_loop_diagram,
    };
    let generated = repo::root().join("book").join("src").join("generated");
    let out = generated.join("diagrams");
    std::fs::create_dir_all(&out)?;
    training_loop_diagram(out.join("training_loop.png"))?;
    kfold_diagram(KFOLD_APPENDIX_FOLDS, out.join("kfold.png"))?;
    let report = |stage: &str| kindling_checker::StageReport::read(&generated.join(stage)).ok();
    let sizes = |report: &kindling_checker::StageReport, key: &str| {
        report
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .map(|n| n as usize)
    };
    if let Some(piles) = report("stage03")
        && let (Some(train), Some(validation), Some(test)) = (
            sizes(&piles, "train_size"),
            sizes(&piles, "validation_size"),
            sizes(&piles, "test_size"),
        )
    {
        split_diagram(train, validation, test, out.join("split.png"))?;
    }
    if let Some(model) = report("stage04") {
        let shape = |value: &serde_json::Value| -> Vec<usize> {
            value
                .as_array()
                .map(|dims| {
                    dims.iter()
                        .filter_map(|d| d.as_u64())
                        .map(|d| d as usize)
                        .collect()
                })
                .unwrap_or_default()
        };
        let input = model
            .get("forward_input_shape")
            .map(shape)
            .unwrap_or_default();
        let mut layers = vec![("input".to_string(), input.into_iter().skip(1).collect())];
        if let (Some(names), Some(shapes)) = (
            model.get("layer_names").and_then(|v| v.as_array()),
            model.get("layer_output_shapes").and_then(|v| v.as_array()),
        ) {
            for (name, dims) in names.iter().zip(shapes) {
                layers.push((name.as_str().unwrap_or_default().to_string(), shape(dims)));
            }
            layer_shapes_diagram(&layers, out.join("cnn_shapes.png"))?;
        }
    }
    // One training image and eight augmented copies of it, as eight epochs of
    // stage 8's augmentation would show it to the network.
    let sizes = kindling::data::SplitSizes {
        train: Some(10),
        validation: Some(0),
        test: Some(0),
    };
    let splits = kindling::data::load_splits(
        &kindling::data::DataSource::Builtin,
        sizes,
        kindling_course::facts::DEFAULT_SEED,
    )?;
    let images = &splits.train;
    let index = 0;
    let name = &images.class_names()[images.label(index)];
    let augmentation = kindling::data::Augmentation::flip_and_crop();
    let mut cells = vec![GridImage::new(
        images.image_rgb(index),
        32,
        32,
        format!("{name}: original"),
    )];
    for epoch in 1..=7 {
        let mut planes = images.image(index).to_vec();
        augmentation.apply(
            &mut planes,
            kindling_course::facts::DEFAULT_SEED,
            epoch,
            index,
        );
        cells.push(GridImage::new(
            kindling::data::image_set::planes_to_rgb(&planes),
            32,
            32,
            format!("epoch {epoch}"),
        ));
    }
    image_grid(&cells, 4, out.join("augmented.png"))?;
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
