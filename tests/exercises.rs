//! Every untouched exercise compiles and runs, and fails exactly the items its
//! TODOs leave undone (and passes the rest).

use course_tests::StageRun;

#[test]
fn stage01_exercise_fails_what_its_todos_leave_undone() {
    let run = StageRun::new("stage1", "exercises/stage01", stage01::run);
    let checked = run.check();
    assert_eq!(
        checked.failed(),
        ["s1.counts", "s1.grid", "s1.predict", "s1.balance"],
        "{}",
        checked.describe()
    );
    let counts = checked.item("s1.counts");
    assert!(
        counts
            .hint
            .as_deref()
            .unwrap()
            .contains("add one to the count of its class")
    );
}

#[test]
fn stage02_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage2", "exercises/stage02", stage02::run).check();
    assert_eq!(
        checked.failed(),
        ["s2.x", "s2.y", "s2.batch", "s2.predict", "s2.numbers"],
        "{}",
        checked.describe()
    );
}

#[test]
fn stage03_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage3", "exercises/stage03", stage03::run).check();
    assert_eq!(
        checked.failed(),
        [
            "s3.piles",
            "s3.stats",
            "s3.normalized",
            "s3.sealed",
            "s3.answers"
        ],
        "{}",
        checked.describe()
    );
}

#[test]
fn stage04_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage4", "exercises/stage04", stage04::run).check();
    assert_eq!(
        checked.failed(),
        ["s4.layers", "s4.total", "s4.answers"],
        "{}",
        checked.describe()
    );
}

#[test]
fn stage05_exercise_fails_what_its_todos_leave_undone() {
    let run = StageRun::new("stage5", "exercises/stage05", stage05::run);
    let checked = run.check();
    assert_eq!(
        checked.failed(),
        [
            "s5.threshold",
            "s5.line",
            "s5.rates",
            "s5.early",
            "s5.burn",
            "s5.longer",
            "s5.best",
            "s5.predict",
            "s5.read",
            "s5.read_longer"
        ],
        "{}",
        checked.describe()
    );
    // Untouched, early stopping watches the training loss, which keeps falling
    // while the model overfits: the hint names that cause.
    let longer = checked.item("s5.longer");
    assert!(
        longer
            .hint
            .as_deref()
            .unwrap()
            .contains("watch the validation loss"),
        "{}",
        checked.describe()
    );
    let threshold = checked.item("s5.threshold");
    assert!(
        threshold
            .detail
            .as_deref()
            .unwrap()
            .contains("after example 3"),
        "{}",
        checked.describe()
    );
}

#[test]
fn stage06_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage6", "exercises/stage06", stage06::run).check();
    assert_eq!(
        checked.failed(),
        ["s6.metrics", "s6.compare", "s6.predict", "s6.read"],
        "{}",
        checked.describe()
    );
    let metrics = checked.item("s6.metrics");
    assert!(
        metrics
            .detail
            .as_deref()
            .unwrap()
            .starts_with("roc_auc_macro is missing"),
        "{}",
        checked.describe()
    );
}

#[test]
fn stage07_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage7", "exercises/stage07", stage07::run).check();
    assert_eq!(
        checked.failed(),
        [
            "s7.confusion",
            "s7.pairs",
            "s7.per_class",
            "s7.mistakes",
            "s7.predict",
            "s7.read"
        ],
        "{}",
        checked.describe()
    );
    let confusion = checked.item("s7.confusion");
    assert!(
        confusion.detail.as_deref().unwrap().contains("sums to 0"),
        "{}",
        checked.describe()
    );
}

#[test]
fn stage08_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage8", "exercises/stage08", stage08::run).check();
    assert_eq!(
        checked.failed(),
        [
            "s8.runs",
            "s8.histories",
            "s8.table",
            "s8.sweep",
            "s8.noise",
            "s8.predict",
            "s8.read"
        ],
        "{}",
        checked.describe()
    );
    let noise = checked.item("s8.noise");
    assert!(
        noise
            .detail
            .as_deref()
            .unwrap()
            .contains("standard_error is missing"),
        "{}",
        checked.describe()
    );
}

#[test]
fn stage09_exercise_fails_what_its_todos_leave_undone() {
    use kindling_checker::facts::stage09::PROGRAM;
    let mut run = StageRun::new("stage9", "exercises/stage09", stage09::run);
    run.context.programs.insert(
        PROGRAM.into(),
        course_tests::build_program("stage09", "stage09-predict"),
    );
    let checked = run.check();
    assert_eq!(
        checked.failed(),
        [
            "s9.reference",
            "s9.program",
            "s9.bad_file",
            "s9.predict",
            "s9.read"
        ],
        "{}",
        checked.describe()
    );
    let crash = checked.item("s9.bad_file");
    assert!(
        crash.detail.as_deref().unwrap().contains("exit status 101"),
        "{}",
        checked.describe()
    );
}

#[test]
fn stage10_exercise_fails_what_its_todos_leave_undone() {
    let checked = StageRun::new("stage10", "exercises/stage10", stage10::run).check();
    assert_eq!(
        checked.failed(),
        [
            "s10.evaluated",
            "s10.baseline",
            "s10.limitation",
            "s10.predict",
            "s10.read"
        ],
        "{}",
        checked.describe()
    );
    // The placeholder choice evaluates the baseline although validation chose
    // the improved run: the mistake this stage's choice is there to prevent.
    let evaluated = checked.item("s10.evaluated");
    assert!(
        evaluated
            .detail
            .as_deref()
            .unwrap()
            .contains("validation chose improved/"),
        "{}",
        checked.describe()
    );
}
