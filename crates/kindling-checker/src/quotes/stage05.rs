//! Stage 5's quotes: the line, the Burn loop, the baseline CNN and its longer run,
//! from the check run.

use kindling::train::History;
use kindling_course::facts::stage05::{
    CNN_VALIDATION, HISTORY_FILE, LONGER_HISTORY_FILE, POINTS_HISTORY_FILE,
};

use super::{Quote, RunFiles, at, fixed, percent, rounded};
use crate::stages::stage05::read_longer;

/// Every number pages 5a to 5e quote.
pub fn quotes(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let mut quotes = Vec::new();
    line(run, &mut quotes)?;
    points(run, &mut quotes)?;
    let baseline = run.history(HISTORY_FILE)?;
    cnn(&baseline, &mut quotes)?;
    longer(&run.history(LONGER_HISTORY_FILE)?, &mut quotes)?;
    Ok(quotes)
}

/// A verdict's epoch, such as the epoch a rate converged at.
fn verdict_epoch(run: &RunFiles, rate: usize) -> Result<String, String> {
    Ok(rounded(run.number(&format!(
        "/learning_rates/{rate}/verdict/epoch"
    ))?))
}

fn line(run: &RunFiles, quotes: &mut Vec<Quote>) -> Result<(), String> {
    let rows = run
        .value("line_rows")?
        .as_array()
        .ok_or("report.json's line_rows is not a list")?;
    let loss = |epoch: usize| -> Result<f64, String> {
        rows.get(epoch - 1)
            .and_then(|row| row["loss"].as_f64())
            .ok_or_else(|| format!("line_rows has no loss at epoch {epoch}"))
    };
    let last = rows.len();
    let best = run.number("/least_squares/loss")?;
    let slow = run.number("/learning_rates/0/last/loss")?;
    quotes.extend([
        Quote::new("line_first_loss", rounded(loss(1)?)),
        Quote::new("line_last_loss", fixed(loss(last)?, 1)),
        Quote::new("line_last_loss_whole", rounded(loss(last)?)),
        Quote::new(
            "line_last_slope",
            fixed(run.number(&format!("/line_rows/{}/slope", last - 1))?, 3),
        ),
        Quote::new(
            "line_last_intercept",
            fixed(
                run.number(&format!("/line_rows/{}/intercept", last - 1))?,
                3,
            ),
        ),
        Quote::new("line_drop_after_50", fixed(loss(50)? - loss(last)?, 4)),
        Quote::new("best_loss", rounded(best)),
        Quote::new("best_slope", fixed(run.number("/least_squares/slope")?, 3)),
        Quote::new(
            "best_intercept",
            fixed(run.number("/least_squares/intercept")?, 1),
        ),
        Quote::new(
            "slow_slope",
            fixed(run.number("/learning_rates/0/last/slope")?, 3),
        ),
        Quote::new("slow_times_best", rounded(slow / best)),
        Quote::new("good_converged_at", verdict_epoch(run, 1)?),
        Quote::new("bad_diverged_at", verdict_epoch(run, 2)?),
        Quote::new(
            "bad_slope",
            rounded(run.number("/learning_rates/2/last/slope")?),
        ),
        Quote::new(
            "stable_rate_limit",
            format!("{:.1e}", run.number("stable_rate_limit")?),
        ),
        Quote::new(
            "early_stop_epoch",
            rounded(run.number("/early_stopping/epoch")?),
        ),
        Quote::new("train_error", fixed(run.number("train_error")?, 1)),
        Quote::new("fresh_error", rounded(run.number("test_error")?)),
        Quote::new(
            "true_train_error",
            rounded(run.number("/true_line_errors/train")?),
        ),
        Quote::new(
            "true_fresh_error",
            rounded(run.number("/true_line_errors/fresh")?),
        ),
    ]);
    let shares = run
        .value("convergence_shares")?
        .as_array()
        .ok_or("report.json's convergence_shares is not a list")?;
    for (index, share) in shares.iter().enumerate() {
        let share = share
            .as_f64()
            .ok_or("a convergence share is not a number")?;
        quotes.push(Quote::new(
            &format!("convergence_share_{}", index + 1),
            percent(share, 1),
        ));
    }
    Ok(())
}

fn points(run: &RunFiles, quotes: &mut Vec<Quote>) -> Result<(), String> {
    let history = run.history(POINTS_HISTORY_FILE)?;
    let last = history.epochs();
    let val_loss = history.require("val_loss").map_err(|e| e.to_string())?;
    let lowest = val_loss.iter().copied().fold(f64::INFINITY, f64::min);
    quotes.extend([
        Quote::new("points_first_loss", fixed(at(&history, "loss", 1)?, 2)),
        Quote::new(
            "points_first_accuracy",
            fixed(at(&history, "accuracy", 1)?, 2),
        ),
        Quote::new("points_last_loss", fixed(at(&history, "loss", last)?, 2)),
        Quote::new(
            "points_last_val_accuracy",
            fixed(at(&history, "val_accuracy", last)?, 3),
        ),
        Quote::new("points_lowest_val_loss", fixed(lowest, 3)),
        Quote::new(
            "points_last_val_loss",
            fixed(val_loss[val_loss.len() - 1], 3),
        ),
    ]);
    Ok(())
}

fn cnn(history: &History, quotes: &mut Vec<Quote>) -> Result<(), String> {
    let last = history.epochs();
    let (train, valid) = (
        at(history, "accuracy", last)?,
        at(history, "val_accuracy", last)?,
    );
    quotes.extend([
        Quote::new("cnn_epochs", last),
        Quote::new("cnn_first_loss", fixed(at(history, "loss", 1)?, 2)),
        Quote::new("cnn_first_accuracy", fixed(at(history, "accuracy", 1)?, 3)),
        Quote::new(
            "cnn_first_val_accuracy",
            fixed(at(history, "val_accuracy", 1)?, 3),
        ),
        Quote::new("cnn_last_accuracy", fixed(train, 3)),
        Quote::new("cnn_last_val_accuracy", fixed(valid, 3)),
        Quote::new("cnn_last_loss", fixed(at(history, "loss", last)?, 2)),
        Quote::new(
            "cnn_last_val_loss",
            fixed(at(history, "val_loss", last)?, 2),
        ),
        Quote::new("cnn_gap", fixed(train - valid, 3)),
        Quote::new(
            "cnn_gap_verdict",
            if train - valid > 0.05 {
                "behind"
            } else {
                "close"
            },
        ),
    ]);
    Ok(())
}

fn longer(history: &History, quotes: &mut Vec<Quote>) -> Result<(), String> {
    let read = read_longer(history, CNN_VALIDATION.1)?;
    let last = history.epochs();
    let best = read.best_epoch;
    let noisy = *read
        .noisy_epochs
        .iter()
        .rev()
        .find(|&&epoch| epoch > 10)
        .or(read.noisy_epochs.last())
        .ok_or("the longer run has no noisy epoch for the page to show")?;
    quotes.extend([
        Quote::new("longer_epochs", last),
        Quote::new("longer_best_epoch", best),
        Quote::new(
            "longer_stopped_after",
            read.stops_after
                .map_or("none".to_string(), |e| e.to_string()),
        ),
        Quote::new(
            "longer_best_val_loss",
            fixed(at(history, "val_loss", best)?, 3),
        ),
        Quote::new(
            "longer_last_val_loss",
            fixed(at(history, "val_loss", last)?, 3),
        ),
        Quote::new("longer_loss_rise", fixed(read.loss_rise, 3)),
        Quote::new(
            "longer_best_val_accuracy",
            fixed(at(history, "val_accuracy", best)?, 3),
        ),
        Quote::new(
            "longer_last_val_accuracy",
            fixed(at(history, "val_accuracy", last)?, 3),
        ),
        Quote::new(
            "longer_accuracy_change",
            format!("{:+.3}", read.accuracy_change),
        ),
        Quote::new("longer_accuracy_noise", fixed(read.accuracy_noise, 3)),
        Quote::new("longer_first_warning", read.first_warning()),
        Quote::new(
            "longer_last_accuracy",
            fixed(at(history, "accuracy", last)?, 3),
        ),
        Quote::new("longer_last_loss", fixed(at(history, "loss", last)?, 2)),
        Quote::new("noisy_epoch", noisy),
        Quote::new(
            "noisy_val_accuracy_before",
            fixed(at(history, "val_accuracy", noisy - 1)?, 3),
        ),
        Quote::new(
            "noisy_val_accuracy",
            fixed(at(history, "val_accuracy", noisy)?, 3),
        ),
        Quote::new(
            "noisy_val_loss_before",
            fixed(at(history, "val_loss", noisy - 1)?, 3),
        ),
        Quote::new("noisy_val_loss", fixed(at(history, "val_loss", noisy)?, 3)),
        Quote::new(
            "noisy_epochs_all",
            read.noisy_epochs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]);
    Ok(())
}
