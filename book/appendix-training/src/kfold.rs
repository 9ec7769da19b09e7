//! k-fold cross-validation of a tiny classifier: the spread of its scores, on
//! 60 points and on 600, and what one validation split alone would have said.

use std::fmt::Write;

use anyhow::Result;
use kindling::train::FeatureData;
use kindling::train::tuning::{CrossValidation, cross_validate};

use crate::points::two_groups;

/// Folds.
pub const K: usize = 5;

// ANCHOR: centroid
/// The nearest-centroid rule: the mean point of each class in `train`, then each
/// point of `test` gets the class of the nearer mean. Returns the accuracy.
pub fn nearest_centroid(data: &FeatureData, train: &[usize], test: &[usize]) -> f64 {
    let mut sums = [[0.0f64; 2]; 2];
    let mut counts = [0usize; 2];
    for &i in train {
        let (row, label) = (data.row(i), data.labels[i]);
        sums[label][0] += row[0] as f64;
        sums[label][1] += row[1] as f64;
        counts[label] += 1;
    }
    let means = [0, 1].map(|c| [0, 1].map(|d| sums[c][d] / counts[c].max(1) as f64));
    let distance = |row: &[f32], mean: [f64; 2]| {
        (row[0] as f64 - mean[0]).powi(2) + (row[1] as f64 - mean[1]).powi(2)
    };
    let right = test
        .iter()
        .filter(|&&i| {
            let row = data.row(i);
            let guess = usize::from(distance(row, means[1]) < distance(row, means[0]));
            guess == data.labels[i]
        })
        .count();
    right as f64 / test.len() as f64
}
// ANCHOR_END: centroid

// ANCHOR: kfold
/// Five-fold cross-validation of the nearest-centroid rule on `count` points.
pub fn cross_validated(count: usize, seed: u64) -> Result<CrossValidation> {
    let data = two_groups(count, seed, 1, 0.0);
    Ok(cross_validate(&data.labels, K, seed, |fold| {
        Ok::<_, String>(nearest_centroid(&data, &fold.train, &fold.validation))
    })?)
}
// ANCHOR_END: kfold

/// The k-fold scores on 60 and on 600 points.
pub fn printout() -> Result<String> {
    let mut text = String::new();
    for count in [60, 600] {
        let spread = cross_validated(count, 7)?;
        let lowest = spread.scores.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = spread.scores.iter().copied().fold(0.0, f64::max);
        writeln!(text, "{count} points: {spread}")?;
        writeln!(
            text,
            "  one split alone could have said anything from {lowest:.3} to {highest:.3}; sample std {:.4}",
            spread.sample_std().unwrap_or(f64::NAN)
        )?;
    }
    Ok(text)
}
