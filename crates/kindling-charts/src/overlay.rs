//! Several runs of one metric on the same axes, e.g. the loss for each learning rate.

use std::path::Path;

use crate::epoch_chart::{EpochChart, Series};
use crate::error::ChartError;
use crate::options::ChartOptions;
use crate::output::Target;

/// One line per run, in distinct palette colours, with the run labels in the legend.
/// A run that stops early (or diverges into NaN) simply ends or has gaps.
///
/// ```no_run
/// let runs = [
///     ("lr=1e-5", vec![2.30, 2.29, 2.28, 2.27]),
///     ("lr=1e-3", vec![2.10, 1.60, 1.30, 1.10]),
///     ("lr=1e-1 (diverged at epoch 4)", vec![2.2, 3.5, 9.1, f64::NAN]),
/// ];
/// kindling_charts::overlay_chart("Loss by learning rate", "loss", &runs, true, "lr.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn overlay_chart<L, V>(
    title: &str,
    y_label: &str,
    runs: &[(L, V)],
    log_scale: bool,
    path: impl AsRef<Path>,
) -> Result<(), ChartError>
where
    L: AsRef<str>,
    V: AsRef<[f64]>,
{
    let target = Target::new(path.as_ref())?;
    let chart = runs
        .iter()
        .fold(EpochChart::new(title, y_label), |chart, (label, values)| {
            chart.with_series(Series::new(label.as_ref(), values.as_ref()))
        });
    chart
        .with_options(ChartOptions::default().with_log_scale(log_scale))
        .save(&target.path)
}
