//! Stage 7, Mistakes: the confusion matrix, the most-confused pairs, accuracy
//! per class and the most confident mistakes of the validation pile, each
//! recomputed from the run's predictions.csv with the interpretation toolkit. The
//! test set stays sealed: the mistakes choose stage 8's changes.

use kindling::evaluation::{
    CLASS_ACCURACY_FILE, CONFUSION_FILE, CONFUSION_NORMALIZED_FILE, MISTAKES_FILE,
};
use kindling::metrics::{
    ClassificationInterpretation, ClassificationPredictions, Confusion, Probabilities, ScoreColumns,
};
use serde_json::Value;

use kindling::data::{DataSource, SplitSizes, TEST_OPENED_FILE, load_splits};

use super::stage06::{Truth, read_checked_predictions};
use super::{Hint, StageInfo, with_truth};
use crate::answers::{AnswerProblem, Answers};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, RunFiles, Verdict};
use crate::facts::DEFAULT_SEED;
use crate::facts::stage06::sizes;
use crate::facts::stage07::{CONFUSED_PAIRS, MISTAKES_SHOWN, PILE};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};

/// The snapshot of the reference solution's check run (default seed): the read a
/// learner wrote from their own check run is held to it when grading at another seed.
pub const OUTPUTS_SNAPSHOT: &str = "stage07_outputs";

/// What the page says about the run, each judged from its files (see `crate::claims`).
pub const CLAIMS: [Claim; 2] = [
    Claim {
        id: "s7.mistakes_gather",
        statement: "the mistakes are not spread evenly: the three most-confused pairs hold more than three times their even share of them (0.10 of the mistakes, of 90 kinds)",
        unit: "share of the mistakes",
        judge: |run| {
            let matrix = matrix_of(run)?;
            let share = top_pairs_share(&matrix, CONFUSED_PAIRS);
            let even = CONFUSED_PAIRS as f64 / (matrix.len() * (matrix.len() - 1)) as f64;
            Ok(Verdict::above(
                share,
                3.0 * even,
                format!("the top {CONFUSED_PAIRS} pairs hold {share:.3} of the mistakes"),
            ))
        },
    },
    Claim {
        id: "s7.classes_differ",
        statement: "some classes are nearly solved while others are hardly ever right: the best class's accuracy is more than 0.5 above the worst's",
        unit: "accuracy",
        judge: |run| {
            let matrix = matrix_of(run)?;
            let accuracy: Vec<f64> = matrix
                .iter()
                .enumerate()
                .map(|(class, row)| row[class] as f64 / row.iter().sum::<usize>().max(1) as f64)
                .collect();
            let best = accuracy.iter().copied().fold(0.0, f64::max);
            let worst = accuracy.iter().copied().fold(1.0, f64::min);
            Ok(Verdict::above(
                best - worst,
                0.5,
                format!("best {best:.3}, worst {worst:.3}"),
            ))
        },
    },
];

/// The confusion matrix the run reported (its rows are checked against
/// predictions.csv by the checklist).
fn matrix_of(run: &RunFiles) -> Result<Vec<Vec<usize>>, String> {
    let value = run.value("confusion_matrix")?;
    let rows = value
        .as_array()
        .ok_or("report.json's confusion_matrix is not a list of rows")?;
    let matrix: Vec<Vec<usize>> = rows
        .iter()
        .map(|row| crate::values::usizes(Some(row)))
        .collect::<Option<_>>()
        .ok_or("report.json's confusion_matrix holds something other than counts")?;
    if matrix.len() < 2 || matrix.iter().any(|row| row.len() != matrix.len()) {
        return Err("report.json's confusion_matrix is not square".into());
    }
    Ok(matrix)
}

/// The share of all mistakes held by the `n` largest cells off the diagonal.
fn top_pairs_share(matrix: &[Vec<usize>], n: usize) -> f64 {
    let mut cells: Vec<usize> = matrix
        .iter()
        .enumerate()
        .flat_map(|(actual, row)| {
            row.iter()
                .enumerate()
                .filter(move |(predicted, _)| *predicted != actual)
                .map(|(_, &count)| count)
        })
        .collect();
    let mistakes: usize = cells.iter().sum();
    cells.sort_unstable_by(|a, b| b.cmp(a));
    cells.iter().take(n).sum::<usize>() as f64 / mistakes.max(1) as f64
}

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
        "s7.sealed",
        "The mistakes are studied on the validation pile; the test set stays sealed (the run opened no test set)",
    ),
    (
        "s7.predictions",
        "predictions.csv has one row per validation image: its true class, the predicted class (the most probable one) and the ten probabilities",
    ),
    (
        "s7.confusion",
        "Your confusion matrix matches the one counted from predictions.csv, and sums to the validation pile's size",
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
    Hint {
        symptom: "The check says the run opened the test set, or predictions.csv does not have the validation pile's rows",
        cause: "the run predicts the test pile (or another pile) instead of the validation pile",
        fix: "predict prepared.validation, the pile the model was validated on; leave the test pile sealed: mistakes you study choose your next change, and choosing by the test set leaks it",
    },
    Hint {
        symptom: "predictions.csv is missing, or its predictions are not the most probable classes",
        cause: "the step that saves the predictions was changed or removed",
        fix: "keep step 2 of run() as the page shows it: it saves every prediction into predictions.csv",
    },
    Hint {
        symptom: "The confusion matrix is all zeros, or does not sum to the validation pile's size",
        cause: "count_confusions still returns its placeholder, or counts rows and columns the other way round",
        fix: "count one image per cell, with the row for the class the image is and the column for the class the model said (step 3 of the page)",
    },
    Hint {
        symptom: "The most-confused pairs are missing, or in the wrong order",
        cause: "most_confused still returns its placeholder, counts right answers (the diagonal) as mistakes, or sorts smallest first",
        fix: "reread step 4: only cells off the diagonal are mistakes, and the largest come first",
    },
    Hint {
        symptom: "Every class has an accuracy of 0",
        cause: "per_class_accuracy still returns its placeholder",
        fix: "reread step 5: a class's accuracy is its right answers over all its images, from its row of the table",
    },
    Hint {
        symptom: "mistakes.png is missing",
        cause: "draw_mistakes still returns without drawing",
        fix: "reread step 6: draw_mistakes draws the grid as well as returning the mistakes",
    },
    Hint {
        symptom: "The checker says the pair you named is not the most confused one",
        cause: "the pair was read from the full run, or the wrong way round (the predicted class for the actual one)",
        fix: "read the first pair of most_confused in runs/check/stage07/report.json: true_class is what the image is, predicted_class what the model said",
    },
];
const PILE_HINT: Hint = HINTS[0];
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
        sealed,
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
    let predictions = with_truth(&truth, |t| {
        read_checked_predictions(context, t, SAVE.fix).map_err(|(detail, fix)| {
            // Rows that are not the validation pile's: another pile was predicted.
            let fix = if fix == SAVE.fix { fix } else { PILE_HINT.fix };
            (detail, fix)
        })
    });
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
        item(sealed, judge_sealed(context, report)),
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
                .and_then(|a| judge_read_of(context, a, &interpretation, &names)),
        ),
    ]
}

/// The validation labels of a check run with the context's seed (stage 6's piles).
fn load_truth(context: &CheckContext) -> Result<Truth, String> {
    let size = sizes(context.profile);
    let piles = SplitSizes {
        train: Some(size.train),
        validation: Some(size.validation),
        test: Some(size.test),
    };
    let splits =
        load_splits(&DataSource::Builtin, piles, context.seed).map_err(|e| e.to_string())?;
    Ok(Truth {
        pile: PILE,
        labels: splits
            .validation
            .labels()
            .iter()
            .map(|&l| l as usize)
            .collect(),
        class_names: splits.class_names().to_vec(),
    })
}

/// The run studied the validation pile and left the test set sealed.
fn judge_sealed(context: &CheckContext, report: &StageReport) -> Result<String, Failure> {
    if context.out_dir.join(TEST_OPENED_FILE).exists() {
        return Err((
            format!("the run wrote {TEST_OPENED_FILE}: it opened the test set"),
            PILE_HINT.fix,
        ));
    }
    match report.get("pile").and_then(Value::as_str) {
        Some(PILE) => Ok(format!(
            "the validation pile ({} images); the test set is still sealed",
            sizes(context.profile).validation
        )),
        other => Err((
            format!(
                "report.json names the pile studied {}; it must be the {PILE} pile",
                other.map_or("nowhere".into(), |p| format!("`{p}`"))
            ),
            PILE_HINT.fix,
        )),
    }
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
                "your matrix sums to {total}; the validation pile has {} images",
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

/// The read is judged against the run the learner read: their own check run at
/// the default seed. Grading runs at a hidden seed, so there the pairs come from
/// the reference solution's check run at the default seed (the snapshot), the run
/// the learner's own check made.
fn judge_read_of(
    context: &CheckContext,
    answers: &Answers,
    interpretation: &Result<ClassificationInterpretation, Failure>,
    names: &[String],
) -> Result<String, Failure> {
    if context.seed == DEFAULT_SEED {
        let interpretation = interpretation
            .as_ref()
            .map_err(|(detail, fix)| (format!("no predictions to compare with: {detail}"), *fix))?;
        return judge_read(answers, &interpretation.most_confused(1), names);
    }
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, OUTPUTS_SNAPSHOT))
        .map_err(|e| (e, READ.fix))?;
    let pairs: Vec<Confusion> = serde_json::from_value(snapshot.value["most_confused"].clone())
        .map_err(|e| (format!("{}: {e}", snapshot.path.display()), READ.fix))?;
    judge_read(answers, &pairs, names)
        .map(|detail| format!("{detail} (your check's run, seed {DEFAULT_SEED})"))
}

/// The read names a most-confused pair: `top` lists the pairs, largest first.
fn judge_read(answers: &Answers, top: &[Confusion], names: &[String]) -> Result<String, Failure> {
    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
    let actual = answers.text("read", "actual").map_err(problem)?;
    let predicted = answers.text("read", "predicted").map_err(problem)?;
    answers.text("read", "why").map_err(problem)?;
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
    fn the_top_pairs_share_counts_only_mistakes() {
        let matrix = vec![vec![5, 3, 1], vec![0, 9, 0], vec![2, 0, 4]];
        // Mistakes: 3 + 1 + 2 = 6; the largest two cells off the diagonal hold 5.
        assert!((top_pairs_share(&matrix, 2) - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(top_pairs_share(&[vec![1, 0], vec![0, 1]], 3), 0.0);
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
        let top = truth.most_confused(1);
        assert!(judge_read(&answers("Disc", "ring"), &top, &names()).is_ok());
        let (detail, fix) = judge_read(&answers("ring", "disc"), &top, &names()).unwrap_err();
        assert!(
            detail.ends_with("swapped the actual and the predicted class"),
            "{detail}"
        );
        assert_eq!(fix, READ.fix);
        assert!(judge_read(&answers("square", "disc"), &top, &names()).is_err());
    }
}
