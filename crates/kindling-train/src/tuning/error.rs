//! What can go wrong while tuning, each with the fix.

use std::path::PathBuf;

use kindling_data::DataError;

/// A search, cross-validation or results table that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TuningError {
    /// The search space has no parameters.
    #[error(
        "the search space is empty. Fix: add a parameter, such as .values(\"lr\", [1e-3, 1e-2])"
    )]
    EmptySpace,
    /// The same parameter name twice.
    #[error("parameter `{name}` is in the search space twice. Fix: give each parameter once")]
    DuplicateParameter {
        /// The name.
        name: String,
    },
    /// A list of values with nothing in it.
    #[error("parameter `{name}` has an empty list of values. Fix: give it at least one value")]
    NoValues {
        /// The name.
        name: String,
    },
    /// A range that cannot be sampled.
    #[error("parameter `{name}` has the range {low} to {high}: {rule}. Fix: {fix}")]
    BadRange {
        /// The name.
        name: String,
        /// Lower end given.
        low: f64,
        /// Upper end given.
        high: f64,
        /// What a range must be.
        rule: &'static str,
        /// What to do.
        fix: &'static str,
    },
    /// Grid search over a continuous range.
    #[error(
        "grid search needs a list of values, but parameter `{name}` is a {kind} range. Fix: use .values(\"{name}\", [...]) or run a random search"
    )]
    NotAGrid {
        /// The name.
        name: String,
        /// `"uniform"` or `"log-uniform"`.
        kind: &'static str,
    },
    /// A random search of zero trials.
    #[error("a random search of 0 trials does nothing. Fix: ask for at least 1 trial, such as 20")]
    NoTrials,
    /// A parameter a trial asked for that the space does not have.
    #[error(
        "there is no parameter `{name}`; the trial has: {available}. Fix: use one of those names"
    )]
    UnknownParameter {
        /// The name asked for.
        name: String,
        /// The names there are, comma separated.
        available: String,
    },
    /// A parameter read as the wrong kind of value.
    #[error("parameter `{name}` is {found}, not {expected}. Fix: {fix}")]
    WrongType {
        /// The name.
        name: String,
        /// What was asked for, such as "a whole number".
        expected: &'static str,
        /// The value found.
        found: String,
        /// What to do.
        fix: &'static str,
    },
    /// Sorting by a metric no trial recorded.
    #[error(
        "no trial recorded the metric `{metric}`; the trials recorded: {available}. Fix: sort by one of those"
    )]
    UnknownMetric {
        /// The metric asked for.
        metric: String,
        /// The metrics recorded, comma separated (or "none").
        available: String,
    },
    /// Writing a results file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A number of folds that does not fit the data.
    #[error(
        "{k}-fold cross-validation of {examples} example(s) is not possible: every fold needs at least one example and there must be at least 2 folds. Fix: use k between 2 and {examples} (5 is usual)"
    )]
    Folds {
        /// Folds asked for.
        k: usize,
        /// Examples available.
        examples: usize,
    },
    /// A class number too large for stratification.
    #[error(
        "example {position} has class {label}; stratified folds handle classes 0 to 255. Fix: renumber the classes from 0"
    )]
    LabelTooLarge {
        /// Position of the example, counted from 1.
        position: usize,
        /// The label found.
        label: usize,
    },
    /// An index outside the data.
    #[error(
        "index {index} is outside the data, which has {len} example(s). Fix: use indices below {len}"
    )]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// Examples in the data.
        len: usize,
    },
    /// A fold's closure failed.
    #[error("fold {fold} failed: {problem}")]
    FoldFailed {
        /// Fold number, counted from 1.
        fold: usize,
        /// What the closure said.
        problem: String,
    },
    /// A fold's score that is not a number.
    #[error(
        "fold {fold} scored {score}, not a finite number. Fix: check that the model trained (a diverged run scores NaN)"
    )]
    NonFiniteScore {
        /// Fold number, counted from 1.
        fold: usize,
        /// The score.
        score: f64,
    },
    /// The data crate refused the split.
    #[error(transparent)]
    Data(#[from] DataError),
}
