//! Properties every metric must have, checked on random inputs.

use kindling_metrics::{
    ClassificationMetrics, ConfusionMatrix, PredictedScores, Probabilities, RegressionMetrics,
    accuracy, mean_absolute_error, mean_squared_error, precision_recall_f1, r2_score,
    roc_auc_binary, roc_auc_ovr, top_k_accuracy,
};
use proptest::prelude::*;

const MAX_CLASSES: usize = 6;

type Transform = fn(f64) -> f64;

/// `(n_classes, y_true, y_pred)` with every label in range.
fn labelled() -> impl Strategy<Value = (usize, Vec<usize>, Vec<usize>)> {
    (1..=MAX_CLASSES).prop_flat_map(|n_classes| {
        prop::collection::vec((0..n_classes, 0..n_classes), 1..200).prop_map(move |pairs| {
            let (y_true, y_pred) = pairs.into_iter().unzip();
            (n_classes, y_true, y_pred)
        })
    })
}

/// Binary labels with both classes present and scores on a coarse grid, so ties
/// are common and transforms of the scores stay strictly increasing in `f64`.
/// Up to 600 samples, past the size where sorting switches to radix sort.
fn binary_scored() -> impl Strategy<Value = (Vec<usize>, Vec<f64>)> {
    prop::collection::vec((0..2usize, -32..=32i32), 2..600).prop_map(|pairs| {
        let (mut y_true, grid): (Vec<usize>, Vec<i32>) = pairs.into_iter().unzip();
        // Both classes must occur for the area to be defined.
        y_true[0] = 0;
        y_true[1] = 1;
        (
            y_true,
            grid.into_iter().map(|g| f64::from(g) / 8.0).collect(),
        )
    })
}

/// `(n_classes, y_true, row-major probabilities)` with every class present in `y_true`.
fn with_probabilities() -> impl Strategy<Value = (usize, Vec<usize>, Vec<f64>)> {
    (2..=MAX_CLASSES).prop_flat_map(|n_classes| {
        let rows = prop::collection::vec(
            (0..n_classes, prop::collection::vec(1..=12u32, n_classes)),
            n_classes..150,
        );
        rows.prop_map(move |rows| {
            let mut y_true = Vec::with_capacity(rows.len());
            let mut values = Vec::with_capacity(rows.len() * n_classes);
            for (i, (label, weights)) in rows.into_iter().enumerate() {
                // The first rows cover every class once.
                y_true.push(if i < n_classes { i } else { label });
                let total: u32 = weights.iter().sum();
                values.extend(weights.iter().map(|&w| f64::from(w) / f64::from(total)));
            }
            (n_classes, y_true, values)
        })
    })
}

/// A random permutation of `0..n`.
fn permutation(n: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..n).collect::<Vec<_>>()).prop_shuffle()
}

fn permute<T: Clone>(values: &[T], order: &[usize]) -> Vec<T> {
    order.iter().map(|&i| values[i].clone()).collect()
}

fn permute_rows(values: &[f64], n_classes: usize, order: &[usize]) -> Vec<f64> {
    order
        .iter()
        .flat_map(|&i| values[i * n_classes..(i + 1) * n_classes].iter().copied())
        .collect()
}

/// Reference ROC-AUC by comparing every (positive, negative) pair.
fn pairwise_auc(y_true: &[usize], scores: &[f64]) -> f64 {
    let (mut credit, mut pairs) = (0.0, 0.0);
    let of_class = |class: usize| {
        scores
            .iter()
            .zip(y_true)
            .filter(move |&(_, &t)| t == class)
            .map(|(&s, _)| s)
    };
    for positive in of_class(1) {
        for negative in of_class(0) {
            pairs += 1.0;
            credit += if positive > negative {
                1.0
            } else if positive == negative {
                0.5
            } else {
                0.0
            };
        }
    }
    credit / pairs
}

fn in_unit_interval(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

proptest! {
    #[test]
    fn classification_scores_stay_within_zero_and_one((n_classes, y_true, y_pred) in labelled()) {
        prop_assert!(in_unit_interval(accuracy(&y_true, &y_pred).unwrap()));
        let scores = precision_recall_f1(&y_true, &y_pred, n_classes).unwrap();
        let averages = [scores.macro_avg(), scores.weighted_avg(), scores.micro()];
        for s in scores.per_class().iter().chain(&averages) {
            prop_assert!(in_unit_interval(s.precision) && in_unit_interval(s.recall) && in_unit_interval(s.f1), "{s:?}");
        }
        // A harmonic mean lies between the smaller and the larger of its two terms.
        for s in scores.per_class() {
            prop_assert!(s.f1 <= s.precision.max(s.recall) + 1e-12 && s.f1 + 1e-12 >= s.precision.min(s.recall));
        }
    }

    #[test]
    fn confusion_matrix_sums_to_the_sample_count((n_classes, y_true, y_pred) in labelled()) {
        let cm = ConfusionMatrix::new(&y_true, &y_pred, n_classes).unwrap();
        prop_assert_eq!(cm.total(), y_true.len());
        for class in 0..n_classes {
            prop_assert_eq!(cm.supports()[class], y_true.iter().filter(|&&t| t == class).count());
            prop_assert_eq!(cm.predicted_counts()[class], y_pred.iter().filter(|&&p| p == class).count());
        }
        for (row, counts) in cm.row_normalized().iter().zip(cm.rows()) {
            let sum: f64 = row.iter().sum();
            let expected = if counts.iter().sum::<usize>() == 0 { 0.0 } else { 1.0 };
            prop_assert!((sum - expected).abs() < 1e-12);
        }
        let mistakes = cm.most_confused(usize::MAX);
        prop_assert_eq!(mistakes.iter().map(|m| m.count).sum::<usize>(), cm.total() - cm.correct());
        prop_assert!(mistakes.windows(2).all(|w| w[0].count >= w[1].count));
    }

    #[test]
    fn macro_f1_with_a_never_predicted_class_is_finite((n_classes, y_true, y_pred) in labelled()) {
        // One extra class that occurs nowhere, and the highest class never predicted.
        let n_classes = n_classes + 1;
        let y_pred: Vec<usize> = y_pred.iter().map(|&p| p.min(n_classes - 2)).collect();
        let scores = precision_recall_f1(&y_true, &y_pred, n_classes).unwrap();
        prop_assert_eq!(scores.class(n_classes - 1).f1, 0.0);
        for average in [scores.macro_avg(), scores.weighted_avg(), scores.micro()] {
            prop_assert!(average.precision.is_finite() && average.recall.is_finite() && average.f1.is_finite());
        }
    }

    #[test]
    fn classification_metrics_do_not_depend_on_sample_order(
        ((n_classes, y_true, y_pred), order) in labelled().prop_flat_map(|data| {
            let n = data.1.len();
            (Just(data), permutation(n))
        })
    ) {
        let (t2, p2) = (permute(&y_true, &order), permute(&y_pred, &order));
        prop_assert_eq!(accuracy(&y_true, &y_pred).unwrap(), accuracy(&t2, &p2).unwrap());
        prop_assert_eq!(
            ConfusionMatrix::new(&y_true, &y_pred, n_classes).unwrap(),
            ConfusionMatrix::new(&t2, &p2, n_classes).unwrap()
        );
        prop_assert_eq!(
            precision_recall_f1(&y_true, &y_pred, n_classes).unwrap(),
            precision_recall_f1(&t2, &p2, n_classes).unwrap()
        );
    }

    #[test]
    fn binary_roc_auc_is_bounded_matches_pair_counting_and_ignores_order(
        ((y_true, scores), order) in binary_scored().prop_flat_map(|data| {
            let n = data.0.len();
            (Just(data), permutation(n))
        })
    ) {
        let auc = roc_auc_binary(&y_true, &scores).unwrap();
        prop_assert!(in_unit_interval(auc));
        prop_assert!((auc - pairwise_auc(&y_true, &scores)).abs() < 1e-12);
        prop_assert_eq!(auc, roc_auc_binary(&permute(&y_true, &order), &permute(&scores, &order)).unwrap());
        // Reversing the ranking mirrors the area.
        let negated: Vec<f64> = scores.iter().map(|s| -s).collect();
        prop_assert!((roc_auc_binary(&y_true, &negated).unwrap() - (1.0 - auc)).abs() < 1e-12);
    }

    #[test]
    fn roc_auc_is_unchanged_by_strictly_increasing_transforms((y_true, scores) in binary_scored()) {
        let auc = roc_auc_binary(&y_true, &scores).unwrap();
        let transforms: [(&str, Transform); 4] = [
            ("exp", f64::exp),
            ("affine", |s| 2.5 * s + 7.0),
            ("cube", |s| s * s * s),
            ("sigmoid", |s| 1.0 / (1.0 + (-s).exp())),
        ];
        for (name, transform) in transforms {
            let transformed: Vec<f64> = scores.iter().map(|&s| transform(s)).collect();
            prop_assert_eq!(roc_auc_binary(&y_true, &transformed).unwrap(), auc, "{}", name);
        }
    }

    #[test]
    fn ovr_roc_auc_is_bounded_and_ignores_order(
        ((n_classes, y_true, values), order) in with_probabilities().prop_flat_map(|data| {
            let n = data.1.len();
            (Just(data), permutation(n))
        })
    ) {
        let probs = Probabilities::new(&values, n_classes).unwrap();
        let per_class = roc_auc_ovr(&y_true, probs).unwrap();
        prop_assert!(per_class.iter().all(|&auc| in_unit_interval(auc)));
        // Each class's area is the binary area of "this class or not" scored by its column.
        for (class, &auc) in per_class.iter().enumerate() {
            let is_class: Vec<usize> = y_true.iter().map(|&t| usize::from(t == class)).collect();
            let column: Vec<f64> = probs.rows().map(|row| row[class]).collect();
            prop_assert_eq!(auc, roc_auc_binary(&is_class, &column).unwrap());
        }
        let shuffled_values = permute_rows(&values, n_classes, &order);
        let shuffled = Probabilities::new(&shuffled_values, n_classes).unwrap();
        prop_assert_eq!(&per_class, &roc_auc_ovr(&permute(&y_true, &order), shuffled).unwrap());
    }

    #[test]
    fn top_k_accuracy_is_bounded_monotone_and_ignores_order(
        ((n_classes, y_true, values), order) in with_probabilities().prop_flat_map(|data| {
            let n = data.1.len();
            (Just(data), permutation(n))
        })
    ) {
        let probs = Probabilities::new(&values, n_classes).unwrap();
        let by_k: Vec<f64> = (1..=n_classes).map(|k| top_k_accuracy(&y_true, probs, k).unwrap()).collect();
        prop_assert!(by_k.iter().all(|&a| in_unit_interval(a)));
        prop_assert!(by_k.windows(2).all(|w| w[0] <= w[1]));
        prop_assert_eq!(by_k[n_classes - 1], 1.0);
        let shuffled_values = permute_rows(&values, n_classes, &order);
        let shuffled = Probabilities::new(&shuffled_values, n_classes).unwrap();
        prop_assert_eq!(by_k[0], top_k_accuracy(&permute(&y_true, &order), shuffled, 1).unwrap());
    }

    #[test]
    fn compute_agrees_with_the_individual_metrics((n_classes, y_true, values) in with_probabilities()) {
        let probs = Probabilities::new(&values, n_classes).unwrap();
        let y_pred: Vec<usize> = probs
            .rows()
            .map(|row| (0..n_classes).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap())
            .collect();
        let m = ClassificationMetrics::compute(&y_true, &y_pred, n_classes, Some(PredictedScores::Probabilities(probs))).unwrap();
        prop_assert_eq!(m.accuracy, accuracy(&y_true, &y_pred).unwrap());
        prop_assert_eq!(m.confusion_matrix.total(), y_true.len());
        for top in &m.top_k_accuracy {
            prop_assert_eq!(top.accuracy, top_k_accuracy(&y_true, probs, top.k).unwrap());
        }
        // serde_json may parse the last digit of a float differently, so compare the structure and counts.
        let json = serde_json::to_value(&m).unwrap();
        prop_assert_eq!(json["accuracy"].as_f64(), Some(m.accuracy));
        prop_assert_eq!(json["report"]["classes"].as_array().map(Vec::len), Some(n_classes));
        let back: ClassificationMetrics = serde_json::from_value(json).unwrap();
        prop_assert_eq!(back.confusion_matrix, m.confusion_matrix);
    }

    #[test]
    fn regression_metrics_are_bounded_and_ignore_order(
        ((y_true, y_pred), order) in prop::collection::vec((-1e3..1e3f64, -1e3..1e3f64), 2..200)
            .prop_map(|pairs| pairs.into_iter().unzip::<f64, f64, Vec<f64>, Vec<f64>>())
            .prop_flat_map(|data| {
                let n = data.0.len();
                (Just(data), permutation(n))
            })
    ) {
        let m = RegressionMetrics::compute(&y_true, &y_pred).unwrap();
        prop_assert!(m.mse >= 0.0 && m.mae >= 0.0);
        prop_assert!(m.mae <= m.rmse * (1.0 + 1e-12), "MAE {} > RMSE {}", m.mae, m.rmse);
        prop_assert!(m.r2.unwrap() <= 1.0);
        let (t2, p2) = (permute(&y_true, &order), permute(&y_pred, &order));
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        prop_assert!(close(m.mse, mean_squared_error(&t2, &p2).unwrap()));
        prop_assert!(close(m.mae, mean_absolute_error(&t2, &p2).unwrap()));
        prop_assert!(close(m.r2.unwrap(), r2_score(&t2, &p2).unwrap()));
        // A perfect prediction scores R^2 = 1 whatever the target.
        prop_assert_eq!(r2_score(&y_true, &y_true).unwrap(), 1.0);
    }

    #[test]
    fn arbitrary_input_gives_a_result_or_an_error_never_a_panic(
        n_classes in 0..4usize,
        y_true in prop::collection::vec(0..6usize, 0..20),
        y_pred in prop::collection::vec(0..6usize, 0..20),
        scores in prop::collection::vec(prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -2.0..2.0f64], 0..40),
    ) {
        let _ = accuracy(&y_true, &y_pred);
        let _ = precision_recall_f1(&y_true, &y_pred, n_classes);
        let _ = roc_auc_binary(&y_true, &scores);
        let _ = ClassificationMetrics::compute(&y_true, &y_pred, n_classes, Some(PredictedScores::Binary(&scores)));
        if let Ok(probs) = Probabilities::new(&scores, n_classes) {
            let _ = top_k_accuracy(&y_true, probs, 2);
            let _ = roc_auc_ovr(&y_true, probs);
            let _ = ClassificationMetrics::compute(&y_true, &y_pred, n_classes, Some(PredictedScores::Probabilities(probs)));
        }
        let _ = RegressionMetrics::compute(&scores, &scores[..scores.len() / 2]);
    }
}
