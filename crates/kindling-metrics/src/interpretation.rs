//! Looking at a classifier's mistakes: which classes it confuses, which images it
//! got most confidently wrong, how well it does on each class (after fastai's
//! `ClassificationInterpretation`).

use serde::{Deserialize, Serialize};

use crate::confusion::{Confusion, ConfusionMatrix};
use crate::error::Result;
use crate::probabilities::Probabilities;
use crate::validate;

/// The smallest probability a loss is computed from, so that a probability that
/// underflowed to 0 gives a large, finite loss (about 690) instead of infinity.
const PROBABILITY_FLOOR: f64 = 1e-300;

/// One sample with its loss, as [`ClassificationInterpretation::top_losses`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopLoss {
    /// The sample's position in the evaluated data (the image index).
    pub index: usize,
    /// Its true class.
    pub actual: usize,
    /// The class the model predicted.
    pub predicted: usize,
    /// The probability the model gave its predicted class: how sure it was.
    pub probability: f64,
    /// Cross-entropy loss, `-ln(probability of the actual class)`.
    pub loss: f64,
}

impl TopLoss {
    /// True when the prediction was wrong.
    pub fn is_mistake(&self) -> bool {
        self.actual != self.predicted
    }
}

/// A classifier's predictions on labelled data, ready to be looked at.
///
/// ```
/// use kindling_metrics::{ClassificationInterpretation, Probabilities};
///
/// let y_true = [0, 0, 1, 1];
/// let probs = [0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4];
/// let interp = ClassificationInterpretation::new(&y_true, Probabilities::new(&probs, 2)?)?;
/// assert_eq!(interp.y_pred(), &[0, 1, 1, 0]);
/// assert_eq!(interp.per_class_accuracy(), vec![0.5, 0.5]);
/// let worst = interp.top_losses(1)[0];
/// assert_eq!((worst.index, worst.actual, worst.predicted), (1, 0, 1));
/// # Ok::<(), kindling_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationInterpretation {
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    probabilities: Vec<f64>,
    confusion: ConfusionMatrix,
}

impl ClassificationInterpretation {
    /// Takes each sample's prediction to be its most probable class (the lowest
    /// class index on ties).
    ///
    /// # Errors
    /// Empty input, a length mismatch between `y_true` and the probability rows,
    /// or a label outside `0..n_classes`.
    pub fn new(y_true: &[usize], probabilities: Probabilities<'_>) -> Result<Self> {
        validate::same_len(
            "y_true",
            y_true.len(),
            "the probability matrix",
            probabilities.n_samples(),
        )?;
        let y_pred: Vec<usize> = probabilities.rows().map(argmax).collect();
        let confusion = ConfusionMatrix::new(y_true, &y_pred, probabilities.n_classes())?;
        Ok(Self {
            y_true: y_true.to_vec(),
            y_pred,
            probabilities: probabilities.values().to_vec(),
            confusion,
        })
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.confusion.n_classes()
    }

    /// The true classes, one per sample.
    pub fn y_true(&self) -> &[usize] {
        &self.y_true
    }

    /// The predicted classes, one per sample.
    pub fn y_pred(&self) -> &[usize] {
        &self.y_pred
    }

    /// The confusion matrix of counts: rows are actual classes, columns predicted ones.
    pub fn confusion_matrix(&self) -> &ConfusionMatrix {
        &self.confusion
    }

    /// Each row of the confusion matrix divided by its sum: "of the samples of this
    /// class, which share went where". A class with no samples has a row of zeros.
    pub fn confusion_normalized(&self) -> Vec<Vec<f64>> {
        self.confusion.row_normalized()
    }

    /// The (actual, predicted) pairs that happened at least `min_count` times
    /// (at least once when `min_count` is 0), most frequent first; ties in order
    /// of actual, then predicted class.
    pub fn most_confused(&self, min_count: usize) -> Vec<Confusion> {
        let mut pairs = self.confusion.most_confused(usize::MAX);
        pairs.retain(|pair| pair.count >= min_count.max(1));
        pairs
    }

    /// The `k` samples with the largest loss, largest first (ties by index). Like
    /// fastai's `top_losses`, this ranks every sample, so when there are fewer
    /// than `k` mistakes it goes on with correct predictions the model was least
    /// sure of; see [`most_confident_mistakes`](Self::most_confident_mistakes).
    pub fn top_losses(&self, k: usize) -> Vec<TopLoss> {
        let mut all: Vec<TopLoss> = (0..self.y_true.len()).map(|i| self.top_loss(i)).collect();
        sort_by_loss(&mut all);
        all.truncate(k);
        all
    }

    /// The `k` wrong predictions with the largest loss, largest first (ties by
    /// index): the images the model got wrong while most sure of itself.
    pub fn most_confident_mistakes(&self, k: usize) -> Vec<TopLoss> {
        let mut mistakes: Vec<TopLoss> = (0..self.y_true.len())
            .filter(|&i| self.y_true[i] != self.y_pred[i])
            .map(|i| self.top_loss(i))
            .collect();
        sort_by_loss(&mut mistakes);
        mistakes.truncate(k);
        mistakes
    }

    /// For each actual class, the share of its samples predicted correctly (its
    /// recall); 0 for a class with no samples.
    pub fn per_class_accuracy(&self) -> Vec<f64> {
        self.confusion
            .rows()
            .enumerate()
            .map(|(class, row)| {
                let support: usize = row.iter().sum();
                if support == 0 {
                    0.0
                } else {
                    row[class] as f64 / support as f64
                }
            })
            .collect()
    }

    fn top_loss(&self, index: usize) -> TopLoss {
        let n = self.n_classes();
        let row = &self.probabilities[index * n..(index + 1) * n];
        let (actual, predicted) = (self.y_true[index], self.y_pred[index]);
        TopLoss {
            index,
            actual,
            predicted,
            probability: row[predicted],
            loss: -row[actual].max(PROBABILITY_FLOOR).ln(),
        }
    }
}

/// The index of the largest value; the first one on ties.
fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (index, &value) in row.iter().enumerate().skip(1) {
        if value > row[best] {
            best = index;
        }
    }
    best
}

fn sort_by_loss(losses: &mut [TopLoss]) {
    // Stable: built in index order, so equal losses stay in index order.
    losses.sort_by(|a, b| b.loss.total_cmp(&a.loss));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six samples, three classes, worked out by hand:
    /// sample: actual, probabilities, predicted
    /// 0: 0, [0.7, 0.2, 0.1] -> 0
    /// 1: 0, [0.1, 0.8, 0.1] -> 1 (mistake, p(actual) 0.1)
    /// 2: 1, [0.3, 0.6, 0.1] -> 1
    /// 3: 1, [0.5, 0.4, 0.1] -> 0 (mistake, p(actual) 0.4)
    /// 4: 2, [0.05, 0.9, 0.05] -> 1 (mistake, p(actual) 0.05)
    /// 5: 2, [0.2, 0.2, 0.6] -> 2
    fn example() -> ClassificationInterpretation {
        let y_true = [0, 0, 1, 1, 2, 2];
        let probs = [
            0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.6, 0.1, 0.5, 0.4, 0.1, 0.05, 0.9, 0.05, 0.2, 0.2,
            0.6,
        ];
        ClassificationInterpretation::new(&y_true, Probabilities::new(&probs, 3).unwrap()).unwrap()
    }

    #[test]
    fn predictions_are_the_most_probable_class() {
        assert_eq!(example().y_pred(), &[0, 1, 1, 0, 1, 2]);
        let tie = [0.5, 0.5];
        let interp =
            ClassificationInterpretation::new(&[1], Probabilities::new(&tie, 2).unwrap()).unwrap();
        assert_eq!(interp.y_pred(), &[0]);
    }

    #[test]
    fn confusion_counts_and_rows_normalised_by_hand() {
        let interp = example();
        let rows: Vec<&[usize]> = interp.confusion_matrix().rows().collect();
        assert_eq!(rows, vec![&[1, 1, 0][..], &[1, 1, 0], &[0, 1, 1]]);
        assert_eq!(
            interp.confusion_normalized(),
            vec![
                vec![0.5, 0.5, 0.0],
                vec![0.5, 0.5, 0.0],
                vec![0.0, 0.5, 0.5]
            ]
        );
    }

    #[test]
    fn most_confused_keeps_pairs_at_or_above_the_minimum() {
        let y_true = [0, 0, 0, 1, 2, 2];
        // Predictions 1, 1, 2, 0, 0, 0: (0->1) x2, (2->0) x2, (0->2) x1, (1->0) x1.
        let probs = [
            0.1, 0.9, 0.0, 0.1, 0.9, 0.0, 0.1, 0.0, 0.9, 0.9, 0.1, 0.0, 0.9, 0.0, 0.1, 0.9, 0.0,
            0.1,
        ];
        let interp =
            ClassificationInterpretation::new(&y_true, Probabilities::new(&probs, 3).unwrap())
                .unwrap();
        let pairs: Vec<(usize, usize, usize)> = interp
            .most_confused(1)
            .iter()
            .map(|c| (c.true_class, c.predicted_class, c.count))
            .collect();
        assert_eq!(pairs, vec![(0, 1, 2), (2, 0, 2), (0, 2, 1), (1, 0, 1)]);
        assert_eq!(interp.most_confused(0).len(), 4);
        assert_eq!(interp.most_confused(2).len(), 2);
        assert!(interp.most_confused(3).is_empty());
    }

    #[test]
    fn top_losses_rank_every_sample_by_minus_log_probability_of_the_truth() {
        let top = example().top_losses(4);
        let order: Vec<usize> = top.iter().map(|t| t.index).collect();
        // Losses: -ln 0.05, -ln 0.1, -ln 0.4, -ln 0.6 (sample 2 then 5 tie at 0.6: index order).
        assert_eq!(order, vec![4, 1, 3, 2]);
        assert!((top[0].loss - 0.05f64.ln().abs()).abs() < 1e-12);
        assert_eq!((top[0].actual, top[0].predicted), (2, 1));
        assert_eq!(top[0].probability, 0.9);
        assert!(top[0].is_mistake() && !top[3].is_mistake());
        assert_eq!(example().top_losses(100).len(), 6);
    }

    #[test]
    fn most_confident_mistakes_are_only_mistakes() {
        let mistakes = example().most_confident_mistakes(10);
        let order: Vec<usize> = mistakes.iter().map(|t| t.index).collect();
        assert_eq!(order, vec![4, 1, 3]);
        assert!(mistakes.iter().all(TopLoss::is_mistake));
        assert_eq!(mistakes[2].probability, 0.5);
        assert!((mistakes[2].loss - -(0.4f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn per_class_accuracy_is_each_class_recall() {
        assert_eq!(example().per_class_accuracy(), vec![0.5, 0.5, 0.5]);
        let probs = [0.9, 0.1, 0.0, 0.2, 0.8, 0.0];
        let interp =
            ClassificationInterpretation::new(&[0, 1], Probabilities::new(&probs, 3).unwrap())
                .unwrap();
        // Class 2 has no samples: 0, not NaN.
        assert_eq!(interp.per_class_accuracy(), vec![1.0, 1.0, 0.0]);
    }

    #[test]
    fn a_zero_probability_gives_a_large_finite_loss() {
        let probs = [1.0, 0.0];
        let interp =
            ClassificationInterpretation::new(&[1], Probabilities::new(&probs, 2).unwrap())
                .unwrap();
        let loss = interp.top_losses(1)[0].loss;
        assert!(loss.is_finite() && loss > 600.0, "{loss}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let probs = [0.5, 0.5];
        let p = Probabilities::new(&probs, 2).unwrap();
        assert!(ClassificationInterpretation::new(&[0, 1], p).is_err());
        assert!(ClassificationInterpretation::new(&[2], p).is_err());
        let none: [f64; 0] = [];
        assert!(
            ClassificationInterpretation::new(&[], Probabilities::new(&none, 2).unwrap()).is_err()
        );
    }
}
