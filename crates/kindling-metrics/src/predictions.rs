//! Reading a predictions CSV, the input of `kindling metrics`.
//!
//! The file has a header row and one row per sample:
//!
//! - classification: `y_true,y_pred` (class labels `0, 1, 2, ...`), then optionally
//!   either one score column (a binary problem: the score or probability of
//!   class 1, any name) or one probability column per class (any names; column
//!   order is class order, e.g. `p0,p1,...,p9`);
//! - regression: `y_true,y_pred` as numbers, nothing else.
//!
//! Errors name the file, the row and the column, and say how to fix the file.
//! Rows are numbered as a spreadsheet or editor shows them: **the header is
//! row 1**, so the first sample is row 2.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::classification::{ClassificationMetrics, PredictedScores};
use crate::error::MetricsError;
use crate::probabilities::{PROBABILITY_SUM_TOLERANCE, Probabilities};
use crate::regression::RegressionMetrics;

/// Largest class count accepted when it is inferred from the labels (no
/// probability columns). A larger label almost always means a regression target
/// or an ID column, and would make an enormous confusion matrix.
pub const MAX_CLASSES_WITHOUT_PROBABILITIES: usize = 1000;

const Y_TRUE: &str = "y_true";
const Y_PRED: &str = "y_pred";

/// What kind of predictions a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Class labels, optionally with scores or probabilities.
    #[default]
    Classification,
    /// Real-valued targets.
    Regression,
}

impl FromStr for Task {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "classification" => Ok(Self::Classification),
            "regression" => Ok(Self::Regression),
            other => Err(format!(
                "unknown task \"{other}\"; use \"classification\" or \"regression\""
            )),
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Classification => "classification",
            Self::Regression => "regression",
        })
    }
}

/// The contents of a predictions file.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictions {
    /// From `--task classification`.
    Classification(ClassificationPredictions),
    /// From `--task regression`.
    Regression(RegressionPredictions),
}

impl Predictions {
    /// Number of samples (data rows).
    pub fn n_samples(&self) -> usize {
        match self {
            Self::Classification(p) => p.y_true.len(),
            Self::Regression(p) => p.y_true.len(),
        }
    }
}

/// Labels, and the scores that came with them, read from a predictions file.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationPredictions {
    /// True class of each sample.
    pub y_true: Vec<usize>,
    /// Predicted class of each sample.
    pub y_pred: Vec<usize>,
    /// The number of probability columns, 2 with a single score column, or
    /// else the largest label + 1.
    pub n_classes: usize,
    /// The score columns, if the file had any.
    pub scores: Option<ScoreColumns>,
}

/// Score columns of a classification predictions file.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreColumns {
    /// One column: the score of class 1 in a binary problem.
    Binary {
        /// The column's header.
        column: String,
        /// One score per sample.
        scores: Vec<f64>,
    },
    /// One column per class, in class order.
    Probabilities {
        /// The columns' headers.
        columns: Vec<String>,
        /// Row-major, `columns.len()` values per sample.
        values: Vec<f64>,
    },
}

impl ClassificationPredictions {
    /// The scores in the form [`ClassificationMetrics::compute`] takes.
    ///
    /// # Errors
    /// Only if the struct was edited into an inconsistent shape after reading.
    pub fn predicted_scores(&self) -> Result<Option<PredictedScores<'_>>, MetricsError> {
        Ok(match &self.scores {
            None => None,
            Some(ScoreColumns::Binary { scores, .. }) => Some(PredictedScores::Binary(scores)),
            Some(ScoreColumns::Probabilities { columns, values }) => Some(
                PredictedScores::Probabilities(Probabilities::new(values, columns.len())?),
            ),
        })
    }

    /// Every classification metric of these predictions.
    ///
    /// # Errors
    /// Only if the struct was edited into an inconsistent shape after reading.
    pub fn metrics(&self) -> Result<ClassificationMetrics, MetricsError> {
        ClassificationMetrics::compute(
            &self.y_true,
            &self.y_pred,
            self.n_classes,
            self.predicted_scores()?,
        )
    }
}

/// Targets and predictions read from a regression predictions file.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionPredictions {
    /// True value of each sample.
    pub y_true: Vec<f64>,
    /// Predicted value of each sample.
    pub y_pred: Vec<f64>,
}

impl RegressionPredictions {
    /// Every regression metric of these predictions.
    ///
    /// # Errors
    /// Only if the struct was edited into an inconsistent shape after reading.
    pub fn metrics(&self) -> Result<RegressionMetrics, MetricsError> {
        RegressionMetrics::compute(&self.y_true, &self.y_pred)
    }
}

/// A cell of the file: file name, row (the header is row 1) and column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellLocation {
    /// The file, as given.
    pub file: String,
    /// 1-based row; the header is row 1.
    pub row: u64,
    /// The column's header.
    pub column: String,
}

impl fmt::Display for CellLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, row {} (header = row 1), column \"{}\"",
            self.file, self.row, self.column
        )
    }
}

/// Why a predictions file could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PredictionsError {
    /// The file could not be opened.
    #[error("cannot open {file}: {source}; check the path")]
    Open {
        /// The file.
        file: String,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The bytes are not readable CSV (bad quoting, not UTF-8, read failure).
    #[error(
        "{file}, row {row} (header = row 1): not readable as CSV: {source}; save the file as UTF-8 text with comma-separated fields"
    )]
    Malformed {
        /// The file.
        file: String,
        /// 1-based row; the header is row 1.
        row: u64,
        /// The CSV parser's reason.
        source: csv::Error,
    },

    /// Not even a header row.
    #[error(
        "{file} is empty; row 1 must be a header such as `y_true,y_pred`, followed by one row per sample"
    )]
    EmptyFile {
        /// The file.
        file: String,
    },

    /// A header but no samples.
    #[error("{file} has a header (row 1) but no data rows; add one row per sample below it")]
    NoRows {
        /// The file.
        file: String,
    },

    /// `y_true` or `y_pred` is not in the header.
    #[error(
        "{file}, row 1 (the header): there is no column \"{column}\" (the header is `{header}`); \
         name the true labels column `y_true` and the predictions column `y_pred`"
    )]
    MissingColumn {
        /// The file.
        file: String,
        /// The missing column.
        column: &'static str,
        /// The header as found.
        header: String,
    },

    /// Two columns share a name.
    #[error(
        "{file}, row 1 (the header): column \"{column}\" appears more than once; give every column a unique name"
    )]
    DuplicateColumn {
        /// The file.
        file: String,
        /// The repeated name.
        column: String,
    },

    /// A header cell is empty.
    #[error(
        "{file}, row 1 (the header): column {position} has no name; name every column or remove the trailing comma"
    )]
    UnnamedColumn {
        /// The file.
        file: String,
        /// 1-based column position.
        position: usize,
    },

    /// A regression file has columns besides `y_true` and `y_pred`.
    #[error(
        "{file}, row 1 (the header): column \"{column}\" is not used by a regression task, which reads only \
         y_true and y_pred; remove it, or use --task classification if it holds class scores"
    )]
    UnexpectedColumn {
        /// The file.
        file: String,
        /// The extra column.
        column: String,
    },

    /// A row has more or fewer fields than the header.
    #[error(
        "{at}: the row has {found} fields but the header has {expected}; write one value per header column"
    )]
    WrongFieldCount {
        /// The row, and the first missing column (or the first field past the header).
        at: CellLocation,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },

    /// A cell that must be a number is not.
    #[error("{at}: \"{value}\" is not a number; write a plain decimal number such as 0.25")]
    NotANumber {
        /// The cell.
        at: CellLocation,
        /// Its text.
        value: String,
    },

    /// A label cell is not a non-negative whole number.
    #[error(
        "{at}: \"{value}\" is not a class label; labels are whole numbers 0, 1, 2, ... (one per class)"
    )]
    InvalidLabel {
        /// The cell.
        at: CellLocation,
        /// Its text.
        value: String,
    },

    /// A label is outside the classes the file defines.
    #[error("{at}: label {label} is out of range: {explanation}")]
    LabelOutOfRange {
        /// The cell.
        at: CellLocation,
        /// The label.
        label: usize,
        /// How the class count was decided, and the fix.
        explanation: String,
    },

    /// A number is NaN or infinite.
    #[error(
        "{at}: \"{value}\" is not a finite number; every value must be finite (look for a division by zero or a log of 0 where the file was written)"
    )]
    NonFinite {
        /// The cell.
        at: CellLocation,
        /// Its text.
        value: String,
    },

    /// A probability below 0 or above 1.
    #[error(
        "{at}: {value} is not a probability (outside [0, 1]); write softmax outputs, not logits"
    )]
    ProbabilityOutOfRange {
        /// The cell.
        at: CellLocation,
        /// The value.
        value: f64,
    },

    /// A row of class probabilities does not sum to 1.
    #[error(
        "{file}, row {row} (header = row 1), columns \"{first_column}\"..\"{last_column}\": the probabilities sum \
         to {sum}, not 1 (tolerance {tolerance}); write softmax outputs, or divide each row by its sum"
    )]
    ProbabilitiesDoNotSumToOne {
        /// The file.
        file: String,
        /// 1-based row; the header is row 1.
        row: u64,
        /// First probability column.
        first_column: String,
        /// Last probability column.
        last_column: String,
        /// The row's sum.
        sum: f64,
        /// The accepted distance from 1.
        tolerance: f64,
    },
}

/// Reads the predictions file at `path` for `task`.
///
/// # Errors
/// Every problem with the file, as a [`PredictionsError`] naming the row and column.
pub fn read_predictions(path: &Path, task: Task) -> Result<Predictions, PredictionsError> {
    let file_name = path.display().to_string();
    let file = File::open(path).map_err(|source| PredictionsError::Open {
        file: file_name.clone(),
        source,
    })?;
    read_predictions_from_reader(BufReader::new(file), &file_name, task)
}

/// Reads predictions from any reader; `file_name` is what error messages call it.
///
/// ```
/// use kindling_metrics::{read_predictions_from_reader, Predictions, Task};
///
/// let csv = "y_true,y_pred,p0,p1,p2\n0,0,0.7,0.2,0.1\n2,1,0.1,0.5,0.4\n";
/// let Predictions::Classification(preds) = read_predictions_from_reader(csv.as_bytes(), "preds.csv", Task::Classification)? else {
///     unreachable!()
/// };
/// assert_eq!(preds.n_classes, 3);
/// assert_eq!(preds.y_true, vec![0, 2]);
///
/// let bad = "y_true,y_pred\n0,1\n1,two\n";
/// let err = read_predictions_from_reader(bad.as_bytes(), "preds.csv", Task::Classification).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "preds.csv, row 3 (header = row 1), column \"y_pred\": \"two\" is not a class label; \
///      labels are whole numbers 0, 1, 2, ... (one per class)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Every problem with the input, as a [`PredictionsError`] naming the row and column.
pub fn read_predictions_from_reader<R: Read>(
    reader: R,
    file_name: &str,
    task: Task,
) -> Result<Predictions, PredictionsError> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        // Field counts are checked here so the error can name the column.
        .flexible(true)
        .from_reader(reader);
    let header = csv
        .headers()
        .map_err(|source| malformed(file_name, 1, source))?
        .clone();
    let layout = Layout::from_header(&header, file_name, task)?;
    let mut parser = RowParser::new(file_name, &header, layout);

    let mut record = csv::StringRecord::new();
    loop {
        let row_hint = parser.rows_read() as u64 + 2;
        match csv.read_record(&mut record) {
            Ok(true) => {
                let row = record.position().map_or(row_hint, csv::Position::line);
                parser.parse(&record, row)?;
            }
            Ok(false) => break,
            Err(source) => {
                let row = source.position().map_or(row_hint, csv::Position::line);
                return Err(malformed(file_name, row, source));
            }
        }
    }
    if parser.rows_read() == 0 {
        return Err(PredictionsError::NoRows {
            file: file_name.to_owned(),
        });
    }
    Ok(parser.finish())
}

fn malformed(file: &str, row: u64, source: csv::Error) -> PredictionsError {
    PredictionsError::Malformed {
        file: file.to_owned(),
        row,
        source,
    }
}

/// Which column holds what, decided from the header.
struct Layout {
    task: Task,
    y_true: usize,
    y_pred: usize,
    /// Every other column, in file order.
    scores: Vec<usize>,
}

impl Layout {
    fn from_header(
        header: &csv::StringRecord,
        file: &str,
        task: Task,
    ) -> Result<Self, PredictionsError> {
        if header.is_empty() {
            return Err(PredictionsError::EmptyFile {
                file: file.to_owned(),
            });
        }
        for (i, name) in header.iter().enumerate() {
            if name.is_empty() {
                return Err(PredictionsError::UnnamedColumn {
                    file: file.to_owned(),
                    position: i + 1,
                });
            }
            if header.iter().take(i).any(|earlier| earlier == name) {
                return Err(PredictionsError::DuplicateColumn {
                    file: file.to_owned(),
                    column: name.to_owned(),
                });
            }
        }
        let find = |column: &'static str| {
            header
                .iter()
                .position(|name| name == column)
                .ok_or_else(|| PredictionsError::MissingColumn {
                    file: file.to_owned(),
                    column,
                    header: header.iter().collect::<Vec<_>>().join(","),
                })
        };
        let (y_true, y_pred) = (find(Y_TRUE)?, find(Y_PRED)?);
        let scores: Vec<usize> = (0..header.len())
            .filter(|&i| i != y_true && i != y_pred)
            .collect();
        if task == Task::Regression
            && let Some(&extra) = scores.first()
        {
            return Err(PredictionsError::UnexpectedColumn {
                file: file.to_owned(),
                column: header[extra].to_owned(),
            });
        }
        Ok(Self {
            task,
            y_true,
            y_pred,
            scores,
        })
    }
}

/// Accumulates parsed rows, checking each cell as it goes.
struct RowParser<'a> {
    file: &'a str,
    header: &'a csv::StringRecord,
    layout: Layout,
    labels_true: Vec<usize>,
    labels_pred: Vec<usize>,
    values_true: Vec<f64>,
    values_pred: Vec<f64>,
    scores: Vec<f64>,
    /// Largest label seen, for the inferred class count.
    max_label: usize,
    rows_read: usize,
}

impl<'a> RowParser<'a> {
    fn new(file: &'a str, header: &'a csv::StringRecord, layout: Layout) -> Self {
        Self {
            file,
            header,
            layout,
            labels_true: Vec::new(),
            labels_pred: Vec::new(),
            values_true: Vec::new(),
            values_pred: Vec::new(),
            scores: Vec::new(),
            max_label: 0,
            rows_read: 0,
        }
    }

    fn rows_read(&self) -> usize {
        self.rows_read
    }

    fn at(&self, row: u64, column: usize) -> CellLocation {
        CellLocation {
            file: self.file.to_owned(),
            row,
            column: self.header[column].to_owned(),
        }
    }

    fn parse(&mut self, record: &csv::StringRecord, row: u64) -> Result<(), PredictionsError> {
        let expected = self.header.len();
        if record.len() != expected {
            let column = if record.len() < expected {
                self.header[record.len()].to_owned()
            } else {
                format!("(past the last column, \"{}\")", &self.header[expected - 1])
            };
            return Err(PredictionsError::WrongFieldCount {
                at: CellLocation {
                    file: self.file.to_owned(),
                    row,
                    column,
                },
                expected,
                found: record.len(),
            });
        }
        match self.layout.task {
            Task::Regression => {
                let y_true = self.number(record, row, self.layout.y_true)?;
                let y_pred = self.number(record, row, self.layout.y_pred)?;
                self.values_true.push(y_true);
                self.values_pred.push(y_pred);
            }
            Task::Classification => {
                let y_true = self.label(record, row, self.layout.y_true)?;
                let y_pred = self.label(record, row, self.layout.y_pred)?;
                self.labels_true.push(y_true);
                self.labels_pred.push(y_pred);
                self.parse_scores(record, row)?;
            }
        }
        self.rows_read += 1;
        Ok(())
    }

    fn parse_scores(
        &mut self,
        record: &csv::StringRecord,
        row: u64,
    ) -> Result<(), PredictionsError> {
        let n_columns = self.layout.scores.len();
        if n_columns == 1 {
            let score = self.number(record, row, self.layout.scores[0])?;
            self.scores.push(score);
            return Ok(());
        }
        let mut sum = 0.0;
        for i in 0..n_columns {
            let column = self.layout.scores[i];
            let probability = self.number(record, row, column)?;
            if !(0.0..=1.0).contains(&probability) {
                return Err(PredictionsError::ProbabilityOutOfRange {
                    at: self.at(row, column),
                    value: probability,
                });
            }
            sum += probability;
            self.scores.push(probability);
        }
        if n_columns > 0 && (sum - 1.0).abs() > PROBABILITY_SUM_TOLERANCE {
            return Err(PredictionsError::ProbabilitiesDoNotSumToOne {
                file: self.file.to_owned(),
                row,
                first_column: self.header[self.layout.scores[0]].to_owned(),
                last_column: self.header[self.layout.scores[n_columns - 1]].to_owned(),
                sum,
                tolerance: PROBABILITY_SUM_TOLERANCE,
            });
        }
        Ok(())
    }

    fn number(
        &self,
        record: &csv::StringRecord,
        row: u64,
        column: usize,
    ) -> Result<f64, PredictionsError> {
        let text = &record[column];
        let value: f64 = text.parse().map_err(|_| PredictionsError::NotANumber {
            at: self.at(row, column),
            value: text.to_owned(),
        })?;
        if !value.is_finite() {
            return Err(PredictionsError::NonFinite {
                at: self.at(row, column),
                value: text.to_owned(),
            });
        }
        Ok(value)
    }

    fn label(
        &mut self,
        record: &csv::StringRecord,
        row: u64,
        column: usize,
    ) -> Result<usize, PredictionsError> {
        let text = &record[column];
        let label = parse_label(text).ok_or_else(|| PredictionsError::InvalidLabel {
            at: self.at(row, column),
            value: text.to_owned(),
        })?;
        let n_score_columns = self.layout.scores.len();
        let explanation = match n_score_columns {
            0 if label >= MAX_CLASSES_WITHOUT_PROBABILITIES => format!(
                "without probability columns the class count is the largest label + 1, and at most \
                 {MAX_CLASSES_WITHOUT_PROBABILITIES} classes are accepted; if this column holds numbers \
                 rather than classes, use --task regression"
            ),
            1 if label > 1 => {
                "with a single score column the task is binary, so labels must be 0 or 1; \
                 for more classes write one probability column per class"
                    .to_owned()
            }
            n if n >= 2 && label >= n => format!(
                "there are {n} probability columns, one per class, so labels must be 0..={}; \
                 fix the label or add the missing probability columns",
                n - 1
            ),
            _ => {
                self.max_label = self.max_label.max(label);
                return Ok(label);
            }
        };
        Err(PredictionsError::LabelOutOfRange {
            at: self.at(row, column),
            label,
            explanation,
        })
    }

    fn finish(self) -> Predictions {
        match self.layout.task {
            Task::Regression => Predictions::Regression(RegressionPredictions {
                y_true: self.values_true,
                y_pred: self.values_pred,
            }),
            Task::Classification => {
                let mut columns: Vec<String> = self
                    .layout
                    .scores
                    .iter()
                    .map(|&c| self.header[c].to_owned())
                    .collect();
                let (n_classes, scores) = match columns.len() {
                    0 => (self.max_label + 1, None),
                    1 => (
                        2,
                        Some(ScoreColumns::Binary {
                            column: columns.swap_remove(0),
                            scores: self.scores,
                        }),
                    ),
                    n => (
                        n,
                        Some(ScoreColumns::Probabilities {
                            columns,
                            values: self.scores,
                        }),
                    ),
                };
                Predictions::Classification(ClassificationPredictions {
                    y_true: self.labels_true,
                    y_pred: self.labels_pred,
                    n_classes,
                    scores,
                })
            }
        }
    }
}

/// A non-negative whole number; `3.0` is accepted since numeric tools often write labels as floats.
fn parse_label(text: &str) -> Option<usize> {
    if let Ok(label) = text.parse::<usize>() {
        return Some(label);
    }
    let value: f64 = text.parse().ok()?;
    let whole =
        value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < usize::MAX as f64;
    whole.then_some(value as usize)
}
