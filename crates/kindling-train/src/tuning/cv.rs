//! Stratified k-fold cross-validation: train k times, each time validating on a
//! different fifth (for k = 5) of the data, and report the spread of the scores.

use std::fmt;

use serde::Serialize;

use kindling_data::split::{Fold, stratified_k_fold};

use crate::data::ClassificationData;

use super::error::TuningError;
use super::subset::Subset;

/// Each fold's score, their mean and standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossValidation {
    /// Score of each fold, fold 1 first.
    pub scores: Vec<f64>,
    /// The mean score.
    pub mean: f64,
    /// The *population* standard deviation (dividing by k, not k - 1): the number
    /// `cross_val_score(...).std()` gives in scikit-learn, since NumPy's `std`
    /// divides by k by default.
    pub std: f64,
}

impl CrossValidation {
    /// Mean and population standard deviation of some scores; `None` for none.
    ///
    /// ```
    /// use kindling_train::tuning::CrossValidation;
    /// let cv = CrossValidation::from_scores(vec![0.8, 0.9, 1.0]).unwrap();
    /// assert!((cv.mean - 0.9).abs() < 1e-12);
    /// assert!((cv.std - (0.02f64 / 3.0).sqrt()).abs() < 1e-12);
    /// assert!((cv.sample_std().unwrap() - 0.1).abs() < 1e-12);
    /// ```
    pub fn from_scores(scores: Vec<f64>) -> Option<Self> {
        if scores.is_empty() {
            return None;
        }
        let k = scores.len() as f64;
        let mean = scores.iter().sum::<f64>() / k;
        let variance = scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / k;
        Some(CrossValidation {
            scores,
            mean,
            std: variance.sqrt(),
        })
    }

    /// The sample standard deviation (dividing by k - 1), as R's `sd` or pandas'
    /// `std`; `None` with a single score.
    pub fn sample_std(&self) -> Option<f64> {
        let k = self.scores.len();
        if k < 2 {
            return None;
        }
        let sum: f64 = self.scores.iter().map(|s| (s - self.mean).powi(2)).sum();
        Some((sum / (k - 1) as f64).sqrt())
    }
}

impl fmt::Display for CrossValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scores: Vec<String> = self.scores.iter().map(|s| format!("{s:.4}")).collect();
        write!(
            f,
            "{}-fold cross-validation: {} -> mean {:.4} ± {:.4} (population std)",
            self.scores.len(),
            scores.join(", "),
            self.mean,
            self.std
        )
    }
}

/// Runs `run` once per stratified fold of `labels` (see
/// [`stratified_k_fold`]: every example is validated on exactly once, and each
/// fold keeps the class shares), collecting one score per fold.
///
/// A failing fold stops the cross-validation with its error: a mean over the
/// folds that worked would not be comparable with other settings.
///
/// ```
/// use kindling_train::tuning::cross_validate;
/// let labels = [0, 0, 0, 1, 1, 1];
/// let cv = cross_validate(&labels, 3, 42, |fold| {
///     Ok::<_, String>(fold.validation.len() as f64)
/// })?;
/// assert_eq!(cv.scores, [2.0, 2.0, 2.0]);
/// assert_eq!(cv.std, 0.0);
/// # Ok::<(), kindling_train::tuning::TuningError>(())
/// ```
pub fn cross_validate<F, E>(
    labels: &[usize],
    k: usize,
    seed: u64,
    mut run: F,
) -> Result<CrossValidation, TuningError>
where
    F: FnMut(&Fold) -> Result<f64, E>,
    E: fmt::Display,
{
    if k < 2 || k > labels.len() {
        return Err(TuningError::Folds {
            k,
            examples: labels.len(),
        });
    }
    let mut small = Vec::with_capacity(labels.len());
    for (index, &label) in labels.iter().enumerate() {
        let label = u8::try_from(label).map_err(|_| TuningError::LabelTooLarge {
            position: index + 1,
            label,
        })?;
        small.push(label);
    }
    let folds = stratified_k_fold(&small, k, seed)?;
    let mut scores = Vec::with_capacity(k);
    for (index, fold) in folds.iter().enumerate() {
        let score = run(fold).map_err(|error| TuningError::FoldFailed {
            fold: index + 1,
            problem: error.to_string(),
        })?;
        if !score.is_finite() {
            return Err(TuningError::NonFiniteScore {
                fold: index + 1,
                score,
            });
        }
        scores.push(score);
    }
    CrossValidation::from_scores(scores).ok_or(TuningError::Folds {
        k,
        examples: labels.len(),
    })
}

/// [`cross_validate`] over a dataset: `run` gets each fold's training and
/// validation examples as [`Subset`]s, ready for `fit` and `evaluate`.
pub fn cross_validate_data<T, F, E, const D: usize>(
    data: &T,
    k: usize,
    seed: u64,
    mut run: F,
) -> Result<CrossValidation, TuningError>
where
    T: ClassificationData<D>,
    F: FnMut(&Subset<'_, T>, &Subset<'_, T>) -> Result<f64, E>,
    E: fmt::Display,
{
    let labels: Vec<usize> = (0..data.len()).map(|index| data.label(index)).collect();
    let len = data.len();
    cross_validate(&labels, k, seed, |fold| -> Result<f64, String> {
        let train = Subset::with_len(data, len, &fold.train).map_err(|e| e.to_string())?;
        let validation =
            Subset::with_len(data, len, &fold.validation).map_err(|e| e.to_string())?;
        run(&train, &validation).map_err(|e| e.to_string())
    })
}
