use burn::prelude::*;
use kindling_models::{BaselineCnnConfig, Classifier, ModelKind, summary};

#[test]
fn baseline_cnn_matches_the_keras_tutorial() {
    let device = Device::flex();
    let model = BaselineCnnConfig::new().init(&device);
    let table = summary(&model, &device);
    let shapes: Vec<(&str, Vec<usize>, usize)> = table
        .layers
        .iter()
        .map(|l| (l.name.as_str(), l.output_shape.clone(), l.params))
        .collect();
    assert_eq!(
        shapes,
        [
            ("conv2d_1", vec![32, 30, 30], 896),
            ("max_pooling2d_1", vec![32, 15, 15], 0),
            ("conv2d_2", vec![64, 13, 13], 18_496),
            ("max_pooling2d_2", vec![64, 6, 6], 0),
            ("conv2d_3", vec![64, 4, 4], 36_928),
            ("flatten", vec![1024], 0),
            ("dense_1", vec![64], 65_600),
            ("dense_2", vec![10], 650),
        ]
    );
    assert_eq!(table.total_params, 122_570);
    let text = table.to_string();
    assert!(text.contains("conv2d_1 (Conv2D)"), "{text}");
    assert!(text.contains("(None, 32, 30, 30)"), "{text}");
    assert!(text.contains("Total params: 122,570"), "{text}");
}

#[test]
fn summary_follows_the_config() {
    let device = Device::flex();
    let model = BaselineCnnConfig::new()
        .with_num_classes(3)
        .with_hidden(16)
        .init(&device);
    let table = summary(&model, &device);
    assert_eq!(table.output_shape(), [3]);
    let per_layer: usize = table.layers.iter().map(|l| l.params).sum();
    assert_eq!(per_layer, table.total_params);
}

#[test]
fn every_model_kind_maps_a_batch_to_class_scores() {
    let device = Device::flex();
    for kind in ModelKind::ALL {
        let model = kind.init(10, &device);
        let output = model.forward(Tensor::<4>::zeros([2, 3, 32, 32], &device));
        assert_eq!(output.dims(), [2, 10], "{kind}");
        assert_eq!(kind.to_string().parse::<ModelKind>().unwrap(), kind);
    }
    let error = "resnet".parse::<ModelKind>().unwrap_err().to_string();
    assert!(error.contains("baseline-cnn"), "{error}");
}

#[test]
fn linear_model_is_one_dense_layer() {
    let device = Device::flex();
    let model = ModelKind::Linear.init(10, &device);
    assert_eq!(model.num_params(), 3072 * 10 + 10);
}

#[test]
fn saved_weights_load_back_and_a_wrong_model_is_refused() {
    use kindling_models::{init_seeded, load_model, save_model};
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bpk");
    let model = init_seeded(&device, 3, |d| ModelKind::BaselineCnn.init(10, d));
    save_model(&model, &path).unwrap();
    let fresh = init_seeded(&device, 4, |d| ModelKind::BaselineCnn.init(10, d));
    let loaded = load_model(fresh, &path).unwrap();
    let input = Tensor::<4>::ones([1, 3, 32, 32], &device);
    let expected: Vec<f32> = model
        .forward(input.clone())
        .into_data()
        .try_into_vec_as()
        .unwrap();
    let actual: Vec<f32> = loaded.forward(input).into_data().try_into_vec_as().unwrap();
    assert_eq!(expected, actual);

    let wrong = ModelKind::Linear.init(10, &device);
    let message = load_model(wrong, &path).unwrap_err().to_string();
    assert!(message.contains("model.bpk"), "{message}");
    let missing = load_model(
        ModelKind::Linear.init(10, &device),
        &dir.path().join("none.bpk"),
    );
    assert!(missing.unwrap_err().to_string().contains("no such file"));
}
