//! Stage 2, Variables: the images and labels as tensors, their shapes, types and
//! value ranges, and one batch.

use std::path::Path;

use anyhow::{Result, anyhow};
use kindling::burn::prelude::*;
use kindling::charts::{GridImage, image_grid};
use kindling::data::image_set::planes_to_rgb;
use kindling::data::{CHANNELS, IMAGE_SIDE, ImageSet, load_splits};
use kindling_course::{StageArgs, StageReport};

/// Images in one batch (a fact the checker shares).
pub use kindling_course::facts::stage02::BATCH_SIZE;

// ANCHOR: run
/// Runs the whole stage and writes its results into the output folder.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(2)?;
    // Flex is Burn's CPU backend: every tensor of this stage lives in main memory.
    let device = Device::flex();

    let images = load_images(args)?;
    let class_names: Vec<String> = images.class_names().to_vec();
    let x_train = images_to_tensor(&images, &device);
    let y_train = labels_to_tensor(&images, &device);

    let (x_min, x_max) = value_range(&x_train);
    let y_min: i64 = y_train.clone().min().into_scalar();
    let y_max: i64 = y_train.clone().max().into_scalar();
    println!("Loaded {} images.\n", images.len());
    print_tensor(
        "x_train",
        &x_train.dims(),
        x_train.dtype().name(),
        x_min,
        x_max,
    );
    print_tensor(
        "y_train",
        &y_train.dims(),
        y_train.dtype().name(),
        y_min,
        y_max,
    );
    println!("class_names: {}", class_names.join(", "));

    let (x_batch, y_batch) = first_batch(&x_train, &y_train, BATCH_SIZE);
    let batch_labels: Vec<i64> = y_batch
        .clone()
        .into_data()
        .try_into_vec_as()
        .map_err(|e| anyhow!("reading the batch's labels: {e:?}"))?;
    println!(
        "\nThe first batch: x {:?}, y {:?}\n  labels {batch_labels:?}",
        x_batch.dims(),
        y_batch.dims()
    );

    let first_image = first_image_values(&x_train)?;
    let picture = out.join("first_image.png");
    let first_class = class_names.get(images.label(0)).map_or("?", String::as_str);
    draw_first_image(&first_image, first_class, &picture)?;
    println!(
        "\nDrew x_train[0] and its three channels into {}.",
        picture.display()
    );

    let mut report = StageReport::new(2, args);
    report.set("image_count", images.len());
    report.set("x_train_shape", x_train.dims());
    report.set("x_train_dtype", x_train.dtype().name());
    report.set("x_train_min", x_min);
    report.set("x_train_max", x_max);
    report.set("y_train_shape", y_train.dims());
    report.set("y_train_dtype", y_train.dtype().name());
    report.set("y_train_min", y_min);
    report.set("y_train_max", y_max);
    report.set("class_names", &class_names);
    report.set("batch_shape", x_batch.dims());
    report.set("batch_labels_shape", y_batch.dims());
    report.set("batch_labels", &batch_labels);
    report.set("top_left_pixel", top_left_pixel(&first_image));
    report.write(&out)?;
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: load
/// The training images: 5,000 in the full run, 500 in the checker's run.
pub fn load_images(args: &StageArgs) -> Result<ImageSet> {
    let sizes = kindling_course::facts::stage02::split_sizes(args.profile);
    Ok(load_splits(&args.dataset, sizes, args.seed)?.train)
}
// ANCHOR_END: load

// ANCHOR: x_train
/// Step 1: every image as one tensor of shape `[images, channels, height, width]`,
/// each value a float between 0 and 1.
///
/// `images.pixels()` holds the bytes image after image, and inside each image the
/// 1,024 red values, then the 1,024 green, then the 1,024 blue, row by row: the
/// same order as `[images, 3, 32, 32]`, so the bytes need no reordering, only a shape.
pub fn images_to_tensor(images: &ImageSet, device: &Device) -> Tensor<4> {
    // TODO: scale every byte (0 to 255) to a float between 0 and 1, and give the
    // numbers the shape [images.len(), CHANNELS, IMAGE_SIDE, IMAGE_SIDE].
    // For now the bytes are copied as they are, into one long row.
    let values: Vec<f32> = images.pixels().iter().map(|&byte| byte as f32).collect();
    let shape = [1, 1, 1, values.len()];
    Tensor::from_data(TensorData::new(values, shape), device)
}
// ANCHOR_END: x_train

// ANCHOR: y_train
/// Step 2: every label as one tensor of whole numbers, shape `[images]`.
pub fn labels_to_tensor(images: &ImageSet, device: &Device) -> Tensor<1, Int> {
    // TODO: one i64 per image, taken from images.labels(), in shape [images.len()]
    // (build it like x_train). For now every label is 0.
    Tensor::zeros([images.len()], device)
}
// ANCHOR_END: y_train

// ANCHOR: range
/// Step 3: the smallest and the largest value in `x`.
pub fn value_range(x: &Tensor<4>) -> (f32, f32) {
    // TODO: measure them the way run() measures y_train's: min() and max() give
    // one-number tensors, and into_scalar() reads the number out. Clone x first:
    // min() and max() use up the tensor they are called on.
    let _ = x;
    (0.0, 0.0)
}
// ANCHOR_END: range

// ANCHOR: batch
/// Step 4: the first `size` images and their labels: one batch.
pub fn first_batch(x: &Tensor<4>, y: &Tensor<1, Int>, size: usize) -> (Tensor<4>, Tensor<1, Int>) {
    // TODO: keep the first `size` entries along dimension 0 of both tensors:
    // narrow(0, 0, size) keeps `size` entries of dimension 0, starting at 0.
    // For now the "batch" is every image.
    let _ = size;
    (x.clone(), y.clone())
}
// ANCHOR_END: batch

// ANCHOR: print
/// Prints one line about a tensor: its name, shape, type and value range.
fn print_tensor(name: &str, shape: &[usize], dtype: &str, min: impl ToString, max: impl ToString) {
    println!(
        "{name:<8} shape {:<18} dtype {dtype:<4} values {} to {}",
        format!("{shape:?}"),
        min.to_string(),
        max.to_string()
    );
}
// ANCHOR_END: print

/// The first image's values, read back out of the tensor (whatever its shape).
fn first_image_values(x: &Tensor<4>) -> Result<Vec<f32>> {
    let image_values = CHANNELS * IMAGE_SIDE * IMAGE_SIDE;
    let flat: Tensor<1> = x.clone().flatten(0, 3);
    let count = flat.dims()[0].min(image_values);
    flat.narrow(0, 0, count)
        .into_data()
        .try_into_vec_as()
        .map_err(|e| anyhow!("reading x_train's first image: {e:?}"))
}

/// Red, green and blue of the first image's top-left pixel: `x_train[0, c, 0, 0]`.
fn top_left_pixel(first_image: &[f32]) -> Vec<f32> {
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    (0..CHANNELS)
        .filter_map(|channel| first_image.get(channel * plane).copied())
        .collect()
}

/// Draws the first image as the tensor holds it, then each of its channels alone.
fn draw_first_image(values: &[f32], class_name: &str, path: &Path) -> Result<()> {
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    // Values outside [0, 1] (unscaled bytes, say) show as white.
    let mut bytes: Vec<u8> = values
        .iter()
        .map(|&v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect();
    bytes.resize(CHANNELS * plane, 0);
    let mut cells = vec![GridImage::new(
        planes_to_rgb(&bytes),
        IMAGE_SIDE,
        IMAGE_SIDE,
        format!("x_train[0]\n{class_name}"),
    )];
    for (channel, name) in ["red", "green", "blue"].into_iter().enumerate() {
        // One channel alone, shown in its own colour.
        let mut alone = vec![0; CHANNELS * plane];
        alone[channel * plane..(channel + 1) * plane]
            .copy_from_slice(&bytes[channel * plane..(channel + 1) * plane]);
        cells.push(GridImage::new(
            planes_to_rgb(&alone),
            IMAGE_SIDE,
            IMAGE_SIDE,
            format!("x_train[0, {channel}]\n{name}"),
        ));
    }
    image_grid(&cells, 4, path)?;
    Ok(())
}
