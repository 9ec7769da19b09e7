//! What `fit` trains on: anything that can hand out batches of inputs and labels.

use burn::prelude::*;

use kindling_data::{ImageBatcher, ImageSet, Normalization};

use crate::config::FitConfig;

/// Labelled examples that can be cut into batches. Inputs have rank `D`: 4 for
/// images `[batch, channels, height, width]`, 2 for feature rows `[batch, features]`.
pub trait ClassificationData<const D: usize>: Sync {
    /// Number of examples.
    fn len(&self) -> usize;

    /// True when there are no examples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The label of example `index`.
    fn label(&self, index: usize) -> usize;

    /// Inputs and labels of the given examples, on `device`.
    fn batch(&self, indices: &[usize], device: &Device) -> (Tensor<D>, Tensor<1, Int>);

    /// The batch `fit` trains on in `epoch` (counted from 1): where the data knows
    /// how, changed by `config.augmentation`, drawn from `config.seed`. By default it
    /// is [`batch`](Self::batch). `fit` measures validation data with `batch`, so
    /// validation and test images are never augmented.
    fn training_batch(
        &self,
        indices: &[usize],
        epoch: usize,
        config: &FitConfig,
        device: &Device,
    ) -> (Tensor<D>, Tensor<1, Int>) {
        let _ = (epoch, config);
        self.batch(indices, device)
    }
}

/// An [`ImageSet`] with the normalisation its batches get.
#[derive(Debug, Clone, Copy)]
pub struct ImageData<'a> {
    /// The images.
    pub set: &'a ImageSet,
    /// Turns images into normalised tensors.
    pub batcher: ImageBatcher,
}

impl<'a> ImageData<'a> {
    /// Images normalised with the given statistics (fit them on the training pile).
    pub fn new(set: &'a ImageSet, normalization: Normalization) -> Self {
        Self {
            set,
            batcher: ImageBatcher::new(normalization),
        }
    }
}

impl ClassificationData<4> for ImageData<'_> {
    fn len(&self) -> usize {
        self.set.len()
    }

    fn label(&self, index: usize) -> usize {
        self.set.label(index)
    }

    fn batch(&self, indices: &[usize], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
        let batch = self.batcher.batch_of(self.set, indices, device);
        (batch.images, batch.targets)
    }

    fn training_batch(
        &self,
        indices: &[usize],
        epoch: usize,
        config: &FitConfig,
        device: &Device,
    ) -> (Tensor<4>, Tensor<1, Int>) {
        let batch = match &config.augmentation {
            Some(augmentation) if !augmentation.is_none() => self.batcher.augmented_batch_of(
                self.set,
                indices,
                augmentation,
                config.seed,
                epoch,
                device,
            ),
            _ => self.batcher.batch_of(self.set, indices, device),
        };
        (batch.images, batch.targets)
    }
}

/// Rows of numeric features with class labels, such as points in the plane.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureData {
    /// Features, row after row.
    pub features: Vec<f32>,
    /// Features per row.
    pub width: usize,
    /// Class of each row.
    pub labels: Vec<usize>,
}

impl FeatureData {
    /// Builds the set; `features.len()` must be `labels.len() * width`.
    pub fn new(features: Vec<f32>, width: usize, labels: Vec<usize>) -> Self {
        assert_eq!(
            features.len(),
            labels.len() * width,
            "each label needs `width` features"
        );
        Self {
            features,
            width,
            labels,
        }
    }

    /// Row `index`'s features.
    pub fn row(&self, index: usize) -> &[f32] {
        &self.features[index * self.width..(index + 1) * self.width]
    }
}

impl ClassificationData<2> for FeatureData {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn label(&self, index: usize) -> usize {
        self.labels[index]
    }

    fn batch(&self, indices: &[usize], device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
        let mut rows = Vec::with_capacity(indices.len() * self.width);
        for &index in indices {
            rows.extend_from_slice(self.row(index));
        }
        let labels: Vec<i64> = indices.iter().map(|&i| self.labels[i] as i64).collect();
        (
            Tensor::from_data(TensorData::new(rows, [indices.len(), self.width]), device),
            Tensor::from_data(TensorData::new(labels, [indices.len()]), device),
        )
    }
}
