//! Charts of a training [`History`]: accuracy, loss, any metric, or a history file.

use std::path::Path;

use kindling_train::history::History;

use crate::color::Rgb;
use crate::epoch_chart::{EpochChart, Series};
use crate::error::ChartError;
use crate::grid::MetricsGrid;
use crate::options::ChartOptions;
use crate::output::Target;

impl EpochChart {
    /// A chart of one metric from a history, with its `val_` counterpart when the
    /// history has one: training in blue, validation in orange.
    ///
    /// Lines are labelled "train" and "validation" when both exist, else by the metric
    /// name. The title is the metric's name, capitalised ("Accuracy").
    pub fn for_metric(history: &History, metric: &str) -> Result<EpochChart, ChartError> {
        let mut names = vec![metric.to_string()];
        if !metric.starts_with("val_") {
            names.push(format!("val_{metric}"));
        }
        let present: Vec<(&str, &[f64])> = names
            .iter()
            .filter_map(|name| Some((name.as_str(), history.get(name)?)))
            .collect();
        if present.is_empty() {
            return Err(ChartError::MissingMetric {
                metric: metric.to_string(),
                available: history.metrics().map(str::to_string).collect(),
            });
        }
        let both = present.len() == 2;
        let mut chart = EpochChart::new(title_for(metric), metric);
        for (name, values) in present {
            let validation = name.starts_with("val_");
            let label = match (validation, both) {
                (true, true) => "validation",
                (false, true) => "train",
                (_, false) => name,
            };
            let color = if validation { Rgb::ORANGE } else { Rgb::BLUE };
            chart = chart.with_series(Series::new(label, values).with_color(color));
        }
        Ok(chart)
    }
}

/// A readable title for a metric name: `accuracy` -> "Accuracy", `lr` -> "Learning rate".
fn title_for(metric: &str) -> String {
    if let Some(base) = metric.strip_prefix("val_") {
        return format!("Validation {}", title_for(base).to_lowercase());
    }
    match metric {
        "lr" => return "Learning rate".to_string(),
        "seconds" => return "Seconds per epoch".to_string(),
        _ => {}
    }
    let spaced = metric.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

/// Accuracy per epoch: `accuracy` and `val_accuracy`, whichever the history has.
///
/// ```no_run
/// # use kindling_train::history::History;
/// # let history = History::new();
/// kindling_charts::accuracy_chart(&history, "runs/stage3/accuracy.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn accuracy_chart(history: &History, path: impl AsRef<Path>) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    EpochChart::for_metric(history, "accuracy")?.save(&target.path)
}

/// Loss per epoch: `loss` and `val_loss`, whichever the history has; `log_scale` shows
/// a loss that falls over orders of magnitude.
///
/// ```no_run
/// # use kindling_train::history::History;
/// # let history = History::new();
/// kindling_charts::loss_chart(&history, "runs/stage3/loss.svg", false)?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn loss_chart(
    history: &History,
    path: impl AsRef<Path>,
    log_scale: bool,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    EpochChart::for_metric(history, "loss")?
        .with_options(ChartOptions::default().with_log_scale(log_scale))
        .save(&target.path)
}

/// A chart drawn straight from a history file (`.json` or `.csv`, as written by
/// `History::save_json` / `save_csv`): one metric gives a line chart, several give a
/// [grid](crate::metrics_grid), and none means every metric without a `val_` prefix.
///
/// ```no_run
/// kindling_charts::history_chart(
///     "runs/stage3/history.json",
///     &["loss", "accuracy"],
///     false,
///     "runs/stage3/history.png",
/// )?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn history_chart(
    history_path: impl AsRef<Path>,
    metrics: &[&str],
    log_scale: bool,
    out_path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    // The output name is checked before the history is read.
    Target::new(out_path.as_ref())?;
    let history = History::load(history_path.as_ref())?;
    history_metrics_chart(&history, metrics, log_scale, out_path)
}

/// [`history_chart`] for a history already in memory.
pub fn history_metrics_chart(
    history: &History,
    metrics: &[&str],
    log_scale: bool,
    out_path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(out_path.as_ref())?;
    let all: Vec<&str>;
    let metrics = if metrics.is_empty() {
        all = history
            .metrics()
            .filter(|name| !name.starts_with("val_"))
            .collect();
        &all[..]
    } else {
        metrics
    };
    let options = ChartOptions::default().with_log_scale(log_scale);
    match metrics {
        [metric] => EpochChart::for_metric(history, metric)?
            .with_options(options)
            .save(&target.path),
        _ => MetricsGrid::from_history(history, metrics)?
            .with_options(options)
            .save(&target.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_as_words() {
        assert_eq!(title_for("accuracy"), "Accuracy");
        assert_eq!(title_for("top_5_accuracy"), "Top 5 accuracy");
        assert_eq!(title_for("lr"), "Learning rate");
        assert_eq!(title_for("val_accuracy"), "Validation accuracy");
    }

    #[test]
    fn for_metric_labels_train_and_validation_in_blue_and_orange() {
        let mut history = History::new();
        history.push_epoch([("loss", 1.0), ("val_loss", 1.5), ("lr", 0.1)]);
        let chart = EpochChart::for_metric(&history, "loss").unwrap();
        let labels: Vec<_> = chart.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["train", "validation"]);
        assert_eq!(chart.series[0].color, Some(Rgb::BLUE));
        assert_eq!(chart.series[1].color, Some(Rgb::ORANGE));
        let lr = EpochChart::for_metric(&history, "lr").unwrap();
        assert_eq!(lr.series[0].label, "lr");
    }
}
