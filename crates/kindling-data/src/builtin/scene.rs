//! Drawing one image of the built-in set: background, shape, clutter and noise.

use rand::RngExt;

use super::shapes::{CLASS_NAMES, Shape, angle_range};
use crate::image_set::IMAGE_SIDE;
use crate::rng::SeededRng;

/// The knobs that set how hard the built-in set is. The defaults were tuned so that
/// the baseline CNN reaches about 70% validation accuracy after 10 epochs on 5,000
/// training images: well above chance, well below perfect.
#[derive(Debug, Clone, Copy)]
pub struct Recipe {
    /// Shape radius in pixels: `(smallest, largest)`.
    pub radius: (f32, f32),
    /// Standard deviation of the per-pixel noise, 0-255 scale: `(least, most)`.
    pub noise: (f32, f32),
    /// Smallest brightness difference between shape and background: `(least, most)`.
    pub contrast: (f32, f32),
    /// Largest number of distracting blobs and strokes per image.
    pub max_clutter: u32,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            radius: (6.0, 12.0),
            noise: (6.0, 30.0),
            contrast: (12.0, 110.0),
            max_clutter: 3,
        }
    }
}

type Rgb = [f32; 3];

/// Draws one image of class `label` into `planes` (CIFAR-10 layout).
pub fn draw(label: usize, recipe: &Recipe, rng: &mut SeededRng, planes: &mut [u8]) {
    debug_assert!(label < CLASS_NAMES.len());
    let side = IMAGE_SIDE as f32;
    let shape = shape_for(label, rng);
    let (angle_centre, spread) = angle_range(label);
    let angle = angle_centre + rng.random_range(-spread..=spread);
    let (sin, cos) = angle.sin_cos();
    let radius = rng.random_range(recipe.radius.0..=recipe.radius.1);
    let margin = radius + 1.0;
    let centre_x = rng.random_range(margin..=side - margin);
    let centre_y = rng.random_range(margin..=side - margin);

    let background = Background::random(rng);
    let contrast = rng.random_range(recipe.contrast.0..=recipe.contrast.1);
    let foreground = contrasting_colour(background.mean_luma(), contrast, rng);
    let clutter: Vec<Blob> = (0..rng.random_range(0..=recipe.max_clutter))
        .map(|_| Blob::random(rng))
        .collect();
    let noise = rng.random_range(recipe.noise.0..=recipe.noise.1);

    let area = IMAGE_SIDE * IMAGE_SIDE;
    for y in 0..IMAGE_SIDE {
        for x in 0..IMAGE_SIDE {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let mut colour = background.at(px, py);
            for blob in &clutter {
                blob.paint(px, py, &mut colour);
            }
            // Into the shape's frame: centred, unrotated, radius 1.
            let (dx, dy) = ((px - centre_x) / radius, (py - centre_y) / radius);
            let (sx, sy) = (dx * cos + dy * sin, -dx * sin + dy * cos);
            let coverage = (0.5 - shape.distance(sx, sy) * radius).clamp(0.0, 1.0);
            blend(&mut colour, foreground, coverage);
            let pixel = y * IMAGE_SIDE + x;
            for (channel, value) in colour.iter().enumerate() {
                let noisy = value + noise * gaussian(rng);
                planes[channel * area + pixel] = noisy.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

fn shape_for(label: usize, rng: &mut SeededRng) -> Shape {
    match label {
        0 => Shape::Disc,
        1 => Shape::Ring {
            thickness: rng.random_range(0.28..=0.55),
        },
        2 | 3 => Shape::Square,
        4 => Shape::polygon(3),
        5 => Shape::polygon(6),
        6 | 7 => Shape::Plus {
            half_width: rng.random_range(0.22..=0.36),
        },
        _ => Shape::Stripes {
            period: rng.random_range(0.55..=0.8),
            phase: rng.random_range(0.0..1.0),
        },
    }
}

/// A two-colour gradient in a random direction.
struct Background {
    from: Rgb,
    to: Rgb,
    direction: (f32, f32),
}

impl Background {
    fn random(rng: &mut SeededRng) -> Self {
        let from = random_colour(rng);
        // The second colour stays near the first so the gradient is gentle.
        let to = from.map(|c| (c + rng.random_range(-70.0..=70.0)).clamp(0.0, 255.0));
        let angle: f32 = rng.random_range(0.0..std::f32::consts::TAU);
        Background {
            from,
            to,
            direction: (angle.cos(), angle.sin()),
        }
    }

    fn at(&self, x: f32, y: f32) -> Rgb {
        let side = IMAGE_SIDE as f32;
        let along = ((x / side - 0.5) * self.direction.0 + (y / side - 0.5) * self.direction.1)
            .clamp(-0.5, 0.5)
            + 0.5;
        let mut colour = self.from;
        blend(&mut colour, self.to, along);
        colour
    }

    fn mean_luma(&self) -> f32 {
        (luma(self.from) + luma(self.to)) / 2.0
    }
}

/// A small distracting dot or stroke.
struct Blob {
    x: f32,
    y: f32,
    radius: f32,
    stretch: f32,
    colour: Rgb,
}

impl Blob {
    fn random(rng: &mut SeededRng) -> Self {
        let side = IMAGE_SIDE as f32;
        Blob {
            x: rng.random_range(0.0..side),
            y: rng.random_range(0.0..side),
            radius: rng.random_range(1.0..=2.5),
            stretch: rng.random_range(1.0..=4.0),
            colour: random_colour(rng),
        }
    }

    fn paint(&self, x: f32, y: f32, colour: &mut Rgb) {
        let reach = self.radius * self.stretch + 1.0;
        if (x - self.x).abs() > reach || (y - self.y).abs() > self.radius + 1.0 {
            return;
        }
        let (dx, dy) = ((x - self.x) / self.stretch, y - self.y);
        let coverage = (0.5 - ((dx * dx + dy * dy).sqrt() - self.radius)).clamp(0.0, 1.0);
        blend(colour, self.colour, coverage);
    }
}

fn random_colour(rng: &mut SeededRng) -> Rgb {
    [
        rng.random_range(0.0..=255.0),
        rng.random_range(0.0..=255.0),
        rng.random_range(0.0..=255.0),
    ]
}

/// A random colour whose brightness differs from `luma_of_background` by at least
/// `contrast` (or as much as the 0-255 range allows).
fn contrasting_colour(luma_of_background: f32, contrast: f32, rng: &mut SeededRng) -> Rgb {
    let mut colour = random_colour(rng);
    let difference = luma(colour) - luma_of_background;
    if difference.abs() < contrast {
        let brighter =
            if luma_of_background + contrast <= 255.0 && luma_of_background - contrast >= 0.0 {
                rng.random_bool(0.5)
            } else {
                luma_of_background < 128.0
            };
        let shift = if brighter {
            contrast - difference
        } else {
            -contrast - difference
        };
        colour = colour.map(|c| (c + shift).clamp(0.0, 255.0));
    }
    colour
}

fn luma(colour: Rgb) -> f32 {
    0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
}

fn blend(colour: &mut Rgb, over: Rgb, coverage: f32) {
    for (c, o) in colour.iter_mut().zip(over) {
        *c += (o - *c) * coverage;
    }
}

/// An approximately standard normal sample: the sum of four uniform numbers cut
/// from one random word (Irwin-Hall), rescaled to mean 0 and variance 1. Close
/// enough for pixel noise and several times cheaper than Box-Muller.
fn gaussian(rng: &mut SeededRng) -> f32 {
    let word: u64 = rng.random();
    let sum: u32 = (0..4)
        .map(|part| ((word >> (16 * part)) & 0xFFFF) as u32)
        .sum();
    // Each part is uniform on 0..65536: mean 32767.5, variance (65536^2 - 1) / 12.
    const MEAN: f32 = 4.0 * 32767.5;
    const STD: f32 = 37837.227; // sqrt(4 * (65536^2 - 1) / 12)
    (sum as f32 - MEAN) / STD
}
