//! Area under the ROC curve, binary and one-vs-rest.
//!
//! scikit-learn's `roc_auc_score` integrates the ROC curve with the trapezoidal
//! rule after grouping samples with equal scores into one threshold. That area
//! equals the probability that a random positive outscores a random negative,
//! counting a tie as one half (the Mann–Whitney U statistic over
//! `n_pos * n_neg`). This module computes it that way: both score sets are
//! sorted, then merged once, counting pairs exactly in integers so the only
//! rounding is the final division.

use crate::error::{MetricsError, Result};
use crate::probabilities::Probabilities;
use crate::validate;

/// Binary ROC-AUC: `y_true` holds 0 (negative) or 1 (positive), `scores` any
/// real numbers where higher means "more likely positive" (probabilities,
/// logits, margins).
///
/// Equal to scikit-learn's `roc_auc_score(y_true, scores)`, ties included.
///
/// ```
/// use kindling_metrics::roc_auc_binary;
///
/// // scikit-learn's documented example.
/// assert_eq!(roc_auc_binary(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8])?, 0.75);
/// // A tie between a positive and a negative counts one half.
/// assert_eq!(roc_auc_binary(&[0, 1], &[0.5, 0.5])?, 0.5);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// [`MetricsError::LengthMismatch`], [`MetricsError::Empty`],
/// [`MetricsError::LabelOutOfRange`] for a label other than 0 or 1,
/// [`MetricsError::NonFinite`] for a NaN or infinite score, and
/// [`MetricsError::OnlyOneClass`] when all labels are equal (the area is
/// undefined; scikit-learn warns and returns NaN or raises, depending on version).
pub fn roc_auc_binary(y_true: &[usize], scores: &[f64]) -> Result<f64> {
    validate::same_len("y_true", y_true.len(), "scores", scores.len())?;
    validate::non_empty(y_true.len())?;
    validate::labels_in_range("y_true", y_true, 2)?;
    validate::all_finite("scores", scores)?;

    let mut sorter = AucSorter::default();
    for (&label, &score) in y_true.iter().zip(scores) {
        sorter.push(label == 1, score);
    }
    match (sorter.positives.is_empty(), sorter.negatives.is_empty()) {
        (true, _) => Err(MetricsError::OnlyOneClass { class: 0 }),
        (_, true) => Err(MetricsError::OnlyOneClass { class: 1 }),
        _ => Ok(sorter.auc()),
    }
}

/// One-vs-rest ROC-AUC of every class: class `c` against all others, scored by
/// probability column `c`.
///
/// Equal, class by class, to scikit-learn's `roc_auc_score(y_true == c, probs[:, c])`.
///
/// # Errors
/// As [`roc_auc_ovr_macro`].
pub fn roc_auc_ovr(y_true: &[usize], probabilities: Probabilities<'_>) -> Result<Vec<f64>> {
    validate::labels_with_probabilities(y_true, probabilities)?;
    let n_classes = probabilities.n_classes();
    // Per-column AUCs of logits differ from those of softmax outputs, so insist on probabilities.
    probabilities.check_rows_sum_to_one()?;

    let mut supports = vec![0usize; n_classes];
    for &label in y_true {
        supports[label] += 1;
    }
    for (class, &support) in supports.iter().enumerate() {
        let reason = match support {
            0 => "it never occurs in y_true",
            s if s == y_true.len() => "it is the only class in y_true",
            _ => continue,
        };
        return Err(MetricsError::RocAucUndefinedForClass { class, reason });
    }

    let mut sorter = AucSorter::default();
    (0..n_classes)
        .map(|class| {
            sorter.clear();
            for (&label, row) in y_true.iter().zip(probabilities.rows()) {
                sorter.push(label == class, row[class]);
            }
            Ok(sorter.auc())
        })
        .collect()
}

/// Macro average of the one-vs-rest ROC-AUCs: every class counts the same
/// (scikit-learn's `roc_auc_score(y_true, probs, multi_class="ovr", average="macro")`).
///
/// ```
/// use kindling_metrics::{roc_auc_ovr_macro, Probabilities};
///
/// let probs = [
///     0.5, 0.3, 0.2,
///     0.2, 0.5, 0.3,
///     0.3, 0.3, 0.4,
///     0.1, 0.6, 0.3,
/// ];
/// // Per class: 1, 2/3 and 7/8, as scikit-learn gives.
/// let auc = roc_auc_ovr_macro(&[0, 1, 2, 2], Probabilities::new(&probs, 3)?)?;
/// assert!((auc - 0.8472222222222223).abs() < 1e-12);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// [`MetricsError::LengthMismatch`] between `y_true` and the rows,
/// [`MetricsError::Empty`], [`MetricsError::LabelOutOfRange`],
/// [`MetricsError::ProbabilitiesDoNotSumToOne`] (pass softmax outputs, as
/// scikit-learn requires), and [`MetricsError::RocAucUndefinedForClass`] when a
/// class never occurs in `y_true` or is the only one.
pub fn roc_auc_ovr_macro(y_true: &[usize], probabilities: Probabilities<'_>) -> Result<f64> {
    let per_class = roc_auc_ovr(y_true, probabilities)?;
    Ok(per_class.iter().sum::<f64>() / per_class.len() as f64)
}

/// Buffers reused across classes so one-vs-rest sorts without reallocating.
#[derive(Default)]
struct AucSorter {
    positives: Vec<u64>,
    negatives: Vec<u64>,
    scratch: Vec<u64>,
}

impl AucSorter {
    fn clear(&mut self) {
        self.positives.clear();
        self.negatives.clear();
    }

    fn push(&mut self, positive: bool, score: f64) {
        let key = order_key(score);
        if positive {
            self.positives.push(key)
        } else {
            self.negatives.push(key)
        }
    }

    /// The AUC of the pushed samples; both groups must be non-empty.
    fn auc(&mut self) -> f64 {
        radix_sort(&mut self.positives, &mut self.scratch);
        radix_sort(&mut self.negatives, &mut self.scratch);
        let pairs = self.positives.len() as u128 * self.negatives.len() as u128;
        twice_correctly_ordered_pairs(&self.positives, &self.negatives) as f64 / (2 * pairs) as f64
    }
}

/// Maps a finite `f64` to a `u64` whose unsigned order is the float's numeric order,
/// so scores can be radix-sorted. `-0.0` maps like `0.0`, since they compare equal.
fn order_key(score: f64) -> u64 {
    let score = if score == 0.0 { 0.0 } else { score };
    let bits = score.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// For each (positive, negative) pair: 2 when the positive scores higher, 1 on a tie.
/// Both slices must be sorted ascending. Doubling keeps the half-credit for ties integral.
fn twice_correctly_ordered_pairs(positives: &[u64], negatives: &[u64]) -> u128 {
    let mut total = 0u128;
    let mut below = 0; // negatives strictly below the current positive score
    let mut i = 0;
    while i < positives.len() {
        let score = positives[i];
        let group_end = i + positives[i..].partition_point(|&p| p == score);
        while below < negatives.len() && negatives[below] < score {
            below += 1;
        }
        let tied = negatives[below..].partition_point(|&n| n == score);
        total += (group_end - i) as u128 * (2 * below + tied) as u128;
        i = group_end;
    }
    total
}

/// LSD radix sort by bytes; skips a byte when all keys share it (for probabilities
/// in [0, 1] the exponent bytes mostly agree). Linear time, unlike a comparison
/// sort, which is what keeps one-vs-rest over many classes fast.
fn radix_sort(keys: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    const SMALL: usize = 256;
    let n = keys.len();
    if n < SMALL {
        keys.sort_unstable();
        return;
    }
    let mut histograms = [[0usize; 256]; 8];
    for &key in keys.iter() {
        for (byte, histogram) in histograms.iter_mut().enumerate() {
            histogram[((key >> (8 * byte)) & 0xff) as usize] += 1;
        }
    }
    scratch.clear();
    scratch.resize(n, 0);
    for (byte, histogram) in histograms.iter().enumerate() {
        if histogram.contains(&n) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut offset = 0;
        for (slot, &count) in next.iter_mut().zip(histogram) {
            *slot = offset;
            offset += count;
        }
        for &key in keys.iter() {
            let digit = ((key >> (8 * byte)) & 0xff) as usize;
            scratch[next[digit]] = key;
            next[digit] += 1;
        }
        std::mem::swap(keys, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn matches_sklearn_with_ties() {
        // sklearn: roc_auc_score([0,1,0,1,1,0], [0.5,0.5,0.2,0.5,0.9,0.5]) == 0.7777777777777778
        let auc = roc_auc_binary(&[0, 1, 0, 1, 1, 0], &[0.5, 0.5, 0.2, 0.5, 0.9, 0.5]).unwrap();
        assert!(close(auc, 7.0 / 9.0), "{auc}");
    }

    #[test]
    fn all_tied_scores_give_one_half() {
        assert_eq!(roc_auc_binary(&[0, 1, 1, 0, 1], &[3.0; 5]).unwrap(), 0.5);
    }

    #[test]
    fn perfect_and_inverted_rankings() {
        assert_eq!(
            roc_auc_binary(&[0, 0, 1, 1], &[-2.0, -1.0, 1.0, 2.0]).unwrap(),
            1.0
        );
        assert_eq!(
            roc_auc_binary(&[1, 1, 0, 0], &[-2.0, -1.0, 1.0, 2.0]).unwrap(),
            0.0
        );
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        assert_eq!(roc_auc_binary(&[0, 1], &[0.0, -0.0]).unwrap(), 0.5);
    }

    #[test]
    fn one_class_is_an_error_naming_it() {
        let err = roc_auc_binary(&[1, 1, 1], &[0.1, 0.2, 0.3]).unwrap_err();
        assert_eq!(err, MetricsError::OnlyOneClass { class: 1 });
        assert!(err.to_string().contains("no negative sample"), "{err}");
        assert_eq!(
            roc_auc_binary(&[0], &[0.1]),
            Err(MetricsError::OnlyOneClass { class: 0 })
        );
    }

    #[test]
    fn rejects_bad_binary_input() {
        assert!(matches!(
            roc_auc_binary(&[0, 1], &[0.1, f64::NAN]),
            Err(MetricsError::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            roc_auc_binary(&[0, 2], &[0.1, 0.2]),
            Err(MetricsError::LabelOutOfRange { label: 2, .. })
        ));
        assert!(matches!(
            roc_auc_binary(&[0, 1], &[0.1]),
            Err(MetricsError::LengthMismatch { .. })
        ));
        assert_eq!(roc_auc_binary(&[], &[]), Err(MetricsError::Empty));
    }

    #[test]
    fn ovr_matches_sklearn_per_class_and_macro() {
        // sklearn 1.9: roc_auc_score(y, P, multi_class="ovr", average=None)
        //   -> [0.91666667, 0.7, 0.95]; average="macro" -> 0.8555555555555556
        let y = [0, 1, 2, 2, 1, 0, 0];
        let probs = [
            0.6, 0.3, 0.1, //
            0.2, 0.5, 0.3, //
            0.1, 0.2, 0.7, //
            0.3, 0.3, 0.4, //
            0.3, 0.3, 0.4, //
            0.5, 0.4, 0.1, //
            0.3, 0.4, 0.3,
        ];
        let probs = Probabilities::new(&probs, 3).unwrap();
        let per_class = roc_auc_ovr(&y, probs).unwrap();
        assert!(
            close(per_class[0], 11.0 / 12.0)
                && close(per_class[1], 0.7)
                && close(per_class[2], 0.95)
        );
        assert!(close(
            roc_auc_ovr_macro(&y, probs).unwrap(),
            0.8555555555555556
        ));
    }

    #[test]
    fn ovr_reports_a_class_absent_from_y_true() {
        let probs = [0.2, 0.3, 0.5, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4];
        let err =
            roc_auc_ovr_macro(&[0, 1, 1], Probabilities::new(&probs, 3).unwrap()).unwrap_err();
        assert_eq!(
            err,
            MetricsError::RocAucUndefinedForClass {
                class: 2,
                reason: "it never occurs in y_true"
            }
        );
        assert!(err.to_string().contains("class 2"), "{err}");
    }

    #[test]
    fn ovr_rejects_logits() {
        let logits = [2.0, -0.5, 0.5, 0.5];
        let err = roc_auc_ovr_macro(&[0, 1], Probabilities::new(&logits, 2).unwrap()).unwrap_err();
        assert!(
            matches!(err, MetricsError::ProbabilitiesDoNotSumToOne { row: 0, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("softmax"), "{err}");
    }

    #[test]
    fn radix_sort_matches_a_comparison_sort() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let scores: Vec<f64> = (0..5000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Mix signs, magnitudes and exact repeats.
                if i % 7 == 0 {
                    0.25
                } else {
                    (state as i64) as f64 / 1e15
                }
            })
            .collect();
        let mut keys: Vec<u64> = scores.iter().map(|&s| order_key(s)).collect();
        radix_sort(&mut keys, &mut Vec::new());
        let mut expected = scores.clone();
        expected.sort_by(f64::total_cmp);
        let expected: Vec<u64> = expected.iter().map(|&s| order_key(s)).collect();
        assert_eq!(keys, expected);
    }
}
