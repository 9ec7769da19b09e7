//! The bundled font (DejaVu Sans), so text renders the same everywhere and no
//! system fonts are ever looked up.

use std::sync::OnceLock;

use plotters::style::{FontDesc, FontStyle, IntoFont, register_font};

/// DejaVu Sans 2.37; licence in `assets/LICENSE-DejaVuSans.txt`.
static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family every chart asks for. Registering the bundled font under the generic
/// name means SVG viewers without DejaVu fall back to their own sans-serif face
/// rather than to a serif one.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the bundled font with plotters (once per process).
pub(crate) fn ensure_registered() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the bundled DejaVu Sans font could not be parsed".to_string())
        })
        .clone()
}

/// The bundled font at a pixel size.
pub(crate) fn font(size: f64) -> FontDesc<'static> {
    (FAMILY, size).into_font()
}

/// Width and height in pixels of a line of text at a pixel size. Layouts are computed
/// before any backend exists, so this asks the font directly.
pub(crate) fn text_size(text: &str, size: f64) -> (u32, u32) {
    // The font is registered before any layout runs; (0, 0) only if it is not.
    font(size).box_size(text).unwrap_or((0, 0))
}
