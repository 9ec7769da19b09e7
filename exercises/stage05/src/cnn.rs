//! Part 4: `fit` on the baseline CNN, with validation, a saved history and charts.

use std::path::Path;

use anyhow::Result;
// You will need: use kindling::charts::{accuracy_chart, loss_chart, metrics_grid};
use kindling::data::load_splits;
use kindling::models::{ImageModel, ModelKind, init_seeded};
use kindling::train::{FitConfig, History, ImageData, fit};
use kindling_course::StageArgs;
use kindling_course::facts::stage05::{
    CNN_BATCH_SIZE, CNN_EPOCHS, CNN_LEARNING_RATE, cnn_split_sizes,
};

// ANCHOR: fit
/// Trains the baseline CNN for 10 epochs (5,000 images; 1,000 in the checker's
/// run, validated on 1,000; 200) and returns the trained model and its history.
pub fn train_cnn(args: &StageArgs) -> Result<(ImageModel, History)> {
    let splits = load_splits(&args.dataset, cnn_split_sizes(args.profile), args.seed)?;
    let normalization = splits.normalization();
    let train = ImageData::new(&splits.train, normalization);
    let valid = ImageData::new(&splits.validation, normalization);

    let (_, device) = kindling::choose_device(None)?;
    let classes = splits.class_names().len();
    let model = init_seeded(&device, args.seed, |device| {
        ModelKind::BaselineCnn.init(classes, device)
    });
    let config = FitConfig::default()
        .with_epochs(CNN_EPOCHS)
        .with_batch_size(CNN_BATCH_SIZE)
        .with_learning_rate(CNN_LEARNING_RATE)
        .with_seed(args.seed);
    let (model, history) = fit(model, &train, Some(&valid), &config)?;
    Ok((model, history))
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
