//! Hyperparameter tuning: a search space, grid and seeded random search over a
//! closure that trains and reports metrics, stratified k-fold cross-validation,
//! and the results as a CSV or Markdown table.
//!
//! The closure does the training, so any model and any data work: it gets a
//! trial's [`Params`] and returns named metrics (or an error, which is recorded
//! for that trial without stopping the search).
//!
//! ```
//! use kindling_train::Mode;
//! use kindling_train::tuning::{SearchSpace, TuningError, grid_search};
//! let space = SearchSpace::new().values("lr", [0.001, 0.01, 0.1]).values("hidden", [8, 16]);
//! let results = grid_search(&space, |p| {
//!     let (lr, hidden) = (p.f64("lr")?, p.usize("hidden")?);
//!     // Train a model here; this stand-in score prefers lr = 0.01 and 16 units.
//!     let score = 1.0 - (lr.log10() + 2.0).abs() * 0.1 - 0.01 * (16 - hidden) as f64;
//!     Ok::<_, TuningError>([("val_accuracy", score)])
//! })?;
//! let table = results.table("val_accuracy", Mode::Max)?;
//! println!("{table}");
//! assert_eq!(results.best("val_accuracy", Mode::Max).unwrap().params.to_string(), "lr=0.01, hidden=16");
//! # Ok::<(), TuningError>(())
//! ```

mod cv;
mod error;
mod grid;
mod params;
mod random;
mod search;
mod space;
mod subset;
mod table;
mod value;

pub use cv::{CrossValidation, cross_validate, cross_validate_data};
pub use error::TuningError;
pub use grid::grid_search;
pub use params::Params;
pub use random::random_search;
pub use search::{SearchResults, Trial, TrialOutcome};
pub use space::{Distribution, SearchSpace};
pub use subset::Subset;
pub use table::ResultsTable;
pub use value::ParamValue;
