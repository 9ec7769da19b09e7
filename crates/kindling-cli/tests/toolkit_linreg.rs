//! `kindling data apartments` and `kindling linreg`: a line fitted to generated
//! apartments at a good and a too-large rate, and every bad input.

mod support;

use std::path::Path;

use support::{assert_fails_with, entries, kindling, stdout, write_file};

/// Writes the course's 100 training apartments (seed 42) to `data.csv`.
fn apartments(dir: &Path) {
    let output = kindling(
        dir,
        &[
            "data",
            "apartments",
            "--count",
            "100",
            "--seed",
            "42",
            "--out",
            "data.csv",
        ],
    );
    assert!(output.status.success(), "{}", support::stderr(&output));
}

/// The number after `prefix` on the line that starts with it.
fn number_after(text: &str, prefix: &str) -> f64 {
    let line = text
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with `{prefix}` in: {text}"));
    line[prefix.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn apartments_are_an_xy_csv_repeatable_by_seed() {
    let dir = tempfile::tempdir().unwrap();
    apartments(dir.path());
    let text = std::fs::read_to_string(dir.path().join("data.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "x,y");
    assert_eq!(lines.len(), 101);
    for line in &lines[1..] {
        let (x, y) = line.split_once(',').unwrap();
        let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
        assert!((30.0..=130.0).contains(&x), "{line}");
        assert!(y.is_finite(), "{line}");
    }

    // An existing file is kept unless forced; the same seed gives the same file.
    let again = kindling(
        dir.path(),
        &["data", "apartments", "--out", "data.csv", "--seed", "42"],
    );
    assert_fails_with(&again, &["data.csv already exists", "--force"]);
    let forced = kindling(
        dir.path(),
        &[
            "data",
            "apartments",
            "--out",
            "data.csv",
            "--seed",
            "42",
            "--force",
        ],
    );
    assert!(forced.status.success(), "{}", support::stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data.csv")).unwrap(),
        text
    );

    // --test draws other apartments, into its own default file.
    let test = kindling(dir.path(), &["data", "apartments", "--test"]);
    assert!(test.status.success(), "{}", support::stderr(&test));
    let fresh = std::fs::read_to_string(dir.path().join("apartments_test.csv")).unwrap();
    assert_eq!(fresh.lines().count(), 101);
    assert_ne!(fresh, text);

    let none = kindling(dir.path(), &["data", "apartments", "--count", "0"]);
    assert_fails_with(&none, &["--count 0", "--count 100"]);
}

#[test]
fn a_good_rate_converges_and_writes_the_history() {
    let dir = tempfile::tempdir().unwrap();
    apartments(dir.path());
    let output = kindling(
        dir.path(),
        &[
            "linreg",
            "--input",
            "data.csv",
            "--lr",
            "1e-5",
            "--epochs",
            "200",
            "--history",
            "history.json",
        ],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(text.contains("ran all epochs"), "{text}");
    // One table row per epoch, the first for the all-zero line.
    let rows: Vec<&str> = text
        .lines()
        .filter(|line| line.trim_start().starts_with(char::is_numeric))
        .collect();
    assert_eq!(rows.len(), 200, "{text}");
    assert!(rows[0].ends_with("0.000000      0.000000"), "{}", rows[0]);
    // Converged: the slope is that of the least-squares line (the true one is 3)
    // and the loss is within 10% of the best any line can do.
    let slope = number_after(&text, "Final line: y = ");
    let best_slope = number_after(&text, "Best possible line (least squares): y = ");
    assert!((slope - best_slope).abs() < 0.05, "{slope} vs {best_slope}");
    assert!((slope - 3.0).abs() < 0.2, "{slope}");
    let times_best = number_after(&text, "The final loss is ");
    assert!(times_best < 1.1, "{text}");

    let history: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("history.json")).unwrap()).unwrap();
    assert_eq!(history["epochs"], 200);
    assert_eq!(history["metrics"]["slope"][0], 0.0);
    assert_eq!(history["metrics"]["loss"].as_array().unwrap().len(), 200);

    // CSV by the extension, and early stopping ends the run sooner.
    let early = kindling(
        dir.path(),
        &[
            "linreg",
            "--input",
            "data.csv",
            "--lr",
            "1e-5",
            "--patience",
            "3",
            "--min-delta",
            "1",
            "--history",
            "history.csv",
        ],
    );
    let text = stdout(&early);
    assert!(early.status.success(), "{}", support::stderr(&early));
    assert!(text.contains("stopped early after epoch"), "{text}");
    let csv = std::fs::read_to_string(dir.path().join("history.csv")).unwrap();
    assert!(csv.starts_with("epoch,loss,slope,intercept\n"), "{csv}");
    assert!(csv.lines().count() < 201, "{csv}");
}

#[test]
fn a_too_large_rate_diverges_with_an_error_and_no_nan() {
    let dir = tempfile::tempdir().unwrap();
    apartments(dir.path());
    let output = kindling(
        dir.path(),
        &[
            "linreg",
            "--input",
            "data.csv",
            "--lr",
            "1e-3",
            "--epochs",
            "200",
            "--history",
            "history.json",
        ],
    );
    assert_fails_with(
        &output,
        &["diverged at epoch 2", "too large", "Fix:", "--lr 1e-4"],
    );
    let everything = stdout(&output) + &support::stderr(&output);
    assert!(!everything.to_lowercase().contains("nan"), "{everything}");
    assert!(!everything.contains("Final line"), "{everything}");
    assert!(!dir.path().join("history.json").exists(), "nothing written");
}

#[test]
fn bad_csvs_name_the_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str]); 7] = [
        ("empty.csv", "", &["empty.csv is empty", "x,y"]),
        (
            "no_x.csv",
            "size,y\n50,160\n",
            &["no_x.csv", "row 1", "no column \"x\"", "`size,y`"],
        ),
        (
            "no_y.csv",
            "x,price\n50,160\n",
            &["no_y.csv", "row 1", "no column \"y\""],
        ),
        (
            "word.csv",
            "x,y\n50,160\n60,lots\n",
            &[
                "word.csv",
                "row 3",
                "column \"y\"",
                "\"lots\" is not a number",
            ],
        ),
        (
            "nan.csv",
            "x,y\n50,160\nNaN,190\n",
            &["nan.csv", "row 3", "column \"x\"", "not a finite number"],
        ),
        (
            "header_only.csv",
            "x,y\n",
            &["header_only.csv", "no data rows"],
        ),
        (
            "short.csv",
            "x,y\n50,160\n60\n",
            &["short.csv", "row 3", "1 fields", "header has 2"],
        ),
    ];
    for (name, text, _) in &cases {
        write_file(dir.path(), name, text);
    }
    let before = entries(dir.path());
    for (name, _, phrases) in cases {
        let output = kindling(
            dir.path(),
            &[
                "linreg",
                "--input",
                name,
                "--lr",
                "1e-5",
                "--history",
                "h.json",
            ],
        );
        assert_fails_with(&output, phrases);
    }
    assert_eq!(entries(dir.path()), before, "nothing written");
}

#[test]
fn bad_settings_are_explained_by_the_program() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "data.csv", "x,y\n1,2\n2,4\n");
    let cases: [(&[&str], &[&str]); 9] = [
        (&["--lr", "0"], &["--lr 0", "positive", "--lr 1e-5"]),
        (&["--lr", "-0.01"], &["--lr -0.01", "positive"]),
        (&["--lr", "-1e-5"], &["--lr -1e-5", "positive"]),
        (&["--lr", "NaN"], &["--lr NaN", "positive"]),
        (
            &["--lr", "1e-5", "--epochs", "0"],
            &["--epochs 0", "--epochs 200"],
        ),
        (
            &["--lr", "1e-5", "--epochs", "-5"],
            &["--epochs -5", "whole number"],
        ),
        (
            &["--lr", "1e-5", "--epochs", "NaN"],
            &["--epochs NaN", "whole number"],
        ),
        (
            &["--lr", "1e-5", "--patience", "2", "--min-delta", "-1"],
            &["--min-delta -1", "--min-delta 0"],
        ),
        (
            &["--lr", "1e-5", "--history", "h.txt"],
            &["h.txt", ".json or .csv"],
        ),
    ];
    for (extra, phrases) in cases {
        let mut args = vec!["linreg", "--input", "data.csv"];
        args.extend(extra);
        assert_fails_with(&kindling(dir.path(), &args), phrases);
    }
    let missing = kindling(
        dir.path(),
        &["linreg", "--input", "nowhere.csv", "--lr", "1e-5"],
    );
    assert_fails_with(&missing, &["nowhere.csv", "--input"]);
    assert_eq!(entries(dir.path()), ["data.csv"], "nothing written");
}
