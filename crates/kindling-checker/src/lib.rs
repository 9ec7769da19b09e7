//! The course's checker, used by `cargo xtask` and the course tests: each stage's
//! checklist and hints, tolerance bands, reference snapshots, the answers file, and
//! generating exercises from solutions. The stage programs link only
//! `kindling-course`; nothing here is built into a learner's stage.

pub mod answers;
pub mod bands;
pub mod check;
pub mod claims;
pub mod quotes;
pub mod snapshot;
pub mod stages;
pub mod sync;
pub mod values;

// The learner-side types, under the paths the stage checks use.
pub use kindling_course::{args, facts, profile, report};

pub use answers::{ANSWERS_FILE, AnswerProblem, Answers, AnswersError};
pub use check::{CheckContext, CheckItem, Checklist, Reference, Status, evaluate_run};
pub use kindling_course::{Profile, REPORT_FILE, StageArgs, StageReport};
pub use stages::{Hint, STAGES, StageInfo, parse_stage};
