//! Every chart kind as SVG text, compared with the reviewed snapshots in
//! `tests/snapshots/`. SVG is deterministic, so any change in layout, styling or data
//! handling shows up as a diff.

mod common;

use common::{class_names, counts, grid_images, history, svg};
use kindling_charts::{
    ChartOptions, EpochChart, Series, XyChart, accuracy_chart, confusion_heatmap, history_chart,
    image_grid, loss_chart, metrics_grid, overlay_chart, top_k_bars,
};

#[test]
fn accuracy() {
    insta::assert_snapshot!(svg(|path| accuracy_chart(&history(), path)));
}

#[test]
fn loss_on_a_log_scale() {
    insta::assert_snapshot!(svg(|path| loss_chart(&history(), path, true)));
}

#[test]
fn grid_of_four_metrics() {
    let mut history = history();
    history.push_epoch([
        ("loss", 0.8),
        ("accuracy", 0.7),
        ("lr", 0.05),
        ("seconds", 12.0),
    ]);
    insta::assert_snapshot!(svg(|path| metrics_grid(
        &history,
        &["loss", "accuracy", "lr", "seconds"],
        path
    )));
}

#[test]
fn overlay_of_learning_rates() {
    let runs = [
        ("lr=1e-5", vec![2.30, 2.29, 2.28, 2.27]),
        ("lr=1e-3", vec![2.1, 1.5, 1.2, 1.0]),
        (
            "lr=1e-1 (diverged at epoch 4)",
            vec![2.4, 3.9, 9.5, f64::NAN],
        ),
    ];
    insta::assert_snapshot!(svg(|path| overlay_chart(
        "Loss by learning rate",
        "loss",
        &runs,
        true,
        path
    )));
}

#[test]
fn history_file_with_one_metric() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("history.json");
    history().save_json(&json).unwrap();
    insta::assert_snapshot!(svg(|path| history_chart(
        &json,
        &["val_accuracy"],
        false,
        path
    )));
}

#[test]
fn lr_finder_with_a_marker() {
    let points = vec![
        (1e-5, 2.31),
        (1e-4, 2.25),
        (1e-3, 1.7),
        (1e-2, 1.4),
        (1e-1, 3.2),
    ];
    insta::assert_snapshot!(svg(|path| XyChart::new(
        "Learning-rate finder",
        "learning rate",
        "loss"
    )
    .with_series("loss", points)
    .with_log_x(true)
    .with_marker(2e-3, "suggested lr = 2e-3")
    .save(path)));
}

#[test]
fn confusion_counts() {
    insta::assert_snapshot!(svg(|path| confusion_heatmap(
        &counts(),
        &class_names(),
        false,
        path
    )));
}

#[test]
fn confusion_row_fractions() {
    insta::assert_snapshot!(svg(|path| confusion_heatmap(
        &counts(),
        &class_names(),
        true,
        path
    )));
}

#[test]
fn images_with_captions_and_a_highlighted_mistake() {
    insta::assert_snapshot!(svg(|path| image_grid(&grid_images(), 2, path)));
}

#[test]
fn top_3_guesses() {
    let labels = ["dog", "cat", "frog"];
    insta::assert_snapshot!(svg(|path| top_k_bars(
        &labels,
        &[0.2, 0.75, 0.05],
        "Top 3 guesses",
        path
    )));
}

#[test]
fn custom_size_and_colours() {
    let chart = EpochChart::new("Custom", "value")
        .with_series(Series::new("only", vec![3.0, 1.0]).with_color(kindling_charts::Rgb::GREEN))
        .with_options(ChartOptions::default().with_size(400, 300));
    let text = svg(|path| chart.save(path));
    assert!(
        text.starts_with(r#"<svg width="400" height="300""#),
        "{}",
        &text[..80]
    );
    assert!(text.contains("#2CA02C"), "the series colour is used");
    insta::assert_snapshot!(text);
}
