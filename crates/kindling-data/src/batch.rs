//! Turning images into Burn tensors, one batch at a time, in a seeded order.

use burn::data::dataloader::batcher::Batcher;
use burn::prelude::*;
use rand::seq::SliceRandom;

use crate::augment::Augmentation;
use crate::image_set::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE, ImageItem, ImageSet};
use crate::normalize::Normalization;
use crate::rng::seeded_rng;

/// A batch ready for a model: images `[batch, 3, 32, 32]` and class indices `[batch]`.
#[derive(Debug, Clone)]
pub struct ImageBatch {
    /// Normalised pixels, shape `[batch, channels, height, width]`.
    pub images: Tensor<4>,
    /// Class index of each image, shape `[batch]`.
    pub targets: Tensor<1, Int>,
}

/// Builds [`ImageBatch`]es, normalising pixels on the way. It implements Burn's
/// [`Batcher`], so it plugs into Burn's `DataLoaderBuilder` with an [`ImageSet`].
#[derive(Debug, Clone, Copy)]
pub struct ImageBatcher {
    /// The statistics pixels are normalised with (fitted on the training pile).
    pub normalization: Normalization,
}

impl ImageBatcher {
    /// A batcher that normalises with the given statistics.
    pub fn new(normalization: Normalization) -> Self {
        Self { normalization }
    }

    /// Builds a batch straight from a set, without copying items first.
    pub fn batch_of(&self, set: &ImageSet, indices: &[usize], device: &Device) -> ImageBatch {
        self.build(
            indices.iter().map(|&i| (set.image(i), set.label(i))),
            indices.len(),
            device,
        )
    }

    /// Like [`batch_of`](Self::batch_of), but each image is augmented first, its draw
    /// keyed by `seed`, `epoch` and its index in `set` (so the batch does not depend
    /// on the order of `indices` or on threads).
    pub fn augmented_batch_of(
        &self,
        set: &ImageSet,
        indices: &[usize],
        augmentation: &Augmentation,
        seed: u64,
        epoch: usize,
        device: &Device,
    ) -> ImageBatch {
        let mut scratch = vec![0u8; IMAGE_BYTES];
        let mut pixels = Vec::with_capacity(indices.len() * IMAGE_BYTES);
        for &index in indices {
            scratch.copy_from_slice(set.image(index));
            augmentation.apply(&mut scratch, seed, epoch, index);
            self.normalization.extend_normalized(&scratch, &mut pixels);
        }
        let targets = indices.iter().map(|&i| set.label(i) as i64).collect();
        self.tensors(pixels, targets, device)
    }

    /// Just the images of a batch, for a model's forward pass.
    pub fn images_of(&self, set: &ImageSet, indices: &[usize], device: &Device) -> Tensor<4> {
        self.batch_of(set, indices, device).images
    }

    fn build<'a>(
        &self,
        items: impl Iterator<Item = (&'a [u8], usize)>,
        count: usize,
        device: &Device,
    ) -> ImageBatch {
        let mut pixels = Vec::with_capacity(count * IMAGE_BYTES);
        let mut targets = Vec::with_capacity(count);
        for (planes, label) in items {
            self.normalization.extend_normalized(planes, &mut pixels);
            targets.push(label as i64);
        }
        self.tensors(pixels, targets, device)
    }

    fn tensors(&self, pixels: Vec<f32>, targets: Vec<i64>, device: &Device) -> ImageBatch {
        let count = targets.len();
        let shape = [count, CHANNELS, IMAGE_SIDE, IMAGE_SIDE];
        ImageBatch {
            images: Tensor::from_data(TensorData::new(pixels, shape), device),
            targets: Tensor::from_data(TensorData::new(targets, [count]), device),
        }
    }
}

impl Batcher<ImageItem, ImageBatch> for ImageBatcher {
    fn batch(&self, items: Vec<ImageItem>, device: &Device) -> ImageBatch {
        let count = items.len();
        self.build(
            items
                .iter()
                .map(|item| (item.pixels.as_slice(), item.label)),
            count,
            device,
        )
    }
}

/// The order of one epoch: indices `0..len` shuffled by `(seed, epoch)` and cut into
/// batches of `batch_size` (the last one may be smaller). The same seed and epoch
/// always give the same batches.
pub fn epoch_batches(len: usize, batch_size: usize, seed: u64, epoch: usize) -> Vec<Vec<usize>> {
    assert!(batch_size > 0, "batch size must be at least 1");
    let mut order: Vec<usize> = (0..len).collect();
    order.shuffle(&mut seeded_rng(seed, 1 << 32 | epoch as u64));
    order.chunks(batch_size).map(<[usize]>::to_vec).collect()
}

/// Indices `0..len` in order, cut into batches (for evaluation, where order does not matter).
pub fn sequential_batches(len: usize, batch_size: usize) -> Vec<Vec<usize>> {
    assert!(batch_size > 0, "batch size must be at least 1");
    (0..len)
        .collect::<Vec<_>>()
        .chunks(batch_size)
        .map(<[usize]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::{Split, generate};

    #[test]
    fn epochs_are_shuffled_reproducibly_and_cover_every_index() {
        let first = epoch_batches(10, 4, 1, 1);
        assert_eq!(first.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
        assert_eq!(first, epoch_batches(10, 4, 1, 1));
        assert_ne!(first, epoch_batches(10, 4, 1, 2));
        let mut all: Vec<usize> = first.concat();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn batches_have_the_right_shapes_and_values() {
        let set = generate(Split::Train, 5, 1).unwrap();
        let batcher = ImageBatcher::new(Normalization::IDENTITY);
        let device = Device::flex();
        let batch = batcher.batch_of(&set, &[4, 0], &device);
        assert_eq!(batch.images.dims(), [2, 3, 32, 32]);
        let targets: Vec<i64> = batch.targets.into_data().try_into_vec_as().unwrap();
        assert_eq!(targets, [set.label(4) as i64, set.label(0) as i64]);
        let first: Vec<f32> = batch.images.into_data().try_into_vec_as().unwrap();
        assert!((first[0] - set.image(4)[0] as f32 / 255.0).abs() < 1e-6);

        let items = vec![burn::data::dataset::Dataset::get(&set, 4).unwrap()];
        let via_trait = batcher.batch(items, &device);
        let again: Vec<f32> = via_trait.images.into_data().try_into_vec_as().unwrap();
        assert_eq!(again[..IMAGE_BYTES], first[..IMAGE_BYTES]);
    }
}
