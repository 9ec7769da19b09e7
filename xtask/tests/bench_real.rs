//! `cargo xtask bench --real PATH --vs-pytorch` refuses bad input before it runs
//! anything: each error names the path or problem and ends with the fix, the exit
//! status is not zero, and nothing is written. None of these needs real photos or
//! torch: the trees are empty folders, and torch is replaced by a fake Python.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::{root, text};

/// Runs xtask from an empty folder (so a stray file would show) with the
/// repository named, and returns its output and that folder's entries afterwards.
fn bench(args: &[&str], env: &[(&str, &str)]) -> (Output, Vec<PathBuf>) {
    let cwd = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("bench")
        .args(args)
        .current_dir(cwd.path())
        .env("KINDLING_ROOT", root())
        .envs(env.iter().copied())
        .output()
        .expect("xtask runs");
    (output, listing(cwd.path()))
}

/// Every path under `dir`, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(listing(&path));
        }
        found.push(path);
    }
    found.sort();
    found
}

/// A tree with these class folders under train/ and test/ (absent when `None`),
/// each holding one file that is never read.
fn tree(train: Option<&[&str]>, test: Option<&[&str]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (part, classes) in [("train", train), ("test", test)] {
        for class in classes.into_iter().flatten() {
            let folder = dir.path().join(part).join(class);
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("0.jpg"), b"never decoded").unwrap();
        }
    }
    dir
}

/// A refusal: not zero, the message contains each of `needles`, the last line
/// carries the fix, and neither the tree nor the working folder gained a file.
fn assert_refused(args: &[&str], env: &[(&str, &str)], data: Option<&Path>, needles: &[&str]) {
    let before = data.map(listing);
    let (output, written) = bench(args, env);
    let message = text(&output);
    assert!(!output.status.success(), "{message}");
    for needle in needles {
        assert!(message.contains(needle), "no `{needle}` in: {message}");
    }
    let last = message.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.contains(". Fix: "),
        "the last line has no fix: {message}"
    );
    assert_eq!(
        written,
        Vec::<PathBuf>::new(),
        "wrote into the working folder"
    );
    assert_eq!(data.map(listing), before, "changed the data folder");
}

const CLASSES: &[&str] = &["cat", "dog"];

#[test]
fn a_missing_path_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-cifar");
    let path = missing.to_str().unwrap();
    assert_refused(
        &["--real", path, "--vs-pytorch"],
        &[],
        None,
        &[path, "does not exist"],
    );
    assert!(!missing.exists());
}

#[test]
fn a_file_instead_of_a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cifar.tar.gz");
    std::fs::write(&file, b"not a folder").unwrap();
    let path = file.to_str().unwrap();
    assert_refused(
        &["--real", path, "--vs-pytorch"],
        &[],
        Some(dir.path()),
        &[path, "is not a folder"],
    );
}

#[test]
fn a_tree_without_test_or_train_is_refused() {
    for (data, missing) in [
        (tree(Some(CLASSES), None), "no test/ folder"),
        (tree(None, Some(CLASSES)), "no train/ folder"),
    ] {
        let path = data.path().to_str().unwrap();
        assert_refused(
            &["--real", path, "--vs-pytorch"],
            &[],
            Some(data.path()),
            &[path, missing],
        );
    }
}

#[test]
fn different_class_folders_in_train_and_test_are_listed() {
    let data = tree(Some(&["cat", "dog", "frog"]), Some(&["bird", "cat", "dog"]));
    let path = data.path().to_str().unwrap();
    assert_refused(
        &["--real", path, "--vs-pytorch"],
        &[],
        Some(data.path()),
        &[
            "different class folders",
            "only in train: frog",
            "only in test: bird",
        ],
    );
}

#[test]
fn a_single_class_is_refused() {
    let data = tree(Some(&["cat"]), Some(&["cat"]));
    let path = data.path().to_str().unwrap();
    assert_refused(
        &["--real", path, "--vs-pytorch"],
        &[],
        Some(data.path()),
        &["1 class folder(s)"],
    );
}

#[test]
fn real_without_vs_pytorch_says_to_add_it() {
    let data = tree(Some(CLASSES), Some(CLASSES));
    let path = data.path().to_str().unwrap();
    assert_refused(
        &["--real", path],
        &[],
        Some(data.path()),
        &["needs --vs-pytorch", "kindling train --dataset folder:"],
    );
}

#[test]
fn a_recipe_kindling_train_would_refuse_is_refused_before_anything_runs() {
    let data = tree(Some(CLASSES), Some(CLASSES));
    let path = data.path().to_str().unwrap();
    // The bn-cnn recipe warms up for 1.5 epochs: one epoch leaves no decay.
    assert_refused(
        &[
            "--real",
            path,
            "--vs-pytorch",
            "--recipe",
            "bn-cnn",
            "--epochs",
            "1",
        ],
        &[("KINDLING_PYTHON", "/no/python/needed/here")],
        Some(data.path()),
        &["bn-cnn recipe", "warm-up"],
    );
}

#[test]
fn recipe_flags_need_real_and_throughput_flags_do_not_mix_with_it() {
    let (output, _) = bench(&["--recipe", "bn-cnn"], &[]);
    let message = text(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("--real"), "{message}");
    // The recipes fix their own batch size: --batch-size would be silently ignored.
    let (output, _) = bench(
        &["--real", "/nowhere", "--vs-pytorch", "--batch-size", "64"],
        &[],
    );
    let message = text(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("cannot be used with"), "{message}");
}

/// A Python that cannot import torch and says so in its own words, so the test
/// sees that xtask ran this one and not some python3 on the PATH.
fn fake_python(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("python-without-torch");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch' (the test's fake python)\" >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn torch_missing_is_reported_with_the_fix() {
    let data = tree(Some(CLASSES), Some(CLASSES));
    let path = data.path().to_str().unwrap();
    let bin = tempfile::tempdir().unwrap();
    let python = fake_python(bin.path());
    assert_refused(
        &["--real", path, "--vs-pytorch"],
        &[("KINDLING_PYTHON", python.to_str().unwrap())],
        Some(data.path()),
        &[
            "needs PyTorch",
            "the test's fake python",
            python.to_str().unwrap(),
            "pip install torch",
        ],
    );
}

#[test]
fn a_python_that_cannot_start_is_named() {
    let data = tree(Some(CLASSES), Some(CLASSES));
    let path = data.path().to_str().unwrap();
    let missing = data.path().join("no-python-here");
    assert_refused(
        &["--real", path, "--vs-pytorch", "--recipe", "baseline"],
        &[("KINDLING_PYTHON", missing.to_str().unwrap())],
        Some(data.path()),
        &[missing.to_str().unwrap(), "could not be started"],
    );
}
