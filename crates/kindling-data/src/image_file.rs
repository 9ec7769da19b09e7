//! Reading one image file and preparing it for a model: the single place that turns
//! a picture into Kindling's 32x32 colour planes, used by the photo-folder loader
//! (training) and by prediction, so a model always sees images prepared one way.
//!
//! How an image is prepared:
//! 1. decoded by the `image` crate, whatever the format (PNG, JPEG, GIF, BMP, WebP,
//!    TIFF, PNM, TGA, ICO, QOI), the format read from the file's first bytes, not its name;
//! 2. resized to 32x32 by stretching with a triangle (bilinear) filter: the whole
//!    picture is kept, not cropped, so a wide photo is squeezed sideways; a 32x32
//!    image is kept exactly as it is;
//! 3. converted to 8-bit RGB: grayscale is copied to all three channels, palette
//!    colours are looked up, 16-bit values are scaled to 8 bits, and an alpha channel
//!    is dropped (transparent pixels keep the colour stored under them).

use std::path::Path;

use image::imageops::FilterType;
use image::{DynamicImage, ImageError, ImageReader, Limits};

use crate::error::DataError;
use crate::image_set::{IMAGE_SIDE, rgb_to_planes};

/// The longest side, in pixels, Kindling agrees to decode.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// The most pixels Kindling agrees to decode: 64 megapixels (an 8000x8000 photo).
pub const MAX_IMAGE_PIXELS: u64 = 64 * 1024 * 1024;
/// The memory a decoder may use for one image.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Reads an image file and returns it prepared for a model: 32x32, RGB, in
/// CIFAR-10's plane layout (see the module's documentation for each step).
///
/// Refused with a message naming the file and the fix: a folder, an empty file, a
/// file that is not an image or is cut short, and an image too large to decode
/// safely (its size is read from its header before anything is decoded).
pub fn read_image(path: &Path) -> Result<Vec<u8>, DataError> {
    let metadata = std::fs::metadata(path).map_err(|e| DataError::io(path, e))?;
    if metadata.is_dir() {
        return Err(DataError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if metadata.len() == 0 {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let not_an_image = |error: ImageError| match error {
        ImageError::Limits(_) => DataError::ImageTooLarge {
            path: path.to_path_buf(),
            width: None,
            height: None,
        },
        other => DataError::NotAnImage {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    };
    let (width, height) = reader(path)?.into_dimensions().map_err(not_an_image)?;
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(DataError::ImageTooLarge {
            path: path.to_path_buf(),
            width: Some(width),
            height: Some(height),
        });
    }
    let mut reader = reader(path)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(not_an_image)?;
    Ok(prepare_image(&image))
}

/// Resizes a decoded image to 32x32 (stretching, triangle filter; a 32x32 image
/// is left as it is), converts it to 8-bit RGB and returns CIFAR-10's plane layout.
pub fn prepare_image(image: &DynamicImage) -> Vec<u8> {
    let side = IMAGE_SIDE as u32;
    let rgb = if image.width() == side && image.height() == side {
        image.to_rgb8()
    } else {
        image
            .resize_exact(side, side, FilterType::Triangle)
            .to_rgb8()
    };
    rgb_to_planes(rgb.as_raw())
}

fn reader(path: &Path) -> Result<ImageReader<std::io::BufReader<std::fs::File>>, DataError> {
    ImageReader::open(path)
        .map_err(|e| DataError::io(path, e))?
        .with_guessed_format()
        .map_err(|e| DataError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_set::{IMAGE_BYTES, planes_to_rgb};
    use image::{ImageBuffer, Luma, LumaA, Rgb, Rgba};

    fn save(dir: &Path, name: &str, image: DynamicImage) -> std::path::PathBuf {
        let path = dir.join(name);
        image.save(&path).unwrap();
        path
    }

    #[test]
    fn a_32x32_rgb_image_comes_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let planes: Vec<u8> = (0..IMAGE_BYTES).map(|i| (i * 7 % 256) as u8).collect();
        let rgb = ImageBuffer::<Rgb<u8>, _>::from_raw(32, 32, planes_to_rgb(&planes)).unwrap();
        let path = save(dir.path(), "exact.png", DynamicImage::ImageRgb8(rgb));
        assert_eq!(read_image(&path).unwrap(), planes);
    }

    #[test]
    fn grayscale_rgba_16_bit_and_palette_images_become_rgb() {
        let dir = tempfile::tempdir().unwrap();
        let gray = ImageBuffer::from_pixel(64, 48, Luma([100u8]));
        let gray = read_image(&save(dir.path(), "g.png", DynamicImage::ImageLuma8(gray))).unwrap();
        assert!(
            gray.iter().all(|&v| v == 100),
            "gray copied to each channel"
        );

        let rgba = ImageBuffer::from_pixel(10, 20, Rgba([10u8, 20, 30, 0]));
        let rgba = read_image(&save(dir.path(), "a.png", DynamicImage::ImageRgba8(rgba))).unwrap();
        assert_eq!((rgba[0], rgba[1024], rgba[2048]), (10, 20, 30));

        let deep = ImageBuffer::from_pixel(40, 40, Rgb([65535u16, 0, 32896]));
        let deep = read_image(&save(dir.path(), "d.png", DynamicImage::ImageRgb16(deep))).unwrap();
        assert_eq!((deep[0], deep[1024], deep[2048]), (255, 0, 128));

        let gray_alpha = ImageBuffer::from_pixel(5, 5, LumaA([7u16, 9]));
        let path = save(dir.path(), "ga.png", DynamicImage::ImageLumaA16(gray_alpha));
        assert_eq!(read_image(&path).unwrap().len(), IMAGE_BYTES);

        // A GIF is stored with a palette: its colours are looked up.
        let red = ImageBuffer::from_pixel(33, 31, Rgba([255u8, 0, 0, 255]));
        let gif = read_image(&save(dir.path(), "p.gif", DynamicImage::ImageRgba8(red))).unwrap();
        assert!(gif[0] > 240 && gif[1024] < 15 && gif[2048] < 15);
    }

    #[test]
    fn a_wide_image_is_stretched_not_cropped() {
        let dir = tempfile::tempdir().unwrap();
        // Left half black, right half white: after stretching, both halves stay.
        let wide = ImageBuffer::from_fn(128, 32, |x, _| Rgb([if x < 64 { 0u8 } else { 255 }; 3]));
        let planes = read_image(&save(dir.path(), "w.png", DynamicImage::ImageRgb8(wide))).unwrap();
        assert_eq!(planes[0], 0);
        assert_eq!(planes[31], 255);
    }

    #[test]
    fn bad_files_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.png");
        std::fs::write(&text, "not a picture").unwrap();
        let empty = dir.path().join("empty.jpg");
        std::fs::write(&empty, "").unwrap();
        let good = save(
            dir.path(),
            "good.png",
            DynamicImage::ImageRgb8(ImageBuffer::from_pixel(64, 64, Rgb([1u8, 2, 3]))),
        );
        let bytes = std::fs::read(&good).unwrap();
        let truncated = dir.path().join("cut.png");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let jpeg = save(
            dir.path(),
            "good.jpg",
            DynamicImage::ImageRgb8(ImageBuffer::from_pixel(64, 64, Rgb([1u8, 2, 3]))),
        );
        let bytes = std::fs::read(&jpeg).unwrap();
        let truncated_jpeg = dir.path().join("cut.jpg");
        std::fs::write(&truncated_jpeg, &bytes[..bytes.len() / 3]).unwrap();

        for (path, words) in [
            (&text, "is not an image"),
            (&empty, "is empty"),
            (&truncated, "is not an image"),
            (&truncated_jpeg, "is not an image"),
            (&dir.path().to_path_buf(), "is a folder"),
        ] {
            let message = read_image(path).unwrap_err().to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(words), "{message}");
            assert!(message.contains("Fix:"), "{message}");
            assert!(!message.contains("convert it to PNG or JPEG"), "{message}");
        }
    }

    #[test]
    fn an_image_too_large_to_decode_is_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.png");
        std::fs::write(&path, png_header(100_000, 100_000)).unwrap();
        let message = read_image(&path).unwrap_err().to_string();
        assert!(message.contains("100000x100000"), "{message}");
        assert!(message.contains("shrink"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
    }

    /// A PNG with a header but no pixels: enough to give its size.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [(b"IHDR", header.as_slice()), (b"IDAT", &[]), (b"IEND", &[])] {
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            png.extend_from_slice(&crc.sum().to_be_bytes());
        }
        png
    }
}
