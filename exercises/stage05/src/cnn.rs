//! Part 4: `fit` on the baseline CNN, with validation, a saved history and charts.

use std::path::Path;

use anyhow::Result;
// You will need: use kindling::charts::{accuracy_chart, loss_chart, metrics_grid};
use kindling::data::{SplitSizes, load_splits};
use kindling::models::{ModelKind, init_seeded};
use kindling::train::{FitConfig, History, ImageData, fit};
use kindling_course::StageArgs;

// ANCHOR: fit
/// Trains the baseline CNN for 10 epochs and returns its history.
pub fn train_cnn(args: &StageArgs) -> Result<History> {
    let sizes = SplitSizes {
        train: Some(args.profile.pick(5_000, 1_000)),
        validation: Some(args.profile.pick(1_000, 200)),
        test: Some(0),
    };
    let splits = load_splits(&args.dataset, sizes, args.seed)?;
    let normalization = splits.normalization();
    let train = ImageData::new(&splits.train, normalization);
    let valid = ImageData::new(&splits.validation, normalization);

    let (_, device) = kindling::choose_device(None)?;
    let classes = splits.class_names().len();
    let model = init_seeded(&device, args.seed, |device| {
        ModelKind::BaselineCnn.init(classes, device)
    });
    let config = FitConfig::default()
        .with_epochs(10)
        .with_batch_size(32)
        .with_learning_rate(1e-3)
        .with_seed(args.seed);
    let (_model, history) = fit(model, &train, Some(&valid), &config)?;
    Ok(history)
}
// ANCHOR_END: fit

// ANCHOR: save
/// Keeps the evidence: the history as JSON and CSV, and the charts.
pub fn save_results(history: &History, out: &Path) -> Result<()> {
    // TODO: save the history (history.json and history.csv) and draw the
    // charts: accuracy.png, loss.png, loss_log.png (log scale) and
    // metrics.png (loss and accuracy side by side).
    let _ = (history, out);
    Ok(())
}
// ANCHOR_END: save
