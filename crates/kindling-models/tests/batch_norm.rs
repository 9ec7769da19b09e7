//! The batch-normalised CNN: batch statistics while training, running statistics
//! (saved with the weights) in evaluation.

use burn::prelude::*;
use burn::tensor::Distribution;
use kindling_models::{BnCnnConfig, Classifier, ModelKind, init_seeded, load_model, save_model};

fn scores(model: &impl Classifier<4>, images: Tensor<4>) -> Vec<f32> {
    model
        .forward(images)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap()
}

#[test]
fn training_steps_move_the_running_statistics_and_the_file_keeps_them() {
    let device = Device::flex();
    let config = BnCnnConfig::new().with_widths([4, 8, 8]);
    let fresh = init_seeded(&device, 7, |d| config.init(d));
    let images = Tensor::<4>::random([8, 3, 32, 32], Distribution::Normal(0.5, 2.0), &device);

    // Forward passes on the autodiff device in training mode use, and update, batch
    // statistics.
    let training = fresh.clone().fork(&device.clone().autodiff()).train();
    for _ in 0..3 {
        let _ = training.forward(images.clone().fork(&device.clone().autodiff()));
    }
    let trained = training.valid();
    let before = scores(&fresh, images.clone());
    let after = scores(&trained, images.clone());
    assert_ne!(before, after, "the running statistics moved");

    // Evaluation does not depend on the rest of the batch: each image alone scores the same.
    let alone = scores(&trained, images.clone().narrow(0, 0, 1));
    for (a, b) in alone.iter().zip(&after[..alone.len()]) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.bpk");
    save_model(&trained, &file).unwrap();
    let loaded = load_model(init_seeded(&device, 99, |d| config.init(d)), &file).unwrap();
    assert_eq!(
        scores(&loaded, images),
        after,
        "model.bpk holds the running statistics"
    );
}

#[test]
fn the_bn_cnn_is_a_model_kind_that_needs_batches_of_two() {
    let kind: ModelKind = "bn-cnn".parse().unwrap();
    assert!(kind.uses_batch_norm());
    assert!(!ModelKind::BaselineCnn.uses_batch_norm());
}

#[test]
fn a_training_batch_of_one_image_is_refused_with_the_fix() {
    let kind = ModelKind::BnCnn;
    let single = kind.check_batches(100, 1).unwrap_err();
    assert!(single.contains("--batch-size 64"), "{single}");
    let leftover = kind.check_batches(65, 64).unwrap_err();
    assert!(
        leftover.contains("last batch of one image") && leftover.contains("--train-size 64"),
        "{leftover}"
    );
    assert!(kind.check_batches(66, 64).is_ok());
    assert!(ModelKind::BaselineCnn.check_batches(65, 64).is_ok());
}
