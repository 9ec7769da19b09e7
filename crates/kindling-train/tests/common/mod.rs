//! Test data shared by the training tests.

use kindling_data::seeded_rng;
use kindling_train::FeatureData;
use rand::RngExt;

/// Two noisy clouds of points in the plane, one per class, alternating labels.
pub fn blobs(count: usize, seed: u64) -> FeatureData {
    let mut rng = seeded_rng(seed, 0);
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for index in 0..count {
        let class = index % 2;
        let centre = if class == 0 { -1.0 } else { 1.0 };
        features.push(centre + rng.random_range(-1.2..1.2f32));
        features.push(centre + rng.random_range(-1.2..1.2f32));
        labels.push(class);
    }
    FeatureData::new(features, 2, labels)
}
