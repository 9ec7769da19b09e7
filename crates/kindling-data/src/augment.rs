//! Data augmentation: small random changes to each training image, drawn anew every
//! epoch, so the model sees a slightly different picture each time and memorises less.
//!
//! Three changes, the usual CIFAR-10 recipe and one option:
//! - **flip**: mirror left-right, half of the time;
//! - **crop**: pad the image by a few pixels on every side (with zeros or a mirror of
//!   its edge), then cut a random 32x32 window out of it: a shift of up to `pad` pixels;
//! - **cutout**: blank a random square (it may hang over the border).
//!
//! Every image's draw comes from its own stream, `seeded_rng(seed, augment_stream(epoch,
//! index))`, so the result depends only on the seed, the epoch and the image's position
//! in the training pile: not on threads, batch order or a resumed run.

use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::image_set::{CHANNELS, IMAGE_BYTES, IMAGE_SIDE};
use crate::rng::seeded_rng;

/// The names `FromStr` accepts, in the order they are listed in messages.
pub const AUGMENTATION_NAMES: [&str; 4] = ["flip", "crop", "crop-reflect", "cutout"];

/// Pixels added on each side before a crop: the usual CIFAR-10 setting.
pub const DEFAULT_CROP_PAD: usize = 4;
/// Side of the cutout square: a quarter of the image's side, as in DeVries and Taylor (2017).
pub const DEFAULT_CUTOUT_SIZE: usize = 8;

/// What happens to each training image each epoch. The default changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Augmentation {
    /// Mirror left-right with probability 1/2.
    pub flip: bool,
    /// Pad, then take a random 32x32 window.
    pub crop: Option<Crop>,
    /// Blank a random square.
    pub cutout: Option<Cutout>,
}

/// A padded random crop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crop {
    /// Pixels added on every side (at most 16); the window moves up to this far.
    pub pad: usize,
    /// What fills the added border.
    pub padding: Padding,
}

/// What fills the border a crop adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Padding {
    /// Black pixels.
    Zero,
    /// The image mirrored at its edge (the edge pixel itself is not repeated).
    Reflect,
}

/// A blanked square.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cutout {
    /// Side of the square in pixels (1 to 32); it is filled with black.
    pub size: usize,
}

/// An augmentation that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AugmentError {
    /// A name in the list is not known.
    #[error("unknown augmentation `{name}`. Fix: use a comma-separated list of {}, such as `flip,crop` (or `none`)", AUGMENTATION_NAMES.join(", "))]
    Unknown {
        /// The name given.
        name: String,
    },
    /// A setting out of range.
    #[error("augmentation {setting} is {value}, but it must be {rule}. Fix: {fix}")]
    Setting {
        /// Which setting.
        setting: &'static str,
        /// Its value.
        value: usize,
        /// The allowed range.
        rule: &'static str,
        /// What to use instead.
        fix: &'static str,
    },
}

impl Augmentation {
    /// No augmentation.
    pub fn none() -> Self {
        Self::default()
    }

    /// True when nothing is changed.
    pub fn is_none(&self) -> bool {
        *self == Self::none()
    }

    /// The usual CIFAR-10 recipe: random flip and a 4-pixel zero-padded crop.
    pub fn flip_and_crop() -> Self {
        Self::none().with_flip(true).with_crop(Some(Crop {
            pad: DEFAULT_CROP_PAD,
            padding: Padding::Zero,
        }))
    }

    /// Turns the random flip on or off.
    pub fn with_flip(mut self, on: bool) -> Self {
        self.flip = on;
        self
    }

    /// Sets the padded crop.
    pub fn with_crop(mut self, crop: Option<Crop>) -> Self {
        self.crop = crop;
        self
    }

    /// Sets cutout.
    pub fn with_cutout(mut self, cutout: Option<Cutout>) -> Self {
        self.cutout = cutout;
        self
    }

    /// Checks the settings' ranges.
    pub fn validate(&self) -> Result<(), AugmentError> {
        if let Some(crop) = self.crop
            && !(1..=IMAGE_SIDE / 2).contains(&crop.pad)
        {
            return Err(AugmentError::Setting {
                setting: "crop pad",
                value: crop.pad,
                rule: "between 1 and 16 pixels",
                fix: "use a pad of 4, the usual CIFAR-10 setting",
            });
        }
        if let Some(cutout) = self.cutout
            && !(1..=IMAGE_SIDE).contains(&cutout.size)
        {
            return Err(AugmentError::Setting {
                setting: "cutout size",
                value: cutout.size,
                rule: "between 1 and 32 pixels",
                fix: "use a size of 8, a quarter of the image's side",
            });
        }
        Ok(())
    }

    /// Augments one image (`IMAGE_BYTES` bytes in plane layout) in place. The draw
    /// comes from `seeded_rng(seed, augment_stream(epoch, index))`: the same seed,
    /// epoch and index always give the same result.
    pub fn apply(&self, planes: &mut [u8], seed: u64, epoch: usize, index: usize) {
        if self.is_none() {
            return;
        }
        let mut rng = seeded_rng(seed, augment_stream(epoch, index));
        if let Some(crop) = self.crop {
            let x = rng.random_range(0..=2 * crop.pad);
            let y = rng.random_range(0..=2 * crop.pad);
            let window = padded_crop(planes, crop.pad, crop.padding, x, y);
            planes.copy_from_slice(&window);
        }
        if self.flip && rng.random_bool(0.5) {
            flip_horizontal(planes);
        }
        if let Some(cutout) = self.cutout {
            let center_x = rng.random_range(0..IMAGE_SIDE);
            let center_y = rng.random_range(0..IMAGE_SIDE);
            cut_out(planes, cutout.size, center_x, center_y);
        }
    }
}

/// The random stream of image `index`'s draw in `epoch`. The top bits keep these
/// streams apart from the shuffling streams (`1 << 32 | epoch`) and the built-in
/// set's image streams.
pub fn augment_stream(epoch: usize, index: usize) -> u64 {
    (2 << 60) | ((epoch as u64 & 0x0fff_ffff) << 32) | (index as u64 & 0xffff_ffff)
}

/// Mirrors an image left-right in place. Flipping twice gives the image back.
pub fn flip_horizontal(planes: &mut [u8]) {
    for row in planes.chunks_exact_mut(IMAGE_SIDE) {
        row.reverse();
    }
}

/// The 32x32 window whose top-left corner is at `(x, y)` in the image padded by
/// `pad` pixels on every side; `x` and `y` run from 0 to `2 * pad`, and `(pad, pad)`
/// gives the image back unchanged.
pub fn padded_crop(planes: &[u8], pad: usize, padding: Padding, x: usize, y: usize) -> Vec<u8> {
    assert!(
        x <= 2 * pad && y <= 2 * pad,
        "the window must stay inside the padded image"
    );
    let area = IMAGE_SIDE * IMAGE_SIDE;
    let mut window = vec![0; IMAGE_BYTES];
    for channel in 0..CHANNELS {
        let source = &planes[channel * area..(channel + 1) * area];
        let target = &mut window[channel * area..(channel + 1) * area];
        for row in 0..IMAGE_SIDE {
            let Some(source_row) = source_index(row + y, pad, padding) else {
                continue;
            };
            for column in 0..IMAGE_SIDE {
                if let Some(source_column) = source_index(column + x, pad, padding) {
                    target[row * IMAGE_SIDE + column] =
                        source[source_row * IMAGE_SIDE + source_column];
                }
            }
        }
    }
    window
}

/// Where position `padded` of the padded image comes from in the original, or None
/// for a zero pixel.
fn source_index(padded: usize, pad: usize, padding: Padding) -> Option<usize> {
    let position = padded as isize - pad as isize;
    let last = IMAGE_SIDE as isize - 1;
    if (0..=last).contains(&position) {
        return Some(position as usize);
    }
    match padding {
        Padding::Zero => None,
        Padding::Reflect if position < 0 => Some((-position) as usize),
        Padding::Reflect => Some((2 * last - position) as usize),
    }
}

/// Blanks the `size` x `size` square centred on `(center_x, center_y)`, clipped to
/// the image (for an even size the centre is the lower-right of the middle four).
pub fn cut_out(planes: &mut [u8], size: usize, center_x: usize, center_y: usize) {
    let half = size / 2;
    let columns = center_x.saturating_sub(half)..(center_x + size - half).min(IMAGE_SIDE);
    let rows = center_y.saturating_sub(half)..(center_y + size - half).min(IMAGE_SIDE);
    for plane in planes.chunks_exact_mut(IMAGE_SIDE * IMAGE_SIDE) {
        for row in rows.clone() {
            plane[row * IMAGE_SIDE + columns.start..row * IMAGE_SIDE + columns.end].fill(0);
        }
    }
}

impl FromStr for Augmentation {
    type Err = AugmentError;

    /// Reads a comma-separated list such as `flip,crop`; `none` or nothing is no
    /// augmentation. `crop` pads with zeros, `crop-reflect` with a mirror.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut augmentation = Augmentation::none();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let padded = |padding| {
                Some(Crop {
                    pad: DEFAULT_CROP_PAD,
                    padding,
                })
            };
            match name.to_ascii_lowercase().as_str() {
                "none" => {}
                "flip" => augmentation.flip = true,
                "crop" => augmentation.crop = padded(Padding::Zero),
                "crop-reflect" => augmentation.crop = padded(Padding::Reflect),
                "cutout" => {
                    augmentation.cutout = Some(Cutout {
                        size: DEFAULT_CUTOUT_SIZE,
                    })
                }
                _ => {
                    return Err(AugmentError::Unknown {
                        name: name.to_string(),
                    });
                }
            }
        }
        Ok(augmentation)
    }
}

impl fmt::Display for Augmentation {
    /// The list `FromStr` reads back: `flip,crop`, or `none`. Non-default sizes are
    /// shown in brackets (`crop(pad 2)`), for reading only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Vec::new();
        if self.flip {
            names.push("flip".to_string());
        }
        if let Some(crop) = self.crop {
            let name = match crop.padding {
                Padding::Zero => "crop",
                Padding::Reflect => "crop-reflect",
            };
            names.push(if crop.pad == DEFAULT_CROP_PAD {
                name.to_string()
            } else {
                format!("{name}(pad {})", crop.pad)
            });
        }
        if let Some(cutout) = self.cutout {
            names.push(if cutout.size == DEFAULT_CUTOUT_SIZE {
                "cutout".to_string()
            } else {
                format!("cutout(size {})", cutout.size)
            });
        }
        if names.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&names.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn image(seed: u8) -> Vec<u8> {
        (0..IMAGE_BYTES)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    fn pixel(planes: &[u8], channel: usize, row: usize, column: usize) -> u8 {
        planes[channel * IMAGE_SIDE * IMAGE_SIDE + row * IMAGE_SIDE + column]
    }

    proptest! {
        #[test]
        fn a_flip_twice_is_the_identity(seed in any::<u8>()) {
            let original = image(seed);
            let mut flipped = original.clone();
            flip_horizontal(&mut flipped);
            prop_assert_ne!(&flipped, &original);
            prop_assert_eq!(pixel(&flipped, 1, 3, 0), pixel(&original, 1, 3, 31));
            flip_horizontal(&mut flipped);
            prop_assert_eq!(flipped, original);
        }

        #[test]
        fn a_crop_window_stays_inside_the_padded_image(
            pad in 1usize..=16, reflect in any::<bool>(), seed in any::<u64>(),
            epoch in 1usize..100, index in 0usize..100_000,
        ) {
            let padding = if reflect { Padding::Reflect } else { Padding::Zero };
            let augmentation = Augmentation::none().with_crop(Some(Crop { pad, padding }));
            // A white image: with zero padding, the white part of the crop is where the
            // window overlaps the image, so a window shifted by more than `pad` (outside
            // the padded image) would show less white than (32 - pad)^2.
            let white = vec![255u8; IMAGE_BYTES];
            let mut cropped = white.clone();
            augmentation.apply(&mut cropped, seed, epoch, index);
            if padding == Padding::Zero {
                let lit = cropped.iter().filter(|&&v| v == 255).count() / CHANNELS;
                prop_assert!(lit >= (IMAGE_SIDE - pad).pow(2), "{lit} pixels of the image kept");
            } else {
                prop_assert_eq!(&cropped, &white);
            }
            // The crop of a patterned image is one of the (2 pad + 1)^2 windows.
            let original = image(seed as u8);
            let mut planes = original.clone();
            augmentation.apply(&mut planes, seed, epoch, index);
            let windows = (0..=2 * pad)
                .flat_map(|x| (0..=2 * pad).map(move |y| (x, y)))
                .filter(|&(x, y)| padded_crop(&original, pad, padding, x, y) == planes)
                .count();
            prop_assert!(windows >= 1);
            prop_assert_eq!(padded_crop(&original, pad, padding, pad, pad), original);
        }

        #[test]
        fn the_same_seed_gives_the_same_image(
            seed in any::<u64>(), epoch in 1usize..1000, index in 0usize..50_000,
        ) {
            let augmentation = Augmentation::flip_and_crop()
                .with_cutout(Some(Cutout { size: DEFAULT_CUTOUT_SIZE }));
            let draw = |seed, epoch, index| {
                let mut planes = image(7);
                augmentation.apply(&mut planes, seed, epoch, index);
                planes
            };
            prop_assert_eq!(draw(seed, epoch, index), draw(seed, epoch, index));
        }
    }

    #[test]
    fn draws_differ_between_epochs_and_images() {
        let augmentation = Augmentation::flip_and_crop();
        let draws: Vec<Vec<u8>> = (0..8)
            .map(|epoch| {
                let mut planes = image(3);
                augmentation.apply(&mut planes, 42, epoch, 0);
                planes
            })
            .collect();
        assert!(draws.iter().any(|d| *d != draws[0]));
        // Each image has its own stream: different indices in one epoch draw differently.
        let distinct = (0..16)
            .map(|index| {
                let mut planes = image(3);
                augmentation.apply(&mut planes, 42, 0, index);
                planes
            })
            .collect::<std::collections::HashSet<_>>();
        assert!(distinct.len() > 8, "{} distinct draws", distinct.len());
    }

    #[test]
    fn threads_do_not_change_the_draws() {
        use rayon::prelude::*;
        let augmentation = Augmentation::flip_and_crop().with_cutout(Some(Cutout {
            size: DEFAULT_CUTOUT_SIZE,
        }));
        let draw = |index: usize| {
            let mut planes = image(index as u8);
            augmentation.apply(&mut planes, 5, 3, index);
            planes
        };
        let in_order: Vec<Vec<u8>> = (0..256).map(draw).collect();
        let in_parallel: Vec<Vec<u8>> = (0..256).into_par_iter().rev().map(draw).collect();
        let mut in_parallel = in_parallel;
        in_parallel.reverse();
        assert_eq!(in_parallel, in_order);
    }

    #[test]
    fn flips_happen_about_half_the_time() {
        let augmentation = Augmentation::none().with_flip(true);
        let original = image(1);
        let flipped = (0..2000)
            .filter(|&index| {
                let mut planes = original.clone();
                augmentation.apply(&mut planes, 9, 1, index);
                planes != original
            })
            .count();
        assert!((850..1150).contains(&flipped), "{flipped} of 2000 flipped");
    }

    #[test]
    fn reflect_padding_mirrors_the_edge_and_zero_padding_is_black() {
        let original = image(5);
        let zero = padded_crop(&original, 4, Padding::Zero, 0, 0);
        assert_eq!(pixel(&zero, 0, 3, 3), 0);
        assert_eq!(pixel(&zero, 2, 4, 4), pixel(&original, 2, 0, 0));
        let reflect = padded_crop(&original, 4, Padding::Reflect, 0, 0);
        // Padded position 3 is one before the edge: it mirrors original position 1.
        assert_eq!(pixel(&reflect, 0, 3, 4), pixel(&original, 0, 1, 0));
        assert_eq!(pixel(&reflect, 0, 0, 4), pixel(&original, 0, 4, 0));
        let right = padded_crop(&original, 4, Padding::Reflect, 8, 8);
        // Window column 28 is padded column 36, one past the right edge (31): column 30.
        assert_eq!(pixel(&right, 1, 27, 28), pixel(&original, 1, 31, 30));
    }

    #[test]
    fn cutout_blanks_a_clipped_square_in_every_channel() {
        let mut planes = vec![200u8; IMAGE_BYTES];
        cut_out(&mut planes, 8, 0, 31);
        let blank = planes.iter().filter(|&&v| v == 0).count();
        // Columns 0..4 and rows 27..32: 4 x 5 pixels, three channels.
        assert_eq!(blank, 4 * 5 * 3);
        assert_eq!(pixel(&planes, 2, 27, 3), 0);
        assert_eq!(pixel(&planes, 0, 26, 3), 200);
    }

    #[test]
    fn names_parse_and_print_back() {
        let parsed: Augmentation = "flip,crop".parse().unwrap();
        assert_eq!(parsed, Augmentation::flip_and_crop());
        assert_eq!(parsed.to_string(), "flip,crop");
        for list in ["none", "flip", "crop-reflect,cutout", "flip,crop,cutout"] {
            let augmentation: Augmentation = list.parse().unwrap();
            assert_eq!(augmentation.to_string(), list);
        }
        assert!("".parse::<Augmentation>().unwrap().is_none());
        let message = "flip,rotate"
            .parse::<Augmentation>()
            .unwrap_err()
            .to_string();
        assert!(message.contains("`rotate`") && message.contains("crop-reflect, cutout"));
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        let big = Augmentation::none().with_crop(Some(Crop {
            pad: 40,
            padding: Padding::Zero,
        }));
        assert!(big.validate().unwrap_err().to_string().contains("crop pad"));
        let empty = Augmentation::none().with_cutout(Some(Cutout { size: 0 }));
        assert!(empty.validate().is_err());
        assert!(Augmentation::flip_and_crop().validate().is_ok());
    }

    #[test]
    fn settings_round_trip_through_json() {
        let augmentation = Augmentation::flip_and_crop();
        let json = serde_json::to_string(&augmentation).unwrap();
        assert_eq!(
            json,
            r#"{"flip":true,"crop":{"pad":4,"padding":"zero"},"cutout":null}"#
        );
        assert_eq!(
            serde_json::from_str::<Augmentation>(&json).unwrap(),
            augmentation
        );
    }
}
