//! `kindling predict`, end to end on a tiny trained run: any image format, JSON and
//! charts, the probabilities evaluation would give, and every bad input refused.

mod support;

use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageBuffer, Luma, Rgb, Rgba};
use kindling::burn::prelude::Device;
use kindling::data::image_set::planes_to_rgb;
use kindling::data::{DataSource, SplitSizes, load_splits};
use kindling::train::{TrainedRun, predict_set};
use serde_json::Value;
use support::{assert_fails_with, assert_png, entries, kindling, stderr, stdout};

/// Trains a tiny linear run into `dir/run` (seed 42, the default).
fn train_tiny(dir: &Path) -> PathBuf {
    let args = [
        "train",
        "--out",
        "run",
        "--quiet",
        "--train-size",
        "100",
        "--val-size",
        "20",
        "--epochs",
        "1",
        "--model",
        "linear",
    ];
    let output = kindling(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    dir.join("run")
}

fn save(dir: &Path, name: &str, image: DynamicImage) -> String {
    image.save(dir.join(name)).unwrap();
    name.to_string()
}

#[test]
fn images_of_any_format_get_probabilities_like_an_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let run = train_tiny(dir.path());
    // The first training image, as training saw it.
    let sizes = SplitSizes {
        train: Some(100),
        validation: Some(20),
        test: Some(0),
    };
    let train = load_splits(&DataSource::Builtin, sizes, 42).unwrap().train;
    let first = ImageBuffer::<Rgb<u8>, _>::from_raw(32, 32, planes_to_rgb(train.image(0))).unwrap();
    let images = [
        save(dir.path(), "train-0.png", DynamicImage::ImageRgb8(first)),
        save(
            dir.path(),
            "photo.jpg",
            DynamicImage::ImageRgb8(ImageBuffer::from_fn(300, 200, |x, y| {
                Rgb([(x % 256) as u8, (y % 256) as u8, 90])
            })),
        ),
        save(
            dir.path(),
            "gray16.png",
            DynamicImage::ImageLuma16(ImageBuffer::from_pixel(50, 70, Luma([40_000u16]))),
        ),
        save(
            dir.path(),
            "alpha.png",
            DynamicImage::ImageRgba8(ImageBuffer::from_pixel(64, 64, Rgba([200u8, 30, 30, 128]))),
        ),
        save(
            dir.path(),
            "palette.gif",
            DynamicImage::ImageRgba8(ImageBuffer::from_pixel(40, 40, Rgba([0u8, 0, 255, 255]))),
        ),
    ];
    let mut args = vec!["predict", "run", "--json"];
    args.extend(images.iter().map(String::as_str));
    let output = kindling(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["model"], "linear");
    let predictions = json["predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), images.len());
    for (prediction, image) in predictions.iter().zip(&images) {
        assert_eq!(prediction["image"], image.as_str());
        let top = prediction["top"].as_array().unwrap();
        assert_eq!(top.len(), 3, "top 3 by default");
        let p: Vec<f64> = top
            .iter()
            .map(|t| t["probability"].as_f64().unwrap())
            .collect();
        assert!(p[0] >= p[1] && p[1] >= p[2], "{p:?}");
        let all: Vec<f64> = prediction["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(all.len(), 10);
        let sum: f64 = all.iter().sum();
        assert!(sum <= 1.0 + 1e-6 && sum > 0.999, "softmax sums to {sum}");
        let best = top[0]["class"].as_u64().unwrap() as usize;
        assert_eq!(top[0]["name"], json["class_names"][best]);
        assert_eq!(top[0]["probability"].as_f64(), Some(all[best]));
    }

    // The training image gets what an evaluation of the run gives it: the same
    // pixels and the same model, so the same numbers up to the float rounding that
    // differs between batches of different sizes (about 1e-7 here).
    let device = Device::flex();
    let loaded = TrainedRun::load(&run, &device).unwrap();
    let evaluated = predict_set(&loaded.model, &train, loaded.config.normalization, &device);
    let predicted: Vec<f64> = predictions[0]["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (p, q) in predicted.iter().zip(evaluated.row(0)) {
        assert!((p - q).abs() < 1e-5, "{p} vs {q}");
    }

    // Text, --top, and one chart per image.
    let output = kindling(
        dir.path(),
        &[
            "predict", "run", &images[0], &images[1], "--top", "5", "--chart", "top.png",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("train-0.png\n  1. ") && text.contains("  5. "),
        "{text}"
    );
    assert!(!text.contains("  6. "), "{text}");
    assert!(text.contains('%'), "{text}");
    assert_png(&dir.path().join("top-1.png"));
    assert_png(&dir.path().join("top-2.png"));
    let single = kindling(
        dir.path(),
        &["predict", "run", &images[2], "--chart", "one.svg"],
    );
    assert!(single.status.success(), "{}", stderr(&single));
    assert!(
        std::fs::read_to_string(dir.path().join("one.svg"))
            .unwrap()
            .contains("<svg")
    );
}

#[test]
fn bad_images_and_settings_are_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    train_tiny(dir.path());
    let good = save(
        dir.path(),
        "good.png",
        DynamicImage::ImageRgb8(ImageBuffer::from_pixel(64, 64, Rgb([9u8, 9, 9]))),
    );
    std::fs::write(dir.path().join("notes.png"), "just text").unwrap();
    std::fs::write(dir.path().join("empty.jpg"), "").unwrap();
    let bytes = std::fs::read(dir.path().join(&good)).unwrap();
    std::fs::write(dir.path().join("cut.png"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(dir.path().join("huge.png"), png_header(90_000, 90_000)).unwrap();
    std::fs::create_dir(dir.path().join("album")).unwrap();
    std::fs::create_dir(dir.path().join("unfinished")).unwrap();
    std::fs::copy(
        dir.path().join("run/config.json"),
        dir.path().join("unfinished/config.json"),
    )
    .unwrap();

    let cases: [(&[&str], &[&str]); 10] = [
        (
            &["run", "notes.png"],
            &["notes.png", "is not an image", "Fix:"],
        ),
        (&["run", "empty.jpg"], &["empty.jpg", "is empty", "Fix:"]),
        (&["run", "cut.png"], &["cut.png", "is not an image", "Fix:"]),
        (
            &["run", "huge.png"],
            &["huge.png", "90000x90000", "shrink it"],
        ),
        (&["run", "album"], &["album", "is a folder", "Fix:"]),
        (&["run", "missing.png"], &["missing.png"]),
        (
            &["run", "good.png", "--top", "0"],
            &["--top 0", "at least 1"],
        ),
        (
            &["run", "good.png", "--top", "11"],
            &["--top 11", "10 classes", "--top 3"],
        ),
        (
            &["unfinished", "good.png"],
            &["has no model.bpk", "kindling train"],
        ),
        (&["nowhere", "good.png"], &["has no config.json", "Fix:"]),
    ];
    for (args, phrases) in cases {
        let mut all = vec!["predict"];
        all.extend(args);
        all.extend(["--chart", "chart.png"]);
        assert_fails_with(&kindling(dir.path(), &all), phrases);
    }
    // A bad image among good ones: nothing predicted, no chart written.
    let mixed = kindling(
        dir.path(),
        &[
            "predict",
            "run",
            "good.png",
            "notes.png",
            "--chart",
            "chart.png",
        ],
    );
    assert_fails_with(&mixed, &["notes.png"]);
    assert!(stdout(&mixed).is_empty());
    assert!(
        !entries(dir.path())
            .iter()
            .any(|name| name.starts_with("chart"))
    );
}

/// A PNG with a header but no pixels: enough to give its size.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header.as_slice()), (b"IDAT", &[]), (b"IEND", &[])] {
        let mut crc = Crc32::default();
        crc.update(kind);
        crc.update(data);
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    png
}

/// CRC-32 as PNG chunks use it (bitwise; these chunks are tiny).
#[derive(Default)]
struct Crc32 {
    value: u32,
}

impl Crc32 {
    fn update(&mut self, bytes: &[u8]) {
        let mut crc = !self.value;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        self.value = !crc;
    }

    fn sum(&self) -> u32 {
        self.value
    }
}
