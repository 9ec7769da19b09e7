//! `image_grid`: small images enlarged in a grid, each captioned, mistakes highlighted.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::{Rgb, TEXT};
use crate::error::ChartError;
use crate::font::{font, text_size};
use crate::legend::{TITLE_HEIGHT, TITLE_SIZE, draw_title};
use crate::output::{DrawResult, Drawing, Target};

/// Images are enlarged (by a whole factor, nearest neighbour) to about this many
/// pixels on their longer side: 32x32 CIFAR images are shown 3x.
const DISPLAY_SIDE: usize = 96;
const CAPTION_SIZE: f64 = 14.0;
const PADDING: i32 = 10;
const BORDER: i32 = 3;
const MARGIN: i32 = 12;

/// One image of an [`image_grid`]: RGB pixels row by row (HWC, 3 bytes a pixel), a
/// caption (`\n` starts a new line) and an optional highlight colour, drawn as a border
/// and used for the caption, e.g. red for a mistake.
#[derive(Debug, Clone, PartialEq)]
pub struct GridImage {
    /// `width * height * 3` bytes: R, G, B for each pixel, rows top to bottom.
    pub pixels: Vec<u8>,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Shown under the image.
    pub caption: String,
    /// Border and caption colour; `None` for a plain image.
    pub highlight: Option<Rgb>,
}

impl GridImage {
    /// A plain image with a caption.
    pub fn new(pixels: Vec<u8>, width: usize, height: usize, caption: impl Into<String>) -> Self {
        GridImage {
            pixels,
            width,
            height,
            caption: caption.into(),
            highlight: None,
        }
    }

    /// Highlights the image (border and caption) in `color`.
    pub fn with_highlight(mut self, color: Rgb) -> Self {
        self.highlight = Some(color);
        self
    }

    fn scale(&self) -> usize {
        (DISPLAY_SIDE / self.width.max(self.height)).max(1)
    }
}

/// Draws images in rows of `columns`, each enlarged with its caption beneath, e.g.
/// sample images with their labels, or the most confident mistakes (highlighted).
///
/// ```no_run
/// use kindling_charts::{GridImage, Rgb, image_grid};
///
/// let gray = vec![128u8; 32 * 32 * 3];
/// let images = [
///     GridImage::new(gray.clone(), 32, 32, "cat"),
///     GridImage::new(gray, 32, 32, "true: cat\npredicted: dog (97%)").with_highlight(Rgb::RED),
/// ];
/// image_grid(&images, 8, "mistakes.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn image_grid(
    images: &[GridImage],
    columns: usize,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    draw_grid(images, columns, None, path.as_ref())
}

/// [`image_grid`] with a title above the images, e.g. to say how to read the captions.
pub fn titled_image_grid(
    images: &[GridImage],
    columns: usize,
    title: &str,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    draw_grid(images, columns, Some(title), path.as_ref())
}

fn draw_grid(
    images: &[GridImage],
    columns: usize,
    title: Option<&str>,
    path: &Path,
) -> Result<(), ChartError> {
    let target = Target::new(path)?;
    if images.is_empty() {
        return Err(target.empty("no images were given", "pass at least one image"));
    }
    if columns == 0 {
        return Err(target.invalid(
            "the grid was asked for 0 columns",
            "ask for at least 1 column (8 suits 32x32 images)",
        ));
    }
    for (index, image) in images.iter().enumerate() {
        let expected = image
            .width
            .checked_mul(image.height)
            .and_then(|n| n.checked_mul(3));
        if image.width == 0 || image.height == 0 || expected != Some(image.pixels.len()) {
            return Err(target.invalid(
                format!(
                    "image {index} (\"{}\") has {} bytes, but a {}x{} RGB image needs {}",
                    image.caption,
                    image.pixels.len(),
                    image.width,
                    image.height,
                    expected.map_or("more than fits in memory".to_string(), |n| n.to_string())
                ),
                "pass width * height * 3 bytes, RGB interleaved, rows top to bottom (HWC)",
            ));
        }
    }
    let grid = Layout::new(images, columns, title);
    target.check_size(grid.size)?;
    target.save(
        grid.size,
        &Drawn {
            images,
            grid,
            title,
        },
    )
}

/// Cell and picture sizes, shared by every image so the grid lines up.
struct Layout {
    columns: usize,
    cell: (i32, i32),
    /// The tallest enlarged picture; captions start below it, so they line up.
    picture_height: i32,
    line_height: i32,
    size: (u32, u32),
}

impl Layout {
    fn new(images: &[GridImage], columns: usize, title: Option<&str>) -> Layout {
        let columns = columns.min(images.len());
        let rows = images.len().div_ceil(columns);
        let line_height = text_size("Ag", CAPTION_SIZE).1 as i32 + 4;
        let picture = |image: &GridImage| {
            let scale = image.scale();
            ((image.width * scale) as i32, (image.height * scale) as i32)
        };
        let widest_picture = images.iter().map(|i| picture(i).0).max().unwrap_or(0);
        let tallest_picture = images.iter().map(|i| picture(i).1).max().unwrap_or(0);
        let widest_caption = images
            .iter()
            .flat_map(|image| image.caption.lines())
            .map(|line| text_size(line, CAPTION_SIZE).0 as i32)
            .max()
            .unwrap_or(0);
        let most_lines = images
            .iter()
            .map(|image| image.caption.lines().count() as i32)
            .max()
            .unwrap_or(0);
        let cell = (
            (widest_picture + 2 * BORDER).max(widest_caption) + 2 * PADDING,
            tallest_picture + 2 * BORDER + 6 + most_lines * line_height + 2 * PADDING,
        );
        // Never smaller than the smallest chart size, however tiny the images.
        let title_width = title.map_or(0, |t| text_size(t, TITLE_SIZE).0 as i32 + 2 * MARGIN);
        let title_height = title.map_or(0, |_| TITLE_HEIGHT as i32);
        let width = (2 * MARGIN + cell.0 * columns as i32)
            .max(160)
            .max(title_width);
        let height = (2 * MARGIN + cell.1 * rows as i32 + title_height).max(120);
        Layout {
            columns,
            cell,
            picture_height: tallest_picture,
            line_height,
            size: (width as u32, height as u32),
        }
    }
}

struct Drawn<'a> {
    images: &'a [GridImage],
    grid: Layout,
    title: Option<&'a str>,
}

impl Drawing for Drawn<'_> {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let area = match self.title {
            Some(title) => draw_title(root, title)?,
            None => root.clone(),
        };
        let root = &area;
        let grid = &self.grid;
        let content_width = grid.cell.0 * grid.columns as i32;
        let left_edge = (grid.size.0 as i32 - content_width) / 2;
        for (index, image) in self.images.iter().enumerate() {
            let cell_left = left_edge + (index % grid.columns) as i32 * grid.cell.0;
            let cell_top = MARGIN + (index / grid.columns) as i32 * grid.cell.1;
            let scale = image.scale() as i32;
            let (w, h) = (image.width as i32 * scale, image.height as i32 * scale);
            let left = cell_left + (grid.cell.0 - w) / 2;
            let top = cell_top + PADDING + BORDER;
            if let Some(color) = image.highlight {
                root.draw(&Rectangle::new(
                    [
                        (left - BORDER, top - BORDER),
                        (left + w + BORDER, top + h + BORDER),
                    ],
                    color.plotters().filled(),
                ))?;
            }
            // One rectangle per source pixel: nearest-neighbour enlargement, and a
            // compact SVG.
            for (i, rgb) in image.pixels.chunks_exact(3).enumerate() {
                let (x, y) = ((i % image.width) as i32, (i / image.width) as i32);
                let (px, py) = (left + x * scale, top + y * scale);
                root.draw(&Rectangle::new(
                    [(px, py), (px + scale, py + scale)],
                    RGBColor(rgb[0], rgb[1], rgb[2]).filled(),
                ))?;
            }
            let color = image.highlight.map_or(TEXT, Rgb::plotters);
            let style = font(CAPTION_SIZE)
                .color(&color)
                .pos(Pos::new(HPos::Center, VPos::Top));
            let caption_top = cell_top + PADDING + 2 * BORDER + grid.picture_height + 6;
            for (line_index, line) in image.caption.lines().enumerate() {
                root.draw_text(
                    line,
                    &style,
                    (
                        cell_left + grid.cell.0 / 2,
                        caption_top + line_index as i32 * grid.line_height,
                    ),
                )?;
            }
        }
        Ok(())
    }
}
