//! The one error type every metric returns.
//!
//! Each message says what is wrong with the input and how to fix it, because
//! these errors reach learners through the `kindling metrics` command.

use thiserror::Error;

/// Why a metric could not be computed from the inputs it was given.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// No samples at all.
    #[error("no samples: the inputs are empty; pass at least one prediction")]
    Empty,

    /// Two inputs that must pair up sample by sample have different lengths.
    #[error(
        "{left} has {left_len} values but {right} has {right_len}; \
         pass exactly one entry per sample in both"
    )]
    LengthMismatch {
        /// Name of the first input, e.g. `y_true`.
        left: &'static str,
        /// Its length.
        left_len: usize,
        /// Name of the second input, e.g. `y_pred`.
        right: &'static str,
        /// Its length.
        right_len: usize,
    },

    /// `n_classes` was zero.
    #[error("n_classes is 0; a classification problem needs at least one class")]
    NoClasses,

    /// A class label is not in `0..n_classes`.
    #[error(
        "{argument}[{index}] is {label} but there are only {n_classes} classes \
         (labels 0..={max}); fix the label or pass a larger n_classes",
        max = n_classes.saturating_sub(1)
    )]
    LabelOutOfRange {
        /// Which input holds the label, e.g. `y_pred`.
        argument: &'static str,
        /// 0-based sample index.
        index: usize,
        /// The offending label.
        label: usize,
        /// The number of classes the metric was told about.
        n_classes: usize,
    },

    /// A score, probability or regression value is NaN or infinite.
    #[error(
        "{argument}[{index}] is {value}; every value must be a finite number \
         (check for a division by zero or a log of 0 upstream)"
    )]
    NonFinite {
        /// Which input holds the value, e.g. `scores`.
        argument: &'static str,
        /// 0-based index into that input (row-major for probability matrices).
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// A flat probability buffer cannot be split into rows of `n_classes`.
    #[error(
        "a probability matrix with {n_classes} columns cannot hold {len} values \
         ({len} is not a multiple of {n_classes}); pass rows of exactly one probability per class"
    )]
    ProbabilityShape {
        /// Length of the flat buffer.
        len: usize,
        /// Requested number of columns.
        n_classes: usize,
    },

    /// A probability matrix has a different number of columns than there are classes.
    #[error(
        "the probabilities have {columns} columns but there are {n_classes} classes; \
         pass one probability column per class"
    )]
    ProbabilityColumns {
        /// Columns in the matrix.
        columns: usize,
        /// Classes the metric was told about.
        n_classes: usize,
    },

    /// A row of class probabilities does not sum to 1.
    #[error(
        "probability row {row} sums to {sum} instead of 1 (tolerance {tolerance}); \
         pass softmax outputs, not logits, or renormalise each row"
    )]
    ProbabilitiesDoNotSumToOne {
        /// 0-based row index.
        row: usize,
        /// The row's sum.
        sum: f64,
        /// The accepted distance from 1.
        tolerance: f64,
    },

    /// Binary ROC-AUC got samples of a single class.
    #[error(
        "ROC-AUC is undefined: every sample in y_true is class {class}, so there is no \
         {missing} sample to rank against; evaluate on data that contains both classes",
        missing = if *class == 1 { "negative" } else { "positive" }
    )]
    OnlyOneClass {
        /// The only class present (0 or 1).
        class: usize,
    },

    /// One-vs-rest ROC-AUC got a class that is absent from `y_true` (or is all of it).
    #[error(
        "one-vs-rest ROC-AUC is undefined for class {class}: {reason}; \
         evaluate on data in which every class occurs and no class is the only one"
    )]
    RocAucUndefinedForClass {
        /// The class whose one-vs-rest problem has a single class.
        class: usize,
        /// Whether it is absent or the only class present.
        reason: &'static str,
    },

    /// `k` was zero in top-k accuracy.
    #[error("k is 0; top-k accuracy needs k >= 1 (k = 1 is plain accuracy)")]
    ZeroK,

    /// `Average::Binary` was used for a problem without exactly two classes.
    #[error(
        "binary averaging needs exactly 2 classes but there are {n_classes}; \
         use Average::Macro, Average::Weighted or Average::Micro instead"
    )]
    NotBinary {
        /// Classes the metric was told about.
        n_classes: usize,
    },

    /// The positive label of a binary metric is not a class.
    #[error("positive_label is {label} but a binary problem only has labels 0 and 1; pass 0 or 1")]
    PositiveLabelOutOfRange {
        /// The offending label.
        label: usize,
    },

    /// A metric needs more samples than it got.
    #[error("{metric} needs at least {needed} samples but got {actual}; pass more samples")]
    TooFewSamples {
        /// Name of the metric.
        metric: &'static str,
        /// Minimum number of samples.
        needed: usize,
        /// Samples given.
        actual: usize,
    },

    /// A list of class names does not match the number of classes.
    #[error("got {names} class names for {n_classes} classes; pass exactly one name per class")]
    ClassNames {
        /// Names given.
        names: usize,
        /// Classes the metric was told about.
        n_classes: usize,
    },
}

/// Shorthand used throughout the crate.
pub type Result<T, E = MetricsError> = std::result::Result<T, E>;
