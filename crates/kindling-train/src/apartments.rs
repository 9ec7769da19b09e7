//! Made-up apartment data for the straight-line lesson: size in square metres and
//! price in thousands of euros, on a known true line plus Gaussian noise.
//!
//! Because the true line is known, a learner can compare what gradient descent
//! found with the truth, and with [`least_squares`](crate::linreg::least_squares),
//! the best line for the sample.
//!
//! ```
//! use kindling_train::apartments::{TRUE_SLOPE, apartments_train};
//! use kindling_train::linreg::least_squares;
//! let data = apartments_train(500, 42);
//! let line = least_squares(&data.sizes, &data.prices)?;
//! assert!((line.slope - TRUE_SLOPE).abs() < 0.2);
//! # Ok::<(), kindling_train::linreg::LinRegError>(())
//! ```
//!
//! # Why these units
//!
//! Sizes stay in plain square metres (30 to 130), so the learning rates are the
//! ones a learner meets with raw, unscaled numbers. For full-batch gradient
//! descent on a line, the slope's step is stable only while
//! `learning_rate < 1 / mean(x²)`, about `1 / 7,200 ≈ 1.4e-4` here (prices do not
//! enter this limit; their units only scale the loss). Hence the course's three
//! rates, [`COURSE_LEARNING_RATES`]:
//!
//! * `1e-7` is too small: each epoch closes only about 0.15% of the gap to the best
//!   slope, so after 200 epochs the loss is still dozens of times the best.
//! * `1e-5` is good: about 14% of the gap closes each epoch, and the loss is within
//!   10% of the least-squares loss after 20 to 30 epochs.
//! * `1e-3` is too large: seven times the stable limit, every step overshoots by
//!   more than the last; the loss is over a hundred times its start by epoch 2.
//!
//! The intercept hardly moves at any of these rates: its gradient is far weaker
//! than the slope's when sizes are around 80. The true intercept is small next to
//! the noise, so a line that has learnt the slope already comes close to the
//! least-squares loss. (Scaling the inputs, a later lesson, cures this.)

use rand::RngExt;
use serde::Serialize;

use kindling_data::seeded_rng;

use crate::linreg::Line;

/// The true price per square metre, in thousands of euros (3,000 € per m²).
pub const TRUE_SLOPE: f64 = 3.0;

/// The true price of the line at size 0, in thousands of euros (a fixed 10,000 €).
pub const TRUE_INTERCEPT: f64 = 10.0;

/// Standard deviation of the price noise, in thousands of euros.
pub const NOISE_SD: f64 = 30.0;

/// Smallest size drawn, in square metres.
pub const MIN_SIZE: f64 = 30.0;

/// Largest size drawn, in square metres.
pub const MAX_SIZE: f64 = 130.0;

/// The course's learning rates for this data: too small, good, too large (see the
/// module documentation for why).
pub const COURSE_LEARNING_RATES: [f64; 3] = [1e-7, 1e-5, 1e-3];

/// Random stream of the training set (under the caller's seed).
const TRAIN_STREAM: u64 = 0xA9A7_0001;
/// Random stream of the fresh test set: a different stream, so the test apartments
/// are new ones, not a copy of the training apartments.
const TEST_STREAM: u64 = 0xA9A7_0002;

/// Apartments as two columns: sizes (`x`) and prices (`y`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apartments {
    /// Floor area in square metres, rounded to 0.1 m².
    pub sizes: Vec<f64>,
    /// Price in thousands of euros, rounded to 0.1 (100 €).
    pub prices: Vec<f64>,
}

impl Apartments {
    /// Number of apartments.
    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// The true line the prices were drawn around.
    pub fn true_line() -> Line {
        Line::new(TRUE_SLOPE, TRUE_INTERCEPT)
    }
}

/// `count` apartments to train on, the same for the same seed.
pub fn apartments_train(count: usize, seed: u64) -> Apartments {
    generate(count, seed, TRAIN_STREAM)
}

/// `count` fresh apartments for checking a trained line: drawn the same way as
/// [`apartments_train`] but from another random stream, so none is a copy of a
/// training apartment.
pub fn apartments_test(count: usize, seed: u64) -> Apartments {
    generate(count, seed, TEST_STREAM)
}

fn generate(count: usize, seed: u64, stream: u64) -> Apartments {
    let mut rng = seeded_rng(seed, stream);
    let mut sizes = Vec::with_capacity(count);
    let mut prices = Vec::with_capacity(count);
    for _ in 0..count {
        let size = round_to_tenth(rng.random_range(MIN_SIZE..=MAX_SIZE));
        // Box-Muller: two uniform numbers give one standard normal number.
        // `1 - u` lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - rng.random::<f64>();
        let u2 = rng.random::<f64>();
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let price = TRUE_SLOPE * size + TRUE_INTERCEPT + NOISE_SD * normal;
        sizes.push(size);
        prices.push(round_to_tenth(price));
    }
    Apartments { sizes, prices }
}

fn round_to_tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
