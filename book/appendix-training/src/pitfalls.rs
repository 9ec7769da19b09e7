//! Common pitfalls, each made on purpose with a tiny model on points in the
//! plane: the history it leaves, and what `kindling read` (the diagnosis
//! module) says about it.

use std::fmt::Write;

use anyhow::Result;
use kindling::burn::nn::loss::{MseLoss, Reduction};
use kindling::burn::nn::{Linear, LinearConfig};
use kindling::burn::optim::{AdamConfig, GradientsParams};
use kindling::burn::prelude::*;
use kindling::data::epoch_batches;
use kindling::models::{MlpConfig, init_seeded};
use kindling::train::diagnosis::diagnose;
use kindling::train::{
    ClassificationData, FeatureData, FitConfig, History, OptimizerKind, Verbosity, fit,
};

use crate::points::{rings, two_groups};

/// The seed of every experiment.
pub const SEED: u64 = 3;

/// Fit settings shared by the experiments: quiet, seeded.
fn settings(epochs: usize, learning_rate: f64, batch_size: usize) -> FitConfig {
    FitConfig::default()
        .with_epochs(epochs)
        .with_batch_size(batch_size)
        .with_learning_rate(learning_rate)
        .with_seed(SEED)
        .with_verbosity(Verbosity::Silent)
}

/// Trains a seeded MLP with `hidden` layers and returns its history.
fn train_mlp(
    hidden: Vec<usize>,
    train: &FeatureData,
    validation: &FeatureData,
    config: &FitConfig,
) -> Result<History> {
    let device = Device::flex();
    let model = init_seeded(&device, SEED, |device| {
        MlpConfig::new(2, hidden).with_num_classes(2).init(device)
    });
    let (_, history) = fit(model, train, Some(validation), config)?;
    Ok(history)
}

// ANCHOR: overfitting
/// Overfitting: a big network, 30 training points, a quarter of their labels wrong.
pub fn overfitting() -> Result<History> {
    let train = two_groups(30, SEED, 1, 0.25);
    let validation = two_groups(400, SEED, 2, 0.0);
    train_mlp(vec![64, 64], &train, &validation, &settings(150, 0.01, 10))
}
// ANCHOR_END: overfitting

// ANCHOR: underfitting
/// Underfitting: a straight line (no hidden layer) for a disc inside a ring.
pub fn underfitting() -> Result<History> {
    let train = rings(400, SEED, 1);
    let validation = rings(400, SEED, 2);
    train_mlp(Vec::new(), &train, &validation, &settings(30, 0.01, 32))
}
// ANCHOR_END: underfitting

// ANCHOR: exploding
/// Exploding: plain gradient descent with far too large a step, and no NaN guard.
pub fn exploding() -> Result<History> {
    let train = two_groups(400, SEED, 1, 0.0);
    let validation = two_groups(400, SEED, 2, 0.0);
    let mut config = settings(20, 50.0, 32).with_optimizer(OptimizerKind::Sgd { momentum: 0.9 });
    config.terminate_on_nan = false;
    train_mlp(vec![32, 32], &train, &validation, &config)
}
// ANCHOR_END: exploding

// ANCHOR: vanishing
/// Vanishing: a deep, narrow network (twelve hidden layers of three units) with
/// plain gradient descent: the gradient that reaches the first layers is tiny.
pub fn vanishing() -> Result<History> {
    let train = two_groups(400, SEED, 1, 0.0);
    let validation = two_groups(400, SEED, 2, 0.0);
    let config = settings(30, 0.01, 32).with_optimizer(OptimizerKind::Sgd { momentum: 0.0 });
    train_mlp(vec![3; 12], &train, &validation, &config)
}
// ANCHOR_END: vanishing

// ANCHOR: wrong_loss
/// The wrong loss: three classes learned as if the class number were a quantity
/// (mean squared error on 0, 1, 2), by a model with a single output. Class 1
/// lies to the right of class 2, so "1 is between 0 and 2" is false for this data.
pub fn wrong_loss() -> Result<History> {
    let train = three_in_a_row(300, 1);
    let validation = three_in_a_row(300, 2);
    let device = Device::flex().autodiff();
    let mut model: Linear =
        init_seeded(&device, SEED, |device| LinearConfig::new(2, 1).init(device));
    let mut optimizer = AdamConfig::new().init();
    let mut history = History::new();
    for epoch in 1..=30 {
        for batch in epoch_batches(train.len(), 32, SEED, epoch) {
            let (inputs, targets) = train.batch(&batch, &device);
            let predicted = model.forward(inputs).reshape([batch.len()]);
            let loss = MseLoss::new().forward(predicted, targets.float(), Reduction::Mean);
            let gradients = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(0.05, model, gradients);
        }
        let plain = model.valid();
        let (loss, accuracy) = mse_and_accuracy(&plain, &train);
        let (val_loss, val_accuracy) = mse_and_accuracy(&plain, &validation);
        history.push_epoch([
            ("loss", loss),
            ("accuracy", accuracy),
            ("val_loss", val_loss),
            ("val_accuracy", val_accuracy),
        ]);
    }
    Ok(history)
}
// ANCHOR_END: wrong_loss

/// Three groups along the x axis: class 0 at -2, class 2 at 0, class 1 at 2.
fn three_in_a_row(count: usize, stream: u64) -> FeatureData {
    let base = two_groups(count, SEED, stream, 0.0);
    let mut features = base.features.clone();
    let mut labels = Vec::with_capacity(count);
    for index in 0..count {
        let class = index % 3;
        let centre = [-2.0, 2.0, 0.0][class];
        features[2 * index] = centre + 0.4 * base.features[2 * index + 1];
        labels.push(class);
    }
    FeatureData::new(features, 2, labels)
}

/// The mean squared error, and the accuracy when the output is rounded to the
/// nearest class number.
fn mse_and_accuracy(model: &Linear, data: &FeatureData) -> (f64, f64) {
    let device = Device::flex();
    let indices: Vec<usize> = (0..data.len()).collect();
    let (inputs, targets) = data.batch(&indices, &device);
    let predicted: Vec<f32> = model
        .forward(inputs)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap_or_default();
    let targets: Vec<i64> = targets
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap_or_default();
    let mut squared = 0.0;
    let mut right = 0;
    for (p, &t) in predicted.iter().zip(&targets) {
        squared += (*p as f64 - t as f64).powi(2);
        if (p.round().clamp(0.0, 2.0) as i64) == t {
            right += 1;
        }
    }
    (
        squared / data.len() as f64,
        right as f64 / data.len() as f64,
    )
}

/// A history as a table of every `every`-th epoch (and the last), then the read.
fn describe(title: &str, history: &History, every: usize) -> Result<String> {
    let mut text = String::new();
    writeln!(text, "{title}")?;
    writeln!(text, "epoch      loss  accuracy  val_loss  val_accuracy")?;
    let epochs = history.epochs();
    for epoch in 1..=epochs {
        if epoch % every != 0 && epoch != 1 && epoch != epochs {
            continue;
        }
        let row = history.row(epoch).expect("a row per epoch");
        let value = |metric: &str| row.get(metric).unwrap_or(f64::NAN);
        writeln!(
            text,
            "{epoch:>5} {:>9.4} {:>9.3} {:>9.4} {:>13.3}",
            value("loss"),
            value("accuracy"),
            value("val_loss"),
            value("val_accuracy")
        )?;
    }
    let read = diagnose(history)?;
    // The read ends with its advice.
    writeln!(text, "\nkindling read says:\n{read}")?;
    Ok(text)
}

/// Every pitfall's printout, with its file name.
pub fn printouts() -> Result<Vec<(&'static str, String)>> {
    Ok(vec![
        (
            "overfitting.txt",
            describe(
                "Overfitting: 30 noisy points, two layers of 64",
                &overfitting()?,
                15,
            )?,
        ),
        (
            "underfitting.txt",
            describe(
                "Underfitting: a straight line for a disc in a ring",
                &underfitting()?,
                5,
            )?,
        ),
        (
            "exploding.txt",
            describe("Exploding: SGD at a learning rate of 50", &exploding()?, 4)?,
        ),
        (
            "vanishing.txt",
            describe(
                "Vanishing: twelve hidden layers of three units, plain SGD",
                &vanishing()?,
                5,
            )?,
        ),
        (
            "wrong_loss.txt",
            describe(
                "The wrong loss: mean squared error on class numbers",
                &wrong_loss()?,
                5,
            )?,
        ),
    ])
}
