//! What the model gets wrong: the confusion matrix counted by hand, the pairs it
//! confuses most, accuracy per class, and its most confident mistakes.

use std::path::Path;

use anyhow::Result;
use kindling::data::ImageSet;
use kindling::metrics::{ClassificationInterpretation, Confusion, TopLoss};
// You will need: use kindling::charts::mistakes_grid;
// use kindling_course::facts::stage07::{MISTAKES_COLUMNS, MISTAKES_SHOWN};
// and use std::cmp::Reverse;

// ANCHOR: count
/// The confusion matrix: `counts[actual][predicted]` images.
pub fn count_confusions(y_true: &[usize], y_pred: &[usize], classes: usize) -> Vec<Vec<usize>> {
    // TODO: start from let mut counts = vec![vec![0; classes]; classes];
    // then, for each image, add one to counts[actual][predicted]: walk
    // y_true and y_pred side by side with y_true.iter().zip(y_pred).
    let _ = (y_true, y_pred);
    vec![vec![0; classes]; classes]
}
// ANCHOR_END: count

// ANCHOR: pairs
/// The `n` most frequent mistakes (actual, predicted, count), largest first;
/// equal counts in the order of the actual, then the predicted class.
pub fn most_confused(counts: &[Vec<usize>], n: usize) -> Vec<Confusion> {
    // TODO: push a Confusion { true_class, predicted_class, count } into a
    // Vec for every cell off the diagonal (actual != predicted) with a count
    // above 0, sort them from the largest count to the smallest
    // (mistakes.sort_by_key(|pair| Reverse(pair.count))) and keep the first n.
    let _ = (counts, n);
    Vec::new()
}
// ANCHOR_END: pairs

// ANCHOR: per_class
/// Of each class's images, the share predicted right (0 for a class with none).
pub fn per_class_accuracy(counts: &[Vec<usize>]) -> Vec<f64> {
    // TODO: for each class (row), its diagonal count counts[class][class]
    // divided by the row's sum; 0.0 when the row is empty.
    vec![0.0; counts.len()]
}
// ANCHOR_END: per_class

// ANCHOR: grid
/// Draws the most confident mistakes among `images` into `path` and returns them.
pub fn draw_mistakes(
    interpretation: &ClassificationInterpretation,
    images: &ImageSet,
    class_names: &[String],
    path: &Path,
) -> Result<Vec<TopLoss>> {
    // TODO: take the MISTAKES_SHOWN most confident mistakes with
    // interpretation.most_confident_mistakes(..), draw them with
    // mistakes_grid(images, &mistakes, class_names, MISTAKES_COLUMNS, path)
    // and return them.
    let _ = (interpretation, images, class_names, path);
    Ok(Vec::new())
}
// ANCHOR_END: grid
