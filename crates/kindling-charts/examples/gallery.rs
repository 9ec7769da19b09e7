//! Renders one of every chart into a folder, to look at them:
//! `cargo run -p kindling-charts --example gallery -- [folder] [png|svg]`
//! (default folder `target/chart-gallery`, default format png).

use std::path::PathBuf;

use kindling_charts::{
    ChartError, GridImage, Rgb, XyChart, accuracy_chart, confusion_heatmap, image_grid, loss_chart,
    metrics_grid, overlay_chart, top_k_bars,
};
use kindling_train::history::History;

/// A plausible 20-epoch run: training keeps improving, validation flattens out.
fn history() -> History {
    let mut history = History::new();
    for epoch in 1..=20 {
        let t = epoch as f64;
        history.push_epoch([
            ("loss", 2.3 * (-0.12 * t).exp() + 0.25),
            ("accuracy", 0.9 - 0.75 * (-0.15 * t).exp()),
            ("val_loss", 2.2 * (-0.15 * t).exp() + 0.55 + 0.01 * t),
            ("val_accuracy", 0.74 - 0.6 * (-0.2 * t).exp()),
            ("lr", 1e-3 * 0.9f64.powi(epoch - 1)),
        ]);
    }
    history
}

/// A 32x32 picture: a coloured disc on a gradient, different per `seed`.
fn picture(seed: u8) -> Vec<u8> {
    let mut pixels = Vec::with_capacity(32 * 32 * 3);
    for y in 0..32i32 {
        for x in 0..32i32 {
            let inside = (x - 16).pow(2) + (y - 14).pow(2) < 90;
            let shade = (y * 6) as u8;
            pixels.extend_from_slice(&if inside {
                [
                    seed.wrapping_mul(53),
                    200 - seed * 20,
                    seed.wrapping_mul(97),
                ]
            } else {
                [120 + shade / 2, 150 + shade / 3, 200 - shade / 2]
            });
        }
    }
    pixels
}

fn main() -> Result<(), ChartError> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(args.next().unwrap_or("target/chart-gallery".into()));
    let ext = args.next().unwrap_or("png".into());
    std::fs::create_dir_all(&folder).expect("create the gallery folder");
    let out = |name: &str| folder.join(format!("{name}.{ext}"));

    let history = history();
    accuracy_chart(&history, out("accuracy"))?;
    loss_chart(&history, out("loss"), false)?;
    loss_chart(&history, out("loss_log"), true)?;
    metrics_grid(&history, &["loss", "accuracy", "lr"], out("grid"))?;

    let runs = [
        (
            "lr=1e-5",
            (1..=10).map(|e| 2.3 - 0.01 * e as f64).collect::<Vec<_>>(),
        ),
        (
            "lr=1e-3",
            (1..=10)
                .map(|e| 2.3 * (-0.2 * e as f64).exp() + 0.3)
                .collect(),
        ),
        (
            "lr=1e-1 (diverged at epoch 4)",
            vec![2.4, 3.1, 8.5, f64::NAN, f64::NAN],
        ),
    ];
    overlay_chart("Loss by learning rate", "loss", &runs, true, out("overlay"))?;

    let finder: Vec<(f64, f64)> = (0..60)
        .map(|i| {
            let lr = 1e-6 * 10f64.powf(i as f64 / 11.0);
            let loss = 2.3 - 1.2 / (1.0 + (-(lr.log10() + 3.5) * 2.0).exp())
                + if lr > 0.02 { (lr * 12.0).powi(2) } else { 0.0 };
            (lr, loss)
        })
        .collect();
    XyChart::new("Learning-rate finder", "learning rate", "loss")
        .with_series("loss", finder)
        .with_log_x(true)
        .with_marker(3e-3, "suggested lr = 3e-3")
        .save(out("lr_finder"))?;

    let names: Vec<String> = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]
    .map(String::from)
    .to_vec();
    let counts: Vec<Vec<u64>> = (0..10)
        .map(|t| {
            (0..10)
                .map(|p| {
                    if t == p {
                        700 + 20 * t
                    } else {
                        ((t * 7 + p * 3) % 11) * 6
                    }
                })
                .collect()
        })
        .collect();
    confusion_heatmap(&counts, &names, false, out("confusion"))?;
    confusion_heatmap(&counts, &names, true, out("confusion_normalized"))?;

    let images: Vec<GridImage> = (0..10u8)
        .map(|i| {
            let image = GridImage::new(picture(i), 32, 32, names[i as usize].clone());
            if i % 4 == 3 {
                GridImage {
                    caption: format!("{}\npredicted: dog", names[i as usize]),
                    ..image
                }
                .with_highlight(Rgb::RED)
            } else {
                image
            }
        })
        .collect();
    image_grid(&images, 5, out("images"))?;

    top_k_bars(
        &["cat", "dog", "deer", "frog", "bird"],
        &[0.712, 0.201, 0.051, 0.03, 0.006],
        "Top 5 guesses",
        out("top_k"),
    )?;
    println!("charts written to {}", folder.display());
    Ok(())
}
