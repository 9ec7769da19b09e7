//! A stronger CNN for real photos: five 3x3 convolutions, each followed by batch
//! normalisation and ReLU, three max-poolings, then a global average and one dense
//! layer. Batch normalisation keeps every layer's inputs at a steady scale, so the
//! network trains at a high learning rate without diverging.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::prelude::*;
use kindling_kernels::{conv2d_layer, max_pool2d_layer};

use crate::classifier::Classifier;
use crate::dropout::SeededDropout;
use crate::trace::{NoTrace, Tracer};

/// Settings of a [`BnCnn`].
#[derive(Config, Debug, PartialEq)]
pub struct BnCnnConfig {
    /// Number of classes to tell apart.
    #[config(default = 10)]
    pub num_classes: usize,
    /// Colour channels of the input images.
    #[config(default = 3)]
    pub channels: usize,
    /// Side of the (square) input images in pixels (a multiple of 8).
    #[config(default = 32)]
    pub image_side: usize,
    /// Filters at full, half and quarter resolution.
    #[config(default = "[32, 64, 128]")]
    pub widths: [usize; 3],
    /// Dropout while training, before the dense layer (0: none).
    #[config(default = 0.0)]
    pub dropout: f64,
}

/// One 3x3 convolution (padded, so the size is kept), batch normalisation and ReLU.
#[derive(Module, Debug)]
pub struct ConvBnRelu {
    conv: Conv2d,
    norm: BatchNorm,
}

impl ConvBnRelu {
    fn new(from: usize, to: usize, device: &Device) -> Self {
        ConvBnRelu {
            conv: Conv2dConfig::new([from, to], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            norm: BatchNormConfig::new(to).init(device),
        }
    }

    /// Recorded as two rows, as Keras shows them: the convolution, then the
    /// normalisation (with its ReLU).
    fn forward<T: Tracer>(&self, index: usize, x: Tensor<4>, t: &mut T) -> Tensor<4> {
        let x = t.layer(
            &format!("conv2d_{index}"),
            "Conv2D",
            self.conv.num_params(),
            conv2d_layer(&self.conv, x),
        );
        t.layer(
            &format!("batch_normalization_{index}"),
            "BatchNormalization",
            self.norm.num_params(),
            burn::tensor::activation::relu(self.norm.forward(x)),
        )
    }
}

/// Conv32 - Pool - Conv64 - Pool - Conv64 - Conv128 - Pool - Conv128 - Average - Dense,
/// each convolution followed by batch normalisation and ReLU.
#[derive(Module, Debug)]
pub struct BnCnn {
    blocks: Vec<ConvBnRelu>,
    pool: MaxPool2d,
    output: Linear,
    relu: Relu,
    dropout: SeededDropout,
    #[module(skip)]
    image_side: usize,
    #[module(skip)]
    channels: usize,
}

/// After which of the five blocks a 2x2 max-pooling halves the image.
const POOL_AFTER: [bool; 5] = [true, true, false, true, false];

impl BnCnnConfig {
    /// Builds the model with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> BnCnn {
        let [w1, w2, w3] = self.widths;
        let shapes = [(self.channels, w1), (w1, w2), (w2, w2), (w2, w3), (w3, w3)];
        BnCnn {
            blocks: shapes
                .iter()
                .map(|&(from, to)| ConvBnRelu::new(from, to, device))
                .collect(),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            output: LinearConfig::new(w3, self.num_classes).init(device),
            relu: Relu::new(),
            dropout: SeededDropout::new(self.dropout),
            image_side: self.image_side,
            channels: self.channels,
        }
    }
}

impl Classifier<4> for BnCnn {
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward_traced(images, &mut NoTrace)
    }

    fn forward_traced<T: Tracer>(&self, images: Tensor<4>, t: &mut T) -> Tensor<2> {
        let mut x = images;
        let mut pools = 0;
        for (index, (block, pool_after)) in self.blocks.iter().zip(POOL_AFTER).enumerate() {
            x = block.forward(index + 1, x, t);
            if pool_after {
                pools += 1;
                x = t.layer(
                    &format!("max_pooling2d_{pools}"),
                    "MaxPooling2D",
                    0,
                    max_pool2d_layer(&self.pool, x),
                );
            }
        }
        // The mean of each filter's map: one number per filter, whatever the side.
        let [batch, filters, _, _] = x.dims();
        let x: Tensor<2> = t.layer(
            "global_average_pooling2d",
            "GlobalAveragePooling2D",
            0,
            x.mean_dim(3).mean_dim(2).reshape([batch, filters]),
        );
        let x = if self.dropout.prob > 0.0 {
            t.layer("dropout_1", "Dropout", 0, self.dropout.forward(x))
        } else {
            x
        };
        t.layer(
            "dense_1",
            "Dense",
            self.output.num_params(),
            self.output.forward(x),
        )
    }

    fn input_shape(&self) -> [usize; 4] {
        [1, self.channels, self.image_side, self.image_side]
    }

    fn name(&self) -> &'static str {
        "bn_cnn"
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;
    use crate::summary::summary;

    #[test]
    fn the_summary_lists_every_layer_with_keras_counts() {
        let device = Device::flex();
        let model = BnCnnConfig::new().init(&device);
        let table = summary(&model, &device);
        // Convolutions: 9 * in * out + out; batch norm: 4 per filter, a scale and a
        // shift that train plus the running mean and variance that do not (Keras
        // counts them too); dense: 128 * 10 + 10.
        let convs = [(3, 32), (32, 64), (64, 64), (64, 128), (128, 128)];
        let conv_params: usize = convs.iter().map(|(i, o)| 9 * i * o + o).sum();
        let norm_params: usize = convs.iter().map(|(_, o)| 4 * o).sum();
        assert_eq!(table.total_params, conv_params + norm_params + 1290);
        assert_eq!(table.output_shape(), [10]);
        assert_eq!(table.layers.len(), 5 * 2 + 3 + 2);
    }

    #[test]
    fn evaluation_normalises_with_the_running_statistics() {
        let device = Device::flex();
        let model = BnCnnConfig::new().with_widths([4, 4, 4]).init(&device);
        let images = Tensor::<4>::random([2, 3, 32, 32], Distribution::Default, &device);
        // Fresh running statistics are mean 0 and variance 1, so evaluation's batch
        // norm only divides by sqrt(1 + epsilon): a batch and each image alone give
        // the same scores (training mode would not).
        let both = model.forward(images.clone());
        let first = model.forward(images.narrow(0, 0, 1));
        both.narrow(0, 0, 1)
            .into_data()
            .assert_approx_eq::<f32>(&first.into_data(), Default::default());
    }
}
