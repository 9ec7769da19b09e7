//! Pixel scaling and per-channel normalisation, fitted on the training pile only.

use serde::{Deserialize, Serialize};

use crate::image_set::{CHANNELS, IMAGE_SIDE, ImageSet};

/// Per-channel mean and standard deviation of pixels scaled to [0, 1].
///
/// Fit it on the training pile only: computing it over validation or test images
/// would leak a little of them into training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Normalization {
    /// Mean of red, green and blue, each in [0, 1].
    pub mean: [f32; CHANNELS],
    /// Standard deviation of red, green and blue.
    pub std: [f32; CHANNELS],
}

impl Normalization {
    /// Leaves pixels scaled to [0, 1] and nothing more.
    pub const IDENTITY: Normalization = Normalization {
        mean: [0.0; CHANNELS],
        std: [1.0; CHANNELS],
    };

    /// Measures the mean and standard deviation of each channel over a set.
    pub fn fit(set: &ImageSet) -> Normalization {
        let area = IMAGE_SIDE * IMAGE_SIDE;
        let mut sum = [0u64; CHANNELS];
        let mut sum_squares = [0u64; CHANNELS];
        for index in 0..set.len() {
            for (channel, plane) in set.image(index).chunks_exact(area).enumerate() {
                for &value in plane {
                    let value = value as u64;
                    sum[channel] += value;
                    sum_squares[channel] += value * value;
                }
            }
        }
        let count = (set.len() * area).max(1) as f64;
        let mut mean = [0.0; CHANNELS];
        let mut std = [1.0; CHANNELS];
        for channel in 0..CHANNELS {
            let m = sum[channel] as f64 / count;
            let variance = (sum_squares[channel] as f64 / count - m * m).max(0.0);
            mean[channel] = (m / 255.0) as f32;
            // A flat channel would divide by zero; leave it unscaled instead.
            let s = variance.sqrt() / 255.0;
            std[channel] = if s > 1e-6 { s as f32 } else { 1.0 };
        }
        Normalization { mean, std }
    }

    /// Scales one pixel byte of `channel` to [0, 1] and normalises it.
    pub fn apply(&self, channel: usize, value: u8) -> f32 {
        (value as f32 / 255.0 - self.mean[channel]) / self.std[channel]
    }

    /// Appends one image (CIFAR-10 layout bytes) as normalised floats.
    pub fn extend_normalized(&self, planes: &[u8], out: &mut Vec<f32>) {
        let area = IMAGE_SIDE * IMAGE_SIDE;
        for (channel, plane) in planes.chunks_exact(area).enumerate() {
            let scale = 1.0 / (255.0 * self.std[channel]);
            let shift = self.mean[channel] / self.std[channel];
            out.extend(plane.iter().map(|&v| v as f32 * scale - shift));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_set::IMAGE_BYTES;

    #[test]
    fn fitted_statistics_normalise_the_training_pile() {
        let mut pixels = vec![0u8; 2 * IMAGE_BYTES];
        // Image 0 is black, image 1 is white in every channel.
        pixels[IMAGE_BYTES..].fill(255);
        let set = ImageSet::new(pixels, vec![0, 0], vec!["x".into()]).unwrap();
        let norm = Normalization::fit(&set);
        assert_eq!(norm.mean, [0.5; 3]);
        assert!((norm.std[0] - 0.5).abs() < 1e-6);
        assert!((norm.apply(0, 255) - 1.0).abs() < 1e-6);
        assert!((norm.apply(1, 0) + 1.0).abs() < 1e-6);
        let mut out = Vec::new();
        norm.extend_normalized(set.image(1), &mut out);
        assert!(out.iter().all(|v| (v - 1.0).abs() < 1e-5));
    }
}
