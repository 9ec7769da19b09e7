//! `EpochChart`: per-epoch series (loss, accuracy, ...) as lines against the epoch
//! number, the shape of every training-curve chart.

use std::path::Path;

use crate::color::Rgb;
use crate::error::ChartError;
use crate::legend::LegendEntry;
use crate::options::{ChartOptions, DEFAULT_SIZE};
use crate::output::Target;
use crate::plot::{Line, Panel, TitledPanel};
use crate::scale::Scale;

/// Runs longer than this are drawn without a dot at every epoch.
const MAX_EPOCHS_WITH_DOTS: usize = 30;

/// One line on an [`EpochChart`]: a value per epoch, epoch 1 first. NaN or infinite
/// values leave a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend entry.
    pub label: String,
    /// One value per epoch.
    pub values: Vec<f64>,
    /// The line colour; `None` picks [`Rgb::palette`] by the series' position.
    pub color: Option<Rgb>,
}

impl Series {
    /// A series with a palette colour.
    pub fn new(label: impl Into<String>, values: impl Into<Vec<f64>>) -> Self {
        Series {
            label: label.into(),
            values: values.into(),
            color: None,
        }
    }

    /// Sets the line colour.
    pub fn with_color(mut self, color: Rgb) -> Self {
        self.color = Some(color);
        self
    }
}

/// A line chart of per-epoch values: x axis "Epoch" counted from 1 with whole-number
/// ticks, a title, a labelled y axis and a legend above the plot.
///
/// [`accuracy_chart`](crate::accuracy_chart), [`loss_chart`](crate::loss_chart) and
/// [`overlay_chart`](crate::overlay_chart) are shorthands for this; use it directly
/// for another size or your own series.
///
/// ```no_run
/// use kindling_charts::{ChartOptions, EpochChart, Series};
///
/// EpochChart::new("Loss", "loss")
///     .with_series(Series::new("train", vec![2.1, 1.4, 1.1]))
///     .with_series(Series::new("validation", vec![2.0, 1.6, f64::NAN]))
///     .with_options(ChartOptions::default().with_size(1200, 750).with_log_scale(true))
///     .save("loss.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EpochChart {
    /// Shown above the chart.
    pub title: String,
    /// The y axis label.
    pub y_label: String,
    /// The lines, drawn in order (later ones on top).
    pub series: Vec<Series>,
    /// Size and scale.
    pub options: ChartOptions,
}

impl EpochChart {
    /// An empty chart; add lines with [`with_series`](Self::with_series).
    pub fn new(title: impl Into<String>, y_label: impl Into<String>) -> Self {
        EpochChart {
            title: title.into(),
            y_label: y_label.into(),
            series: Vec::new(),
            options: ChartOptions::default(),
        }
    }

    /// Adds a line.
    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Sets size and scale.
    pub fn with_options(mut self, options: ChartOptions) -> Self {
        self.options = options;
        self
    }

    /// Writes the chart; `.png` or `.svg` by the extension of `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ChartError> {
        let target = Target::new(path.as_ref())?;
        let size = self.options.size.unwrap_or(DEFAULT_SIZE);
        target.check_size(size)?;
        let (panel, legend) = self.panel(&target, self.options.log_scale, false)?;
        let drawing = TitledPanel {
            title: self.title.clone(),
            legend,
            panel,
        };
        target.save(size, &drawing)
    }

    /// Checks the data and lays it out as one panel plus its legend entries.
    pub(crate) fn panel(
        &self,
        target: &Target,
        log: bool,
        compact: bool,
    ) -> Result<(Panel, Vec<LegendEntry>), ChartError> {
        if self.series.is_empty() {
            return Err(target.empty(
                format!("the chart \"{}\" has no series", self.title),
                "add at least one series of values",
            ));
        }
        if log {
            check_positive(target, &self.series)?;
        }
        let finite = || {
            self.series
                .iter()
                .flat_map(|series| series.values.iter().copied())
                .filter(|value| value.is_finite())
        };
        let (Some(min), Some(max)) = (finite().reduce(f64::min), finite().reduce(f64::max)) else {
            let labels: Vec<String> = self
                .series
                .iter()
                .map(|series| format!("`{}`", series.label))
                .collect();
            return Err(target.empty(
                format!(
                    "{} {} no finite values (none recorded, or all NaN or infinite)",
                    labels.join(" and "),
                    if labels.len() == 1 { "has" } else { "have" }
                ),
                "draw it after at least one epoch has recorded a finite value",
            ));
        };
        let y = Scale::fit(min, max, log);
        if !y.is_drawable() {
            return Err(target.invalid(
                format!("the values reach {min} to {max}, too far apart to draw on one axis"),
                "leave out the diverged values (set them to NaN), or use a log scale",
            ));
        }
        let epochs = self.series.iter().map(|series| series.values.len()).max();
        let epochs = epochs.unwrap_or(0);
        let mut lines = Vec::new();
        let mut legend = Vec::new();
        for (index, series) in self.series.iter().enumerate() {
            if !series.values.iter().any(|value| value.is_finite()) {
                // Nothing to see (e.g. no validation set): no line, no legend entry.
                continue;
            }
            let color = series.color.unwrap_or(Rgb::palette(index));
            lines.push(Line {
                color,
                points: (1..)
                    .zip(&series.values)
                    .map(|(epoch, &value)| (epoch as f64, value))
                    .collect(),
                dots: epochs <= MAX_EPOCHS_WITH_DOTS,
            });
            legend.push(LegendEntry {
                label: series.label.clone(),
                color,
                dot: epochs <= MAX_EPOCHS_WITH_DOTS,
            });
        }
        let y_label = match (compact, log) {
            (false, false) => self.y_label.clone(),
            (false, true) => format!("{} (log scale)", self.y_label),
            (true, false) => String::new(),
            (true, true) => "log scale".to_string(),
        };
        let panel = Panel {
            heading: compact.then(|| self.title.clone()),
            x_label: "Epoch".to_string(),
            y_label,
            x: Scale::epochs(epochs),
            y,
            lines,
            marker: None,
            compact,
        };
        Ok((panel, legend))
    }
}

fn check_positive(target: &Target, series: &[Series]) -> Result<(), ChartError> {
    for series in series {
        let bad = series
            .values
            .iter()
            .enumerate()
            .find(|(_, value)| value.is_finite() && **value <= 0.0);
        if let Some((index, &value)) = bad {
            return Err(ChartError::NonPositiveOnLogScale {
                path: target.path.clone(),
                axis: "y",
                series: series.label.clone(),
                value,
                position: format!("epoch {}", index + 1),
            });
        }
    }
    Ok(())
}
