//! `kindling train`, end to end on tiny runs, and every bad input it must refuse.

mod support;

use support::{assert_fails_with, entries, kindling, stdout};

const TINY: [&str; 8] = [
    "--train-size",
    "40",
    "--val-size",
    "20",
    "--epochs",
    "2",
    "--model",
    "linear",
];

#[test]
fn a_run_writes_every_file_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["train", "--out", "runs/tiny", "--quiet"];
    args.extend(TINY);
    let output = kindling(dir.path(), &args);
    let printed = stdout(&output);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(
        printed.contains("Epoch 1/2 - ") && printed.contains("val_accuracy"),
        "{printed}"
    );
    assert!(printed.contains("runs/tiny/model.bpk"), "{printed}");
    assert_eq!(
        entries(&dir.path().join("runs/tiny")),
        [
            "accuracy.png",
            "checkpoint.kpt",
            "config.json",
            "history.csv",
            "history.json",
            "loss.png",
            "model.bpk"
        ]
    );
    assert_eq!(
        entries(&dir.path().join("runs")),
        ["tiny"],
        "no temporary folder left"
    );
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("runs/tiny/config.json")).unwrap())
            .unwrap();
    assert_eq!(config["model"], "linear");
    assert_eq!(config["fit"]["epochs"], 2);
    assert_eq!(config["class_names"][0], "disc");

    // A second run into the same folder is refused, and changes nothing...
    let before = std::fs::read(dir.path().join("runs/tiny/history.json")).unwrap();
    let again = kindling(dir.path(), &args);
    assert_fails_with(&again, &["already holds a run", "--force"]);
    assert_eq!(
        std::fs::read(dir.path().join("runs/tiny/history.json")).unwrap(),
        before
    );
    // ...unless forced.
    args.push("--force");
    let forced = kindling(dir.path(), &args);
    assert!(forced.status.success(), "{}", support::stderr(&forced));
    assert_eq!(entries(&dir.path().join("runs")), ["tiny"]);
}

#[test]
fn augmentation_is_announced_and_recorded_in_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["train", "--out", "r", "--quiet", "--augment", "flip,crop"];
    args.extend(TINY);
    let output = kindling(dir.path(), &args);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(stdout(&output).contains("Augmenting the training images each epoch: flip,crop."));
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r/config.json")).unwrap()).unwrap();
    let augmentation = &config["fit"]["augmentation"];
    assert_eq!(augmentation["flip"], true);
    assert_eq!(augmentation["crop"]["pad"], 4);
    assert_eq!(augmentation["crop"]["padding"], "zero");
    assert!(augmentation["cutout"].is_null());
}

#[test]
fn regularisation_is_announced_recorded_and_resumed_only_as_planned() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "train",
        "--out",
        "r",
        "--quiet",
        "--train-size",
        "40",
        "--val-size",
        "20",
        "--epochs",
        "2",
        "--model",
        "mlp",
        "--dropout",
        "0.3",
        "--weight-decay",
        "0.01",
        "--label-smoothing",
        "0.1",
        "--schedule",
        "one-cycle",
        "--warmup",
        "0.5",
    ];
    let output = kindling(dir.path(), &args);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let printed = stdout(&output);
    for line in [
        "Dropout 0.3 while training.",
        "Weight decay 0.01 (decoupled).",
        "Label smoothing 0.1.",
        "Learning rate: one-cycle after a 0.5-epoch warm-up, peaking at 0.001.",
    ] {
        assert!(printed.contains(line), "{line} in {printed}");
    }
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r/config.json")).unwrap()).unwrap();
    assert_eq!(config["model_options"]["dropout"], 0.3);
    assert_eq!(config["fit"]["weight_decay"], 0.01);
    assert_eq!(config["fit"]["label_smoothing"], 0.1);
    assert_eq!(config["fit"]["schedule"]["decay"], "one-cycle");
    assert_eq!(config["fit"]["schedule"]["warmup_epochs"], 0.5);

    // The saved model is built again from config.json: evaluating it works.
    let evaluated = kindling(dir.path(), &["evaluate", "r", "--test-size", "20"]);
    assert!(
        evaluated.status.success(),
        "{}",
        support::stderr(&evaluated)
    );

    let longer = kindling(dir.path(), &["train", "--resume", "r", "--epochs", "3"]);
    assert_fails_with(&longer, &["planned over 2 epochs", "--epochs 2"]);
}

#[test]
fn without_out_runs_are_numbered() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["train", "--quiet"];
    args.extend(TINY);
    for _ in 0..2 {
        assert!(kindling(dir.path(), &args).status.success());
    }
    assert_eq!(entries(&dir.path().join("runs")), ["run-001", "run-002"]);
}

#[test]
fn bad_settings_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[&str]); 14] = [
        (&["--epochs", "0"], &["epochs", "--epochs 10"]),
        (&["--batch-size", "0"], &["batch size", "--batch-size 32"]),
        (
            &["--lr", "-0.1"],
            &["learning rate", "positive", "--lr 0.001"],
        ),
        (&["--lr", "NaN"], &["learning rate", "NaN"]),
        (
            &["--device", "cuda"],
            &["no cuda support", "--features cuda", "--device flex"],
        ),
        (&["--model", "resnet"], &["unknown model", "baseline-cnn"]),
        (&["--dataset", "mnist"], &["unknown dataset", "folder:PATH"]),
        (
            &["--augment", "flip,rotate"],
            &[
                "unknown augmentation `rotate`",
                "flip, crop, crop-reflect, cutout",
            ],
        ),
        (
            &[
                "--model",
                "bn-cnn",
                "--train-size",
                "65",
                "--batch-size",
                "64",
            ],
            &["last batch of one image", "--train-size 64"],
        ),
        (
            &["--dropout", "1"],
            &["dropout 1 is out of range", "--dropout 0.3"],
        ),
        (
            &["--model", "linear", "--dropout", "0.2"],
            &["no hidden layer", "--model mlp"],
        ),
        (
            &["--weight-decay", "-0.1"],
            &["weight decay", "--weight-decay 0.0005"],
        ),
        (
            &["--schedule", "step"],
            &[
                "unknown learning-rate schedule `step`",
                "constant, cosine, one-cycle",
            ],
        ),
        (
            &["--schedule", "one-cycle", "--epochs", "2", "--warmup", "2"],
            &["warm-up (2 epochs)", "whole run (2 epochs)", "--warmup"],
        ),
    ];
    for (extra, phrases) in cases {
        let mut args = vec!["train"];
        args.extend(extra);
        assert_fails_with(&kindling(dir.path(), &args), phrases);
    }
    assert_eq!(entries(dir.path()), Vec::<String>::new(), "nothing written");
}

#[test]
fn data_problems_name_the_file_and_leave_no_run() {
    let dir = tempfile::tempdir().unwrap();
    let missing = kindling(
        dir.path(),
        &["train", "--dataset", "cifar10:nowhere", "--out", "r"],
    );
    assert_fails_with(&missing, &["nowhere", "kindling data fetch cifar10"]);

    let photos = dir.path().join("photos");
    for class in ["a", "b"] {
        std::fs::create_dir_all(photos.join(class)).unwrap();
    }
    std::fs::write(photos.join("a").join("broken.png"), b"not really a png").unwrap();
    std::fs::write(photos.join("b").join("ok.txt"), b"text").unwrap();
    let output = kindling(
        dir.path(),
        &["train", "--dataset", "folder:photos", "--out", "r"],
    );
    assert_fails_with(&output, &["broken.png", "not an image"]);
    assert!(!dir.path().join("r").exists());
    assert_eq!(entries(dir.path()), ["photos"], "no temporary folder left");
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["train", "--help"],
        vec!["data", "--help"],
        vec!["data", "info", "--help"],
        vec!["data", "fetch", "--help"],
    ] {
        let output = kindling(dir.path(), &args);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage:"), "{args:?}");
    }
}
