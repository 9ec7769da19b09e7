//! Every classification metric in one call: what `kindling metrics` computes and prints.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::accuracy::top_k_hits;
use crate::confusion::{Confusion, ConfusionMatrix};
use crate::error::{MetricsError, Result};
use crate::prf::{PerClassScores, PrecisionRecallF1};
use crate::probabilities::Probabilities;
use crate::report::ClassificationReport;
use crate::roc_auc::{roc_auc_binary, roc_auc_ovr};
use crate::validate;

/// The values of `k` reported as top-k accuracy, kept only where `k < n_classes`
/// (at or above it the score is trivially 1).
pub const REPORTED_TOP_K: [usize; 3] = [2, 3, 5];

/// How many of the most frequent mistakes [`ClassificationMetrics`] prints.
const MOST_CONFUSED_SHOWN: usize = 5;

/// What the model output besides its predicted labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PredictedScores<'a> {
    /// Two classes: one score per sample, higher meaning "more likely class 1"
    /// (a probability, a logit or a margin).
    Binary(&'a [f64]),
    /// One probability per class per sample (softmax outputs).
    Probabilities(Probabilities<'a>),
}

/// Top-k accuracy for one `k`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopKAccuracy {
    /// How many of the highest-scored classes may contain the true one.
    pub k: usize,
    /// Fraction of samples whose true class is among them.
    pub accuracy: f64,
}

/// The ROC-AUC part of [`ClassificationMetrics`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RocAuc {
    /// Two classes: area for class 1 against class 0.
    Binary {
        /// The area under the ROC curve.
        value: f64,
    },
    /// More classes: macro average of the one-vs-rest areas.
    OneVsRestMacro {
        /// The macro-averaged area.
        value: f64,
        /// Each class's one-vs-rest area, in class order.
        per_class: Vec<f64>,
    },
    /// Scores were given but the area is undefined for this data (e.g. a class
    /// missing from `y_true`); the other metrics are still valid.
    Undefined {
        /// Why, with what to do about it.
        reason: String,
    },
}

/// Accuracy, top-k accuracy, per-class and averaged precision/recall/F1,
/// ROC-AUC and the confusion matrix, computed together.
///
/// Serialises to JSON with serde; [`Display`](fmt::Display) prints a
/// scikit-learn style report followed by the other figures.
///
/// ```
/// use kindling_metrics::{ClassificationMetrics, PredictedScores, Probabilities, RocAuc};
///
/// let y_true = [0, 1, 2, 2];
/// let y_pred = [0, 2, 2, 1];
/// let probs = [
///     0.5, 0.3, 0.2,
///     0.2, 0.5, 0.3,
///     0.3, 0.3, 0.4,
///     0.1, 0.6, 0.3,
/// ];
/// let scores = PredictedScores::Probabilities(Probabilities::new(&probs, 3)?);
/// let metrics = ClassificationMetrics::compute(&y_true, &y_pred, 3, Some(scores))?;
/// assert_eq!(metrics.accuracy, 0.5);
/// assert_eq!(metrics.top_k_accuracy[0].k, 2);
/// assert!(matches!(metrics.roc_auc, Some(RocAuc::OneVsRestMacro { .. })));
/// assert_eq!(metrics.confusion_matrix.count(2, 1), 1);
/// println!("{metrics}");
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    /// Number of samples.
    pub n_samples: usize,
    /// Number of classes.
    pub n_classes: usize,
    /// Fraction of samples classified correctly.
    pub accuracy: f64,
    /// Top-k accuracy for each `k` of [`REPORTED_TOP_K`] below `n_classes`;
    /// empty without class probabilities.
    pub top_k_accuracy: Vec<TopKAccuracy>,
    /// Per-class precision, recall, F1 and support with macro and weighted averages.
    pub report: ClassificationReport,
    /// Micro-averaged scores (equal to accuracy for single-label classification).
    pub micro_avg: PrecisionRecallF1,
    /// ROC-AUC; `None` when no scores were given.
    pub roc_auc: Option<RocAuc>,
    /// Counts of (true, predicted) pairs.
    pub confusion_matrix: ConfusionMatrix,
}

impl ClassificationMetrics {
    /// Computes every metric the inputs allow. Labels are `0..n_classes`.
    ///
    /// With `scores`, ROC-AUC is computed (binary for two classes, macro
    /// one-vs-rest otherwise); with class probabilities, top-k accuracy too.
    /// Data on which ROC-AUC is undefined gives [`RocAuc::Undefined`] rather
    /// than an error, so the rest of the report is still produced.
    ///
    /// # Errors
    /// Every input error of the individual metrics: lengths, empty input,
    /// labels out of range, non-finite scores, [`MetricsError::NotBinary`] for
    /// binary scores with `n_classes != 2`, [`MetricsError::ProbabilityColumns`]
    /// when the probability columns do not match `n_classes`, and
    /// [`MetricsError::ProbabilitiesDoNotSumToOne`].
    pub fn compute(
        y_true: &[usize],
        y_pred: &[usize],
        n_classes: usize,
        scores: Option<PredictedScores<'_>>,
    ) -> Result<Self> {
        let confusion_matrix = ConfusionMatrix::new(y_true, y_pred, n_classes)?;
        let per_class = PerClassScores::from_confusion(&confusion_matrix);

        let (top_k_accuracy, roc_auc) = match scores {
            None => (Vec::new(), None),
            Some(PredictedScores::Binary(scores)) => {
                if n_classes != 2 {
                    return Err(MetricsError::NotBinary { n_classes });
                }
                (
                    Vec::new(),
                    Some(undefined_if_single_class(
                        roc_auc_binary(y_true, scores).map(binary),
                    )?),
                )
            }
            Some(PredictedScores::Probabilities(probabilities)) => {
                if probabilities.n_classes() != n_classes {
                    return Err(MetricsError::ProbabilityColumns {
                        columns: probabilities.n_classes(),
                        n_classes,
                    });
                }
                validate::same_len(
                    "y_true",
                    y_true.len(),
                    "the probability matrix",
                    probabilities.n_samples(),
                )?;
                (
                    top_k(y_true, probabilities)?,
                    Some(probability_roc_auc(y_true, probabilities)?),
                )
            }
        };

        Ok(Self {
            n_samples: y_true.len(),
            n_classes,
            accuracy: confusion_matrix.correct() as f64 / y_true.len() as f64,
            top_k_accuracy,
            report: ClassificationReport::from_scores(&per_class),
            micro_avg: per_class.micro(),
            roc_auc,
            confusion_matrix,
        })
    }

    /// Names the classes in the report and the printed confusion matrix.
    ///
    /// # Errors
    /// [`MetricsError::ClassNames`] when there is not exactly one name per class.
    pub fn with_class_names<S: AsRef<str>>(mut self, class_names: &[S]) -> Result<Self> {
        self.report = self.report.with_class_names(class_names)?;
        Ok(self)
    }

    /// The `n` most frequent mistakes; see [`ConfusionMatrix::most_confused`].
    pub fn most_confused(&self, n: usize) -> Vec<Confusion> {
        self.confusion_matrix.most_confused(n)
    }
}

fn binary(value: f64) -> RocAuc {
    RocAuc::Binary { value }
}

fn top_k(y_true: &[usize], probabilities: Probabilities<'_>) -> Result<Vec<TopKAccuracy>> {
    let ks: Vec<usize> = REPORTED_TOP_K
        .into_iter()
        .filter(|&k| k < probabilities.n_classes())
        .collect();
    if ks.is_empty() {
        return Ok(Vec::new());
    }
    let hits = top_k_hits(y_true, probabilities, &ks)?;
    Ok(ks
        .into_iter()
        .zip(hits)
        .map(|(k, hits)| TopKAccuracy {
            k,
            accuracy: hits as f64 / y_true.len() as f64,
        })
        .collect())
}

fn probability_roc_auc(y_true: &[usize], probabilities: Probabilities<'_>) -> Result<RocAuc> {
    if probabilities.n_classes() == 2 {
        probabilities.check_rows_sum_to_one()?;
        // scikit-learn scores a binary problem by the probability of class 1.
        let positive: Vec<f64> = probabilities.rows().map(|row| row[1]).collect();
        return undefined_if_single_class(roc_auc_binary(y_true, &positive).map(binary));
    }
    undefined_if_single_class(roc_auc_ovr(y_true, probabilities).map(|per_class| {
        RocAuc::OneVsRestMacro {
            value: per_class.iter().sum::<f64>() / per_class.len() as f64,
            per_class,
        }
    }))
}

/// Turns "undefined for this data" into a value and keeps real input errors as errors.
fn undefined_if_single_class(result: Result<RocAuc>) -> Result<RocAuc> {
    match result {
        Err(
            err
            @ (MetricsError::OnlyOneClass { .. } | MetricsError::RocAucUndefinedForClass { .. }),
        ) => Ok(RocAuc::Undefined {
            reason: err.to_string(),
        }),
        other => other,
    }
}

impl fmt::Display for ClassificationMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.report)?;
        writeln!(f)?;
        writeln!(
            f,
            "samples: {}, classes: {}",
            self.n_samples, self.n_classes
        )?;
        writeln!(f, "accuracy: {:.4}", self.accuracy)?;
        for top in &self.top_k_accuracy {
            writeln!(f, "top-{} accuracy: {:.4}", top.k, top.accuracy)?;
        }
        match &self.roc_auc {
            None => {}
            Some(RocAuc::Binary { value }) => writeln!(f, "ROC-AUC: {value:.4}")?,
            Some(RocAuc::OneVsRestMacro { value, .. }) => {
                writeln!(f, "ROC-AUC (one-vs-rest, macro): {value:.4}")?
            }
            Some(RocAuc::Undefined { reason }) => writeln!(f, "ROC-AUC: not available: {reason}")?,
        }
        let names = self.report.class_names();
        writeln!(f)?;
        writeln!(
            f,
            "confusion matrix (rows: true class, columns: predicted class)"
        )?;
        // The report and the matrix always have the same classes, so this cannot fail.
        f.write_str(
            &self
                .confusion_matrix
                .to_table(&names)
                .map_err(|_| fmt::Error)?,
        )?;
        let mistakes = self.most_confused(MOST_CONFUSED_SHOWN);
        if !mistakes.is_empty() {
            writeln!(f)?;
            writeln!(f, "most confused (true -> predicted: count)")?;
            for m in mistakes {
                writeln!(
                    f,
                    "  {} -> {}: {}",
                    names[m.true_class], names[m.predicted_class], m.count
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_only_give_no_top_k_and_no_roc_auc() {
        let m =
            ClassificationMetrics::compute(&[0, 1, 2, 2, 2], &[0, 0, 2, 2, 1], 3, None).unwrap();
        assert_eq!(m.accuracy, 0.6);
        assert!(m.top_k_accuracy.is_empty());
        assert_eq!(m.roc_auc, None);
        assert_eq!(m.micro_avg.f1, 0.6);
        assert_eq!(m.report.macro_avg.precision, 0.5);
        assert_eq!(m.confusion_matrix.total(), 5);
    }

    #[test]
    fn binary_scores_give_binary_roc_auc() {
        let m = ClassificationMetrics::compute(
            &[0, 0, 1, 1],
            &[0, 1, 0, 1],
            2,
            Some(PredictedScores::Binary(&[0.1, 0.4, 0.35, 0.8])),
        )
        .unwrap();
        assert_eq!(m.roc_auc, Some(RocAuc::Binary { value: 0.75 }));
        assert!(m.top_k_accuracy.is_empty());
    }

    #[test]
    fn two_probability_columns_score_class_one() {
        let probs = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8];
        let scores = PredictedScores::Probabilities(Probabilities::new(&probs, 2).unwrap());
        let m =
            ClassificationMetrics::compute(&[0, 0, 1, 1], &[0, 0, 0, 1], 2, Some(scores)).unwrap();
        assert_eq!(m.roc_auc, Some(RocAuc::Binary { value: 0.75 }));
    }

    #[test]
    fn probabilities_give_top_k_and_ovr_roc_auc() {
        let probs = [0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.3, 0.3, 0.4, 0.1, 0.6, 0.3];
        let scores = PredictedScores::Probabilities(Probabilities::new(&probs, 3).unwrap());
        let m =
            ClassificationMetrics::compute(&[0, 1, 2, 2], &[0, 1, 2, 1], 3, Some(scores)).unwrap();
        // The true class ranks first in rows 0-2 and second in row 3 (0.6 beats its 0.3).
        assert_eq!(
            m.top_k_accuracy,
            vec![TopKAccuracy {
                k: 2,
                accuracy: 1.0
            }]
        );
        let Some(RocAuc::OneVsRestMacro { value, per_class }) = &m.roc_auc else {
            panic!("expected one-vs-rest, got {:?}", m.roc_auc)
        };
        // sklearn: average=None -> [1.0, 0.6667, 0.875], macro 0.8472222222222223
        assert!((value - 0.8472222222222223).abs() < 1e-12);
        assert_eq!(per_class.len(), 3);
    }

    #[test]
    fn single_class_data_gives_undefined_roc_auc_not_an_error() {
        let m = ClassificationMetrics::compute(
            &[1, 1],
            &[1, 0],
            2,
            Some(PredictedScores::Binary(&[0.9, 0.2])),
        )
        .unwrap();
        let Some(RocAuc::Undefined { reason }) = &m.roc_auc else {
            panic!("{:?}", m.roc_auc)
        };
        assert!(
            reason.contains("every sample in y_true is class 1"),
            "{reason}"
        );
        assert_eq!(m.accuracy, 0.5);
    }

    #[test]
    fn mismatched_scores_are_errors() {
        let binary = PredictedScores::Binary(&[0.1, 0.2, 0.3]);
        assert_eq!(
            ClassificationMetrics::compute(&[0, 1, 2], &[0, 1, 2], 3, Some(binary)),
            Err(MetricsError::NotBinary { n_classes: 3 })
        );
        let probs = [0.5, 0.5, 0.5, 0.5];
        let two_columns = PredictedScores::Probabilities(Probabilities::new(&probs, 2).unwrap());
        assert_eq!(
            ClassificationMetrics::compute(&[0, 1], &[0, 1], 3, Some(two_columns)),
            Err(MetricsError::ProbabilityColumns {
                columns: 2,
                n_classes: 3
            })
        );
        let short = PredictedScores::Binary(&[0.1]);
        assert!(matches!(
            ClassificationMetrics::compute(&[0, 1], &[0, 1], 2, Some(short)),
            Err(MetricsError::LengthMismatch {
                right: "scores",
                ..
            })
        ));
        let logits = [3.0, 1.0, 0.0, 2.0, 2.0, 2.0];
        let logits = PredictedScores::Probabilities(Probabilities::new(&logits, 3).unwrap());
        assert!(matches!(
            ClassificationMetrics::compute(&[0, 1], &[0, 1], 3, Some(logits)),
            Err(MetricsError::ProbabilitiesDoNotSumToOne { row: 0, .. })
        ));
    }

    #[test]
    fn prints_report_figures_matrix_and_mistakes_with_names() {
        let m = ClassificationMetrics::compute(
            &[0, 1, 1, 1],
            &[0, 1, 0, 0],
            2,
            Some(PredictedScores::Binary(&[0.2, 0.9, 0.4, 0.1])),
        )
        .unwrap()
        .with_class_names(&["cat", "dog"])
        .unwrap();
        let text = m.to_string();
        for expected in [
            "         cat       0.33      1.00      0.50         1\n",
            "accuracy: 0.5000\n",
            "ROC-AUC: 0.6667\n",
            "true \\ pred cat dog\n        cat   1   0\n        dog   2   1\n",
            "most confused (true -> predicted: count)\n  dog -> cat: 2\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn json_has_every_section() {
        let m = ClassificationMetrics::compute(
            &[0, 1],
            &[0, 0],
            2,
            Some(PredictedScores::Binary(&[0.3, 0.6])),
        )
        .unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["accuracy"], 0.5);
        assert_eq!(json["roc_auc"]["kind"], "binary");
        assert_eq!(json["roc_auc"]["value"], 1.0);
        assert_eq!(json["confusion_matrix"]["counts"][1][0], 1);
        assert_eq!(json["report"]["macro_avg"]["support"], 2);
        assert_eq!(
            serde_json::from_value::<ClassificationMetrics>(json).unwrap(),
            m
        );
    }
}
