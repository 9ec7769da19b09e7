//! Settings of a training run: what `fit` needs besides the model and the data.

use burn::grad_clipping::GradientClippingConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, SgdConfig};
use kindling_data::Augmentation;
use serde::{Deserialize, Serialize};

use crate::error::FitError;
use crate::interrupt::Interrupt;
use crate::schedule::LrSchedule;

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
    /// Decoupled weight decay (as in AdamW): every update also shrinks each weight by
    /// `learning_rate * weight_decay` of itself, pulling unused weights towards zero
    /// (0: none). With SGD it is the classic L2 penalty added to the gradient.
    #[serde(default)]
    pub weight_decay: f64,
    /// Label smoothing: the training loss aims at `1 - s` for the right class and
    /// shares `s` among all classes, so the model is not pushed towards ever more
    /// confident scores (0: none). Validation loss is always the plain cross-entropy.
    #[serde(default)]
    pub label_smoothing: f64,
    /// A learning rate that changes every update (warm-up, then decay); `None`: the
    /// same rate throughout (callbacks may still change it between epochs).
    #[serde(default)]
    pub schedule: Option<LrSchedule>,
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
            weight_decay: 0.0,
            label_smoothing: 0.0,
            schedule: None,
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
                "weight_decay",
                self.weight_decay.to_string(),
                other.weight_decay.to_string(),
            ),
            (
                "label_smoothing",
                self.label_smoothing.to_string(),
                other.label_smoothing.to_string(),
            ),
            (
                "schedule",
                format!("{:?}", self.schedule),
                format!("{:?}", other.schedule),
            ),
            (
                "terminate_on_nan",
                self.terminate_on_nan.to_string(),
                other.terminate_on_nan.to_string(),
            ),
        ];
        pairs.into_iter().find(|(_, ours, theirs)| ours != theirs)
    }

    /// Sets decoupled weight decay (0: none).
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Sets label smoothing (0: none).
    pub fn with_label_smoothing(mut self, label_smoothing: f64) -> Self {
        self.label_smoothing = label_smoothing;
        self
    }

    /// Sets the learning-rate schedule (`None`: a constant rate).
    pub fn with_schedule(mut self, schedule: Option<LrSchedule>) -> Self {
        self.schedule = schedule;
        self
    }

    /// The learning rate of batch `batch` (from 1) of `epoch` (from 1) of `batches`,
    /// when a schedule sets it.
    pub fn scheduled_rate(&self, epoch: usize, batch: usize, batches: usize) -> Option<f64> {
        self.schedule
            .map(|s| s.rate(self.learning_rate, epoch, batch, batches, self.epochs))
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
        if !(self.weight_decay.is_finite() && (0.0..1.0).contains(&self.weight_decay)) {
            return Err(FitError::InvalidSetting {
                setting: "weight decay",
                value: self.weight_decay.to_string(),
                rule: "weight decay is at least 0 and below 1 (typical values are 1e-4 to 0.05)",
                fix: "use --weight-decay 0.0005, or 0 for none",
            });
        }
        if !(self.label_smoothing.is_finite() && (0.0..1.0).contains(&self.label_smoothing)) {
            return Err(FitError::InvalidSetting {
                setting: "label smoothing",
                value: self.label_smoothing.to_string(),
                rule: "label smoothing is at least 0 and below 1 (0.1 is usual)",
                fix: "use --label-smoothing 0.1, or 0 for none",
            });
        }
        if let Some(schedule) = &self.schedule
            && let Err(problem) = schedule.check(self.epochs)
        {
            return Err(FitError::BadSchedule(problem));
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
        let decay = self.weight_decay as f32;
        match self.optimizer {
            // Adam when there is no decay, so runs without it keep Adam's state layout.
            OptimizerKind::Adam if self.weight_decay == 0.0 => {
                AdamConfig::new().with_grad_clipping(clipping).init()
            }
            // AdamW's other settings are Adam's defaults, so only the decay differs.
            OptimizerKind::Adam => AdamWConfig::new()
                .with_weight_decay(decay)
                .with_grad_clipping(clipping)
                .init(),
            OptimizerKind::Sgd { momentum } => {
                let momentum = (momentum > 0.0).then(|| {
                    MomentumConfig::new()
                        .with_momentum(momentum)
                        .with_dampening(0.0)
                });
                SgdConfig::new()
                    .with_momentum(momentum)
                    .with_weight_decay(
                        (decay > 0.0).then_some(WeightDecayConfig { penalty: decay }),
                    )
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
