//! Choosing an image model by name, as the `kindling` program's `--model` flag does.

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::baseline_cnn::{BaselineCnn, BaselineCnnConfig};
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
    /// The Keras tutorial CNN (122,570 parameters).
    BaselineCnn,
}

impl ModelKind {
    /// Every kind, in order of capacity.
    pub const ALL: [ModelKind; 3] = [ModelKind::Linear, ModelKind::Mlp, ModelKind::BaselineCnn];

    /// Builds a freshly initialised model for 32x32 RGB images.
    pub fn init(self, num_classes: usize, device: &Device) -> ImageModel {
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
                    .init(device),
            ),
            ModelKind::BaselineCnn => ImageModel::BaselineCnn(
                BaselineCnnConfig::new()
                    .with_num_classes(num_classes)
                    .init(device),
            ),
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelKind::Linear => "linear",
            ModelKind::Mlp => "mlp",
            ModelKind::BaselineCnn => "baseline-cnn",
        })
    }
}

/// A model name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown model `{0}`. Fix: use one of linear, mlp, baseline-cnn")]
pub struct UnknownModel(pub String);

impl FromStr for ModelKind {
    type Err = UnknownModel;

    fn from_str(text: &str) -> Result<Self, UnknownModel> {
        match text {
            "linear" => Ok(ModelKind::Linear),
            "mlp" => Ok(ModelKind::Mlp),
            "baseline-cnn" | "cnn" => Ok(ModelKind::BaselineCnn),
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
    /// A linear classifier or MLP over flattened pixels.
    Mlp(Mlp),
}

impl Classifier<4> for ImageModel {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            ImageModel::BaselineCnn(model) => model.forward(images),
            ImageModel::Mlp(model) => Classifier::<4>::forward(model, images),
        }
    }

    fn forward_traced<T: Tracer>(&self, images: Tensor<4>, tracer: &mut T) -> Tensor<2> {
        match self {
            ImageModel::BaselineCnn(model) => model.forward_traced(images, tracer),
            ImageModel::Mlp(model) => Classifier::<4>::forward_traced(model, images, tracer),
        }
    }

    fn input_shape(&self) -> [usize; 4] {
        match self {
            ImageModel::BaselineCnn(model) => model.input_shape(),
            ImageModel::Mlp(model) => Classifier::<4>::input_shape(model),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            ImageModel::BaselineCnn(model) => model.name(),
            ImageModel::Mlp(model) => Classifier::<4>::name(model),
        }
    }
}
