//! Stage 1, Photos: load the labelled images, count each class, and look at a few.

use std::path::Path;

use anyhow::Result;
use kindling::charts::{GridImage, image_grid};
use kindling::data::{ImageSet, load_splits};
use kindling_course::facts::stage01::{SAMPLES_PER_CLASS, split_sizes};
use kindling_course::{StageArgs, StageReport};

// ANCHOR: run
/// Runs the whole stage and writes its results into the output folder.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(1)?;

    let images = load_images(args)?;
    println!(
        "Loaded {} labelled images from {}.",
        images.len(),
        args.dataset
    );

    let counts = count_per_class(images.labels(), images.num_classes());
    print_counts(images.class_names(), &counts);

    let picks = pick_samples(&images, SAMPLES_PER_CLASS);
    let grid_path = out.join("samples.png");
    draw_samples(&images, &picks, &grid_path)?;
    println!(
        "Drew {} sample images into {}.",
        picks.len(),
        grid_path.display()
    );

    let mut report = StageReport::new(1, args);
    report.set("image_count", images.len());
    report.set("class_names", images.class_names());
    report.set("class_counts", &counts);
    report.set("sample_indices", &picks);
    report.write(&out)?;
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: load
/// Step 1: the labelled training images. The full run takes every training image;
/// the checker's run takes the first 2,000.
pub fn load_images(args: &StageArgs) -> Result<ImageSet> {
    let splits = load_splits(&args.dataset, split_sizes(args.profile), args.seed)?;
    Ok(splits.train)
}
// ANCHOR_END: load

// ANCHOR: count
/// Step 2: how many images each class has. `labels` holds one class number per
/// image; the answer holds one count per class.
pub fn count_per_class(labels: &[u8], classes: usize) -> Vec<usize> {
    // TODO: start with a zero for every class, then add one to
    // counts[label] for every label.
    let _ = labels;
    vec![0; classes]
}
// ANCHOR_END: count

// ANCHOR: print
/// Prints one line per class: its number, its name and its count.
pub fn print_counts(class_names: &[String], counts: &[usize]) {
    println!("{:<3} {:<12} {:>7}", "#", "class", "images");
    for (class, (name, count)) in class_names.iter().zip(counts).enumerate() {
        println!("{class:<3} {name:<12} {count:>7}");
    }
    println!("{:<16} {:>7}", "total", counts.iter().sum::<usize>());
}
// ANCHOR_END: print

// ANCHOR: pick
/// Step 3: which images to look at: the first `per_class` images of every class,
/// class by class.
pub fn pick_samples(images: &ImageSet, per_class: usize) -> Vec<usize> {
    // TODO: for each class, take the first `per_class` images with that label.
    // For now this takes the first images, whatever their class.
    (0..per_class * images.num_classes()).collect()
}
// ANCHOR_END: pick

// ANCHOR: draw
/// Draws the picked images in a grid, each captioned with its class name.
pub fn draw_samples(images: &ImageSet, picks: &[usize], path: &Path) -> Result<()> {
    let cells: Vec<GridImage> = picks
        .iter()
        .map(|&index| {
            let name = &images.class_names()[images.label(index)];
            GridImage::new(images.image_rgb(index), 32, 32, name.as_str())
        })
        .collect();
    image_grid(&cells, 5, path)?;
    Ok(())
}
// ANCHOR_END: draw
