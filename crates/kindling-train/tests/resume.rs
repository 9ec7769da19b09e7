//! Interrupting `fit`, per-epoch checkpoints, and resuming from them exactly.

mod common;

use burn::prelude::*;
use common::blobs;

use kindling_models::{Mlp, MlpConfig, init_seeded};
use kindling_train::callbacks::{EarlyStopping, LrScheduler, ReduceLrOnPlateau, Schedule};
use kindling_train::{
    BatchAction, BatchEnd, Callback, Checkpoint, CheckpointError, FitConfig, FitError, History,
    Interrupt, LrSchedule, Verbosity, fit_with, resume_with,
};

fn small_mlp(seed: u64) -> Mlp {
    init_seeded(&Device::flex(), seed, |device| {
        MlpConfig::new(2, vec![8]).with_num_classes(2).init(device)
    })
}

fn quiet(epochs: usize, checkpoint: &std::path::Path) -> FitConfig {
    FitConfig::default()
        .with_epochs(epochs)
        .with_batch_size(16)
        .with_learning_rate(0.05)
        .with_verbosity(Verbosity::Silent)
        .with_checkpoint(Some(checkpoint.to_path_buf()))
}

/// Each metric's values as exact bits, and the context's pairs.
type ExactHistory = (Vec<(String, Vec<u64>)>, Vec<(String, String)>);

/// Every number of a history but the wall-clock seconds, as exact bits, and its context.
fn exact(history: &History) -> ExactHistory {
    let metrics = history
        .metrics()
        .filter(|name| *name != "seconds")
        .map(|name| {
            let values = history.get(name).unwrap();
            (
                name.to_string(),
                values.iter().map(|v| v.to_bits()).collect(),
            )
        })
        .collect();
    let context = history
        .context
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (metrics, context)
}

/// The callbacks whose state must survive a resume: patience, a plateau counter
/// and a schedule.
struct Callbacks {
    stopper: EarlyStopping<Mlp>,
    plateau: ReduceLrOnPlateau,
    schedule: LrScheduler,
}

impl Callbacks {
    fn new() -> Self {
        Callbacks {
            stopper: EarlyStopping::new("val_loss")
                .with_patience(50)
                .with_restore_best_weights(true),
            plateau: ReduceLrOnPlateau::new("val_loss")
                .with_patience(1)
                .with_factor(0.5),
            schedule: LrScheduler::new(Schedule::Step {
                every: 2,
                factor: 0.7,
            }),
        }
    }

    fn all(&mut self) -> Vec<&mut dyn Callback<Mlp>> {
        vec![&mut self.stopper, &mut self.plateau, &mut self.schedule]
    }
}

/// The model's outputs on fixed inputs, as exact bits: equal weights give equal
/// bits (the weight files also hold parameter ids, which differ between runs).
fn outputs(model: &Mlp) -> Vec<u32> {
    let device = Device::flex();
    let inputs = Tensor::<2>::from_data([[0.3f32, -1.2], [2.0, 0.5], [-0.7, 0.1]], &device);
    let logits = kindling_models::Classifier::forward(model, inputs);
    let values: Vec<f32> = logits.into_data().try_to_vec::<f32>().unwrap();
    values.into_iter().map(f32::to_bits).collect()
}

#[test]
fn four_epochs_straight_equal_two_then_a_resume_to_four_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let (train, valid) = (blobs(120, 1), blobs(40, 2));

    let straight_file = dir.path().join("straight.kpt");
    let mut callbacks = Callbacks::new();
    let (straight_model, straight) = fit_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &quiet(4, &straight_file),
        &mut callbacks.all(),
    )
    .unwrap();

    let split_file = dir.path().join("split.kpt");
    let mut callbacks = Callbacks::new();
    let (_, first_half) = fit_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &quiet(2, &split_file),
        &mut callbacks.all(),
    )
    .unwrap();
    assert_eq!(first_half.epochs(), 2);

    let checkpoint = Checkpoint::load(&split_file).unwrap();
    assert_eq!(checkpoint.epoch(), 2);
    // Fresh callbacks and a freshly built model (other seed: its weights must be replaced).
    let mut callbacks = Callbacks::new();
    let (resumed_model, resumed) = resume_with(
        small_mlp(99),
        &train,
        Some(&valid),
        &quiet(4, &split_file),
        &mut callbacks.all(),
        &checkpoint,
    )
    .unwrap();

    assert_eq!(resumed.epochs(), 4);
    assert_eq!(exact(&resumed), exact(&straight));
    assert_eq!(
        outputs(&resumed_model),
        outputs(&straight_model),
        "the final weights match too"
    );
    assert_eq!(Checkpoint::load(&split_file).unwrap().epoch(), 4);
}

#[test]
fn a_resume_refuses_other_settings_other_callbacks_and_no_epochs_left() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.kpt");
    let (train, valid) = (blobs(60, 1), blobs(20, 2));
    fit_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &quiet(2, &file),
        &mut [],
    )
    .unwrap();
    let checkpoint = Checkpoint::load(&file).unwrap();

    let other_lr = quiet(4, &file).with_learning_rate(0.1);
    let error = resume_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &other_lr,
        &mut [],
        &checkpoint,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("learning_rate = 0.05") && error.contains("run.kpt"),
        "{error}"
    );

    let mut stopper = EarlyStopping::new("val_loss");
    let error = resume_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &quiet(4, &file),
        &mut [&mut stopper],
        &checkpoint,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("callbacks [], this run has [EarlyStopping]"),
        "{error}"
    );

    let error = resume_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &quiet(2, &file),
        &mut [],
        &checkpoint,
    )
    .unwrap_err();
    assert!(
        matches!(error, FitError::NothingToResume { done: 2, epochs: 2 }),
        "{error}"
    );

    let wider = init_seeded(&Device::flex(), 3, |device| {
        MlpConfig::new(2, vec![16]).with_num_classes(2).init(device)
    });
    let error = resume_with(
        wider,
        &train,
        Some(&valid),
        &quiet(4, &file),
        &mut [],
        &checkpoint,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("weights do not fit the model"), "{error}");
}

/// Raises the flag at a given batch, as a Ctrl-C would.
struct PressCtrlC {
    flag: Interrupt,
    at: (usize, usize),
}

impl Callback<Mlp> for PressCtrlC {
    fn name(&self) -> &str {
        "PressCtrlC"
    }

    fn on_batch_end(&mut self, batch: &BatchEnd) -> Result<BatchAction, FitError> {
        if (batch.epoch, batch.batch) == self.at {
            self.flag.request();
        }
        Ok(BatchAction::Continue)
    }
}

#[test]
fn an_interrupt_keeps_the_finished_epochs_and_their_weights() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.kpt");
    let (train, valid) = (blobs(120, 1), blobs(40, 2));
    let flag = Interrupt::new();
    let mut press = PressCtrlC {
        flag: flag.clone(),
        at: (3, 2),
    };
    let config = quiet(5, &file).with_interrupt(Some(flag));
    let (model, history) = fit_with(
        small_mlp(3),
        &train,
        Some(&valid),
        &config,
        &mut [&mut press],
    )
    .unwrap();

    assert!(history.interrupted());
    assert_eq!(history.epochs(), 2, "epoch 3 was not finished");
    assert_eq!(history.context["interrupted_during_epoch"], "3");
    let checkpoint = Checkpoint::load(&file).unwrap();
    assert_eq!(checkpoint.epoch(), 2);
    let from_checkpoint = checkpoint.load_model(small_mlp(0), &file).unwrap();
    assert_eq!(
        outputs(&model),
        outputs(&from_checkpoint),
        "fit returns the weights of the last finished epoch"
    );
    assert_eq!(
        exact(&checkpoint.history()).0,
        exact(&history).0,
        "the checkpoint holds the same epochs"
    );
}

#[test]
fn a_damaged_truncated_or_foreign_checkpoint_is_named_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.kpt");
    fit_with(small_mlp(3), &blobs(40, 1), None, &quiet(1, &file), &mut []).unwrap();
    let good = std::fs::read(&file).unwrap();

    let broken = dir.path().join("broken.kpt");
    let load = |bytes: &[u8]| {
        std::fs::write(&broken, bytes).unwrap();
        Checkpoint::load(&broken).unwrap_err()
    };
    let truncated = load(&good[..good.len() / 2]);
    assert!(
        matches!(truncated, CheckpointError::Truncated { .. }),
        "{truncated}"
    );
    assert!(truncated.to_string().contains("broken.kpt") && truncated.to_string().contains("Fix:"));

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let corrupted = load(&flipped);
    assert!(
        matches!(corrupted, CheckpointError::Corrupted { .. }),
        "{corrupted}"
    );

    let foreign = load(b"{\"not\": \"a checkpoint\"}");
    assert!(
        matches!(foreign, CheckpointError::NotACheckpoint { .. }),
        "{foreign}"
    );

    let missing = Checkpoint::load(&dir.path().join("none.kpt")).unwrap_err();
    assert!(
        matches!(missing, CheckpointError::Missing { .. }),
        "{missing}"
    );
}

fn dropout_mlp(seed: u64) -> Mlp {
    init_seeded(&Device::flex(), seed, |device| {
        MlpConfig::new(2, vec![8])
            .with_num_classes(2)
            .with_dropout(0.3)
            .init(device)
    })
}

/// Weight decay, label smoothing, a one-cycle schedule and dropout: every source of
/// per-batch state a resume must carry over.
fn regularised(epochs: usize, checkpoint: &std::path::Path) -> FitConfig {
    quiet(epochs, checkpoint)
        .with_weight_decay(0.01)
        .with_label_smoothing(0.1)
        .with_schedule(Some(LrSchedule::one_cycle(1.0)))
}

#[test]
fn a_regularised_run_interrupted_and_resumed_equals_the_straight_run_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let (train, valid) = (blobs(120, 1), blobs(40, 2));

    let straight_file = dir.path().join("straight.kpt");
    let never = Interrupt::new();
    let mut idle = PressCtrlC {
        flag: never.clone(),
        at: (0, 0),
    };
    let (straight_model, straight) = fit_with(
        dropout_mlp(3),
        &train,
        Some(&valid),
        &regularised(4, &straight_file).with_interrupt(Some(never)),
        &mut [&mut idle],
    )
    .unwrap();

    let split_file = dir.path().join("split.kpt");
    let flag = Interrupt::new();
    let mut press = PressCtrlC {
        flag: flag.clone(),
        at: (3, 1),
    };
    let (_, first_half) = fit_with(
        dropout_mlp(3),
        &train,
        Some(&valid),
        &regularised(4, &split_file).with_interrupt(Some(flag.clone())),
        &mut [&mut press],
    )
    .unwrap();
    assert_eq!(first_half.epochs(), 2);

    let checkpoint = Checkpoint::load(&split_file).unwrap();
    let resumed_flag = Interrupt::new();
    let (resumed_model, resumed) = resume_with(
        dropout_mlp(99),
        &train,
        Some(&valid),
        &regularised(4, &split_file).with_interrupt(Some(resumed_flag)),
        &mut [&mut press],
        &checkpoint,
    )
    .unwrap();
    assert_eq!(resumed.epochs(), 4);
    assert_eq!(exact(&resumed), exact(&straight));
    assert_eq!(outputs(&resumed_model), outputs(&straight_model));

    // Each setting changes the run, so the equality above covers it.
    let plain_file = dir.path().join("plain.kpt");
    let variants = [
        (
            "weight decay",
            regularised(4, &plain_file).with_weight_decay(0.0),
            dropout_mlp(3),
        ),
        (
            "label smoothing",
            regularised(4, &plain_file).with_label_smoothing(0.0),
            dropout_mlp(3),
        ),
        (
            "schedule",
            regularised(4, &plain_file).with_schedule(None),
            dropout_mlp(3),
        ),
        ("dropout", regularised(4, &plain_file), small_mlp(3)),
    ];
    for (name, config, model) in variants {
        let (_, history) = fit_with(model, &train, Some(&valid), &config, &mut []).unwrap();
        assert_ne!(
            exact(&history).0,
            exact(&straight).0,
            "{name} changes nothing"
        );
    }
}

#[test]
fn a_scheduled_run_resumes_only_to_the_epochs_it_was_planned_for() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.kpt");
    let (train, valid) = (blobs(60, 1), blobs(20, 2));
    fit_with(
        dropout_mlp(3),
        &train,
        Some(&valid),
        &regularised(2, &file),
        &mut [],
    )
    .unwrap();
    let checkpoint = Checkpoint::load(&file).unwrap();

    let longer = resume_with(
        dropout_mlp(3),
        &train,
        Some(&valid),
        &regularised(3, &file),
        &mut [],
        &checkpoint,
    )
    .unwrap_err()
    .to_string();
    assert!(
        longer.contains("planned over 2 epochs")
            && longer.contains("run.kpt")
            && longer.contains("Fix:"),
        "{longer}"
    );

    let cosine = regularised(2, &file).with_schedule(Some(LrSchedule::cosine(1.0)));
    let other = resume_with(
        dropout_mlp(3),
        &train,
        Some(&valid),
        &cosine,
        &mut [],
        &checkpoint,
    )
    .unwrap_err()
    .to_string();
    assert!(other.contains("schedule"), "{other}");
}
