//! PNG output: the file decodes, has the asked size, is not blank, shows its text
//! (drawn with the bundled font, never a system one) and its series colours.

mod common;

use common::{class_names, counts, draw, grid_images, history};
use image::RgbImage;
use kindling_charts::{
    ChartOptions, EpochChart, Rgb, Series, XyChart, accuracy_chart, confusion_heatmap, image_grid,
    loss_chart, metrics_grid, overlay_chart, top_k_bars,
};

type Render = Box<dyn Fn(&std::path::Path) -> Result<(), kindling_charts::ChartError>>;

fn decode(path: &std::path::Path) -> RgbImage {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8()
}

fn is_dark(pixel: &image::Rgb<u8>) -> bool {
    pixel.0.iter().map(|&c| u32::from(c)).sum::<u32>() < 3 * 100
}

/// Dark pixels in the top `rows` rows: where every chart's title is.
fn dark_pixels_in_title(image: &RgbImage, rows: u32) -> usize {
    (0..rows)
        .flat_map(|y| (0..image.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| is_dark(image.get_pixel(x, y)))
        .count()
}

fn non_white(image: &RgbImage) -> usize {
    image.pixels().filter(|p| p.0 != [255, 255, 255]).count()
}

fn contains_color(image: &RgbImage, color: Rgb) -> bool {
    image.pixels().any(|p| p.0 == [color.0, color.1, color.2])
}

#[test]
fn a_line_chart_is_800_by_500_with_its_title_and_both_series() {
    let (_dir, path) = draw("accuracy.png", |path| accuracy_chart(&history(), path));
    let image = decode(&path);
    assert_eq!(image.dimensions(), (800, 500));
    assert!(non_white(&image) > 5_000, "the chart is not blank");
    assert!(dark_pixels_in_title(&image, 40) > 40, "the title is drawn");
    assert!(contains_color(&image, Rgb::BLUE), "train line in blue");
    assert!(
        contains_color(&image, Rgb::ORANGE),
        "validation line in orange"
    );
}

#[test]
fn the_title_pixels_are_text_not_decoration() {
    // The same chart with a longer title has more ink in the title strip: what is
    // there is the rendered text.
    let short = EpochChart::new("A", "y").with_series(Series::new("s", vec![1.0, 2.0]));
    let long =
        EpochChart::new("A much longer title", "y").with_series(Series::new("s", vec![1.0, 2.0]));
    let (_a, short_path) = draw("short.png", |path| short.save(path));
    let (_b, long_path) = draw("long.png", |path| long.save(path));
    let short_ink = dark_pixels_in_title(&decode(&short_path), 40);
    let long_ink = dark_pixels_in_title(&decode(&long_path), 40);
    assert!(short_ink > 10, "{short_ink}");
    assert!(long_ink > 5 * short_ink, "{long_ink} vs {short_ink}");
}

#[test]
fn the_size_is_configurable() {
    let chart = EpochChart::new("Sized", "y")
        .with_series(Series::new("s", vec![1.0, 2.0, 1.5]))
        .with_options(ChartOptions::default().with_size(640, 360));
    let (_dir, path) = draw("sized.png", |path| chart.save(path));
    assert_eq!(decode(&path).dimensions(), (640, 360));
}

#[test]
fn every_other_chart_kind_renders_a_png_with_text() {
    let runs = [("a", vec![1.0, 0.5]), ("b", vec![2.0, 1.0])];
    let xy = XyChart::new("Finder", "lr", "loss")
        .with_series("loss", vec![(1e-4, 2.0), (1e-3, 1.0), (1e-2, 3.0)])
        .with_log_x(true)
        .with_marker(1e-3, "here");
    let cases: Vec<(&str, Render)> = vec![
        ("loss.png", Box::new(|p| loss_chart(&history(), p, true))),
        (
            "grid.png",
            Box::new(|p| metrics_grid(&history(), &["loss", "accuracy"], p)),
        ),
        (
            "overlay.png",
            Box::new(move |p| overlay_chart("Runs", "loss", &runs, false, p)),
        ),
        ("xy.png", Box::new(move |p| xy.save(p))),
        (
            "confusion.png",
            Box::new(|p| confusion_heatmap(&counts(), &class_names(), false, p)),
        ),
        (
            "top_k.png",
            Box::new(|p| top_k_bars(&["cat", "dog"], &[0.8, 0.2], "Guesses", p)),
        ),
    ];
    for (name, render) in cases {
        let (_dir, path) = draw(name, render);
        let image = decode(&path);
        assert!(image.width() >= 160 && image.height() >= 120, "{name}");
        assert!(non_white(&image) > 2_000, "{name} is not blank");
        assert!(dark_pixels_in_title(&image, 40) > 40, "{name} has a title");
    }
}

#[test]
fn the_confusion_heatmap_colours_the_largest_cell_darkest() {
    let (_dir, path) = draw("confusion.png", |p| {
        confusion_heatmap(&counts(), &class_names(), false, p)
    });
    let image = decode(&path);
    // The darkest colour of the scale fills the cell holding the maximum (9).
    assert!(image.pixels().any(|p| p.0 == [8, 48, 107]));
}

#[test]
fn image_grid_enlarges_pixels_and_highlights_mistakes() {
    let (_dir, path) = draw("images.png", |p| image_grid(&grid_images(), 3, p));
    let image = decode(&path);
    let red_pixels = image.pixels().filter(|p| p.0 == [200, 40, 40]).count();
    // A 2x2 image is enlarged 48x to 96x96.
    assert_eq!(red_pixels, 96 * 96);
    assert!(contains_color(&image, Rgb::RED), "the mistake's border");
}

#[test]
fn output_is_identical_from_run_to_run() {
    for name in ["again.png", "again.svg"] {
        let (_a, first) = draw(name, |path| metrics_grid(&history(), &["loss", "lr"], path));
        let (_b, second) = draw(name, |path| metrics_grid(&history(), &["loss", "lr"], path));
        assert!(
            std::fs::read(first).unwrap() == std::fs::read(second).unwrap(),
            "{name}"
        );
    }
}
