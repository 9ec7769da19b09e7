//! The automatic training read: each verdict from a history shaped for it, the
//! signals, and reads of real runs.

use burn::prelude::*;
use rand::RngExt;

use kindling_data::seeded_rng;
use kindling_models::{MlpConfig, init_seeded};
use kindling_train::diagnosis::{
    DiagnosisError, GapVerdict, Trend, Verdict, diagnose, signals, trend,
};
use kindling_train::linreg::{Ending, LineConfig, fit_line};
use kindling_train::{FeatureData, FitConfig, History, Verbosity, fit};

/// A history from columns of equal length; `None` leaves a metric out.
fn history(
    loss: &[f64],
    accuracy: Option<&[f64]>,
    val_loss: Option<&[f64]>,
    val_accuracy: Option<&[f64]>,
) -> History {
    let mut history = History::new();
    for epoch in 0..loss.len() {
        let mut row = vec![("loss", loss[epoch])];
        for (name, column) in [
            ("accuracy", accuracy),
            ("val_loss", val_loss),
            ("val_accuracy", val_accuracy),
        ] {
            if let Some(values) = column {
                row.push((name, values[epoch]));
            }
        }
        history.push_epoch(row);
    }
    history
}

#[test]
fn a_run_that_levels_off_late_with_validation_close_is_healthy() {
    let loss = [2.0, 1.2, 0.8, 0.6, 0.5, 0.45, 0.42, 0.41, 0.405, 0.403];
    let acc = [0.3, 0.6, 0.75, 0.82, 0.86, 0.88, 0.89, 0.9, 0.9, 0.9];
    let val_loss = [2.0, 1.25, 0.85, 0.65, 0.55, 0.5, 0.48, 0.475, 0.474, 0.474];
    let val_acc = [0.3, 0.58, 0.72, 0.8, 0.84, 0.85, 0.86, 0.87, 0.87, 0.87];
    let read = diagnose(&history(&loss, Some(&acc), Some(&val_loss), Some(&val_acc))).unwrap();
    assert_eq!(read.verdict, Verdict::Healthy, "{read}");
    assert_eq!(read.signals.gap, Some(GapVerdict::Close));
    assert_eq!(read.signals.val_accuracy, Some(Trend::Up));
    let gap = read.evidence.accuracy_gap.unwrap();
    assert!((gap - 0.03).abs() < 1e-12);
    let val = read.evidence.metric("val_loss").unwrap();
    assert_eq!((val.best_epoch, val.first, val.last), (9, 2.0, 0.474));
}

#[test]
fn new_bests_at_the_end_mean_still_improving() {
    let loss: Vec<f64> = (0..12).map(|e| 2.0 * 0.85f64.powi(e)).collect();
    let acc: Vec<f64> = (0..12).map(|e| 0.3 + 0.04 * e as f64).collect();
    let read = diagnose(&history(&loss, Some(&acc), None, None)).unwrap();
    assert_eq!(read.verdict, Verdict::StillImproving);
    assert_eq!(read.evidence.watched, "loss");
    assert_eq!(read.signals.val_loss, None);
    assert_eq!(read.signals.gap, None);
    assert!(read.to_string().contains("Train for more epochs"));
}

#[test]
fn no_progress_in_the_second_half_is_a_plateau_from_the_best_epoch() {
    let mut val_loss = vec![1.0, 0.6, 0.5];
    val_loss.extend([0.5, 0.501, 0.5, 0.502, 0.5, 0.5, 0.501, 0.5]);
    let loss: Vec<f64> = val_loss.iter().map(|v| v - 0.05).collect();
    let acc = vec![0.8; 11];
    let read = diagnose(&history(&loss, Some(&acc), Some(&val_loss), Some(&acc))).unwrap();
    assert_eq!(read.verdict, Verdict::Plateau { since_epoch: 3 }, "{read}");
}

#[test]
fn levelling_off_at_low_training_accuracy_is_underfitting() {
    let loss = [2.3, 2.0, 1.9, 1.88, 1.87, 1.87, 1.87, 1.87];
    let acc = [0.1, 0.2, 0.27, 0.29, 0.3, 0.3, 0.3, 0.3];
    let read = diagnose(&history(&loss, Some(&acc), None, None)).unwrap();
    assert_eq!(read.verdict, Verdict::Underfitting);
    // The same curve at high accuracy is no longer underfitting.
    let high: Vec<f64> = acc.iter().map(|a| a + 0.6).collect();
    let read = diagnose(&history(&loss, Some(&high), None, None)).unwrap();
    assert_eq!(read.verdict, Verdict::Healthy);
}

#[test]
fn validation_loss_rising_from_its_best_is_overfitting_from_the_next_epoch() {
    let loss = [2.0, 1.2, 0.8, 0.5, 0.3, 0.2];
    let acc = [0.3, 0.6, 0.75, 0.85, 0.93, 0.96];
    let val_loss = [1.9, 1.3, 1.2, 1.25, 1.4, 1.7];
    let val_acc = [0.32, 0.55, 0.58, 0.57, 0.57, 0.56];
    let read = diagnose(&history(&loss, Some(&acc), Some(&val_loss), Some(&val_acc))).unwrap();
    assert_eq!(read.verdict, Verdict::Overfitting { since_epoch: 4 });
    assert_eq!(read.signals.gap, Some(GapVerdict::Behind));
    let text = read.to_string();
    assert!(text.contains("overfitting from epoch 4"), "{text}");
    assert!(text.contains("best 1.2000 at epoch 3"), "{text}");
    assert!(
        text.contains("40.0 points below training accuracy (behind)"),
        "{text}"
    );

    // A rise within 5% of the best is noise, not overfitting.
    let calm = [1.9, 1.3, 1.2, 1.22, 1.24, 1.25];
    let read = diagnose(&history(&loss, Some(&acc), Some(&calm), None)).unwrap();
    assert!(
        !matches!(read.verdict, Verdict::Overfitting { .. }),
        "{read}"
    );
}

#[test]
fn validation_accuracy_far_behind_is_overfitting_from_when_the_gap_opened() {
    let loss = [1.0, 0.6, 0.3, 0.15, 0.1, 0.08, 0.07, 0.07];
    let acc = [0.6, 0.75, 0.88, 0.95, 0.97, 0.98, 0.99, 0.99];
    let val_loss = [1.0, 0.8, 0.7, 0.69, 0.69, 0.69, 0.69, 0.69];
    // Gaps: 0.02, 0.05, 0.08, 0.13, 0.15, 0.16, 0.17, 0.17: above 0.10 from epoch 4.
    let val_acc = [0.58, 0.7, 0.8, 0.82, 0.82, 0.82, 0.82, 0.82];
    let read = diagnose(&history(&loss, Some(&acc), Some(&val_loss), Some(&val_acc))).unwrap();
    assert_eq!(
        read.verdict,
        Verdict::Overfitting { since_epoch: 4 },
        "{read}"
    );
}

#[test]
fn without_val_loss_a_falling_validation_accuracy_shows_overfitting() {
    let loss = [1.0, 0.7, 0.5, 0.4, 0.3];
    let acc = [0.5, 0.65, 0.75, 0.8, 0.85];
    let val_acc = [0.5, 0.66, 0.74, 0.71, 0.70];
    let read = diagnose(&history(&loss, Some(&acc), None, Some(&val_acc))).unwrap();
    assert_eq!(read.verdict, Verdict::Overfitting { since_epoch: 4 });
}

#[test]
fn a_loss_that_blows_up_or_stops_being_a_number_is_diverged() {
    let read = diagnose(&history(&[1.0, 0.8, 1.6, 9.0], None, None, None)).unwrap();
    assert_eq!(read.verdict, Verdict::Diverged { epoch: 3 });
    let read = diagnose(&history(&[1.0, 0.8, f64::NAN], None, None, None)).unwrap();
    assert_eq!(read.verdict, Verdict::Diverged { epoch: 3 });
    assert!(read.to_string().contains("Lower the learning rate"));
    // Trends use the last finite value.
    assert_eq!(read.signals.loss, Some(Trend::Down));
}

#[test]
fn trends_use_the_stated_tolerances() {
    assert_eq!(trend("loss", &[2.0, 1.961]), Some(Trend::Flat)); // -1.95%
    assert_eq!(trend("loss", &[2.0, 1.959]), Some(Trend::Down)); // -2.05%
    assert_eq!(trend("val_loss", &[2.0, 2.05]), Some(Trend::Up));
    assert_eq!(trend("accuracy", &[0.5, 0.509]), Some(Trend::Flat));
    assert_eq!(trend("val_accuracy", &[0.5, 0.489]), Some(Trend::Down));
    assert_eq!(trend("accuracy", &[0.5]), None);
    assert_eq!(trend("accuracy", &[f64::NAN, 0.5, f64::NAN]), None);
}

#[test]
fn the_gap_falls_back_to_the_losses_without_accuracies() {
    let close = history(&[1.0, 0.5], None, Some(&[1.0, 0.54]), None);
    assert_eq!(signals(&close).gap, Some(GapVerdict::Close));
    let behind = history(&[1.0, 0.5], None, Some(&[1.0, 0.56]), None);
    assert_eq!(signals(&behind).gap, Some(GapVerdict::Behind));
    let read = diagnose(&behind).unwrap();
    assert!((read.evidence.loss_gap.unwrap() - 0.06).abs() < 1e-12);
    assert!(read.to_string().contains("above training loss (behind)"));
}

#[test]
fn the_diagnosis_serialises_for_the_checker() {
    let loss = [2.0, 1.2, 0.8, 0.5, 0.3, 0.2];
    let val_loss = [1.9, 1.3, 1.2, 1.25, 1.4, 1.7];
    let read = diagnose(&history(&loss, None, Some(&val_loss), None)).unwrap();
    let json = serde_json::to_value(&read).unwrap();
    assert_eq!(json["verdict"]["kind"], "overfitting");
    assert_eq!(json["verdict"]["since_epoch"], 4);
    assert_eq!(json["signals"]["loss"], "down");
    assert_eq!(json["signals"]["val_loss"], "down");
    assert_eq!(json["signals"]["accuracy"], serde_json::Value::Null);
    assert_eq!(json["signals"]["gap"], "behind");
}

#[test]
fn histories_that_cannot_be_read_say_why() {
    let mut no_loss = History::new();
    no_loss.push_epoch([("accuracy", 0.5)]);
    no_loss.push_epoch([("accuracy", 0.6)]);
    let message = diagnose(&no_loss).unwrap_err().to_string();
    assert!(
        message.contains("`loss`") && message.contains("Fix:"),
        "{message}"
    );
    let error = diagnose(&history(&[1.0], None, None, None)).unwrap_err();
    assert!(matches!(error, DiagnosisError::TooFewEpochs { epochs: 1 }));
    assert!(error.to_string().contains("at least 2 epochs"));
}

#[test]
fn a_real_run_and_a_diverged_line_read_as_expected() {
    let mut rng = seeded_rng(3, 0);
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for index in 0..120 {
        let class = index % 2;
        let centre = if class == 0 { -1.0 } else { 1.0 };
        features.push(centre + rng.random_range(-0.8..0.8f32));
        features.push(centre + rng.random_range(-0.8..0.8f32));
        labels.push(class);
    }
    let data = FeatureData::new(features, 2, labels);
    let model = init_seeded(&Device::flex(), 1, |d| {
        MlpConfig::new(2, vec![8]).with_num_classes(2).init(d)
    });
    let config = FitConfig::default()
        .with_epochs(8)
        .with_batch_size(16)
        .with_learning_rate(0.02)
        .with_verbosity(Verbosity::Silent);
    let (_, run) = fit(model, &data, Some(&data), &config).unwrap();
    let read = diagnose(&run).unwrap();
    assert!(!matches!(read.verdict, Verdict::Diverged { .. }), "{read}");
    assert_eq!(read.signals.loss, Some(Trend::Down), "{read}");
    assert_eq!(read.signals.gap, Some(GapVerdict::Close), "{read}");

    let line = fit_line(
        &[1.0, 2.0, 3.0],
        &[2.0, 4.0, 6.0],
        &LineConfig::new(1.0, 50),
    )
    .unwrap();
    let Ending::Diverged { epoch, .. } = line.ending else {
        panic!("{line}");
    };
    assert_eq!(
        diagnose(&line.to_history()).unwrap().verdict,
        Verdict::Diverged { epoch }
    );
}
