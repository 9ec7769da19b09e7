//! The course's own plumbing, shared by the stage programs and `cargo xtask`: the
//! arguments every stage takes, the report it hands in, the answers file, and the
//! checks behind `cargo xtask check`. It is not meant for library users.

pub mod allocator;
pub mod answers;
pub mod args;
pub mod bands;
pub mod check;
pub mod profile;
pub mod report;
pub mod snapshot;
pub mod stages;
pub mod sync;
pub mod values;

pub use answers::{ANSWERS_FILE, AnswerProblem, Answers, AnswersError};
pub use args::StageArgs;
pub use check::{CheckContext, CheckItem, Checklist, Status, evaluate_run};
pub use profile::Profile;
pub use report::{REPORT_FILE, StageReport};
pub use stages::{Hint, STAGES, StageInfo, parse_stage};
