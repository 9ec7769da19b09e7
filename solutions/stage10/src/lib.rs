//! Stage 10, Demo evidence: stage 8's two recipes, the one validation chooses
//! evaluated once on the sealed test set, and a one-page report of it against
//! the other, every number on it traced to the file it came from.

pub mod limitation;
pub mod train;

use std::path::Path;

use anyhow::Result;
use kindling::data::{Augmentation, SplitSizes, TestOpening, atomic::parent_folder, load_splits};
use kindling::evaluation::{EvaluationContext, validation_accuracy, write_evaluation};
use kindling::report::{ReportOptions, write_report};
use kindling::train::TrainedRun;
use kindling_course::facts::stage10::{
    BASELINE_DIR, COMMAND, EPOCHS, IMPROVED_AUGMENTATION, IMPROVED_DIR, REPORT_DIR, TOP_LOSSES,
    sizes,
};
use kindling_course::{StageArgs, StageReport};

use crate::train::Settings;

// ANCHOR: run
/// Trains both recipes, lets validation choose, evaluates the chosen run on the
/// test pile, and builds the report.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(10)?;
    let mut report = StageReport::new(10, args);
    let (choice, device) = kindling::choose_device(None)?;
    let size = sizes(args.profile);
    let piles = SplitSizes {
        train: Some(size.train),
        validation: Some(size.validation),
        test: Some(size.test),
    };
    let splits = load_splits(&args.dataset, piles, args.seed)?;
    let normalization = splits.normalization();
    let class_names = splits.class_names().to_vec();

    // Step 1: stage 8's two recipes, as run folders: stage 8's own full runs
    // when they are there for this data and seed, otherwise trained here.
    let baseline_settings = Settings::baseline(EPOCHS, args.seed);
    let augmentation: Augmentation = IMPROVED_AUGMENTATION.parse()?;
    let improved_settings = Settings {
        augmentation,
        ..baseline_settings
    };
    for (settings, folder) in [
        (baseline_settings, BASELINE_DIR),
        (improved_settings, IMPROVED_DIR),
    ] {
        let dir = out.join(folder);
        if train::reuse_stage08(args, folder, &settings, &dir)? {
            println!("Using stage 8's run {folder}/ ...");
            continue;
        }
        println!("Training {} ...", dir.display());
        let run = train::train(
            &splits.train,
            &splits.validation,
            normalization,
            settings,
            &device,
        )?;
        train::save(
            &run,
            &dir,
            &args.dataset.to_string(),
            &choice.to_string(),
            (size.train, size.validation),
            &class_names,
            normalization,
        )?;
    }

    // Step 2: validation chooses. The test set has not been opened yet.
    let scores = [
        validation_accuracy(&out.join(BASELINE_DIR)).unwrap_or(f64::NAN),
        validation_accuracy(&out.join(IMPROVED_DIR)).unwrap_or(f64::NAN),
    ];
    let chosen = choose(scores[0], scores[1]);
    let other = if chosen == BASELINE_DIR {
        IMPROVED_DIR
    } else {
        BASELINE_DIR
    };
    println!(
        "Validation accuracy: baseline {:.3}, improved {:.3}: validation chooses {chosen}.",
        scores[0], scores[1]
    );
    let (chosen_dir, other_dir) = (out.join(chosen), out.join(other));

    // Step 3: the chosen run's one look at the sealed test set, counted in the
    // ledger of the runs root (the folder above this stage's), with every other
    // look at this test set on this machine.
    let opening = TestOpening {
        dataset: args.dataset.to_string(),
        seed: args.seed,
        command: COMMAND.into(),
    };
    let runs_root = std::fs::canonicalize(&out)?;
    let runs_root = parent_folder(&runs_root).to_path_buf();
    let (test, ledger) = splits
        .test
        .open_recorded_in(&opening, &chosen_dir, &runs_root)?;
    if let Some(warning) = ledger.warning() {
        println!("{warning}");
    }
    let model = TrainedRun::load(&chosen_dir, &device)?;
    let predictions = model.predict(&test, &device);
    let context = EvaluationContext {
        dataset: args.dataset.to_string(),
        seed: args.seed,
        model: model.config.model.to_string(),
        class_names: class_names.clone(),
        validation_accuracy: validation_accuracy(&chosen_dir),
        ledger: Some(ledger.clone()),
    };
    let evaluation = write_evaluation(&chosen_dir, &predictions, &test, &context, TOP_LOSSES)?;
    println!("{}", evaluation.metrics);

    // Step 4: the report, with your own words about what it cannot show.
    let built = build_report(&chosen_dir, &other_dir, &out.join(REPORT_DIR))?;
    for limitation in &built.limitations {
        println!("Limitation: {limitation}");
    }
    println!("The report: {}", built.html.display());

    report.set(
        "validation_accuracy",
        serde_json::json!({
            BASELINE_DIR: scores[0],
            IMPROVED_DIR: scores[1],
        }),
    );
    report.set("chosen", chosen);
    report.set("test_accuracy", evaluation.metrics.accuracy);
    report.set("macro_f1", evaluation.metrics.macro_f1);
    report.set("weakest_class", &evaluation.metrics.weakest_class);
    report.set("times_opened", ledger.times_opened);
    report.set("numbers_shown", built.numbers.len());
    report.set("limitations", &built.limitations);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: choose
/// The run validation chooses, by folder name: the one with the higher
/// validation accuracy; on a tie the baseline, the simpler recipe.
pub fn choose(baseline: f64, improved: f64) -> &'static str {
    // [solution]
    if improved > baseline {
        IMPROVED_DIR
    } else {
        BASELINE_DIR
    }
    // [exercise]
    // // TODO: return IMPROVED_DIR when the improved run's validation accuracy is
    // // higher, and BASELINE_DIR otherwise (a tie keeps the simpler recipe).
    // let _ = (baseline, improved);
    // BASELINE_DIR
    // [end]
}
// ANCHOR_END: choose

// ANCHOR: report
/// Builds the report of the chosen run in `out`, compared with the other run.
pub fn build_report(chosen: &Path, other: &Path, out: &Path) -> Result<kindling::report::Report> {
    let options = ReportOptions {
        // [solution]
        baseline: Some(other.to_path_buf()),
        // [exercise]
        // // TODO: compare with the other run: Some(other.to_path_buf())
        // baseline: None,
        // [end]
        // A check run always writes into a fresh folder; a second run of your
        // own replaces the report it built before.
        force: true,
        title: Some("Stage 10: the model validation chose, against the other recipe".into()),
        notes: vec![limitation::IN_MY_OWN_WORDS.to_string()],
    };
    let _ = other;
    Ok(write_report(chosen, out, &options)?)
}
// ANCHOR_END: report
