//! Baseline against improved: one row of numbers per run, the gap between
//! training and validation, the table that puts them side by side, and whether
//! the difference between the two recipes is more than the noise.

use kindling::train::History;
use kindling_course::facts::stage08::REAL_BEYOND;
use serde::Serialize;

/// One run's line of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// `baseline` or `improved`.
    pub run: String,
    /// The augmentation it trained with, as `--augment` spells it.
    pub augmentation: String,
    /// Training accuracy of the last epoch.
    pub train_accuracy: f64,
    /// Validation accuracy of the last epoch.
    pub val_accuracy: f64,
    /// The best validation accuracy of any epoch.
    pub best_val_accuracy: f64,
    /// The epoch it came in.
    pub best_epoch: usize,
    /// Training minus validation accuracy at the last epoch.
    pub gap: f64,
}

/// The last epoch's value of a metric (NaN when the history has none).
pub fn last(history: &History, metric: &str) -> f64 {
    history
        .final_epoch()
        .and_then(|row| row.get(metric))
        .unwrap_or(f64::NAN)
}

// ANCHOR: gap
/// How far validation accuracy is behind training accuracy at the last epoch.
/// A wide gap means the model knows its training images better than new ones.
pub fn gap(history: &History) -> f64 {
    // [solution]
    last(history, "accuracy") - last(history, "val_accuracy")
    // [exercise]
    // // TODO: training accuracy minus validation accuracy, both of the last
    // // epoch: last(history, "accuracy") gives the first one.
    // let _ = history;
    // f64::NAN
    // [end]
}
// ANCHOR_END: gap

/// The comparison row of one run.
pub fn row(run: &str, augmentation: &str, history: &History) -> Row {
    let best = history.best("val_accuracy");
    Row {
        run: run.into(),
        augmentation: augmentation.into(),
        train_accuracy: last(history, "accuracy"),
        val_accuracy: last(history, "val_accuracy"),
        best_val_accuracy: best.as_ref().map_or(f64::NAN, |b| b.value),
        best_epoch: best.map_or(0, |b| b.epoch),
        gap: gap(history),
    }
}

/// The rows as a Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut text = String::from(
        "| run | augmentation | train accuracy | validation accuracy | best validation (epoch) | gap |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        text.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {:.3} ({}) | {:+.3} |\n",
            row.run,
            row.augmentation,
            row.train_accuracy,
            row.val_accuracy,
            row.best_val_accuracy,
            row.best_epoch,
            row.gap
        ));
    }
    text
}

/// A few measurements of one number: their mean, how far they scatter, and how
/// far their mean would move if the whole experiment were run again.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (dividing by n - 1, not n).
    pub std: f64,
    /// The standard error of the mean: `std / sqrt(n)`.
    pub standard_error: f64,
}

impl Spread {
    /// The spread of `values` (NaN for fewer than two).
    pub fn of(values: &[f64]) -> Spread {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let std = sample_std(values);
        Spread {
            mean,
            std,
            standard_error: standard_error(std, values.len()),
        }
    }
}

/// The sample standard deviation: the square root of the squared distances to
/// the mean, summed and divided by n - 1. NaN for fewer than two values.
pub fn sample_std(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (squares / (n - 1.0)).sqrt()
}

// ANCHOR: standard_error
/// The standard error of a mean of `n` measurements whose sample standard
/// deviation is `std`: how much the mean itself moves from one repeat of the
/// whole experiment to the next.
pub fn standard_error(std: f64, n: usize) -> f64 {
    // [solution]
    std / (n as f64).sqrt()
    // [exercise]
    // // TODO: the standard deviation divided by the square root of n
    // // ((n as f64).sqrt() is the square root of n as a decimal number).
    // let _ = (std, n);
    // f64::NAN
    // [end]
}
// ANCHOR_END: standard_error

/// The improved recipe against the baseline, seed by seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The seeds both recipes were trained at.
    pub seeds: Vec<u64>,
    /// The baseline's validation accuracy at each seed.
    pub baseline: Vec<f64>,
    /// The improved recipe's, at the same seeds.
    pub improved: Vec<f64>,
    /// Improved minus baseline, seed by seed.
    pub differences: Vec<f64>,
    /// Their mean, sample standard deviation and standard error.
    #[serde(flatten)]
    pub spread: Spread,
    /// How many standard errors the mean is above zero.
    pub standard_errors: f64,
    /// True when that is more than [`REAL_BEYOND`].
    pub real: bool,
}

// ANCHOR: difference
/// Compares two recipes trained at the same seeds: one difference per seed (the
/// same seed starts both from the same weights), then their spread. The
/// difference is real when its mean is more than two standard errors above zero.
pub fn difference(seeds: &[u64], baseline: &[f64], improved: &[f64]) -> Difference {
    let differences: Vec<f64> = improved.iter().zip(baseline).map(|(i, b)| i - b).collect();
    let spread = Spread::of(&differences);
    let standard_errors = spread.mean / spread.standard_error;
    Difference {
        seeds: seeds.to_vec(),
        baseline: baseline.to_vec(),
        improved: improved.to_vec(),
        differences,
        spread,
        standard_errors,
        real: spread.mean > REAL_BEYOND * spread.standard_error,
    }
}
// ANCHOR_END: difference

// The exercise leaves these out: its TODOs would fail them under `cargo test --workspace`.
// [solution]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_uses_the_sample_standard_deviation() {
        let spread = Spread::of(&[0.3, 0.4, 0.5]);
        assert!((spread.mean - 0.4).abs() < 1e-12);
        assert!((spread.std - 0.1).abs() < 1e-12);
        assert!((spread.standard_error - 0.1 / 3f64.sqrt()).abs() < 1e-12);
        assert!(Spread::of(&[0.5]).std.is_nan());
    }

    #[test]
    fn a_difference_is_real_only_beyond_two_standard_errors() {
        let clear = difference(&[1, 2, 3], &[0.40, 0.45, 0.50], &[0.55, 0.58, 0.66]);
        assert!(clear.real, "{clear:?}");
        let noisy = difference(&[1, 2, 3], &[0.40, 0.45, 0.50], &[0.50, 0.40, 0.52]);
        assert!(!noisy.real, "{noisy:?}");
        assert!(noisy.standard_errors < 2.0);
    }
}
// [exercise]
// [end]
