//! Kindling: learn, and do, model training in Rust with Burn.
//!
//! This facade re-exports the Kindling crates under short names and picks the
//! device. Depend on it to get everything; depend on a single crate
//! (`kindling-data`, `kindling-models`, ...) to get only that part.
//!
//! | module | crate | what for |
//! |---|---|---|
//! | [`data`] | `kindling-data` | datasets, splits, normalisation, batches |
//! | [`models`] | `kindling-models` | models and their summaries |
//! | [`train`] | `kindling-train` | `fit`, `History`, callbacks, learning-rate tools |
//! | [`metrics`] | `kindling-metrics` | classification and regression metrics |
//! | [`charts`] | `kindling-charts` | PNG and SVG charts |
//! | [`device`] | here | choosing Flex (CPU) or CUDA |
//! | [`evaluation`] | here | a whole evaluation of a run on its sealed test set |
//! | [`inference`] | here | predicting image files with a trained run |
//! | [`report`] | here | the demo report of an evaluated run, every number sourced |

pub mod device;
pub mod evaluation;
pub mod inference;
pub mod report;

pub use burn;
pub use device::{DEVICE_ENV, DeviceChoice, DeviceError, choose_device, device_for};
pub use kindling_charts as charts;
pub use kindling_data as data;
pub use kindling_kernels as kernels;
pub use kindling_metrics as metrics;
pub use kindling_models as models;
pub use kindling_train as train;

/// The README's code examples, compiled and run as doctests so they stay true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
