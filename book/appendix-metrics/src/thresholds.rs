//! Thresholds: a filter gives each email a spam score, and a threshold turns the
//! score into a yes or no. Precision and recall move with the threshold; ROC-AUC
//! needs none, and can look excellent while every usable threshold is poor.

use std::fmt::Write;

use anyhow::Result;
use kindling_metrics::{accuracy, precision_recall_f1, roc_auc_binary};

use crate::imbalance::{NORMAL, SPAM};

// ANCHOR: scored
/// 20 emails, as (label, spam score): 5 spam, 15 normal.
pub fn scored_emails() -> Vec<(usize, f64)> {
    let spam = [0.95, 0.85, 0.70, 0.55, 0.35];
    let normal = [
        0.80, 0.60, 0.45, 0.40, 0.30, 0.25, 0.20, 0.15, 0.12, 0.10, 0.08, 0.06, 0.05, 0.03, 0.01,
    ];
    let spam = spam.iter().map(|&score| (SPAM, score));
    spam.chain(normal.iter().map(|&score| (NORMAL, score)))
        .collect()
}

/// The filter's answer: spam when the score reaches the threshold.
pub fn decide(scores: &[f64], threshold: f64) -> Vec<usize> {
    let answer = |&score: &f64| if score >= threshold { SPAM } else { NORMAL };
    scores.iter().map(answer).collect()
}
// ANCHOR_END: scored

/// 1,010 emails, 10 of them spam, whose scores rank almost every spam email
/// above almost every normal one.
pub fn rare_spam() -> Vec<(usize, f64)> {
    let normal = (0..1000).map(|i| (NORMAL, 0.0007 * i as f64 + 0.00035));
    let spam = (0..10).map(|j| (SPAM, (60 + 4 * j) as f64 / 100.0));
    normal.chain(spam).collect()
}

/// What one threshold gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtThreshold {
    /// The threshold.
    pub threshold: f64,
    /// Emails flagged as spam.
    pub flagged: usize,
    /// Of the flagged, the share that are spam.
    pub precision: f64,
    /// Of the spam, the share flagged.
    pub recall: f64,
    /// Share of all emails labelled right.
    pub accuracy: f64,
}

/// Precision, recall and accuracy of `emails` at `threshold`.
pub fn at_threshold(emails: &[(usize, f64)], threshold: f64) -> Result<AtThreshold> {
    let (truth, scores): (Vec<usize>, Vec<f64>) = emails.iter().copied().unzip();
    let answers = decide(&scores, threshold);
    let spam = precision_recall_f1(&truth, &answers, 2)?.class(SPAM);
    Ok(AtThreshold {
        threshold,
        flagged: answers.iter().filter(|&&a| a == SPAM).count(),
        precision: spam.precision,
        recall: spam.recall,
        accuracy: accuracy(&truth, &answers)?,
    })
}

/// ROC-AUC of the scores: the chance that a random spam email scores higher
/// than a random normal one.
pub fn auc(emails: &[(usize, f64)]) -> Result<f64> {
    let (truth, scores): (Vec<usize>, Vec<f64>) = emails.iter().copied().unzip();
    Ok(roc_auc_binary(&truth, &scores)?)
}

/// The thresholds the tables try.
pub const THRESHOLDS: [f64; 4] = [0.3, 0.5, 0.7, 0.9];
/// The two thresholds tried on the rare-spam emails.
pub const RARE_THRESHOLDS: [f64; 2] = [0.6, 0.7];

fn table(text: &mut String, emails: &[(usize, f64)], thresholds: &[f64]) -> Result<()> {
    text.push_str("threshold  flagged  precision  recall  accuracy\n");
    for &threshold in thresholds {
        let row = at_threshold(emails, threshold)?;
        writeln!(
            text,
            "{:>9.2}  {:>7}  {:>9.3}  {:>6.3}  {:>8.3}",
            row.threshold, row.flagged, row.precision, row.recall, row.accuracy
        )?;
    }
    Ok(())
}

/// The tables the appendix shows.
pub fn printout() -> Result<String> {
    let mut text = String::from("20 emails, 5 of them spam\n\n");
    let emails = scored_emails();
    table(&mut text, &emails, &THRESHOLDS)?;
    writeln!(text, "\nROC-AUC (no threshold): {:.3}", auc(&emails)?)?;
    text.push_str("\n1,010 emails, 10 of them spam\n\n");
    let rare = rare_spam();
    table(&mut text, &rare, &RARE_THRESHOLDS)?;
    writeln!(text, "\nROC-AUC (no threshold): {:.3}", auc(&rare)?)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn raising_the_threshold_trades_recall_for_precision() {
        let emails = scored_emails();
        // Counted by hand from the two score lists.
        let expected = [
            (0.3, 10, 0.5, 1.0, 0.75),
            (0.5, 6, 4.0 / 6.0, 0.8, 0.85),
            (0.7, 4, 0.75, 0.6, 0.85),
            (0.9, 1, 1.0, 0.2, 0.8),
        ];
        for (threshold, flagged, precision, recall, accuracy) in expected {
            let row = at_threshold(&emails, threshold).unwrap();
            assert_eq!(row.flagged, flagged, "{threshold}");
            assert!(close(row.precision, precision), "{row:?}");
            assert!(close(row.recall, recall), "{row:?}");
            assert!(close(row.accuracy, accuracy), "{row:?}");
        }
        // Of the 75 (spam, normal) pairs, 68 have the spam email scored higher.
        assert!(close(auc(&emails).unwrap(), 68.0 / 75.0));
    }

    #[test]
    fn a_high_auc_can_hide_a_poor_precision() {
        let rare = rare_spam();
        let auc = auc(&rare).unwrap();
        assert!(auc > 0.97, "{auc}");
        // Catching every spam email flags the 143 normal ones scored 0.6 or more.
        let all = at_threshold(&rare, 0.6).unwrap();
        assert_eq!((all.flagged, all.recall), (153, 1.0));
        assert!(close(all.precision, 10.0 / 153.0));
        let strict = at_threshold(&rare, 0.7).unwrap();
        assert_eq!((strict.flagged, strict.precision), (7, 1.0));
    }
}
