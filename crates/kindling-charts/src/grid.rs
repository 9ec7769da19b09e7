//! `MetricsGrid`: several per-epoch charts side by side, one panel per metric.

use std::path::Path;

use kindling_train::history::History;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::epoch_chart::EpochChart;
use crate::error::ChartError;
use crate::legend::{self, LegendEntry};
use crate::options::ChartOptions;
use crate::output::{DrawResult, Drawing, Target};
use crate::plot::Panel;

/// Size of one panel when no overall size is asked for.
const PANEL_SIZE: (u32, u32) = (470, 320);

/// Panels in a grid of `ceil(sqrt(n))` columns (2x2 for four), under one title and
/// one shared legend. Each panel is an [`EpochChart`] whose title becomes its heading;
/// a panel with a single series named like its y label (`lr` alone) adds nothing to
/// the legend, as its heading already names it.
///
/// ```no_run
/// # use kindling_train::history::History;
/// # let history = History::new();
/// use kindling_charts::{ChartOptions, MetricsGrid};
///
/// MetricsGrid::from_history(&history, &["loss", "accuracy", "lr"])?
///     .with_options(ChartOptions::default().with_size(1400, 500))
///     .save("history.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsGrid {
    /// Shown above the grid.
    pub title: String,
    /// One chart per panel, filled in row by row.
    pub panels: Vec<EpochChart>,
    /// Overall size, and a log scale for every panel (a panel's own `log_scale` also
    /// applies to it; its own size is ignored).
    pub options: ChartOptions,
}

impl MetricsGrid {
    /// A grid titled "Training history" with one panel per metric, each showing the
    /// metric and its `val_` counterpart when the history has one.
    pub fn from_history(history: &History, metrics: &[&str]) -> Result<MetricsGrid, ChartError> {
        let panels = metrics
            .iter()
            .map(|metric| EpochChart::for_metric(history, metric))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MetricsGrid {
            title: "Training history".to_string(),
            panels,
            options: ChartOptions::default(),
        })
    }

    /// Sets size and scale.
    pub fn with_options(mut self, options: ChartOptions) -> Self {
        self.options = options;
        self
    }

    /// `(columns, rows)` for the panels.
    fn shape(&self) -> (usize, usize) {
        let count = self.panels.len();
        let columns = (count as f64).sqrt().ceil().max(1.0) as usize;
        (columns, count.div_ceil(columns).max(1))
    }

    /// Writes the grid; `.png` or `.svg` by the extension of `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ChartError> {
        let target = Target::new(path.as_ref())?;
        if self.panels.is_empty() {
            return Err(target.empty(
                "the grid has no panels",
                "name at least one metric, e.g. [\"loss\", \"accuracy\"]",
            ));
        }
        let (columns, rows) = self.shape();
        let mut panels = Vec::with_capacity(self.panels.len());
        let mut entries: Vec<LegendEntry> = Vec::new();
        for chart in &self.panels {
            let log = self.options.log_scale || chart.options.log_scale;
            let (panel, legend) = chart.panel(&target, log, true)?;
            // A lone series named after its metric (`lr`) is already named by the
            // panel heading; a legend entry would only clash with "train" in blue.
            let self_named = matches!(&chart.series[..], [only] if only.label == chart.y_label);
            for entry in legend.into_iter().filter(|_| !self_named) {
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            panels.push(panel);
        }
        let size = match self.options.size {
            Some(size) => size,
            None => {
                let width = PANEL_SIZE.0 * columns as u32;
                let legend_height = legend::height(&entries, width);
                let height = legend::TITLE_HEIGHT + legend_height + PANEL_SIZE.1 * rows as u32;
                (width, height)
            }
        };
        target.check_size(size)?;
        let drawing = Grid {
            title: self.title.clone(),
            legend: entries,
            panels,
            shape: (columns, rows),
        };
        target.save(size, &drawing)
    }
}

/// One panel per metric from a history, in a grid (2x2 for four metrics).
///
/// ```no_run
/// # use kindling_train::history::History;
/// # let history = History::new();
/// kindling_charts::metrics_grid(&history, &["loss", "accuracy"], "history.svg")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn metrics_grid(
    history: &History,
    metrics: &[&str],
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    MetricsGrid::from_history(history, metrics)?.save(&target.path)
}

struct Grid {
    title: String,
    legend: Vec<LegendEntry>,
    panels: Vec<Panel>,
    shape: (usize, usize),
}

impl Drawing for Grid {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let rest = legend::draw_title(root, &self.title)?;
        let rest = legend::draw_legend(&rest, &self.legend)?;
        let (columns, rows) = self.shape;
        let cells = rest.split_evenly((rows, columns));
        for (panel, cell) in self.panels.iter().zip(&cells) {
            panel.draw(cell)?;
        }
        Ok(())
    }
}
