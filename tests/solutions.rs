//! Every reference solution, run in the check profile: its key outputs match the
//! reviewed snapshots in `tests/snapshots/`, and it passes every item of its check.
//!
//! After a deliberate change, run `cargo test --workspace` and review the changed
//! snapshots with `cargo insta review`. The snapshots without a suffix were
//! recorded on the book's machine (`BOOK_NUMERICS`); a CPU that computes otherwise
//! compares with its own (`stage05_history@aarch64.snap`, see
//! `kindling::train::numerics`).

use std::collections::BTreeMap;

use course_tests::{StageRun, round};
use kindling::train::{BURN_VERSION, History};
use kindling_checker::bands::reference_epochs;
use kindling_checker::{Profile, StageReport};

/// The run's context, recorded in each snapshot's header.
fn context(report: &StageReport, sizes: &[(&str, usize)]) -> BTreeMap<String, String> {
    let mut info = BTreeMap::from([
        ("seed".to_string(), report.seed.to_string()),
        ("profile".to_string(), report.profile.to_string()),
        ("dataset".to_string(), report.dataset.clone()),
        ("device".to_string(), "flex (CPU)".to_string()),
        ("burn".to_string(), BURN_VERSION.to_string()),
        ("numerics".to_string(), kindling::train::numerics()),
    ]);
    for (name, size) in sizes {
        info.insert(name.to_string(), size.to_string());
    }
    info
}

fn snapshot<T: serde::Serialize>(name: &str, info: &BTreeMap<String, String>, value: &T) {
    let mut settings = insta::Settings::clone_current();
    settings.set_info(info);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    // A run repeats bit for bit only on CPUs that compute alike: each kind of
    // numerics has its own recording (`name@aarch64.snap`), the book's none.
    let numerics = kindling::train::numerics();
    if numerics != kindling_checker::snapshot::BOOK_NUMERICS {
        settings.set_snapshot_suffix(numerics);
    }
    settings.bind(|| insta::assert_json_snapshot!(name, value));
}

#[test]
fn stage01_solution() {
    let run = StageRun::new("stage1", "solutions/stage01", stage01_solution::run);
    let report = StageReport::read(run.out.path()).unwrap();
    assert_eq!(report.profile, Profile::Check);
    let info = context(
        &report,
        &[("images", kindling_checker::facts::stage01::CHECK_IMAGES)],
    );
    let outputs = serde_json::json!({
        "class_counts": report.get("class_counts"),
        "sample_indices": report.get("sample_indices"),
    });
    snapshot("stage01_outputs", &info, &outputs);
    run.assert_book_numbers();
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

/// Runs a solution, snapshots the named report values, and checks it.
fn snapshot_and_check(
    stage: &str,
    dir: &str,
    run: fn(&kindling_checker::StageArgs) -> anyhow::Result<()>,
    name: &str,
    keys: &[&str],
) {
    let run = StageRun::new(stage, dir, run);
    let report = StageReport::read(run.out.path()).unwrap();
    let info = context(&report, &[]);
    let outputs: BTreeMap<&str, serde_json::Value> = keys
        .iter()
        .map(|key| {
            (
                *key,
                rounded(report.get(key).cloned().unwrap_or(serde_json::Value::Null)),
            )
        })
        .collect();
    snapshot(name, &info, &outputs);
    run.assert_book_numbers();
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

/// Numbers rounded to 4 decimals, so float noise never moves a snapshot.
fn rounded(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            serde_json::json!(round(n.as_f64().unwrap(), 4))
        }
        serde_json::Value::Array(items) => items.into_iter().map(rounded).collect(),
        other => other,
    }
}

#[test]
fn stage02_solution() {
    snapshot_and_check(
        "stage2",
        "solutions/stage02",
        stage02_solution::run,
        "stage02_outputs",
        &[
            "x_train_shape",
            "x_train_min",
            "x_train_max",
            "y_train_shape",
            "y_train_min",
            "y_train_max",
            "batch_shape",
            "top_left_pixel",
        ],
    );
}

#[test]
fn stage03_solution() {
    snapshot_and_check(
        "stage3",
        "solutions/stage03",
        stage03_solution::run,
        "stage03_outputs",
        &[
            "train_size",
            "validation_size",
            "test_size",
            "train_class_counts",
            "validation_class_counts",
            "test_class_counts",
            "normalization_mean",
            "normalization_std",
        ],
    );
}

#[test]
fn stage04_solution() {
    snapshot_and_check(
        "stage4",
        "solutions/stage04",
        stage04_solution::run,
        "stage04_outputs",
        &[
            "layer_names",
            "layer_output_shapes",
            "layer_params",
            "total_params",
            "forward_output_shape",
        ],
    );
}

#[test]
fn stage05_solution() {
    use kindling_checker::facts::stage05::{
        CNN_EPOCHS, CNN_VALIDATION, HISTORY_FILE, LONGER_HISTORY_FILE, POINTS_HISTORY_FILE,
    };
    let run = StageRun::new("stage5", "solutions/stage05", stage05_solution::run);
    let report = StageReport::read(run.out.path()).unwrap();
    let history = History::load(&run.file(HISTORY_FILE)).unwrap();
    let info = context(
        &report,
        &[
            ("train_images", 1000),
            ("validation_images", CNN_VALIDATION.1),
            ("epochs", CNN_EPOCHS),
        ],
    );
    // The checker compares learners' histories with this snapshot, within bands,
    // and holds reads at a grading seed to it and to the longer run's.
    snapshot("stage05_history", &info, &reference_epochs(&history, 4));
    let longer = History::load(&run.file(LONGER_HISTORY_FILE)).unwrap();
    snapshot(
        "stage05_longer_history",
        &info,
        &reference_epochs(&longer, 4),
    );

    let rows = report.get("line_rows").and_then(|r| r.as_array()).unwrap();
    let last = &rows[rows.len() - 1];
    let points = History::load(&run.file(POINTS_HISTORY_FILE)).unwrap();
    let outputs = serde_json::json!({
        "threshold_after_each_example": report.get("threshold_steps").unwrap().as_array().unwrap()
            .iter().map(|s| s["threshold"].clone()).collect::<Vec<_>>(),
        "learning_rates": report.get("learning_rates").unwrap().as_array().unwrap()
            .iter().map(|r| serde_json::json!({"learning_rate": r["learning_rate"], "verdict": r["verdict"]})).collect::<Vec<_>>(),
        "line_after_200_epochs": {
            "loss": round(last["loss"].as_f64().unwrap(), 3),
            "slope": round(last["slope"].as_f64().unwrap(), 4),
            "intercept": round(last["intercept"].as_f64().unwrap(), 4),
        },
        "early_stopping": report.get("early_stopping"),
        "train_error": round(report.get("train_error").unwrap().as_f64().unwrap(), 2),
        "test_error": round(report.get("test_error").unwrap().as_f64().unwrap(), 2),
        "burn_loop_val_accuracy": points.final_epoch().unwrap().get("val_accuracy").map(|a| round(a, 3)),
        "longer_best_epoch": report.get("longer_best_epoch"),
        "longer_stopped_after": report.get("longer_stopped_after"),
    });
    snapshot("stage05_outputs", &info, &outputs);
    run.assert_book_numbers();
    run.assert_claims();

    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

#[test]
fn stage06_solution() {
    use kindling_checker::facts::stage06::{CHECK_SIZES, EPOCHS};
    let run = StageRun::new("stage6", "solutions/stage06", stage06_solution::run);
    let report = StageReport::read(run.out.path()).unwrap();
    let info = context(
        &report,
        &[
            ("train_images", CHECK_SIZES.train),
            ("validation_images", CHECK_SIZES.validation),
            ("test_images", CHECK_SIZES.test),
            ("epochs", EPOCHS),
        ],
    );
    let keys = [
        "test_size",
        "accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "weighted_f1",
        "roc_auc_macro",
        "weakest_class",
        "weakest_f1",
    ];
    let mut outputs: BTreeMap<&str, serde_json::Value> = keys
        .iter()
        .map(|key| (*key, rounded(report.get(key).cloned().unwrap_or_default())))
        .collect();
    let per_class_f1: Vec<f64> = report
        .get("per_class")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|row| round(row["f1"].as_f64().unwrap(), 4))
        .collect();
    outputs.insert("per_class_f1", serde_json::json!(per_class_f1));
    let top_k: Vec<serde_json::Value> = report.get("top_k_accuracy").unwrap().as_array().unwrap()
        .iter()
        .map(|t| serde_json::json!({"k": t["k"], "accuracy": round(t["accuracy"].as_f64().unwrap(), 4)}))
        .collect();
    outputs.insert("top_k_accuracy", serde_json::json!(top_k));
    let comparison = report.get("comparison").unwrap();
    outputs.insert(
        "comparison",
        serde_json::json!({
            "validation": round(comparison["validation"].as_f64().unwrap(), 4),
            "test": round(comparison["test"].as_f64().unwrap(), 4),
            "difference": round(comparison["difference"].as_f64().unwrap(), 4),
            "close": comparison["close"],
        }),
    );
    snapshot("stage06_outputs", &info, &outputs);
    run.assert_book_numbers();
    run.assert_claims();
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

#[test]
fn stage07_solution() {
    use kindling_checker::facts::stage06::{CHECK_SIZES, EPOCHS};
    let run = StageRun::new("stage7", "solutions/stage07", stage07_solution::run);
    run.assert_claims();
    let report = StageReport::read(run.out.path()).unwrap();
    let info = context(
        &report,
        &[
            ("train_images", CHECK_SIZES.train),
            ("validation_images", CHECK_SIZES.validation),
            ("test_images", CHECK_SIZES.test),
            ("epochs", EPOCHS),
        ],
    );
    let mistakes: Vec<serde_json::Value> = report
        .get("mistakes")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            serde_json::json!({
                "index": m["index"],
                "actual": m["actual"],
                "predicted": m["predicted"],
                "probability": round(m["probability"].as_f64().unwrap(), 4),
            })
        })
        .collect();
    let outputs = serde_json::json!({
        "pile": report.get("pile"),
        "pile_size": report.get("pile_size"),
        "confusion_matrix": report.get("confusion_matrix"),
        "most_confused": report.get("most_confused"),
        "per_class_accuracy": rounded(report.get("per_class_accuracy").cloned().unwrap()),
        "mistakes": mistakes,
    });
    snapshot("stage07_outputs", &info, &outputs);
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

#[test]
fn stage08_solution() {
    use kindling_checker::facts::stage08::{BASELINE_DIR, EPOCHS, IMPROVED_DIR, SEEDS, sizes};
    use kindling_checker::stages::stage08::{
        BASELINE_SNAPSHOT, IMPROVED_SNAPSHOT, OUTPUTS_SNAPSHOT,
    };
    let run = StageRun::new("stage8", "solutions/stage08", stage08_solution::run);
    run.assert_claims();
    let report = StageReport::read(run.out.path()).unwrap();
    let size = sizes(report.profile);
    let info = context(
        &report,
        &[
            ("train_images", size.train),
            ("validation_images", size.validation),
            ("epochs", EPOCHS),
            ("seeds", SEEDS),
        ],
    );
    // The checker compares learners' histories with these two, within bands.
    for (folder, name) in [
        (BASELINE_DIR, BASELINE_SNAPSHOT),
        (IMPROVED_DIR, IMPROVED_SNAPSHOT),
    ] {
        let history = History::load(&run.file(folder).join("history.json")).unwrap();
        snapshot(name, &info, &reference_epochs(&history, 4));
    }
    let outputs: BTreeMap<&str, serde_json::Value> =
        ["runs", "gap_shrank", "sweep", "sweep_best", "difference"]
            .iter()
            .map(|key| {
                (
                    *key,
                    rounded_deep(report.get(key).cloned().unwrap_or_default()),
                )
            })
            .collect();
    snapshot(OUTPUTS_SNAPSHOT, &info, &outputs);
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

/// Every number inside objects and arrays rounded to 4 decimals.
fn rounded_deep(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(key, value)| (key, rounded_deep(value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        serde_json::Value::Array(items) => items.into_iter().map(rounded_deep).collect(),
        other => rounded(other),
    }
}

#[test]
fn stage09_solution() {
    use kindling_checker::facts::stage09::{EPOCHS, PROGRAM, sizes};
    let mut run = StageRun::new("stage9", "solutions/stage09", stage09_solution::run);
    run.assert_claims();
    run.context.programs.insert(
        PROGRAM.into(),
        course_tests::build_program("stage09-solution", "stage09-solution-predict"),
    );
    let report = StageReport::read(run.out.path()).unwrap();
    let size = sizes(report.profile);
    let info = context(
        &report,
        &[
            ("train_images", size.train),
            ("validation_images", size.validation),
            ("epochs", EPOCHS),
        ],
    );
    let guesses: Vec<serde_json::Value> = report
        .get("reference_predictions")
        .and_then(|p| p.as_array())
        .unwrap()
        .iter()
        .map(|prediction| {
            serde_json::json!({
                "image": prediction["image"].as_str().and_then(|p| p.rsplit('/').next()),
                "top": rounded_deep(prediction["top"].clone()),
            })
        })
        .collect();
    let outputs = serde_json::json!({
        "reference_right": report.get("reference_right"),
        "reference_predictions": guesses,
    });
    snapshot("stage09_outputs", &info, &outputs);
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}

#[test]
fn stage10_solution() {
    use kindling_checker::facts::stage10::{EPOCHS, sizes};
    let run = StageRun::new("stage10", "solutions/stage10", stage10_solution::run);
    run.assert_claims();
    let report = StageReport::read(run.out.path()).unwrap();
    let size = sizes(report.profile);
    let info = context(
        &report,
        &[
            ("train_images", size.train),
            ("validation_images", size.validation),
            ("test_images", size.test),
            ("epochs", EPOCHS),
        ],
    );
    let outputs: BTreeMap<&str, serde_json::Value> = [
        "validation_accuracy",
        "chosen",
        "test_accuracy",
        "macro_f1",
        "weakest_class",
        "times_opened",
        "numbers_shown",
        "limitations",
    ]
    .iter()
    .map(|key| {
        (
            *key,
            rounded_deep(report.get(key).cloned().unwrap_or_default()),
        )
    })
    .collect();
    snapshot("stage10_outputs", &info, &outputs);
    let checked = run.check();
    assert!(checked.failed().is_empty(), "{}", checked.describe());
}
