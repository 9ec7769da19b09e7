//! Augmentation reaches the training pile only, and is reproducible.

mod common;

use std::sync::Mutex;

use burn::prelude::*;
use common::blobs;

use kindling_data::{Augmentation, DataSource, ImageSet, Normalization, SplitSizes, load_splits};
use kindling_models::{Mlp, MlpConfig, ModelKind, init_seeded};
use kindling_train::{ClassificationData, FeatureData, FitConfig, ImageData, Verbosity, fit};

/// Feature rows that write down which kind of batch `fit` asked for.
struct Recorded {
    data: FeatureData,
    calls: Mutex<Vec<String>>,
}

impl ClassificationData<2> for Recorded {
    fn len(&self) -> usize {
        self.data.len()
    }

    fn label(&self, index: usize) -> usize {
        self.data.label(index)
    }

    fn batch(&self, indices: &[usize], device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
        self.calls.lock().unwrap().push("batch".into());
        self.data.batch(indices, device)
    }

    fn training_batch(
        &self,
        indices: &[usize],
        epoch: usize,
        config: &FitConfig,
        device: &Device,
    ) -> (Tensor<2>, Tensor<1, Int>) {
        let augmented = config.augmentation.is_some();
        self.calls
            .lock()
            .unwrap()
            .push(format!("training epoch {epoch} augmented {augmented}"));
        self.data.batch(indices, device)
    }
}

fn recorded(count: usize, seed: u64) -> Recorded {
    Recorded {
        data: blobs(count, seed),
        calls: Mutex::new(Vec::new()),
    }
}

#[test]
fn fit_asks_for_augmented_batches_of_the_training_pile_only() {
    let train = recorded(32, 1);
    let valid = recorded(16, 2);
    let model: Mlp = init_seeded(&Device::flex(), 3, |device| {
        MlpConfig::new(2, vec![4]).with_num_classes(2).init(device)
    });
    let config = FitConfig::default()
        .with_epochs(2)
        .with_batch_size(16)
        .with_verbosity(Verbosity::Silent)
        .with_augmentation(Some(Augmentation::flip_and_crop()));
    fit(model, &train, Some(&valid), &config).unwrap();

    let train_calls = train.calls.into_inner().unwrap();
    assert_eq!(
        train_calls,
        [
            "training epoch 1 augmented true",
            "training epoch 1 augmented true",
            "training epoch 2 augmented true",
            "training epoch 2 augmented true",
        ]
    );
    let valid_calls = valid.calls.into_inner().unwrap();
    assert!(!valid_calls.is_empty());
    assert!(
        valid_calls.iter().all(|call| call == "batch"),
        "{valid_calls:?}"
    );
}

fn images(count: usize) -> ImageSet {
    let sizes = SplitSizes {
        train: Some(count),
        validation: Some(10),
        test: Some(10),
    };
    load_splits(&DataSource::Builtin, sizes, 4).unwrap().train
}

fn values(tensor: Tensor<4>) -> Vec<f32> {
    tensor.into_data().try_into_vec_as().unwrap()
}

#[test]
fn image_batches_are_augmented_reproducibly_and_only_when_asked() {
    let set = images(20);
    let data = ImageData::new(&set, Normalization::fit(&set));
    let device = Device::flex();
    let indices: Vec<usize> = (0..20).collect();
    let plain = values(data.batch(&indices, &device).0);

    let off = FitConfig::default();
    assert_eq!(
        values(data.training_batch(&indices, 1, &off, &device).0),
        plain
    );
    let nothing = FitConfig::default().with_augmentation(Some(Augmentation::none()));
    assert_eq!(
        values(data.training_batch(&indices, 1, &nothing, &device).0),
        plain
    );

    let on = FitConfig::default().with_augmentation(Some(Augmentation::flip_and_crop()));
    let first = values(data.training_batch(&indices, 1, &on, &device).0);
    assert_ne!(first, plain);
    assert_eq!(
        values(data.training_batch(&indices, 1, &on, &device).0),
        first
    );
    assert_ne!(
        values(data.training_batch(&indices, 2, &on, &device).0),
        first
    );
    // Each image's draw belongs to the image, not to its place in the batch.
    let reversed: Vec<usize> = indices.iter().rev().copied().collect();
    let backwards = values(data.training_batch(&reversed, 1, &on, &device).0);
    let per_image = first.len() / 20;
    assert_eq!(backwards[..per_image], first[19 * per_image..]);
}

#[test]
fn augmented_training_is_reproducible_and_differs_from_plain_training() {
    let sizes = SplitSizes {
        train: Some(60),
        validation: Some(20),
        test: Some(10),
    };
    let splits = load_splits(&DataSource::Builtin, sizes, 6).unwrap();
    let norm = splits.normalization();
    let run = |augmentation: Option<Augmentation>| {
        let train = ImageData::new(&splits.train, norm);
        let valid = ImageData::new(&splits.validation, norm);
        let model = init_seeded(&Device::flex(), 6, |d| ModelKind::Linear.init(10, d));
        let config = FitConfig::default()
            .with_epochs(2)
            .with_batch_size(20)
            .with_verbosity(Verbosity::Silent)
            .with_augmentation(augmentation);
        let (_, history) = fit(model, &train, Some(&valid), &config).unwrap();
        history.get("loss").unwrap().to_vec()
    };
    let augmented = run(Some(Augmentation::flip_and_crop()));
    assert_eq!(run(Some(Augmentation::flip_and_crop())), augmented);
    assert_ne!(run(None), augmented);
}

#[test]
fn a_fold_asks_the_whole_set_for_training_batches_of_its_own_images() {
    let data = recorded(10, 3);
    let picked = [7, 2, 5];
    let fold = kindling_train::tuning::Subset::new(&data, &picked).unwrap();
    let config = FitConfig::default().with_augmentation(Some(Augmentation::flip_and_crop()));
    let device = Device::flex();
    let (rows, _) = fold.training_batch(&[2, 0], 3, &config, &device);
    let (expected, _) = data.data.batch(&[5, 7], &device);
    assert_eq!(rows.into_data(), expected.into_data());
    assert_eq!(
        *data.calls.lock().unwrap(),
        ["training epoch 3 augmented true"]
    );
}
