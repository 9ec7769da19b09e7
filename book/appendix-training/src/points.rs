//! Small made-up data sets of points in the plane, for experiments that must run
//! in a second.

use kindling::data::seeded_rng;
use kindling::train::FeatureData;
use rand::RngExt;

/// A bell-curve number with this mean and spread (Box-Muller).
fn normal(rng: &mut kindling::data::SeededRng, mean: f32, spread: f32) -> f32 {
    let (u1, u2): (f32, f32) = (rng.random_range(1e-7..1.0), rng.random_range(0.0..1.0));
    mean + spread * (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// Two overlapping groups, centred at (-1, 0) and (1, 0), spread 1. With
/// `flipped` the label of that share of the points is swapped (noisy labels).
pub fn two_groups(count: usize, seed: u64, stream: u64, flipped: f64) -> FeatureData {
    let mut rng = seeded_rng(seed, stream);
    let mut features = Vec::with_capacity(count * 2);
    let mut labels = Vec::with_capacity(count);
    for index in 0..count {
        let group = index % 2;
        let centre = if group == 0 { -1.0 } else { 1.0 };
        features.push(normal(&mut rng, centre, 1.0));
        features.push(normal(&mut rng, 0.0, 1.0));
        let swap = rng.random_range(0.0..1.0) < flipped;
        labels.push(if swap { 1 - group } else { group });
    }
    FeatureData::new(features, 2, labels)
}

/// A disc of class 0 inside a ring of class 1: no straight line separates them.
pub fn rings(count: usize, seed: u64, stream: u64) -> FeatureData {
    let mut rng = seeded_rng(seed, stream);
    let mut features = Vec::with_capacity(count * 2);
    let mut labels = Vec::with_capacity(count);
    for index in 0..count {
        let class = index % 2;
        let radius = if class == 0 {
            rng.random_range(0.0..1.0f32)
        } else {
            rng.random_range(1.5..2.5f32)
        };
        let angle = rng.random_range(0.0..std::f32::consts::TAU);
        features.push(radius * angle.cos());
        features.push(radius * angle.sin());
        labels.push(class);
    }
    FeatureData::new(features, 2, labels)
}
