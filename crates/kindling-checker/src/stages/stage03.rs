//! Stage 3, Prepared data: a stratified train/validation split, a sealed test pile,
//! and per-channel normalisation fitted on the training pile only.

use std::path::Path;

use kindling::data::{CHANNELS, DataSource, ImageSet, Normalization, SplitSizes, load_splits};
use kindling_course::facts::stage03::{PILE_NAMES, pile_sizes};
use serde_json::Value;

use super::{Hint, StageInfo, with_truth};
use crate::check::{CheckContext, CheckItem, Failure};
use crate::report::StageReport;
use crate::values::{floats, usizes};

/// Stage 3's entry in the course.
pub const STAGE: StageInfo = StageInfo {
    number: 3,
    name: "Prepared data",
    items: &ITEMS,
    hints: &HINTS,
    time_limit: 60,
    evaluate: Some(evaluate),
};

const ITEMS: [(&str, &str); 5] = [
    (
        "s3.piles",
        "The three piles have the right sizes, and every class has the same share of each (within one image)",
    ),
    (
        "s3.stats",
        "Each channel's mean and standard deviation are measured on the training pile only",
    ),
    (
        "s3.normalized",
        "Normalised training pixels have mean 0 and standard deviation 1 in every channel",
    ),
    (
        "s3.sealed",
        "The test pile stayed sealed: counted, never opened",
    ),
    (
        "s3.answers",
        "answers.toml holds your prediction, why the test pile stays sealed, and a class share that agrees with your piles",
    ),
];

const HINTS: [Hint; 4] = [
    Hint {
        symptom: "Every channel's mean is 0 and its standard deviation 1, or they differ from the checker's",
        cause: "channel_stats still returns its placeholder, or adds up something other than the scaled training pixels",
        fix: "go over every training pixel once, scaled to [0, 1], keeping a sum and a sum of squares per channel; the mean and the standard deviation come from those two, as step 4 explains",
    },
    Hint {
        symptom: "The checker says the statistics include validation or test images",
        cause: "channel_stats was given more than the training pile, so those images leak into training",
        fix: "measure the statistics on the training pile only, after the split, and apply them unchanged to the other piles",
    },
    Hint {
        symptom: "Normalised training pixels have a mean near 0.5 and a standard deviation near 0.3",
        cause: "normalize returns the scaled pixels unchanged",
        fix: "subtract each channel's mean and divide by its standard deviation, with both shaped so that they line up with the images' channel dimension (step 6)",
    },
    Hint {
        symptom: "The test pile counts 0 images, or the checker says it was opened",
        cause: "the test pile was not counted, or was opened to count it",
        fix: "count the test pile through its seal, which tells its size and class counts without opening it; opening is for stage 6, once",
    },
];
const STATS: Hint = HINTS[0];
const LEAK: Hint = HINTS[1];
const NORMALIZE: Hint = HINTS[2];
const SEAL: Hint = HINTS[3];

/// The learner's statistics must match the training pile's within this.
const STATS_TOLERANCE: f32 = 1e-4;
/// Normalised training pixels: mean within this of 0, standard deviation of 1.
const NORMALIZED_TOLERANCE: f32 = 0.01;

fn evaluate(context: &CheckContext, report: &StageReport) -> Vec<CheckItem> {
    let [
        piles_item,
        stats_item,
        normalized_item,
        sealed_item,
        answers_item,
    ] = ITEMS;
    let truth = load_truth(context);
    let item = CheckItem::judged;
    let source = context.stage_dir.join("src");
    vec![
        item(piles_item, with_truth(&truth, |t| judge_piles(t, report))),
        item(stats_item, with_truth(&truth, |t| judge_stats(t, report))),
        item(
            normalized_item,
            with_truth(&truth, |t| judge_normalized(t, report)),
        ),
        item(sealed_item, judge_sealed(&source, report)),
        item(
            answers_item,
            with_truth(&truth, |t| judge_answers(context, t))
                .map(|()| "all three written".to_string()),
        ),
    ]
}

/// What the check run must find, recomputed from the data.
#[derive(Debug, Clone)]
struct Truth {
    /// Images per class in each pile, in `PILE_NAMES` order.
    counts: [Vec<usize>; 3],
    /// Statistics fitted on the training pile: the right answer.
    fitted: Normalization,
    /// Statistics fitted on the wrong piles, each with the words that name them.
    leaks: Vec<(&'static str, Normalization)>,
}

fn load_truth(context: &CheckContext) -> Result<Truth, String> {
    let [train, validation, test] = pile_sizes(context.profile);
    let sizes = SplitSizes {
        train: Some(train),
        validation: Some(validation),
        test: Some(test),
    };
    let splits =
        load_splits(&DataSource::Builtin, sizes, context.seed).map_err(|e| e.to_string())?;
    // The checker opens its own copy of the test pile, to know what a fit on it
    // would look like.
    let test = splits.test.clone().open();
    Ok(Truth {
        counts: [
            splits.train.class_counts(),
            splits.validation.class_counts(),
            test.class_counts(),
        ],
        fitted: Normalization::fit(&splits.train),
        leaks: leaky_fits(&splits.train, &splits.validation, &test)?,
    })
}

/// Statistics fitted on every wrong combination of piles, each with its name.
fn leaky_fits(
    train: &ImageSet,
    validation: &ImageSet,
    test: &ImageSet,
) -> Result<Vec<(&'static str, Normalization)>, String> {
    let joined = |sets: &[&ImageSet]| -> Result<Normalization, String> {
        let pixels = sets.iter().flat_map(|s| s.pixels()).copied().collect();
        let labels = sets.iter().flat_map(|s| s.labels()).copied().collect();
        let set = ImageSet::new(pixels, labels, train.class_names().to_vec())
            .map_err(|e| e.to_string())?;
        Ok(Normalization::fit(&set))
    };
    Ok(vec![
        (
            "the training and validation piles together",
            joined(&[train, validation])?,
        ),
        (
            "all three piles, test included",
            joined(&[train, validation, test])?,
        ),
        (
            "the training and test piles together",
            joined(&[train, test])?,
        ),
        ("the validation pile", Normalization::fit(validation)),
        ("the test pile", Normalization::fit(test)),
    ])
}

fn judge_piles(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    for (pile, expected) in PILE_NAMES.iter().zip(&truth.counts) {
        let size = report.get(&format!("{pile}_size")).and_then(Value::as_u64);
        let counts = usizes(report.get(&format!("{pile}_class_counts"))).unwrap_or_default();
        let expected_size: usize = expected.iter().sum();
        let fix = if *pile == "test" {
            SEAL.fix
        } else {
            "Keep load_pool_and_test and split_pool as the page gives them: the piles come from there."
        };
        if size != Some(expected_size as u64) {
            return Err((
                format!(
                    "the {pile} pile counts {} images; it holds {expected_size}",
                    size.map_or("no".into(), |s| s.to_string())
                ),
                fix,
            ));
        }
        if counts != *expected {
            return Err((
                format!(
                    "the {pile} pile's class counts are {counts:?}; the data's are {expected:?}"
                ),
                fix,
            ));
        }
    }
    let gap = largest_share_gap(&truth.counts);
    let sizes: Vec<usize> = truth.counts.iter().map(|c| c.iter().sum()).collect();
    Ok(format!(
        "{} / {} / {} images, every class within {gap:.1} images of its share",
        sizes[0], sizes[1], sizes[2]
    ))
}

/// The largest distance, in images, between a class's count in a pile and the
/// count it would have if the pile had exactly the class's overall share.
fn largest_share_gap(counts: &[Vec<usize>]) -> f64 {
    let classes = counts.iter().map(Vec::len).max().unwrap_or(0);
    let total: usize = counts.iter().flatten().sum();
    let mut gap = 0.0f64;
    for class in 0..classes {
        let in_class: usize = counts.iter().filter_map(|pile| pile.get(class)).sum();
        let share = in_class as f64 / total.max(1) as f64;
        for pile in counts {
            let size: usize = pile.iter().sum();
            let count = pile.get(class).copied().unwrap_or(0) as f64;
            gap = gap.max((count - share * size as f64).abs());
        }
    }
    gap
}

fn judge_stats(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let found = report_stats(report).ok_or_else(|| {
        (
            "report.json has no normalization_mean and normalization_std, three numbers each"
                .to_string(),
            STATS.fix,
        )
    })?;
    if close(&found, &truth.fitted) {
        return Ok(format!("mean {:.4?}, std {:.4?}", found.mean, found.std));
    }
    if found == Normalization::IDENTITY {
        return Err((
            format!(
                "the statistics are still mean 0 and standard deviation 1; the training pile's are mean {:.4?}, std {:.4?}",
                truth.fitted.mean, truth.fitted.std
            ),
            STATS.fix,
        ));
    }
    if let Some((piles, _)) = truth.leaks.iter().find(|(_, fit)| close(&found, fit)) {
        return Err((
            format!(
                "your statistics are those of {piles}: images other than the training pile leaked into them"
            ),
            LEAK.fix,
        ));
    }
    Err((
        format!(
            "you found mean {:.4?}, std {:.4?}; the training pile has mean {:.4?}, std {:.4?}",
            found.mean, found.std, truth.fitted.mean, truth.fitted.std
        ),
        STATS.fix,
    ))
}

fn close(a: &Normalization, b: &Normalization) -> bool {
    a.mean
        .iter()
        .chain(&a.std)
        .zip(b.mean.iter().chain(&b.std))
        .all(|(x, y)| (x - y).abs() <= STATS_TOLERANCE)
}

fn report_stats(report: &StageReport) -> Option<Normalization> {
    let triple =
        |key: &str| -> Option<[f32; CHANNELS]> { floats(report.get(key))?.try_into().ok() };
    Some(Normalization {
        mean: triple("normalization_mean")?,
        std: triple("normalization_std")?,
    })
}

fn judge_normalized(truth: &Truth, report: &StageReport) -> Result<String, Failure> {
    let read = |key: &str| floats(report.get(key)).filter(|v| v.len() == CHANNELS);
    let (Some(mean), Some(std)) = (read("normalized_train_mean"), read("normalized_train_std"))
    else {
        return Err((
            "report.json has no normalized_train_mean and normalized_train_std".into(),
            NORMALIZE.fix,
        ));
    };
    let centred = mean.iter().all(|m| m.abs() <= NORMALIZED_TOLERANCE);
    let unit = std.iter().all(|s| (s - 1.0).abs() <= NORMALIZED_TOLERANCE);
    if centred && unit {
        return Ok(format!("mean {mean:.4?}, std {std:.4?}"));
    }
    let mut found =
        format!("normalised training pixels have mean {mean:.4?} and standard deviation {std:.4?}");
    // Right arithmetic with wrong statistics misses too: point at the statistics.
    let fix = match judge_stats(truth, report) {
        Ok(_) => NORMALIZE.fix,
        Err((_, fix)) => {
            found.push_str(": the statistics they were normalised with are not the training pile's (see the item above)");
            fix
        }
    };
    Err((found, fix))
}

fn judge_sealed(source: &Path, report: &StageReport) -> Result<String, Failure> {
    let opened: Vec<String> = rust_files(source)
        .into_iter()
        .filter(|(_, text)| opens_a_sealed_set(text))
        .map(|(path, _)| path)
        .collect();
    if !opened.is_empty() {
        return Err((
            format!(
                "{} calls open(): the test pile may only be counted in this stage",
                opened.join(", ")
            ),
            SEAL.fix,
        ));
    }
    let test_keys: Vec<&String> = report
        .values
        .keys()
        .filter(|key| key.starts_with("test_"))
        .filter(|key| !matches!(key.as_str(), "test_size" | "test_class_counts"))
        .collect();
    if !test_keys.is_empty() {
        return Err((
            format!(
                "report.json records {test_keys:?} about the test pile; only its size and class counts may be known"
            ),
            SEAL.fix,
        ));
    }
    match report.get("test_size").and_then(Value::as_u64) {
        Some(size) if size > 0 => Ok(format!("{size} images counted, none looked at")),
        _ => Err(("the test pile was not counted".into(), SEAL.fix)),
    }
}

/// Every `.rs` file under `dir`, as (path, text).
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    crate::sync::walk(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path.display().to_string(), text))
        })
        .collect()
}

/// True when the code (comments left out) calls `open()` with no arguments, as
/// `SealedTestSet::open` is called. `File::open(path)` and `image::open(path)` take
/// a path, so they do not count.
fn opens_a_sealed_set(source: &str) -> bool {
    let code: String = source
        .lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect();
    code.contains(".open()") || code.contains("SealedTestSet::open(")
}

fn judge_answers(context: &CheckContext, truth: &Truth) -> Result<(), Failure> {
    const FIX: &str = "Write your prediction before running, then say in your own words why the test pile stays sealed, and read the class share off the balance table.";
    let answers = context.answers().map_err(|e| (e.to_string(), FIX))?;
    let problem = |e: crate::answers::AnswerProblem| (e.to_string(), FIX);
    answers
        .text("predict", "validation_stats")
        .map_err(problem)?;
    answers.text("explain", "why_sealed").map_err(problem)?;
    let share = answers.number("observe", "class_share").map_err(problem)?;
    judge_class_share(share, &truth.counts).map_err(|detail| (detail, FIX))
}

/// The answer to "what share of each pile does one class take?".
fn judge_class_share(answer: f64, counts: &[Vec<usize>]) -> Result<(), String> {
    if answer.is_nan() {
        return Err(
            "[observe] class_share: is still nan: write a number between 0 and 1 (no quotes)"
                .into(),
        );
    }
    let shares: Vec<f64> = counts
        .iter()
        .flat_map(|pile| {
            let size = pile.iter().sum::<usize>().max(1) as f64;
            pile.iter().map(move |&count| count as f64 / size)
        })
        .collect();
    let (low, high) = shares
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &s| (lo.min(s), hi.max(s)));
    if answer >= low - 0.01 && answer <= high + 0.01 {
        Ok(())
    } else {
        Err(format!(
            "you answered {answer}, but each class takes between {low:.3} and {high:.3} of a pile"
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use kindling::data::IMAGE_BYTES;
    use serde_json::json;

    use super::*;
    use crate::profile::Profile;

    /// `count` images of one class, every byte of image `i` equal to `first + i`.
    fn set(first: u8, count: usize) -> ImageSet {
        let pixels = (0..count)
            .flat_map(|i| std::iter::repeat_n(first + i as u8, IMAGE_BYTES))
            .collect();
        ImageSet::new(pixels, vec![0; count], vec!["only".into()]).unwrap()
    }

    fn truth() -> Truth {
        let (train, validation, test) = (set(0, 8), set(100, 2), set(200, 2));
        Truth {
            counts: [vec![8], vec![2], vec![2]],
            fitted: Normalization::fit(&train),
            leaks: leaky_fits(&train, &validation, &test).unwrap(),
        }
    }

    fn report(values: &[(&str, Value)]) -> StageReport {
        StageReport {
            stage: 3,
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

    fn stats_report(stats: Normalization) -> StageReport {
        report(&[
            ("normalization_mean", json!(stats.mean)),
            ("normalization_std", json!(stats.std)),
        ])
    }

    #[test]
    fn statistics_of_the_training_pile_pass() {
        let truth = truth();
        assert!(judge_stats(&truth, &stats_report(truth.fitted)).is_ok());
    }

    #[test]
    fn leaky_statistics_name_the_piles_they_came_from() {
        let truth = truth();
        for (piles, fit) in &truth.leaks {
            let (detail, fix) = judge_stats(&truth, &stats_report(*fit)).unwrap_err();
            assert_eq!(fix, LEAK.fix, "{piles}");
            assert!(detail.contains(piles), "{detail}");
        }
        let (train, validation) = (set(0, 8), set(100, 2));
        let both = ImageSet::new(
            [train.pixels(), validation.pixels()].concat(),
            vec![0; 10],
            vec!["only".into()],
        )
        .unwrap();
        let (detail, _) =
            judge_stats(&truth, &stats_report(Normalization::fit(&both))).unwrap_err();
        assert!(detail.contains("training and validation"), "{detail}");
    }

    #[test]
    fn placeholder_and_wrong_statistics_get_the_statistics_hint() {
        let truth = truth();
        let (detail, fix) =
            judge_stats(&truth, &stats_report(Normalization::IDENTITY)).unwrap_err();
        assert_eq!(fix, STATS.fix);
        assert!(detail.contains("still mean 0"), "{detail}");
        let mut unscaled = truth.fitted;
        unscaled.mean = unscaled.mean.map(|m| m * 255.0);
        assert_eq!(
            judge_stats(&truth, &stats_report(unscaled)).unwrap_err().1,
            STATS.fix
        );
    }

    #[test]
    fn normalised_pixels_must_be_centred_and_unit() {
        let truth = truth();
        let normalized = |mean: Value, std: Value, stats: Normalization| {
            report(&[
                ("normalized_train_mean", mean),
                ("normalized_train_std", std),
                ("normalization_mean", json!(stats.mean)),
                ("normalization_std", json!(stats.std)),
            ])
        };
        let good = normalized(
            json!([0.0, 0.001, -0.002]),
            json!([1.0, 0.999, 1.003]),
            truth.fitted,
        );
        assert!(judge_normalized(&truth, &good).is_ok());
        let (unchanged_mean, unchanged_std) = (json!([0.5, 0.49, 0.49]), json!([0.29, 0.29, 0.3]));
        let unchanged = normalized(unchanged_mean.clone(), unchanged_std.clone(), truth.fitted);
        assert_eq!(
            judge_normalized(&truth, &unchanged).unwrap_err().1,
            NORMALIZE.fix
        );
        let placeholder = normalized(unchanged_mean, unchanged_std, Normalization::IDENTITY);
        assert_eq!(
            judge_normalized(&truth, &placeholder).unwrap_err().1,
            STATS.fix
        );
        // Fitted on train + validation: slightly off centre, and the statistics are to blame.
        let leaky = normalized(
            json!([0.009, -0.012, -0.019]),
            json!([0.998, 0.993, 1.011]),
            truth.leaks[0].1,
        );
        let (detail, fix) = judge_normalized(&truth, &leaky).unwrap_err();
        assert_eq!(fix, LEAK.fix);
        assert!(detail.contains("not the training pile's"), "{detail}");
    }

    #[test]
    fn piles_are_compared_with_the_data_and_an_uncounted_test_pile_gets_the_seal_hint() {
        let truth = Truth {
            counts: [vec![40, 40], vec![10, 10], vec![10, 10]],
            ..truth()
        };
        let counted = |test: Value, test_size: usize| {
            report(&[
                ("train_size", json!(80)),
                ("train_class_counts", json!([40, 40])),
                ("validation_size", json!(20)),
                ("validation_class_counts", json!([10, 10])),
                ("test_size", json!(test_size)),
                ("test_class_counts", test),
            ])
        };
        assert!(judge_piles(&truth, &counted(json!([10, 10]), 20)).is_ok());
        let (detail, fix) = judge_piles(&truth, &counted(json!([0, 0]), 0)).unwrap_err();
        assert_eq!(fix, SEAL.fix);
        assert!(detail.contains("test pile counts 0"), "{detail}");
    }

    #[test]
    fn share_gaps_are_measured_in_images() {
        assert_eq!(largest_share_gap(&[vec![40, 40], vec![10, 10]]), 0.0);
        // Class 0 is half of everything, but 14 of the second pile's 20.
        let gap = largest_share_gap(&[vec![36, 44], vec![14, 6]]);
        assert!((gap - 4.0).abs() < 1e-9, "{gap}");
    }

    #[test]
    fn only_argument_free_open_calls_break_the_seal() {
        assert!(opens_a_sealed_set("let test = splits.test.open();"));
        assert!(opens_a_sealed_set(
            "let t = test\n    .clone()\n    . open ( );"
        ));
        assert!(opens_a_sealed_set("SealedTestSet::open(test)"));
        assert!(!opens_a_sealed_set("// never call test.open() here"));
        assert!(!opens_a_sealed_set(
            "let f = File::open(path)?; image::open(&p)?;"
        ));
    }

    #[test]
    fn the_seal_holds_when_the_source_never_opens_it() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("lib.rs"),
            "fn f(t: &SealedTestSet) -> usize { t.len() }",
        )
        .unwrap();
        let counted = report(&[
            ("test_size", json!(200)),
            ("test_class_counts", json!(vec![20; 10])),
        ]);
        assert!(judge_sealed(&src, &counted).is_ok());
        let peeked = report(&[("test_size", json!(200)), ("test_mean", json!(0.5))]);
        assert_eq!(judge_sealed(&src, &peeked).unwrap_err().1, SEAL.fix);
        std::fs::write(src.join("main.rs"), "let all = test.open();").unwrap();
        let (detail, fix) = judge_sealed(&src, &counted).unwrap_err();
        assert_eq!(fix, SEAL.fix);
        assert!(detail.contains("main.rs"), "{detail}");
    }

    #[test]
    fn the_class_share_must_match_the_piles() {
        let counts = [vec![80; 10], vec![20; 10], vec![20; 10]];
        assert!(judge_class_share(0.1, &counts).is_ok());
        assert!(judge_class_share(0.5, &counts).is_err());
        assert!(
            judge_class_share(f64::NAN, &counts)
                .unwrap_err()
                .contains("nan")
        );
    }
}
