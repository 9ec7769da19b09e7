//! The checks themselves: results from another run do not count, a history
//! outside its band names the epoch and metric, written answers are compared with
//! the numbers, and missing or malformed answers files are reported.

use std::time::SystemTime;

use course_tests::StageRun;
use kindling::train::History;
use kindling_checker::Status;

#[test]
fn results_from_another_run_do_not_count() {
    let mut run = StageRun::new("stage1", "solutions/stage01", stage01_solution::run);
    assert!(run.check().failed().is_empty());

    // The report carries another run's identifier.
    run.context.run_id = Some("another-run".into());
    let checked = run.check();
    let fresh = checked.item("common.fresh");
    assert_eq!(fresh.status, Status::Fail);
    assert!(
        fresh
            .detail
            .as_deref()
            .unwrap()
            .contains("not written by this run"),
        "{}",
        checked.describe()
    );
    assert!(
        checked
            .items
            .iter()
            .skip(1)
            .all(|item| item.status == Status::Skipped)
    );

    // The files are older than the run being checked.
    run.context.run_id = None;
    run.context.started = SystemTime::now() + std::time::Duration::from_secs(60);
    let checked = run.check();
    let grid = checked.item("s1.grid");
    assert_eq!(grid.status, Status::Fail);
    assert!(
        grid.detail
            .as_deref()
            .unwrap()
            .contains("older than this run"),
        "{}",
        checked.describe()
    );
}

#[test]
fn missing_or_malformed_answers_are_reported() {
    let mut run = StageRun::new("stage1", "solutions/stage01", stage01_solution::run);
    let dir = tempfile::tempdir().unwrap();

    run.context.answers_path = dir.path().join("answers.toml");
    let checked = run.check();
    let predict = checked.item("s1.predict");
    assert_eq!(predict.status, Status::Fail);
    assert!(
        predict
            .detail
            .as_deref()
            .unwrap()
            .contains("answers.toml is missing")
    );

    std::fs::write(
        &run.context.answers_path,
        "[predict]\nimages_per_class = about 200\n",
    )
    .unwrap();
    let checked = run.check();
    let detail = checked.item("s1.predict").detail.clone().unwrap();
    assert!(detail.contains("answers.toml, line 2"), "{detail}");
    assert_eq!(
        checked.item("s1.counts").status,
        Status::Pass,
        "the run's own items still count"
    );
}

#[test]
fn histories_and_reads_are_held_to_the_numbers() {
    let mut run = StageRun::new("stage5", "solutions/stage05", stage05_solution::run);
    assert!(
        run.check().failed().is_empty(),
        "{}",
        run.check().describe()
    );

    // The numbers this computer's run gives (they differ between CPUs that compute
    // otherwise; see kindling::train::numerics).
    let path = run.file("history.json");
    let mut history = History::load(&path).unwrap();
    let value = |epoch: usize, name: &str| history.row(epoch).unwrap().get(name).unwrap();
    let (first, last) = (value(1, "accuracy"), value(10, "accuracy"));
    let (last_val, fourth_val) = (value(10, "val_accuracy"), value(4, "val_accuracy"));

    // A read that contradicts the history names what it got wrong.
    let dir = tempfile::tempdir().unwrap();
    let answers = std::fs::read_to_string(&run.context.answers_path).unwrap();
    let wrong: String = answers
        .replace("accuracy = \"up\"", "accuracy = \"down\"")
        .lines()
        .map(|line| {
            if line.starts_with("last_epoch_val_accuracy =") {
                "last_epoch_val_accuracy = 0.9\n".to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    run.context.answers_path = dir.path().join("answers.toml");
    std::fs::write(&run.context.answers_path, wrong).unwrap();
    let read = run.check().item("s5.read").clone();
    assert_eq!(read.status, Status::Fail);
    let detail = read.detail.unwrap();
    assert!(
        detail.contains(&format!(
            "you wrote accuracy = down, but it goes from {first:.4} at epoch 1 to {last:.4} at epoch 10: up"
        )),
        "{detail}"
    );
    assert!(
        detail.contains(&format!(
            "last_epoch_val_accuracy = 0.9, but your history says {last_val:.4} at epoch 10"
        )),
        "{detail}"
    );

    // A history outside the band names the epoch, the metric, the value and the band.
    let mut shifted = History::new();
    for epoch in 1..=history.epochs() {
        let mut row = history.row(epoch).unwrap().values;
        if epoch == 4 {
            for (name, value) in &mut row {
                if name == "val_accuracy" {
                    *value -= 0.2;
                }
            }
        }
        shifted.push_epoch(row);
    }
    shifted.context = std::mem::take(&mut history.context);
    shifted.save_json(&path).unwrap();
    let item = run.check().item("s5.history").clone();
    assert_eq!(item.status, Status::Fail);
    let detail = item.detail.unwrap();
    assert!(
        detail.starts_with(&format!(
            "epoch 4, val_accuracy: {:.4} is outside the reference band {fourth_val:.4} ± 0.05",
            fourth_val - 0.2
        )),
        "{detail}"
    );
}

#[test]
fn test_evidence_must_come_from_one_recorded_opening_of_the_test_pile() {
    let run = StageRun::new("stage6", "solutions/stage06", stage06_solution::run);
    assert!(
        run.check().failed().is_empty(),
        "{}",
        run.check().describe()
    );
    let failed_with = |id: &str| {
        let item = run.check().item(id).clone();
        assert_eq!(item.status, Status::Fail, "{id}");
        item.detail.unwrap()
    };

    // A second opening recorded in the same run folder.
    let opened = run.file("test_opened.json");
    let original = std::fs::read_to_string(&opened).unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&original).unwrap();
    let first = record["openings"][0].clone();
    record["openings"].as_array_mut().unwrap().push(first);
    std::fs::write(&opened, record.to_string()).unwrap();
    let detail = failed_with("s6.opened");
    assert!(detail.contains("records 2 openings"), "{detail}");

    // No record at all: the images were taken with open(), which writes none.
    std::fs::remove_file(&opened).unwrap();
    let detail = failed_with("s6.opened");
    assert!(detail.contains("without a record"), "{detail}");
    std::fs::write(&opened, &original).unwrap();

    // Predictions edited after the run: a row that no longer predicts its most
    // probable class, then rows that are not the test pile's.
    let csv = run.file("predictions.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    let predicted: usize = cells[1].parse().unwrap();
    cells[1] = ((predicted + 1) % 10).to_string();
    lines[1] = cells.join(",");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let detail = failed_with("s6.predictions");
    assert!(detail.starts_with("row 1: y_pred is"), "{detail}");
    lines.swap(1, 2);
    let label = |line: &str| line.split(',').next().unwrap().to_string();
    if label(&lines[1]) != label(&lines[2]) {
        std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
        let detail = failed_with("s6.predictions");
        assert!(detail.contains("not the test pile's"), "{detail}");
    }
    // The metrics items are judged against the file, so they fail with it.
    assert_eq!(run.check().item("s6.metrics").status, Status::Fail);
}
