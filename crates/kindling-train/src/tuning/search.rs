//! Trials and their results: what every search returns.

use std::fmt;

use serde::Serialize;

use crate::history::Mode;

use super::error::TuningError;
use super::params::Params;

/// What a trial's closure returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrialOutcome {
    /// Named metrics, in the order the closure gave them.
    Metrics(Vec<(String, f64)>),
    /// The closure's error, as text. The search went on with the next trial.
    Failed(String),
}

/// One trial of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    /// Trial number, counted from 1 in the order the trials ran.
    pub number: usize,
    /// The settings tried.
    pub params: Params,
    /// The metrics, or the error.
    pub outcome: TrialOutcome,
}

impl Trial {
    /// A metric's value, if this trial recorded it.
    pub fn metric(&self, name: &str) -> Option<f64> {
        match &self.outcome {
            TrialOutcome::Metrics(metrics) => metrics
                .iter()
                .find(|(metric, _)| metric == name)
                .map(|(_, value)| *value),
            TrialOutcome::Failed(_) => None,
        }
    }

    /// The error, if the trial failed.
    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            TrialOutcome::Failed(problem) => Some(problem),
            TrialOutcome::Metrics(_) => None,
        }
    }
}

/// Every trial of a search, in the order they ran.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SearchResults {
    /// The trials.
    pub trials: Vec<Trial>,
}

impl SearchResults {
    /// Parameter names over all trials, in first-seen order.
    pub fn parameter_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for trial in &self.trials {
            for (name, _) in trial.params.iter() {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
        names
    }

    /// Metric names over all trials, in first-seen order.
    pub fn metric_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for trial in &self.trials {
            if let TrialOutcome::Metrics(metrics) = &trial.outcome {
                for (name, _) in metrics {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
        }
        names
    }

    /// Number of failed trials.
    pub fn failures(&self) -> usize {
        self.trials.iter().filter(|t| t.error().is_some()).count()
    }

    /// The trials ordered best first by `metric` in `mode`. Ties keep the order
    /// the trials ran in; trials without a number for the metric (failed, or NaN)
    /// come last.
    pub fn sorted_by(&self, metric: &str, mode: Mode) -> Result<Vec<&Trial>, TuningError> {
        if !self.metric_names().iter().any(|name| name == metric) {
            let names = self.metric_names();
            return Err(TuningError::UnknownMetric {
                metric: metric.to_string(),
                available: if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                },
            });
        }
        let key = |trial: &Trial| trial.metric(metric).filter(|value| !value.is_nan());
        let mut trials: Vec<&Trial> = self.trials.iter().collect();
        trials.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) => match mode {
                Mode::Min => x.total_cmp(&y),
                Mode::Max => y.total_cmp(&x),
            },
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Ok(trials)
    }

    /// The best trial by `metric` in `mode`, if any trial has a number for it.
    pub fn best(&self, metric: &str, mode: Mode) -> Option<&Trial> {
        let first = *self.sorted_by(metric, mode).ok()?.first()?;
        first.metric(metric).filter(|v| !v.is_nan()).map(|_| first)
    }
}

impl fmt::Display for SearchResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for trial in &self.trials {
            write!(f, "trial {}: {}", trial.number, trial.params)?;
            match &trial.outcome {
                TrialOutcome::Metrics(metrics) => {
                    for (name, value) in metrics {
                        write!(f, "; {name} {value:.4}")?;
                    }
                }
                TrialOutcome::Failed(problem) => write!(f, "; failed: {problem}")?,
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Runs the closure on every parameter set in order, recording metrics or errors.
pub(super) fn run_trials<F, M, K, E>(settings: Vec<Params>, mut trial: F) -> SearchResults
where
    F: FnMut(&Params) -> Result<M, E>,
    M: IntoIterator<Item = (K, f64)>,
    K: Into<String>,
    E: fmt::Display,
{
    let trials = settings
        .into_iter()
        .enumerate()
        .map(|(index, params)| {
            let outcome = match trial(&params) {
                Ok(metrics) => TrialOutcome::Metrics(
                    metrics
                        .into_iter()
                        .map(|(name, value)| (name.into(), value))
                        .collect(),
                ),
                Err(error) => TrialOutcome::Failed(error.to_string()),
            };
            Trial {
                number: index + 1,
                params,
                outcome,
            }
        })
        .collect();
    SearchResults { trials }
}
