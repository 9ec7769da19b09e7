//! `top_k_bars`: a model's top guesses for one image as horizontal bars.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::{AXIS, GRID, Rgb, TEXT};
use crate::error::ChartError;
use crate::font::{font, text_size};
use crate::legend::{TITLE_HEIGHT, TITLE_SIZE, draw_title};
use crate::output::{DrawResult, Drawing, Target};

const LABEL_SIZE: f64 = 15.0;
const TICK_SIZE: f64 = 13.0;
const ROW_HEIGHT: i32 = 34;
const BAR_HEIGHT: i32 = 22;
const MARGIN: i32 = 16;
/// Room right of the longest bar for its percentage.
const VALUE_ROOM: i32 = 72;
const MIN_BAR_SPAN: i32 = 360;
/// Lighter blue for every guess but the first, so the prediction stands out.
const RUNNER_UP: Rgb = Rgb(158, 202, 225);

/// A horizontal bar per guess, most probable on top, each bar's length its probability
/// on a fixed 0-100% axis (so charts compare) with the percentage printed beside it.
///
/// Pass the guesses to show (e.g. the top 5); they are sorted by probability here.
///
/// ```no_run
/// let labels = ["cat", "dog", "deer"];
/// kindling_charts::top_k_bars(&labels, &[0.71, 0.22, 0.04], "Top 3 guesses", "guesses.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn top_k_bars<S: AsRef<str>>(
    labels: &[S],
    probabilities: &[f64],
    title: &str,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    if labels.len() != probabilities.len() {
        return Err(target.invalid(
            format!(
                "there are {} labels but {} probabilities",
                labels.len(),
                probabilities.len()
            ),
            "pass one probability per label, in the same order",
        ));
    }
    if labels.is_empty() {
        return Err(target.empty(
            "no guesses were given",
            "pass at least one label and probability",
        ));
    }
    let mut bars: Vec<(String, f64)> = Vec::with_capacity(labels.len());
    for (label, &p) in labels.iter().zip(probabilities) {
        let label = label.as_ref();
        if !(0.0..=1.0).contains(&p) {
            return Err(target.invalid(
                format!("the probability of `{label}` is {p}, outside 0 to 1"),
                "pass probabilities (softmax outputs), not logits or percentages",
            ));
        }
        bars.push((label.to_string(), p));
    }
    // Stable, so equal probabilities keep the caller's order.
    bars.sort_by(|a, b| b.1.total_cmp(&a.1));
    let colors = (0..bars.len())
        .map(|index| if index == 0 { Rgb::BLUE } else { RUNNER_UP })
        .collect();
    let chart = Bars::lay_out(title, bars, colors);
    target.check_size(chart.size())?;
    target.save(chart.size(), &chart)
}

/// "97.3%", and "<0.1%" rather than a misleading "0.0%" for tiny non-zero values.
pub(crate) fn percent(p: f64) -> String {
    if p > 0.0 && p < 0.0005 {
        "<0.1%".to_string()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

/// Labelled horizontal bars on a 0-100% axis, each in its own colour.
pub(crate) struct Bars {
    title: String,
    bars: Vec<(String, f64)>,
    colors: Vec<Rgb>,
    size: (u32, u32),
    /// Where bars start and how long a 100% bar is.
    bar_left: i32,
    bar_span: i32,
}

impl Bars {
    /// Lays out `bars` top to bottom in the order given, bar `i` in `colors[i]`.
    pub(crate) fn lay_out(title: &str, bars: Vec<(String, f64)>, colors: Vec<Rgb>) -> Bars {
        let label_width = bars
            .iter()
            .map(|(label, _)| text_size(label, LABEL_SIZE).0 as i32)
            .max()
            .unwrap_or(0);
        let bar_left = MARGIN + label_width + 12;
        let title_width = text_size(title, TITLE_SIZE).0 as i32 + 2 * MARGIN;
        let width = (bar_left + MIN_BAR_SPAN + VALUE_ROOM + MARGIN)
            .max(640)
            .max(title_width);
        let bar_span = width - bar_left - VALUE_ROOM - MARGIN;
        let height = TITLE_HEIGHT as i32 + 4 + bars.len() as i32 * ROW_HEIGHT + 30 + MARGIN;
        Bars {
            title: title.to_string(),
            bars,
            colors,
            size: (width as u32, height as u32),
            bar_left,
            bar_span,
        }
    }

    /// The picture's size in pixels.
    pub(crate) fn size(&self) -> (u32, u32) {
        self.size
    }
}

impl Drawing for Bars {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let style = |size: f64, h: HPos, v: VPos| font(size).color(&TEXT).pos(Pos::new(h, v));
        draw_title(root, &self.title)?;
        let top = TITLE_HEIGHT as i32 + 4;
        let bottom = top + self.bars.len() as i32 * ROW_HEIGHT;
        let x_at = |p: f64| self.bar_left + (p * self.bar_span as f64).round() as i32;

        // Grid lines and labels every 25%, behind the bars.
        for quarter in 0..=4 {
            let p = quarter as f64 / 4.0;
            let x = x_at(p);
            let color = if quarter == 0 { AXIS } else { GRID };
            root.draw(&PathElement::new(
                vec![(x, top), (x, bottom)],
                color.stroke_width(1),
            ))?;
            root.draw_text(
                &format!("{}%", quarter * 25),
                &style(TICK_SIZE, HPos::Center, VPos::Top),
                (x, bottom + 6),
            )?;
        }
        for (index, (label, p)) in self.bars.iter().enumerate() {
            let middle = top + index as i32 * ROW_HEIGHT + ROW_HEIGHT / 2;
            let color = self.colors.get(index).copied().unwrap_or(Rgb::BLUE);
            root.draw(&Rectangle::new(
                [
                    (self.bar_left, middle - BAR_HEIGHT / 2),
                    (x_at(*p), middle + BAR_HEIGHT / 2),
                ],
                color.plotters().filled(),
            ))?;
            root.draw_text(
                label,
                &style(LABEL_SIZE, HPos::Right, VPos::Center),
                (self.bar_left - 10, middle),
            )?;
            root.draw_text(
                &percent(*p),
                &style(LABEL_SIZE, HPos::Left, VPos::Center),
                (x_at(*p) + 8, middle),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_never_round_a_real_chance_to_zero() {
        assert_eq!(percent(0.973), "97.3%");
        assert_eq!(percent(0.0001), "<0.1%");
        assert_eq!(percent(0.0), "0.0%");
    }
}
