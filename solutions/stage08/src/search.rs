//! The search for better settings: a grid sweep over learning rate and
//! augmentation, and k-fold cross-validation to see how much a score moves by
//! luck alone.

use anyhow::{Context, Result};
use kindling::burn::prelude::Device;
use kindling::data::{Augmentation, ImageSet, Normalization};
use kindling::train::Mode;
use kindling::train::tuning::{
    CrossValidation, SearchResults, SearchSpace, cross_validate, grid_search,
};
use kindling_course::facts::stage08::{
    AUGMENTATION_PARAM, LEARNING_RATE_PARAM, SWEEP_LEARNING_RATES, SWEEP_METRIC,
};
// [solution]
use kindling_course::facts::stage08::SWEEP_AUGMENTATIONS;
// [exercise]
// // You will need: use kindling_course::facts::stage08::SWEEP_AUGMENTATIONS;
// [end]
use serde::Serialize;

use crate::compare::last;
use crate::train::{Run, Settings, train};

/// One trial of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialRow {
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// The augmentation, as `--augment` spells it.
    pub augmentation: String,
    /// Validation accuracy of the last epoch.
    pub val_accuracy: f64,
}

// ANCHOR: space
/// The settings the sweep tries: every combination of these values.
pub fn search_space() -> SearchSpace {
    // [solution]
    SearchSpace::new()
        .values(LEARNING_RATE_PARAM, SWEEP_LEARNING_RATES)
        .values(AUGMENTATION_PARAM, SWEEP_AUGMENTATIONS)
    // [exercise]
    // // TODO: also try every augmentation of SWEEP_AUGMENTATIONS, under the
    // // name AUGMENTATION_PARAM, with one more .values(..) line.
    // SearchSpace::new().values(LEARNING_RATE_PARAM, SWEEP_LEARNING_RATES)
    // [end]
}
// ANCHOR_END: space

/// The sweep's results, and every trained run, in trial order.
pub struct Sweep {
    /// One trial per combination, with its validation accuracy.
    pub results: SearchResults,
    /// The runs the trials trained.
    pub runs: Vec<Run>,
}

// ANCHOR: sweep
/// Trains one model per combination of the search space, each with `base`'s
/// epochs and seed, and measures each on the validation pile.
pub fn sweep(
    train_set: &ImageSet,
    validation: &ImageSet,
    normalization: Normalization,
    base: Settings,
    device: &Device,
) -> Result<Sweep> {
    let mut runs = Vec::new();
    let results = grid_search(&search_space(), |params| -> Result<_> {
        let augmentation: Augmentation = match params.text(AUGMENTATION_PARAM) {
            Ok(text) => text.parse()?,
            Err(_) => Augmentation::none(),
        };
        let settings = Settings {
            learning_rate: params.f64(LEARNING_RATE_PARAM)?,
            augmentation,
            ..base
        };
        println!(
            "Trial: learning rate {}, augmentation {augmentation}",
            settings.learning_rate
        );
        let run = train(train_set, validation, normalization, settings, device)?;
        let score = last(&run.history, "val_accuracy");
        runs.push(run);
        Ok([(SWEEP_METRIC, score)])
    })?;
    if let Some(failed) = results.trials.iter().find_map(|t| t.error()) {
        anyhow::bail!("a trial of the sweep failed: {failed}");
    }
    Ok(Sweep { results, runs })
}
// ANCHOR_END: sweep

impl Sweep {
    /// Takes out the run trained with `settings`, if a trial had them.
    pub fn take(&mut self, settings: Settings) -> Option<Run> {
        let index = self.runs.iter().position(|run| run.settings == settings)?;
        Some(self.runs.swap_remove(index))
    }
}

/// The trials in the order they ran.
pub fn rows(results: &SearchResults) -> Result<Vec<TrialRow>> {
    results
        .trials
        .iter()
        .map(|trial| {
            Ok(TrialRow {
                learning_rate: trial.params.f64(LEARNING_RATE_PARAM)?,
                augmentation: trial
                    .params
                    .text(AUGMENTATION_PARAM)
                    .unwrap_or("none")
                    .to_string(),
                val_accuracy: trial.metric(SWEEP_METRIC).unwrap_or(f64::NAN),
            })
        })
        .collect()
}

/// The trial with the highest validation accuracy (the first of equal ones).
pub fn best(results: &SearchResults) -> Result<TrialRow> {
    let rows = rows(results)?;
    rows.iter()
        .fold(None, |best: Option<&TrialRow>, row| match best {
            Some(b) if b.val_accuracy >= row.val_accuracy => Some(b),
            _ => Some(row),
        })
        .cloned()
        .context("the sweep has no trial")
}

// ANCHOR: kfold
/// k-fold cross-validation of `settings` on `set`: each fold is validated once,
/// by a model trained on the other folds.
pub fn k_fold(
    set: &ImageSet,
    folds: usize,
    settings: Settings,
    device: &Device,
) -> Result<CrossValidation> {
    let labels: Vec<usize> = set.labels().iter().map(|&l| l as usize).collect();
    let spread = cross_validate(&labels, folds, settings.seed, |fold| -> Result<f64> {
        let train_set = set.select(&fold.train);
        let validation = set.select(&fold.validation);
        // Normalisation is fitted on the fold's training images only.
        let normalization = Normalization::fit(&train_set);
        let run = train(&train_set, &validation, normalization, settings, device)?;
        Ok(last(&run.history, "val_accuracy"))
    })?;
    Ok(spread)
}
// ANCHOR_END: kfold

/// The results table, best first.
pub fn table(results: &SearchResults) -> Result<kindling::train::tuning::ResultsTable> {
    Ok(results.table(SWEEP_METRIC, Mode::Max)?)
}
