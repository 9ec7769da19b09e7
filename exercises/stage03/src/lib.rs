//! Stage 3, Prepared data: fair piles (a stratified train/validation split and a
//! sealed test pile), and pixels normalised with statistics of the training pile only.

use std::path::Path;

use anyhow::{Result, anyhow};
use kindling::burn::prelude::*;
use kindling::charts::XyChart;
use kindling::data::split::train_validation_split;
use kindling::data::{CHANNELS, IMAGE_SIDE, ImageSet, Normalization, SealedTestSet, load_splits};
use kindling_course::facts::stage03 as facts;
use kindling_course::{StageArgs, StageReport};

// ANCHOR: run
/// Runs the whole stage and writes its results into the output folder.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(3)?;
    let device = Device::flex();

    let (pool, test) = load_pool_and_test(args)?;
    let (train, validation) = split_pool(&pool, args)?;
    let piles = count_piles(&train, &validation, &test);
    print_balance(train.class_names(), &piles);

    let stats = channel_stats(&train);
    println!("\nFitted on the training pile ({} images):", train.len());
    for (channel, name) in ["red", "green", "blue"].into_iter().enumerate() {
        println!(
            "  {name:<6} mean {:.4}  standard deviation {:.4}",
            stats.mean[channel], stats.std[channel]
        );
    }

    let scaled_train = scaled(&train, &device);
    let x_train = normalize(scaled_train.clone(), &stats);
    let x_validation = normalize(scaled(&validation, &device), &stats);
    let (train_mean, train_std) = measure_channels(&x_train)?;
    let (validation_mean, validation_std) = measure_channels(&x_validation)?;
    println!("\nAfter normalising, per channel (red, green, blue):");
    println!("  train       mean {train_mean:>7.4?}  std {train_std:>7.4?}");
    println!("  validation  mean {validation_mean:>7.4?}  std {validation_std:>7.4?}");

    let chart = out.join("pixel_values.png");
    draw_pixel_values(&scaled_train, &x_train, &chart)?;
    println!(
        "\nDrew the training pixels before and after normalising into {}.",
        chart.display()
    );
    println!(
        "The test pile stays sealed: {} images, counted, never looked at.",
        test.len()
    );

    let mut report = StageReport::new(3, args);
    for pile in &piles {
        report.set(&format!("{}_size", pile.name), pile.size);
        report.set(&format!("{}_class_counts", pile.name), &pile.class_counts);
    }
    report.set("normalization_mean", stats.mean);
    report.set("normalization_std", stats.std);
    report.set("normalized_train_mean", train_mean);
    report.set("normalized_train_std", train_std);
    report.set("normalized_validation_mean", validation_mean);
    report.set("normalized_validation_std", validation_std);
    report.write(&out)?;
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: load
/// The images to split into training and validation piles (5,000; 1,000 in the
/// checker's run), and the test pile, sealed as it arrives (1,000; 200).
pub fn load_pool_and_test(args: &StageArgs) -> Result<(ImageSet, SealedTestSet)> {
    let sizes = facts::split_sizes(args.profile);
    let splits = load_splits(&args.dataset, sizes, args.seed)?;
    Ok((splits.train, splits.test))
}
// ANCHOR_END: load

// ANCHOR: split
/// Step 1: a stratified split. A fifth of the pool goes to validation, and every
/// class keeps its share in both piles. The seed decides which images go where, so
/// every run makes the same piles.
pub fn split_pool(pool: &ImageSet, args: &StageArgs) -> Result<(ImageSet, ImageSet)> {
    let validation_size = facts::validation_size(pool.len());
    Ok(train_validation_split(pool, validation_size, args.seed)?)
}
// ANCHOR_END: split

// ANCHOR: count
/// One pile's size and how many images of each class it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PileCount {
    /// "train", "validation" or "test".
    pub name: &'static str,
    /// Images in the pile.
    pub size: usize,
    /// Images per class, indexed by label.
    pub class_counts: Vec<usize>,
}

/// Step 2: count every pile, the test pile included, without opening it.
pub fn count_piles(
    train: &ImageSet,
    validation: &ImageSet,
    test: &SealedTestSet,
) -> Vec<PileCount> {
    let mut piles = vec![
        PileCount {
            name: "train",
            size: train.len(),
            class_counts: train.class_counts(),
        },
        PileCount {
            name: "validation",
            size: validation.len(),
            class_counts: validation.class_counts(),
        },
    ];
    // TODO: count the test pile too, through its seal: a SealedTestSet tells
    // its size and its images per class, but never shows an image.
    let _ = test;
    piles.push(PileCount {
        name: "test",
        size: 0,
        class_counts: vec![0; train.num_classes()],
    });
    piles
}
// ANCHOR_END: count

// ANCHOR: stats
/// Step 3: each channel's mean and standard deviation over the training pile, with
/// pixel bytes scaled to [0, 1].
pub fn channel_stats(train: &ImageSet) -> Normalization {
    // TODO: for each channel, over every pixel of every training image, with
    // each byte scaled to [0, 1] first:
    //   mean     = (sum of the values) / (number of values)
    //   variance = (sum of the squared values) / (number of values) - mean * mean
    //   standard deviation = the square root of the variance
    // train.image(i) gives image i's bytes: 1,024 red, then 1,024 green, then
    // 1,024 blue. For now: mean 0 and standard deviation 1, which change nothing.
    let _ = train;
    Normalization::IDENTITY
}
// ANCHOR_END: stats

// ANCHOR: scaled
/// The images as a tensor `[images, 3, 32, 32]` with values in [0, 1], as in stage 2.
pub fn scaled(images: &ImageSet, device: &Device) -> Tensor<4> {
    let values: Vec<f32> = images
        .pixels()
        .iter()
        .map(|&byte| byte as f32 / 255.0)
        .collect();
    let shape = [images.len(), CHANNELS, IMAGE_SIDE, IMAGE_SIDE];
    Tensor::from_data(TensorData::new(values, shape), device)
}
// ANCHOR_END: scaled

// ANCHOR: normalize
/// Step 4: every value minus its channel's mean, divided by its channel's standard
/// deviation.
pub fn normalize(x: Tensor<4>, stats: &Normalization) -> Tensor<4> {
    // TODO: subtract each channel's mean and divide by its standard deviation.
    // Make the statistics tensors of shape [1, CHANNELS, 1, 1]
    // (Tensor::<1>::from_floats(stats.mean, &x.device()), then reshape): Burn
    // repeats a size-1 dimension to match, so (x - mean) / std works on every
    // image, row and column at once. For now x comes back unchanged.
    let _ = stats;
    x
}
// ANCHOR_END: normalize

// ANCHOR: measure
/// The mean and standard deviation of each channel of `x`, measured on the tensor.
pub fn measure_channels(x: &Tensor<4>) -> Result<([f32; CHANNELS], [f32; CHANNELS])> {
    // An average of averages: over each row, then each image's rows, then the
    // images. Every step adds up only a few thousand f32 numbers, so little
    // rounding creeps in, as it would adding millions in one go.
    let average = |t: Tensor<4>| t.mean_dim(3).mean_dim(2).mean_dim(0);
    let mean = average(x.clone());
    let mean_of_squares = average(x.clone() * x.clone());
    let variance = (mean_of_squares - mean.clone() * mean.clone()).clamp_min(0.0);
    let read = |t: Tensor<4>| -> Result<[f32; CHANNELS]> {
        let values: Vec<f32> = t
            .into_data()
            .try_into_vec_as()
            .map_err(|e| anyhow!("reading channel statistics: {e:?}"))?;
        values
            .try_into()
            .map_err(|v: Vec<f32>| anyhow!("x has {} channels, not {CHANNELS}", v.len()))
    };
    Ok((read(mean)?, read(variance.sqrt())?))
}
// ANCHOR_END: measure

/// Prints each class's images in each pile, with its share of the pile.
fn print_balance(class_names: &[String], piles: &[PileCount]) {
    print!("{:<12}", "class");
    for pile in piles {
        print!("{:>18}", pile.name);
    }
    println!();
    for (class, name) in class_names.iter().enumerate() {
        print!("{name:<12}");
        for pile in piles {
            let count = pile.class_counts.get(class).copied().unwrap_or(0);
            let share = 100.0 * count as f64 / pile.size.max(1) as f64;
            print!("{:>18}", format!("{count} ({share:.1}%)"));
        }
        println!();
    }
    print!("{:<12}", "total");
    for pile in piles {
        print!("{:>18}", pile.size);
    }
    println!();
}

/// A line per tensor: the share of its values in each of 60 bins.
fn draw_pixel_values(scaled: &Tensor<4>, normalized: &Tensor<4>, path: &Path) -> Result<()> {
    let read = |x: &Tensor<4>| -> Result<Vec<f32>> {
        x.clone()
            .into_data()
            .try_into_vec_as()
            .map_err(|e| anyhow!("reading pixel values: {e:?}"))
    };
    let (before, after) = (read(scaled)?, read(normalized)?);
    let finite = before
        .iter()
        .chain(&after)
        .copied()
        .filter(|v| v.is_finite());
    let (low, high) = finite.fold((0.0f32, 1.0f32), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let bins = 60;
    let width = (high - low) / bins as f32;
    let histogram = |values: &[f32]| -> Vec<(f64, f64)> {
        let mut counts = vec![0usize; bins];
        for &value in values.iter().filter(|v| v.is_finite()) {
            let bin = (((value - low) / width) as usize).min(bins - 1);
            counts[bin] += 1;
        }
        let total = values.len().max(1) as f64;
        counts
            .iter()
            .enumerate()
            .map(|(bin, &count)| {
                let centre = low + (bin as f32 + 0.5) * width;
                (centre as f64, count as f64 / total)
            })
            .collect()
    };
    XyChart::new(
        "Training pixels, before and after normalising",
        "pixel value",
        "share of pixels",
    )
    .with_series("scaled to [0, 1]", histogram(&before))
    .with_series("normalised (mean 0, std 1)", histogram(&after))
    .save(path)?;
    Ok(())
}
