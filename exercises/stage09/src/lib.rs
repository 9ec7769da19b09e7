//! Stage 9, Inference: the training part trains the baseline CNN, saves it as a
//! run folder and writes the stage's reference images; the separate program
//! `src/bin/predict.rs` loads the saved model and predicts any image file.

pub mod predict;
pub mod train;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use kindling::data::ImageSet;
use kindling::inference::Predictor;
use kindling_course::facts::stage09::{CHARTS_DIR, REFERENCE_DIR, REFERENCE_PER_CLASS};
use kindling_course::{StageArgs, StageReport};

// ANCHOR: run
/// Trains and saves the model, writes the reference images, and predicts them
/// the way the predict program does (with a bar chart each, in `charts/`).
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(9)?;
    let mut report = StageReport::new(9, args);
    let (choice, device) = kindling::choose_device(None)?;

    // Step 1: train as in stage 5, then save the model: from here on it is a file.
    let trained = train::train_baseline(args, &device)?;
    train::save_run(&trained, args, &choice.to_string(), &out)?;

    // Step 2: the reference images, one PNG file per class from the validation pile.
    let references = write_references(&trained.validation, &out.join(REFERENCE_DIR))?;

    // Step 3: predict them as the predict program will: from the saved files.
    let predictor = Predictor::load(&out, &device)?;
    let predictions = predict::predict_files(&predictor, &references)?;
    let mut right = 0;
    for (prediction, path) in predictions.iter().zip(&references) {
        print!("{}", predict::describe(prediction));
        predict::draw_chart(prediction, &out.join(CHARTS_DIR))?;
        if label_of(path).is_some_and(|label| prediction.top[0].name == label) {
            right += 1;
        }
    }
    println!(
        "{right} of {} reference images have the right class first.",
        references.len()
    );
    let package = env!("CARGO_PKG_NAME");
    println!(
        "Now predict your own image: cargo run -p {package} --bin {package}-predict -- {} YOUR_IMAGE",
        out.display()
    );
    report.set("reference_predictions", &predictions);
    report.set("reference_right", right);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

/// Writes the first image of each class as `NN-CLASS.png` and returns the paths.
pub fn write_references(set: &ImageSet, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::new();
    for class in 0..set.num_classes() {
        let members = (0..set.len()).filter(|&i| set.label(i) == class);
        for index in members.take(REFERENCE_PER_CLASS) {
            let name = &set.class_names()[class];
            let path = dir.join(format!("{class:02}-{name}.png"));
            let image =
                image::RgbImage::from_raw(32, 32, set.image_rgb(index)).context("a 32x32 image")?;
            image
                .save(&path)
                .with_context(|| format!("writing {}", path.display()))?;
            paths.push(path);
        }
    }
    Ok(paths)
}

/// The class name in a reference image's file name (`03-cat.png` is `cat`).
pub fn label_of(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    Some(stem.split_once('-')?.1.to_string())
}
