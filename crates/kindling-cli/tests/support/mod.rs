//! Running the `kindling` program in a scratch folder.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `kindling` with `args` in `dir`, with no device or data settings inherited.
pub fn kindling(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(args)
        .current_dir(dir)
        .env_remove("KINDLING_DEVICE")
        .env("KINDLING_DATA", dir.join("cache"))
        .output()
        .expect("the kindling program runs")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts a clean failure: exit code 1, no panic, and every expected phrase in the message.
pub fn assert_fails_with(output: &Output, phrases: &[&str]) {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    for phrase in phrases {
        assert!(message.contains(phrase), "missing `{phrase}` in: {message}");
    }
}

/// Every entry of a folder, sorted.
#[allow(dead_code)] // Not every test file lists folders.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|read| {
            read.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Writes a small input file into the scratch folder.
#[allow(dead_code)] // Only the toolkit tests write their own inputs.
pub fn write_file(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("the scratch folder is writable");
}

/// Asserts that `path` is a PNG file that decodes to a picture of a usable size;
/// returns its (width, height).
#[allow(dead_code)] // Only the chart-writing tests look at pictures.
pub fn assert_png(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    assert_eq!(
        image::guess_format(&bytes).ok(),
        Some(image::ImageFormat::Png),
        "{} is not a PNG",
        path.display()
    );
    let picture = image::load_from_memory(&bytes)
        .unwrap_or_else(|error| panic!("{} does not decode: {error}", path.display()));
    assert!(picture.width() >= 160 && picture.height() >= 120);
    (picture.width(), picture.height())
}
