//! `cargo xtask check` on a computer that computes otherwise than every computer
//! the reference histories were recorded on (pretended with KINDLING_NUMERICS):
//! the checker makes its reference here, from the reference solution, and holds
//! the run to that instead of to a recording that cannot match it.

mod support;
use support::{root, text, xtask_with_env};

#[test]
fn a_computer_without_recorded_references_makes_its_own() {
    let solution = root().join("solutions/stage05");
    let output = xtask_with_env(
        &["check", "stage5", "--path", solution.to_str().unwrap()],
        &[("KINDLING_NUMERICS", "unrecorded-numerics")],
    );
    let out = text(&output);
    assert!(
        out.contains("computes with unrecorded-numerics numerics"),
        "{out}"
    );
    let history = out
        .lines()
        .find(|line| line.contains("history matches the reference"))
        .unwrap_or_else(|| panic!("no history item: {out}"));
    assert!(history.starts_with("[pass]"), "{out}");
    assert!(
        out.contains("reference: the reference solution run with seed 42"),
        "{out}"
    );
}
