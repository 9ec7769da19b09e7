//! `confusion_heatmap`: a confusion matrix as coloured cells with the numbers in them.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::{AXIS, TEXT};
use crate::error::ChartError;
use crate::font::{font, text_size};
use crate::legend::{TITLE_HEIGHT, TITLE_SIZE, draw_title};
use crate::output::{DrawResult, Drawing, Target};
use crate::scale::{TickFormat, linear_ticks};

const MARGIN: i32 = 16;
const AXIS_TITLE: f64 = 15.0;
/// The colour bar: gap from the matrix, bar width, stripes it is drawn with.
const BAR_GAP: i32 = 24;
const BAR_WIDTH: i32 = 16;
const BAR_STRIPES: i32 = 64;

/// Draws a confusion matrix: true class down the y axis, predicted class along the x
/// axis, each cell coloured by its value and labelled with it, a colour scale beside.
///
/// `counts[t][p]` is how many examples of true class `t` were predicted as `p`. With
/// `normalize_rows` each row is divided by its total, so a cell reads "the fraction of
/// class `t` predicted as `p`" and the diagonal is each class's recall.
///
/// ```no_run
/// let counts = vec![vec![50, 3, 2], vec![4, 40, 6], vec![1, 9, 45]];
/// let names = ["cat", "dog", "frog"];
/// kindling_charts::confusion_heatmap(&counts, &names, true, "confusion.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn confusion_heatmap<S: AsRef<str>>(
    counts: &[Vec<u64>],
    class_names: &[S],
    normalize_rows: bool,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    let classes = counts.len();
    if classes == 0 {
        return Err(target.empty(
            "the confusion matrix has no rows",
            "pass one row of counts per true class",
        ));
    }
    if let Some((row, values)) = counts.iter().enumerate().find(|(_, r)| r.len() != classes) {
        return Err(target.invalid(
            format!(
                "row {row} of the confusion matrix has {} counts but there are {classes} rows; \
                 the matrix must be square",
                values.len()
            ),
            "pass one row per true class and, in each, one count per predicted class",
        ));
    }
    if class_names.len() != classes {
        return Err(target.invalid(
            format!(
                "there are {} class names for a {classes}x{classes} matrix",
                class_names.len()
            ),
            "pass one name per class, in class-index order",
        ));
    }
    let values: Vec<Vec<f64>> = counts
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&count| match (normalize_rows, total) {
                    (false, _) => count as f64,
                    (true, 0) => 0.0,
                    (true, total) => count as f64 / total as f64,
                })
                .collect()
        })
        .collect();
    let heatmap = Heatmap::lay_out(
        values,
        class_names.iter().map(|n| n.as_ref().to_string()).collect(),
        normalize_rows,
    );
    target.check_size(heatmap.size)?;
    target.save(heatmap.size, &heatmap)
}

/// White through light blue to dark blue (after matplotlib's "Blues").
fn cell_color(t: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 3] = [
        (0.0, [247.0, 251.0, 255.0]),
        (0.5, [107.0, 174.0, 214.0]),
        (1.0, [8.0, 48.0, 107.0]),
    ];
    let t = t.clamp(0.0, 1.0);
    let (low, high) = if t <= 0.5 {
        (STOPS[0], STOPS[1])
    } else {
        (STOPS[1], STOPS[2])
    };
    let f = (t - low.0) / (high.0 - low.0);
    let mix = |i: usize| (low.1[i] + (high.1[i] - low.1[i]) * f).round() as u8;
    RGBColor(mix(0), mix(1), mix(2))
}

/// Everything placed, in pixels, before a backend exists.
struct Heatmap {
    values: Vec<Vec<f64>>,
    names: Vec<String>,
    title: String,
    /// The value the darkest colour stands for.
    scale_max: f64,
    normalized: bool,
    size: (u32, u32),
    cell: i32,
    origin: (i32, i32),
    /// Room left of the matrix for the axis title and class names.
    left_of_grid: i32,
    tick_size: f64,
    /// Font size of the numbers in the cells; `None` when cells are too small for them.
    cell_text: Option<f64>,
    vertical_x_labels: bool,
    x_labels_height: i32,
    bar_ticks: Vec<f64>,
    bar_format: TickFormat,
}

impl Heatmap {
    fn lay_out(values: Vec<Vec<f64>>, names: Vec<String>, normalized: bool) -> Heatmap {
        let classes = values.len() as i32;
        let cell = (560 / classes).clamp(14, 64);
        let tick_size = if cell < 24 { 11.0 } else { 14.0 };
        let scale_max = if normalized {
            1.0
        } else {
            values.iter().flatten().copied().fold(1.0, f64::max)
        };
        let texts: Vec<String> = values
            .iter()
            .flatten()
            .map(|&v| cell_label(v, normalized))
            .collect();
        // The largest size at which every number fits its cell, if any does.
        let cell_text = [15.0, 13.0, 11.0, 9.0].into_iter().find(|&size| {
            let widest = texts
                .iter()
                .map(|t| text_size(t, size).0)
                .max()
                .unwrap_or(0);
            widest as i32 <= cell - 6 && size <= cell as f64 * 0.45
        });
        let label_width = names
            .iter()
            .map(|n| text_size(n, tick_size).0 as i32)
            .max()
            .unwrap_or(0);
        let line_height = text_size("Ag", tick_size).1 as i32;
        let vertical_x_labels = label_width > cell - 6;
        let x_labels_height = if vertical_x_labels {
            label_width + 12
        } else {
            line_height + 12
        };
        let axis_title_height = text_size("Ag", AXIS_TITLE).1 as i32;
        let left_of_grid = MARGIN + axis_title_height + 10 + label_width + 8;
        let bar_ticks = linear_ticks(0.0, scale_max, 5);
        let bar_format = TickFormat::for_ticks(&bar_ticks, false);
        let bar_label_width = bar_ticks
            .iter()
            .map(|t| text_size(&bar_format.apply(*t), tick_size).0 as i32)
            .max()
            .unwrap_or(0);
        let title = if normalized {
            "Confusion matrix (fraction of each true class)"
        } else {
            "Confusion matrix"
        };
        let grid = classes * cell;
        let content = left_of_grid + grid + BAR_GAP + BAR_WIDTH + 8 + bar_label_width + MARGIN;
        let width = content.max(text_size(title, TITLE_SIZE).0 as i32 + 2 * MARGIN);
        // A wide title leaves room either side: centre the matrix under it.
        let origin = (
            (width - content) / 2 + left_of_grid,
            TITLE_HEIGHT as i32 + 8,
        );
        let height = origin.1 + grid + x_labels_height + axis_title_height + 8 + MARGIN;
        Heatmap {
            values,
            names,
            title: title.to_string(),
            scale_max,
            normalized,
            size: (width as u32, height as u32),
            cell,
            origin,
            left_of_grid,
            tick_size,
            cell_text,
            vertical_x_labels,
            x_labels_height,
            bar_ticks,
            bar_format,
        }
    }
}

/// The number written in a cell: a count, or a fraction with two decimals.
fn cell_label(value: f64, normalized: bool) -> String {
    if normalized {
        format!("{value:.2}")
    } else {
        format!("{value:.0}")
    }
}

impl Drawing for Heatmap {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        draw_title(root, &self.title)?;

        let (x0, y0) = self.origin;
        let cell = self.cell;
        let grid = cell * self.values.len() as i32;
        for (row, values) in self.values.iter().enumerate() {
            for (column, &value) in values.iter().enumerate() {
                let left = x0 + column as i32 * cell;
                let top = y0 + row as i32 * cell;
                let intensity = value / self.scale_max;
                root.draw(&Rectangle::new(
                    [(left, top), (left + cell, top + cell)],
                    cell_color(intensity).filled(),
                ))?;
                if let Some(size) = self.cell_text {
                    // White on dark cells, dark on light ones, so every number reads.
                    let color = if intensity > 0.55 { WHITE } else { TEXT };
                    let style = font(size)
                        .color(&color)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw_text(
                        &cell_label(value, self.normalized),
                        &style,
                        (left + cell / 2, top + cell / 2),
                    )?;
                }
            }
        }
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + grid, y0 + grid)],
            AXIS.stroke_width(1),
        ))?;

        // Class names: true classes down the left, predicted classes along the bottom.
        let left_labels = font(self.tick_size)
            .color(&TEXT)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (index, name) in self.names.iter().enumerate() {
            let middle = index as i32 * cell + cell / 2;
            root.draw_text(name, &left_labels, (x0 - 8, y0 + middle))?;
            if self.vertical_x_labels {
                let style = font(self.tick_size)
                    .transform(FontTransform::Rotate270)
                    .color(&TEXT)
                    .pos(Pos::new(HPos::Right, VPos::Center));
                root.draw_text(name, &style, (x0 + middle, y0 + grid + 8))?;
            } else {
                let style = font(self.tick_size)
                    .color(&TEXT)
                    .pos(Pos::new(HPos::Center, VPos::Top));
                root.draw_text(name, &style, (x0 + middle, y0 + grid + 8))?;
            }
        }
        let axis_title = |text: &str| text_size(text, AXIS_TITLE);
        let below = y0 + grid + self.x_labels_height;
        let style = font(AXIS_TITLE)
            .color(&TEXT)
            .pos(Pos::new(HPos::Center, VPos::Top));
        root.draw_text("Predicted class", &style, (x0 + grid / 2, below))?;
        let style = font(AXIS_TITLE)
            .transform(FontTransform::Rotate270)
            .color(&TEXT)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let left_edge = x0 - self.left_of_grid;
        root.draw_text(
            "True class",
            &style,
            (
                left_edge + MARGIN + axis_title("True class").1 as i32 / 2,
                y0 + grid / 2,
            ),
        )?;

        // The colour scale: stripes from the darkest (top) to white (bottom).
        let bar_left = x0 + grid + BAR_GAP;
        for stripe in 0..BAR_STRIPES {
            let top = y0 + grid * stripe / BAR_STRIPES;
            let bottom = y0 + grid * (stripe + 1) / BAR_STRIPES;
            let t = 1.0 - (stripe as f64 + 0.5) / BAR_STRIPES as f64;
            root.draw(&Rectangle::new(
                [(bar_left, top), (bar_left + BAR_WIDTH, bottom)],
                cell_color(t).filled(),
            ))?;
        }
        root.draw(&Rectangle::new(
            [(bar_left, y0), (bar_left + BAR_WIDTH, y0 + grid)],
            AXIS.stroke_width(1),
        ))?;
        let tick_style = font(self.tick_size)
            .color(&TEXT)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for &tick in &self.bar_ticks {
            let y = y0 + grid - (tick / self.scale_max * grid as f64).round() as i32;
            root.draw(&PathElement::new(
                vec![(bar_left + BAR_WIDTH, y), (bar_left + BAR_WIDTH + 4, y)],
                AXIS.stroke_width(1),
            ))?;
            root.draw_text(
                &self.bar_format.apply(tick),
                &tick_style,
                (bar_left + BAR_WIDTH + 8, y),
            )?;
        }
        Ok(())
    }
}

/// [`confusion_heatmap`] straight from a [`kindling_metrics::ConfusionMatrix`].
pub fn confusion_matrix_heatmap<S: AsRef<str>>(
    matrix: &kindling_metrics::ConfusionMatrix,
    class_names: &[S],
    normalize_rows: bool,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let counts: Vec<Vec<u64>> = matrix
        .rows()
        .map(|row| row.iter().map(|&count| count as u64).collect())
        .collect();
    confusion_heatmap(&counts, class_names, normalize_rows, path)
}
