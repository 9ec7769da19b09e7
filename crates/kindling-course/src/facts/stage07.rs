//! Stage 7, Mistakes: what the stage shows of the model's errors. It trains
//! exactly as stage 6 does (`super::stage06`'s sizes and settings) and studies the
//! mistakes on the validation pile; the test set stays sealed.

/// The pile the mistakes are studied on, as report.json names it.
pub const PILE: &str = "validation";
/// The most-confused pairs the stage lists.
pub const CONFUSED_PAIRS: usize = 3;
/// The most confident mistakes drawn in mistakes.png.
pub const MISTAKES_SHOWN: usize = 16;
/// Columns of the mistakes grid.
pub const MISTAKES_COLUMNS: usize = 4;
