//! A classification report in the layout of scikit-learn's `classification_report`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{MetricsError, Result};
use crate::prf::{PerClassScores, PrecisionRecallF1, precision_recall_f1};

/// Per-class precision, recall, F1 and support, then accuracy, macro and
/// weighted averages: the numbers of scikit-learn's `classification_report`
/// with `labels=range(n_classes)` and `zero_division=0`.
///
/// [`Display`](fmt::Display) prints the same text table as scikit-learn (two
/// decimals); [`ClassificationReport::to_text`] chooses the decimals. The
/// struct serialises with serde.
///
/// ```
/// use kindling_metrics::ClassificationReport;
///
/// // scikit-learn's documented example.
/// let report = ClassificationReport::new(&[0, 1, 2, 2, 2], &[0, 0, 2, 2, 1], 3)?
///     .with_class_names(&["class 0", "class 1", "class 2"])?;
/// assert_eq!(
///     report.to_string(),
///     "              precision    recall  f1-score   support
///
///      class 0       0.50      1.00      0.67         1
///      class 1       0.00      0.00      0.00         1
///      class 2       1.00      0.67      0.80         3
///
///     accuracy                           0.60         5
///    macro avg       0.50      0.56      0.49         5
/// weighted avg       0.70      0.60      0.61         5
/// "
/// );
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    /// One row per class, in class order.
    pub classes: Vec<ClassReportRow>,
    /// Fraction of samples classified correctly.
    pub accuracy: f64,
    /// Unweighted mean over classes; support is the sample count.
    pub macro_avg: PrecisionRecallF1,
    /// Support-weighted mean over classes; support is the sample count.
    pub weighted_avg: PrecisionRecallF1,
}

/// One class's line of a [`ClassificationReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReportRow {
    /// Display name of the class (its index unless names were given).
    pub name: String,
    /// The class's scores.
    #[serde(flatten)]
    pub scores: PrecisionRecallF1,
}

impl ClassificationReport {
    /// Computes the report; classes are named by their index (`"0"`, `"1"`, ...).
    ///
    /// # Errors
    /// As [`precision_recall_f1`].
    pub fn new(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Result<Self> {
        Ok(Self::from_scores(&precision_recall_f1(
            y_true, y_pred, n_classes,
        )?))
    }

    /// Builds the report from already computed scores.
    pub fn from_scores(scores: &PerClassScores) -> Self {
        Self {
            classes: scores
                .per_class()
                .iter()
                .enumerate()
                .map(|(class, &scores)| ClassReportRow {
                    name: class.to_string(),
                    scores,
                })
                .collect(),
            // With every class included, micro precision is exactly correct / total.
            accuracy: scores.micro().precision,
            macro_avg: scores.macro_avg(),
            weighted_avg: scores.weighted_avg(),
        }
    }

    /// Replaces the class names, in class order.
    ///
    /// # Errors
    /// [`MetricsError::ClassNames`] when there is not exactly one name per class.
    pub fn with_class_names<S: AsRef<str>>(mut self, class_names: &[S]) -> Result<Self> {
        if class_names.len() != self.classes.len() {
            return Err(MetricsError::ClassNames {
                names: class_names.len(),
                n_classes: self.classes.len(),
            });
        }
        for (row, name) in self.classes.iter_mut().zip(class_names) {
            row.name = name.as_ref().to_owned();
        }
        Ok(self)
    }

    /// The class names, in class order.
    pub fn class_names(&self) -> Vec<&str> {
        self.classes.iter().map(|row| row.name.as_str()).collect()
    }

    /// The text table with `digits` decimals, laid out exactly as scikit-learn's.
    pub fn to_text(&self, digits: usize) -> String {
        const LONGEST_AVERAGE_NAME: &str = "weighted avg";
        let width = self
            .classes
            .iter()
            .map(|row| row.name.chars().count())
            .chain([LONGEST_AVERAGE_NAME.len(), digits])
            .max()
            .unwrap_or(0);
        let scores_line = |name: &str, s: &PrecisionRecallF1| {
            format!(
                "{name:>width$}  {:>9.digits$} {:>9.digits$} {:>9.digits$} {:>9}\n",
                s.precision, s.recall, s.f1, s.support
            )
        };
        let mut text = format!(
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}\n\n",
            "", "precision", "recall", "f1-score", "support"
        );
        for row in &self.classes {
            text.push_str(&scores_line(&row.name, &row.scores));
        }
        text.push('\n');
        let support = self.macro_avg.support;
        text.push_str(&format!(
            "{:>width$}  {:>9} {:>9} {:>9.digits$} {support:>9}\n",
            "accuracy", "", "", self.accuracy
        ));
        text.push_str(&scores_line("macro avg", &self.macro_avg));
        text.push_str(&scores_line(LONGEST_AVERAGE_NAME, &self.weighted_avg));
        text
    }
}

/// The scikit-learn layout with two decimals.
impl fmt::Display for ClassificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_sklearn_docs_example() {
        let report = ClassificationReport::new(&[0, 1, 2, 2, 2], &[0, 0, 2, 2, 1], 3).unwrap();
        assert_eq!(report.class_names(), vec!["0", "1", "2"]);
        assert_eq!(
            report.classes[0].scores,
            PrecisionRecallF1 {
                precision: 0.5,
                recall: 1.0,
                f1: 2.0 / 3.0,
                support: 1
            }
        );
        assert_eq!(report.classes[2].scores.f1, 0.8);
        assert_eq!(report.accuracy, 0.6);
        assert!((report.macro_avg.recall - 5.0 / 9.0).abs() < 1e-15);
        assert!((report.weighted_avg.precision - 0.7).abs() < 1e-15);
        assert_eq!(report.weighted_avg.support, 5);
    }

    #[test]
    fn text_matches_sklearn_with_absent_classes_and_more_digits() {
        // sklearn: classification_report([1,1,1], [1,1,1], labels=[0,1,2], zero_division=0, digits=3)
        let report = ClassificationReport::new(&[1, 1, 1], &[1, 1, 1], 3).unwrap();
        let expected = "              precision    recall  f1-score   support

           0      0.000     0.000     0.000         0
           1      1.000     1.000     1.000         3
           2      0.000     0.000     0.000         0

    accuracy                          1.000         3
   macro avg      0.333     0.333     0.333         3
weighted avg      1.000     1.000     1.000         3
";
        assert_eq!(report.to_text(3), expected);
    }

    #[test]
    fn long_class_names_widen_the_first_column() {
        let report = ClassificationReport::new(&[0, 1], &[0, 1], 2)
            .unwrap()
            .with_class_names(&["a rather long name", "b"])
            .unwrap();
        let text = report.to_string();
        assert!(text.starts_with("                    precision"), "{text}");
        assert!(text.contains("\na rather long name       1.00"), "{text}");
        assert!(text.contains("\n                 b       1.00"), "{text}");
    }

    #[test]
    fn wrong_number_of_names_is_an_error() {
        let report = ClassificationReport::new(&[0, 1], &[0, 1], 2).unwrap();
        assert_eq!(
            report.with_class_names(&["only one"]),
            Err(MetricsError::ClassNames {
                names: 1,
                n_classes: 2
            })
        );
    }

    #[test]
    fn serialises_with_flattened_class_scores() {
        let report = ClassificationReport::new(&[0, 1], &[0, 0], 2).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["classes"][0]["name"], "0");
        assert_eq!(json["classes"][0]["precision"], 0.5);
        assert_eq!(json["classes"][1]["support"], 1);
        assert_eq!(json["accuracy"], 0.5);
        assert_eq!(
            serde_json::from_value::<ClassificationReport>(json).unwrap(),
            report
        );
    }
}
