mod common;

use burn::prelude::*;
use common::blobs;

use kindling_data::{DataSource, SplitSizes, load_splits};
use kindling_models::{Mlp, MlpConfig, ModelKind, init_seeded};
use kindling_train::callbacks::{
    EarlyStopping, HistoryLogger, LrScheduler, ModelCheckpoint, ReduceLrOnPlateau, Schedule,
};
use kindling_train::{
    Callback, FeatureData, FitConfig, FitError, History, ImageData, Mode, OptimizerKind,
    TrainingContext, Verbosity, evaluate, fit, fit_with, predict_proba,
};

fn small_mlp(seed: u64) -> Mlp {
    init_seeded(&Device::flex(), seed, |device| {
        MlpConfig::new(2, vec![8]).with_num_classes(2).init(device)
    })
}

fn quiet(epochs: usize) -> FitConfig {
    FitConfig::default()
        .with_epochs(epochs)
        .with_batch_size(16)
        .with_learning_rate(0.05)
        .with_verbosity(Verbosity::Silent)
}

fn without_timing(history: &History) -> Vec<(String, Vec<u64>)> {
    history
        .metrics()
        .filter(|name| *name != "seconds")
        .map(|name| {
            let bits = history
                .get(name)
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect();
            (name.to_string(), bits)
        })
        .collect()
}

#[test]
fn the_same_seed_gives_a_bit_identical_cnn_history() {
    let sizes = SplitSizes {
        train: Some(120),
        validation: Some(40),
        test: Some(10),
    };
    let run = || {
        let splits = load_splits(&DataSource::Builtin, sizes, 5).unwrap();
        let norm = splits.normalization();
        let train = ImageData::new(&splits.train, norm);
        let valid = ImageData::new(&splits.validation, norm);
        let model = init_seeded(&Device::flex(), 5, |d| ModelKind::BaselineCnn.init(10, d));
        fit(
            model,
            &train,
            Some(&valid),
            &quiet(2).with_learning_rate(1e-3),
        )
        .unwrap()
        .1
    };
    let (first, second) = (run(), run());
    assert_eq!(
        first.metrics().collect::<Vec<_>>(),
        [
            "loss",
            "accuracy",
            "val_loss",
            "val_accuracy",
            "lr",
            "seconds"
        ]
    );
    assert_eq!(first.epochs(), 2);
    assert_eq!(without_timing(&first), without_timing(&second));
    assert_eq!(first.context["burn"], "0.22.1");
    assert_eq!(first.context["seed"], "42");
}

#[test]
fn a_different_shuffle_seed_gives_a_different_history() {
    let data = blobs(64, 1);
    let a = fit(small_mlp(1), &data, None, &quiet(2)).unwrap().1;
    let b = fit(small_mlp(1), &data, None, &quiet(2).with_seed(7))
        .unwrap()
        .1;
    assert_ne!(without_timing(&a), without_timing(&b));
}

#[test]
fn training_learns_separable_points() {
    let train = blobs(200, 1);
    let valid = blobs(100, 2);
    let (model, history) = fit(small_mlp(3), &train, Some(&valid), &quiet(15)).unwrap();
    let loss = history.get("loss").unwrap();
    assert!(loss[loss.len() - 1] < loss[0] * 0.8, "{loss:?}");
    assert!(history.final_epoch().unwrap().get("val_accuracy").unwrap() > 0.8);
    let measured = evaluate(&model, &valid, &Device::flex());
    assert_eq!(measured.examples, 100);
    assert!((measured.accuracy - history.get("val_accuracy").unwrap()[14]).abs() < 1e-12);
}

#[test]
fn predicted_probabilities_sum_to_one_and_their_top_class_scores_like_evaluate() {
    let (model, _) = fit(small_mlp(3), &blobs(200, 1), None, &quiet(5)).unwrap();
    let valid = blobs(100, 2);
    let rows = predict_proba(&model, &valid, &Device::flex());
    assert_eq!(rows.len(), 100);
    for row in &rows {
        assert_eq!(row.len(), 2);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{row:?}");
    }
    // blobs alternate their labels: 0, 1, 0, 1, ...
    let right = rows
        .iter()
        .enumerate()
        .filter(|(index, row)| usize::from(row[1] > row[0]) == index % 2)
        .count();
    let measured = evaluate(&model, &valid, &Device::flex());
    assert!((right as f64 / 100.0 - measured.accuracy).abs() < 1e-12);
}

#[test]
fn a_huge_learning_rate_stops_with_the_epoch_and_batch() {
    let config = quiet(20)
        .with_learning_rate(1e12)
        .with_optimizer(OptimizerKind::Sgd { momentum: 0.9 });
    let error = fit(small_mlp(1), &blobs(64, 1), None, &config).unwrap_err();
    let FitError::Diverged { epoch, batch, .. } = error else {
        panic!("expected divergence, got {error}");
    };
    let message = error.to_string();
    assert!(
        message.contains(&format!("epoch {epoch}, batch {batch}")),
        "{message}"
    );
    assert!(message.contains("smaller learning rate"), "{message}");
}

#[test]
fn bad_settings_are_refused_before_training() {
    let data = blobs(8, 1);
    for config in [
        quiet(0),
        quiet(1).with_batch_size(0),
        quiet(1).with_learning_rate(f64::NAN),
    ] {
        let error = fit(small_mlp(1), &data, None, &config).unwrap_err();
        assert!(matches!(error, FitError::InvalidSetting { .. }), "{error}");
    }
    let empty = FeatureData::new(vec![], 2, vec![]);
    assert!(matches!(
        fit(small_mlp(1), &empty, None, &quiet(1)),
        Err(FitError::NoData)
    ));
}

#[test]
fn early_stopping_stops_after_patience_runs_out() {
    // The learning rate never changes, so "lr" never improves after epoch 1.
    let mut stopper = EarlyStopping::new("lr")
        .with_mode(Mode::Min)
        .with_patience(2);
    let (_, history) = fit_with(
        small_mlp(1),
        &blobs(32, 1),
        None,
        &quiet(10),
        &mut [&mut stopper],
    )
    .unwrap();
    assert_eq!(history.epochs(), 3);
    assert_eq!(stopper.stopped_epoch(), Some(3));
    assert_eq!(history.context["stopped_early_after_epoch"], "3");
}

#[test]
fn early_stopping_honours_min_delta_and_start_from_epoch() {
    // Loss falls every epoch, but never by more than a huge min_delta.
    let mut stopper = EarlyStopping::new("loss")
        .with_min_delta(1e9)
        .with_patience(0);
    let (_, history) = fit_with(
        small_mlp(1),
        &blobs(32, 1),
        None,
        &quiet(10),
        &mut [&mut stopper],
    )
    .unwrap();
    assert_eq!(history.epochs(), 2);
    let mut late = EarlyStopping::new("loss")
        .with_min_delta(1e9)
        .with_start_from_epoch(5);
    let (_, history) = fit_with(
        small_mlp(1),
        &blobs(32, 1),
        None,
        &quiet(10),
        &mut [&mut late],
    )
    .unwrap();
    assert_eq!(history.epochs(), 6);
}

/// Remembers how well the model did after a chosen epoch.
struct Snapshot {
    epoch: usize,
    data: FeatureData,
    seen: Option<f64>,
}

impl Callback<Mlp> for Snapshot {
    fn name(&self) -> &str {
        "Snapshot"
    }
    fn on_epoch_end(&mut self, context: &mut TrainingContext<'_, Mlp>) -> Result<(), FitError> {
        if context.epoch == self.epoch {
            self.seen = Some(evaluate(&context.model.valid(), &self.data, &Device::flex()).loss);
        }
        Ok(())
    }
}

#[test]
fn best_weights_are_restored_even_without_stopping_early() {
    let data = blobs(64, 1);
    // "Best" loss under Max mode is the first epoch's: the worst model, unmistakable.
    let mut stopper = EarlyStopping::new("loss")
        .with_mode(Mode::Max)
        .with_patience(100)
        .with_restore_best_weights(true);
    let mut snapshot = Snapshot {
        epoch: 1,
        data: data.clone(),
        seen: None,
    };
    let (model, history) = fit_with(
        small_mlp(2),
        &data,
        None,
        &quiet(6),
        &mut [&mut stopper, &mut snapshot],
    )
    .unwrap();
    assert_eq!(history.epochs(), 6, "ran to the end");
    let after = evaluate(&model, &data, &Device::flex()).loss;
    assert_eq!(after, snapshot.seen.unwrap());
}

#[test]
fn checkpoint_saves_only_improvements_and_logger_keeps_every_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("best.bpk");
    let log_path = dir.path().join("log.csv");
    let mut checkpoint = ModelCheckpoint::new(&model_path).with_monitor("loss");
    let mut worst_first = ModelCheckpoint::new(dir.path().join("first.bpk")).with_monitor("loss");
    worst_first.mode = Mode::Max;
    let mut logger = HistoryLogger::new(&log_path);
    let data = blobs(64, 1);
    let (model, history) = fit_with(
        small_mlp(4),
        &data,
        None,
        &quiet(5),
        &mut [&mut checkpoint, &mut worst_first, &mut logger],
    )
    .unwrap();
    assert_eq!(worst_first.saved_epoch(), Some(1));
    let best = history.best("loss").unwrap().epoch;
    assert_eq!(checkpoint.saved_epoch(), Some(best));
    let loaded = kindling_models::load_model(small_mlp(9), &model_path).unwrap();
    if best == 5 {
        let device = Device::flex();
        assert_eq!(
            evaluate(&loaded, &data, &device),
            evaluate(&model, &data, &device)
        );
    }
    assert_eq!(History::load(&log_path).unwrap().epochs(), 5);
}

#[test]
fn the_logger_keeps_finished_epochs_when_training_diverges() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("log.json");
    let mut logger = HistoryLogger::new(&log_path);
    /// Makes the learning rate explode from epoch 3.
    struct Sabotage;
    impl Callback<Mlp> for Sabotage {
        fn name(&self) -> &str {
            "Sabotage"
        }
        fn on_epoch_begin(
            &mut self,
            context: &mut TrainingContext<'_, Mlp>,
        ) -> Result<(), FitError> {
            if context.epoch == 3 {
                *context.learning_rate = 1e15;
            }
            Ok(())
        }
    }
    let config = quiet(6).with_optimizer(OptimizerKind::Sgd { momentum: 0.0 });
    let error = fit_with(
        small_mlp(1),
        &blobs(64, 1),
        None,
        &config,
        &mut [&mut Sabotage, &mut logger],
    );
    assert!(
        matches!(error, Err(FitError::Diverged { epoch: 3, .. })),
        "{error:?}"
    );
    assert_eq!(History::load(&log_path).unwrap().epochs(), 2);
}

#[test]
fn learning_rate_callbacks_show_in_the_history() {
    let data = blobs(32, 1);
    let mut schedule = LrScheduler::new(Schedule::Step {
        every: 2,
        factor: 0.5,
    });
    let (_, history) =
        fit_with(small_mlp(1), &data, None, &quiet(5), &mut [&mut schedule]).unwrap();
    assert_eq!(
        history.get("lr").unwrap(),
        [0.05, 0.05, 0.025, 0.025, 0.0125]
    );

    let mut plateau = ReduceLrOnPlateau::new("lr")
        .with_patience(1)
        .with_factor(0.5);
    plateau.mode = Mode::Max; // the rate only falls, so it never "improves"
    let (_, history) = fit_with(small_mlp(1), &data, None, &quiet(4), &mut [&mut plateau]).unwrap();
    assert_eq!(history.get("lr").unwrap(), [0.05, 0.05, 0.025, 0.0125]);
}

#[test]
fn gradient_clipping_trains() {
    let config = quiet(3).with_grad_clip(Some(kindling_train::GradClip::Norm(0.5)));
    let (_, history) = fit(small_mlp(1), &blobs(64, 1), None, &config).unwrap();
    assert_eq!(history.epochs(), 3);
}
