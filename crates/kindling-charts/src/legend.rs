//! Titles and legends drawn in their own strips above the plot, so a legend never
//! covers a line.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::{Rgb, TEXT};
use crate::font::{font, text_size};
use crate::output::DrawResult;

pub(crate) const TITLE_SIZE: f64 = 22.0;
pub(crate) const TITLE_HEIGHT: u32 = 44;
const LEGEND_TEXT: f64 = 15.0;
const ROW_HEIGHT: u32 = 24;
const SWATCH: i32 = 26;
const SWATCH_GAP: i32 = 7;
const ENTRY_GAP: i32 = 26;
const SIDE_MARGIN: i32 = 16;

/// One legend entry: a short line in the series colour, then its label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendEntry {
    pub(crate) label: String,
    pub(crate) color: Rgb,
    /// Whether the series' points carry dots, so the swatch matches the line.
    pub(crate) dot: bool,
}

/// Draws `title` centred in a strip at the top and returns the area below it.
pub(crate) fn draw_title<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (strip, rest) = area.split_vertically(TITLE_HEIGHT);
    let (width, height) = strip.dim_in_pixel();
    let style = font(TITLE_SIZE)
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Center));
    strip.draw_text(title, &style, (width as i32 / 2, height as i32 / 2 + 2))?;
    Ok(rest)
}

/// Width of each entry in pixels.
fn entry_width(entry: &LegendEntry) -> i32 {
    SWATCH + SWATCH_GAP + text_size(&entry.label, LEGEND_TEXT).0 as i32
}

/// Entries grouped into centred rows that fit `width`.
fn rows(entries: &[LegendEntry], width: u32) -> Vec<Vec<&LegendEntry>> {
    let usable = width as i32 - 2 * SIDE_MARGIN;
    let mut rows: Vec<Vec<&LegendEntry>> = Vec::new();
    let mut used = 0;
    for entry in entries {
        let needed = entry_width(entry);
        match rows.last_mut() {
            Some(row) if used + ENTRY_GAP + needed <= usable => {
                row.push(entry);
                used += ENTRY_GAP + needed;
            }
            _ => {
                rows.push(vec![entry]);
                used = needed;
            }
        }
    }
    rows
}

/// Height of the legend strip for `entries` at `width` (0 when there are none).
pub(crate) fn height(entries: &[LegendEntry], width: u32) -> u32 {
    match rows(entries, width).len() as u32 {
        0 => 0,
        count => count * ROW_HEIGHT + 6,
    }
}

/// Draws the legend strip at the top of `area` and returns the area below it.
pub(crate) fn draw_legend<DB>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (width, _) = area.dim_in_pixel();
    let strip_height = height(entries, width);
    if strip_height == 0 {
        return Ok(area.clone());
    }
    let (strip, rest) = area.split_vertically(strip_height);
    draw_rows(&strip, entries)?;
    Ok(rest)
}

fn draw_rows<DB>(strip: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (width, _) = strip.dim_in_pixel();
    let style = font(LEGEND_TEXT)
        .color(&TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (index, row) in rows(entries, width).iter().enumerate() {
        let row_width: i32 = row.iter().map(|entry| entry_width(entry)).sum::<i32>()
            + ENTRY_GAP * (row.len() as i32 - 1);
        let mut x = (width as i32 - row_width) / 2;
        let y = index as i32 * ROW_HEIGHT as i32 + ROW_HEIGHT as i32 / 2;
        for entry in row {
            let color = entry.color.plotters();
            strip.draw(&PathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                color.stroke_width(3),
            ))?;
            if entry.dot {
                strip.draw(&Circle::new((x + SWATCH / 2, y), 3, color.filled()))?;
            }
            strip.draw_text(&entry.label, &style, (x + SWATCH + SWATCH_GAP, y))?;
            x += entry_width(entry) + ENTRY_GAP;
        }
    }
    Ok(())
}
