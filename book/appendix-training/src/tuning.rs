//! Grid search against random search on a made-up validation score with two
//! hyperparameters, only one of which matters much: the situation in which
//! random search is known to win (Bergstra and Bengio, 2012).

use std::fmt::Write;

use anyhow::Result;
use kindling::train::Mode;
use kindling::train::tuning::{SearchResults, SearchSpace, grid_search, random_search};

/// Trials each search may spend.
pub const BUDGET: usize = 9;
/// How many random searches (each with its own seed) are compared with the grid.
pub const REPEATS: u64 = 20;

// ANCHOR: score
/// A stand-in for "train, then measure validation accuracy": it peaks at a
/// learning rate of 0.0025 and falls off quickly on either side (on a log
/// scale), while dropout barely changes it.
pub fn validation_score(learning_rate: f64, dropout: f64) -> f64 {
    let distance = (learning_rate / 2.5e-3).log10();
    0.80 * (-distance * distance / 0.08).exp() + 0.02 * (1.0 - (dropout - 0.2).abs())
}
// ANCHOR_END: score

// ANCHOR: searches
/// Nine trials on a 3 x 3 grid: only three different learning rates are tried.
pub fn grid() -> Result<SearchResults> {
    let space = SearchSpace::new()
        .values("learning_rate", [1e-4, 1e-3, 1e-2])
        .values("dropout", [0.0, 0.25, 0.5]);
    Ok(grid_search(&space, |params| -> Result<_> {
        let score = validation_score(params.f64("learning_rate")?, params.f64("dropout")?);
        Ok([("val_accuracy", score)])
    })?)
}

/// Nine trials drawn at random from the same ranges: nine different learning rates.
pub fn random(seed: u64) -> Result<SearchResults> {
    let space = SearchSpace::new()
        .log_uniform("learning_rate", 1e-4, 1e-2)
        .uniform("dropout", 0.0, 0.5);
    Ok(random_search(
        &space,
        BUDGET,
        seed,
        |params| -> Result<_> {
            let score = validation_score(params.f64("learning_rate")?, params.f64("dropout")?);
            Ok([("val_accuracy", score)])
        },
    )?)
}
// ANCHOR_END: searches

fn best(results: &SearchResults) -> (f64, f64) {
    let trial = results
        .best("val_accuracy", Mode::Max)
        .expect("every trial scores");
    (
        trial.metric("val_accuracy").unwrap_or(f64::NAN),
        trial.params.f64("learning_rate").unwrap_or(f64::NAN),
    )
}

/// The grid's table, one random search's table, and how often random search beat
/// the grid over [`REPEATS`] seeds.
pub fn printout() -> Result<String> {
    let mut text = String::new();
    let grid = grid()?;
    let (grid_best, grid_rate) = best(&grid);
    writeln!(text, "Grid search, {BUDGET} trials:")?;
    write!(text, "{}", grid.table("val_accuracy", Mode::Max)?)?;
    writeln!(
        text,
        "best: {grid_best:.3} at learning rate {grid_rate:.2e}\n"
    )?;
    let first = random(1)?;
    let (random_best, random_rate) = best(&first);
    writeln!(text, "Random search (seed 1), {BUDGET} trials:")?;
    write!(text, "{}", first.table("val_accuracy", Mode::Max)?)?;
    writeln!(
        text,
        "best: {random_best:.3} at learning rate {random_rate:.2e}\n"
    )?;
    let mut wins = 0;
    let mut bests = Vec::new();
    for seed in 1..=REPEATS {
        let (score, _) = best(&random(seed)?);
        if score > grid_best {
            wins += 1;
        }
        bests.push(score);
    }
    let mean = bests.iter().sum::<f64>() / bests.len() as f64;
    writeln!(
        text,
        "Over {REPEATS} random searches (seeds 1 to {REPEATS}): random search beat the grid {wins} times; its best score averaged {mean:.3} (the grid: {grid_best:.3})."
    )?;
    Ok(text)
}
