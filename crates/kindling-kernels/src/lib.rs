//! Kindling's own CPU kernels for Burn's Flex backend.
//!
//! [`conv2d`] is Burn's `conv2d`, faster on Flex: the output, the input gradient and the
//! weight gradient are each one matrix product per image over the image's patch matrix
//! (im2col), where Burn computes the gradients as a transposed convolution and as a
//! convolution with batch and channels swapped. [`max_pool2d`] is Burn's max pooling
//! without padding, with a plainer kernel. On any other device, or for options these
//! kernels do not cover (groups, padding in pooling, non-`f32` tensors), each is Burn's
//! own operation. Results agree with Burn's to float rounding (pooling exactly); the tests
//! hold the convolution to a relative 1e-4.

mod conv2d;
mod flex_conv;
mod flex_pool;
mod flex_tensor;
mod geometry;
mod im2col;
mod matmul;
mod max_pool2d;

use burn::backend::{Dispatch, DispatchTensor, DispatchTensorKind};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;
use burn::tensor::ops::{ConvOptions, MaxPoolOptions};

pub use flex_conv::GemmConv2d;
pub use flex_pool::PlainMaxPool2d;
pub use geometry::ConvGeometry;
pub use max_pool2d::PoolGeometry;

/// The 2-D convolution of `x` (`[batch, channels_in, h, w]`) with `weight`
/// (`[channels_out, channels_in / groups, kh, kw]`) plus `bias`, differentiable.
pub fn conv2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Tensor<1>,
    options: ConvOptions<2>,
) -> Tensor<4> {
    let (x, weight, bias) = (
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    );
    if [&x, &weight, &bias].iter().all(|t| on_flex(t)) {
        Tensor::from_dispatch(<Dispatch as GemmConv2d>::gemm_conv2d(
            x, weight, bias, options,
        ))
    } else {
        burn::tensor::module::conv2d(
            Tensor::from_dispatch(x),
            Tensor::from_dispatch(weight),
            Some(Tensor::from_dispatch(bias)),
            options,
        )
    }
}

/// `layer.forward(x)`, computed with [`conv2d`] when the layer has a bias and its padding
/// does not depend on the input size (`Valid` or `Explicit`).
pub fn conv2d_layer(layer: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let padding = match layer.padding {
        PaddingConfig2d::Valid => [(0, 0); 2],
        PaddingConfig2d::Explicit(top, left, bottom, right) => [(top, bottom), (left, right)],
        PaddingConfig2d::Same => return layer.forward(x),
    };
    let Some(bias) = &layer.bias else {
        return layer.forward(x);
    };
    let options =
        ConvOptions::new_with_padding(layer.stride, padding, layer.dilation, layer.groups);
    conv2d(x, layer.weight.val(), bias.val(), options)
}

/// Max pooling of `x` (`[batch, channels, h, w]`) with `kernel`-sized windows every
/// `stride`, no padding, differentiable.
pub fn max_pool2d(x: Tensor<4>, kernel: [usize; 2], stride: [usize; 2]) -> Tensor<4> {
    let x = x.into_dispatch();
    if on_flex(&x) {
        Tensor::from_dispatch(<Dispatch as PlainMaxPool2d>::plain_max_pool2d(
            x, kernel, stride,
        ))
    } else {
        let options = MaxPoolOptions::new(kernel).with_stride(stride);
        burn::tensor::module::max_pool2d(Tensor::from_dispatch(x), options)
    }
}

/// `layer.forward(x)`, computed with [`max_pool2d`] when the layer has no padding, no
/// dilation and rounds its output size down.
pub fn max_pool2d_layer(layer: &MaxPool2d, x: Tensor<4>) -> Tensor<4> {
    let plain =
        layer.padding == PaddingConfig2d::Valid && layer.dilation == [1, 1] && !layer.ceil_mode;
    if plain {
        max_pool2d(x, layer.kernel_size, layer.stride)
    } else {
        layer.forward(x)
    }
}

/// True when the tensor lives on Flex, with or without autodiff.
fn on_flex(tensor: &DispatchTensor) -> bool {
    let kind = match &tensor.kind {
        DispatchTensorKind::Autodiff(inner) => inner.as_ref(),
        kind => kind,
    };
    matches!(kind, DispatchTensorKind::Flex(_))
}
