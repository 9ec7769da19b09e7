//! Settings of a training run: what `fit` needs besides the model and the data.

use burn::grad_clipping::GradientClippingConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, ModuleOptimizer, SgdConfig};
use kindling_data::Augmentation;
use serde::{Deserialize, Serialize};

use crate::error::FitError;
use crate::interrupt::Interrupt;

/// The rule that turns gradients into weight updates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adam with Burn's default betas (0.9, 0.999).
    Adam,
    /// Stochastic gradient descent; `momentum` 0 is plain SGD (no dampening, as in
    /// Keras and PyTorch).
    Sgd {
        /// Share of the last update carried into the next, 0 to below 1.
        momentum: f64,
    },
}

/// Limiting gradients before each update, a guard against exploding gradients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradClip {
    /// Scale all gradients down when their overall norm exceeds this.
    Norm(f32),
    /// Clamp every gradient entry to `[-v, v]`.
    Value(f32),
}

/// How much `fit` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verbosity {
    /// Nothing.
    Silent,
    /// One row per epoch.
    Epochs,
    /// One row per epoch and a progress bar within each epoch (the bar only when
    /// standard output is a terminal).
    #[default]
    Progress,
}

/// Settings of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    /// Passes over the training data.
    pub epochs: usize,
    /// Examples per update.
    pub batch_size: usize,
    /// Step size of each update.
    pub learning_rate: f64,
    /// The update rule.
    pub optimizer: OptimizerKind,
    /// Seed of the shuffling order (the model's starting weights are seeded where
    /// it is built, see `kindling_models::init_seeded`).
    pub seed: u64,
    /// Optional gradient clipping.
    pub grad_clip: Option<GradClip>,
    /// What to print while training.
    pub verbosity: Verbosity,
    /// Stop with an error as soon as the loss is NaN or infinite (on by default).
    pub terminate_on_nan: bool,
    /// A flag that stops training after the current batch when raised (Ctrl-C, with
    /// [`Interrupt::ctrl_c`]); `fit` then returns the finished epochs. Not saved.
    #[serde(skip)]
    pub interrupt: Option<Interrupt>,
    /// Where to write a checkpoint after every epoch (see [`crate::checkpoint`]).
    /// Not saved: it is a place, not a setting of the run.
    #[serde(skip)]
    pub checkpoint: Option<std::path::PathBuf>,
    /// Random changes to training images, drawn anew each epoch from `seed`
    /// (never applied to validation or test images). Absent in older config.json files.
    #[serde(default)]
    pub augmentation: Option<Augmentation>,
}

impl Default for FitConfig {
    /// Keras' defaults where Keras has one: Adam at 0.001, batches of 32.
    fn default() -> Self {
        FitConfig {
            epochs: 10,
            batch_size: 32,
            learning_rate: 1e-3,
            optimizer: OptimizerKind::Adam,
            seed: 42,
            grad_clip: None,
            verbosity: Verbosity::Progress,
            terminate_on_nan: true,
            interrupt: None,
            checkpoint: None,
            augmentation: None,
        }
    }
}

impl FitConfig {
    /// Sets the number of epochs.
    pub fn with_epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sets the batch size.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets the learning rate.
    pub fn with_learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets the optimizer.
    pub fn with_optimizer(mut self, optimizer: OptimizerKind) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// Sets the shuffling seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets gradient clipping.
    pub fn with_grad_clip(mut self, grad_clip: Option<GradClip>) -> Self {
        self.grad_clip = grad_clip;
        self
    }

    /// Sets what is printed.
    pub fn with_verbosity(mut self, verbosity: Verbosity) -> Self {
        self.verbosity = verbosity;
        self
    }

    /// Stops training when `interrupt` is raised.
    pub fn with_interrupt(mut self, interrupt: Option<Interrupt>) -> Self {
        self.interrupt = interrupt;
        self
    }

    /// Writes a checkpoint to `path` after every epoch.
    pub fn with_checkpoint(mut self, path: Option<std::path::PathBuf>) -> Self {
        self.checkpoint = path;
        self
    }

    /// The first setting that makes training take a different path from `other`'s
    /// (the number of epochs, printing and where checkpoints go do not count), as
    /// `(name, ours, theirs)`.
    pub fn differs_from(&self, other: &FitConfig) -> Option<(&'static str, String, String)> {
        let pairs = [
            (
                "batch_size",
                self.batch_size.to_string(),
                other.batch_size.to_string(),
            ),
            (
                "learning_rate",
                self.learning_rate.to_string(),
                other.learning_rate.to_string(),
            ),
            (
                "optimizer",
                format!("{:?}", self.optimizer),
                format!("{:?}", other.optimizer),
            ),
            ("seed", self.seed.to_string(), other.seed.to_string()),
            (
                "grad_clip",
                format!("{:?}", self.grad_clip),
                format!("{:?}", other.grad_clip),
            ),
            (
                "augmentation",
                format!("{:?}", self.augmentation),
                format!("{:?}", other.augmentation),
            ),
            (
                "terminate_on_nan",
                self.terminate_on_nan.to_string(),
                other.terminate_on_nan.to_string(),
            ),
        ];
        pairs.into_iter().find(|(_, ours, theirs)| ours != theirs)
    }

    /// Sets the augmentation of training images (`None`: none).
    pub fn with_augmentation(mut self, augmentation: Option<Augmentation>) -> Self {
        self.augmentation = augmentation;
        self
    }

    /// Checks every setting, naming the first one out of range.
    pub fn validate(&self) -> Result<(), FitError> {
        if self.epochs == 0 {
            return Err(FitError::InvalidSetting {
                setting: "epochs",
                value: "0".into(),
                rule: "train for at least one epoch",
                fix: "use --epochs 10",
            });
        }
        if self.batch_size == 0 {
            return Err(FitError::InvalidSetting {
                setting: "batch size",
                value: "0".into(),
                rule: "a batch holds at least one example",
                fix: "use --batch-size 32",
            });
        }
        validate_learning_rate(self.learning_rate)?;
        if let Some(augmentation) = &self.augmentation {
            augmentation.validate()?;
        }
        if let OptimizerKind::Sgd { momentum } = self.optimizer
            && !(0.0..1.0).contains(&momentum)
        {
            return Err(FitError::InvalidSetting {
                setting: "momentum",
                value: momentum.to_string(),
                rule: "momentum is at least 0 and below 1",
                fix: "use --momentum 0.9",
            });
        }
        if let Some(GradClip::Norm(limit) | GradClip::Value(limit)) = self.grad_clip
            && !(limit.is_finite() && limit > 0.0)
        {
            return Err(FitError::InvalidSetting {
                setting: "gradient clipping",
                value: limit.to_string(),
                rule: "the clipping limit is a positive number",
                fix: "use --clip-norm 1.0",
            });
        }
        Ok(())
    }

    /// Builds the Burn optimizer these settings describe.
    pub fn build_optimizer(&self) -> ModuleOptimizer {
        let clipping = self.grad_clip.map(|clip| match clip {
            GradClip::Norm(limit) => GradientClippingConfig::Norm(limit),
            GradClip::Value(limit) => GradientClippingConfig::Value(limit),
        });
        match self.optimizer {
            OptimizerKind::Adam => AdamConfig::new().with_grad_clipping(clipping).init(),
            OptimizerKind::Sgd { momentum } => {
                let momentum = (momentum > 0.0).then(|| {
                    MomentumConfig::new()
                        .with_momentum(momentum)
                        .with_dampening(0.0)
                });
                SgdConfig::new()
                    .with_momentum(momentum)
                    .with_gradient_clipping(clipping)
                    .init()
            }
        }
    }
}

/// A learning rate must be a positive, finite number.
pub fn validate_learning_rate(learning_rate: f64) -> Result<(), FitError> {
    if learning_rate.is_finite() && learning_rate > 0.0 {
        Ok(())
    } else {
        Err(FitError::InvalidSetting {
            setting: "learning rate",
            value: learning_rate.to_string(),
            rule: "the learning rate is a positive number",
            fix: "use --lr 0.001",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_name_themselves_and_the_fix() {
        let cases = [
            (FitConfig::default().with_epochs(0), "epochs", "--epochs"),
            (
                FitConfig::default().with_batch_size(0),
                "batch size",
                "--batch-size",
            ),
            (
                FitConfig::default().with_learning_rate(-0.1),
                "learning rate",
                "--lr",
            ),
            (
                FitConfig::default().with_learning_rate(f64::NAN),
                "NaN",
                "--lr",
            ),
        ];
        for (config, name, fix) in cases {
            let message = config.validate().unwrap_err().to_string();
            assert!(message.contains(name) && message.contains(fix), "{message}");
        }
        assert!(FitConfig::default().validate().is_ok());
    }

    #[test]
    fn augmentation_is_recorded_and_old_settings_still_load() {
        let config = FitConfig::default().with_augmentation(Some(Augmentation::flip_and_crop()));
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["augmentation"]["crop"]["pad"], 4);
        let mut old = serde_json::to_value(FitConfig::default()).unwrap();
        old.as_object_mut().unwrap().remove("augmentation");
        let loaded: FitConfig = serde_json::from_value(old).unwrap();
        assert_eq!(loaded.augmentation, None);
    }
}
