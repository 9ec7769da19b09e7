//! `XyChart`: lines over any numeric x axis, e.g. the learning-rate finder's loss
//! against learning rate on a log axis, with a marker at the suggested rate.

use std::path::Path;

use crate::color::Rgb;
use crate::error::ChartError;
use crate::legend::LegendEntry;
use crate::options::{ChartOptions, DEFAULT_SIZE};
use crate::output::Target;
use crate::plot::{Line, Panel, TitledPanel, VerticalMarker};
use crate::scale::Scale;

/// Series with this many points or fewer get a dot at each point.
const MAX_POINTS_WITH_DOTS: usize = 30;

/// One line of an [`XyChart`]: `(x, y)` points joined in the order given. A point
/// with a NaN or infinite coordinate leaves a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct XySeries {
    /// The legend entry.
    pub label: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
    /// The line colour; `None` picks [`Rgb::palette`] by the series' position.
    pub color: Option<Rgb>,
}

/// A dashed vertical line across the plot with a label beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct XyMarker {
    /// Where it stands on the x axis.
    pub x: f64,
    /// Its label, e.g. "suggested lr = 3e-3".
    pub label: String,
}

/// A line chart over a numeric x axis, linear or logarithmic on each axis.
///
/// ```no_run
/// use kindling_charts::XyChart;
///
/// let points = vec![(1e-6, 2.31), (1e-5, 2.30), (1e-4, 2.1), (1e-3, 1.6), (1e-2, 1.9), (1e-1, 4.0)];
/// XyChart::new("Learning-rate finder", "learning rate", "loss")
///     .with_series("loss", points)
///     .with_log_x(true)
///     .with_marker(1e-3, "suggested lr = 1e-3")
///     .save("lr_finder.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct XyChart {
    /// Shown above the chart.
    pub title: String,
    /// The x axis label.
    pub x_label: String,
    /// The y axis label.
    pub y_label: String,
    /// The lines, drawn in order.
    pub series: Vec<XySeries>,
    /// A logarithmic x axis (every x shown must be above 0).
    pub log_x: bool,
    /// An optional vertical marker line.
    pub marker: Option<XyMarker>,
    /// Size, and `log_scale` for a logarithmic y axis.
    pub options: ChartOptions,
}

impl XyChart {
    /// An empty chart; add lines with [`with_series`](Self::with_series).
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        XyChart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: Vec::new(),
            log_x: false,
            marker: None,
            options: ChartOptions::default(),
        }
    }

    /// Adds a line in the next palette colour.
    pub fn with_series(mut self, label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.series.push(XySeries {
            label: label.into(),
            points,
            color: None,
        });
        self
    }

    /// Turns the logarithmic x axis on or off.
    pub fn with_log_x(mut self, log_x: bool) -> Self {
        self.log_x = log_x;
        self
    }

    /// Turns the logarithmic y axis on or off (same as `options.log_scale`).
    pub fn with_log_y(mut self, log_y: bool) -> Self {
        self.options.log_scale = log_y;
        self
    }

    /// Adds a dashed vertical line at `x` with a label.
    pub fn with_marker(mut self, x: f64, label: impl Into<String>) -> Self {
        self.marker = Some(XyMarker {
            x,
            label: label.into(),
        });
        self
    }

    /// Sets size and y scale.
    pub fn with_options(mut self, options: ChartOptions) -> Self {
        self.options = options;
        self
    }

    /// Writes the chart; `.png` or `.svg` by the extension of `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ChartError> {
        let target = Target::new(path.as_ref())?;
        let size = self.options.size.unwrap_or(DEFAULT_SIZE);
        target.check_size(size)?;
        let log_y = self.options.log_scale;
        if self.series.is_empty() {
            return Err(target.empty(
                format!("the chart \"{}\" has no series", self.title),
                "add at least one series of points",
            ));
        }
        for series in &self.series {
            check_positive(&target, series, self.log_x, log_y)?;
        }
        let finite: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|series| series.points.iter().copied())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        if finite.is_empty() {
            return Err(target.empty(
                "no series has a point with finite x and y",
                "pass at least one point whose coordinates are not NaN or infinite",
            ));
        }
        let mut xs: Vec<f64> = finite.iter().map(|point| point.0).collect();
        let ys: Vec<f64> = finite.iter().map(|point| point.1).collect();
        if let Some(marker) = &self.marker {
            if !marker.x.is_finite() || (self.log_x && marker.x <= 0.0) {
                return Err(target.invalid(
                    format!("the marker \"{}\" stands at x = {}", marker.label, marker.x),
                    "put the marker at a finite x (above 0 on a log axis), or leave it out",
                ));
            }
            xs.push(marker.x);
        }
        let range = |values: &[f64]| {
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (min, max)
        };
        let (x_min, x_max) = range(&xs);
        let (y_min, y_max) = range(&ys);
        let x = Scale::fit(x_min, x_max, self.log_x);
        let y = Scale::fit(y_min, y_max, log_y);
        if !x.is_drawable() || !y.is_drawable() {
            return Err(target.invalid(
                "the values are too far apart to draw on one axis",
                "leave out the diverged points (set them to NaN), or use a log scale",
            ));
        }
        let mut lines = Vec::new();
        let mut legend = Vec::new();
        for (index, series) in self.series.iter().enumerate() {
            let color = series.color.unwrap_or(Rgb::palette(index));
            lines.push(Line {
                color,
                points: series.points.clone(),
                dots: series.points.len() <= MAX_POINTS_WITH_DOTS,
            });
            legend.push(LegendEntry {
                label: series.label.clone(),
                color,
                dot: series.points.len() <= MAX_POINTS_WITH_DOTS,
            });
        }
        let axis_label = |label: &str, log: bool| {
            if log {
                format!("{label} (log scale)")
            } else {
                label.to_string()
            }
        };
        let panel = Panel {
            heading: None,
            x_label: axis_label(&self.x_label, self.log_x),
            y_label: axis_label(&self.y_label, log_y),
            x,
            y,
            lines,
            marker: self.marker.as_ref().map(|marker| VerticalMarker {
                x: marker.x,
                label: marker.label.clone(),
                color: Rgb::RED,
            }),
            compact: false,
        };
        let drawing = TitledPanel {
            title: self.title.clone(),
            legend,
            panel,
        };
        target.save(size, &drawing)
    }
}

fn check_positive(
    target: &Target,
    series: &XySeries,
    log_x: bool,
    log_y: bool,
) -> Result<(), ChartError> {
    for (index, &(x, y)) in series.points.iter().enumerate() {
        let axis = if log_x && x.is_finite() && x <= 0.0 {
            ("x", x)
        } else if log_y && y.is_finite() && y <= 0.0 {
            ("y", y)
        } else {
            continue;
        };
        return Err(ChartError::NonPositiveOnLogScale {
            path: target.path.clone(),
            axis: axis.0,
            series: series.label.clone(),
            value: axis.1,
            position: format!("point {} (x = {x}, y = {y})", index + 1),
        });
    }
    Ok(())
}
