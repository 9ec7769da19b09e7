//! The confusion matrix: rows are true classes, columns are predicted classes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::validate;

/// Counts of (true class, predicted class) pairs, as scikit-learn's
/// `confusion_matrix(y_true, y_pred, labels=range(n_classes))`.
///
/// Serialises as `{"counts": [[...], ...]}`, one inner array per true class.
///
/// ```
/// use kindling_metrics::ConfusionMatrix;
///
/// // scikit-learn's documented example.
/// let cm = ConfusionMatrix::new(&[2, 0, 2, 2, 0, 1], &[0, 0, 2, 2, 0, 2], 3)?;
/// assert_eq!(cm.row(0), &[2, 0, 0]);
/// assert_eq!(cm.row(1), &[0, 0, 1]);
/// assert_eq!(cm.row(2), &[1, 0, 2]);
/// assert_eq!(cm.count(2, 0), 1);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ConfusionMatrixRows", try_from = "ConfusionMatrixRows")]
pub struct ConfusionMatrix {
    n_classes: usize,
    /// Row-major `n_classes x n_classes`: one flat buffer keeps counting a single pass.
    counts: Vec<usize>,
}

/// One off-diagonal cell of a confusion matrix: a kind of mistake and how often it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// The class the samples really belong to.
    pub true_class: usize,
    /// The class the model predicted instead.
    pub predicted_class: usize,
    /// How many samples had this mistake.
    pub count: usize,
}

impl ConfusionMatrix {
    /// Counts every (true, predicted) pair.
    ///
    /// # Errors
    /// [`MetricsError::LengthMismatch`](crate::MetricsError::LengthMismatch),
    /// [`MetricsError::Empty`](crate::MetricsError::Empty),
    /// [`MetricsError::NoClasses`](crate::MetricsError::NoClasses) or
    /// [`MetricsError::LabelOutOfRange`](crate::MetricsError::LabelOutOfRange).
    pub fn new(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Result<Self> {
        validate::labels(y_true, y_pred, n_classes)?;
        let mut counts = vec![0usize; n_classes * n_classes];
        for (&t, &p) in y_true.iter().zip(y_pred) {
            counts[t * n_classes + p] += 1;
        }
        Ok(Self { n_classes, counts })
    }

    /// Number of classes (rows and columns).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of samples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Number of correctly classified samples (the diagonal's sum).
    pub fn correct(&self) -> usize {
        (0..self.n_classes).map(|c| self.count(c, c)).sum()
    }

    /// Samples of `true_class` predicted as `predicted_class`.
    ///
    /// # Panics
    /// When either class is `>= n_classes`, like slice indexing.
    pub fn count(&self, true_class: usize, predicted_class: usize) -> usize {
        self.row(true_class)[predicted_class]
    }

    /// Predicted-class counts of the samples of `true_class`.
    ///
    /// # Panics
    /// When `true_class >= n_classes`, like slice indexing.
    pub fn row(&self, true_class: usize) -> &[usize] {
        &self.counts[true_class * self.n_classes..(true_class + 1) * self.n_classes]
    }

    /// Iterates over the rows, one per true class.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, usize> {
        self.counts.chunks_exact(self.n_classes)
    }

    /// Samples per true class (row sums): each class's support.
    pub fn supports(&self) -> Vec<usize> {
        self.rows().map(|row| row.iter().sum()).collect()
    }

    /// Samples per predicted class (column sums).
    pub fn predicted_counts(&self) -> Vec<usize> {
        let mut sums = vec![0usize; self.n_classes];
        for row in self.rows() {
            for (sum, &count) in sums.iter_mut().zip(row) {
                *sum += count;
            }
        }
        sums
    }

    /// Each row divided by its sum, so a row reads "of the samples of this class,
    /// which fraction went where" (scikit-learn's `normalize="true"`).
    ///
    /// A class with no samples gets a row of zeros, as scikit-learn does, rather than NaN.
    ///
    /// ```
    /// use kindling_metrics::ConfusionMatrix;
    ///
    /// let cm = ConfusionMatrix::new(&[0, 0, 0, 0], &[0, 0, 0, 1], 3)?;
    /// assert_eq!(cm.row_normalized(), vec![vec![0.75, 0.25, 0.0], vec![0.0; 3], vec![0.0; 3]]);
    /// # Ok::<(), kindling_metrics::MetricsError>(())
    /// ```
    pub fn row_normalized(&self) -> Vec<Vec<f64>> {
        self.rows()
            .map(|row| {
                let sum: usize = row.iter().sum();
                row.iter()
                    .map(|&count| {
                        if sum == 0 {
                            0.0
                        } else {
                            count as f64 / sum as f64
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// The `n` most frequent mistakes (off-diagonal cells with a non-zero count),
    /// largest count first; equal counts are ordered by true class, then predicted class.
    ///
    /// ```
    /// use kindling_metrics::{Confusion, ConfusionMatrix};
    ///
    /// let cm = ConfusionMatrix::new(&[0, 0, 1, 2, 2, 2], &[1, 1, 0, 2, 0, 1], 3)?;
    /// assert_eq!(
    ///     cm.most_confused(2),
    ///     vec![
    ///         Confusion { true_class: 0, predicted_class: 1, count: 2 },
    ///         Confusion { true_class: 1, predicted_class: 0, count: 1 },
    ///     ]
    /// );
    /// # Ok::<(), kindling_metrics::MetricsError>(())
    /// ```
    pub fn most_confused(&self, n: usize) -> Vec<Confusion> {
        let mut mistakes: Vec<Confusion> = self
            .rows()
            .enumerate()
            .flat_map(|(true_class, row)| {
                row.iter()
                    .enumerate()
                    .filter_map(move |(predicted_class, &count)| {
                        (predicted_class != true_class && count > 0).then_some(Confusion {
                            true_class,
                            predicted_class,
                            count,
                        })
                    })
            })
            .collect();
        // Stable sort: cells were generated in (true, predicted) order, which breaks ties.
        mistakes.sort_by_key(|mistake| std::cmp::Reverse(mistake.count));
        mistakes.truncate(n);
        mistakes
    }

    /// A text table with the given class names as row and column labels
    /// (rows: true class, columns: predicted class).
    ///
    /// # Errors
    /// [`MetricsError::ClassNames`](crate::MetricsError::ClassNames) when there is
    /// not exactly one name per class.
    pub fn to_table<S: AsRef<str>>(&self, class_names: &[S]) -> Result<String> {
        if class_names.len() != self.n_classes {
            return Err(crate::MetricsError::ClassNames {
                names: class_names.len(),
                n_classes: self.n_classes,
            });
        }
        let names: Vec<&str> = class_names.iter().map(AsRef::as_ref).collect();
        Ok(self.render_table(&names))
    }

    fn render_table(&self, names: &[&str]) -> String {
        const CORNER: &str = "true \\ pred";
        let label_width = names
            .iter()
            .map(|n| n.chars().count())
            .chain([CORNER.len()])
            .max()
            .unwrap_or(0);
        let cell_width = self
            .counts
            .iter()
            .map(|c| c.to_string().len())
            .chain(names.iter().map(|n| n.chars().count()))
            .max()
            .unwrap_or(1);
        let mut out = format!("{CORNER:>label_width$}");
        for name in names {
            out.push_str(&format!(" {name:>cell_width$}"));
        }
        out.push('\n');
        for (name, row) in names.iter().zip(self.rows()) {
            out.push_str(&format!("{name:>label_width$}"));
            for count in row {
                out.push_str(&format!(" {count:>cell_width$}"));
            }
            out.push('\n');
        }
        out
    }
}

/// Prints the matrix with class indices as labels; see [`ConfusionMatrix::to_table`] for names.
impl fmt::Display for ConfusionMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = (0..self.n_classes).map(|c| c.to_string()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        f.write_str(&self.render_table(&names))
    }
}

/// The serialised form: nested rows read better in JSON than a flat buffer.
#[derive(Serialize, Deserialize)]
struct ConfusionMatrixRows {
    counts: Vec<Vec<usize>>,
}

impl From<ConfusionMatrix> for ConfusionMatrixRows {
    fn from(matrix: ConfusionMatrix) -> Self {
        Self {
            counts: matrix.rows().map(<[usize]>::to_vec).collect(),
        }
    }
}

impl TryFrom<ConfusionMatrixRows> for ConfusionMatrix {
    type Error = String;

    fn try_from(rows: ConfusionMatrixRows) -> Result<Self, String> {
        let n_classes = rows.counts.len();
        if n_classes == 0 {
            return Err("a confusion matrix needs at least one class".to_owned());
        }
        if let Some(bad) = rows.counts.iter().position(|row| row.len() != n_classes) {
            return Err(format!(
                "confusion matrix row {bad} has {} counts but there are {n_classes} rows; it must be square",
                rows.counts[bad].len()
            ));
        }
        Ok(Self {
            n_classes,
            counts: rows.counts.concat(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MetricsError;

    fn example() -> ConfusionMatrix {
        ConfusionMatrix::new(&[2, 0, 2, 2, 0, 1], &[0, 0, 2, 2, 0, 2], 3).unwrap()
    }

    #[test]
    fn counts_match_sklearn_docs_example() {
        let cm = example();
        let rows: Vec<&[usize]> = cm.rows().collect();
        assert_eq!(rows, vec![&[2, 0, 0][..], &[0, 0, 1], &[1, 0, 2]]);
        assert_eq!(cm.total(), 6);
        assert_eq!(cm.correct(), 4);
        assert_eq!(cm.supports(), vec![2, 1, 3]);
        assert_eq!(cm.predicted_counts(), vec![3, 0, 3]);
    }

    #[test]
    fn row_normalized_matches_sklearn_normalize_true() {
        // sklearn: confusion_matrix(y_true, y_pred, normalize="true")
        let normalized = example().row_normalized();
        assert_eq!(normalized[0], vec![1.0, 0.0, 0.0]);
        assert_eq!(normalized[1], vec![0.0, 0.0, 1.0]);
        assert_eq!(normalized[2], vec![1.0 / 3.0, 0.0, 2.0 / 3.0]);
    }

    #[test]
    fn most_confused_is_sorted_and_skips_the_diagonal_and_zeros() {
        let cm = ConfusionMatrix::new(
            &[0, 0, 0, 1, 1, 2, 2, 2, 2],
            &[0, 2, 2, 0, 0, 2, 2, 2, 1],
            3,
        )
        .unwrap();
        let top = cm.most_confused(10);
        assert_eq!(
            top,
            vec![
                Confusion {
                    true_class: 0,
                    predicted_class: 2,
                    count: 2
                },
                Confusion {
                    true_class: 1,
                    predicted_class: 0,
                    count: 2
                },
                Confusion {
                    true_class: 2,
                    predicted_class: 1,
                    count: 1
                },
            ]
        );
        assert_eq!(cm.most_confused(1), top[..1]);
        assert!(cm.most_confused(0).is_empty());
    }

    #[test]
    fn rejects_labels_outside_the_class_range() {
        let err = ConfusionMatrix::new(&[0, 1], &[0, 3], 2).unwrap_err();
        assert_eq!(
            err,
            MetricsError::LabelOutOfRange {
                argument: "y_pred",
                index: 1,
                label: 3,
                n_classes: 2
            }
        );
        assert!(err.to_string().contains("y_pred[1] is 3"), "{err}");
    }

    #[test]
    fn serialises_as_nested_rows_and_round_trips() {
        let cm = example();
        let json = serde_json::to_string(&cm).unwrap();
        assert_eq!(json, r#"{"counts":[[2,0,0],[0,0,1],[1,0,2]]}"#);
        assert_eq!(serde_json::from_str::<ConfusionMatrix>(&json).unwrap(), cm);
        let err = serde_json::from_str::<ConfusionMatrix>(r#"{"counts":[[1,2],[3]]}"#).unwrap_err();
        assert!(err.to_string().contains("must be square"), "{err}");
    }

    #[test]
    fn table_aligns_names_and_counts() {
        let cm = ConfusionMatrix::new(&[0, 1, 1], &[0, 1, 0], 2).unwrap();
        assert_eq!(
            cm.to_table(&["cat", "dog"]).unwrap(),
            "true \\ pred cat dog\n        cat   1   0\n        dog   1   1\n"
        );
        assert_eq!(
            cm.to_string(),
            "true \\ pred 0 1\n          0 1 0\n          1 1 1\n"
        );
        assert_eq!(
            cm.to_table(&["cat"]),
            Err(MetricsError::ClassNames {
                names: 1,
                n_classes: 2
            })
        );
    }
}
