//! The facts a stage's solution and its checker share, each defined once: how many
//! images a run loads, the epochs, the settings a page asks for. The solution
//! reads them to run; the checker reads them to recompute what the run must find.
//! One file per stage.

pub mod stage01;
pub mod stage02;
pub mod stage03;
pub mod stage04;
pub mod stage05;
pub mod stage06;
pub mod stage07;
pub mod stage08;
pub mod stage09;
pub mod stage10;

/// The seed every stage runs with unless told otherwise: the seed of the reference
/// snapshots and of `cargo xtask check`.
pub const DEFAULT_SEED: u64 = kindling::data::builtin::DEFAULT_SEED;
