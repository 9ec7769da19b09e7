//! Stage 7, Mistakes: the confusion matrix, the most-confused pairs, accuracy
//! per class and the most confident mistakes, each recomputed from the run's
//! predictions.csv with the interpretation toolkit.

use kindling::evaluation::{
    CLASS_ACCURACY_FILE, CONFUSION_FILE, CONFUSION_NORMALIZED_FILE, MISTAKES_FILE,
};
use kindling::metrics::{
    ClassificationInterpretation, ClassificationPredictions, Probabilities, ScoreColumns,
};
use serde_json::Value;

use super::stage06::{OPEN, Truth, judge_opened, load_truth, read_checked_predictions};
use super::{Hint, StageInfo, with_truth};
use crate::answers::{AnswerProblem, Answers};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::facts::stage06::sizes;
use crate::facts::stage07::{COMMAND, CONFUSED_PAIRS, MISTAKES_SHOWN};
use crate::report::StageReport;

/// What the page says about the run, each judged from its files (see `crate::claims`).
pub const CLAIMS: [crate::claims::Claim; 0] = [];

/// Stage 7's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 7,
    name: "Mistakes",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 120,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 9] = [
    (
        "s7.opened",
        "The sealed test set was opened exactly once in this run, and test_opened.json records it",
    ),
    (
        "s7.predictions",
        "predictions.csv has one row per test image: its true class, the predicted class (the most probable one) and the ten probabilities",
    ),
    (
        "s7.confusion",
        "Your confusion matrix matches the one counted from predictions.csv, and sums to the test size",
    ),
    (
        "s7.pairs",
        "The three most-confused pairs (actual, predicted, count) match, largest first",
    ),
    (
        "s7.per_class",
        "Each class's accuracy is its diagonal count over its row's sum",
    ),
    (
        "s7.mistakes",
        "mistakes.png shows the 16 most confident mistakes, and report.json lists them",
    ),
    (
        "s7.charts",
        "confusion.png, confusion_normalized.png and class_accuracy.png are drawn by this run",
    ),
    ("s7.predict", "answers.toml holds your prediction"),
    (
        "s7.read",
        "answers.toml: the most confused pair you name is the run's, and your reason for it is written",
    ),
];

const HINTS: [Hint; 7] = [
    OPEN,
    Hint {
        symptom: "predictions.csv is missing, or its predictions are not the most probable classes",
        cause: "the step that saves the predictions was changed or removed",
        fix: "keep step 2 of run(): save_predictions(&out.join(PREDICTIONS_FILE), &predictions)",
    },
    Hint {
        symptom: "The confusion matrix is all zeros, or does not sum to the test size",
        cause: "count_confusions still returns its placeholder, or swaps rows and columns",
        fix: "for each image add one to counts[actual][predicted]: rows are the true classes, columns the predicted ones",
    },
    Hint {
        symptom: "The most-confused pairs are missing, or in the wrong order",
        cause: "most_confused still returns its placeholder, counts the diagonal, or sorts smallest first",
        fix: "collect every cell off the diagonal (actual != predicted) with a count above 0, sort from the largest count to the smallest, keep the first three",
    },
    Hint {
        symptom: "Every class has an accuracy of 0",
        cause: "per_class_accuracy still returns its placeholder",
        fix: "divide each row's diagonal count counts[class][class] by the row's sum (0.0 for an empty row)",
    },
    Hint {
        symptom: "mistakes.png is missing",
        cause: "draw_mistakes still returns without drawing",
        fix: "take interpretation.most_confident_mistakes(MISTAKES_SHOWN), draw them with mistakes_grid(test, &mistakes, class_names, MISTAKES_COLUMNS, path) and return them",
    },
    Hint {
        symptom: "The checker says the pair you named is not the most confused one",
        cause: "the pair was read from the full run, or the wrong way round (the predicted class for the actual one)",
        fix: "read the first pair of most_confused in runs/check/stage07/report.json: true_class is what the image is, predicted_class what the model said",
    },
];
const SAVE: Hint = HINTS[1];
const COUNT: Hint = HINTS[2];
const PAIRS: Hint = HINTS[3];
const PER_CLASS: Hint = HINTS[4];
const MISTAKES: Hint = HINTS[5];
const READ: Hint = HINTS[6];

const CHARTS_FIX: &str =
    "Keep step 3 and step 5 of run(): they draw the two heatmaps and the accuracy bars.";
const PREDICT_FIX: &str =
    "Before you run the stage, write under [predict] in answers.toml what you expect.";

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        opened,
        predictions_item,
        confusion_item,
        pairs_item,
        per_class_item,
        mistakes_item,
        charts_item,
        predict,
        read,
    ] = ITEMS;
    let item = CheckItem::judged;
    let truth: Result<Truth, String> = load_truth(context);
    let predictions = with_truth(&truth, |t| read_checked_predictions(context, t, SAVE.fix));
    let interpretation = predictions
        .as_ref()
        .map_err(Clone::clone)
        .and_then(interpret);
    let after = |judge: &dyn Fn(&ClassificationInterpretation) -> Result<String, Failure>| {
        interpretation
            .as_ref()
            .map_err(|(detail, fix)| (format!("no predictions to compare with: {detail}"), *fix))
            .and_then(judge)
    };
    let names = truth
        .as_ref()
        .map(|t| t.class_names.clone())
        .unwrap_or_default();
    let answers = context.answers();
    vec![
        item(
            opened,
            judge_opened(context, COMMAND, sizes(context.profile).test),
        ),
        item(
            predictions_item,
            predictions
                .as_ref()
                .map(|p| format!("{} rows", p.y_true.len()))
                .map_err(Clone::clone),
        ),
        item(confusion_item, after(&|i| judge_confusion(report, i))),
        item(pairs_item, after(&|i| judge_pairs(report, i, &names))),
        item(per_class_item, after(&|i| judge_per_class(report, i))),
        item(
            mistakes_item,
            after(&|i| judge_mistakes(context, report, i)),
        ),
        item(charts_item, judge_charts(context)),
        item(
            predict,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), PREDICT_FIX))
                .and_then(|a| {
                    a.text("predict", "most_confused")
                        .map(|_| "written".to_string())
                        .map_err(|e| (e.to_string(), PREDICT_FIX))
                }),
        ),
        item(
            read,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| after(&|i| judge_read(a, i, &names))),
        ),
    ]
}

/// The toolkit's reading of the predictions.
fn interpret(
    predictions: &ClassificationPredictions,
) -> Result<ClassificationInterpretation, Failure> {
    let broken = |detail: String| (detail, SAVE.fix);
    let Some(ScoreColumns::Probabilities { columns, values }) = &predictions.scores else {
        return Err(broken("predictions.csv has no probability columns".into()));
    };
    let probabilities =
        Probabilities::new(values, columns.len()).map_err(|e| broken(e.to_string()))?;
    ClassificationInterpretation::new(&predictions.y_true, probabilities)
        .map_err(|e| broken(e.to_string()))
}

/// The learner's matrix from report.json, when it is a list of lists of counts.
fn report_matrix(report: &StageReport) -> Option<Vec<Vec<usize>>> {
    report
        .get("confusion_matrix")?
        .as_array()?
        .iter()
        .map(|row| crate::values::usizes(Some(row)))
        .collect()
}

fn judge_confusion(
    report: &StageReport,
    truth: &ClassificationInterpretation,
) -> Result<String, Failure> {
    let matrix = truth.confusion_matrix();
    let expected: Vec<Vec<usize>> = matrix.rows().map(<[usize]>::to_vec).collect();
    let found = report_matrix(report).ok_or_else(|| {
        (
            "report.json has no confusion_matrix, a list of rows of counts".to_string(),
            COUNT.fix,
        )
    })?;
    let total: usize = found.iter().flatten().sum();
    if total != matrix.total() {
        return Err((
            format!(
                "your matrix sums to {total}; the test set has {} images",
                matrix.total()
            ),
            COUNT.fix,
        ));
    }
    if found == expected {
        return Ok(format!(
            "{n} x {n}, {total} images, {} on the diagonal",
            matrix.correct(),
            n = expected.len()
        ));
    }
    let transposed: Vec<Vec<usize>> = (0..expected.len())
        .map(|column| expected.iter().map(|row| row[column]).collect())
        .collect();
    let swapped = if found == transposed {
        ": rows and columns are swapped"
    } else {
        ""
    };
    let (actual, row) = expected
        .iter()
        .enumerate()
        .find(|(actual, row)| found.get(*actual) != Some(*row))
        .expect("the matrices differ in some row");
    Err((
        format!(
            "row {actual} (actual class {actual}) is {:?}; counted from predictions.csv it is {row:?}{swapped}",
            found.get(actual).cloned().unwrap_or_default()
        ),
        COUNT.fix,
    ))
}

fn judge_pairs(
    report: &StageReport,
    truth: &ClassificationInterpretation,
    names: &[String],
) -> Result<String, Failure> {
    let expected: Vec<_> = truth
        .most_confused(1)
        .into_iter()
        .take(CONFUSED_PAIRS)
        .collect();
    let found = report
        .get("most_confused")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let name = |class: usize| {
        names
            .get(class)
            .cloned()
            .unwrap_or_else(|| class.to_string())
    };
    if found.len() != expected.len() {
        return Err((
            format!(
                "report.json lists {} most-confused pairs; the page asks for the {} largest",
                found.len(),
                expected.len()
            ),
            PAIRS.fix,
        ));
    }
    let matrix = truth.confusion_matrix();
    for (rank, (pair, wanted)) in found.iter().zip(&expected).enumerate() {
        let field = |key: &str| pair[key].as_u64().map(|n| n as usize);
        let (Some(actual), Some(predicted), Some(count)) = (
            field("true_class"),
            field("predicted_class"),
            field("count"),
        ) else {
            return Err((
                format!(
                    "pair {} is {pair}: it needs true_class, predicted_class and count",
                    rank + 1
                ),
                PAIRS.fix,
            ));
        };
        let classes = matrix.n_classes();
        let real =
            (actual < classes && predicted < classes).then(|| matrix.count(actual, predicted));
        // Pairs with equal counts may come in either order.
        if actual == predicted || real != Some(count) || count != wanted.count {
            return Err((
                format!(
                    "pair {} is {} -> {} ({count}); it should be {} -> {} ({})",
                    rank + 1,
                    name(actual),
                    name(predicted),
                    name(wanted.true_class),
                    name(wanted.predicted_class),
                    wanted.count
                ),
                PAIRS.fix,
            ));
        }
    }
    let listed: Vec<String> = expected
        .iter()
        .map(|p| {
            format!(
                "{} -> {} ({})",
                name(p.true_class),
                name(p.predicted_class),
                p.count
            )
        })
        .collect();
    Ok(listed.join(", "))
}

fn judge_per_class(
    report: &StageReport,
    truth: &ClassificationInterpretation,
) -> Result<String, Failure> {
    let expected = truth.per_class_accuracy();
    let found: Vec<f64> = report
        .get("per_class_accuracy")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect()
        })
        .unwrap_or_default();
    if found.len() != expected.len() {
        return Err((
            format!(
                "report.json has {} per-class accuracies; there are {} classes",
                found.len(),
                expected.len()
            ),
            PER_CLASS.fix,
        ));
    }
    for (class, (found, expected)) in found.iter().zip(&expected).enumerate() {
        // Written so that a NaN (a missing value) fails too.
        let agrees = (found - expected).abs() <= 1e-9;
        if !agrees {
            return Err((
                format!("class {class}: your accuracy is {found:.4}; its row gives {expected:.4}"),
                PER_CLASS.fix,
            ));
        }
    }
    let (best, worst) = expected
        .iter()
        .fold((0.0f64, 1.0f64), |(hi, lo), &a| (hi.max(a), lo.min(a)));
    Ok(format!("from {worst:.3} to {best:.3}"))
}

fn judge_mistakes(
    context: &CheckContext,
    report: &StageReport,
    truth: &ClassificationInterpretation,
) -> Result<String, Failure> {
    let path = context
        .fresh_file(MISTAKES_FILE)
        .map_err(|detail| (detail, MISTAKES.fix))?;
    image::open(&path).map_err(|e| {
        (
            format!("{MISTAKES_FILE} does not open as an image: {e}"),
            MISTAKES.fix,
        )
    })?;
    let expected = truth.most_confident_mistakes(MISTAKES_SHOWN);
    let found = report
        .get("mistakes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if found.len() != expected.len() {
        return Err((
            format!(
                "report.json lists {} mistakes; the grid shows the {} most confident",
                found.len(),
                expected.len()
            ),
            MISTAKES.fix,
        ));
    }
    // Images whose losses tie may come in either order: compare losses then.
    let every = truth.top_losses(truth.y_true().len());
    let loss_of = |index: usize| every.iter().find(|m| m.index == index).map(|m| m.loss);
    for (rank, (mistake, wanted)) in found.iter().zip(&expected).enumerate() {
        let index = mistake["index"].as_u64().map(|i| i as usize);
        if index == Some(wanted.index) {
            continue;
        }
        let tied = index
            .and_then(loss_of)
            .is_some_and(|loss| (loss - wanted.loss).abs() <= 1e-12);
        if !tied {
            return Err((
                format!(
                    "mistake {} is image {}; the {} most confident mistake is image {} (loss {:.3})",
                    rank + 1,
                    mistake["index"],
                    ordinal(rank + 1),
                    wanted.index,
                    wanted.loss
                ),
                MISTAKES.fix,
            ));
        }
    }
    let worst = &expected[0];
    Ok(format!(
        "{} mistakes; the worst, image {}, at probability {:.3}",
        expected.len(),
        worst.index,
        worst.probability
    ))
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "most".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n => format!("{n}th"),
    }
}

fn judge_charts(context: &CheckContext) -> Result<String, Failure> {
    for name in [
        CONFUSION_FILE,
        CONFUSION_NORMALIZED_FILE,
        CLASS_ACCURACY_FILE,
    ] {
        let path = context
            .fresh_file(name)
            .map_err(|detail| (detail, CHARTS_FIX))?;
        image::open(&path)
            .map_err(|e| (format!("{name} does not open as an image: {e}"), CHARTS_FIX))?;
    }
    Ok("all three".into())
}

fn judge_read(
    answers: &Answers,
    truth: &ClassificationInterpretation,
    names: &[String],
) -> Result<String, Failure> {
    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
    let actual = answers.text("read", "actual").map_err(problem)?;
    let predicted = answers.text("read", "predicted").map_err(problem)?;
    answers.text("read", "why").map_err(problem)?;
    let top = truth.most_confused(1);
    let Some(first) = top.first() else {
        return Err(("the model made no mistakes to name".into(), READ.fix));
    };
    let name = |class: usize| {
        names
            .get(class)
            .cloned()
            .unwrap_or_else(|| class.to_string())
    };
    // Every pair tied for the largest count is an honest answer.
    let tied: Vec<_> = top.iter().filter(|p| p.count == first.count).collect();
    let named = |class: usize, text: &str| name(class).eq_ignore_ascii_case(text.trim());
    if tied
        .iter()
        .any(|p| named(p.true_class, &actual) && named(p.predicted_class, &predicted))
    {
        return Ok(format!("{actual} -> {predicted} ({})", first.count));
    }
    let swapped = tied
        .iter()
        .any(|p| named(p.true_class, &predicted) && named(p.predicted_class, &actual));
    Err((
        format!(
            "you named {actual} -> {predicted}; the most confused pair is {} -> {} ({} images){}",
            name(first.true_class),
            name(first.predicted_class),
            first.count,
            if swapped {
                ": you swapped the actual and the predicted class"
            } else {
                ""
            }
        ),
        READ.fix,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling::metrics::Probabilities;

    /// Three classes: a 2, 1 and 3 of each; class 0 twice taken for 1, class 2
    /// once for 0.
    fn case() -> ClassificationInterpretation {
        let y_true = [0, 0, 0, 1, 2, 2, 2];
        let predicted = [0, 1, 1, 1, 2, 2, 0];
        let confidence = [0.6, 0.7, 0.9, 0.8, 0.5, 0.6, 0.8];
        let mut values = Vec::new();
        for (p, c) in predicted.iter().zip(confidence) {
            let mut row = vec![(1.0 - c) / 2.0; 3];
            row[*p] = c;
            values.extend(row);
        }
        let probabilities = Probabilities::new(&values, 3).unwrap();
        ClassificationInterpretation::new(&y_true, probabilities).unwrap()
    }

    fn report(values: &[(&str, Value)]) -> StageReport {
        StageReport {
            stage: 7,
            profile: crate::Profile::Check,
            seed: 42,
            dataset: "builtin".into(),
            run_id: None,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn names() -> Vec<String> {
        ["disc", "ring", "square"].map(String::from).to_vec()
    }

    #[test]
    fn the_matrix_must_be_counted_with_actual_classes_as_rows() {
        let truth = case();
        let right = serde_json::json!([[1, 2, 0], [0, 1, 0], [1, 0, 2]]);
        assert!(judge_confusion(&report(&[("confusion_matrix", right)]), &truth).is_ok());
        let swapped = serde_json::json!([[1, 0, 1], [2, 1, 0], [0, 0, 2]]);
        let (detail, fix) =
            judge_confusion(&report(&[("confusion_matrix", swapped)]), &truth).unwrap_err();
        assert!(detail.ends_with("swapped"), "{detail}");
        assert_eq!(fix, COUNT.fix);
        let zeros = serde_json::json!([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
        let (detail, _) =
            judge_confusion(&report(&[("confusion_matrix", zeros)]), &truth).unwrap_err();
        assert!(detail.contains("sums to 0"), "{detail}");
    }

    #[test]
    fn pairs_come_largest_first_from_off_the_diagonal() {
        let truth = case();
        let pair = |t: usize, p: usize, c: usize| serde_json::json!({"true_class": t, "predicted_class": p, "count": c});
        // Only two cells are off the diagonal and above 0.
        let right = serde_json::json!([pair(0, 1, 2), pair(2, 0, 1)]);
        let detail = judge_pairs(&report(&[("most_confused", right)]), &truth, &names()).unwrap();
        assert_eq!(detail, "disc -> ring (2), square -> disc (1)");
        let reversed = serde_json::json!([pair(2, 0, 1), pair(0, 1, 2)]);
        let (detail, fix) =
            judge_pairs(&report(&[("most_confused", reversed)]), &truth, &names()).unwrap_err();
        assert!(detail.starts_with("pair 1 is square -> disc"), "{detail}");
        assert_eq!(fix, PAIRS.fix);
        let empty = serde_json::json!([]);
        assert!(judge_pairs(&report(&[("most_confused", empty)]), &truth, &names()).is_err());
    }

    #[test]
    fn per_class_accuracy_is_the_diagonal_over_the_row() {
        let truth = case();
        let right = serde_json::json!([1.0 / 3.0, 1.0, 2.0 / 3.0]);
        assert!(judge_per_class(&report(&[("per_class_accuracy", right)]), &truth).is_ok());
        let zeros = serde_json::json!([0.0, 0.0, 0.0]);
        let (detail, fix) =
            judge_per_class(&report(&[("per_class_accuracy", zeros)]), &truth).unwrap_err();
        assert!(detail.starts_with("class 0"), "{detail}");
        assert_eq!(fix, PER_CLASS.fix);
    }

    #[test]
    fn the_read_names_the_most_confused_pair_in_the_right_order() {
        let truth = case();
        let answers = |actual: &str, predicted: &str| {
            let text = format!(
                "[read]\nactual = \"{actual}\"\npredicted = \"{predicted}\"\nwhy = \"they look alike\"\n"
            );
            Answers::parse(&text, std::path::Path::new("answers.toml")).unwrap()
        };
        assert!(judge_read(&answers("Disc", "ring"), &truth, &names()).is_ok());
        let (detail, fix) = judge_read(&answers("ring", "disc"), &truth, &names()).unwrap_err();
        assert!(
            detail.ends_with("swapped the actual and the predicted class"),
            "{detail}"
        );
        assert_eq!(fix, READ.fix);
        assert!(judge_read(&answers("square", "disc"), &truth, &names()).is_err());
    }
}
