//! Stage 1, Photos: load the labelled images, count each class, draw a grid of samples.

use kindling::data::{DataSource, load_splits};
use kindling_course::facts::stage01::{SAMPLES_PER_CLASS, split_sizes};

use super::{Hint, StageInfo, with_truth};
use crate::answers::{Answers, AnswersError};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::report::StageReport;
use crate::values::usizes;

/// Stage 1's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 1,
    name: "Photos",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 60,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 4] = [
    (
        "s1.counts",
        "Every class is counted, and the counts match the data",
    ),
    (
        "s1.grid",
        "samples.png shows two labelled images of every class",
    ),
    ("s1.predict", "answers.toml holds your prediction"),
    (
        "s1.balance",
        "answers.toml: your answer about balance agrees with the counts",
    ),
];

const HINTS: [Hint; 3] = [
    Hint {
        symptom: "Every count is 0",
        cause: "count_per_class still returns the starting zeros",
        fix: "go through the labels once, and for each one add one to the count of its class",
    },
    Hint {
        symptom: "The counts add up to more or fewer images than there are",
        cause: "some labels are skipped or counted twice",
        fix: "loop over every label exactly once",
    },
    Hint {
        symptom: "The grid has the wrong classes",
        cause: "the first images were taken whatever their label",
        fix: "pick images by label: for each class in turn, the first two images with that label",
    },
];
const ZEROS: Hint = HINTS[0];
const MISCOUNTED: Hint = HINTS[1];
const WRONG_PICKS: Hint = HINTS[2];

const NO_COUNTS_FIX: &str = "Keep the line of run() that records class_counts in the report.";
const GRID_FIX: &str = "Keep the lines of run() that draw the grid into samples.png.";
const PREDICT_FIX: &str =
    "Before you run the stage, write what you expect under [predict] in answers.toml.";
const BALANCE_FIX: &str =
    "Look at your counts: a set is balanced when every class has about the same number of images.";

/// A set is balanced when its largest class is at most this much bigger than its smallest.
const BALANCE_RATIO: f64 = 1.1;

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let truth = load_truth(context);
    let [counts_item, grid_item, predict_item, balance_item] = ITEMS;
    let item = CheckItem::judged;
    let answers = context.answers();
    let grid_outcome = context
        .fresh_file("samples.png")
        .map_err(|detail| (detail, GRID_FIX))
        .and_then(|path| {
            image::open(&path).map_err(|e| {
                (
                    format!("samples.png does not open as an image: {e}"),
                    GRID_FIX,
                )
            })
        })
        .and_then(|picture| {
            with_truth(&truth, |t| judge_grid(t, report))
                .map(|detail| format!("{detail}, {}x{} pixels", picture.width(), picture.height()))
        });
    vec![
        item(counts_item, with_truth(&truth, |t| judge_counts(t, report))),
        item(grid_item, grid_outcome),
        item(predict_item, judge_prediction(&answers)),
        item(
            balance_item,
            with_truth(&truth, |t| judge_balance(t, &answers)),
        ),
    ]
}

/// What the check run must find: the class counts and the sample picks.
#[derive(Debug, Clone)]
struct Truth {
    counts: Vec<usize>,
    samples: Vec<usize>,
}

fn load_truth(context: &CheckContext) -> Result<Truth, String> {
    let images = load_splits(
        &DataSource::Builtin,
        split_sizes(context.profile),
        context.seed,
    )
    .map_err(|e| e.to_string())?
    .train;
    let images = &images;
    let samples = (0..images.num_classes())
        .flat_map(|class| {
            (0..images.len())
                .filter(move |&i| images.label(i) == class)
                .take(SAMPLES_PER_CLASS)
        })
        .collect();
    Ok(Truth {
        counts: images.class_counts(),
        samples,
    })
}

fn judge_counts(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let found = usizes(report.get("class_counts")).ok_or_else(|| {
        (
            "report.json has no class_counts list".to_string(),
            NO_COUNTS_FIX,
        )
    })?;
    if found == truth.counts {
        return Ok(format!(
            "{} classes, {} images",
            found.len(),
            found.iter().sum::<usize>()
        ));
    }
    let fix = if found.iter().all(|&n| n == 0) {
        ZEROS.fix
    } else {
        MISCOUNTED.fix
    };
    Err((
        format!("you counted {found:?}, the data has {:?}", truth.counts),
        fix,
    ))
}

fn judge_grid(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let picked = usizes(report.get("sample_indices")).unwrap_or_default();
    if picked != truth.samples {
        return Err((
            format!(
                "the grid shows images {picked:?}; the first {SAMPLES_PER_CLASS} of each class, class by class, are {:?}",
                truth.samples
            ),
            WRONG_PICKS.fix,
        ));
    }
    Ok(format!("{} images", picked.len()))
}

fn judge_prediction(answers: &Result<Answers, AnswersError>) -> Result<String, Failure> {
    let answers = answers.as_ref().map_err(|e| (e.to_string(), PREDICT_FIX))?;
    answers
        .text("predict", "images_per_class")
        .map(|_| "written".to_string())
        .map_err(|e| (e.to_string(), PREDICT_FIX))
}

fn judge_balance(
    truth: &Truth,
    answers: &Result<Answers, AnswersError>,
) -> Result<String, Failure> {
    let answers = answers.as_ref().map_err(|e| (e.to_string(), BALANCE_FIX))?;
    let answer = answers
        .choice("observe", "balanced", &["yes", "no"])
        .map_err(|e| (e.to_string(), BALANCE_FIX))?;
    let low = truth.counts.iter().min().copied().unwrap_or(0);
    let high = truth.counts.iter().max().copied().unwrap_or(0);
    let balanced = low > 0 && high as f64 <= low as f64 * BALANCE_RATIO;
    let right = if balanced { "yes" } else { "no" };
    if answer == right {
        Ok(format!("between {low} and {high} images a class"))
    } else {
        Err((
            format!(
                "you answered `{answer}`, but the classes have between {low} and {high} images"
            ),
            BALANCE_FIX,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::profile::Profile;

    fn truth() -> Truth {
        Truth {
            counts: vec![3, 2, 3],
            samples: vec![0, 4, 1, 5, 2, 6],
        }
    }

    fn report(values: &[(&str, Value)]) -> StageReport {
        StageReport {
            stage: 1,
            profile: Profile::Check,
            seed: kindling_course::facts::DEFAULT_SEED,
            dataset: "builtin".into(),
            run_id: None,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn answers(text: &str) -> Result<Answers, AnswersError> {
        Answers::parse(text, Path::new("answers.toml"))
    }

    #[test]
    fn right_counts_pass_and_wrong_ones_get_the_hint_for_their_mistake() {
        let detail =
            judge_counts(&truth(), &report(&[("class_counts", json!([3, 2, 3]))])).unwrap();
        assert_eq!(detail, "3 classes, 8 images");
        let zeros = judge_counts(&truth(), &report(&[("class_counts", json!([0, 0, 0]))]));
        assert_eq!(zeros.unwrap_err().1, ZEROS.fix);
        let (detail, fix) =
            judge_counts(&truth(), &report(&[("class_counts", json!([4, 2, 3]))])).unwrap_err();
        assert_eq!(fix, MISCOUNTED.fix);
        assert!(
            detail.contains("[4, 2, 3]") && detail.contains("[3, 2, 3]"),
            "{detail}"
        );
        assert_eq!(
            judge_counts(&truth(), &report(&[])).unwrap_err().1,
            NO_COUNTS_FIX
        );
    }

    #[test]
    fn the_grid_must_pick_by_class() {
        let good = report(&[("sample_indices", json!([0, 4, 1, 5, 2, 6]))]);
        assert_eq!(judge_grid(&truth(), &good).unwrap(), "6 images");
        let first_six = report(&[("sample_indices", json!([0, 1, 2, 3, 4, 5]))]);
        assert_eq!(
            judge_grid(&truth(), &first_six).unwrap_err().1,
            WRONG_PICKS.fix
        );
    }

    #[test]
    fn the_prediction_must_be_written() {
        assert!(
            judge_prediction(&answers("[predict]\nimages_per_class = \"about 200\"\n")).is_ok()
        );
        let (detail, fix) =
            judge_prediction(&answers("[predict]\nimages_per_class = \"\"\n")).unwrap_err();
        assert_eq!(fix, PREDICT_FIX);
        assert!(detail.contains("images_per_class"), "{detail}");
    }

    #[test]
    fn the_balance_answer_is_held_to_the_counts() {
        let balanced = Truth {
            counts: vec![100, 105, 99],
            samples: vec![],
        };
        assert!(judge_balance(&balanced, &answers("[observe]\nbalanced = \"yes\"\n")).is_ok());
        let (detail, _) =
            judge_balance(&balanced, &answers("[observe]\nbalanced = \"no\"\n")).unwrap_err();
        assert!(detail.contains("between 99 and 105"), "{detail}");
        // 3 against 2 is far from balanced.
        assert!(judge_balance(&truth(), &answers("[observe]\nbalanced = \"no\"\n")).is_ok());
        assert!(judge_balance(&truth(), &answers("[observe]\nbalanced = \"maybe\"\n")).is_err());
    }
}
