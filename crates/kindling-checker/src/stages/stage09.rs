//! Stage 9, Inference: the saved model, its guesses on the reference images, and
//! the separate predict program, which the checker runs itself on images it
//! makes and on a file that is not an image.

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{DynamicImage, RgbImage};
use kindling::burn::prelude::Device;
use kindling::data::builtin::{Split, generate};
use kindling::inference::{ClassProbability, ImagePrediction, Predictor};
use serde_json::Value;

use super::{Hint, StageInfo};
use crate::answers::AnswerProblem;
use crate::check::{CheckContext, CheckItem, Failure};
use crate::claims::{Claim, Verdict};
use crate::facts::DEFAULT_SEED;
use crate::facts::stage09::{PROGRAM, REFERENCE_DIR, SAME_PROBABILITY, TOP};
use crate::report::StageReport;
use crate::snapshot::{read_snapshot, snapshot_path};

/// What the page says about the run, each judged from its files (see `crate::claims`).
pub const CLAIMS: [Claim; 2] = [
    Claim {
        id: "s9.learned",
        statement: "the saved model is right on between a quarter and a half of the validation images: well above guessing (0.10), far from perfect",
        unit: "accuracy",
        judge: |run| {
            let accuracy = kindling::evaluation::validation_accuracy(&run.dir)
                .ok_or("history.json has no validation accuracy")?;
            let margin = (accuracy - 0.25).min(0.5 - accuracy);
            Ok(Verdict::above(
                margin,
                0.0,
                format!("validation accuracy {accuracy:.3}"),
            ))
        },
    },
    Claim {
        id: "s9.some_references_wrong",
        statement: "some of the ten reference images get a wrong first guess: a model right on about four in ten validation images is wrong on many single images",
        unit: "images",
        judge: |run| {
            let right = run.number("/reference_right")?;
            let shown = run
                .value("/reference_predictions")?
                .as_array()
                .map_or(0, Vec::len) as f64;
            Ok(Verdict::below(
                right,
                shown,
                format!("{right} of {shown} right"),
            ))
        },
    },
];

/// The snapshot of the reference solution's check run (default seed): a read
/// graded at another seed is held to it.
pub const OUTPUTS_SNAPSHOT: &str = "stage09_outputs";

/// Stage 9's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 9,
    name: "Inference",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 120,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 7] = [
    (
        "s9.saved",
        "The training part saved the model as a run folder of this run (model.bpk and config.json) that another program can load",
    ),
    (
        "s9.reference",
        "Each reference image's top three guesses are the saved model's, most probable first",
    ),
    (
        "s9.program",
        "The predict program, run by the checker on images it made (JPEG, grayscale, RGBA, 16-bit, other sizes), prints the saved model's top three for each",
    ),
    (
        "s9.chart",
        "The predict program draws a bar chart of each image's guesses",
    ),
    (
        "s9.bad_file",
        "Given a file that is not an image, the predict program stops with an error that names the file and the fix, without crashing",
    ),
    ("s9.predict", "answers.toml holds your prediction"),
    (
        "s9.read",
        "answers.toml: your read (how many reference images the model gets right) agrees with the run",
    ),
];

const HINTS: [Hint; 6] = [
    Hint {
        symptom: "model.bpk or config.json is missing, or does not load",
        cause: "the training part did not save the run into its output folder",
        fix: "keep step 1 of run(): train::save_run(&trained, args, .., &out) writes both files",
    },
    Hint {
        symptom: "The guesses are the first three classes (0, 1 and 2) for every image",
        cause: "top_k still returns the first k classes instead of the most probable ones",
        fix: "reread step 2 of the page: the guesses come most probable first, whatever their class numbers",
    },
    Hint {
        symptom: "The program's probabilities differ from the saved model's",
        cause: "the images are prepared differently from the training images (another resize, no normalisation)",
        fix: "predict through Predictor: it reads files with the folder loader's read_image and normalises them with the run's config.json",
    },
    Hint {
        symptom: "On a file that is not an image the program panics (exit status 101)",
        cause: "an .expect(..) or .unwrap() turns the error into a crash",
        fix: "reread step 3 of the page: an error the user can act on must travel up to main, which prints it and exits with status 1",
    },
    Hint {
        symptom: "The chart item says a chart is missing",
        cause: "the program does not draw a chart for every image, or not into the folder given with --charts",
        fix: "keep the loop in main that calls draw_chart(prediction, &charts) for each prediction",
    },
    Hint {
        symptom: "The checker says your read disagrees with the numbers",
        cause: "the count was taken from the full run, or from memory",
        fix: "count the reference images in the check run's output (runs/check/stage09/) whose first guess is their own class",
    },
];
const SAVED: Hint = HINTS[0];
const TOP_K: Hint = HINTS[1];
const PREPARE: Hint = HINTS[2];
const CRASH: Hint = HINTS[3];
const CHART: Hint = HINTS[4];
const READ: Hint = HINTS[5];

/// The seed of the checker's own images: not one the stage trains or validates on.
const CHECKER_SEED: u64 = 9_009;
/// The folder inside the run's output folder the checker writes its files into.
const CHECKER_DIR: &str = "checker";

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [saved, reference, program, chart, bad_file, predict, read] = ITEMS;
    let item = CheckItem::judged;
    let predictor = load_predictor(context);
    let loaded = || predictor.as_ref().map_err(Clone::clone);
    let run = loaded().and_then(|p| run_program_on_checker_images(context, p));
    let answers = context.answers();
    vec![
        item(
            saved,
            loaded().map(|p| format!("{} classes", p.class_names().len())),
        ),
        item(
            reference,
            loaded().and_then(|p| judge_reference(context, report, p)),
        ),
        item(
            program,
            run.as_ref()
                .map_err(Clone::clone)
                .and_then(|(found, expected, _)| judge_program(found, expected)),
        ),
        item(
            chart,
            run.as_ref()
                .map_err(Clone::clone)
                .and_then(|(found, _, charts)| judge_charts(context, found, charts)),
        ),
        item(bad_file, judge_bad_file(context)),
        item(
            predict,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| {
                    a.text("predict", "own_image")
                        .map(|_| "written".to_string())
                        .map_err(|e| (e.to_string(), PREDICT_FIX))
                }),
        ),
        item(
            read,
            answers
                .as_ref()
                .map_err(|e| (e.to_string(), READ.fix))
                .and_then(|a| {
                    let problem = |e: AnswerProblem| (e.to_string(), READ.fix);
                    let right = a.number("read", "reference_right").map_err(problem)?;
                    a.text("read", "in_your_words").map_err(problem)?;
                    if context.seed != DEFAULT_SEED {
                        // Grading at a hidden seed: the learner read their own
                        // check run, at the default seed (the snapshot).
                        return judge_read_of_snapshot(context, right);
                    }
                    let predictor = loaded()?;
                    judge_read(right, &reference_truth(context, predictor)?)
                }),
        ),
    ]
}

const PREDICT_FIX: &str = "Before you run the predict program on your own image, write under [predict] in answers.toml what you expect.";

fn load_predictor(context: &CheckContext) -> Result<Predictor, Failure> {
    for name in [kindling::train::MODEL_FILE, kindling::train::CONFIG_FILE] {
        context
            .fresh_file(name)
            .map_err(|detail| (detail, SAVED.fix))?;
    }
    Predictor::load(&context.out_dir, &Device::flex()).map_err(|e| (e.to_string(), SAVED.fix))
}

/// The reference images the run wrote, in name order.
fn reference_files(context: &CheckContext) -> Result<Vec<PathBuf>, Failure> {
    let dir = context.out_dir.join(REFERENCE_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| (format!("{}: {e}", dir.display()), SAVED.fix))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "png"))
        .collect();
    files.sort();
    Ok(files)
}

/// The saved model's own predictions of the reference images.
fn reference_truth(
    context: &CheckContext,
    predictor: &Predictor,
) -> Result<Vec<ImagePrediction>, Failure> {
    let files = reference_files(context)?;
    predictor
        .predict_files(&files, TOP)
        .map_err(|e| (e.to_string(), SAVED.fix))
}

/// `found`'s guesses are `expected`'s: the same classes, in the same order, with
/// the same probabilities.
fn same_guesses(found: &[ClassProbability], expected: &[ClassProbability]) -> Result<(), String> {
    let describe = |guesses: &[ClassProbability]| {
        guesses
            .iter()
            .map(|g| format!("{} {:.3}", g.name, g.probability))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let same = found.len() == expected.len()
        && found.iter().zip(expected).all(|(f, e)| {
            f.class == e.class && (f.probability - e.probability).abs() <= SAME_PROBABILITY
        });
    if same {
        Ok(())
    } else {
        Err(format!(
            "the guesses are {}; the saved model's top {} are {}",
            describe(found),
            expected.len(),
            describe(expected)
        ))
    }
}

/// The fix a wrong set of guesses points at: classes 0, 1, 2 in order mean an
/// unsorted top-k; the right classes with other probabilities mean another preparation.
fn guess_fix(found: &[ClassProbability], expected: &[ClassProbability]) -> &'static str {
    let classes: Vec<usize> = found.iter().map(|g| g.class).collect();
    if classes == (0..found.len()).collect::<Vec<_>>() {
        TOP_K.fix
    } else if classes == expected.iter().map(|g| g.class).collect::<Vec<_>>() {
        PREPARE.fix
    } else {
        TOP_K.fix
    }
}

fn judge_reference(
    context: &CheckContext,
    report: &StageReport,
    predictor: &Predictor,
) -> Result<String, Failure> {
    let truth = reference_truth(context, predictor)?;
    let classes = predictor.class_names().len();
    if truth.len() != classes {
        return Err((
            format!(
                "{REFERENCE_DIR}/ holds {} images; the run writes one per class ({classes})",
                truth.len()
            ),
            SAVED.fix,
        ));
    }
    let found: Vec<ImagePrediction> = report
        .get("reference_predictions")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| {
            (
                format!("report.json's reference_predictions: {e}"),
                SAVED.fix,
            )
        })?
        .unwrap_or_default();
    if found.len() != truth.len() {
        return Err((
            format!(
                "report.json has {} reference predictions for {} reference images",
                found.len(),
                truth.len()
            ),
            SAVED.fix,
        ));
    }
    for (found, expected) in found.iter().zip(&truth) {
        let name = expected
            .image
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        same_guesses(&found.top, &expected.top).map_err(|detail| {
            (
                format!("{name}: {detail}"),
                guess_fix(&found.top, &expected.top),
            )
        })?;
    }
    Ok(format!("{} images", truth.len()))
}

/// The checker's own images: fresh built-in images the model never saw, written
/// in other formats and sizes than the training images.
fn write_checker_images(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let set = generate(Split::Train, 4, CHECKER_SEED).map_err(|e| e.to_string())?;
    let rgb = |index: usize| {
        RgbImage::from_raw(32, 32, set.image_rgb(index)).expect("a 32x32 image has 3,072 bytes")
    };
    let images = [
        (
            "wide.jpg",
            DynamicImage::ImageRgb8(image::imageops::resize(
                &rgb(0),
                80,
                56,
                image::imageops::FilterType::Triangle,
            )),
        ),
        (
            "gray.png",
            DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(rgb(1)).to_luma8()),
        ),
        (
            "rgba.png",
            DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(rgb(2)).to_rgba8()),
        ),
        (
            "deep.png",
            DynamicImage::ImageRgb16(
                DynamicImage::ImageRgb8(image::imageops::resize(
                    &rgb(3),
                    64,
                    64,
                    image::imageops::FilterType::Nearest,
                ))
                .to_rgb16(),
            ),
        ),
    ];
    let mut paths = Vec::new();
    for (name, image) in images {
        let path = dir.join(name);
        image
            .save(&path)
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

type ProgramRun = (Vec<ImagePrediction>, Vec<ImagePrediction>, Vec<PathBuf>);

/// Runs the predict program on the checker's images: what it printed, what the
/// saved model says, and the charts it names.
fn run_program_on_checker_images(
    context: &CheckContext,
    predictor: &Predictor,
) -> Result<ProgramRun, Failure> {
    let program = context
        .program(PROGRAM)
        .map_err(|detail| (detail, CHART.fix))?;
    let dir = context.out_dir.join(CHECKER_DIR);
    let images = write_checker_images(&dir.join("images")).map_err(|e| (e, SAVED.fix))?;
    let charts = dir.join("charts");
    let output = Command::new(program)
        .arg(&context.out_dir)
        .args(&images)
        .arg("--charts")
        .arg(&charts)
        .arg("--json")
        .env("RUST_BACKTRACE", "0")
        .env_remove("KINDLING_DEVICE")
        .output()
        .map_err(|e| (format!("starting {}: {e}", program.display()), SAVED.fix))?;
    if !output.status.success() {
        return Err((
            format!(
                "the predict program stopped with {} on the checker's images: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            CRASH.fix,
        ));
    }
    let json: Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        (
            format!("the predict program's --json output does not parse: {e}"),
            PREPARE.fix,
        )
    })?;
    let found: Vec<ImagePrediction> = serde_json::from_value(json["predictions"].clone())
        .map_err(|e| (format!("its predictions: {e}"), PREPARE.fix))?;
    let drawn: Vec<PathBuf> = serde_json::from_value(json["charts"].clone()).unwrap_or_default();
    let expected = predictor
        .predict_files(&images, TOP)
        .map_err(|e| (e.to_string(), PREPARE.fix))?;
    Ok((found, expected, drawn))
}

fn judge_program(
    found: &[ImagePrediction],
    expected: &[ImagePrediction],
) -> Result<String, Failure> {
    if found.len() != expected.len() {
        return Err((
            format!(
                "the program printed {} predictions for {} images",
                found.len(),
                expected.len()
            ),
            PREPARE.fix,
        ));
    }
    for (found, expected) in found.iter().zip(expected) {
        let name = expected
            .image
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        same_guesses(&found.top, &expected.top).map_err(|detail| {
            (
                format!("{name}: {detail}"),
                guess_fix(&found.top, &expected.top),
            )
        })?;
    }
    let names: Vec<String> = expected
        .iter()
        .map(|p| {
            format!(
                "{} -> {}",
                p.image.file_name().unwrap_or_default().to_string_lossy(),
                p.top[0].name
            )
        })
        .collect();
    Ok(names.join(", "))
}

fn judge_charts(
    context: &CheckContext,
    found: &[ImagePrediction],
    charts: &[PathBuf],
) -> Result<String, Failure> {
    let dir = context.out_dir.join(CHECKER_DIR).join("charts");
    if charts.len() != found.len() {
        return Err((
            format!(
                "the program drew {} charts for {} images",
                charts.len(),
                found.len()
            ),
            CHART.fix,
        ));
    }
    for chart in charts {
        if !chart.starts_with(&dir) {
            return Err((
                format!(
                    "{} is not in the folder given with --charts",
                    chart.display()
                ),
                CHART.fix,
            ));
        }
        let relative = chart.strip_prefix(&context.out_dir).unwrap_or(chart);
        context
            .fresh_file(&relative.to_string_lossy())
            .map_err(|detail| (detail, CHART.fix))?;
        image::open(chart).map_err(|e| {
            (
                format!("{} does not open as an image: {e}", chart.display()),
                CHART.fix,
            )
        })?;
    }
    Ok(format!("{} charts", charts.len()))
}

fn judge_bad_file(context: &CheckContext) -> Result<String, Failure> {
    let program = context
        .program(PROGRAM)
        .map_err(|detail| (detail, CHART.fix))?;
    let dir = context.out_dir.join(CHECKER_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| (e.to_string(), SAVED.fix))?;
    let notes = dir.join("notes.png");
    std::fs::write(&notes, "These are my notes, not a picture.\n")
        .map_err(|e| (e.to_string(), SAVED.fix))?;
    let output = Command::new(program)
        .arg(&context.out_dir)
        .arg(&notes)
        .arg("--charts")
        .arg(dir.join("bad-charts"))
        .env("RUST_BACKTRACE", "0")
        .env_remove("KINDLING_DEVICE")
        .output()
        .map_err(|e| (format!("starting {}: {e}", program.display()), SAVED.fix))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first_line = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    judge_failure(output.status.code(), &stderr, "notes.png")?;
    if dir.join("bad-charts").exists() {
        return Err((
            "the program drew a chart although its image could not be read".into(),
            CRASH.fix,
        ));
    }
    Ok(first_line.trim().to_string())
}

/// A clear failure: exit status 1 (a panic is 101), a message naming the file and a fix.
fn judge_failure(status: Option<i32>, stderr: &str, file: &str) -> Result<(), Failure> {
    match status {
        Some(0) => Err((
            format!("the program succeeded on {file}, which is not an image"),
            CRASH.fix,
        )),
        Some(1) if stderr.contains(file) && stderr.contains("Fix") => Ok(()),
        Some(1) => Err((
            format!(
                "the error does not name {file} and a fix: {}",
                stderr.trim()
            ),
            CRASH.fix,
        )),
        other => Err((
            format!(
                "the program crashed (exit status {}): {}",
                other.map_or("none".into(), |c| c.to_string()),
                stderr.trim()
            ),
            CRASH.fix,
        )),
    }
}

/// How many reference images have their own class (from the file name) first.
fn right_first(truth: &[ImagePrediction]) -> usize {
    truth
        .iter()
        .filter(|p| {
            let stem = p.image.file_stem().unwrap_or_default().to_string_lossy();
            stem.split_once('-')
                .is_some_and(|(_, class)| p.top.first().is_some_and(|g| g.name == class))
        })
        .count()
}

/// The read held to the reference solution's check run at the default seed.
fn judge_read_of_snapshot(context: &CheckContext, right: f64) -> Result<String, Failure> {
    let snapshot = read_snapshot(&snapshot_path(&context.snapshots, OUTPUTS_SNAPSHOT))
        .map_err(|e| (e, READ.fix))?;
    let count = snapshot.value["reference_right"].as_f64().ok_or((
        format!("{} has no reference_right", snapshot.path.display()),
        READ.fix,
    ))?;
    if right == count {
        Ok(format!(
            "{count} right (your check's run, seed {DEFAULT_SEED})"
        ))
    } else {
        Err((
            format!(
                "reference_right = {right}, but {count} reference images have their own class first in your check's run (seed {DEFAULT_SEED})"
            ),
            READ.fix,
        ))
    }
}

fn judge_read(right: f64, truth: &[ImagePrediction]) -> Result<String, Failure> {
    let count = right_first(truth);
    if right == count as f64 {
        Ok(format!("{count} of {} right", truth.len()))
    } else {
        Err((
            format!(
                "reference_right = {right}, but {count} of the {} reference images have their own class first",
                truth.len()
            ),
            READ.fix,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(class: usize, probability: f64) -> ClassProbability {
        ClassProbability {
            class,
            name: format!("class{class}"),
            probability,
        }
    }

    #[test]
    fn guesses_must_be_the_models_in_order_and_the_fix_follows_the_symptom() {
        let expected = [guess(4, 0.6), guess(2, 0.3), guess(7, 0.05)];
        assert!(same_guesses(&expected, &expected).is_ok());
        // The untouched exercise: the first three classes.
        let unsorted = [guess(0, 0.01), guess(1, 0.01), guess(2, 0.3)];
        assert!(same_guesses(&unsorted, &expected).is_err());
        assert_eq!(guess_fix(&unsorted, &expected), TOP_K.fix);
        // The right classes, other probabilities: another preparation.
        let prepared = [guess(4, 0.5), guess(2, 0.4), guess(7, 0.05)];
        let detail = same_guesses(&prepared, &expected).unwrap_err();
        assert!(detail.contains("class4 0.500"), "{detail}");
        assert_eq!(guess_fix(&prepared, &expected), PREPARE.fix);
    }

    #[test]
    fn a_clear_failure_is_status_1_naming_the_file_and_the_fix() {
        let message = "Error: notes.png is not an image Kindling can read. Fix: pass a PNG";
        assert!(judge_failure(Some(1), message, "notes.png").is_ok());
        let (detail, fix) =
            judge_failure(Some(101), "thread 'main' panicked", "notes.png").unwrap_err();
        assert!(detail.contains("crashed (exit status 101)"), "{detail}");
        assert_eq!(fix, CRASH.fix);
        assert!(judge_failure(Some(0), "", "notes.png").is_err());
        assert!(judge_failure(Some(1), "Error: bad input", "notes.png").is_err());
    }

    #[test]
    fn the_count_of_right_guesses_comes_from_the_file_names() {
        let prediction = |file: &str, class: usize| ImagePrediction {
            image: PathBuf::from(file),
            top: vec![ClassProbability {
                class,
                name: ["disc", "square"][class].into(),
                probability: 0.9,
            }],
            probabilities: vec![],
        };
        let truth = [prediction("00-disc.png", 0), prediction("01-square.png", 0)];
        assert_eq!(right_first(&truth), 1);
        assert!(judge_read(1.0, &truth).is_ok());
        assert_eq!(judge_read(2.0, &truth).unwrap_err().1, READ.fix);
    }
}
