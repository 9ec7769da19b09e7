//! The ten shape classes of the built-in set, as signed distance functions.
//!
//! Each shape is drawn in its own frame: centred at the origin, about one unit in
//! radius. A distance below zero is inside the shape. Drawing turns the distance
//! (in pixels) into coverage, which gives smooth, anti-aliased edges.

use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI, TAU};

/// The classes, in label order. Pairs that differ only by angle or by a detail
/// (disc/hexagon, square/diamond, plus/cross) are there on purpose: they make the
/// mistakes a model makes worth looking at.
pub const CLASS_NAMES: [&str; 10] = [
    "disc",
    "ring",
    "square",
    "diamond",
    "triangle",
    "hexagon",
    "plus",
    "cross",
    "h-stripes",
    "v-stripes",
];

/// One class's shape with the parameters drawn for one image.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A filled circle.
    Disc,
    /// A circle outline of the given thickness (in shape units).
    Ring { thickness: f32 },
    /// A filled square (half side in shape units).
    Square,
    /// A filled regular polygon: the outward normals of its sides (only the first
    /// `sides` are used) and the distance from the centre to each side.
    Polygon {
        normals: [(f32, f32); 6],
        sides: usize,
        apothem: f32,
    },
    /// Two crossing bars of the given half width.
    Plus { half_width: f32 },
    /// A disc filled with stripes of the given period (in shape units).
    Stripes { period: f32, phase: f32 },
}

/// The range of angles (radians) a class is drawn at: `(centre, spread)`.
///
/// Square and diamond, plus and cross, and the two stripe classes are the same shape
/// at angles 45 or 90 degrees apart; their spreads are wide enough that a few images
/// of each pair are genuinely ambiguous, as some CIFAR-10 cats look like dogs.
pub fn angle_range(label: usize) -> (f32, f32) {
    let degrees = PI / 180.0;
    match label {
        2 => (0.0, 24.0 * degrees),
        3 => (FRAC_PI_4, 24.0 * degrees),
        6 => (0.0, 26.0 * degrees),
        7 => (FRAC_PI_4, 26.0 * degrees),
        8 => (0.0, 38.0 * degrees),
        9 => (FRAC_PI_2, 38.0 * degrees),
        // Round or symmetric shapes: any angle.
        _ => (0.0, PI),
    }
}

impl Shape {
    /// Signed distance from `(x, y)` (shape frame) to the shape's edge, in shape units.
    pub fn distance(self, x: f32, y: f32) -> f32 {
        match self {
            Shape::Disc => (x * x + y * y).sqrt() - 1.0,
            Shape::Ring { thickness } => {
                let radius = (x * x + y * y).sqrt();
                (radius - (1.0 - thickness / 2.0)).abs() - thickness / 2.0
            }
            Shape::Square => x.abs().max(y.abs()) - 0.82,
            Shape::Polygon {
                normals,
                sides,
                apothem,
            } => normals[..sides]
                .iter()
                .map(|(nx, ny)| x * nx + y * ny - apothem)
                .fold(f32::MIN, f32::max),
            Shape::Plus { half_width } => {
                let horizontal = (x.abs() - 1.0).max(y.abs() - half_width);
                let vertical = (x.abs() - half_width).max(y.abs() - 1.0);
                horizontal.min(vertical)
            }
            Shape::Stripes { period, phase } => {
                let disc = (x * x + y * y).sqrt() - 1.0;
                // Distance to the nearest dark band's edge: bands half a period wide.
                let position = (y / period + phase).rem_euclid(1.0);
                let band = (position - 0.5).abs() - 0.25;
                disc.max(band * period)
            }
        }
    }
}

impl Shape {
    /// A regular polygon (3 to 6 sides) whose corners lie on the unit circle. The
    /// side normals are worked out once here, not once per pixel.
    pub fn polygon(sides: usize) -> Shape {
        assert!((3..=6).contains(&sides), "3 to 6 sides");
        let step = TAU / sides as f32;
        let mut normals = [(0.0, 0.0); 6];
        for (side, normal) in normals.iter_mut().enumerate().take(sides) {
            let angle = step * (side as f32 + 0.5);
            *normal = (angle.cos(), angle.sin());
        }
        Shape::Polygon {
            normals,
            sides,
            apothem: (step / 2.0).cos(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_are_inside_and_far_points_outside() {
        let shapes = [
            Shape::Disc,
            Shape::Square,
            Shape::polygon(3),
            Shape::polygon(6),
            Shape::Plus { half_width: 0.3 },
        ];
        for shape in shapes {
            assert!(shape.distance(0.0, 0.0) < 0.0, "{shape:?}");
            assert!(shape.distance(2.0, 2.0) > 0.0, "{shape:?}");
        }
        let ring = Shape::Ring { thickness: 0.3 };
        assert!(ring.distance(0.0, 0.0) > 0.0, "a ring is hollow");
        assert!(ring.distance(0.85, 0.0) < 0.0);
    }

    #[test]
    fn stripes_alternate_inside_the_disc() {
        let stripes = Shape::Stripes {
            period: 0.5,
            phase: 0.0,
        };
        assert!(stripes.distance(0.0, 0.25) < 0.0);
        assert!(stripes.distance(0.0, 0.0) > 0.0);
    }
}
