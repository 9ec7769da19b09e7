//! `ImageSet`: labelled 32x32 RGB images kept as bytes until a batch is built.

use std::sync::Arc;

use burn::data::dataset::{Dataset, DatasetError};

use crate::error::DataError;

/// Images are 32 pixels on each side, like CIFAR-10.
pub const IMAGE_SIDE: usize = 32;
/// Red, green and blue.
pub const CHANNELS: usize = 3;
/// Bytes per image: 3 planes of 32x32.
pub const IMAGE_BYTES: usize = CHANNELS * IMAGE_SIDE * IMAGE_SIDE;

/// A set of labelled images.
///
/// Pixels stay `u8` (1 byte each) in CIFAR-10's layout: for each image, the 1024 red
/// values, then the 1024 green, then the 1024 blue, each plane row by row. That is
/// 3 KB per image, so all 60,000 CIFAR-10 images fit in about 184 MB. They become
/// floats only when a batch is built.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSet {
    pixels: Vec<u8>,
    labels: Vec<u8>,
    class_names: Arc<[String]>,
}

/// One image and its label, as Burn's [`Dataset`] hands it out.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    /// `IMAGE_BYTES` bytes in CIFAR-10 layout (channel planes).
    pub pixels: Vec<u8>,
    /// Class index, from 0.
    pub label: usize,
}

impl ImageSet {
    /// Builds a set, checking that pixels, labels and class names fit together.
    pub fn new(
        pixels: Vec<u8>,
        labels: Vec<u8>,
        class_names: Vec<String>,
    ) -> Result<Self, DataError> {
        if pixels.len() != labels.len() * IMAGE_BYTES {
            return Err(DataError::Inconsistent(format!(
                "{} labels need {} pixel bytes, found {}",
                labels.len(),
                labels.len() * IMAGE_BYTES,
                pixels.len()
            )));
        }
        if class_names.is_empty() || class_names.len() > 256 {
            return Err(DataError::Inconsistent(format!(
                "{} class names; between 1 and 256 are supported",
                class_names.len()
            )));
        }
        if let Some(bad) = labels.iter().find(|&&l| l as usize >= class_names.len()) {
            return Err(DataError::Inconsistent(format!(
                "label {bad} but only {} classes",
                class_names.len()
            )));
        }
        Ok(Self {
            pixels,
            labels,
            class_names: class_names.into(),
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the set holds no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The bytes of image `index` in CIFAR-10 layout (three colour planes).
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_BYTES..(index + 1) * IMAGE_BYTES]
    }

    /// All pixel bytes, image after image.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Image `index` as interleaved RGB rows (`[r, g, b, r, g, b, ...]`), the layout
    /// image files and charts use.
    pub fn image_rgb(&self, index: usize) -> Vec<u8> {
        planes_to_rgb(self.image(index))
    }

    /// The class index of image `index`.
    pub fn label(&self, index: usize) -> usize {
        self.labels[index] as usize
    }

    /// All labels, as bytes.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// How many images each class has, indexed by label.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes()];
        for &label in &self.labels {
            counts[label as usize] += 1;
        }
        counts
    }

    /// A new set holding the given images, in the given order.
    pub fn select(&self, indices: &[usize]) -> ImageSet {
        let mut pixels = Vec::with_capacity(indices.len() * IMAGE_BYTES);
        let mut labels = Vec::with_capacity(indices.len());
        for &index in indices {
            pixels.extend_from_slice(self.image(index));
            labels.push(self.labels[index]);
        }
        ImageSet {
            pixels,
            labels,
            class_names: Arc::clone(&self.class_names),
        }
    }

    /// The first `count` images (all of them when `count` is larger).
    pub fn take(mut self, count: usize) -> ImageSet {
        let count = count.min(self.len());
        self.pixels.truncate(count * IMAGE_BYTES);
        self.labels.truncate(count);
        self
    }

    /// Bytes of memory the pixels and labels take.
    pub fn memory_bytes(&self) -> usize {
        self.pixels.capacity() + self.labels.capacity()
    }
}

/// Converts one image from colour planes (CIFAR-10 layout) to interleaved RGB.
pub fn planes_to_rgb(planes: &[u8]) -> Vec<u8> {
    let area = IMAGE_SIDE * IMAGE_SIDE;
    let mut rgb = vec![0; IMAGE_BYTES];
    for pixel in 0..area {
        for channel in 0..CHANNELS {
            rgb[pixel * CHANNELS + channel] = planes[channel * area + pixel];
        }
    }
    rgb
}

/// Converts one image from interleaved RGB to colour planes (CIFAR-10 layout).
pub fn rgb_to_planes(rgb: &[u8]) -> Vec<u8> {
    let area = IMAGE_SIDE * IMAGE_SIDE;
    let mut planes = vec![0; IMAGE_BYTES];
    for pixel in 0..area {
        for channel in 0..CHANNELS {
            planes[channel * area + pixel] = rgb[pixel * CHANNELS + channel];
        }
    }
    planes
}

impl Dataset<ImageItem> for ImageSet {
    fn get(&self, index: usize) -> Result<ImageItem, DatasetError> {
        if index >= self.len() {
            return Err(DatasetError::new(DataError::NotEnough {
                what: "image index".into(),
                asked: index + 1,
                available: self.len(),
                fix: "ask for an index below the set's length".into(),
            }));
        }
        Ok(ImageItem {
            pixels: self.image(index).to_vec(),
            label: self.label(index),
        })
    }

    fn len(&self) -> usize {
        self.labels.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> ImageSet {
        let mut pixels = vec![0u8; 3 * IMAGE_BYTES];
        pixels[IMAGE_BYTES] = 7;
        ImageSet::new(pixels, vec![0, 1, 1], vec!["a".into(), "b".into()]).unwrap()
    }

    #[test]
    fn counts_select_and_take() {
        let set = tiny();
        assert_eq!(set.class_counts(), [1, 2]);
        let picked = set.select(&[1]);
        assert_eq!(picked.len(), 1);
        assert_eq!(picked.image(0)[0], 7);
        assert_eq!(picked.label(0), 1);
        assert_eq!(set.take(2).class_counts(), [1, 1]);
    }

    #[test]
    fn mismatched_parts_are_refused() {
        let names = vec!["a".to_string()];
        assert!(ImageSet::new(vec![0; 10], vec![0], names.clone()).is_err());
        assert!(ImageSet::new(vec![0; IMAGE_BYTES], vec![3], names).is_err());
    }

    #[test]
    fn layouts_convert_both_ways() {
        let planes: Vec<u8> = (0..IMAGE_BYTES).map(|i| (i % 251) as u8).collect();
        let rgb = planes_to_rgb(&planes);
        assert_eq!(rgb[0..3], [planes[0], planes[1024], planes[2048]]);
        assert_eq!(rgb_to_planes(&rgb), planes);
    }

    #[test]
    fn burn_dataset_hands_out_items() {
        let set = tiny();
        let item = Dataset::get(&set, 1).unwrap();
        assert_eq!((item.label, item.pixels[0]), (1, 7));
        assert!(Dataset::get(&set, 3).is_err());
    }
}
