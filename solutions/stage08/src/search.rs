//! The sweep: every recipe of the grid trained at several seeds, each scored by
//! its mean validation accuracy and the standard error of that mean, so a
//! winner is only called one when it wins by more than the noise.

use anyhow::{Context, Result};
use kindling::burn::prelude::Device;
use kindling::data::{Augmentation, ImageSet, Normalization};
use kindling::train::Mode;
use kindling::train::tuning::{ResultsTable, SearchResults, SearchSpace, grid_search};
use kindling_course::facts::stage08::{
    AUGMENTATION_PARAM, SWEEP_AUGMENTATIONS, SWEEP_ERROR, SWEEP_METRIC,
};
use serde::Serialize;

use crate::compare::{Spread, last};
use crate::train::{Run, Settings, train};

/// One recipe of the sweep, trained at every seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialRow {
    /// The augmentation, as `--augment` spells it.
    pub augmentation: String,
    /// The seeds it was trained at.
    pub seeds: Vec<u64>,
    /// The last epoch's validation accuracy at each seed.
    pub val_accuracy: Vec<f64>,
    /// Their mean, sample standard deviation and standard error.
    #[serde(flatten)]
    pub spread: Spread,
}

// ANCHOR: space
/// The recipes the sweep tries: every augmentation of the grid.
pub fn search_space() -> SearchSpace {
    SearchSpace::new().values(AUGMENTATION_PARAM, SWEEP_AUGMENTATIONS)
}
// ANCHOR_END: space

/// The sweep's results, one row per recipe, and every trained run.
pub struct Sweep {
    /// One trial per recipe, with its mean and standard error.
    pub results: SearchResults,
    /// The same as rows, in trial order.
    pub rows: Vec<TrialRow>,
    /// Every run trained: one per recipe and seed.
    pub runs: Vec<Run>,
}

// ANCHOR: sweep
/// Trains each recipe of the search space once per seed, with `base`'s other
/// settings, and scores it by the mean of its validation accuracies.
pub fn sweep(
    train_set: &ImageSet,
    validation: &ImageSet,
    normalization: Normalization,
    base: Settings,
    seeds: &[u64],
    device: &Device,
) -> Result<Sweep> {
    let mut runs = Vec::new();
    let mut rows = Vec::new();
    let results = grid_search(&search_space(), |params| -> Result<_> {
        let augmentation: Augmentation = params.text(AUGMENTATION_PARAM)?.parse()?;
        let mut scores = Vec::new();
        for &seed in seeds {
            println!("Trial: augmentation {augmentation}, seed {seed}");
            let settings = Settings {
                augmentation,
                seed,
                ..base
            };
            let run = train(train_set, validation, normalization, settings, device)?;
            scores.push(last(&run.history, "val_accuracy"));
            runs.push(run);
        }
        let spread = Spread::of(&scores);
        rows.push(TrialRow {
            augmentation: augmentation.to_string(),
            seeds: seeds.to_vec(),
            val_accuracy: scores,
            spread,
        });
        Ok([
            (SWEEP_METRIC, spread.mean),
            (SWEEP_ERROR, spread.standard_error),
        ])
    })?;
    if let Some(failed) = results.trials.iter().find_map(|t| t.error()) {
        anyhow::bail!("a trial of the sweep failed: {failed}");
    }
    Ok(Sweep {
        results,
        rows,
        runs,
    })
}
// ANCHOR_END: sweep

impl Sweep {
    /// Takes out the run trained with `settings`, if a trial had them.
    pub fn take(&mut self, settings: Settings) -> Option<Run> {
        let index = self.runs.iter().position(|run| run.settings == settings)?;
        Some(self.runs.swap_remove(index))
    }

    /// The row of the recipe with this augmentation.
    pub fn row(&self, augmentation: &str) -> Result<&TrialRow> {
        self.rows
            .iter()
            .find(|row| row.augmentation == augmentation)
            .with_context(|| format!("the sweep has no trial with augmentation {augmentation}"))
    }

    /// The recipe with the highest mean validation accuracy (the first of equal ones).
    pub fn best(&self) -> Result<&TrialRow> {
        self.rows
            .iter()
            .fold(None, |best: Option<&TrialRow>, row| match best {
                Some(b) if b.spread.mean >= row.spread.mean => Some(b),
                _ => Some(row),
            })
            .context("the sweep has no trial")
    }

    /// The results table, best first.
    pub fn table(&self) -> Result<ResultsTable> {
        Ok(self.results.table(SWEEP_METRIC, Mode::Max)?)
    }
}
