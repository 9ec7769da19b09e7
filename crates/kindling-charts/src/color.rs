//! `Rgb` colours and the palette the charts share.

use plotters::style::RGBColor;

/// An sRGB colour, used for series and highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Training series (matplotlib's `tab:blue`).
    pub const BLUE: Rgb = Rgb(31, 119, 180);
    /// Validation series (`tab:orange`).
    pub const ORANGE: Rgb = Rgb(255, 127, 14);
    /// Correct predictions (`tab:green`).
    pub const GREEN: Rgb = Rgb(44, 160, 44);
    /// Mistakes, markers (`tab:red`).
    pub const RED: Rgb = Rgb(214, 39, 40);
    /// Neutral text and lines.
    pub const GRAY: Rgb = Rgb(90, 90, 90);

    /// The `index`-th colour of the ten-colour palette (matplotlib's `tab10`), repeating
    /// after ten. Neighbours are easy to tell apart, also for most colour-blind readers.
    pub fn palette(index: usize) -> Rgb {
        const TAB10: [Rgb; 10] = [
            Rgb::BLUE,
            Rgb::ORANGE,
            Rgb::GREEN,
            Rgb::RED,
            Rgb(148, 103, 189),
            Rgb(140, 86, 75),
            Rgb(227, 119, 194),
            Rgb(127, 127, 127),
            Rgb(188, 189, 34),
            Rgb(23, 190, 207),
        ];
        TAB10[index % TAB10.len()]
    }

    pub(crate) fn plotters(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }
}

/// Body text.
pub(crate) const TEXT: RGBColor = RGBColor(30, 30, 30);
/// Axis lines and tick marks.
pub(crate) const AXIS: RGBColor = RGBColor(110, 110, 110);
/// Grid lines: visible, never competing with the data.
pub(crate) const GRID: RGBColor = RGBColor(228, 228, 228);
