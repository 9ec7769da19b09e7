//! `ChartOptions`: the size and scale choices shared by the line charts.

/// Size and scale of a line chart.
///
/// ```
/// use kindling_charts::ChartOptions;
///
/// let options = ChartOptions::default().with_size(1200, 750).with_log_scale(true);
/// assert_eq!(options.size, Some((1200, 750)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChartOptions {
    /// Width and height in pixels (PNG) or SVG user units. `None`: the chart's own
    /// default, 800x500 for a single chart and a size that fits the panels for a grid.
    pub size: Option<(u32, u32)>,
    /// A logarithmic value (y) axis, for losses that fall over orders of magnitude.
    /// Every value shown must then be above 0.
    pub log_scale: bool,
}

impl ChartOptions {
    /// Sets the size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width, height));
        self
    }

    /// Turns the logarithmic value axis on or off.
    pub fn with_log_scale(mut self, log_scale: bool) -> Self {
        self.log_scale = log_scale;
        self
    }
}

/// Size of a single chart when none is asked for.
pub(crate) const DEFAULT_SIZE: (u32, u32) = (800, 500);
