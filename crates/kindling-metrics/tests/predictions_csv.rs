//! The predictions-CSV reader: what it accepts, and that every rejection names
//! the file, the row (header = row 1) and the column.

use std::io::Write;

use kindling_metrics::{
    ClassificationPredictions, Predictions, PredictionsError, RegressionPredictions, RocAuc,
    ScoreColumns, Task, read_predictions, read_predictions_from_reader,
};

const FILE: &str = "preds.csv";

fn read(csv: &str, task: Task) -> Result<Predictions, PredictionsError> {
    read_predictions_from_reader(csv.as_bytes(), FILE, task)
}

fn classification(csv: &str) -> ClassificationPredictions {
    match read(csv, Task::Classification) {
        Ok(Predictions::Classification(p)) => p,
        other => panic!("expected classification predictions, got {other:?}"),
    }
}

fn regression(csv: &str) -> RegressionPredictions {
    match read(csv, Task::Regression) {
        Ok(Predictions::Regression(p)) => p,
        other => panic!("expected regression predictions, got {other:?}"),
    }
}

/// The error's message, after checking it names the file, `row` and `column`.
fn error_at(csv: &str, task: Task, row: u64, column: &str) -> String {
    let message = read(csv, task)
        .expect_err("the file should be rejected")
        .to_string();
    let place = format!("{FILE}, row {row} (header = row 1), column \"{column}\"");
    assert!(
        message.starts_with(&place),
        "expected the message to start with {place:?}, got:\n{message}"
    );
    message
}

// ---- accepted files ----

#[test]
fn labels_only_infer_the_class_count_from_the_largest_label() {
    let p = classification("y_true,y_pred\n0,1\n3,3\n2,0\n");
    assert_eq!(
        (p.y_true, p.y_pred, p.n_classes, p.scores),
        (vec![0, 3, 2], vec![1, 3, 0], 4, None)
    );
}

#[test]
fn one_extra_column_is_a_binary_score() {
    let p = classification("y_true,y_pred,logit\n0,0,-1.5\n1,1,2.25\n1,0,-2\n");
    assert_eq!(p.n_classes, 2);
    assert_eq!(
        p.scores,
        Some(ScoreColumns::Binary {
            column: "logit".into(),
            scores: vec![-1.5, 2.25, -2.0]
        })
    );
    let metrics = p.metrics().unwrap();
    assert_eq!(metrics.roc_auc, Some(RocAuc::Binary { value: 0.5 }));
}

#[test]
fn several_extra_columns_are_probabilities_in_class_order() {
    let p = classification(
        "y_true,y_pred,cat,dog,bird\n0,0,0.7,0.2,0.1\n2,1,0.1,0.5,0.4\n1,1,0.2,0.6,0.2\n",
    );
    assert_eq!(p.n_classes, 3);
    let Some(ScoreColumns::Probabilities { columns, values }) = &p.scores else {
        panic!("{:?}", p.scores)
    };
    assert_eq!(columns, &["cat", "dog", "bird"]);
    assert_eq!(values[3..6], [0.1, 0.5, 0.4]);
    let metrics = p.metrics().unwrap();
    assert!(
        matches!(metrics.roc_auc, Some(RocAuc::OneVsRestMacro { .. })),
        "{:?}",
        metrics.roc_auc
    );
    assert_eq!(metrics.top_k_accuracy[0].k, 2);
}

#[test]
fn columns_may_come_in_any_order_with_spaces_and_float_labels() {
    let p = classification("p0, y_pred ,p1,y_true\n0.25, 1.0 ,0.75,1\n0.5,0,0.5, 0\n");
    assert_eq!((p.y_true, p.y_pred), (vec![1, 0], vec![1, 0]));
    let Some(ScoreColumns::Probabilities { columns, .. }) = p.scores else {
        panic!()
    };
    assert_eq!(columns, ["p0", "p1"]);
}

#[test]
fn probabilities_rounded_to_a_few_decimals_are_accepted() {
    let p = classification("y_true,y_pred,p0,p1,p2\n0,0,0.3333,0.3333,0.3333\n");
    assert_eq!(p.n_classes, 3);
}

#[test]
fn regression_reads_two_numeric_columns() {
    let p = regression("y_true,y_pred\n3,2.5\n-0.5,0\n2,2\n7,8\n");
    assert_eq!(p.y_true, vec![3.0, -0.5, 2.0, 7.0]);
    let metrics = p.metrics().unwrap();
    assert_eq!((metrics.mse, metrics.mae), (0.375, 0.5));
}

#[test]
fn reads_from_a_path_and_names_it_in_errors() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"y_true,y_pred\n1.5,2\n").unwrap();
    let Predictions::Regression(p) = read_predictions(file.path(), Task::Regression).unwrap()
    else {
        panic!()
    };
    assert_eq!(p.y_pred, vec![2.0]);

    let err = read_predictions(file.path(), Task::Classification)
        .unwrap_err()
        .to_string();
    let expected = format!(
        "{}, row 2 (header = row 1), column \"y_true\"",
        file.path().display()
    );
    assert!(err.starts_with(&expected), "{err}");
}

#[test]
fn task_parses_from_the_cli_spelling() {
    assert_eq!("classification".parse::<Task>(), Ok(Task::Classification));
    assert_eq!("regression".parse::<Task>(), Ok(Task::Regression));
    assert!(
        "clustering"
            .parse::<Task>()
            .unwrap_err()
            .contains("use \"classification\" or \"regression\"")
    );
    assert_eq!(Task::Regression.to_string(), "regression");
}

// ---- rejected files: header ----

#[test]
fn missing_file_says_which() {
    let err = read_predictions(
        std::path::Path::new("/no/such/preds.csv"),
        Task::Classification,
    )
    .unwrap_err();
    assert!(matches!(err, PredictionsError::Open { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot open /no/such/preds.csv: "),
        "{err}"
    );
}

#[test]
fn empty_file_asks_for_a_header() {
    for csv in ["", "\n\n"] {
        let err = read(csv, Task::Classification).unwrap_err();
        assert!(matches!(err, PredictionsError::EmptyFile { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("preds.csv is empty; row 1 must be a header such as `y_true,y_pred`"),
            "{err}"
        );
    }
}

#[test]
fn header_without_rows_asks_for_rows() {
    let err = read("y_true,y_pred\n", Task::Regression).unwrap_err();
    assert!(matches!(err, PredictionsError::NoRows { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "preds.csv has a header (row 1) but no data rows; add one row per sample below it"
    );
}

#[test]
fn missing_column_names_it_and_shows_the_header() {
    let err = read("label,y_pred\n0,0\n", Task::Classification)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "preds.csv, row 1 (the header): there is no column \"y_true\" (the header is `label,y_pred`); \
         name the true labels column `y_true` and the predictions column `y_pred`"
    );
    let err = read("y_true,prediction\n0,0\n", Task::Regression)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 1 (the header): there is no column \"y_pred\""),
        "{err}"
    );
}

#[test]
fn duplicate_and_unnamed_columns_are_rejected() {
    let err = read("y_true,y_pred,p,p\n0,0,0.5,0.5\n", Task::Classification)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 1 (the header): column \"p\" appears more than once"),
        "{err}"
    );
    let err = read("y_true,y_pred,\n0,0,\n", Task::Classification)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 1 (the header): column 3 has no name"),
        "{err}"
    );
}

#[test]
fn regression_rejects_extra_columns() {
    let err = read("y_true,y_pred,id\n1,1,7\n", Task::Regression)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "preds.csv, row 1 (the header): column \"id\" is not used by a regression task"
        ),
        "{err}"
    );
    assert!(err.contains("--task classification"), "{err}");
}

// ---- rejected files: cells ----

#[test]
fn short_and_long_rows_name_the_row_and_column() {
    let err = error_at(
        "y_true,y_pred,p0,p1\n0,0,0.5,0.5\n1,1,0.5\n",
        Task::Classification,
        3,
        "p1",
    );
    assert!(
        err.contains("the row has 3 fields but the header has 4"),
        "{err}"
    );
    let err = error_at(
        "y_true,y_pred\n0,0\n1,1,0.5\n",
        Task::Classification,
        3,
        "(past the last column, \"y_pred\")",
    );
    assert!(
        err.contains("the row has 3 fields but the header has 2"),
        "{err}"
    );
}

#[test]
fn non_numeric_score_is_named() {
    let err = error_at(
        "y_true,y_pred,score\n0,0,0.2\n1,1,high\n",
        Task::Classification,
        3,
        "score",
    );
    assert!(
        err.ends_with("\"high\" is not a number; write a plain decimal number such as 0.25"),
        "{err}"
    );
}

#[test]
fn non_numeric_regression_value_is_named() {
    let err = error_at("y_true,y_pred\n1,2\n3,\n", Task::Regression, 3, "y_pred");
    assert!(err.contains("\"\" is not a number"), "{err}");
}

#[test]
fn labels_must_be_non_negative_whole_numbers() {
    for bad in ["-1", "1.5", "cat", ""] {
        let csv = format!("y_true,y_pred\n0,0\n{bad},1\n");
        let err = error_at(&csv, Task::Classification, 3, "y_true");
        assert!(
            err.contains(&format!(
                "\"{bad}\" is not a class label; labels are whole numbers 0, 1, 2"
            )),
            "{err}"
        );
    }
}

#[test]
fn label_beyond_the_probability_columns_is_named() {
    let err = error_at(
        "y_true,y_pred,p0,p1,p2\n0,0,0.2,0.3,0.5\n0,3,0.2,0.3,0.5\n",
        Task::Classification,
        3,
        "y_pred",
    );
    assert!(err.contains("label 3 is out of range: there are 3 probability columns, one per class, so labels must be 0..=2"), "{err}");
}

#[test]
fn label_above_one_with_a_single_score_column_is_named() {
    let err = error_at(
        "y_true,y_pred,score\n2,0,0.4\n",
        Task::Classification,
        2,
        "y_true",
    );
    assert!(
        err.contains("label 2 is out of range: with a single score column the task is binary"),
        "{err}"
    );
}

#[test]
fn huge_label_without_probabilities_suggests_regression() {
    let err = error_at(
        "y_true,y_pred\n0,0\n1,1\n1,12345\n",
        Task::Classification,
        4,
        "y_pred",
    );
    assert!(
        err.contains("label 12345 is out of range") && err.contains("use --task regression"),
        "{err}"
    );
}

#[test]
fn probabilities_that_do_not_sum_to_one_say_the_sum() {
    let csv = "y_true,y_pred,p0,p1,p2\n0,0,0.2,0.3,0.5\n1,1,0.2,0.3,0.4\n";
    let err = read(csv, Task::Classification).unwrap_err().to_string();
    assert!(
        err.starts_with("preds.csv, row 3 (header = row 1), columns \"p0\"..\"p2\": the probabilities sum to 0.9"),
        "{err}"
    );
    assert!(err.contains("not 1 (tolerance 0.001)"), "{err}");
}

#[test]
fn probability_outside_zero_to_one_is_named() {
    let err = error_at(
        "y_true,y_pred,p0,p1\n0,0,1.5,-0.5\n",
        Task::Classification,
        2,
        "p0",
    );
    assert!(
        err.contains(
            "1.5 is not a probability (outside [0, 1]); write softmax outputs, not logits"
        ),
        "{err}"
    );
}

#[test]
fn nan_and_infinite_values_are_named() {
    let err = error_at(
        "y_true,y_pred,score\n0,0,0.1\n1,1,NaN\n",
        Task::Classification,
        3,
        "score",
    );
    assert!(err.contains("\"NaN\" is not a finite number"), "{err}");
    let err = error_at(
        "y_true,y_pred,p0,p1\n0,0,inf,0\n",
        Task::Classification,
        2,
        "p0",
    );
    assert!(err.contains("\"inf\" is not a finite number"), "{err}");
    let err = error_at(
        "y_true,y_pred\n1,2\n-inf,2\n",
        Task::Regression,
        3,
        "y_true",
    );
    assert!(err.contains("\"-inf\" is not a finite number"), "{err}");
}

#[test]
fn rows_are_counted_from_the_header_even_after_many_rows() {
    let mut csv = String::from("y_true,y_pred\n");
    for _ in 0..98 {
        csv.push_str("1,0\n");
    }
    csv.push_str("1,x\n");
    error_at(&csv, Task::Classification, 100, "y_pred");
}

#[test]
fn bytes_that_are_not_utf8_are_reported_with_the_row() {
    let bytes = b"y_true,y_pred\n0,0\n1,\xff\n";
    let err = read_predictions_from_reader(&bytes[..], FILE, Task::Classification).unwrap_err();
    assert!(
        matches!(err, PredictionsError::Malformed { row: 3, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("preds.csv, row 3 (header = row 1): not readable as CSV"),
        "{err}"
    );
}
