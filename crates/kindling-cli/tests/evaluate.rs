//! `kindling evaluate`, end to end on a tiny trained run, and every bad input it must
//! refuse without touching the run folder.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{assert_fails_with, assert_png, entries, kindling, stderr, stdout};

/// Trains a tiny linear run into `dir/runs/tiny` for `epochs` and returns its folder's files.
fn train_tiny(dir: &Path, epochs: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "train",
        "--out",
        "runs/tiny",
        "--quiet",
        "--train-size",
        "200",
        "--val-size",
        "50",
        "--epochs",
        epochs,
        "--model",
        "linear",
    ];
    args.extend(extra);
    let output = kindling(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    entries(&dir.join("runs/tiny"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The test metrics without the ledger's part, which grows with every look.
fn numbers(metrics: &Value) -> Value {
    let mut metrics = metrics.clone();
    metrics.as_object_mut().unwrap().remove("test_set_opened");
    metrics
}

#[test]
fn evaluating_a_run_writes_every_file_and_twice_gives_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    train_tiny(dir.path(), "1", &[]);
    let run = dir.path().join("runs/tiny");
    let evaluate = [
        "evaluate",
        "runs/tiny",
        "--test-size",
        "200",
        "--top-losses",
        "8",
    ];

    let first = kindling(dir.path(), &evaluate);
    assert!(first.status.success(), "{}", stderr(&first));
    let printed = stdout(&first);
    for phrase in [
        "Test set: 200 images of builtin (seed 42), model linear",
        "accuracy",
        "macro F1",
        "weighted F1",
        "ROC-AUC",
        "top-2 acc.",
        "weakest class",
        "Validation accuracy",
        "looked at once",
    ] {
        assert!(
            printed.contains(phrase),
            "missing `{phrase}` in:\n{printed}"
        );
    }
    assert!(!printed.contains("Warning"), "{printed}");
    for file in [
        "test_metrics.json",
        "predictions.csv",
        "classification_report.txt",
        "test_opened.json",
    ] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    for chart in [
        "confusion.png",
        "confusion_normalized.png",
        "mistakes.png",
        "class_accuracy.png",
    ] {
        assert_png(&run.join(chart));
    }
    assert!(
        !entries(&run).iter().any(|name| name.starts_with('.')),
        "no temporary file left: {:?}",
        entries(&run)
    );

    let metrics = read_json(&run.join("test_metrics.json"));
    assert_eq!(metrics["test_images"], 200);
    assert_eq!(metrics["seed"], 42);
    assert_eq!(metrics["top_losses"].as_array().unwrap().len(), 8);
    let counts = metrics["confusion_matrix"]["counts"].as_array().unwrap();
    let total: u64 = counts
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .map(|count| count.as_u64().unwrap())
        .sum();
    assert_eq!(total, 200, "the confusion matrix sums to the test size");
    assert_eq!(metrics["test_set_opened"]["times_opened"], 1);
    let validation = metrics["validation_accuracy"].as_f64().unwrap();
    let history = read_json(&run.join("history.json"));
    assert_eq!(
        history["metrics"]["val_accuracy"][0].as_f64().unwrap(),
        validation
    );

    // predictions.csv is what `kindling metrics` reads, and gives the same numbers.
    let csv = std::fs::read_to_string(run.join("predictions.csv")).unwrap();
    assert!(csv.starts_with("y_true,y_pred,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9\n"));
    assert_eq!(csv.lines().count(), 201);
    let recomputed = kindling(
        dir.path(),
        &["metrics", "--input", "runs/tiny/predictions.csv", "--json"],
    );
    assert!(recomputed.status.success(), "{}", stderr(&recomputed));
    let recomputed: Value = serde_json::from_slice(&recomputed.stdout).unwrap();
    assert_eq!(recomputed["accuracy"], metrics["accuracy"]);
    assert_eq!(recomputed["report"]["macro_avg"]["f1"], metrics["macro_f1"]);
    assert_eq!(recomputed["roc_auc"]["value"], metrics["roc_auc_macro"]);
    assert_eq!(recomputed["confusion_matrix"], metrics["confusion_matrix"]);
    let report = std::fs::read_to_string(run.join("classification_report.txt")).unwrap();
    assert!(
        report.contains("macro avg") && report.contains("disc"),
        "{report}"
    );

    // The second look gives the same numbers, and says plainly that it is a second look.
    let second = kindling(dir.path(), &evaluate);
    assert!(second.status.success(), "{}", stderr(&second));
    let printed = stdout(&second);
    assert!(
        printed.contains("looked at 2 times") && printed.contains("no longer an unbiased"),
        "{printed}"
    );
    let again = read_json(&run.join("test_metrics.json"));
    assert_eq!(numbers(&again), numbers(&metrics));
    assert_eq!(again["test_set_opened"]["times_opened"], 2);
    assert_eq!(
        read_json(&run.join("test_opened.json"))["openings"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let ledger = read_json(&dir.path().join("runs/test_ledger.json"));
    assert_eq!(ledger["entries"][0]["dataset"], "builtin");
    assert_eq!(ledger["entries"][0]["times_opened"], 2);
    assert_eq!(ledger["entries"][0]["openings"][0]["run"], "tiny");

    // --json prints the same test metrics.
    let json = kindling(dir.path(), &[&evaluate[..], &["--json"]].concat());
    assert!(json.status.success(), "{}", stderr(&json));
    let printed: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(numbers(&printed), numbers(&metrics));
    assert!(stderr(&json).contains("looked at 3 times"));
}

/// Runs `evaluate` with `args` and asserts a clean failure that leaves the run
/// folder as it was and writes no ledger.
fn refused(dir: &Path, args: &[&str], phrases: &[&str]) {
    let run = dir.join("runs/tiny");
    let before = entries(&run);
    let output = kindling(dir, &[&["evaluate", "runs/tiny"], args].concat());
    assert_fails_with(&output, phrases);
    assert_fails_with(&output, &["Fix:"]);
    assert_eq!(entries(&run), before, "the run folder is unchanged");
    assert!(!dir.join("runs/test_ledger.json").exists());
}

#[test]
fn bad_run_folders_are_refused_with_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    train_tiny(dir.path(), "1", &[]);
    let run = dir.path().join("runs/tiny");
    let config_path = run.join("config.json");
    let model_path = run.join("model.bpk");
    let config = std::fs::read(&config_path).unwrap();
    let model = std::fs::read(&model_path).unwrap();

    refused(
        dir.path(),
        &["--top-losses", "0"],
        &["--top-losses 0 is not allowed"],
    );
    let output = kindling(dir.path(), &["evaluate", "runs/nothing"]);
    assert_fails_with(&output, &["runs/nothing does not exist", "Fix:"]);

    // Real CIFAR-10 is not downloaded (KINDLING_DATA is an empty folder).
    refused(
        dir.path(),
        &["--dataset", "cifar10"],
        &["cifar10 test set", "is missing", "data fetch cifar10"],
    );

    std::fs::write(&model_path, &model[..model.len() / 3]).unwrap();
    refused(dir.path(), &[], &["model.bpk", "does not hold the weights"]);
    std::fs::write(&model_path, b"not a model at all").unwrap();
    refused(dir.path(), &[], &["model.bpk", "does not hold the weights"]);
    std::fs::remove_file(&model_path).unwrap();
    refused(dir.path(), &[], &["has no model.bpk"]);
    std::fs::write(&model_path, &model).unwrap();

    let mut other: Value = serde_json::from_slice(&config).unwrap();
    other["model"] = "baseline-cnn".into();
    std::fs::write(&config_path, other.to_string()).unwrap();
    refused(
        dir.path(),
        &[],
        &["model.bpk", "baseline-cnn", "config.json"],
    );
    let mut missing: Value = serde_json::from_slice(&config).unwrap();
    missing.as_object_mut().unwrap().remove("normalization");
    std::fs::write(&config_path, missing.to_string()).unwrap();
    refused(dir.path(), &[], &["config.json", "normalization"]);
    std::fs::remove_file(&config_path).unwrap();
    refused(dir.path(), &[], &["has no config.json"]);
    std::fs::write(&config_path, &config).unwrap();

    // A damaged ledger is named, and nothing is opened.
    std::fs::write(dir.path().join("runs/test_ledger.json"), "{ oops").unwrap();
    let output = kindling(dir.path(), &["evaluate", "runs/tiny"]);
    assert_fails_with(&output, &["test_ledger.json", "damaged", "Fix:"]);
    assert!(!run.join("test_opened.json").exists());
}

#[test]
fn a_model_trained_on_other_classes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A photo folder of two classes, twenty images each.
    for (class, shade) in [("light", 220u8), ("dark", 30u8)] {
        let folder = dir.path().join("photos").join(class);
        std::fs::create_dir_all(&folder).unwrap();
        for index in 0..20u8 {
            let picture = image::RgbImage::from_pixel(32, 32, image::Rgb([shade, index, 0]));
            picture.save(folder.join(format!("{index}.png"))).unwrap();
        }
    }
    let args = [
        "train",
        "--out",
        "runs/tiny",
        "--quiet",
        "--dataset",
        "folder:photos",
        "--train-size",
        "24",
        "--val-size",
        "8",
        "--epochs",
        "1",
        "--model",
        "linear",
    ];
    let output = kindling(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    refused(
        dir.path(),
        &["--dataset", "builtin"],
        &["trained on 2 classes", "builtin has 10", "folder:photos"],
    );
    // Its own data source works: the test pile is the fifth set aside.
    let output = kindling(dir.path(), &["evaluate", "runs/tiny", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let metrics: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(metrics["test_images"], 8);
}

#[test]
fn with_early_stopping_validation_is_read_at_the_restored_epoch() {
    let dir = tempfile::tempdir().unwrap();
    train_tiny(dir.path(), "3", &["--patience", "1"]);
    let history = read_json(&dir.path().join("runs/tiny/history.json"));
    let epoch: usize = history["context"]["weights_from_epoch"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let output = kindling(
        dir.path(),
        &["evaluate", "runs/tiny", "--test-size", "100", "--json"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let metrics: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        metrics["validation_accuracy"],
        history["metrics"]["val_accuracy"][epoch - 1]
    );
}
