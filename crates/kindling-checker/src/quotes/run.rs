//! Reading a run for its quotes: the same [`RunFiles`](crate::claims::RunFiles) the
//! claims read (`report.json` values by JSON pointer, histories by name), plus a
//! history's value at an epoch.

use kindling::train::History;

/// A metric of a history at an epoch counted from 1.
pub fn at(history: &History, metric: &str, epoch: usize) -> Result<f64, String> {
    history
        .get(metric)
        .and_then(|values| values.get(epoch.wrapping_sub(1)))
        .copied()
        .ok_or_else(|| format!("the history has no {metric} at epoch {epoch}"))
}
