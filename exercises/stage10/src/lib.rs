//! Stage 10, Demo evidence: the improved model of stage 8 evaluated once on the
//! sealed test set, and a one-page report of it against the baseline, every
//! number on it traced to the file it came from.

pub mod limitation;
pub mod train;

use std::path::Path;

use anyhow::Result;
use kindling::data::{Augmentation, SplitSizes, TestOpening, load_splits};
use kindling::evaluation::{EvaluationContext, write_evaluation};
use kindling::models::ModelKind;
use kindling::report::{ReportOptions, write_report};
use kindling::train::predict_set;
use kindling_course::facts::stage10::{
    BASELINE_DIR, COMMAND, EPOCHS, IMPROVED_AUGMENTATION, IMPROVED_DIR, REPORT_DIR, TOP_LOSSES,
    sizes,
};
use kindling_course::{StageArgs, StageReport};

use crate::train::Settings;

// ANCHOR: run
/// Trains both runs, evaluates the improved one on the test pile, and builds the report.
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
    let (baseline_dir, improved_dir) = (out.join(BASELINE_DIR), out.join(IMPROVED_DIR));

    // Step 1: stage 8's two runs, trained and saved again.
    let baseline_settings = Settings::baseline(EPOCHS, args.seed);
    let augmentation: Augmentation = IMPROVED_AUGMENTATION.parse()?;
    let improved_settings = Settings {
        augmentation,
        ..baseline_settings
    };
    let mut improved = None;
    for (settings, dir) in [
        (baseline_settings, &baseline_dir),
        (improved_settings, &improved_dir),
    ] {
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
            dir,
            &args.dataset.to_string(),
            &choice.to_string(),
            (size.train, size.validation),
            &class_names,
            normalization,
        )?;
        improved = Some(run);
    }
    let improved = improved.expect("two runs were trained");

    // Step 2: the improved model's one look at the sealed test set, recorded.
    let opening = TestOpening {
        dataset: args.dataset.to_string(),
        seed: args.seed,
        command: COMMAND.into(),
    };
    let (test, ledger) = splits.test.open_recorded(&opening, &improved_dir)?;
    let predictions = predict_set(&improved.model, &test, normalization, &device);
    let context = EvaluationContext {
        dataset: args.dataset.to_string(),
        seed: args.seed,
        model: ModelKind::BaselineCnn.to_string(),
        class_names: class_names.clone(),
        validation_accuracy: kindling::evaluation::validation_accuracy(&improved_dir),
        ledger: Some(ledger),
    };
    let evaluation = write_evaluation(&improved_dir, &predictions, &test, &context, TOP_LOSSES)?;
    println!("{}", evaluation.metrics);

    // Step 3: the report, with your own words about what it cannot show.
    let built = build_report(&improved_dir, &baseline_dir, &out.join(REPORT_DIR))?;
    for limitation in &built.limitations {
        println!("Limitation: {limitation}");
    }
    println!("The report: {}", built.html.display());

    report.set("test_accuracy", evaluation.metrics.accuracy);
    report.set("macro_f1", evaluation.metrics.macro_f1);
    report.set("numbers_shown", built.numbers.len());
    report.set("limitations", &built.limitations);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: report
/// Builds the report of the improved run in `out`, compared with the baseline.
pub fn build_report(
    improved: &Path,
    baseline: &Path,
    out: &Path,
) -> Result<kindling::report::Report> {
    let options = ReportOptions {
        // TODO: compare with the baseline: Some(baseline.to_path_buf())
        baseline: None,
        // A check run always writes into a fresh folder; a second run of your
        // own replaces the report it built before.
        force: true,
        title: Some("Stage 10: the improved model against the baseline".into()),
        notes: vec![limitation::IN_MY_OWN_WORDS.to_string()],
    };
    let _ = baseline;
    Ok(write_report(improved, out, &options)?)
}
// ANCHOR_END: report
