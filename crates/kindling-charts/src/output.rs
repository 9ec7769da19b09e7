//! Writing a chart: the format comes from the file extension, the picture is drawn
//! in memory, and only a finished file is moved into place.

use std::error::Error;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageFormat, RgbImage};
use plotters::backend::{BitMapBackend, RGBPixel, SVGBackend};
use plotters::coord::Shift;
use plotters::prelude::*;

use kindling_data::atomic::write_bytes_atomically;

use crate::error::ChartError;
use crate::font;

/// What drawing code returns; plotters' errors are generic over the backend, so they
/// are boxed here and turned into [`ChartError::Draw`] with the file name.
pub(crate) type DrawResult = Result<(), Box<dyn Error>>;

/// Something that can draw itself on any plotters backend. Inputs are validated
/// before a `Drawing` is built, so drawing fails only for plotting reasons.
pub(crate) trait Drawing {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static;
}

/// The file formats a chart can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Png,
    Svg,
}

/// An output file whose format is known. Made first thing in every public function,
/// so a wrong extension is reported before any work is done.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) path: PathBuf,
    format: Format,
}

/// Smallest width and height accepted, so axes and titles always have room.
const MIN_SIZE: (u32, u32) = (160, 120);
/// Largest side, so a typo cannot ask for gigabytes of pixels.
const MAX_SIDE: u32 = 16_384;

impl Target {
    pub(crate) fn new(path: &Path) -> Result<Target, ChartError> {
        let extension = path
            .extension()
            .map(|ext| ext.to_string_lossy().into_owned());
        let format = match extension.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("png") => Format::Png,
            Some("svg") => Format::Svg,
            _ => {
                return Err(ChartError::UnsupportedFormat {
                    path: path.to_path_buf(),
                    extension,
                });
            }
        };
        // Layouts measure text before drawing, so the font must be in place now.
        font::ensure_registered().map_err(|message| ChartError::Draw {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(Target {
            path: path.to_path_buf(),
            format,
        })
    }

    pub(crate) fn invalid(&self, problem: impl Into<String>, fix: impl Into<String>) -> ChartError {
        ChartError::InvalidInput {
            path: self.path.clone(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    pub(crate) fn empty(&self, what: impl Into<String>, fix: impl Into<String>) -> ChartError {
        ChartError::EmptyData {
            path: self.path.clone(),
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// Checks a caller-chosen size.
    pub(crate) fn check_size(&self, (width, height): (u32, u32)) -> Result<(), ChartError> {
        if width < MIN_SIZE.0 || height < MIN_SIZE.1 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(self.invalid(
                format!("the size {width}x{height} is outside what a chart can use"),
                format!(
                    "use at least {}x{} and at most {MAX_SIDE} pixels a side \
                     (for a grid of images: fewer images, or more columns)",
                    MIN_SIZE.0, MIN_SIZE.1
                ),
            ));
        }
        Ok(())
    }

    /// Draws `drawing` at `size` and writes the file atomically.
    pub(crate) fn save(&self, size: (u32, u32), drawing: &impl Drawing) -> Result<(), ChartError> {
        let draw_error = |error: Box<dyn Error>| ChartError::Draw {
            path: self.path.clone(),
            message: error.to_string(),
        };
        let bytes = match self.format {
            Format::Png => render_png(size, drawing).map_err(draw_error)?,
            Format::Svg => render_svg(size, drawing).map_err(draw_error)?,
        };
        write_bytes_atomically(&self.path, &bytes).map_err(|source| ChartError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

fn render_png(size: (u32, u32), drawing: &impl Drawing) -> Result<Vec<u8>, Box<dyn Error>> {
    let (width, height) = size;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, size)?;
        let root = backend.into_drawing_area();
        root.fill(&WHITE)?;
        drawing.draw(&root)?;
        root.present()?;
    }
    let image =
        RgbImage::from_raw(width, height, pixels).ok_or("pixel buffer has the wrong size")?;
    let mut png = Cursor::new(Vec::new());
    image.write_to(&mut png, ImageFormat::Png)?;
    Ok(png.into_inner())
}

fn render_svg(size: (u32, u32), drawing: &impl Drawing) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        drawing.draw(&root)?;
        root.present()?;
    }
    Ok(svg.into_bytes())
}
