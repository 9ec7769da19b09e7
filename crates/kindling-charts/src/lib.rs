//! Charts for Kindling's training runs and evaluations.
//!
//! What it draws:
//! - training curves from a [`History`](kindling_train::history::History):
//!   [`accuracy_chart`], [`loss_chart`], [`metrics_grid`], [`history_chart`] (straight
//!   from a `history.json` / `history.csv`), and the general [`EpochChart`];
//! - several runs on one chart, e.g. one per learning rate: [`overlay_chart`];
//! - lines over any numeric x axis, e.g. the learning-rate finder: [`XyChart`];
//! - teaching diagrams: [`training_loop_diagram`], [`split_diagram`],
//!   [`kfold_diagram`], [`layer_shapes_diagram`];
//! - evaluation: [`confusion_heatmap`] (counts or row-normalised), [`image_grid`]
//!   (sample images with labels), [`mistakes_grid`] (the most confident mistakes,
//!   captioned "predicted / actual / probability"), [`class_accuracy_bars`] and
//!   [`top_k_bars`] (a model's top guesses).
//!
//! The format is chosen by the file extension: `.png` (a bitmap, 800x500 by default)
//! or `.svg` (vector, deterministic text, good for diffs and snapshot tests). Text uses
//! a bundled copy of DejaVu Sans, so no system fonts are needed and a PNG looks the
//! same on every machine. Files are written atomically: when anything fails, no file
//! (and no half a file) appears.
//!
//! What it is not: an interactive plotting library or a general charting API. Each
//! function draws one kind of chart the course needs, with fixed, readable styling;
//! for anything else, use [plotters](https://docs.rs/plotters) directly.
//!
//! ```no_run
//! use kindling_train::history::History;
//!
//! let history = History::load("runs/stage3/history.json".as_ref())?;
//! kindling_charts::accuracy_chart(&history, "runs/stage3/accuracy.png")?;
//! kindling_charts::loss_chart(&history, "runs/stage3/loss.svg", true)?;
//! # Ok::<(), kindling_charts::ChartError>(())
//! ```

mod class_accuracy;
mod color;
mod confusion;
mod diagram;
mod epoch_chart;
mod error;
mod font;
mod grid;
mod history_charts;
mod image_grid;
mod legend;
mod mistakes_grid;
mod options;
mod output;
mod overlay;
mod plot;
mod scale;
mod top_k;
mod xy_chart;

pub use class_accuracy::class_accuracy_bars;
pub use color::Rgb;
pub use confusion::{confusion_heatmap, confusion_matrix_heatmap};
pub use diagram::{kfold_diagram, layer_shapes_diagram, split_diagram, training_loop_diagram};
pub use epoch_chart::{EpochChart, Series};
pub use error::ChartError;
pub use grid::{MetricsGrid, metrics_grid};
pub use history_charts::{accuracy_chart, history_chart, history_metrics_chart, loss_chart};
pub use image_grid::{GridImage, image_grid, titled_image_grid};
pub use mistakes_grid::{MISTAKES_TITLE, mistake_caption, mistakes_grid};
pub use options::ChartOptions;
pub use overlay::overlay_chart;
pub use top_k::top_k_bars;
pub use xy_chart::{XyChart, XyMarker, XySeries};
