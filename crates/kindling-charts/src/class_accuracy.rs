//! `class_accuracy_bars`: how often each class is predicted right, one bar a class.

use std::path::Path;

use crate::color::Rgb;
use crate::error::ChartError;
use crate::output::Target;
use crate::top_k::Bars;

/// One horizontal bar per class, in class order, on a fixed 0-100% axis with the
/// percentage printed beside it; the weakest class is drawn in red so it stands out.
///
/// `accuracies[c]` is the share of class `c`'s images predicted as `c` (its recall).
///
/// ```no_run
/// let names = ["cat", "dog", "frog"];
/// kindling_charts::class_accuracy_bars(&names, &[0.52, 0.61, 0.83], "Accuracy per class", "per_class.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn class_accuracy_bars<S: AsRef<str>>(
    class_names: &[S],
    accuracies: &[f64],
    title: &str,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    if class_names.len() != accuracies.len() {
        return Err(target.invalid(
            format!(
                "there are {} class names but {} accuracies",
                class_names.len(),
                accuracies.len()
            ),
            "pass one accuracy per class, in class-index order",
        ));
    }
    if class_names.is_empty() {
        return Err(target.empty("no classes were given", "pass at least one class"));
    }
    if let Some((name, value)) = class_names
        .iter()
        .zip(accuracies)
        .find(|(_, value)| !(0.0..=1.0).contains(*value))
    {
        return Err(target.invalid(
            format!(
                "the accuracy of `{}` is {value}, outside 0 to 1",
                name.as_ref()
            ),
            "pass shares between 0 and 1, not percentages",
        ));
    }
    let weakest = accuracies
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(index, _)| index);
    let bars = class_names
        .iter()
        .map(|name| name.as_ref().to_string())
        .zip(accuracies.iter().copied())
        .collect();
    let colors = (0..accuracies.len())
        .map(|index| {
            if Some(index) == weakest {
                Rgb::RED
            } else {
                Rgb::BLUE
            }
        })
        .collect();
    let chart = Bars::lay_out(title, bars, colors);
    target.check_size(chart.size())?;
    target.save(chart.size(), &chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_with_every_class_and_its_percentage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bars.svg");
        class_accuracy_bars(&["cat", "dog"], &[0.25, 0.875], "Per class", &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in ["cat", "dog", "25.0%", "87.5%", "Per class"] {
            assert!(svg.contains(text), "{text} missing");
        }
    }

    #[test]
    fn mismatched_or_out_of_range_input_is_refused_and_nothing_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bars.png");
        assert!(class_accuracy_bars(&["cat"], &[0.5, 0.5], "t", &path).is_err());
        let message = class_accuracy_bars(&["cat"], &[50.0], "t", &path)
            .unwrap_err()
            .to_string();
        assert!(message.contains("outside 0 to 1"), "{message}");
        assert!(!path.exists());
    }
}
