//! Seeded random search: draw each trial's settings from the search space.

use std::fmt;

use rand::RngExt;

use kindling_data::seeded_rng;

use super::error::TuningError;
use super::params::Params;
use super::search::{SearchResults, run_trials};
use super::space::{Distribution, SearchSpace};

impl SearchSpace {
    /// The settings of trial `trial` (counted from 0) of a random search under
    /// `seed`. Each trial has its own random stream, so trial 3 gets the same
    /// settings whether the search runs 5 trials or 50.
    pub fn sample(&self, seed: u64, trial: usize) -> Result<Params, TuningError> {
        self.validate()?;
        let mut rng = seeded_rng(seed, trial as u64);
        let mut params = Params::new();
        for (name, distribution) in self.parameters() {
            match distribution {
                Distribution::Values { values } => {
                    let index = rng.random_range(0..values.len());
                    params.set(name, values[index].clone());
                }
                Distribution::Uniform { low, high } => {
                    let u: f64 = rng.random();
                    params.set(name, (low + (high - low) * u).clamp(*low, *high));
                }
                Distribution::LogUniform { low, high } => {
                    let u: f64 = rng.random();
                    let (log_low, log_high) = (low.ln(), high.ln());
                    let value = (log_low + (log_high - log_low) * u).exp();
                    params.set(name, value.clamp(*low, *high));
                }
            }
        }
        Ok(params)
    }
}

/// Runs `trial` on `trials` settings drawn from `space` under `seed` (see
/// [`SearchSpace::sample`]). Lists are picked from uniformly, ranges drawn as
/// their distribution says. Errors are recorded per trial; the search goes on.
///
/// ```
/// use kindling_train::Mode;
/// use kindling_train::tuning::{SearchSpace, TuningError, random_search};
/// let space = SearchSpace::new().uniform("x", -2.0, 2.0);
/// let results = random_search(&space, 50, 42, |p| {
///     let x = p.f64("x")?;
///     Ok::<_, TuningError>([("loss", (x - 1.0).powi(2))])
/// })?;
/// let best = results.best("loss", Mode::Min).unwrap();
/// assert!((best.params.f64("x")? - 1.0).abs() < 0.2);
/// # Ok::<(), TuningError>(())
/// ```
pub fn random_search<F, M, K, E>(
    space: &SearchSpace,
    trials: usize,
    seed: u64,
    trial: F,
) -> Result<SearchResults, TuningError>
where
    F: FnMut(&Params) -> Result<M, E>,
    M: IntoIterator<Item = (K, f64)>,
    K: Into<String>,
    E: fmt::Display,
{
    if trials == 0 {
        return Err(TuningError::NoTrials);
    }
    let settings = (0..trials)
        .map(|index| space.sample(seed, index))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(run_trials(settings, trial))
}
