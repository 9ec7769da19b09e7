//! Stage 8, Improved model: a small sweep over learning rate and augmentation,
//! the baseline CNN against the same network trained on augmented images (two
//! of the sweep's trials), and k-fold cross-validation to see how far luck alone
//! moves a score.

pub mod compare;
pub mod search;
pub mod train;

use anyhow::Result;
use kindling::data::split::stratified_subset;
use kindling::data::{Augmentation, SplitSizes, load_splits};
use kindling_course::facts::stage08::{
    BASELINE_DIR, COMPARISON_FILE, CURVES_FILE, EPOCHS, IMPROVED_AUGMENTATION, IMPROVED_DIR,
    SWEEP_FILE, folds, sizes,
};
use kindling_course::{StageArgs, StageReport};

use crate::train::Settings;

// ANCHOR: run
/// Sweeps the settings, compares the baseline with the improved model, and
/// measures how much a score moves by luck.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(8)?;
    let mut report = StageReport::new(8, args);
    let (choice, device) = kindling::choose_device(None)?;
    let size = sizes(args.profile);
    let piles = SplitSizes {
        train: Some(size.train),
        validation: Some(size.validation),
        test: Some(size.test),
    };
    // The test pile stays sealed: every choice here is made on validation.
    let splits = load_splits(&args.dataset, piles, args.seed)?;
    let normalization = splits.normalization();
    let class_names = splits.class_names().to_vec();

    // Step 1: the sweep. Every learning rate with every augmentation, each
    // trained as the baseline is: the baseline CNN, 10 epochs, the same seed.
    let baseline_settings = Settings::baseline(EPOCHS, args.seed);
    let mut sweep = search::sweep(
        &splits.train,
        &splits.validation,
        normalization,
        baseline_settings,
        &device,
    )?;
    let table = search::table(&sweep.results)?;
    println!("{table}");
    table.save_csv(&out.join(SWEEP_FILE))?;
    let best = search::best(&sweep.results)?;
    println!(
        "Best: learning rate {}, augmentation {}: validation accuracy {:.3}",
        best.learning_rate, best.augmentation, best.val_accuracy
    );

    // Step 2: the baseline and the improved run, two of the sweep's trials: the
    // same settings, except that the improved run augments its training images.
    let augmentation = improved_augmentation()?;
    let improved_settings = Settings {
        augmentation,
        ..baseline_settings
    };
    let mut trained = |settings: Settings| match sweep.take(settings) {
        Some(run) => Ok(run),
        None => train::train(
            &splits.train,
            &splits.validation,
            normalization,
            settings,
            &device,
        ),
    };
    let baseline = trained(baseline_settings)?;
    let improved = trained(improved_settings)?;
    for (run, folder) in [(&baseline, BASELINE_DIR), (&improved, IMPROVED_DIR)] {
        train::save(
            run,
            &out.join(folder),
            &args.dataset.to_string(),
            &choice.to_string(),
            (size.train, size.validation),
            &class_names,
            normalization,
        )?;
    }

    // Step 3: the two side by side: a table and both validation curves on one chart.
    let rows = vec![
        compare::row(BASELINE_DIR, "none", &baseline.history),
        compare::row(IMPROVED_DIR, &augmentation.to_string(), &improved.history),
    ];
    let table = compare::table(&rows);
    println!("{table}");
    kindling::data::atomic::write_bytes_atomically(&out.join(COMPARISON_FILE), table.as_bytes())?;
    let curves = [
        (
            "baseline",
            baseline.history.require("val_accuracy")?.to_vec(),
        ),
        (
            "improved (flip, crop)",
            improved.history.require("val_accuracy")?.to_vec(),
        ),
    ];
    kindling::charts::overlay_chart(
        "Validation accuracy: baseline and improved",
        "validation accuracy",
        &curves,
        false,
        out.join(CURVES_FILE),
    )?;
    let gap_shrank = rows[1].gap < rows[0].gap;
    println!(
        "The gap went from {:+.3} to {:+.3}: augmentation {} it.",
        rows[0].gap,
        rows[1].gap,
        if gap_shrank {
            "shrank"
        } else {
            "did not shrink"
        }
    );

    // Step 4: how much does a score move when only the split changes?
    let plan = folds(args.profile);
    let kfold_set = stratified_subset(&splits.train, plan.images, args.seed)?;
    let spread = search::k_fold(&kfold_set, plan.folds, baseline_settings, &device)?;
    println!("{spread}");

    report.set("runs", &rows);
    report.set("gap_shrank", gap_shrank);
    report.set("sweep", search::rows(&sweep.results)?);
    report.set("sweep_best", &best);
    report.set("kfold", &spread);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: augmentation
/// What the improved run does to each training image.
pub fn improved_augmentation() -> Result<Augmentation> {
    // TODO: parse IMPROVED_AUGMENTATION ("flip,crop") into an Augmentation,
    // with .parse()? as for any text, and return it in Ok(..).
    let _ = IMPROVED_AUGMENTATION;
    Ok(Augmentation::none())
}
// ANCHOR_END: augmentation
