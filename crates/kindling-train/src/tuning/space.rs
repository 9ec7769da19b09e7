//! The search space: each hyperparameter's name and the values it may take.

use serde::Serialize;

use super::error::TuningError;
use super::value::ParamValue;

/// The values one parameter may take.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// A list: grid search tries every value, random search picks one at random
    /// (each equally likely).
    Values {
        /// The values.
        values: Vec<ParamValue>,
    },
    /// Any real number from `low` to `high`, each equally likely (random search
    /// only).
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// A real number from `low` to `high` whose logarithm is uniform, so 1e-4 to
    /// 1e-3 is as likely as 1e-3 to 1e-2: the usual choice for learning rates
    /// (random search only).
    LogUniform {
        /// Lower end, above 0.
        low: f64,
        /// Upper end.
        high: f64,
    },
}

/// Named parameters and their values, in the order they were added.
///
/// ```
/// use kindling_train::tuning::SearchSpace;
/// let space = SearchSpace::new()
///     .values("hidden", [8, 16])
///     .values("optimizer", ["adam", "sgd"]);
/// assert_eq!(space.grid()?.len(), 4);
/// let random = SearchSpace::new().log_uniform("lr", 1e-4, 1e-1).choice("hidden", [8, 16, 32]);
/// let params = random.sample(7, 0)?;
/// assert!((1e-4..=1e-1).contains(&params.f64("lr")?));
/// # Ok::<(), kindling_train::tuning::TuningError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SearchSpace {
    parameters: Vec<(String, Distribution)>,
}

impl SearchSpace {
    /// An empty space.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parameter with a list of values (for grid search, or a random choice).
    pub fn values<V: Into<ParamValue>>(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.with(name, Distribution::Values { values })
    }

    /// The same as [`values`](Self::values), under the name random search uses:
    /// each value is equally likely.
    pub fn choice<V: Into<ParamValue>>(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.values(name, values)
    }

    /// A real parameter drawn uniformly from `low` to `high`.
    pub fn uniform(self, name: impl Into<String>, low: f64, high: f64) -> Self {
        self.with(name, Distribution::Uniform { low, high })
    }

    /// A real parameter drawn log-uniformly from `low` to `high` (both above 0).
    pub fn log_uniform(self, name: impl Into<String>, low: f64, high: f64) -> Self {
        self.with(name, Distribution::LogUniform { low, high })
    }

    /// A parameter with any distribution.
    pub fn with(mut self, name: impl Into<String>, distribution: Distribution) -> Self {
        self.parameters.push((name.into(), distribution));
        self
    }

    /// `(name, distribution)` pairs in order.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, &Distribution)> {
        self.parameters.iter().map(|(n, d)| (n.as_str(), d))
    }

    /// Checks that there is at least one parameter, that names are unique, that
    /// lists are not empty and that ranges can be sampled.
    pub fn validate(&self) -> Result<(), TuningError> {
        if self.parameters.is_empty() {
            return Err(TuningError::EmptySpace);
        }
        for (index, (name, distribution)) in self.parameters.iter().enumerate() {
            if self.parameters[..index].iter().any(|(n, _)| n == name) {
                return Err(TuningError::DuplicateParameter { name: name.clone() });
            }
            let bad_range = |low: f64, high: f64, rule, fix| TuningError::BadRange {
                name: name.clone(),
                low,
                high,
                rule,
                fix,
            };
            match *distribution {
                Distribution::Values { ref values } if values.is_empty() => {
                    return Err(TuningError::NoValues { name: name.clone() });
                }
                Distribution::Values { .. } => {}
                Distribution::Uniform { low, high } => {
                    if !(low.is_finite() && high.is_finite() && low <= high) {
                        return Err(bad_range(
                            low,
                            high,
                            "both ends must be numbers, the lower end first",
                            "give the range as low, high, such as 0.0, 0.5",
                        ));
                    }
                }
                Distribution::LogUniform { low, high } => {
                    if !(low.is_finite() && high.is_finite() && low > 0.0 && low <= high) {
                        return Err(bad_range(
                            low,
                            high,
                            "a log-uniform range needs two numbers above 0, the lower end first",
                            "give the range as low, high, such as 1e-4, 1e-1",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
