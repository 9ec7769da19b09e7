//! Stage 1, Photos: load the labelled images, count each class, draw a grid of samples.

use kindling::data::{SplitSizes, load_splits};

use super::{Hint, StageInfo};
use crate::answers::answer;
use crate::check::{CheckContext, CheckItem};
use crate::report::StageReport;
use crate::values::usizes;

/// Images the stage loads in the full run (the whole training split).
pub const FULL_IMAGES: usize = 50_000;
/// Images the stage loads in the check run.
pub const CHECK_IMAGES: usize = 2_000;
/// Sample images per class in the grid.
pub const SAMPLES_PER_CLASS: usize = 2;

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
        fix: "add one to counts[label] for every label in the loop",
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

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let truth = load_truth(context);
    let [counts, grid, predict, balance] = ITEMS;
    let mut items = Vec::new();

    let counted = usizes(report.get("class_counts"));
    items.push(CheckItem::from_result(
        counts.0,
        counts.1,
        match (&truth, &counted) {
            (Err(error), _) => Err(format!("the checker could not load the data: {error}")),
            (_, None) => Err("report.json has no class_counts list".into()),
            (Ok(expected), Some(found)) if *found == expected.counts => Ok(Some(format!(
                "{} classes, {} images",
                found.len(),
                found.iter().sum::<usize>()
            ))),
            (Ok(expected), Some(found)) => Err(format!(
                "you counted {found:?}, the data has {:?}",
                expected.counts
            )),
        },
        if counted.as_ref().is_some_and(|c| c.iter().all(|&n| n == 0)) {
            HINTS[0].fix
        } else {
            HINTS[1].fix
        },
    ));

    let picked = usizes(report.get("sample_indices")).unwrap_or_default();
    let grid_outcome = context.fresh_file("samples.png").and_then(|path| {
        let picture = image::open(&path).map_err(|e| format!("samples.png does not open as an image: {e}"))?;
        let expected = truth.as_ref().map_err(ToString::to_string)?;
        if picked != expected.samples {
            return Err(format!(
                "the grid shows images {picked:?}; the first {SAMPLES_PER_CLASS} of each class, class by class, are {:?}",
                expected.samples
            ));
        }
        Ok(Some(format!("{} images, {}x{} pixels", picked.len(), picture.width(), picture.height())))
    });
    items.push(CheckItem::from_result(
        grid.0,
        grid.1,
        grid_outcome,
        HINTS[2].fix,
    ));

    let answers = context.answers();
    items.push(CheckItem::from_result(
        predict.0,
        predict.1,
        answer(&answers, |a| a.text("predict", "images_per_class")).map(|_| None),
        "Before you run the stage, write what you expect under [predict] in answers.toml.",
    ));
    let balance_outcome = answer(&answers, |a| {
        a.choice("observe", "balanced", &["yes", "no"])
    })
    .and_then(|answer| {
        let expected = &truth.as_ref().map_err(ToString::to_string)?.counts;
        let (low, high) = (
            *expected.iter().min().unwrap_or(&0),
            *expected.iter().max().unwrap_or(&0),
        );
        // Balanced: the largest class is at most 10% bigger than the smallest.
        let balanced = low > 0 && high as f64 <= low as f64 * 1.1;
        let right = if balanced { "yes" } else { "no" };
        if answer == right {
            Ok(None)
        } else {
            Err(format!(
                "you answered `{answer}`, but the classes have between {low} and {high} images"
            ))
        }
    });
    items.push(CheckItem::from_result(
        balance.0,
        balance.1,
        balance_outcome,
        "Look at your counts: a set is balanced when every class has about the same number of images.",
    ));
    items
}

/// What the check run must find: the class counts and the sample picks.
struct Truth {
    counts: Vec<usize>,
    samples: Vec<usize>,
}

fn load_truth(context: &CheckContext) -> Result<Truth, String> {
    let sizes = SplitSizes {
        train: Some(context.profile.pick(FULL_IMAGES, CHECK_IMAGES)),
        validation: Some(0),
        test: Some(0),
    };
    let images = load_splits(&kindling::data::DataSource::Builtin, sizes, context.seed)
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
