//! `kindling lr-find` on a tiny model and data set, and the settings it refuses.

mod support;

use support::{assert_fails_with, assert_png, entries, kindling, stdout};

const TINY: [&str; 6] = ["--model", "linear", "--train-size", "200", "--steps", "20"];

/// The rate on the `Suggested learning rate: 1.234e-4.` line.
fn suggestion(text: &str) -> f64 {
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("Suggested learning rate: "))
        .unwrap_or_else(|| panic!("no suggestion in: {text}"));
    line.trim_end_matches('.').parse().unwrap()
}

#[test]
fn a_sweep_suggests_a_rate_in_range_and_writes_its_chart_and_points() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["lr-find", "--out", "sweep"];
    args.extend(TINY);
    let output = kindling(dir.path(), &args);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let rate = suggestion(&text);
    assert!((1e-7..=10.0).contains(&rate), "{rate}");
    assert!(text.contains("How it was chosen:"), "{text}");
    assert!(text.contains("--lr "), "{text}");

    let sweep = dir.path().join("sweep");
    assert_eq!(entries(&sweep), ["lr_finder.csv", "lr_finder.png"]);
    assert_png(&sweep.join("lr_finder.png"));
    let csv = std::fs::read_to_string(sweep.join("lr_finder.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("learning_rate,loss,smoothed"));
    let rates: Vec<f64> = lines
        .map(|line| line.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!((2..=20).contains(&rates.len()), "{csv}");
    assert_eq!(rates[0], 1e-7);
    assert!(rates.windows(2).all(|pair| pair[1] > pair[0]), "{csv}");
    assert_eq!(entries(dir.path()), ["sweep"], "no temporary folder left");

    // Without --out the sweeps are numbered apart from training runs.
    let mut args = vec!["lr-find"];
    args.extend(TINY);
    let numbered = kindling(dir.path(), &args);
    assert!(numbered.status.success(), "{}", support::stderr(&numbered));
    assert_eq!(entries(&dir.path().join("runs")), ["lr-find-001"]);
}

#[test]
fn bad_settings_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[&str]); 9] = [
        (
            &["--start", "0"],
            &["--start 0", "positive", "--start 1e-7"],
        ),
        (&["--start", "-1e-5"], &["--start -1e-5", "positive"]),
        (&["--end", "NaN"], &["--end NaN", "positive"]),
        (
            &["--start", "1", "--end", "0.1"],
            &["not above --start", "--end 10"],
        ),
        (
            &["--steps", "1"],
            &["--steps 1", "at least 2", "--steps 100"],
        ),
        (&["--steps", "-3"], &["--steps -3", "whole number"]),
        (
            &["--batch-size", "0"],
            &["--batch-size 0", "--batch-size 32"],
        ),
        (&["--model", "resnet"], &["unknown model", "baseline-cnn"]),
        (
            &["--device", "cuda"],
            &["no cuda support", "--features cuda"],
        ),
    ];
    for (extra, phrases) in cases {
        let mut args = vec!["lr-find"];
        args.extend(extra);
        assert_fails_with(&kindling(dir.path(), &args), phrases);
    }
    assert_eq!(entries(dir.path()), Vec::<String>::new(), "nothing written");

    // A folder that already holds something is kept.
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken").join("notes.txt"), "mine").unwrap();
    let mut args = vec!["lr-find", "--out", "taken"];
    args.extend(TINY);
    assert_fails_with(&kindling(dir.path(), &args), &["not empty", "--force"]);
    assert_eq!(entries(&dir.path().join("taken")), ["notes.txt"]);
}
