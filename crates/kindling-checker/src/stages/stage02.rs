//! Stage 2, Variables: the images and labels as tensors, their shapes, types and
//! value ranges, and the first batch.

use kindling::data::{CHANNELS, DataSource, IMAGE_SIDE, load_splits};
use kindling_course::facts::stage02::{BATCH_SIZE, split_sizes};
use serde_json::Value;

use super::{Hint, StageInfo, with_truth};
use crate::answers::answer;
use crate::check::{CheckContext, CheckItem, Failure};
use crate::report::StageReport;
use crate::values::{floats, strings, usizes};

/// Stage 2's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 2,
    name: "Variables",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 60,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 5] = [
    (
        "s2.x",
        "x_train has shape [images, 3, 32, 32], holds floats, and its measured min and max lie in [0, 1]",
    ),
    (
        "s2.y",
        "y_train holds one whole-number label per image, from 0 to 9, and class_names names all 10 classes",
    ),
    (
        "s2.batch",
        "The first batch has shape [32, 3, 32, 32] and holds the first 32 labels",
    ),
    (
        "s2.predict",
        "answers.toml holds your prediction of x_train's shape",
    ),
    (
        "s2.numbers",
        "answers.toml: your count of numbers in one image agrees with x_train's shape",
    ),
];

const HINTS: [Hint; 4] = [
    Hint {
        symptom: "x_train's values go up to 255, not 1",
        cause: "the bytes became floats but were never scaled",
        fix: "scale each byte into [0, 1] as it becomes a float (step 2 of the page)",
    },
    Hint {
        symptom: "x_train's shape is [1, 1, 1, ...], or its pixels are in the wrong places",
        cause: "the numbers are still one long row, or were put in another order",
        fix: "keep the bytes in the order images.pixels() gives them, and give the tensor four dimensions: images, channels, rows, columns",
    },
    Hint {
        symptom: "The min and max are both 0, or every label is 0",
        cause: "value_range or labels_to_tensor still returns its placeholder",
        fix: "measure the smallest and largest value of x itself (step 4), and build y_train from the images' labels (step 3)",
    },
    Hint {
        symptom: "The batch holds every image",
        cause: "first_batch still returns the whole tensors",
        fix: "cut both tensors down to their first entries along dimension 0, the images' dimension (step 5)",
    },
];
const SCALE: Hint = HINTS[0];
const SHAPE: Hint = HINTS[1];
const PLACEHOLDER: Hint = HINTS[2];
const BATCH: Hint = HINTS[3];

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [x_item, y_item, batch_item, predict_item, numbers_item] = ITEMS;
    let truth = load_truth(context);
    let judged = |item, judge: fn(&Truth, &StageReport) -> Result<String, Failure>| {
        CheckItem::judged(item, with_truth(&truth, |t| judge(t, report)))
    };
    let mut items = vec![
        judged(x_item, judge_x),
        judged(y_item, judge_y),
        judged(batch_item, judge_batch),
    ];

    let answers = context.answers();
    items.push(CheckItem::from_result(
        predict_item.0,
        predict_item.1,
        answer(&answers, |a| a.text("predict", "x_train_shape")).map(|_| None),
        "Before you run the stage, write the shape you expect under [predict] in answers.toml.",
    ));
    let numbers = answer(&answers, |a| a.number("observe", "numbers_per_image"))
        .and_then(|answer| judge_numbers_per_image(answer, report));
    items.push(CheckItem::from_result(
        numbers_item.0,
        numbers_item.1,
        numbers,
        "One image is x_train[0]: multiply the sizes of x_train's shape after the first.",
    ));
    items
}

/// What the check run must find, recomputed from the data.
#[derive(Debug, Clone, PartialEq)]
struct Truth {
    images: usize,
    /// The smallest and largest pixel byte, scaled to [0, 1].
    min: f32,
    max: f32,
    /// `x_train[0, c, 0, 0]` for each channel, scaled to [0, 1].
    top_left: Vec<f32>,
    labels: Vec<i64>,
    class_names: Vec<String>,
}

fn load_truth(context: &CheckContext) -> Result<Truth, String> {
    let images = load_splits(
        &DataSource::Builtin,
        split_sizes(context.profile),
        context.seed,
    )
    .map_err(|e| e.to_string())?
    .train;
    let scale = |byte: u8| byte as f32 / 255.0;
    let plane = IMAGE_SIDE * IMAGE_SIDE;
    Ok(Truth {
        images: images.len(),
        min: scale(*images.pixels().iter().min().unwrap_or(&0)),
        max: scale(*images.pixels().iter().max().unwrap_or(&0)),
        top_left: (0..CHANNELS)
            .map(|channel| scale(images.image(0)[channel * plane]))
            .collect(),
        labels: images.labels().iter().map(|&l| l as i64).collect(),
        class_names: images.class_names().to_vec(),
    })
}

/// Pixels read back from a report agree with the data within this.
const TOLERANCE: f32 = 1e-4;

fn judge_x(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let expected_shape = vec![truth.images, CHANNELS, IMAGE_SIDE, IMAGE_SIDE];
    let shape = usizes(report.get("x_train_shape"))
        .ok_or_else(|| ("report.json has no x_train_shape".to_string(), SHAPE.fix))?;
    if shape != expected_shape {
        return Err((
            format!(
                "x_train has shape {shape:?}; the {} images need {expected_shape:?}",
                truth.images
            ),
            SHAPE.fix,
        ));
    }
    let dtype = text(report.get("x_train_dtype")).unwrap_or_default();
    if !is_float(&dtype) {
        return Err((
            format!("x_train holds `{dtype}` values; pixels between 0 and 1 need floats (f32)"),
            SCALE.fix,
        ));
    }
    let top_left = floats(report.get("top_left_pixel")).unwrap_or_default();
    let near = |found: &[f32], expected: &[f32]| {
        found.len() == expected.len()
            && found
                .iter()
                .zip(expected)
                .all(|(a, b)| (a - b).abs() <= TOLERANCE * b.abs().max(1.0))
    };
    let unscaled: Vec<f32> = truth.top_left.iter().map(|v| v * 255.0).collect();
    if near(&top_left, &unscaled) && !near(&top_left, &truth.top_left) {
        return Err((
            format!(
                "the first pixel of x_train is {top_left:?}: bytes from 0 to 255, not scaled to [0, 1] ({:?})",
                truth.top_left
            ),
            SCALE.fix,
        ));
    }
    if !near(&top_left, &truth.top_left) {
        return Err((
            format!(
                "x_train[0, :, 0, 0] (the first image's top-left pixel) is {top_left:?}, but the data's is {:?}: the pixels are not in [image, channel, row, column] order",
                truth.top_left
            ),
            SHAPE.fix,
        ));
    }
    let (min, max) = (
        number(report.get("x_train_min")),
        number(report.get("x_train_max")),
    );
    let (Some(min), Some(max)) = (min, max) else {
        return Err((
            "report.json has no x_train_min or x_train_max".into(),
            PLACEHOLDER.fix,
        ));
    };
    if max > 1.5 {
        return Err((
            format!("x_train's values go from {min} to {max}: bytes, not scaled to [0, 1]"),
            SCALE.fix,
        ));
    }
    if min == 0.0 && max == 0.0 && truth.max > 0.0 {
        return Err((
            format!(
                "you measured 0 and 0, but x_train's values go from {} to {}: the range was not measured",
                truth.min, truth.max
            ),
            PLACEHOLDER.fix,
        ));
    }
    if (min - truth.min).abs() > TOLERANCE || (max - truth.max).abs() > TOLERANCE {
        return Err((
            format!(
                "you measured {min} to {max}, but x_train's values go from {} to {}",
                truth.min, truth.max
            ),
            PLACEHOLDER.fix,
        ));
    }
    Ok(format!("{shape:?} {dtype}, values {min} to {max}"))
}

fn judge_y(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let shape = usizes(report.get("y_train_shape")).ok_or_else(|| {
        (
            "report.json has no y_train_shape".to_string(),
            PLACEHOLDER.fix,
        )
    })?;
    if shape != [truth.images] {
        return Err((
            format!(
                "y_train has shape {shape:?}; one label per image is [{}]",
                truth.images
            ),
            PLACEHOLDER.fix,
        ));
    }
    let dtype = text(report.get("y_train_dtype")).unwrap_or_default();
    if !is_whole_number(&dtype) {
        return Err((
            format!("y_train holds `{dtype}` values; labels are whole numbers (Int)"),
            PLACEHOLDER.fix,
        ));
    }
    let expected = (
        truth.labels.iter().min().copied().unwrap_or(0),
        truth.labels.iter().max().copied().unwrap_or(0),
    );
    let found = (
        whole(report.get("y_train_min")),
        whole(report.get("y_train_max")),
    );
    if found != (Some(expected.0), Some(expected.1)) {
        return Err((
            format!(
                "y_train's labels go from {} to {}, but the data's go from {} to {}",
                show(found.0),
                show(found.1),
                expected.0,
                expected.1
            ),
            PLACEHOLDER.fix,
        ));
    }
    let names = strings(report.get("class_names")).unwrap_or_default();
    if names != truth.class_names {
        return Err((
            format!(
                "class_names is {names:?}; the data's classes are {:?}",
                truth.class_names
            ),
            "class_names comes from images.class_names(): keep that line of run() as it is",
        ));
    }
    Ok(format!(
        "[{}] {dtype}, labels {} to {}, {} classes",
        truth.images,
        expected.0,
        expected.1,
        names.len()
    ))
}

fn judge_batch(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let expected_shape = [BATCH_SIZE, CHANNELS, IMAGE_SIDE, IMAGE_SIDE];
    let shape = usizes(report.get("batch_shape")).unwrap_or_default();
    let label_shape = usizes(report.get("batch_labels_shape")).unwrap_or_default();
    let everything = shape.first() == Some(&truth.images) || label_shape == [truth.images];
    if everything && truth.images != BATCH_SIZE {
        return Err((
            format!("the batch has shape {shape:?}: every image, not the first {BATCH_SIZE}"),
            BATCH.fix,
        ));
    }
    if shape != expected_shape || label_shape != [BATCH_SIZE] {
        return Err((
            format!(
                "the batch has shape {shape:?} with labels {label_shape:?}; {expected_shape:?} with [{BATCH_SIZE}] was expected"
            ),
            BATCH.fix,
        ));
    }
    let labels = report
        .get("batch_labels")
        .and_then(Value::as_array)
        .map(|values| values.iter().map(Value::as_i64).collect::<Option<Vec<_>>>())
        .unwrap_or_default()
        .unwrap_or_default();
    let first = &truth.labels[..BATCH_SIZE.min(truth.labels.len())];
    if labels != first {
        let fix = if labels.iter().all(|&l| l == 0) {
            PLACEHOLDER.fix
        } else {
            BATCH.fix
        };
        return Err((
            format!(
                "the batch's labels are {labels:?}; the first {BATCH_SIZE} labels are {first:?}"
            ),
            fix,
        ));
    }
    Ok(format!("{shape:?}, labels {label_shape:?}"))
}

/// The answer to "how many numbers does x_train hold for one image?".
fn judge_numbers_per_image(answer: f64, report: &StageReport) -> Result<Option<String>, String> {
    if answer.is_nan() {
        return Err(
            "[observe] numbers_per_image: is still nan: write a whole number (no quotes)".into(),
        );
    }
    let expected = CHANNELS * IMAGE_SIDE * IMAGE_SIDE;
    let shape = usizes(report.get("x_train_shape")).unwrap_or_default();
    if answer == expected as f64 {
        Ok(Some(format!("{expected}")))
    } else {
        Err(format!(
            "you answered {answer}; x_train's shape {shape:?} gives each image {CHANNELS} x {IMAGE_SIDE} x {IMAGE_SIDE} numbers"
        ))
    }
}

/// Burn's float types: f64, f32, f16, bf16, flex32.
fn is_float(dtype: &str) -> bool {
    dtype.starts_with('f') || dtype == "bf16"
}

/// Burn's whole-number types: i64 to i8, u64 to u8.
fn is_whole_number(dtype: &str) -> bool {
    dtype.starts_with('i') || dtype.starts_with('u')
}

fn show(value: Option<i64>) -> String {
    value.map_or("(missing)".into(), |v| v.to_string())
}

fn number(value: Option<&Value>) -> Option<f32> {
    value?.as_f64().map(|n| n as f32)
}

fn whole(value: Option<&Value>) -> Option<i64> {
    value?.as_i64()
}

fn text(value: Option<&Value>) -> Option<String> {
    value?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::profile::Profile;

    fn truth() -> Truth {
        Truth {
            images: 40,
            min: 0.0,
            max: 1.0,
            top_left: vec![0.2, 0.4, 0.6],
            labels: (0..40).map(|i| i % 10).collect(),
            class_names: (0..10).map(|i| format!("class {i}")).collect(),
        }
    }

    /// The report a correct solution writes for `truth()`.
    fn good_report() -> StageReport {
        let truth = truth();
        let values = [
            ("x_train_shape", json!([40, 3, 32, 32])),
            ("x_train_dtype", json!("f32")),
            ("x_train_min", json!(0.0)),
            ("x_train_max", json!(1.0)),
            ("top_left_pixel", json!([0.2, 0.4, 0.6])),
            ("y_train_shape", json!([40])),
            ("y_train_dtype", json!("i32")),
            ("y_train_min", json!(0)),
            ("y_train_max", json!(9)),
            ("class_names", json!(truth.class_names)),
            ("batch_shape", json!([32, 3, 32, 32])),
            ("batch_labels_shape", json!([32])),
            ("batch_labels", json!(truth.labels[..32])),
        ];
        StageReport {
            stage: 2,
            profile: Profile::Check,
            seed: kindling_course::facts::DEFAULT_SEED,
            dataset: "builtin".into(),
            run_id: None,
            values: values
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn with(changes: &[(&str, Value)]) -> StageReport {
        let mut report = good_report();
        for (key, value) in changes {
            report.set(key, value);
        }
        report
    }

    #[test]
    fn a_correct_report_passes_every_item() {
        let report = good_report();
        assert!(judge_x(&truth(), &report).is_ok());
        assert!(judge_y(&truth(), &report).is_ok());
        assert!(judge_batch(&truth(), &report).is_ok());
        assert!(judge_numbers_per_image(3072.0, &report).is_ok());
    }

    #[test]
    fn the_untouched_exercise_gets_the_shape_hint_first() {
        let report = with(&[
            ("x_train_shape", json!([1, 1, 1, 40 * 3072])),
            ("x_train_min", json!(0.0)),
            ("x_train_max", json!(0.0)),
            ("top_left_pixel", json!([51.0, 102.0, 153.0])),
        ]);
        let (detail, fix) = judge_x(&truth(), &report).unwrap_err();
        assert_eq!(fix, SHAPE.fix);
        assert!(detail.contains("[40, 3, 32, 32]"), "{detail}");
    }

    #[test]
    fn unscaled_bytes_get_the_divide_by_255_hint() {
        // Shaped right but never divided: the pixel shows it even before the
        // range is measured.
        let report = with(&[
            ("top_left_pixel", json!([51.0, 102.0, 153.0])),
            ("x_train_min", json!(0.0)),
            ("x_train_max", json!(0.0)),
        ]);
        assert_eq!(judge_x(&truth(), &report).unwrap_err().1, SCALE.fix);
        let measured = with(&[("x_train_max", json!(255.0))]);
        let (detail, fix) = judge_x(&truth(), &measured).unwrap_err();
        assert_eq!(fix, SCALE.fix);
        assert!(detail.contains("255"), "{detail}");
    }

    #[test]
    fn reordered_pixels_and_unmeasured_ranges_are_told_apart() {
        let interleaved = with(&[("top_left_pixel", json!([0.2, 0.25, 0.3]))]);
        assert_eq!(judge_x(&truth(), &interleaved).unwrap_err().1, SHAPE.fix);
        let unmeasured = with(&[("x_train_max", json!(0.0))]);
        let (detail, fix) = judge_x(&truth(), &unmeasured).unwrap_err();
        assert_eq!(fix, PLACEHOLDER.fix);
        assert!(detail.contains("not measured"), "{detail}");
        let wrong = with(&[("x_train_max", json!(0.5))]);
        assert_eq!(judge_x(&truth(), &wrong).unwrap_err().1, PLACEHOLDER.fix);
    }

    #[test]
    fn placeholder_labels_fail_y_and_the_batch_with_the_placeholder_hint() {
        let report = with(&[
            ("y_train_max", json!(0)),
            ("batch_labels", json!(vec![0; 32])),
        ]);
        let (detail, fix) = judge_y(&truth(), &report).unwrap_err();
        assert_eq!(fix, PLACEHOLDER.fix);
        assert!(detail.contains("0 to 0"), "{detail}");
        assert_eq!(
            judge_batch(&truth(), &report).unwrap_err().1,
            PLACEHOLDER.fix
        );
    }

    #[test]
    fn a_batch_of_everything_or_of_other_images_gets_the_batch_hint() {
        let everything = with(&[
            ("batch_shape", json!([40, 3, 32, 32])),
            ("batch_labels_shape", json!([40])),
        ]);
        let (detail, fix) = judge_batch(&truth(), &everything).unwrap_err();
        assert_eq!(fix, BATCH.fix);
        assert!(detail.contains("every image"), "{detail}");
        let shifted = with(&[("batch_labels", json!(truth().labels[1..33]))]);
        assert_eq!(judge_batch(&truth(), &shifted).unwrap_err().1, BATCH.fix);
    }

    #[test]
    fn numbers_per_image_must_be_three_planes_of_32_by_32() {
        let report = good_report();
        assert!(judge_numbers_per_image(1024.0, &report).is_err());
        assert!(
            judge_numbers_per_image(f64::NAN, &report)
                .unwrap_err()
                .contains("nan")
        );
    }
}
