//! A multi-layer perceptron: inputs flattened, then dense layers with ReLU between.
//! With no hidden layers it is a linear classifier (softmax regression).

use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;

use crate::classifier::Classifier;
use crate::dropout::SeededDropout;
use crate::trace::{NoTrace, Tracer};

/// Settings of an [`Mlp`].
#[derive(Config, Debug, PartialEq)]
pub struct MlpConfig {
    /// Numbers per input (3,072 for a 32x32 colour image, 2 for a point).
    pub inputs: usize,
    /// Width of each hidden layer; empty for a linear classifier.
    pub hidden: Vec<usize>,
    /// Number of classes.
    #[config(default = 10)]
    pub num_classes: usize,
    /// Dropout while training, after each hidden layer (0: none).
    #[config(default = 0.0)]
    pub dropout: f64,
}

/// Dense layers with ReLU between them.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    relu: Relu,
    dropout: SeededDropout,
    #[module(skip)]
    inputs: usize,
}

impl MlpConfig {
    /// Builds the model with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> Mlp {
        let mut widths = vec![self.inputs];
        widths.extend(&self.hidden);
        widths.push(self.num_classes);
        let layers = widths
            .windows(2)
            .map(|pair| LinearConfig::new(pair[0], pair[1]).init(device))
            .collect();
        Mlp {
            layers,
            relu: Relu::new(),
            dropout: SeededDropout::new(self.dropout),
            inputs: self.inputs,
        }
    }
}

impl Mlp {
    fn run<T: Tracer>(&self, mut x: Tensor<2>, t: &mut T) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (index, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if index < last {
                x = self.relu.forward(x);
            }
            x = t.layer(
                &format!("dense_{}", index + 1),
                "Dense",
                layer.num_params(),
                x,
            );
            if index < last && self.dropout.prob > 0.0 {
                x = t.layer(
                    &format!("dropout_{}", index + 1),
                    "Dropout",
                    0,
                    self.dropout.forward(x),
                );
            }
        }
        x
    }
}

/// On feature rows `[batch, inputs]`.
impl Classifier<2> for Mlp {
    fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        self.run(input, &mut NoTrace)
    }

    fn forward_traced<T: Tracer>(&self, input: Tensor<2>, t: &mut T) -> Tensor<2> {
        self.run(input, t)
    }

    fn input_shape(&self) -> [usize; 2] {
        [1, self.inputs]
    }

    fn name(&self) -> &'static str {
        "mlp"
    }
}

/// On image batches `[batch, channels, height, width]`, flattened first.
impl Classifier<4> for Mlp {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.run(images.flatten(1, 3), &mut NoTrace)
    }

    fn forward_traced<T: Tracer>(&self, images: Tensor<4>, t: &mut T) -> Tensor<2> {
        let flat = t.layer("flatten", "Flatten", 0, images.flatten(1, 3));
        self.run(flat, t)
    }

    fn input_shape(&self) -> [usize; 4] {
        // Images are square RGB: recover the side from the flattened size.
        let side = ((self.inputs / 3) as f64).sqrt() as usize;
        [1, 3, side, side]
    }

    fn name(&self) -> &'static str {
        "mlp"
    }
}
