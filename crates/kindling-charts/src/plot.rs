//! One set of axes with lines on it: the building block of every line chart
//! (single charts, grid panels, x/y charts).

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::{AXIS, GRID, Rgb, TEXT};
use crate::font::{font, text_size};
use crate::legend::{self, LegendEntry};
use crate::output::{DrawResult, Drawing};
use crate::scale::Scale;

/// A polyline; non-finite points break it into separate pieces (gaps).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub(crate) color: Rgb,
    pub(crate) points: Vec<(f64, f64)>,
    /// Dots at each point, which help read off a few epochs but clutter a long run.
    pub(crate) dots: bool,
}

/// A dashed vertical line with a label, e.g. at a suggested learning rate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VerticalMarker {
    pub(crate) x: f64,
    pub(crate) label: String,
    pub(crate) color: Rgb,
}

/// Everything one set of axes shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Panel {
    /// A small heading above the axes (grid panels); single charts have a big title instead.
    pub(crate) heading: Option<String>,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) x: Scale,
    pub(crate) y: Scale,
    pub(crate) lines: Vec<Line>,
    pub(crate) marker: Option<VerticalMarker>,
    /// Smaller text for panels in a grid.
    pub(crate) compact: bool,
}

struct Sizes {
    tick: f64,
    axis_label: f64,
    heading: f64,
}

impl Panel {
    fn sizes(&self) -> Sizes {
        if self.compact {
            Sizes {
                tick: 12.0,
                axis_label: 13.0,
                heading: 16.0,
            }
        } else {
            Sizes {
                tick: 14.0,
                axis_label: 15.0,
                heading: 18.0,
            }
        }
    }

    /// Draws the panel into `area`.
    pub(crate) fn draw<DB>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let area = match &self.heading {
            Some(heading) => {
                let (strip, rest) = area.split_vertically(28);
                let (width, _) = strip.dim_in_pixel();
                let style = font(self.sizes().heading)
                    .color(&TEXT)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                strip.draw_text(heading, &style, (width as i32 / 2, 16))?;
                rest
            }
            None => area.clone(),
        };
        let (x, y) = (&self.x, &self.y);
        match (x.log, y.log) {
            (false, false) => self.draw_on(&area, Ticked::linear(x), Ticked::linear(y)),
            (true, false) => self.draw_on(&area, Ticked::log(x), Ticked::linear(y)),
            (false, true) => self.draw_on(&area, Ticked::linear(x), Ticked::log(y)),
            (true, true) => self.draw_on(&area, Ticked::log(x), Ticked::log(y)),
        }
    }

    // Generic over the axis types because a log axis is a different type from a linear one.
    fn draw_on<DB, X, Y>(&self, area: &DrawingArea<DB, Shift>, x_spec: X, y_spec: Y) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let sizes = self.sizes();
        let widest_tick = self
            .y
            .ticks
            .iter()
            .map(|tick| text_size(&self.y.label(*tick), sizes.tick).0)
            .max()
            .unwrap_or(0);
        let mut chart = ChartBuilder::on(area)
            .margin_top(10)
            .margin_right(24)
            .margin_left(8)
            .margin_bottom(6)
            .x_label_area_size((sizes.tick + sizes.axis_label + 22.0) as u32)
            .y_label_area_size(widest_tick + (sizes.axis_label + 26.0) as u32)
            .build_cartesian_2d(x_spec, y_spec)?;

        let x_format = |value: &f64| self.x.label(*value);
        let y_format = |value: &f64| self.y.label(*value);
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .label_style(font(sizes.tick).color(&TEXT))
            .axis_desc_style(font(sizes.axis_label).color(&TEXT))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .max_light_lines(0)
            .draw()?;

        for line in &self.lines {
            let color = line.color.plotters();
            for piece in finite_pieces(&line.points) {
                if piece.len() > 1 {
                    chart.draw_series(LineSeries::new(piece.clone(), color.stroke_width(2)))?;
                }
                // A lone point has no line through it, so it always gets a dot.
                if line.dots || piece.len() == 1 {
                    chart.draw_series(
                        piece
                            .iter()
                            .map(|&point| Circle::new(point, 3, color.filled())),
                    )?;
                }
            }
        }

        if let Some(marker) = &self.marker {
            let color = marker.color.plotters();
            let (low, high) = (self.y.low, self.y.high);
            chart.draw_series(DashedLineSeries::new(
                [(marker.x, low), (marker.x, high)],
                8,
                5,
                color.stroke_width(2),
            ))?;
            // Label just inside the top of the plot, on whichever side of the line has room.
            let (left, right) = (
                chart.backend_coord(&(self.x.low, high)).0,
                chart.backend_coord(&(self.x.high, high)).0,
            );
            let line_x = chart.backend_coord(&(marker.x, high)).0;
            let label_width = text_size(&marker.label, sizes.tick).0 as i32;
            let on_right = line_x + 8 + label_width <= right || line_x - left < right - line_x;
            let (offset, anchor) = if on_right {
                (8, HPos::Left)
            } else {
                (-8, HPos::Right)
            };
            let style = font(sizes.tick)
                .color(&color)
                .pos(Pos::new(anchor, VPos::Top));
            chart.plotting_area().draw(
                &(EmptyElement::at((marker.x, high))
                    + Text::new(marker.label.clone(), (offset, 6), style)),
            )?;
        }
        Ok(())
    }
}

/// An axis (linear or log) whose ticks are exactly the [`Scale`]'s. plotters' own
/// `with_key_points` wrapper loses the tick formatter of a linear f64 axis, so this is
/// a minimal stand-in.
struct Ticked<R> {
    inner: R,
    ticks: Vec<f64>,
}

impl Ticked<RangedCoordf64> {
    fn linear(scale: &Scale) -> Self {
        Ticked {
            inner: (scale.low..scale.high).into(),
            ticks: scale.ticks.clone(),
        }
    }
}

impl Ticked<LogCoord<f64>> {
    fn log(scale: &Scale) -> Self {
        Ticked {
            inner: (scale.low..scale.high).log_scale().into(),
            ticks: scale.ticks.clone(),
        }
    }
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only the labelled ("bold") ticks; no unlabelled light grid lines.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A whole single chart: title, legend strip, one panel.
pub(crate) struct TitledPanel {
    pub(crate) title: String,
    pub(crate) legend: Vec<LegendEntry>,
    pub(crate) panel: Panel,
}

impl Drawing for TitledPanel {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let rest = legend::draw_title(root, &self.title)?;
        let rest = legend::draw_legend(&rest, &self.legend)?;
        self.panel.draw(&rest)
    }
}

/// The runs of consecutive finite points; NaN or infinite values end a run.
pub(crate) fn finite_pieces(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current = Vec::new();
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() {
            current.push((x, y));
        } else if !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_points_split_a_line_into_pieces() {
        let points = [
            (1.0, 1.0),
            (2.0, f64::NAN),
            (3.0, 3.0),
            (4.0, 4.0),
            (5.0, f64::INFINITY),
        ];
        assert_eq!(
            finite_pieces(&points),
            [vec![(1.0, 1.0)], vec![(3.0, 3.0), (4.0, 4.0)]]
        );
        assert!(finite_pieces(&[(1.0, f64::NAN)]).is_empty());
    }
}
