//! Stage 6, Test evidence: train the baseline CNN, open the sealed test set once
//! (the opening is recorded), predict every test image, and measure the model
//! with more than accuracy: precision, recall, F1, ROC-AUC and top-k.

pub mod metrics;
pub mod train;

use anyhow::Result;
use kindling::data::TestOpening;
use kindling::evaluation::{EvaluationContext, write_evaluation};
use kindling::models::ModelKind;
use kindling::train::predict_set;
use kindling_course::facts::stage06::{CLOSE_GAP, COMMAND, TOP_LOSSES};
use kindling_course::{StageArgs, StageReport};

// ANCHOR: run
/// Trains, opens the test set once, predicts, measures, and writes the evidence.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(6)?;
    let mut report = StageReport::new(6, args);
    let (choice, device) = kindling::choose_device(None)?;

    // Step 1: train as in stage 5, and keep the run (weights, settings, history).
    let trained = train::train_baseline(args, &device)?;
    train::save_run(&trained, args, &choice.to_string(), &out)?;
    let validation_accuracy = trained
        .history
        .final_epoch()
        .and_then(|row| row.get("val_accuracy"))
        .unwrap_or(f64::NAN);

    // Step 2: break the seal, once. The opening is written into test_opened.json
    // here and counted in the ledger beside this folder.
    let opening = TestOpening {
        dataset: args.dataset.to_string(),
        seed: args.seed,
        command: COMMAND.into(),
    };
    let (test, ledger) = trained.test.open_recorded(&opening, &out)?;
    if let Some(warning) = ledger.warning() {
        println!("{warning}");
    }

    // Step 3: predict every test image, normalised as the training images were.
    let predictions = predict_set(&trained.model, &test, trained.normalization, &device);

    // Step 4: the evidence anyone can recompute: predictions.csv, test_metrics.json,
    // classification_report.txt and the charts.
    let context = EvaluationContext {
        dataset: args.dataset.to_string(),
        seed: args.seed,
        model: ModelKind::BaselineCnn.to_string(),
        class_names: trained.class_names.clone(),
        validation_accuracy: Some(validation_accuracy),
        ledger: Some(ledger),
    };
    write_evaluation(&out, &predictions, &test, &context, TOP_LOSSES)?;

    // Step 5: the metrics, and what they say.
    let measured = metrics::measure(&predictions, &trained.class_names)?;
    println!("{}", measured.report.to_text(3));
    let roc_auc = metrics::roc_auc(&measured);
    println!("ROC-AUC (macro, one-vs-rest): {roc_auc:.3}");
    for top in &measured.top_k_accuracy {
        println!("top-{} accuracy: {:.3}", top.k, top.accuracy);
    }
    let (weakest, weakest_f1) = metrics::weakest_class(&measured.report);
    println!("Weakest class by F1: {weakest} ({weakest_f1:.3})");
    let comparison = metrics::compare(validation_accuracy, measured.accuracy, CLOSE_GAP);
    println!(
        "Validation accuracy {:.3}, test accuracy {:.3}: test minus validation {:+.3} ({})",
        comparison.validation,
        comparison.test,
        comparison.difference,
        if comparison.close { "close" } else { "apart" }
    );

    report.set("test_size", predictions.len());
    report.set("accuracy", measured.accuracy);
    report.set("macro_precision", measured.report.macro_avg.precision);
    report.set("macro_recall", measured.report.macro_avg.recall);
    report.set("macro_f1", measured.report.macro_avg.f1);
    report.set("weighted_f1", measured.report.weighted_avg.f1);
    report.set("roc_auc_macro", roc_auc);
    report.set("top_k_accuracy", &measured.top_k_accuracy);
    report.set("per_class", &measured.report.classes);
    report.set("weakest_class", &weakest);
    report.set("weakest_f1", weakest_f1);
    report.set("comparison", comparison);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run
