//! Grid search: try every combination of the listed values.

use std::fmt;

use super::error::TuningError;
use super::params::Params;
use super::search::{SearchResults, run_trials};
use super::space::{Distribution, SearchSpace};

impl SearchSpace {
    /// Every combination of the listed values, like nested loops in the order the
    /// parameters were added: the first parameter changes slowest, the last
    /// fastest. Fails if a parameter is a range rather than a list.
    pub fn grid(&self) -> Result<Vec<Params>, TuningError> {
        self.validate()?;
        let mut combinations = vec![Params::new()];
        for (name, distribution) in self.parameters() {
            let values = match distribution {
                Distribution::Values { values } => values,
                Distribution::Uniform { .. } => {
                    return Err(not_a_grid(name, "uniform"));
                }
                Distribution::LogUniform { .. } => {
                    return Err(not_a_grid(name, "log-uniform"));
                }
            };
            combinations = combinations
                .into_iter()
                .flat_map(|params| {
                    values
                        .iter()
                        .map(move |value| params.clone().with(name, value.clone()))
                })
                .collect();
        }
        Ok(combinations)
    }
}

fn not_a_grid(name: &str, kind: &'static str) -> TuningError {
    TuningError::NotAGrid {
        name: name.to_string(),
        kind,
    }
}

/// Runs `trial` once for every combination of [`SearchSpace::grid`], in that
/// order. The closure returns named metrics, or an error that is recorded for
/// that trial while the search goes on.
///
/// ```
/// use kindling_train::Mode;
/// use kindling_train::tuning::{SearchSpace, grid_search};
/// let space = SearchSpace::new().values("a", [1, 2, 3]).values("b", [10, 20]);
/// let results = grid_search(&space, |p| -> Result<_, String> {
///     let a = p.f64("a").map_err(|e| e.to_string())?;
///     let b = p.f64("b").map_err(|e| e.to_string())?;
///     if a == 2.0 {
///         return Err("a = 2 always fails".into()); // recorded, the search goes on
///     }
///     Ok([("score", a * b)])
/// })?;
/// assert_eq!(results.trials.len(), 6);
/// assert_eq!(results.failures(), 2);
/// assert_eq!(results.best("score", Mode::Max).unwrap().params.to_string(), "a=3, b=20");
/// # Ok::<(), kindling_train::tuning::TuningError>(())
/// ```
pub fn grid_search<F, M, K, E>(space: &SearchSpace, trial: F) -> Result<SearchResults, TuningError>
where
    F: FnMut(&Params) -> Result<M, E>,
    M: IntoIterator<Item = (K, f64)>,
    K: Into<String>,
    E: fmt::Display,
{
    Ok(run_trials(space.grid()?, trial))
}
