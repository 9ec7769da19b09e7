//! Part 3: the same loop with Burn. A small network learns to tell two groups of
//! people apart by height and weight; Burn works out the gradients.

use kindling::burn::nn::loss::CrossEntropyLoss;
use kindling::burn::optim::{AdamConfig, ModuleOptimizer};
use kindling::burn::prelude::*;
use kindling::data::{epoch_batches, seeded_rng};
use kindling::models::{Mlp, MlpConfig, init_seeded};
// [solution]
use kindling::burn::optim::GradientsParams;
use kindling::models::Classifier;
// [exercise]
// // You will need: use kindling::burn::optim::GradientsParams;
// // and, for model.forward: use kindling::models::Classifier;
// [end]
use kindling::train::{FeatureData, History, evaluate};
use rand::RngExt;

/// Epochs of the Burn loop.
pub const EPOCHS: usize = 15;
/// Points per batch.
pub const BATCH_SIZE: usize = 32;
/// Step size of the optimizer.
pub const LEARNING_RATE: f64 = 0.01;

/// Two groups of people, `count` in all: height in centimetres and weight in
/// kilograms, one group taller and heavier than the other, with overlap.
pub fn people(count: usize, seed: u64, stream: u64) -> FeatureData {
    let mut rng = seeded_rng(seed, stream);
    let mut normal = move |mean: f32, spread: f32| {
        // Box-Muller: two uniform numbers make one bell-curve number.
        let (u1, u2): (f32, f32) = (rng.random_range(1e-7..1.0), rng.random_range(0.0..1.0));
        mean + spread * (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    };
    let mut features = Vec::with_capacity(count * 2);
    let mut labels = Vec::with_capacity(count);
    for index in 0..count {
        let group = index % 2;
        let (height, weight) = if group == 0 {
            (166.0, 62.0)
        } else {
            (178.0, 80.0)
        };
        features.push(normal(height, 7.0));
        features.push(normal(weight, 9.0));
        labels.push(group);
    }
    FeatureData::new(features, 2, labels)
}

// ANCHOR: standardise
/// Puts every feature on the same scale: minus the training mean, divided by the
/// training standard deviation. Validation points use the training numbers too.
pub fn standardise(train: &mut FeatureData, valid: &mut FeatureData) {
    for column in 0..train.width {
        let values: Vec<f32> = (0..train.labels.len())
            .map(|row| train.row(row)[column])
            .collect();
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32;
        let std = variance.sqrt().max(1e-6);
        for data in [&mut *train, &mut *valid] {
            for row in 0..data.labels.len() {
                let value = &mut data.features[row * data.width + column];
                *value = (*value - mean) / std;
            }
        }
    }
}
// ANCHOR_END: standardise

// ANCHOR: train_step
/// One step of training on one batch: forward, loss, backward, update.
pub fn train_step(
    model: Mlp,
    optimizer: &mut ModuleOptimizer,
    loss_fn: &CrossEntropyLoss,
    inputs: Tensor<2>,
    targets: Tensor<1, Int>,
) -> Mlp {
    // [solution]
    let scores = model.forward(inputs);
    let loss = loss_fn.forward(scores, targets);
    let gradients = GradientsParams::from_grads(loss.backward(), &model);
    optimizer.step(LEARNING_RATE, model, gradients)
    // [exercise]
    // // TODO: the four steps of training:
    // // 1. forward: let scores = model.forward(inputs);
    // // 2. loss:    let loss = loss_fn.forward(scores, targets);
    // // 3. backward: GradientsParams::from_grads(loss.backward(), &model)
    // // 4. update:  optimizer.step(LEARNING_RATE, model, gradients)
    // let _ = (optimizer, loss_fn, inputs, targets);
    // model
    // [end]
}
// ANCHOR_END: train_step

// ANCHOR: train
/// Trains the network and measures it on the training points and the validation
/// points after every epoch.
pub fn train(train: &FeatureData, valid: &FeatureData, seed: u64) -> History {
    let device = Device::flex().autodiff();
    let plain = Device::flex();
    let mut model = init_seeded(&device, seed, |device| {
        MlpConfig::new(2, vec![16]).with_num_classes(2).init(device)
    });
    let mut optimizer = AdamConfig::new().init();
    let loss_fn = CrossEntropyLoss::new(None, &device);
    let mut history = History::new();
    for epoch in 1..=EPOCHS {
        for batch in epoch_batches(train.labels.len(), BATCH_SIZE, seed, epoch) {
            let (inputs, targets) =
                kindling::train::ClassificationData::batch(train, &batch, &device);
            model = train_step(model, &mut optimizer, &loss_fn, inputs, targets);
        }
        let on_train = evaluate(&model.valid(), train, &plain);
        let on_valid = evaluate(&model.valid(), valid, &plain);
        history.push_epoch([
            ("loss", on_train.loss),
            ("accuracy", on_train.accuracy),
            ("val_loss", on_valid.loss),
            ("val_accuracy", on_valid.accuracy),
        ]);
    }
    history
}
// ANCHOR_END: train
