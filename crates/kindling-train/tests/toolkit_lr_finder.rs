//! The learning-rate finder on a small Mlp over two clouds of points.

mod common;

use burn::prelude::*;
use common::blobs;

use kindling_models::{Mlp, MlpConfig, init_seeded};
use kindling_train::lr_finder::{LrFinderConfig, LrPoint, lr_find, steepest_rate};
use kindling_train::{FeatureData, FitConfig, FitError, OptimizerKind, Verbosity, evaluate, fit};

fn mlp(seed: u64) -> Mlp {
    init_seeded(&Device::flex(), seed, |d| {
        MlpConfig::new(2, vec![8]).with_num_classes(2).init(d)
    })
}

fn base() -> FitConfig {
    FitConfig::default()
        .with_batch_size(16)
        .with_verbosity(Verbosity::Silent)
}

fn sweep() -> LrFinderConfig {
    LrFinderConfig::default()
        .with_range(1e-5, 100.0)
        .with_steps(80)
}

#[test]
fn the_suggestion_is_in_range_and_training_at_it_lowers_the_loss() {
    let data = blobs(128, 1);
    for optimizer in [OptimizerKind::Adam, OptimizerKind::Sgd { momentum: 0.0 }] {
        let config = base().with_optimizer(optimizer);
        let finder = lr_find(&mlp(1), &data, &config, &sweep()).unwrap();
        let suggestion = finder.suggestion.unwrap();
        assert_eq!(finder.steepest, Some(suggestion));
        assert!((1e-5..=100.0).contains(&suggestion), "{finder}");
        assert!(finder.points.iter().any(|p| p.learning_rate == suggestion));

        let device = Device::flex();
        let before = evaluate(&mlp(1), &data, &device).loss;
        let trained = config.clone().with_learning_rate(suggestion).with_epochs(3);
        let (model, _) = fit(mlp(1), &data, None, &trained).unwrap();
        let after = evaluate(&model, &data, &device).loss;
        assert!(
            after < 0.5 * before,
            "{optimizer:?}: {before} -> {after} at {suggestion}"
        );
    }
}

#[test]
fn the_sweep_is_exponential_and_stops_when_the_loss_explodes() {
    let data = blobs(128, 1);
    let finder = lr_find(&mlp(1), &data, &base(), &sweep()).unwrap();
    let rates: Vec<f64> = finder.points.iter().map(|p| p.learning_rate).collect();
    assert_eq!(rates[0], 1e-5);
    let ratio = (100.0f64 / 1e-5).powf(1.0 / 79.0);
    for pair in rates.windows(2) {
        assert!((pair[1] / pair[0] - ratio).abs() < 1e-9, "{pair:?}");
    }
    // Adam cannot cope with rates near 100: the sweep ends early.
    let reason = finder.stopped_early.as_deref().unwrap();
    assert!(reason.contains("exploded"), "{reason}");
    assert!(finder.points.len() < 80);
    let last = finder.points.last().unwrap();
    let best_before = finder.points[..finder.points.len() - 1]
        .iter()
        .map(|p| p.smoothed)
        .fold(f64::INFINITY, f64::min);
    assert!(last.smoothed > 4.0 * best_before);
    // The smoothing is bias-corrected: the first point is the raw loss, the second
    // (0.9 * 0.1 * l1 + 0.1 * l2) / (1 - 0.81).
    let [p1, p2] = [finder.points[0], finder.points[1]];
    assert_eq!(p1.smoothed, p1.loss);
    let expected = (0.09 * p1.loss + 0.1 * p2.loss) / 0.19;
    assert!((p2.smoothed - expected).abs() < 1e-12);
    assert_eq!(finder.curve().len(), finder.points.len());
}

#[test]
fn a_gentle_sweep_runs_every_step_across_epochs_and_repeats_exactly() {
    let data = blobs(40, 2); // 3 batches per epoch: 20 steps need 7 epochs
    let gentle = LrFinderConfig::default()
        .with_range(1e-5, 1e-3)
        .with_steps(20);
    let first = lr_find(&mlp(2), &data, &base(), &gentle).unwrap();
    assert_eq!(first.stopped_early, None);
    assert_eq!(first.points.len(), 20);
    let last = first.points[19].learning_rate;
    assert!((last - 1e-3).abs() < 1e-15, "{last}");
    let second = lr_find(&mlp(2), &data, &base(), &gentle).unwrap();
    assert_eq!(first, second);
    assert!(first.to_string().contains("over 20 batches"), "{first}");
}

#[test]
fn the_model_passed_in_is_left_untouched() {
    let data = blobs(64, 3);
    let model = mlp(4);
    let device = Device::flex();
    let before = evaluate(&model, &data, &device);
    lr_find(&model, &data, &base(), &sweep()).unwrap();
    assert_eq!(evaluate(&model, &data, &device), before);
}

#[test]
fn a_loss_that_stops_being_a_number_ends_the_sweep_without_an_error() {
    let data = blobs(64, 3);
    let config = base().with_optimizer(OptimizerKind::Sgd { momentum: 0.9 });
    let wild = LrFinderConfig::default()
        .with_range(1e6, 1e30)
        .with_steps(30);
    let finder = lr_find(&mlp(1), &data, &config, &wild).unwrap();
    assert!(finder.stopped_early.is_some(), "{finder}");
    assert!(finder.points.len() < 30);
    assert!(
        finder
            .points
            .iter()
            .all(|p| p.loss.is_finite() && p.smoothed.is_finite())
    );
}

#[test]
fn bad_sweep_settings_are_refused() {
    let data = blobs(16, 1);
    let cases = [
        (
            LrFinderConfig::default().with_range(0.0, 1.0),
            "lr finder start",
        ),
        (
            LrFinderConfig::default().with_range(1.0, 0.1),
            "lr finder end",
        ),
        (LrFinderConfig::default().with_steps(1), "lr finder steps"),
        (
            LrFinderConfig::default().with_smoothing(1.0),
            "lr finder smoothing",
        ),
        (
            LrFinderConfig {
                explode_factor: 1.0,
                ..LrFinderConfig::default()
            },
            "explode factor",
        ),
    ];
    for (config, name) in cases {
        let error = lr_find(&mlp(1), &data, &base(), &config).unwrap_err();
        assert!(matches!(error, FitError::InvalidSetting { .. }), "{error}");
        assert!(error.to_string().contains(name), "{error}");
    }
    // The base settings are checked too, before anything divides by the batch size.
    let error = lr_find(&mlp(1), &data, &base().with_batch_size(0), &sweep()).unwrap_err();
    assert!(error.to_string().contains("batch size"), "{error}");
    assert_eq!(LrFinderConfig::default().with_steps(0).rate_at(0), 1e-7);
    let empty = FeatureData::new(vec![], 2, vec![]);
    let error = lr_find(&mlp(1), &empty, &base(), &sweep()).unwrap_err();
    assert!(matches!(error, FitError::NoData));
}

#[test]
fn steepest_needs_a_falling_stretch_after_trimming() {
    let point = |learning_rate: f64, smoothed: f64| LrPoint {
        learning_rate,
        loss: smoothed,
        smoothed,
    };
    let rising: Vec<LrPoint> = (0..20)
        .map(|i| point(10f64.powi(i - 10), i as f64))
        .collect();
    assert_eq!(steepest_rate(&rising), None);
    let short: Vec<LrPoint> = (0..6)
        .map(|i| point(10f64.powi(i), 10.0 - i as f64))
        .collect();
    assert_eq!(steepest_rate(&short), None);
}
