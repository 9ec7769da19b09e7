//! Failures: each message names the file or metric, the problem and the fix, and no
//! file (not even half of one) is left behind.

mod common;

use std::path::Path;

use common::{class_names, counts, files_in, history};
use kindling_charts::{
    ChartError, ChartOptions, EpochChart, GridImage, Series, XyChart, accuracy_chart,
    confusion_heatmap, history_chart, image_grid, loss_chart, metrics_grid, overlay_chart,
    top_k_bars,
};
use kindling_train::history::History;

/// Runs a drawing that must fail in an empty folder; returns its message after
/// checking the folder is still empty.
fn failure(name: &str, draw: impl FnOnce(&Path) -> Result<(), ChartError>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let error = draw(&dir.path().join(name)).expect_err("drawing should fail");
    assert!(
        files_in(dir.path()).is_empty(),
        "a failed drawing left {:?}",
        files_in(dir.path())
    );
    error.to_string()
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
}

#[test]
fn an_unknown_extension_names_the_file_and_both_formats() {
    let message = failure("chart.jpg", |path| accuracy_chart(&history(), path));
    assert_mentions(&message, &["chart.jpg", "`.jpg`", "`.png`", "`.svg`"]);
    let message = failure("chart", |path| loss_chart(&history(), path, false));
    assert_mentions(&message, &["no extension", "`.png`"]);
}

#[test]
fn the_extension_is_case_insensitive() {
    let dir = tempfile::tempdir().unwrap();
    accuracy_chart(&history(), dir.path().join("chart.SVG")).unwrap();
    assert_eq!(files_in(dir.path()), ["chart.SVG"]);
}

#[test]
fn a_missing_metric_lists_the_ones_recorded() {
    let message = failure("grid.png", |path| {
        metrics_grid(&history(), &["loss", "f1"], path)
    });
    assert_mentions(
        &message,
        &["`f1`", "loss, accuracy, val_loss, val_accuracy, lr", "Fix:"],
    );
    let message = failure("acc.png", |path| accuracy_chart(&History::new(), path));
    assert_mentions(&message, &["`accuracy`", "no metrics"]);
}

#[test]
fn empty_data_says_what_is_empty() {
    let all_nan = EpochChart::new("Loss", "loss")
        .with_series(Series::new("train", vec![f64::NAN, f64::INFINITY]))
        .with_series(Series::new("validation", vec![]));
    let message = failure("loss.png", |path| all_nan.save(path));
    assert_mentions(
        &message,
        &["loss.png", "`train` and `validation`", "no finite values"],
    );

    let no_series = EpochChart::new("Nothing", "y");
    let message = failure("none.svg", |path| no_series.save(path));
    assert_mentions(&message, &["none.svg", "no series", "Fix:"]);

    let no_runs: [(&str, Vec<f64>); 0] = [];
    let message = failure("runs.png", |path| {
        overlay_chart("Runs", "loss", &no_runs, false, path)
    });
    assert_mentions(&message, &["no series"]);

    let no_points = XyChart::new("Finder", "lr", "loss").with_series("loss", vec![(f64::NAN, 1.0)]);
    let message = failure("xy.png", |path| no_points.save(path));
    assert_mentions(&message, &["no series has a point with finite x and y"]);

    let message = failure("images.png", |path| image_grid(&[], 4, path));
    assert_mentions(&message, &["no images"]);
}

#[test]
fn log_scale_with_zero_names_the_series_and_epoch() {
    let mut history = History::new();
    history.push_epoch([("loss", 1.0)]);
    history.push_epoch([("loss", 0.0)]);
    let message = failure("loss.png", |path| loss_chart(&history, path, true));
    assert_mentions(
        &message,
        &[
            "loss.png",
            "log-scale y axis",
            "`loss`",
            "epoch 2",
            "has 0",
            "linear scale",
        ],
    );

    let finder = XyChart::new("Finder", "lr", "loss")
        .with_series("loss", vec![(0.0, 2.0), (0.1, 1.0)])
        .with_log_x(true);
    let message = failure("xy.svg", |path| finder.save(path));
    assert_mentions(&message, &["log-scale x axis", "`loss`", "point 1"]);
}

#[test]
fn inputs_that_do_not_fit_together_are_explained() {
    let ragged = vec![vec![1, 2, 3], vec![4, 5, 6], vec![7, 8]];
    let message = failure("c.png", |path| {
        confusion_heatmap(&ragged, &class_names(), false, path)
    });
    assert_mentions(&message, &["row 2", "2 counts", "3 rows", "square"]);

    let message = failure("c.png", |path| {
        confusion_heatmap(&counts(), &["cat"], false, path)
    });
    assert_mentions(
        &message,
        &["1 class names for a 3x3 matrix", "one name per class"],
    );

    let short = GridImage::new(vec![0; 10], 2, 2, "cat");
    let message = failure("i.png", |path| {
        image_grid(std::slice::from_ref(&short), 4, path)
    });
    assert_mentions(
        &message,
        &["image 0 (\"cat\")", "10 bytes", "needs 12", "HWC"],
    );
    let good = GridImage::new(vec![0; 12], 2, 2, "cat");
    let message = failure("i.png", |path| image_grid(&[good], 0, path));
    assert_mentions(&message, &["0 columns"]);

    let message = failure("t.png", |path| {
        top_k_bars(&["cat", "dog"], &[0.5], "Top", path)
    });
    assert_mentions(&message, &["2 labels but 1 probabilities"]);
    let message = failure("t.png", |path| top_k_bars(&["cat"], &[1.5], "Top", path));
    assert_mentions(&message, &["`cat`", "1.5", "not logits"]);

    let tiny = EpochChart::new("Tiny", "y")
        .with_series(Series::new("s", vec![1.0]))
        .with_options(ChartOptions::default().with_size(10, 10));
    let message = failure("tiny.png", |path| tiny.save(path));
    assert_mentions(&message, &["10x10", "at least 160x120"]);
}

#[test]
fn a_failed_drawing_leaves_an_existing_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loss.png");
    std::fs::write(&path, b"previous chart").unwrap();
    let mut history = History::new();
    history.push_epoch([("loss", -1.0)]);
    loss_chart(&history, &path, true).expect_err("negative loss on a log scale");
    assert_eq!(std::fs::read(&path).unwrap(), b"previous chart");
    assert_eq!(
        files_in(dir.path()),
        ["loss.png"],
        "no temporary file is left"
    );
}

#[test]
fn a_missing_folder_is_a_write_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-there").join("acc.png");
    let error = accuracy_chart(&history(), &path).unwrap_err();
    assert!(matches!(error, ChartError::Write { .. }), "{error:?}");
    assert_mentions(
        &error.to_string(),
        &["acc.png", "could not write", "folder exists"],
    );
    assert!(!path.parent().unwrap().exists());
}

#[test]
fn history_chart_reads_json_and_csv_alike() {
    let dir = tempfile::tempdir().unwrap();
    let (json, csv) = (dir.path().join("h.json"), dir.path().join("h.csv"));
    history().save_json(&json).unwrap();
    history().save_csv(&csv).unwrap();
    let (from_json, from_csv) = (dir.path().join("a.svg"), dir.path().join("b.svg"));
    history_chart(&json, &["loss", "accuracy"], false, &from_json).unwrap();
    history_chart(&csv, &["loss", "accuracy"], false, &from_csv).unwrap();
    let text = std::fs::read_to_string(&from_json).unwrap();
    assert_eq!(text, std::fs::read_to_string(&from_csv).unwrap());
    assert!(text.contains("Training history"), "two metrics make a grid");

    // No metrics named: every non-validation metric gets a panel.
    let all = dir.path().join("all.svg");
    history_chart(&json, &[], false, &all).unwrap();
    let text = std::fs::read_to_string(&all).unwrap();
    for heading in ["Loss", "Accuracy", "Learning rate"] {
        assert!(text.contains(&format!("\n{heading}\n")), "{heading}");
    }

    let missing = dir.path().join("nope.json");
    let message = failure("x.svg", |path| {
        history_chart(&missing, &["loss"], false, path)
    });
    assert_mentions(&message, &["nope.json"]);
}

#[test]
fn nan_and_infinite_values_leave_gaps_instead_of_failing() {
    let chart = EpochChart::new("Gaps", "y").with_series(Series::new(
        "s",
        vec![
            1.0,
            2.0,
            f64::NAN,
            3.0,
            4.0,
            f64::INFINITY,
            5.0,
            f64::NEG_INFINITY,
        ],
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.svg");
    chart.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // Two two-point pieces drawn as lines in the series colour (the lone 5.0 is a dot).
    let pieces = text
        .lines()
        .filter(|line| {
            line.starts_with("<polyline")
                && line.contains("#1F77B4")
                && line.contains("stroke-width=\"2\"")
        })
        .count();
    assert_eq!(pieces, 2, "{text}");
    let png = dir.path().join("gaps.png");
    chart.save(&png).unwrap();
}

#[test]
fn a_metrics_confusion_matrix_draws_like_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = kindling_metrics::ConfusionMatrix::new(&[0, 1, 1, 2], &[0, 1, 2, 2], 3).unwrap();
    let names = ["a", "b", "c"];
    let from_matrix = dir.path().join("m.svg");
    let from_counts = dir.path().join("c.svg");
    kindling_charts::confusion_matrix_heatmap(&matrix, &names, false, &from_matrix).unwrap();
    let counts = vec![vec![1, 0, 0], vec![0, 1, 1], vec![0, 0, 1]];
    kindling_charts::confusion_heatmap(&counts, &names, false, &from_counts).unwrap();
    assert_eq!(
        std::fs::read(from_matrix).unwrap(),
        std::fs::read(from_counts).unwrap()
    );
}
