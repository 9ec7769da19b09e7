//! `kindling data info` and `kindling data fetch`.

mod support;

use support::{assert_fails_with, kindling, stdout};

#[test]
fn info_prints_split_sizes_and_class_counts() {
    let dir = tempfile::tempdir().unwrap();
    let output = kindling(
        dir.path(),
        &["data", "info", "--train-size", "900", "--val-size", "100"],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(
        text.contains("900 training, 100 validation, 10000 test"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|line| line.contains("h-stripes") && line.contains("90")),
        "{text}"
    );
}

#[test]
fn fetch_from_an_unreachable_mirror_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 of the loopback address.
    let output = kindling(
        dir.path(),
        &[
            "data",
            "fetch",
            "cifar10",
            "--url",
            "http://127.0.0.1:9/cifar.tar.gz",
            "--dir",
            "cache",
        ],
    );
    assert_fails_with(&output, &["127.0.0.1:9", "--url"]);
    let cache = dir.path().join("cache");
    assert!(!cache.join("cifar-10-batches-bin").exists());
}

#[test]
fn fetch_knows_only_cifar10() {
    let dir = tempfile::tempdir().unwrap();
    let output = kindling(dir.path(), &["data", "fetch", "mnist"]);
    assert!(!output.status.success());
    assert!(support::stderr(&output).contains("cifar10"));
}
