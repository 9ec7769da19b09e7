//! Parts 4 and 5: `fit` on the baseline CNN for 10 epochs, with validation, a
//! saved history and charts; then the same run trained on, with early stopping
//! that watches the validation loss and keeps the best epoch's weights.

use std::path::Path;

use anyhow::Result;
use kindling::charts::{accuracy_chart, loss_chart, metrics_grid};
use kindling::data::{Splits, load_splits};
use kindling::models::{ImageModel, ModelKind, init_seeded, save_model};
use kindling::train::callbacks::EarlyStopping;
use kindling::train::{Checkpoint, FitConfig, History, ImageData, fit_with, resume_with};
use kindling_course::facts::stage05::{
    BEST_MODEL_FILE, CNN_BATCH_SIZE, CNN_EPOCHS, CNN_LEARNING_RATE, CNN_MAX_EPOCHS, HISTORY_FILE,
    LONGER_HISTORY_FILE, MODEL_FILE, cnn_split_sizes,
};
// [solution]
use kindling_course::facts::stage05::CNN_PATIENCE;
// [exercise]
// // You will need: use kindling_course::facts::stage05::CNN_PATIENCE;
// [end]
use kindling_course::{StageArgs, StageReport};

// ANCHOR: part4
/// Part 4: the baseline, trained for 10 epochs.
pub fn part_4(args: &StageArgs, out: &Path) -> Result<()> {
    let piles = Piles::load(args)?;
    let (model, history) = train_baseline(args, &piles, out)?;
    save_results(&history, out)?;
    // The checker loads the model and measures its validation accuracy itself.
    save_model(&model, &out.join(MODEL_FILE))?;
    Ok(())
}
// ANCHOR_END: part4

// ANCHOR: part5
/// Part 5: the longer run, going on from the baseline's checkpoint.
pub fn part_5(args: &StageArgs, out: &Path, report: &mut StageReport) -> Result<()> {
    let piles = Piles::load(args)?;
    let (best_model, longer, early) = train_longer(args, &piles, out)?;
    longer.save_json(&out.join(LONGER_HISTORY_FILE))?;
    metrics_grid(
        &longer,
        &["loss", "accuracy"],
        out.join("longer_metrics.png"),
    )?;
    save_model(&best_model, &out.join(BEST_MODEL_FILE))?;
    let best_epoch = early.best().map(|(epoch, _)| epoch);
    match (early.stopped_epoch(), best_epoch) {
        (Some(stopped), Some(best)) => println!(
            "Early stopping ended the longer run after epoch {stopped}; the lowest validation loss was at epoch {best}, and best_model.bpk holds that epoch's weights."
        ),
        _ => println!(
            "The longer run trained all {} epochs without stopping early.",
            longer.epochs()
        ),
    }
    report.set("longer_best_epoch", best_epoch);
    report.set("longer_stopped_after", early.stopped_epoch());
    Ok(())
}
// ANCHOR_END: part5

/// The CNN's images, loaded as stage 3 taught: 5,000 training and 1,000
/// validation images (1,000 and 200 in the checker's run), and no test images:
/// the sealed test set waits for stage 6.
pub struct Piles {
    splits: Splits,
}

impl Piles {
    /// Loads the two piles.
    pub fn load(args: &StageArgs) -> Result<Piles> {
        let splits = load_splits(&args.dataset, cnn_split_sizes(args.profile), args.seed)?;
        Ok(Piles { splits })
    }

    /// Training and validation images, both normalised with the statistics of
    /// the training images.
    pub fn data(&self) -> (ImageData<'_>, ImageData<'_>) {
        let normalization = self.splits.normalization();
        (
            ImageData::new(&self.splits.train, normalization),
            ImageData::new(&self.splits.validation, normalization),
        )
    }

    /// How many classes there are.
    pub fn classes(&self) -> usize {
        self.splits.class_names().len()
    }
}

/// A fresh baseline CNN, its starting weights drawn from the seed.
fn new_model(args: &StageArgs, classes: usize) -> Result<ImageModel> {
    let (_, device) = kindling::choose_device(None)?;
    Ok(init_seeded(&device, args.seed, |device| {
        ModelKind::BaselineCnn.init(classes, device)
    }))
}

// ANCHOR: fit
/// The baseline: 10 epochs of Adam at 0.001 in batches of 32, the validation
/// images measured after every epoch. It leaves a checkpoint in `out`, from which
/// the longer run goes on.
pub fn train_baseline(
    args: &StageArgs,
    piles: &Piles,
    out: &Path,
) -> Result<(ImageModel, History)> {
    let model = new_model(args, piles.classes())?;
    let (train, valid) = piles.data();
    let config = FitConfig::default()
        .with_epochs(CNN_EPOCHS)
        .with_batch_size(CNN_BATCH_SIZE)
        .with_learning_rate(CNN_LEARNING_RATE)
        .with_seed(args.seed)
        .with_checkpoint(Some(Checkpoint::path_in(out)));
    // Early stopping only starts watching at the baseline's last epoch, so it
    // changes nothing here; it is in the run so that the longer run can go on
    // from the checkpoint exactly.
    let mut early = early_stopping().with_start_from_epoch(CNN_EPOCHS);
    let (model, history) = fit_with(model, &train, Some(&valid), &config, &mut [&mut early])?;
    Ok((model, history))
}
// ANCHOR_END: fit

// ANCHOR: longer
/// The longer run: the baseline's run goes on from its checkpoint after epoch 10,
/// up to 30 epochs, and early stopping ends it when the validation loss stops
/// falling. Returns the model early stopping kept, the whole history (epoch 1
/// on) and the callback, which knows its best epoch and where it stopped.
pub fn train_longer(
    args: &StageArgs,
    piles: &Piles,
    out: &Path,
) -> Result<(ImageModel, History, EarlyStopping<ImageModel>)> {
    let path = Checkpoint::path_in(out);
    if !path.is_file() {
        anyhow::bail!(
            "{} is missing: the longer run goes on from the baseline's checkpoint. Fix: run part 4 first (cargo run -p stage05 -- --profile check --part 4)",
            path.display()
        );
    }
    let checkpoint = Checkpoint::load(&path)?;
    let config = checkpoint.fit_config().clone().with_epochs(CNN_MAX_EPOCHS);
    let mut early = early_stopping().with_start_from_epoch(CNN_EPOCHS);
    let blank = new_model(args, piles.classes())?;
    let (train, valid) = piles.data();
    let (model, history) = resume_with(
        blank,
        &train,
        Some(&valid),
        &config,
        &mut [&mut early],
        &checkpoint,
    )?;
    Ok((model, history, early))
}
// ANCHOR_END: longer

// ANCHOR: early
/// Early stopping for the CNN: which number it watches, how long it waits for a
/// better one, and which weights the run ends with.
pub fn early_stopping() -> EarlyStopping<ImageModel> {
    // [solution]
    EarlyStopping::new("val_loss")
        .with_patience(CNN_PATIENCE)
        .with_restore_best_weights(true)
    // [exercise]
    // // TODO: watch the validation loss instead of the training loss, wait
    // // CNN_PATIENCE epochs for a lower one before stopping, and put the best
    // // epoch's weights back at the end (see the page, step 4).
    // EarlyStopping::new("loss")
    // [end]
}
// ANCHOR_END: early

// ANCHOR: save
/// Keeps the evidence: the history as JSON and CSV, and the charts.
pub fn save_results(history: &History, out: &Path) -> Result<()> {
    history.save_json(&out.join(HISTORY_FILE))?;
    history.save_csv(&out.join("history.csv"))?;
    accuracy_chart(history, out.join("accuracy.png"))?;
    loss_chart(history, out.join("loss.png"), false)?;
    loss_chart(history, out.join("loss_log.png"), true)?;
    metrics_grid(history, &["loss", "accuracy"], out.join("metrics.png"))?;
    Ok(())
}
// ANCHOR_END: save
