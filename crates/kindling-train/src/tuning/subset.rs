//! A view of some examples of a dataset, for training and validating on folds.

use burn::prelude::*;

use crate::FitConfig;
use crate::data::ClassificationData;

use super::error::TuningError;

/// Some examples of `data`, picked by index, without copying them: pass it to
/// `fit` or `evaluate` like the whole set.
///
/// ```
/// use kindling_train::{ClassificationData, FeatureData};
/// use kindling_train::tuning::Subset;
/// let data = FeatureData::new(vec![0.0, 1.0, 2.0], 1, vec![0, 1, 0]);
/// let picked = [2, 1];
/// let subset = Subset::new(&data, &picked)?;
/// assert_eq!(ClassificationData::<2>::len(&subset), 2);
/// assert_eq!(ClassificationData::<2>::label(&subset, 1), 1);
/// # Ok::<(), kindling_train::tuning::TuningError>(())
/// ```
#[derive(Debug)]
pub struct Subset<'a, T> {
    data: &'a T,
    indices: &'a [usize],
}

// By hand: a derive would ask for `T: Clone`, but only references are copied.
impl<T> Clone for Subset<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Subset<'_, T> {}

impl<'a, T> Subset<'a, T> {
    /// The examples of `data` at `indices`; fails if an index is out of range.
    pub fn new<const D: usize>(data: &'a T, indices: &'a [usize]) -> Result<Self, TuningError>
    where
        T: ClassificationData<D>,
    {
        Self::with_len(data, data.len(), indices)
    }

    /// The indices into the whole set.
    pub fn indices(&self) -> &[usize] {
        self.indices
    }

    /// [`new`](Self::new) with the data's size given (so no rank is needed).
    pub(super) fn with_len(
        data: &'a T,
        len: usize,
        indices: &'a [usize],
    ) -> Result<Self, TuningError> {
        if let Some(&index) = indices.iter().find(|&&index| index >= len) {
            return Err(TuningError::IndexOutOfRange { index, len });
        }
        Ok(Subset { data, indices })
    }
}

impl<T, const D: usize> ClassificationData<D> for Subset<'_, T>
where
    T: ClassificationData<D>,
{
    fn len(&self) -> usize {
        self.indices.len()
    }

    fn label(&self, index: usize) -> usize {
        self.data.label(self.indices[index])
    }

    fn batch(&self, indices: &[usize], device: &Device) -> (Tensor<D>, Tensor<1, Int>) {
        self.data.batch(&self.picked(indices), device)
    }

    // Passed through, so that a fold of an augmented set is trained augmented, each
    // image with the draws it has in the whole set.
    fn training_batch(
        &self,
        indices: &[usize],
        epoch: usize,
        config: &FitConfig,
        device: &Device,
    ) -> (Tensor<D>, Tensor<1, Int>) {
        self.data
            .training_batch(&self.picked(indices), epoch, config, device)
    }
}

impl<T> Subset<'_, T> {
    /// The whole set's indices of the subset's examples at `indices`.
    fn picked(&self, indices: &[usize]) -> Vec<usize> {
        indices.iter().map(|&i| self.indices[i]).collect()
    }
}
