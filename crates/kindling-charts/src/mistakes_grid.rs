//! `mistakes_grid`: the images a model got wrong while most sure of itself.

use std::path::Path;

use kindling_data::{IMAGE_SIDE, ImageSet};
use kindling_metrics::TopLoss;

use crate::color::Rgb;
use crate::error::ChartError;
use crate::image_grid::{GridImage, titled_image_grid};
use crate::output::Target;

/// The title of the mistakes grid: how to read its captions.
pub const MISTAKES_TITLE: &str = "Most confident mistakes: predicted / actual / probability";

/// The caption under a mistake: predicted class, actual class, and the probability
/// the model gave its prediction, one per line ("predicted / actual / probability").
pub fn mistake_caption<S: AsRef<str>>(mistake: &TopLoss, class_names: &[S]) -> String {
    let name = |class: usize| {
        class_names
            .get(class)
            .map_or_else(|| class.to_string(), |name| name.as_ref().to_string())
    };
    format!(
        "{}\n/ {}\n/ {:.2}",
        name(mistake.predicted),
        name(mistake.actual),
        mistake.probability
    )
}

/// Draws the images of `set` that `mistakes` point at (such as
/// `ClassificationInterpretation::most_confident_mistakes`), in the order given, each
/// outlined in red and captioned "predicted / actual / probability" under a title
/// that says so.
///
/// ```no_run
/// # fn demo(set: &kindling_data::ImageSet, mistakes: &[kindling_metrics::TopLoss]) -> Result<(), kindling_charts::ChartError> {
/// kindling_charts::mistakes_grid(set, mistakes, set.class_names(), 8, "mistakes.png")?;
/// # Ok(()) }
/// ```
pub fn mistakes_grid<S: AsRef<str>>(
    set: &ImageSet,
    mistakes: &[TopLoss],
    class_names: &[S],
    columns: usize,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    if mistakes.is_empty() {
        return Err(target.empty(
            "there are no mistakes to show",
            "check that the model made mistakes on this data before drawing them",
        ));
    }
    if let Some(outside) = mistakes.iter().find(|m| m.index >= set.len()) {
        return Err(target.invalid(
            format!(
                "mistake of image {} but the set holds {} images",
                outside.index,
                set.len()
            ),
            "pass the same image set the predictions were made on",
        ));
    }
    let images: Vec<GridImage> = mistakes
        .iter()
        .map(|mistake| {
            GridImage::new(
                set.image_rgb(mistake.index),
                IMAGE_SIDE,
                IMAGE_SIDE,
                mistake_caption(mistake, class_names),
            )
            .with_highlight(Rgb::RED)
        })
        .collect();
    titled_image_grid(&images, columns, MISTAKES_TITLE, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> ImageSet {
        let names = vec!["cat".to_string(), "dog".to_string()];
        ImageSet::new(vec![90; 2 * kindling_data::IMAGE_BYTES], vec![0, 1], names).unwrap()
    }

    fn mistake(index: usize) -> TopLoss {
        TopLoss {
            index,
            actual: 1,
            predicted: 0,
            probability: 0.934,
            loss: 3.0,
        }
    }

    #[test]
    fn captions_read_predicted_actual_probability() {
        assert_eq!(
            mistake_caption(&mistake(0), &["cat", "dog"]),
            "cat\n/ dog\n/ 0.93"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.svg");
        mistakes_grid(&set(), &[mistake(1)], set().class_names(), 4, &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("/ dog") && svg.contains("/ 0.93"));
        assert!(svg.contains(MISTAKES_TITLE));
    }

    #[test]
    fn no_mistakes_or_a_wrong_set_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.png");
        assert!(mistakes_grid(&set(), &[], set().class_names(), 4, &path).is_err());
        let message = mistakes_grid(&set(), &[mistake(5)], set().class_names(), 4, &path)
            .unwrap_err()
            .to_string();
        assert!(message.contains("holds 2 images"), "{message}");
        assert!(!path.exists());
    }
}
