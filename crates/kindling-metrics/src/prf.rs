//! Precision, recall and F1: per class, and averaged the ways scikit-learn averages them.
//!
//! Every function here behaves like scikit-learn's with `labels=range(n_classes)`
//! and `zero_division=0`: a class that is never predicted has precision 0, a
//! class that never occurs has recall 0, and neither is ever NaN.

use serde::{Deserialize, Serialize};

use crate::confusion::ConfusionMatrix;
use crate::error::{MetricsError, Result};

/// Precision, recall, F1 and support of one class, or of one average over classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrecisionRecallF1 {
    /// Of the samples predicted as this class, the fraction that really are.
    pub precision: f64,
    /// Of the samples of this class, the fraction predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Samples of this class in `y_true` (for an average: all samples).
    pub support: usize,
}

/// How per-class scores are combined into one number (scikit-learn's `average=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Average {
    /// The score of `positive_label` alone; needs exactly two classes.
    Binary {
        /// The class treated as positive (0 or 1).
        positive_label: usize,
    },
    /// Unweighted mean over classes: every class counts the same, however rare.
    Macro,
    /// Mean over classes weighted by support: frequent classes count more.
    Weighted,
    /// Computed from the summed counts of all classes; equals accuracy for single-label problems.
    Micro,
}

/// Precision, recall, F1 and support for every class, with averaged accessors.
///
/// ```
/// use kindling_metrics::precision_recall_f1;
///
/// let scores = precision_recall_f1(&[0, 1, 2, 2, 2], &[0, 0, 2, 2, 1], 3)?;
/// assert_eq!(scores.class(0).precision, 0.5);
/// assert_eq!(scores.class(2).recall, 2.0 / 3.0);
/// assert_eq!(scores.class(1).f1, 0.0); // never predicted right: 0, not NaN
/// assert_eq!(scores.micro().f1, 0.6); // equals accuracy
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerClassScores {
    classes: Vec<PrecisionRecallF1>,
    /// Micro scores depend on counts, not on the per-class ratios, so they are kept here.
    micro: PrecisionRecallF1,
}

impl PerClassScores {
    /// Derives every class's scores from a confusion matrix.
    pub fn from_confusion(matrix: &ConfusionMatrix) -> Self {
        let supports = matrix.supports();
        let predicted = matrix.predicted_counts();
        let classes = (0..matrix.n_classes())
            .map(|c| scores_from_counts(matrix.count(c, c), predicted[c], supports[c]))
            .collect();
        let total = matrix.total();
        let micro = scores_from_counts(matrix.correct(), total, total);
        Self { classes, micro }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// Scores of every class, in class order.
    pub fn per_class(&self) -> &[PrecisionRecallF1] {
        &self.classes
    }

    /// Scores of one class; with `class = 1` in a two-class problem these are
    /// scikit-learn's `average="binary"` scores.
    ///
    /// # Panics
    /// When `class >= n_classes`, like slice indexing.
    pub fn class(&self, class: usize) -> PrecisionRecallF1 {
        self.classes[class]
    }

    /// Unweighted mean over classes. Note that macro F1 is the mean of the
    /// per-class F1 scores, not the F1 of macro precision and macro recall.
    pub fn macro_avg(&self) -> PrecisionRecallF1 {
        self.combine(|_| 1.0)
    }

    /// Mean over classes weighted by each class's support.
    pub fn weighted_avg(&self) -> PrecisionRecallF1 {
        self.combine(|scores| scores.support as f64)
    }

    /// Scores from the counts summed over classes (equal to accuracy here).
    pub fn micro(&self) -> PrecisionRecallF1 {
        self.micro
    }

    /// One averaged score set, as chosen by `average`.
    ///
    /// # Errors
    /// For [`Average::Binary`]: [`MetricsError::NotBinary`] unless there are two
    /// classes, [`MetricsError::PositiveLabelOutOfRange`] unless the label is 0 or 1.
    pub fn average(&self, average: Average) -> Result<PrecisionRecallF1> {
        match average {
            Average::Binary { positive_label } => {
                if self.classes.len() != 2 {
                    return Err(MetricsError::NotBinary {
                        n_classes: self.classes.len(),
                    });
                }
                if positive_label > 1 {
                    return Err(MetricsError::PositiveLabelOutOfRange {
                        label: positive_label,
                    });
                }
                Ok(self.classes[positive_label])
            }
            Average::Macro => Ok(self.macro_avg()),
            Average::Weighted => Ok(self.weighted_avg()),
            Average::Micro => Ok(self.micro()),
        }
    }

    /// Weighted mean, as `numpy.average`: sum of weighted scores over sum of weights.
    fn combine(&self, weight: impl Fn(&PrecisionRecallF1) -> f64) -> PrecisionRecallF1 {
        let (mut precision, mut recall, mut f1, mut total_weight) = (0.0, 0.0, 0.0, 0.0);
        for scores in &self.classes {
            let w = weight(scores);
            precision += w * scores.precision;
            recall += w * scores.recall;
            f1 += w * scores.f1;
            total_weight += w;
        }
        PrecisionRecallF1 {
            precision: precision / total_weight,
            recall: recall / total_weight,
            f1: f1 / total_weight,
            support: self.micro.support,
        }
    }
}

/// The zero-division rule lives here: an empty denominator scores 0.
fn scores_from_counts(
    true_positives: usize,
    predicted: usize,
    support: usize,
) -> PrecisionRecallF1 {
    let ratio = |numerator: usize, denominator: usize| {
        if denominator == 0 {
            0.0
        } else {
            numerator as f64 / denominator as f64
        }
    };
    PrecisionRecallF1 {
        precision: ratio(true_positives, predicted),
        recall: ratio(true_positives, support),
        // 2TP / (2TP + FP + FN), the form scikit-learn uses, with 2TP + FP + FN = predicted + support.
        f1: ratio(2 * true_positives, predicted + support),
        support,
    }
}

/// Precision, recall, F1 and support of every class of `0..n_classes`.
///
/// # Errors
/// [`MetricsError::LengthMismatch`], [`MetricsError::Empty`],
/// [`MetricsError::NoClasses`] or [`MetricsError::LabelOutOfRange`].
pub fn precision_recall_f1(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
) -> Result<PerClassScores> {
    let matrix = ConfusionMatrix::new(y_true, y_pred, n_classes)?;
    Ok(PerClassScores::from_confusion(&matrix))
}

/// Precision averaged as `average` says (scikit-learn's `precision_score`).
///
/// ```
/// use kindling_metrics::{precision_score, Average};
///
/// // scikit-learn's documented example.
/// let (y_true, y_pred) = ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
/// assert!((precision_score(&y_true, &y_pred, 3, Average::Macro)? - 0.2222222).abs() < 1e-6);
/// assert!((precision_score(&y_true, &y_pred, 3, Average::Micro)? - 0.3333333).abs() < 1e-6);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// As [`precision_recall_f1`] and [`PerClassScores::average`].
pub fn precision_score(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
    average: Average,
) -> Result<f64> {
    Ok(precision_recall_f1(y_true, y_pred, n_classes)?
        .average(average)?
        .precision)
}

/// Recall averaged as `average` says (scikit-learn's `recall_score`).
///
/// ```
/// use kindling_metrics::{recall_score, Average};
///
/// let (y_true, y_pred) = ([0, 1, 1, 1], [0, 1, 0, 0]);
/// assert_eq!(recall_score(&y_true, &y_pred, 2, Average::Binary { positive_label: 1 })?, 1.0 / 3.0);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// As [`precision_recall_f1`] and [`PerClassScores::average`].
pub fn recall_score(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
    average: Average,
) -> Result<f64> {
    Ok(precision_recall_f1(y_true, y_pred, n_classes)?
        .average(average)?
        .recall)
}

/// F1 averaged as `average` says (scikit-learn's `f1_score`).
///
/// ```
/// use kindling_metrics::{f1_score, Average};
///
/// // scikit-learn's documented example.
/// let (y_true, y_pred) = ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
/// assert!((f1_score(&y_true, &y_pred, 3, Average::Macro)? - 0.2666666).abs() < 1e-6);
/// assert!((f1_score(&y_true, &y_pred, 3, Average::Weighted)? - 0.2666666).abs() < 1e-6);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// As [`precision_recall_f1`] and [`PerClassScores::average`].
pub fn f1_score(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
    average: Average,
) -> Result<f64> {
    Ok(precision_recall_f1(y_true, y_pred, n_classes)?
        .average(average)?
        .f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn sklearn_precision_recall_fscore_support_example() {
        // sklearn docs: y_true = [0,1,2,0,1,2], y_pred = [0,2,1,0,0,1]
        // precision per class [0.6667, 0, 0], recall [1, 0, 0], f1 [0.8, 0, 0]
        let scores = precision_recall_f1(&[0, 1, 2, 0, 1, 2], &[0, 2, 1, 0, 0, 1], 3).unwrap();
        assert!(close(scores.class(0).precision, 2.0 / 3.0));
        assert_eq!(scores.class(0).recall, 1.0);
        assert!(close(scores.class(0).f1, 0.8));
        for class in 1..3 {
            assert_eq!(
                scores.class(class),
                PrecisionRecallF1 {
                    precision: 0.0,
                    recall: 0.0,
                    f1: 0.0,
                    support: 2
                }
            );
        }
        // average="macro": (0.2222, 0.3333, 0.2667); "micro": all 1/3; "weighted": (0.2222, 0.3333, 0.2667)
        let m = scores.macro_avg();
        assert!(
            close(m.precision, 2.0 / 9.0) && close(m.recall, 1.0 / 3.0) && close(m.f1, 0.8 / 3.0)
        );
        let w = scores.weighted_avg();
        assert!(
            close(w.precision, 2.0 / 9.0) && close(w.recall, 1.0 / 3.0) && close(w.f1, 0.8 / 3.0)
        );
        let micro = scores.micro();
        assert!(
            close(micro.precision, 1.0 / 3.0)
                && close(micro.recall, 1.0 / 3.0)
                && close(micro.f1, 1.0 / 3.0)
        );
        assert_eq!(micro.support, 6);
    }

    #[test]
    fn never_predicted_and_never_present_classes_score_zero() {
        // sklearn: precision_recall_fscore_support([0,0,1],[0,0,0],labels=[0,1,2],zero_division=0)
        // -> precision [0.667, 0, 0], recall [1, 0, 0], f1 [0.8, 0, 0], support [2, 1, 0]
        let scores = precision_recall_f1(&[0, 0, 1], &[0, 0, 0], 3).unwrap();
        assert!(close(scores.class(0).precision, 2.0 / 3.0));
        assert_eq!(
            scores.class(1),
            PrecisionRecallF1 {
                precision: 0.0,
                recall: 0.0,
                f1: 0.0,
                support: 1
            }
        );
        assert_eq!(
            scores.class(2),
            PrecisionRecallF1 {
                precision: 0.0,
                recall: 0.0,
                f1: 0.0,
                support: 0
            }
        );
        // sklearn f1_score(average="macro") over labels [0, 1, 2] is 0.8 / 3
        assert!(close(scores.macro_avg().f1, 0.8 / 3.0));
    }

    #[test]
    fn weighted_average_uses_true_support() {
        // Class 0: support 3, P = 1, R = 2/3, F1 = 0.8; class 1: support 1, P = 0.5, R = 1, F1 = 2/3.
        let scores = precision_recall_f1(&[0, 0, 0, 1], &[0, 0, 1, 1], 2).unwrap();
        let w = scores.weighted_avg();
        assert!(close(w.precision, 0.75 * 1.0 + 0.25 * 0.5));
        assert!(close(w.recall, 0.75 * (2.0 / 3.0) + 0.25));
        assert!(close(w.f1, 0.75 * 0.8 + 0.25 * (2.0 / 3.0)));
        assert_eq!(w.support, 4);
    }

    #[test]
    fn binary_average_picks_the_positive_class() {
        let (y_true, y_pred) = ([0, 1, 1, 0, 1], [0, 1, 0, 1, 1]);
        // Positive 1: TP 2, FP 1, FN 1 -> P = R = F1 = 2/3. Positive 0: TP 1, FP 1, FN 1 -> 1/2.
        let positive_one = Average::Binary { positive_label: 1 };
        assert!(close(
            precision_score(&y_true, &y_pred, 2, positive_one).unwrap(),
            2.0 / 3.0
        ));
        assert!(close(
            f1_score(&y_true, &y_pred, 2, Average::Binary { positive_label: 0 }).unwrap(),
            0.5
        ));
    }

    #[test]
    fn binary_average_rejects_non_binary_problems() {
        let binary = Average::Binary { positive_label: 1 };
        assert_eq!(
            f1_score(&[0, 1, 2], &[0, 1, 2], 3, binary),
            Err(MetricsError::NotBinary { n_classes: 3 })
        );
        let bad = Average::Binary { positive_label: 2 };
        assert_eq!(
            f1_score(&[0, 1], &[0, 1], 2, bad),
            Err(MetricsError::PositiveLabelOutOfRange { label: 2 })
        );
    }

    #[test]
    fn rejects_bad_inputs() {
        assert_eq!(
            recall_score(&[], &[], 2, Average::Macro),
            Err(MetricsError::Empty)
        );
        assert_eq!(
            recall_score(&[0], &[0], 0, Average::Macro),
            Err(MetricsError::NoClasses)
        );
        assert!(matches!(
            precision_recall_f1(&[0, 5], &[0, 1], 2),
            Err(MetricsError::LabelOutOfRange {
                argument: "y_true",
                index: 1,
                label: 5,
                n_classes: 2
            })
        ));
    }
}
