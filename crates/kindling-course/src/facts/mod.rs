//! Facts that a stage's solution and its checker share (sizes, epochs, how many
//! pairs or mistakes to show), defined once and read by both.

pub mod stage06;
pub mod stage07;
pub mod stage08;
pub mod stage09;
pub mod stage10;
