//! Throughput of every metric on 1,000,000 seeded predictions over 10 classes.
//!
//! Run with `cargo bench -p kindling-metrics`. Each figure is the best of three
//! runs, also shown as a multiple of a baseline measured in the same run (one
//! plain pass counting correct predictions), so figures from different
//! machines can be compared by their ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kindling_metrics::{
    Average, ClassificationMetrics, ConfusionMatrix, PredictedScores, Probabilities,
    RegressionMetrics, Task, accuracy, f1_score, precision_recall_f1, read_predictions_from_reader,
    roc_auc_binary, roc_auc_ovr_macro, top_k_accuracy,
};

const N_SAMPLES: usize = 1_000_000;
const N_CLASSES: usize = 10;
const RUNS: usize = 3;

/// xorshift64*: tiny, seeded and good enough for benchmark data.
struct XorShift(u64);

impl XorShift {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

struct Data {
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    /// Row-major softmax outputs, `N_CLASSES` per sample.
    probabilities: Vec<f64>,
    /// Binary problem "is class 0": labels and the probability of class 0.
    binary_true: Vec<usize>,
    binary_scores: Vec<f64>,
    regression_true: Vec<f64>,
    regression_pred: Vec<f64>,
}

/// A classifier that is right about 70% of the time: random logits with a bump on the true class.
fn generate() -> Data {
    let mut rng = XorShift(0x5EED_1234_ABCD_0001);
    let mut data = Data {
        y_true: Vec::with_capacity(N_SAMPLES),
        y_pred: Vec::with_capacity(N_SAMPLES),
        probabilities: Vec::with_capacity(N_SAMPLES * N_CLASSES),
        binary_true: Vec::with_capacity(N_SAMPLES),
        binary_scores: Vec::with_capacity(N_SAMPLES),
        regression_true: Vec::with_capacity(N_SAMPLES),
        regression_pred: Vec::with_capacity(N_SAMPLES),
    };
    let mut logits = [0.0f64; N_CLASSES];
    for _ in 0..N_SAMPLES {
        let label = rng.below(N_CLASSES);
        for (class, logit) in logits.iter_mut().enumerate() {
            *logit = 3.0 * rng.next_f64() + if class == label { 2.0 } else { 0.0 };
        }
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits.iter().map(|l| (l - max).exp()).sum();
        let start = data.probabilities.len();
        data.probabilities
            .extend(logits.iter().map(|l| (l - max).exp() / sum));
        let row = &data.probabilities[start..];
        let predicted = (0..N_CLASSES)
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .unwrap_or(0);
        data.binary_true.push(usize::from(label == 0));
        data.binary_scores.push(row[0]);
        data.y_true.push(label);
        data.y_pred.push(predicted);
        let target = 10.0 * rng.next_f64();
        data.regression_true.push(target);
        data.regression_pred.push(target + rng.next_f64() - 0.5);
    }
    data
}

fn best_of<T>(mut run: impl FnMut() -> T) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn to_csv(data: &Data) -> String {
    use std::fmt::Write;
    let mut csv = String::from("y_true,y_pred");
    for class in 0..N_CLASSES {
        let _ = write!(csv, ",p{class}");
    }
    csv.push('\n');
    for (i, (t, p)) in data.y_true.iter().zip(&data.y_pred).enumerate() {
        let _ = write!(csv, "{t},{p}");
        for probability in &data.probabilities[i * N_CLASSES..(i + 1) * N_CLASSES] {
            let _ = write!(csv, ",{probability}");
        }
        csv.push('\n');
    }
    csv
}

fn main() {
    let data = generate();
    let probs = Probabilities::new(&data.probabilities, N_CLASSES)
        .expect("generated probabilities are valid");

    let baseline = best_of(|| {
        data.y_true
            .iter()
            .zip(&data.y_pred)
            .filter(|(t, p)| t == p)
            .count()
    });

    let figures: Vec<(&str, Duration)> = vec![
        ("accuracy", best_of(|| accuracy(&data.y_true, &data.y_pred))),
        (
            "confusion matrix",
            best_of(|| ConfusionMatrix::new(&data.y_true, &data.y_pred, N_CLASSES)),
        ),
        (
            "precision/recall/F1 per class",
            best_of(|| precision_recall_f1(&data.y_true, &data.y_pred, N_CLASSES)),
        ),
        (
            "macro F1",
            best_of(|| f1_score(&data.y_true, &data.y_pred, N_CLASSES, Average::Macro)),
        ),
        (
            "top-5 accuracy",
            best_of(|| top_k_accuracy(&data.y_true, probs, 5)),
        ),
        (
            "ROC-AUC binary",
            best_of(|| roc_auc_binary(&data.binary_true, &data.binary_scores)),
        ),
        (
            "ROC-AUC one-vs-rest macro",
            best_of(|| roc_auc_ovr_macro(&data.y_true, probs)),
        ),
        (
            "ClassificationMetrics::compute",
            best_of(|| {
                ClassificationMetrics::compute(
                    &data.y_true,
                    &data.y_pred,
                    N_CLASSES,
                    Some(PredictedScores::Probabilities(probs)),
                )
            }),
        ),
        (
            "RegressionMetrics::compute",
            best_of(|| RegressionMetrics::compute(&data.regression_true, &data.regression_pred)),
        ),
    ];

    let csv = to_csv(&data);
    let read_csv =
        best_of(|| read_predictions_from_reader(csv.as_bytes(), "bench.csv", Task::Classification));

    let metrics = ClassificationMetrics::compute(
        &data.y_true,
        &data.y_pred,
        N_CLASSES,
        Some(PredictedScores::Probabilities(probs)),
    )
    .expect("generated data is valid");

    println!(
        "kindling-metrics throughput: {N_SAMPLES} predictions, {N_CLASSES} classes, best of {RUNS}"
    );
    println!(
        "(accuracy of the generated classifier: {:.3})",
        metrics.accuracy
    );
    println!();
    println!("{:<34} {:>12} {:>14}", "metric", "time (ms)", "x baseline");
    println!("{:-<34} {:->12} {:->14}", "", "", "");
    let row = |name: &str, time: Duration| {
        println!(
            "{name:<34} {:>12.3} {:>14.1}",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() / baseline.as_secs_f64()
        );
    };
    row("baseline: count correct", baseline);
    for (name, time) in figures {
        row(name, time);
    }
    row(
        &format!("read CSV ({} MB, in memory)", csv.len() / 1_000_000),
        read_csv,
    );
}
