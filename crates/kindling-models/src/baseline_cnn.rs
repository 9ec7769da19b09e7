//! The baseline CNN of TensorFlow's CNN tutorial (CIFAR-10): three 3x3 convolutions with
//! max-pooling between them, then two dense layers. 122,570 parameters.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;
use kindling_kernels::{conv2d_layer, max_pool2d_layer};

use crate::classifier::Classifier;
use crate::dropout::SeededDropout;
use crate::trace::{NoTrace, Tracer};

/// Settings of the baseline CNN. The defaults are the tutorial's.
#[derive(Config, Debug, PartialEq)]
pub struct BaselineCnnConfig {
    /// Number of classes to tell apart.
    #[config(default = 10)]
    pub num_classes: usize,
    /// Colour channels of the input images.
    #[config(default = 3)]
    pub channels: usize,
    /// Side of the (square) input images in pixels.
    #[config(default = 32)]
    pub image_side: usize,
    /// Filters of the three convolutions.
    #[config(default = "[32, 64, 64]")]
    pub filters: [usize; 3],
    /// Width of the hidden dense layer.
    #[config(default = 64)]
    pub hidden: usize,
    /// Dropout while training, on the flattened features and on the hidden dense
    /// layer's output (0: none, the tutorial's model).
    #[config(default = 0.0)]
    pub dropout: f64,
}

/// Conv32 - MaxPool - Conv64 - MaxPool - Conv64 - Dense64 - Dense10, ReLU after
/// each hidden layer, 3x3 "valid" convolutions (no padding).
#[derive(Module, Debug)]
pub struct BaselineCnn {
    conv1: Conv2d,
    conv2: Conv2d,
    conv3: Conv2d,
    pool: MaxPool2d,
    dense: Linear,
    output: Linear,
    relu: Relu,
    dropout: SeededDropout,
    #[module(skip)]
    image_side: usize,
    #[module(skip)]
    channels: usize,
}

impl BaselineCnnConfig {
    /// Side of the last convolution's output: each 3x3 valid convolution takes 2
    /// pixels off, each 2x2 pooling halves.
    fn flat_side(&self) -> usize {
        let after_first = (self.image_side - 2) / 2;
        let after_second = (after_first - 2) / 2;
        after_second - 2
    }

    /// Builds the model with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> BaselineCnn {
        let [f1, f2, f3] = self.filters;
        let flat = f3 * self.flat_side() * self.flat_side();
        BaselineCnn {
            conv1: Conv2dConfig::new([self.channels, f1], [3, 3]).init(device),
            conv2: Conv2dConfig::new([f1, f2], [3, 3]).init(device),
            conv3: Conv2dConfig::new([f2, f3], [3, 3]).init(device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            dense: LinearConfig::new(flat, self.hidden).init(device),
            output: LinearConfig::new(self.hidden, self.num_classes).init(device),
            relu: Relu::new(),
            dropout: SeededDropout::new(self.dropout),
            image_side: self.image_side,
            channels: self.channels,
        }
    }
}

impl BaselineCnn {
    /// Dropout, shown in the summary only when it is on.
    fn dropped<T: Tracer>(&self, name: &str, x: Tensor<2>, t: &mut T) -> Tensor<2> {
        if self.dropout.prob == 0.0 {
            return x;
        }
        t.layer(name, "Dropout", 0, self.dropout.forward(x))
    }
}

impl Classifier<4> for BaselineCnn {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward_traced(images, &mut NoTrace)
    }

    fn forward_traced<T: Tracer>(&self, images: Tensor<4>, t: &mut T) -> Tensor<2> {
        let relu = |x| self.relu.forward(x);
        let x = t.layer(
            "conv2d_1",
            "Conv2D",
            self.conv1.num_params(),
            relu(conv2d_layer(&self.conv1, images)),
        );
        let x = t.layer(
            "max_pooling2d_1",
            "MaxPooling2D",
            0,
            max_pool2d_layer(&self.pool, x),
        );
        let x = t.layer(
            "conv2d_2",
            "Conv2D",
            self.conv2.num_params(),
            relu(conv2d_layer(&self.conv2, x)),
        );
        let x = t.layer(
            "max_pooling2d_2",
            "MaxPooling2D",
            0,
            max_pool2d_layer(&self.pool, x),
        );
        let x = t.layer(
            "conv2d_3",
            "Conv2D",
            self.conv3.num_params(),
            relu(conv2d_layer(&self.conv3, x)),
        );
        let x: Tensor<2> = t.layer("flatten", "Flatten", 0, x.flatten(1, 3));
        let x = self.dropped("dropout_1", x, t);
        let x = t.layer(
            "dense_1",
            "Dense",
            self.dense.num_params(),
            self.relu.forward(self.dense.forward(x)),
        );
        let x = self.dropped("dropout_2", x, t);
        t.layer(
            "dense_2",
            "Dense",
            self.output.num_params(),
            self.output.forward(x),
        )
    }

    fn input_shape(&self) -> [usize; 4] {
        [1, self.channels, self.image_side, self.image_side]
    }

    fn name(&self) -> &'static str {
        "baseline_cnn"
    }
}
