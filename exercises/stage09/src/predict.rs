//! Predicting image files with a saved model: read each file, prepare it exactly
//! as the training images were prepared, and keep the most probable classes.

use std::path::{Path, PathBuf};

use anyhow::Result;
use kindling::inference::{ClassProbability, ImagePrediction, Predictor, prediction_chart};
use kindling::models::Classifier;
use kindling_course::facts::stage09::TOP;

// ANCHOR: top
/// The `k` most probable classes, most probable first (the lower class number
/// first when two are equal).
pub fn top_k(probabilities: &[f64], class_names: &[String], k: usize) -> Vec<ClassProbability> {
    // TODO: sort the class numbers 0..probabilities.len() by their probability,
    // largest first (sort_by with probabilities[b].total_cmp(&probabilities[a])),
    // keep the first k and turn each into a ClassProbability.
    (0..k.min(probabilities.len()))
        .map(|class| ClassProbability {
            class,
            name: class_names[class].clone(),
            probability: probabilities[class],
        })
        .collect()
}
// ANCHOR_END: top

// ANCHOR: predict
/// Predicts every file with one model, and keeps each one's top three guesses.
/// A file that is not an image stops everything with an error naming it.
pub fn predict_files<M: Classifier<4>>(
    predictor: &Predictor<M>,
    paths: &[PathBuf],
) -> Result<Vec<ImagePrediction>> {
    // The predictor reads each file with the same code that loads training
    // photos, and normalises it with the run's own statistics.
    // TODO: a file that is not an image must end the program with a clear
    // error, not a crash: replace .expect(..) with the ? operator.
    let mut predictions = predictor
        .predict_files(paths, TOP)
        .expect("every file is an image");
    for prediction in &mut predictions {
        prediction.top = top_k(&prediction.probabilities, predictor.class_names(), TOP);
    }
    Ok(predictions)
}
// ANCHOR_END: predict

// ANCHOR: show
/// The guesses of one image as text: the file, then one line per guess.
pub fn describe(prediction: &ImagePrediction) -> String {
    let mut text = format!("{}\n", prediction.image.display());
    for (rank, guess) in prediction.top.iter().enumerate() {
        text.push_str(&format!(
            "  {}. {:<12} {:5.1}%\n",
            rank + 1,
            guess.name,
            100.0 * guess.probability
        ));
    }
    text
}

/// Draws the bar chart of one image's guesses into `dir`, named after the image.
pub fn draw_chart(prediction: &ImagePrediction, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stem = prediction
        .image
        .file_stem()
        .map_or("image".into(), |s| s.to_string_lossy().into_owned());
    let path = dir.join(format!("{stem}.png"));
    prediction_chart(prediction, &path)?;
    Ok(path)
}
// ANCHOR_END: show
