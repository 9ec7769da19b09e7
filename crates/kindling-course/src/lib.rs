//! The learner's side of the course: what every stage program links. The arguments
//! every stage takes, the report it hands in, the run profiles, and the facts a
//! stage's solution shares with its checker. The checks themselves live in
//! `kindling-checker`, so a learner's stage never links them. Not meant for library
//! users.

pub mod allocator;
pub mod args;
pub mod facts;
pub mod profile;
pub mod program;
pub mod report;

pub use args::StageArgs;
pub use profile::Profile;
pub use program::{run_stage, run_stage_with};
pub use report::{REPORT_FILE, StageReport};
