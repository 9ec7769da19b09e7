//! Accuracy and top-k accuracy.

use crate::error::{MetricsError, Result};
use crate::probabilities::Probabilities;
use crate::validate;

/// Fraction of samples whose predicted label equals the true label
/// (scikit-learn's `accuracy_score`).
///
/// Labels can be any `usize`; no class count is needed.
///
/// ```
/// use kindling_metrics::accuracy;
///
/// assert_eq!(accuracy(&[0, 1, 2, 3], &[0, 2, 1, 3])?, 0.5);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// [`MetricsError::LengthMismatch`] or [`MetricsError::Empty`].
pub fn accuracy(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    validate::same_len("y_true", y_true.len(), "y_pred", y_pred.len())?;
    validate::non_empty(y_true.len())?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// Fraction of samples whose true class is among the `k` highest-scored classes
/// (scikit-learn's `top_k_accuracy_score` with `labels=range(n_classes)`).
///
/// Ties are broken as scikit-learn breaks them: among equal scores the class
/// with the larger index ranks higher. `k >= n_classes` gives 1.0 (scikit-learn
/// warns in that case). Rows need not sum to 1.
///
/// ```
/// use kindling_metrics::{top_k_accuracy, Probabilities};
///
/// // scikit-learn's documented example.
/// let scores = [0.5, 0.2, 0.2, 0.3, 0.4, 0.2, 0.2, 0.4, 0.3, 0.7, 0.2, 0.1];
/// let probs = Probabilities::new(&scores, 3)?;
/// assert_eq!(top_k_accuracy(&[0, 1, 2, 2], probs, 2)?, 0.75);
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
///
/// # Errors
/// [`MetricsError::ZeroK`], [`MetricsError::LengthMismatch`] between `y_true`
/// and the probability rows, [`MetricsError::Empty`], or
/// [`MetricsError::LabelOutOfRange`] for a label with no probability column.
pub fn top_k_accuracy(y_true: &[usize], probabilities: Probabilities<'_>, k: usize) -> Result<f64> {
    let hits = top_k_hits(y_true, probabilities, &[k])?;
    Ok(hits[0] as f64 / y_true.len() as f64)
}

/// Number of top-k hits for each `k` in `ks`, from a single pass over the rows.
pub(crate) fn top_k_hits(
    y_true: &[usize],
    probabilities: Probabilities<'_>,
    ks: &[usize],
) -> Result<Vec<usize>> {
    if ks.contains(&0) {
        return Err(MetricsError::ZeroK);
    }
    validate::labels_with_probabilities(y_true, probabilities)?;
    let n_classes = probabilities.n_classes();

    // rank_counts[r] = samples whose true class is ranked r-th (0 = best).
    let mut rank_counts = vec![0usize; n_classes];
    for (&label, row) in y_true.iter().zip(probabilities.rows()) {
        rank_counts[rank_of(row, label)] += 1;
    }
    Ok(ks
        .iter()
        .map(|&k| rank_counts[..k.min(n_classes)].iter().sum())
        .collect())
}

/// How many classes outrank `label` in `row`, breaking ties towards the larger
/// index as scikit-learn's reversed stable argsort does.
fn rank_of(row: &[f64], label: usize) -> usize {
    let own = row[label];
    let above_before = row[..label].iter().filter(|&&score| score > own).count();
    let above_after = row[label + 1..]
        .iter()
        .filter(|&&score| score >= own)
        .count();
    above_before + above_after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_counts_exact_matches() {
        assert_eq!(accuracy(&[1, 1, 1], &[1, 1, 1]).unwrap(), 1.0);
        assert_eq!(accuracy(&[0, 1, 2], &[2, 0, 1]).unwrap(), 0.0);
        assert_eq!(accuracy(&[0, 1, 2, 3], &[0, 2, 1, 3]).unwrap(), 0.5);
    }

    #[test]
    fn accuracy_rejects_bad_shapes() {
        assert_eq!(accuracy(&[], &[]), Err(MetricsError::Empty));
        assert_eq!(
            accuracy(&[0, 1], &[0]),
            Err(MetricsError::LengthMismatch {
                left: "y_true",
                left_len: 2,
                right: "y_pred",
                right_len: 1
            })
        );
    }

    #[test]
    fn top_k_ties_favour_the_larger_class_index_like_sklearn() {
        // sklearn: top_k_accuracy_score([0], [[0.3, 0.3, 0.4]], k=2, labels=[0,1,2]) == 0.0
        //          and for y_true=[1] it is 1.0.
        let probs = Probabilities::new(&[0.3, 0.3, 0.4], 3).unwrap();
        assert_eq!(top_k_accuracy(&[0], probs, 2).unwrap(), 0.0);
        assert_eq!(top_k_accuracy(&[1], probs, 2).unwrap(), 1.0);
        // [0.4, 0.3, 0.3]: class 2 outranks class 1 in the tie.
        let probs = Probabilities::new(&[0.4, 0.3, 0.3], 3).unwrap();
        assert_eq!(top_k_accuracy(&[1], probs, 2).unwrap(), 0.0);
        assert_eq!(top_k_accuracy(&[2], probs, 2).unwrap(), 1.0);
    }

    #[test]
    fn top_1_is_accuracy_of_the_argmax_and_large_k_is_perfect() {
        let values = [0.1, 0.9, 0.8, 0.2, 0.6, 0.4];
        let probs = Probabilities::new(&values, 2).unwrap();
        assert_eq!(top_k_accuracy(&[1, 1, 0], probs, 1).unwrap(), 2.0 / 3.0);
        assert_eq!(top_k_accuracy(&[1, 1, 0], probs, 2).unwrap(), 1.0);
        assert_eq!(top_k_accuracy(&[1, 1, 0], probs, 7).unwrap(), 1.0);
    }

    #[test]
    fn top_k_rejects_bad_input() {
        let probs = Probabilities::new(&[0.5, 0.5], 2).unwrap();
        assert_eq!(top_k_accuracy(&[0], probs, 0), Err(MetricsError::ZeroK));
        assert!(matches!(
            top_k_accuracy(&[2], probs, 1),
            Err(MetricsError::LabelOutOfRange {
                label: 2,
                n_classes: 2,
                ..
            })
        ));
        assert!(matches!(
            top_k_accuracy(&[0, 1], probs, 1),
            Err(MetricsError::LengthMismatch { .. })
        ));
        let empty = Probabilities::new(&[], 2).unwrap();
        assert_eq!(top_k_accuracy(&[], empty, 1), Err(MetricsError::Empty));
    }
}
