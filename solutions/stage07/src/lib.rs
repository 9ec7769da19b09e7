//! Stage 7, Mistakes: where the model goes wrong. The confusion matrix, the
//! pairs of classes it mixes up most, accuracy per class, and the mistakes it
//! makes most confidently, drawn so that you can look at them. All of it on the
//! validation pile: what you learn here chooses stage 8's changes, and a choice
//! made by looking at the test set would leak it.

pub mod mistakes;
pub mod model;
pub mod predictions;

use anyhow::Result;
use kindling::charts::{class_accuracy_bars, confusion_matrix_heatmap};
use kindling::evaluation::{
    CLASS_ACCURACY_FILE, CONFUSION_FILE, CONFUSION_NORMALIZED_FILE, MISTAKES_FILE,
    PREDICTIONS_FILE, probabilities,
};
use kindling::metrics::{ClassificationInterpretation, ConfusionMatrix};
use kindling::train::predict_set;
use kindling_course::facts::stage07::{CONFUSED_PAIRS, PILE};
use kindling_course::{StageArgs, StageReport};

// ANCHOR: run
/// Predicts the validation pile and takes the model's mistakes apart.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(7)?;
    let mut report = StageReport::new(7, args);
    let (_, device) = kindling::choose_device(None)?;

    // Step 1: the model (stage 6's, or one trained the same way).
    let prepared = model::prepare(args, &device)?;
    println!("Looking at the mistakes of {}.", prepared.origin);
    let names = &prepared.class_names;

    // Step 2: a prediction per validation image. The test set stays sealed: the
    // mistakes found here choose what to change, so they must not come from it.
    let validation = &prepared.validation;
    let predictions = predict_set(&prepared.model, validation, prepared.normalization, &device);
    predictions::save_predictions(&out.join(PREDICTIONS_FILE), &predictions)?;
    let (y_true, y_pred) = (&predictions.y_true, &predictions.y_pred);

    // Step 3: the confusion matrix, counted by you, drawn by the library.
    let counts = mistakes::count_confusions(y_true, y_pred, predictions.n_classes);
    print_counts(&counts, names);
    let matrix = ConfusionMatrix::new(y_true, y_pred, predictions.n_classes)?;
    confusion_matrix_heatmap(&matrix, names, false, out.join(CONFUSION_FILE))?;
    confusion_matrix_heatmap(&matrix, names, true, out.join(CONFUSION_NORMALIZED_FILE))?;

    // Step 4: the pairs the model confuses most.
    let pairs = mistakes::most_confused(&counts, CONFUSED_PAIRS);
    println!("Most confused (actual -> predicted: images):");
    for pair in &pairs {
        let (actual, predicted) = (&names[pair.true_class], &names[pair.predicted_class]);
        println!("  {actual} -> {predicted}: {}", pair.count);
    }

    // Step 5: accuracy per class.
    let accuracies = mistakes::per_class_accuracy(&counts);
    for (name, accuracy) in names.iter().zip(&accuracies) {
        println!("  {name:>10}: {accuracy:.3}");
    }
    let title = "Accuracy per class on the validation pile";
    class_accuracy_bars(names, &accuracies, title, out.join(CLASS_ACCURACY_FILE))?;

    // Step 6: the most confident mistakes, as pictures.
    let interpretation = ClassificationInterpretation::new(y_true, probabilities(&predictions)?)?;
    let shown =
        mistakes::draw_mistakes(&interpretation, validation, names, &out.join(MISTAKES_FILE))?;
    if let Some(worst) = shown.first() {
        println!(
            "The most confident mistake: image {}, a {} taken for a {} with probability {:.3}.",
            worst.index, names[worst.actual], names[worst.predicted], worst.probability
        );
    }

    report.set("pile", PILE);
    report.set("pile_size", predictions.len());
    report.set("confusion_matrix", &counts);
    report.set("most_confused", &pairs);
    report.set("per_class_accuracy", &accuracies);
    report.set("mistakes", &shown);
    report.set("validation_accuracy", prepared.validation_accuracy);
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

/// Prints the matrix with a row per actual class and a column per predicted one.
fn print_counts(counts: &[Vec<usize>], names: &[String]) {
    let header: Vec<String> = (0..names.len()).map(|c| format!("{c:>5}")).collect();
    println!("{:>14} {}", "actual \\ pred", header.join(""));
    for (class, row) in counts.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|n| format!("{n:>5}")).collect();
        println!("{:>10} ({class}) {}", names[class], cells.join(""));
    }
}
