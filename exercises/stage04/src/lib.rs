//! Stage 4, Model: the baseline CNN built layer by layer, its summary, and one
//! forward pass of real images.

use anyhow::{Result, anyhow};
// The Module and Config derives write paths that start with `burn::`.
use kindling::burn;
use kindling::burn::prelude::*;
use kindling::burn::tensor::activation::softmax;
use kindling::data::{ImageBatcher, Normalization, load_splits};
use kindling::models::{Classifier, NoTrace, Tracer, init_seeded, summary};
use kindling_course::{StageArgs, StageReport};

// The layers you will need. Remove this `allow` once your model uses them all.
#[allow(unused_imports)]
use kindling::burn::nn::{
    Linear, LinearConfig, Relu,
    conv::{Conv2d, Conv2dConfig},
    pool::{MaxPool2d, MaxPool2dConfig},
};

/// Images in the batch sent through the model.
pub use kindling_course::facts::stage04::BATCH_SIZE;

// ANCHOR: run
/// Runs the whole stage and writes its results into the output folder.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(4)?;
    let device = Device::flex();
    // The same seed gives the same starting weights, run after run.
    let model = init_seeded(&device, args.seed, |device| CnnConfig::new().init(device));

    let table = summary(&model, &device);
    println!("{table}\n");
    let summary_path = out.join("summary.txt");
    std::fs::write(&summary_path, format!("{table}\n"))?;

    let (images, class_names) = first_images(args, &device)?;
    let scores = model.forward(images.clone());
    println!(
        "Forward pass: images {:?} in, scores {:?} out.",
        images.dims(),
        scores.dims()
    );
    let probabilities: Vec<f32> = softmax(scores.clone(), 1)
        .into_data()
        .try_into_vec_as()
        .map_err(|e| anyhow!("reading the probabilities: {e:?}"))?;
    let classes = scores.dims()[1].max(1);
    println!("The untrained model's best guess for each image:");
    for (image, row) in probabilities.chunks(classes).enumerate() {
        let (best, chance) = row
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |a, (i, &p)| if p > a.1 { (i, p) } else { a });
        let name = class_names.get(best).map_or("?", String::as_str);
        println!("  image {image}: {name:<10} {:.1}%", 100.0 * chance);
    }

    let mut report = StageReport::new(4, args);
    report.set(
        "layer_names",
        table.layers.iter().map(|l| &l.name).collect::<Vec<_>>(),
    );
    report.set(
        "layer_kinds",
        table.layers.iter().map(|l| &l.kind).collect::<Vec<_>>(),
    );
    report.set(
        "layer_output_shapes",
        table
            .layers
            .iter()
            .map(|l| &l.output_shape)
            .collect::<Vec<_>>(),
    );
    report.set(
        "layer_params",
        table.layers.iter().map(|l| l.params).collect::<Vec<_>>(),
    );
    report.set("total_params", table.total_params);
    report.set("forward_input_shape", images.dims());
    report.set("forward_output_shape", scores.dims());
    report.set("probabilities", &probabilities);
    report.write(&out)?;
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: config
/// The model's settings: here, only how many classes it tells apart.
#[derive(Config, Debug)]
pub struct CnnConfig {
    /// Number of classes: the length of the scores for each image.
    #[config(default = 10)]
    pub num_classes: usize,
}
// ANCHOR_END: config

// ANCHOR: layers
/// The baseline CNN: three convolutions with max-pooling between them, then two
/// dense (Linear) layers.
#[derive(Module, Debug)]
pub struct Cnn {
    // TODO: the layers: three Conv2d (conv1, conv2, conv3), one MaxPool2d
    // (pool, used twice), a hidden Linear (dense), the output Linear (output)
    // and a Relu (relu). For now the model has only the output layer.
    output: Linear,
}
// ANCHOR_END: layers

// ANCHOR: init
impl CnnConfig {
    /// Builds the model with fresh, random weights on `device`.
    pub fn init(&self, device: &Device) -> Cnn {
        Cnn {
            // TODO: build each layer of Cnn:
            //   conv1: Conv2dConfig::new([3, 32], [3, 3]).init(device)
            //     (3 channels in, 32 filters out, 3x3 kernel; conv2 and conv3
            //     take 32 -> 64 and 64 -> 64)
            //   pool:  MaxPool2dConfig::new([2, 2]).init()
            //   dense: LinearConfig::new(inputs, 64).init(device), where inputs is
            //     how many numbers conv3 hands on for one image
            //   output: LinearConfig::new(64, self.num_classes).init(device)
            //   relu:  Relu::new()
            // For now: one Linear from all 3 x 32 x 32 input numbers to the scores.
            output: LinearConfig::new(3 * 32 * 32, self.num_classes).init(device),
        }
    }
}
// ANCHOR_END: init

// ANCHOR: forward
impl Classifier<4> for Cnn {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward_traced(images, &mut NoTrace)
    }

    /// Images `[batch, 3, 32, 32]` in, scores `[batch, classes]` out. Each layer's
    /// output goes through `t.layer(name, type, parameters, output)`, which hands
    /// it back unchanged after noting its shape for the summary.
    fn forward_traced<T: Tracer>(&self, images: Tensor<4>, t: &mut T) -> Tensor<2> {
        // TODO: call the layers in order, each output reported through t.layer:
        //   conv1 then relu   -> t.layer("conv2d_1", "Conv2D", self.conv1.num_params(), x)
        //   pool              -> t.layer("max_pooling2d_1", "MaxPooling2D", 0, x)
        //   conv2, relu, pool, conv3, relu (named like the first ones, _2 and _3)
        //   flatten           -> as below, but of x instead of images
        //   dense then relu   -> "dense_1", then output -> "dense_2"
        // For now: flatten the images and score them with one Linear layer.
        let x: Tensor<2> = t.layer("flatten", "Flatten", 0, images.flatten(1, 3));
        t.layer(
            "dense_1",
            "Dense",
            self.output.num_params(),
            self.output.forward(x),
        )
    }

    fn input_shape(&self) -> [usize; 4] {
        [1, 3, 32, 32]
    }

    fn name(&self) -> &'static str {
        "stage04_cnn"
    }
}
// ANCHOR_END: forward

// ANCHOR: images
/// The first 8 training images, normalised the stage 3 way (the library's
/// `ImageBatcher` does in one call what stage 3 did by hand), and the class names.
pub fn first_images(args: &StageArgs, device: &Device) -> Result<(Tensor<4>, Vec<String>)> {
    let sizes = kindling_course::facts::stage04::split_sizes(args.profile);
    let train = load_splits(&args.dataset, sizes, args.seed)?.train;
    let batcher = ImageBatcher::new(Normalization::fit(&train));
    let indices: Vec<usize> = (0..BATCH_SIZE.min(train.len())).collect();
    Ok((
        batcher.images_of(&train, &indices, device),
        train.class_names().to_vec(),
    ))
}
// ANCHOR_END: images
