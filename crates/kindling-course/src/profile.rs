//! How big a stage's run is: the full run a learner watches, or the small, fast,
//! seeded run the checker uses.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The size of a stage's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The run the book describes (minutes at most on a laptop).
    Full,
    /// A small subset on the CPU, seconds long, for `cargo xtask check`.
    Check,
}

impl Profile {
    /// Picks the size for this profile.
    pub fn pick<T>(self, full: T, check: T) -> T {
        match self {
            Profile::Full => full,
            Profile::Check => check,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Full => "full",
            Profile::Check => "check",
        })
    }
}
