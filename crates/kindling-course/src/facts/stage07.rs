//! Stage 7, Mistakes: what the stage shows of the model's errors. It trains and
//! evaluates exactly as stage 6 does (`super::stage06`'s sizes and settings).

/// What the stage's program writes into test_opened.json as the opener.
pub const COMMAND: &str = "stage07";
/// The most-confused pairs the stage lists.
pub const CONFUSED_PAIRS: usize = 3;
/// The most confident mistakes drawn in mistakes.png.
pub const MISTAKES_SHOWN: usize = 16;
/// Columns of the mistakes grid.
pub const MISTAKES_COLUMNS: usize = 4;
