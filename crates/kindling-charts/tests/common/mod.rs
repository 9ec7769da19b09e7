//! Fixed inputs shared by the chart tests.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

use kindling_charts::{ChartError, GridImage, Rgb};
use kindling_train::history::History;

/// Four epochs of a small run, with validation, a learning rate and one missing
/// validation value (epoch 3) to exercise gaps.
pub fn history() -> History {
    let mut history = History::new();
    let rows = [
        (2.2, 0.20, 2.1, 0.22, 0.1),
        (1.6, 0.42, 1.7, 0.40, 0.1),
        (1.2, 0.55, f64::NAN, f64::NAN, 0.05),
        (0.9, 0.66, 1.3, 0.58, 0.05),
    ];
    for (loss, accuracy, val_loss, val_accuracy, lr) in rows {
        history.push_epoch([
            ("loss", loss),
            ("accuracy", accuracy),
            ("val_loss", val_loss),
            ("val_accuracy", val_accuracy),
            ("lr", lr),
        ]);
    }
    history
}

pub fn class_names() -> Vec<String> {
    ["cat", "dog", "frog"].map(String::from).to_vec()
}

pub fn counts() -> Vec<Vec<u64>> {
    vec![vec![8, 2, 0], vec![3, 6, 1], vec![0, 1, 9]]
}

/// A `size`x`size` image of one colour.
pub fn solid(size: usize, rgb: [u8; 3]) -> Vec<u8> {
    rgb.repeat(size * size)
}

pub fn grid_images() -> Vec<GridImage> {
    vec![
        GridImage::new(solid(2, [200, 40, 40]), 2, 2, "cat"),
        GridImage::new(solid(2, [40, 200, 40]), 2, 2, "dog"),
        GridImage::new(solid(2, [40, 40, 200]), 2, 2, "frog\npredicted: cat")
            .with_highlight(Rgb::RED),
    ]
}

/// Draws into a fresh temporary folder and hands back the file's path (the folder
/// lives as long as the returned guard).
pub fn draw(
    name: &str,
    draw: impl FnOnce(&Path) -> Result<(), ChartError>,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    draw(&path).unwrap_or_else(|error| panic!("drawing {name} failed: {error}"));
    (dir, path)
}

/// The SVG text of a chart.
pub fn svg(draw_svg: impl FnOnce(&Path) -> Result<(), ChartError>) -> String {
    let (_dir, path) = draw("chart.svg", draw_svg);
    std::fs::read_to_string(path).unwrap()
}

/// The files in a folder, by name.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
