//! Choosing an image model by name, as the `kindling` program's `--model` flag does.

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::baseline_cnn::{BaselineCnn, BaselineCnnConfig};
use crate::bn_cnn::{BnCnn, BnCnnConfig};
use crate::classifier::Classifier;
use crate::mlp::{Mlp, MlpConfig};
use crate::trace::Tracer;

/// The image models Kindling ships, from a straight line to a CNN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Softmax regression on raw pixels: one dense layer.
    Linear,
    /// Pixels through one hidden dense layer of 256.
    Mlp,
    /// TensorFlow's CNN tutorial's network (122,570 parameters).
    BaselineCnn,
    /// Five convolutions with batch normalisation, for real photos.
    BnCnn,
}

impl ModelKind {
    /// Every kind, in order of capacity.
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Linear,
        ModelKind::Mlp,
        ModelKind::BaselineCnn,
        ModelKind::BnCnn,
    ];

    /// Builds a freshly initialised model for 32x32 RGB images, with the default
    /// [`ModelOptions`] (no dropout).
    pub fn init(self, num_classes: usize, device: &Device) -> ImageModel {
        self.init_with(num_classes, &ModelOptions::default(), device)
    }

    /// Builds a freshly initialised model for 32x32 RGB images with `options`.
    pub fn init_with(
        self,
        num_classes: usize,
        options: &ModelOptions,
        device: &Device,
    ) -> ImageModel {
        let pixels = 3 * 32 * 32;
        match self {
            ModelKind::Linear => ImageModel::Mlp(
                MlpConfig::new(pixels, vec![])
                    .with_num_classes(num_classes)
                    .init(device),
            ),
            ModelKind::Mlp => ImageModel::Mlp(
                MlpConfig::new(pixels, vec![256])
                    .with_num_classes(num_classes)
                    .with_dropout(options.dropout)
                    .init(device),
            ),
            ModelKind::BaselineCnn => ImageModel::BaselineCnn(
                BaselineCnnConfig::new()
                    .with_num_classes(num_classes)
                    .with_dropout(options.dropout)
                    .init(device),
            ),
            ModelKind::BnCnn => ImageModel::BnCnn(
                BnCnnConfig::new()
                    .with_num_classes(num_classes)
                    .with_dropout(options.dropout)
                    .init(device),
            ),
        }
    }

    /// True when the model normalises with batch statistics while training, so a
    /// training batch needs at least two images.
    pub fn uses_batch_norm(self) -> bool {
        matches!(self, ModelKind::BnCnn)
    }

    /// Refuses a training batch of one image for a batch-normalised model: its
    /// statistics would be one image's own, normalising away what it shows.
    pub fn check_batches(self, train_size: usize, batch_size: usize) -> Result<(), String> {
        if !self.uses_batch_norm() {
            return Ok(());
        }
        if batch_size == 1 {
            return Err(format!(
                "the {self} model normalises each training batch by its own statistics, and a batch of one image has none to speak of. Fix: use --batch-size 64 (any size of 2 or more)"
            ));
        }
        if train_size % batch_size == 1 {
            return Err(format!(
                "{train_size} training images in batches of {batch_size} leave a last batch of one image, which the {self} model cannot normalise. Fix: use --train-size {} or another --batch-size",
                train_size - 1
            ));
        }
        Ok(())
    }

    /// True when the model has a layer that dropout can follow (a linear
    /// classifier has none).
    pub fn takes_dropout(self) -> bool {
        !matches!(self, ModelKind::Linear)
    }
}

/// Settings of a model beyond its kind, saved with a run so the same model can be
/// built again to load its weights.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelOptions {
    /// Dropout while training (0: none). See [`crate::SeededDropout`] for where each
    /// model applies it.
    #[serde(default)]
    pub dropout: f64,
}

impl ModelOptions {
    /// Checks the options for `kind`, naming the problem and the fix.
    pub fn check(&self, kind: ModelKind) -> Result<(), String> {
        crate::dropout::check_dropout(self.dropout)?;
        if self.dropout > 0.0 && !kind.takes_dropout() {
            return Err(format!(
                "the {kind} model has no hidden layer for dropout to act on. Fix: leave out --dropout, or pick --model mlp or baseline-cnn"
            ));
        }
        Ok(())
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelKind::Linear => "linear",
            ModelKind::Mlp => "mlp",
            ModelKind::BaselineCnn => "baseline-cnn",
            ModelKind::BnCnn => "bn-cnn",
        })
    }
}

/// A model name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown model `{0}`. Fix: use one of linear, mlp, baseline-cnn, bn-cnn")]
pub struct UnknownModel(pub String);

impl FromStr for ModelKind {
    type Err = UnknownModel;

    fn from_str(text: &str) -> Result<Self, UnknownModel> {
        match text {
            "linear" => Ok(ModelKind::Linear),
            "mlp" => Ok(ModelKind::Mlp),
            "baseline-cnn" | "cnn" => Ok(ModelKind::BaselineCnn),
            "bn-cnn" => Ok(ModelKind::BnCnn),
            other => Err(UnknownModel(other.to_string())),
        }
    }
}

/// Any of the image models, as one type a training run can hold and save.
// The variants hold tensor handles, not tensors: their size difference is a few
// hundred bytes on the stack, not worth a Box in every forward pass.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum ImageModel {
    /// The baseline CNN.
    BaselineCnn(BaselineCnn),
    /// The CNN with batch normalisation.
    BnCnn(BnCnn),
    /// A linear classifier or MLP over flattened pixels.
    Mlp(Mlp),
}

impl Classifier<4> for ImageModel {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            ImageModel::BaselineCnn(model) => model.forward(images),
            ImageModel::BnCnn(model) => model.forward(images),
            ImageModel::Mlp(model) => Classifier::<4>::forward(model, images),
        }
    }

    fn forward_traced<T: Tracer>(&self, images: Tensor<4>, tracer: &mut T) -> Tensor<2> {
        match self {
            ImageModel::BaselineCnn(model) => model.forward_traced(images, tracer),
            ImageModel::BnCnn(model) => model.forward_traced(images, tracer),
            ImageModel::Mlp(model) => Classifier::<4>::forward_traced(model, images, tracer),
        }
    }

    fn input_shape(&self) -> [usize; 4] {
        match self {
            ImageModel::BaselineCnn(model) => model.input_shape(),
            ImageModel::BnCnn(model) => model.input_shape(),
            ImageModel::Mlp(model) => Classifier::<4>::input_shape(model),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            ImageModel::BaselineCnn(model) => model.name(),
            ImageModel::BnCnn(model) => model.name(),
            ImageModel::Mlp(model) => Classifier::<4>::name(model),
        }
    }
}
