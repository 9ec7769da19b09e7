//! Accuracy under imbalance: 100 emails, 5 of them spam, and two filters with the
//! same accuracy that are not equally useful.

use std::fmt::Write;

use anyhow::Result;
use kindling_metrics::{Average, accuracy, f1_score, precision_recall_f1};

/// Label of an ordinary email.
pub const NORMAL: usize = 0;
/// Label of a spam email.
pub const SPAM: usize = 1;

// ANCHOR: emails
/// The true labels: emails 0 to 94 are normal, 95 to 99 are spam.
pub fn emails() -> Vec<usize> {
    (0..100)
        .map(|i| if i < 95 { NORMAL } else { SPAM })
        .collect()
}

/// A filter that never says spam.
pub fn lazy_filter(emails: &[usize]) -> Vec<usize> {
    vec![NORMAL; emails.len()]
}

/// A filter that flags 8 emails: 4 of the 5 spam ones (it misses email 99) and 4
/// normal ones (emails 0 to 3).
pub fn real_filter(emails: &[usize]) -> Vec<usize> {
    (0..emails.len())
        .map(|i| {
            if i < 4 || (95..99).contains(&i) {
                SPAM
            } else {
                NORMAL
            }
        })
        .collect()
}
// ANCHOR_END: emails

/// The scores of one filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilterScores {
    /// Share of emails labelled right.
    pub accuracy: f64,
    /// Of the emails flagged as spam, the share that are spam.
    pub spam_precision: f64,
    /// Of the spam emails, the share that are flagged.
    pub spam_recall: f64,
    /// Harmonic mean of the two above.
    pub spam_f1: f64,
    /// F1 of each class, averaged with equal weight.
    pub macro_f1: f64,
}

// ANCHOR: scores
/// Measures a filter's answers against the true labels.
pub fn scores(truth: &[usize], answers: &[usize]) -> Result<FilterScores> {
    let per_class = precision_recall_f1(truth, answers, 2)?;
    let spam = per_class.class(SPAM);
    Ok(FilterScores {
        accuracy: accuracy(truth, answers)?,
        spam_precision: spam.precision,
        spam_recall: spam.recall,
        spam_f1: spam.f1,
        macro_f1: f1_score(truth, answers, 2, Average::Macro)?,
    })
}
// ANCHOR_END: scores

/// The table the appendix shows.
pub fn printout() -> Result<String> {
    let truth = emails();
    let mut text = String::from(
        "100 emails, 5 of them spam\n\nfilter         accuracy  spam precision  spam recall  spam F1  macro F1\n",
    );
    for (name, answers) in [
        ("never spam", lazy_filter(&truth)),
        ("real filter", real_filter(&truth)),
    ] {
        let s = scores(&truth, &answers)?;
        writeln!(
            text,
            "{name:<13}  {:>8.3}  {:>14.3}  {:>11.3}  {:>7.3}  {:>8.3}",
            s.accuracy, s.spam_precision, s.spam_recall, s.spam_f1, s.macro_f1
        )?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn both_filters_score_95_percent_but_only_one_finds_spam() {
        let truth = emails();
        let lazy = scores(&truth, &lazy_filter(&truth)).unwrap();
        // 95 right of 100; no email flagged, so precision is 0 by the zero-division rule.
        assert!(close(lazy.accuracy, 0.95));
        assert_eq!(
            (lazy.spam_precision, lazy.spam_recall, lazy.spam_f1),
            (0.0, 0.0, 0.0)
        );
        // Normal F1 = 2 * 95 / (95 + 100) = 0.974..., macro = half of it.
        assert!(close(lazy.macro_f1, 95.0 / 195.0));

        let real = scores(&truth, &real_filter(&truth)).unwrap();
        // 4 normal flagged and 1 spam missed: 95 right.
        assert!(close(real.accuracy, 0.95));
        assert!(close(real.spam_precision, 0.5));
        assert!(close(real.spam_recall, 0.8));
        // 2 * 4 / (8 flagged + 5 spam).
        assert!(close(real.spam_f1, 8.0 / 13.0));
    }
}
