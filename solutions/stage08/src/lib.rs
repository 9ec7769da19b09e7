//! Stage 8, Improved model: the baseline recipe against the same network trained
//! on augmented images, each trained for 30 epochs at several seeds (a small
//! sweep with repeats), so that the difference between them can be measured
//! against the noise before it is called real.

pub mod compare;
pub mod search;
pub mod train;

use anyhow::Result;
use kindling::data::{Augmentation, SplitSizes, load_splits};
use kindling_course::facts::stage08::{
    BASELINE_DIR, COMPARISON_FILE, CURVES_FILE, EPOCHS, IMPROVED_AUGMENTATION, IMPROVED_DIR,
    SWEEP_FILE, seeds, sizes,
};
use kindling_course::{StageArgs, StageReport};

use crate::train::Settings;

// ANCHOR: run
/// Sweeps the recipes at several seeds, compares the baseline with the improved
/// model, and measures whether the difference is more than the noise.
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

    // Step 1: the sweep. Each recipe (no augmentation, and flips with crops) is
    // trained for 30 epochs at three seeds; only the seed changes between them.
    let seeds = seeds(args.seed);
    let baseline_settings = Settings::baseline(EPOCHS, args.seed);
    let mut sweep = search::sweep(
        &splits.train,
        &splits.validation,
        normalization,
        baseline_settings,
        &seeds,
        &device,
    )?;
    let table = sweep.table()?;
    println!("{table}");
    table.save_csv(&out.join(SWEEP_FILE))?;
    let best = sweep.best()?.clone();
    println!(
        "Best: augmentation {}: mean validation accuracy {:.3} (standard error {:.3})",
        best.augmentation, best.spread.mean, best.spread.standard_error
    );

    // Step 2: the baseline and the improved run at the run's own seed, two of the
    // sweep's runs, saved as run folders.
    let augmentation = improved_augmentation()?;
    let improved_settings = Settings {
        augmentation,
        ..baseline_settings
    };
    // A recipe the sweep did not train (an augmentation outside its grid) is
    // trained here.
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

    // Step 4: is the improvement real? One difference per seed, and their spread.
    let difference = compare::difference(
        &seeds,
        &sweep.row("none")?.val_accuracy,
        &sweep.row(IMPROVED_AUGMENTATION)?.val_accuracy,
    );
    println!(
        "Improved minus baseline, seed by seed: {}",
        difference
            .differences
            .iter()
            .map(|d| format!("{d:+.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "Mean {:+.3}, standard error {:.3} (sample standard deviation {:.3} over {} seeds): {:.1} standard errors, {}.",
        difference.spread.mean,
        difference.spread.standard_error,
        difference.spread.std,
        seeds.len(),
        difference.standard_errors,
        if difference.real {
            "a real difference"
        } else {
            "not beyond the noise"
        }
    );

    report.set("runs", &rows);
    report.set("gap_shrank", gap_shrank);
    report.set("sweep", &sweep.rows);
    report.set("sweep_best", &best);
    report.set("difference", &difference);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: augmentation
/// What the improved run does to each training image.
pub fn improved_augmentation() -> Result<Augmentation> {
    // [solution]
    Ok(IMPROVED_AUGMENTATION.parse()?)
    // [exercise]
    // // TODO: parse IMPROVED_AUGMENTATION ("flip,crop") into an Augmentation,
    // // with .parse()? as for any text, and return it in Ok(..).
    // let _ = IMPROVED_AUGMENTATION;
    // Ok(Augmentation::none())
    // [end]
}
// ANCHOR_END: augmentation
