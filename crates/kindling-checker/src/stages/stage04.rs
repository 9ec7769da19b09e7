//! Stage 4, Model: the baseline CNN, its Keras-style summary and one forward pass.

use kindling::burn::prelude::Device;
use kindling::models::{BaselineCnnConfig, LayerRecord, summary, with_commas};
use serde_json::Value;

use super::{Hint, StageInfo};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::report::StageReport;
use crate::values::usizes;
use kindling_course::facts::stage04::{BATCH_SIZE, CLASSES};

/// Parameters of the baseline CNN.
pub const TOTAL_PARAMS: usize = 122_570;

/// Stage 4's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 4,
    name: "Model",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 60,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 5] = [
    (
        "s4.layers",
        "Each layer's output shape and parameter count match the baseline CNN, in order",
    ),
    ("s4.total", "The model has 122,570 parameters in all"),
    (
        "s4.forward",
        "A forward pass on a batch of 8 images gives scores of shape [8, 10]",
    ),
    (
        "s4.summary",
        "summary.txt holds the summary table: every layer, its output shape and its parameters",
    ),
    (
        "s4.answers",
        "answers.toml holds your predicted parameter count, and names the layer with the most parameters",
    ),
];

const HINTS: [Hint; 4] = [
    Hint {
        symptom: "The summary shows only a flatten and one dense layer, with 30,730 parameters",
        cause: "the model is still the exercise's placeholder",
        fix: "build the network the page describes: three 3x3 convolutions with 32, 64 and 64 filters, 2x2 max pooling after the first two, a dense layer of 64 and one of 10 outputs, with a ReLU after the convolutions and the first dense layer",
    },
    Hint {
        symptom: "A Conv2D or MaxPooling2D layer has the wrong output shape or parameter count",
        cause: "a convolution has the wrong kernel, filter count or padding, or a pooling is missing or extra",
        fix: "use 3x3 kernels without padding (each takes 2 pixels off the height and the width) and pool 2x2 after the first two convolutions only",
    },
    Hint {
        symptom: "dense_1 has the wrong parameter count, or the run stops with a shape error in a Linear layer",
        cause: "the first Linear's input size is not what the flatten hands it",
        fix: "follow one image's shape down the network (or read the error, which names both sizes): the first dense layer takes as many inputs as the flatten hands on for each image",
    },
    Hint {
        symptom: "A layer is missing from the summary",
        cause: "forward_traced calls the layer but does not report it",
        fix: "report every layer's output to the tracer as it passes (step 4), in the order the data flows",
    },
];
const PLACEHOLDER: Hint = HINTS[0];
const SHAPES: Hint = HINTS[1];
const DENSE: Hint = HINTS[2];
const TRACE: Hint = HINTS[3];

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        layers_item,
        total_item,
        forward_item,
        summary_item,
        answers_item,
    ] = ITEMS;
    let reference = reference_layers();
    let found = report_layers(report);
    let item = CheckItem::judged;
    let summary_outcome = context
        .fresh_file("summary.txt")
        .and_then(|path| std::fs::read_to_string(path).map_err(|e| format!("summary.txt: {e}")))
        .map_err(|detail| (detail, SUMMARY_FIX))
        .and_then(|text| judge_summary_text(&text, &found, report));
    let answers_outcome = context
        .answers()
        .map_err(|e| (e.to_string(), ANSWERS_FIX))
        .and_then(|answers| {
            let parameters = answers
                .number("predict", "parameters")
                .map_err(|e| (e.to_string(), ANSWERS_FIX))?;
            if parameters.is_nan() {
                // The prediction comes first on the page: report it first.
                return judge_answers(parameters, "", &found);
            }
            let most = answers
                .text("observe", "most_parameters")
                .map_err(|e| (e.to_string(), ANSWERS_FIX))?;
            judge_answers(parameters, &most, &found)
        });
    vec![
        item(layers_item, judge_layers(&found, &reference)),
        item(total_item, judge_total(report, &found, &reference)),
        item(forward_item, judge_forward(report)),
        item(summary_item, summary_outcome),
        item(answers_item, answers_outcome),
    ]
}

const SUMMARY_FIX: &str =
    "Keep the lines of run() that build the summary and write it into summary.txt.";
const ANSWERS_FIX: &str = "Write your guess of the parameter count before running; afterwards, read the Param # column of the summary.";

/// The baseline CNN's layers, measured the same way the learner's are.
fn reference_layers() -> Vec<LayerRecord> {
    let device = Device::flex();
    summary(&BaselineCnnConfig::new().init(&device), &device).layers
}

/// The layers the run reported, rebuilt from its parallel lists.
fn report_layers(report: &StageReport) -> Vec<LayerRecord> {
    let texts = |key: &str| -> Vec<String> {
        report
            .get(key)
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let names = texts("layer_names");
    let kinds = texts("layer_kinds");
    let shapes: Vec<Vec<usize>> = report
        .get("layer_output_shapes")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| usizes(Some(v)).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let params = usizes(report.get("layer_params")).unwrap_or_default();
    names
        .into_iter()
        .enumerate()
        .map(|(index, name)| LayerRecord {
            name,
            kind: kinds.get(index).cloned().unwrap_or_default(),
            output_shape: shapes.get(index).cloned().unwrap_or_default(),
            params: params.get(index).copied().unwrap_or(0),
        })
        .collect()
}

/// True for the untouched exercise: a flatten of the images and one dense layer.
fn is_placeholder(found: &[LayerRecord]) -> bool {
    found.len() <= 2 && found.first().is_some_and(|layer| layer.kind == "Flatten")
}

fn describe(layer: &LayerRecord) -> String {
    format!(
        "{} ({}) with output {:?} and {} parameters",
        layer.name,
        layer.kind,
        layer.output_shape,
        with_commas(layer.params)
    )
}

fn same(a: &LayerRecord, b: &LayerRecord) -> bool {
    a.output_shape == b.output_shape && a.params == b.params
}

/// The first layer that differs from the reference, and the fix that fits it.
fn judge_layers(found: &[LayerRecord], reference: &[LayerRecord]) -> Result<String, Failure> {
    if found.is_empty() {
        return Err(("report.json lists no layers".into(), TRACE.fix));
    }
    for (index, expected) in reference.iter().enumerate() {
        let Some(layer) = found.get(index) else {
            return Err((
                format!(
                    "your model stops after {} layers; the baseline goes on with {}",
                    found.len(),
                    describe(expected)
                ),
                TRACE.fix,
            ));
        };
        if same(layer, expected) {
            continue;
        }
        let fix = if is_placeholder(found) {
            PLACEHOLDER.fix
        } else if reference
            .get(index + 1)
            .is_some_and(|next| same(layer, next))
        {
            // The layer that should come next is here: this one was not reported.
            TRACE.fix
        } else if expected.kind == "Dense" || layer.kind == "Dense" {
            DENSE.fix
        } else {
            SHAPES.fix
        };
        return Err((
            format!(
                "layer {}: yours is {}; the baseline's is {}",
                index + 1,
                describe(layer),
                describe(expected)
            ),
            fix,
        ));
    }
    if found.len() > reference.len() {
        return Err((
            format!(
                "your model has {} layers after the baseline's last: {}",
                found.len() - reference.len(),
                describe(&found[reference.len()])
            ),
            SHAPES.fix,
        ));
    }
    Ok(format!("{} layers", found.len()))
}

fn judge_total(
    report: &StageReport,
    found: &[LayerRecord],
    reference: &[LayerRecord],
) -> Result<String, Failure> {
    let total = report.get("total_params").and_then(Value::as_u64);
    if total == Some(TOTAL_PARAMS as u64) {
        return Ok(with_commas(TOTAL_PARAMS));
    }
    // The layer comparison knows best which fix fits.
    let fix = judge_layers(found, reference)
        .err()
        .map_or(SHAPES.fix, |(_, fix)| fix);
    Err((
        format!(
            "your model has {} parameters; the baseline has {}",
            total.map_or("no count of".into(), |t| with_commas(t as usize)),
            with_commas(TOTAL_PARAMS)
        ),
        fix,
    ))
}

fn judge_forward(report: &StageReport) -> Result<String, Failure> {
    let input = usizes(report.get("forward_input_shape")).unwrap_or_default();
    let output = usizes(report.get("forward_output_shape")).unwrap_or_default();
    if input.first() != Some(&BATCH_SIZE) {
        return Err((
            format!(
                "the forward pass was given images of shape {input:?}; it needs a batch of {BATCH_SIZE}"
            ),
            "Keep first_images and the forward pass in run() as the page gives them.",
        ));
    }
    if output != [BATCH_SIZE, CLASSES] {
        return Err((
            format!(
                "{input:?} in gave scores of shape {output:?}; one score per class for each image is [{BATCH_SIZE}, {CLASSES}]"
            ),
            PLACEHOLDER.fix,
        ));
    }
    Ok(format!("{input:?} in, {output:?} out"))
}

fn judge_summary_text(
    text: &str,
    found: &[LayerRecord],
    report: &StageReport,
) -> Result<String, Failure> {
    let total = report
        .get("total_params")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    let total_line = format!("Total params: {}", with_commas(total));
    if !text.contains(&total_line) {
        return Err((
            format!("summary.txt has no line `{total_line}`"),
            SUMMARY_FIX,
        ));
    }
    if let Some(missing) = found.iter().find(|layer| !text.contains(&layer.name)) {
        return Err((
            format!("summary.txt does not list the layer {}", missing.name),
            SUMMARY_FIX,
        ));
    }
    Ok(format!("{} layers, {total_line}", found.len()))
}

fn judge_answers(parameters: f64, most: &str, found: &[LayerRecord]) -> Result<String, Failure> {
    if parameters.is_nan() {
        return Err((
            "[predict] parameters: is still nan: write your guess as a whole number (no quotes)"
                .into(),
            ANSWERS_FIX,
        ));
    }
    let Some(largest) = found.iter().max_by_key(|layer| layer.params) else {
        return Err((
            "report.json lists no layers to compare with".into(),
            TRACE.fix,
        ));
    };
    // "dense_1" and "dense_1 (Dense)" both name the layer.
    let named = most
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    if named.eq_ignore_ascii_case(&largest.name) {
        Ok(format!(
            "guessed {}, {} has {}",
            with_commas(parameters.max(0.0).round() as usize),
            largest.name,
            with_commas(largest.params)
        ))
    } else {
        Err((
            format!(
                "you named `{most}`, but the layer with the most parameters is {}",
                describe(largest)
            ),
            ANSWERS_FIX,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::profile::Profile;

    fn layer(name: &str, kind: &str, shape: &[usize], params: usize) -> LayerRecord {
        LayerRecord {
            name: name.into(),
            kind: kind.into(),
            output_shape: shape.to_vec(),
            params,
        }
    }

    fn placeholder() -> Vec<LayerRecord> {
        vec![
            layer("flatten", "Flatten", &[3072], 0),
            layer("dense_1", "Dense", &[10], 30_730),
        ]
    }

    #[test]
    fn the_reference_is_the_122570_parameter_baseline() {
        let reference = reference_layers();
        assert_eq!(reference.len(), 8);
        assert_eq!(
            reference.iter().map(|l| l.params).sum::<usize>(),
            TOTAL_PARAMS
        );
        assert!(judge_layers(&reference, &reference).is_ok());
    }

    #[test]
    fn the_untouched_exercise_gets_the_placeholder_hint() {
        let (detail, fix) = judge_layers(&placeholder(), &reference_layers()).unwrap_err();
        assert_eq!(fix, PLACEHOLDER.fix);
        assert!(detail.starts_with("layer 1: yours is flatten"), "{detail}");
    }

    #[test]
    fn each_kind_of_mistake_gets_its_own_hint() {
        let reference = reference_layers();
        // Padding keeps 32x32: the first convolution's shape is off.
        let mut padded = reference.clone();
        padded[0].output_shape = vec![32, 32, 32];
        let (detail, fix) = judge_layers(&padded, &reference).unwrap_err();
        assert_eq!(fix, SHAPES.fix);
        assert!(detail.starts_with("layer 1:"), "{detail}");
        // The hidden dense layer sized for another input.
        let mut dense = reference.clone();
        dense[6].params = 2304 * 64 + 64;
        let (detail, fix) = judge_layers(&dense, &reference).unwrap_err();
        assert_eq!(fix, DENSE.fix);
        assert!(detail.starts_with("layer 7:"), "{detail}");
        // The first pooling never reported.
        let mut untraced = reference.clone();
        untraced.remove(1);
        assert_eq!(
            judge_layers(&untraced, &reference).unwrap_err().1,
            TRACE.fix
        );
        // Stopping early.
        let (detail, fix) = judge_layers(&reference[..7], &reference).unwrap_err();
        assert_eq!(fix, TRACE.fix);
        assert!(detail.contains("dense_2"), "{detail}");
    }

    fn report(values: &[(&str, Value)]) -> StageReport {
        StageReport {
            stage: 4,
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

    #[test]
    fn layers_round_trip_through_the_report() {
        let reference = reference_layers();
        let written = report(&[
            (
                "layer_names",
                json!(reference.iter().map(|l| &l.name).collect::<Vec<_>>()),
            ),
            (
                "layer_kinds",
                json!(reference.iter().map(|l| &l.kind).collect::<Vec<_>>()),
            ),
            (
                "layer_output_shapes",
                json!(
                    reference
                        .iter()
                        .map(|l| &l.output_shape)
                        .collect::<Vec<_>>()
                ),
            ),
            (
                "layer_params",
                json!(reference.iter().map(|l| l.params).collect::<Vec<_>>()),
            ),
            ("total_params", json!(TOTAL_PARAMS)),
        ]);
        assert_eq!(report_layers(&written), reference);
        assert!(judge_total(&written, &reference, &reference).is_ok());
    }

    #[test]
    fn a_wrong_total_borrows_the_layer_hint() {
        let placeholder_report = report(&[("total_params", json!(30_730))]);
        let (detail, fix) =
            judge_total(&placeholder_report, &placeholder(), &reference_layers()).unwrap_err();
        assert_eq!(fix, PLACEHOLDER.fix);
        assert!(detail.contains("30,730"), "{detail}");
    }

    #[test]
    fn the_forward_pass_needs_eight_rows_of_ten_scores() {
        let good = report(&[
            ("forward_input_shape", json!([8, 3, 32, 32])),
            ("forward_output_shape", json!([8, 10])),
        ]);
        assert!(judge_forward(&good).is_ok());
        let wrong = report(&[
            ("forward_input_shape", json!([8, 3, 32, 32])),
            ("forward_output_shape", json!([8, 64])),
        ]);
        assert_eq!(judge_forward(&wrong).unwrap_err().1, PLACEHOLDER.fix);
    }

    #[test]
    fn the_summary_file_must_list_every_layer_and_the_total() {
        let found = placeholder();
        let written = report(&[("total_params", json!(30_730))]);
        let text = "flatten (Flatten)\ndense_1 (Dense)\n Total params: 30,730 (120.04 KB as f32)";
        assert!(judge_summary_text(text, &found, &written).is_ok());
        assert!(judge_summary_text("flatten\n Total params: 30,730", &found, &written).is_err());
        assert!(judge_summary_text("flatten dense_1", &found, &written).is_err());
    }

    #[test]
    fn the_largest_layer_is_named_in_either_spelling() {
        let reference = reference_layers();
        assert!(judge_answers(100_000.0, "dense_1", &reference).is_ok());
        assert!(judge_answers(100_000.0, "Dense_1 (Dense)", &reference).is_ok());
        let (detail, _) = judge_answers(100_000.0, "conv2d_3", &reference).unwrap_err();
        assert!(detail.contains("dense_1 (Dense)"), "{detail}");
        assert!(
            judge_answers(f64::NAN, "dense_1", &reference)
                .unwrap_err()
                .0
                .contains("nan")
        );
    }
}
