//! A whole evaluation on the sealed test set: load a trained run, open its test set
//! once (recorded in the run folder and the ledger beside it), predict every image,
//! compute the metrics and the interpretation, and write the result files.
//!
//! It lives in the facade because it is the one place that sees every crate: data
//! (the test set and its ledger), models and train (the run), metrics and charts.
//! The `kindling evaluate` program calls [`evaluate_run`]; a stage program that
//! holds its own predictions calls [`write_evaluation`].

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use kindling_charts::{
    ChartError, GridImage, Rgb, class_accuracy_bars, confusion_matrix_heatmap, image_grid,
    mistakes_grid,
};
use kindling_data::atomic::write_atomically;
use kindling_data::{
    DataError, DataSource, IMAGE_SIDE, ImageSet, LedgerEntry, LedgerError, TestOpening,
    load_test_split,
};
use kindling_metrics::{
    ClassificationInterpretation, ClassificationMetrics, Confusion, ConfusionMatrix, MetricsError,
    PredictedScores, Probabilities, RocAuc, TopKAccuracy, TopLoss,
};
use kindling_train::{History, SetPredictions, TrainedRun, TrainedRunError};

/// The metrics, as JSON.
pub const TEST_METRICS_FILE: &str = "test_metrics.json";
/// Every prediction: `y_true,y_pred,p_0,...`, the layout `kindling metrics` reads.
pub const PREDICTIONS_FILE: &str = "predictions.csv";
/// Per-class precision, recall, F1 and support, as scikit-learn prints them.
pub const REPORT_FILE: &str = "classification_report.txt";
/// The confusion matrix of counts.
pub const CONFUSION_FILE: &str = "confusion.png";
/// The confusion matrix, each row divided by its total.
pub const CONFUSION_NORMALIZED_FILE: &str = "confusion_normalized.png";
/// The most confident mistakes.
pub const MISTAKES_FILE: &str = "mistakes.png";
/// Accuracy per class, as bars.
pub const CLASS_ACCURACY_FILE: &str = "class_accuracy.png";
/// The right answers the model was surest of.
pub const CONFIDENT_RIGHT_FILE: &str = "confident_right.png";
/// How many right answers [`CONFIDENT_RIGHT_FILE`] shows.
pub const CONFIDENT_RIGHT_SHOWN: usize = 8;
/// How many of the most confident mistakes are kept and drawn unless asked otherwise.
pub const DEFAULT_TOP_LOSSES: usize = 16;
/// Columns of the mistakes grid.
const MISTAKES_COLUMNS: usize = 8;

/// What to evaluate a run on, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluateOptions {
    /// The data source (`DataSource` spelling); `None` is the run's own.
    pub dataset: Option<String>,
    /// The split seed; `None` is the run's own.
    pub seed: Option<u64>,
    /// How many of the most confident mistakes to keep and draw (at least 1).
    pub top_losses: usize,
    /// A stratified subset of this many test images; `None` is the whole test split.
    pub test_size: Option<usize>,
    /// The program recorded as having opened the test set.
    pub command: String,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        Self {
            dataset: None,
            seed: None,
            top_losses: DEFAULT_TOP_LOSSES,
            test_size: None,
            command: "kindling evaluate".into(),
        }
    }
}

/// What a [`TestMetrics`] says about where its predictions came from.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationContext {
    /// The data source.
    pub dataset: String,
    /// The split seed.
    pub seed: u64,
    /// The model, as `ModelKind` prints it.
    pub model: String,
    /// Class names, indexed by label.
    pub class_names: Vec<String>,
    /// The run's validation accuracy, to show beside the test accuracy.
    pub validation_accuracy: Option<f64>,
    /// The ledger's count for this test set, from `SealedTestSet::open_recorded`.
    pub ledger: Option<LedgerEntry>,
}

/// One class's scores on the test set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// The class label.
    pub class: usize,
    /// Its name.
    pub name: String,
    /// Of the images predicted as this class, the share that are.
    pub precision: f64,
    /// Of the images of this class, the share predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Images of this class.
    pub support: usize,
    /// Share of this class's images predicted right (equal to recall).
    pub accuracy: f64,
}

/// The class with the lowest F1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakestClass {
    /// The class label.
    pub class: usize,
    /// Its name.
    pub name: String,
    /// Its F1.
    pub f1: f64,
}

/// How often this test set has been looked at, from the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSetOpened {
    /// Times its test set was opened, this evaluation included.
    pub times_opened: usize,
    /// The run folders that opened it.
    pub runs: Vec<String>,
    /// The warning shown when it was opened more than once.
    pub warning: Option<String>,
}

/// Everything `test_metrics.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestMetrics {
    /// The data source.
    pub dataset: String,
    /// The split seed.
    pub seed: u64,
    /// The model.
    pub model: String,
    /// Test images evaluated.
    pub test_images: usize,
    /// Class names, indexed by label.
    pub class_names: Vec<String>,
    /// Share of test images classified right.
    pub accuracy: f64,
    /// Mean F1 over classes.
    pub macro_f1: f64,
    /// F1 averaged with each class weighted by its support.
    pub weighted_f1: f64,
    /// Mean precision over classes.
    pub macro_precision: f64,
    /// Mean recall over classes.
    pub macro_recall: f64,
    /// One-vs-rest ROC-AUC, macro averaged (binary AUC for two classes); `None` when
    /// undefined (a class missing from the test images).
    pub roc_auc_macro: Option<f64>,
    /// Top-k accuracy for k = 2, 3, 5 (those below the class count).
    pub top_k_accuracy: Vec<TopKAccuracy>,
    /// Per-class scores, in class order.
    pub per_class: Vec<ClassScores>,
    /// The class with the lowest F1 (the first on ties).
    pub weakest_class: WeakestClass,
    /// The run's validation accuracy (of the epoch whose weights it saved), when known.
    pub validation_accuracy: Option<f64>,
    /// Test accuracy minus validation accuracy, when both are known.
    pub test_minus_validation: Option<f64>,
    /// Every (actual, predicted) mistake pair, most frequent first.
    pub most_confused: Vec<Confusion>,
    /// The most confident mistakes, largest loss first.
    pub top_losses: Vec<TopLoss>,
    /// Counts of (actual, predicted) pairs.
    pub confusion_matrix: ConfusionMatrix,
    /// The ledger's count for this test set; `None` when it was not recorded.
    pub test_set_opened: Option<TestSetOpened>,
}

/// The outcome of an evaluation.
#[derive(Debug, Clone)]
pub struct RunEvaluation {
    /// What `test_metrics.json` holds.
    pub metrics: TestMetrics,
    /// Every metric, with class names (what `kindling metrics` computes from the CSV).
    pub full: ClassificationMetrics,
    /// The confusion matrix, most-confused pairs, top losses and per-class accuracy.
    pub interpretation: ClassificationInterpretation,
    /// The files written, in the output folder.
    pub files: Vec<PathBuf>,
}

/// An evaluation that could not be done.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// Asked to keep no mistakes.
    #[error(
        "top_losses is 0, so there would be no mistakes to show. Fix: ask for at least 1 (16 fills two rows of the mistakes grid)"
    )]
    NoTopLosses,
    /// There is no such folder.
    #[error(
        "{} does not exist or is not a folder. Fix: pass a run folder written by `kindling train` (such as runs/run-001)",
        dir.display()
    )]
    NoRunFolder {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// The run folder could not be loaded.
    #[error(transparent)]
    Run(#[from] TrainedRunError),
    /// The data source's name is not known.
    #[error("{} names an unknown data source: {error}", config.display())]
    UnknownDataset {
        /// The run's config.json, or what was asked for.
        config: PathBuf,
        /// The parser's message.
        error: DataError,
    },
    /// The test set could not be loaded.
    #[error("could not load the {dataset} test set: {error}")]
    Data {
        /// The data source.
        dataset: String,
        /// What went wrong, with the fix.
        error: DataError,
    },
    /// The test split holds no images.
    #[error(
        "the {dataset} test split holds no images. Fix: evaluate on a data source with a test split (a photo folder needs a test/ folder or enough images to set a fifth aside)"
    )]
    EmptyTest {
        /// The data source.
        dataset: String,
    },
    /// The ledger or the run's record of openings is damaged.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The predictions do not make metrics (a bug rather than bad input).
    #[error("the predictions do not fit together: {0}")]
    Metrics(#[from] MetricsError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A result file could not be written.
    #[error("could not write {}: {problem}. Fix: check that the folder is writable and the disk is not full", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        problem: String,
    },
}

/// Evaluates the run in `run_dir` on its sealed test set and writes the result
/// files into `run_dir`. Every check (the run's files, the classes, the data, the
/// ledger) happens before the test set is opened; the opening is then recorded
/// in `run_dir/test_opened.json` and the ledger beside `run_dir`.
pub fn evaluate_run(
    run_dir: &Path,
    options: &EvaluateOptions,
    device: &Device,
) -> Result<RunEvaluation, EvaluationError> {
    if options.top_losses == 0 {
        return Err(EvaluationError::NoTopLosses);
    }
    if !run_dir.is_dir() {
        return Err(EvaluationError::NoRunFolder {
            dir: run_dir.to_path_buf(),
        });
    }
    let run = TrainedRun::load(run_dir, device)?;
    let dataset_text = options
        .dataset
        .clone()
        .unwrap_or_else(|| run.config.dataset.clone());
    let source: DataSource =
        dataset_text
            .parse()
            .map_err(|error| EvaluationError::UnknownDataset {
                config: match options.dataset {
                    Some(_) => PathBuf::from("the dataset asked for"),
                    None => kindling_train::RunConfig::path_in(run_dir),
                },
                error,
            })?;
    let dataset = source.to_string();
    let seed = options.seed.unwrap_or(run.config.fit.seed);
    let sealed = load_test_split(&source, options.test_size, seed).map_err(|error| {
        EvaluationError::Data {
            dataset: dataset.clone(),
            error,
        }
    })?;
    run.check_classes(sealed.class_names(), &dataset)?;
    if sealed.is_empty() {
        return Err(EvaluationError::EmptyTest { dataset });
    }
    let opening = TestOpening {
        dataset: dataset.clone(),
        seed,
        command: options.command.clone(),
    };
    let (test, ledger) = sealed.open_recorded(&opening, run_dir)?;
    let predictions = run.predict(&test, device);
    let context = EvaluationContext {
        dataset,
        seed,
        model: run.config.model.to_string(),
        class_names: run.config.class_names.clone(),
        validation_accuracy: validation_accuracy(run_dir),
        ledger: Some(ledger),
    };
    write_evaluation(run_dir, &predictions, &test, &context, options.top_losses)
}

/// The `history.json` context key naming the epoch whose weights a run saved, when
/// that is not the last epoch (early stopping restored the best weights).
pub const WEIGHTS_EPOCH_CONTEXT: &str = "weights_from_epoch";

/// The validation accuracy of the weights a run saved, from its `history.json`:
/// the epoch named by [`WEIGHTS_EPOCH_CONTEXT`] if any, else the last epoch.
pub fn validation_accuracy(run_dir: &Path) -> Option<f64> {
    let history = History::load(&run_dir.join("history.json")).ok()?;
    history
        .row(saved_weights_epoch(&history)?)?
        .get("val_accuracy")
}

/// The epoch (from 1) whose weights a run saved: the one named by
/// [`WEIGHTS_EPOCH_CONTEXT`] if any, else the last; `None` for an empty history.
pub fn saved_weights_epoch(history: &History) -> Option<usize> {
    let named = history
        .context
        .get(WEIGHTS_EPOCH_CONTEXT)
        .and_then(|epoch| epoch.parse().ok());
    named.or((history.epochs() > 0).then(|| history.epochs()))
}

/// The `k` right answers the model was surest of, surest first (ties by index),
/// as [`TopLoss`] rows whose actual and predicted classes agree.
pub fn most_confident_right(predictions: &SetPredictions, k: usize) -> Vec<TopLoss> {
    let mut right: Vec<TopLoss> = (0..predictions.len())
        .filter(|&i| predictions.y_pred[i] == predictions.y_true[i])
        .map(|index| {
            let class = predictions.y_true[index];
            let probability = predictions.row(index)[class];
            TopLoss {
                index,
                actual: class,
                predicted: class,
                probability,
                loss: -probability.max(1e-300).ln(),
            }
        })
        .collect();
    right.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.index.cmp(&b.index))
    });
    right.truncate(k);
    right
}

/// The probabilities of `predictions` as the metrics read them.
pub fn probabilities(predictions: &SetPredictions) -> Result<Probabilities<'_>, MetricsError> {
    Probabilities::new(&predictions.probabilities, predictions.n_classes)
}

/// Computes the metrics and the interpretation of `predictions` (made on `set`, the
/// opened test set) and writes every result file into `out_dir`: test metrics,
/// predictions, report, both confusion heatmaps, the mistakes grid and the
/// per-class accuracy bars. The files are made in a hidden folder inside
/// `out_dir` and moved into place only once all of them are written.
pub fn write_evaluation(
    out_dir: &Path,
    predictions: &SetPredictions,
    set: &ImageSet,
    context: &EvaluationContext,
    top_losses: usize,
) -> Result<RunEvaluation, EvaluationError> {
    if top_losses == 0 {
        return Err(EvaluationError::NoTopLosses);
    }
    let names = &context.class_names;
    let probabilities = probabilities(predictions)?;
    let full = ClassificationMetrics::compute(
        &predictions.y_true,
        &predictions.y_pred,
        predictions.n_classes,
        Some(PredictedScores::Probabilities(probabilities)),
    )?
    .with_class_names(names)?;
    let interpretation = ClassificationInterpretation::new(&predictions.y_true, probabilities)?;
    let metrics = test_metrics(&full, &interpretation, context, top_losses);

    let write_error = |path: &Path, error: std::io::Error| EvaluationError::Write {
        path: path.to_path_buf(),
        problem: error.to_string(),
    };
    let staging = tempfile::Builder::new()
        .prefix(".kindling-evaluation-")
        .tempdir_in(out_dir)
        .map_err(|error| write_error(out_dir, error))?;
    let file = |name: &str| staging.path().join(name);

    let json = serde_json::to_string_pretty(&metrics).map_err(std::io::Error::other);
    let json = json.map_err(|error| write_error(&file(TEST_METRICS_FILE), error))? + "\n";
    write_atomically(&file(TEST_METRICS_FILE), |w| w.write_all(json.as_bytes()))
        .map_err(|error| write_error(&file(TEST_METRICS_FILE), error))?;
    write_atomically(&file(PREDICTIONS_FILE), |w| {
        write_predictions(w, predictions)
    })
    .map_err(|error| write_error(&file(PREDICTIONS_FILE), error))?;
    let report = full.report.to_text(4);
    write_atomically(&file(REPORT_FILE), |w| w.write_all(report.as_bytes()))
        .map_err(|error| write_error(&file(REPORT_FILE), error))?;
    let matrix = interpretation.confusion_matrix();
    confusion_matrix_heatmap(matrix, names, false, file(CONFUSION_FILE))?;
    confusion_matrix_heatmap(matrix, names, true, file(CONFUSION_NORMALIZED_FILE))?;
    // A model without mistakes still gets a grid: its least sure right answers.
    let shown = if metrics.top_losses.is_empty() {
        interpretation.top_losses(top_losses)
    } else {
        metrics.top_losses.clone()
    };
    mistakes_grid(set, &shown, names, MISTAKES_COLUMNS, file(MISTAKES_FILE))?;
    class_accuracy_bars(
        names,
        &interpretation.per_class_accuracy(),
        "Accuracy per class on the test set",
        file(CLASS_ACCURACY_FILE),
    )?;
    let right = most_confident_right(predictions, CONFIDENT_RIGHT_SHOWN);
    let mut written = vec![
        TEST_METRICS_FILE,
        PREDICTIONS_FILE,
        REPORT_FILE,
        CONFUSION_FILE,
        CONFUSION_NORMALIZED_FILE,
        MISTAKES_FILE,
        CLASS_ACCURACY_FILE,
    ];
    if !right.is_empty() {
        let images: Vec<GridImage> = right
            .iter()
            .map(|answer| {
                let name = names.get(answer.actual).map_or("?", String::as_str);
                let caption = format!("{name}\n{:.2}", answer.probability);
                GridImage::new(set.image_rgb(answer.index), IMAGE_SIDE, IMAGE_SIDE, caption)
                    .with_highlight(Rgb::GREEN)
            })
            .collect();
        image_grid(&images, MISTAKES_COLUMNS, file(CONFIDENT_RIGHT_FILE))?;
        written.push(CONFIDENT_RIGHT_FILE);
    }

    let mut files = Vec::new();
    for name in written {
        let destination = out_dir.join(name);
        std::fs::rename(file(name), &destination)
            .map_err(|error| write_error(&destination, error))?;
        files.push(destination);
    }
    Ok(RunEvaluation {
        metrics,
        full,
        interpretation,
        files,
    })
}

/// `y_true,y_pred,p_0,...,p_{n-1}`, one row per image, probabilities printed as
/// the shortest decimals that read back to the same values.
fn write_predictions(writer: &mut dyn Write, predictions: &SetPredictions) -> std::io::Result<()> {
    let mut header = String::from("y_true,y_pred");
    for class in 0..predictions.n_classes {
        header.push_str(&format!(",p_{class}"));
    }
    writeln!(writer, "{header}")?;
    for index in 0..predictions.len() {
        write!(
            writer,
            "{},{}",
            predictions.y_true[index], predictions.y_pred[index]
        )?;
        for p in predictions.row(index) {
            write!(writer, ",{p}")?;
        }
        writeln!(writer)?;
    }
    Ok(())
}

fn test_metrics(
    full: &ClassificationMetrics,
    interpretation: &ClassificationInterpretation,
    context: &EvaluationContext,
    top_losses: usize,
) -> TestMetrics {
    let accuracies = interpretation.per_class_accuracy();
    let per_class: Vec<ClassScores> = full
        .report
        .classes
        .iter()
        .enumerate()
        .map(|(class, row)| ClassScores {
            class,
            name: row.name.clone(),
            precision: row.scores.precision,
            recall: row.scores.recall,
            f1: row.scores.f1,
            support: row.scores.support,
            accuracy: accuracies[class],
        })
        .collect();
    let weakest = per_class
        .iter()
        .min_by(|a, b| a.f1.total_cmp(&b.f1))
        .map(|scores| WeakestClass {
            class: scores.class,
            name: scores.name.clone(),
            f1: scores.f1,
        })
        .expect("a confusion matrix has at least one class");
    let roc_auc_macro = match &full.roc_auc {
        Some(RocAuc::OneVsRestMacro { value, .. } | RocAuc::Binary { value }) => Some(*value),
        _ => None,
    };
    TestMetrics {
        dataset: context.dataset.clone(),
        seed: context.seed,
        model: context.model.clone(),
        test_images: full.n_samples,
        class_names: context.class_names.clone(),
        accuracy: full.accuracy,
        macro_f1: full.report.macro_avg.f1,
        weighted_f1: full.report.weighted_avg.f1,
        macro_precision: full.report.macro_avg.precision,
        macro_recall: full.report.macro_avg.recall,
        roc_auc_macro,
        top_k_accuracy: full.top_k_accuracy.clone(),
        per_class,
        weakest_class: weakest,
        validation_accuracy: context.validation_accuracy,
        test_minus_validation: context
            .validation_accuracy
            .map(|validation| full.accuracy - validation),
        most_confused: interpretation.most_confused(1),
        top_losses: interpretation.most_confident_mistakes(top_losses),
        confusion_matrix: interpretation.confusion_matrix().clone(),
        test_set_opened: context.ledger.as_ref().map(|entry| TestSetOpened {
            times_opened: entry.times_opened,
            runs: entry.runs().into_iter().map(str::to_string).collect(),
            warning: entry.warning(),
        }),
    }
}

/// The summary `kindling evaluate` prints: the headline metrics, the weakest class,
/// validation beside test, the most confused pairs and the ledger's count.
impl fmt::Display for TestMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |class: usize| {
            self.class_names
                .get(class)
                .map_or_else(|| class.to_string(), Clone::clone)
        };
        writeln!(
            f,
            "Test set: {} images of {} (seed {}), model {}",
            self.test_images, self.dataset, self.seed, self.model
        )?;
        writeln!(f, "  accuracy      {:.4}", self.accuracy)?;
        writeln!(f, "  macro F1      {:.4}", self.macro_f1)?;
        writeln!(f, "  weighted F1   {:.4}", self.weighted_f1)?;
        match self.roc_auc_macro {
            Some(auc) => writeln!(f, "  ROC-AUC       {auc:.4} (one-vs-rest, macro)")?,
            None => writeln!(f, "  ROC-AUC       undefined (a class has no test images)")?,
        }
        for top in &self.top_k_accuracy {
            writeln!(f, "  top-{} acc.    {:.4}", top.k, top.accuracy)?;
        }
        writeln!(
            f,
            "  weakest class {} (F1 {:.4})",
            self.weakest_class.name, self.weakest_class.f1
        )?;
        match self.validation_accuracy {
            Some(validation) => writeln!(
                f,
                "Validation accuracy {validation:.4} vs test accuracy {:.4} ({:+.4})",
                self.accuracy,
                self.accuracy - validation
            )?,
            None => writeln!(
                f,
                "Validation accuracy: unknown (no history.json); test accuracy {:.4}",
                self.accuracy
            )?,
        }
        if !self.most_confused.is_empty() {
            let pairs: Vec<String> = self
                .most_confused
                .iter()
                .take(3)
                .map(|pair| {
                    format!(
                        "{} as {} ({})",
                        name(pair.true_class),
                        name(pair.predicted_class),
                        pair.count
                    )
                })
                .collect();
            writeln!(f, "Most confused: {}", pairs.join(", "))?;
        }
        if let Some(opened) = &self.test_set_opened {
            let times = if opened.times_opened == 1 {
                "once".to_string()
            } else {
                format!("{} times", opened.times_opened)
            };
            writeln!(
                f,
                "This test set has been looked at {times} (ledger: {}).",
                opened.runs.join(", ")
            )?;
            if let Some(warning) = &opened.warning {
                writeln!(f, "Warning: {warning}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history_with(val_accuracy: &[f64]) -> History {
        let mut history = History::new();
        for &value in val_accuracy {
            history.push_epoch([("loss", 1.0), ("val_accuracy", value)]);
        }
        history
    }

    #[test]
    fn validation_accuracy_is_that_of_the_saved_weights() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(validation_accuracy(dir.path()), None);
        let mut history = history_with(&[0.5, 0.7, 0.6]);
        history.save_json(&dir.path().join("history.json")).unwrap();
        assert_eq!(validation_accuracy(dir.path()), Some(0.6));
        history.set_context(WEIGHTS_EPOCH_CONTEXT, 2);
        history.save_json(&dir.path().join("history.json")).unwrap();
        assert_eq!(validation_accuracy(dir.path()), Some(0.7));
    }

    /// Three images, two classes: one mistake, made with probability 0.8.
    fn tiny() -> (SetPredictions, ImageSet, EvaluationContext) {
        let predictions = SetPredictions {
            y_true: vec![0, 1, 1],
            y_pred: vec![0, 1, 0],
            probabilities: vec![0.9, 0.1, 0.3, 0.7, 0.8, 0.2],
            n_classes: 2,
        };
        let names = vec!["cat".to_string(), "dog".to_string()];
        let set = ImageSet::new(
            vec![100; 3 * kindling_data::IMAGE_BYTES],
            vec![0, 1, 1],
            names.clone(),
        )
        .unwrap();
        let context = EvaluationContext {
            dataset: "folder:pets".into(),
            seed: 1,
            model: "linear".into(),
            class_names: names,
            validation_accuracy: Some(0.5),
            ledger: None,
        };
        (predictions, set, context)
    }

    #[test]
    fn the_surest_right_answers_come_first() {
        let (predictions, _, _) = tiny();
        let right = most_confident_right(&predictions, 5);
        let order: Vec<(usize, f64)> = right.iter().map(|r| (r.index, r.probability)).collect();
        assert_eq!(order, [(0, 0.9), (1, 0.7)]);
        assert!(right.iter().all(|r| r.actual == r.predicted));
        assert_eq!(most_confident_right(&predictions, 1).len(), 1);
    }

    #[test]
    fn a_small_evaluation_has_the_hand_computed_numbers_and_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let (predictions, set, context) = tiny();
        let evaluation = write_evaluation(dir.path(), &predictions, &set, &context, 4).unwrap();
        let metrics = &evaluation.metrics;
        assert_eq!(metrics.accuracy, 2.0 / 3.0);
        assert_eq!(metrics.test_minus_validation, Some(2.0 / 3.0 - 0.5));
        // cat: precision 1/2, recall 1 -> F1 2/3; dog: precision 1, recall 1/2 -> F1 2/3.
        assert!((metrics.macro_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(metrics.weakest_class.name, "cat");
        assert_eq!(metrics.per_class[1].accuracy, 0.5);
        assert_eq!(metrics.top_losses.len(), 1);
        assert_eq!(metrics.top_losses[0].index, 2);
        assert_eq!(metrics.top_losses[0].probability, 0.8);
        assert_eq!(
            (
                metrics.most_confused[0].true_class,
                metrics.most_confused[0].predicted_class
            ),
            (1, 0)
        );
        // Two classes: ROC-AUC of p(dog); both dogs (0.7, 0.2) score above the cat (0.1).
        assert_eq!(metrics.roc_auc_macro, Some(1.0));
        assert_eq!(metrics.test_set_opened, None);
        assert_eq!(evaluation.files.len(), 8);
        for file in &evaluation.files {
            assert!(file.is_file(), "{}", file.display());
        }
        let csv = std::fs::read_to_string(dir.path().join(PREDICTIONS_FILE)).unwrap();
        assert_eq!(
            csv,
            "y_true,y_pred,p_0,p_1\n0,0,0.9,0.1\n1,1,0.3,0.7\n1,0,0.8,0.2\n"
        );
        let json = std::fs::read_to_string(dir.path().join(TEST_METRICS_FILE)).unwrap();
        assert_eq!(json, serde_json::to_string_pretty(metrics).unwrap() + "\n");
        let read: TestMetrics = serde_json::from_str(&json).unwrap();
        assert_eq!(read.weakest_class, metrics.weakest_class);
        let summary = metrics.to_string();
        assert!(
            summary.contains("weakest class cat") && summary.contains("+0.1667"),
            "{summary}"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 8, "no staging folder left: {names:?}");
    }

    #[test]
    fn no_top_losses_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (predictions, set, context) = tiny();
        let message = write_evaluation(dir.path(), &predictions, &set, &context, 0)
            .unwrap_err()
            .to_string();
        assert!(message.contains("Fix:"), "{message}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
