//! A 2-D convolution and its three gradients on plain NCHW `f32` slices.
//!
//! Each is im2col plus one matrix product per image, with `W` the weights as a
//! `channels_out x patch_len` matrix, `X` an image's patch matrix and `G` the gradient of
//! one output image (`channels_out x output_plane`):
//! - output: `W X` (+ bias);
//! - input gradient: `col2im(Wᵀ G)`;
//! - weight gradient: the sum over images of `G Xᵀ`;
//! - bias gradient: the sum of `G` over images and positions.
//!
//! Images are spread over Rayon's threads. The weight gradient is summed in groups of
//! [`IMAGES_PER_PARTIAL`] images, in a fixed order, so the result does not depend on
//! how many threads ran it.

use rayon::prelude::*;

use crate::geometry::ConvGeometry;
use crate::im2col::{col2im_add, im2col};
use crate::matmul::{Matrix, matmul};

/// Images whose weight gradients one task sums before the partial sums are added up.
pub const IMAGES_PER_PARTIAL: usize = 8;

fn check_sizes(
    g: &ConvGeometry,
    input: Option<&[f32]>,
    weight: Option<&[f32]>,
    out: Option<&[f32]>,
) {
    if let Some(input) = input {
        assert_eq!(input.len(), g.batch * g.input_image(), "conv2d: input size");
    }
    if let Some(weight) = weight {
        assert_eq!(weight.len(), g.weight_len(), "conv2d: weight size");
    }
    if let Some(out) = out {
        assert_eq!(out.len(), g.batch * g.output_image(), "conv2d: output size");
    }
}

fn patch_buffer(g: &ConvGeometry) -> Vec<f32> {
    vec![0.0; g.patch_len() * g.output_plane()]
}

/// The convolution of `input` with `weight`, plus `bias` per output channel.
pub fn forward(input: &[f32], weight: &[f32], bias: Option<&[f32]>, g: &ConvGeometry) -> Vec<f32> {
    check_sizes(g, Some(input), Some(weight), None);
    if let Some(bias) = bias {
        assert_eq!(bias.len(), g.channels_out, "conv2d: bias size");
    }
    let mut output = vec![0.0; g.batch * g.output_image()];
    if output.is_empty() {
        return output;
    }
    let weights = Matrix::row_major(weight, g.channels_out, g.patch_len());
    output
        .par_chunks_mut(g.output_image())
        .zip(input.par_chunks(g.input_image()))
        .for_each_init(
            || patch_buffer(g),
            |cols, (out, image)| {
                im2col(image, g, cols);
                if let Some(bias) = bias {
                    for (plane, b) in out.chunks_exact_mut(g.output_plane()).zip(bias) {
                        plane.fill(*b);
                    }
                }
                let patches = Matrix::row_major(cols, g.patch_len(), g.output_plane());
                matmul(out, weights, patches, bias.is_some());
            },
        );
    output
}

/// The gradient of the loss with respect to `input`, given its gradient with respect to
/// the output.
pub fn input_grad(weight: &[f32], output_grad: &[f32], g: &ConvGeometry) -> Vec<f32> {
    check_sizes(g, None, Some(weight), Some(output_grad));
    let mut input_grad = vec![0.0; g.batch * g.input_image()];
    if input_grad.is_empty() || g.output_image() == 0 {
        return input_grad;
    }
    let weights_t = Matrix::row_major(weight, g.channels_out, g.patch_len()).t();
    input_grad
        .par_chunks_mut(g.input_image())
        .zip(output_grad.par_chunks(g.output_image()))
        .for_each_init(
            || patch_buffer(g),
            |cols, (image_grad, out_grad)| {
                let grad = Matrix::row_major(out_grad, g.channels_out, g.output_plane());
                matmul(cols, weights_t, grad, false);
                col2im_add(cols, g, image_grad);
            },
        );
    input_grad
}

/// The gradient of the loss with respect to `weight` (`channels_out x channels_in x
/// kernel_h x kernel_w`).
pub fn weight_grad(input: &[f32], output_grad: &[f32], g: &ConvGeometry) -> Vec<f32> {
    check_sizes(g, Some(input), None, Some(output_grad));
    let groups = g.batch.div_ceil(IMAGES_PER_PARTIAL);
    let partials: Vec<Vec<f32>> = (0..groups)
        .into_par_iter()
        .map(|group| {
            let mut partial = vec![0.0; g.weight_len()];
            let mut cols = patch_buffer(g);
            let images =
                group * IMAGES_PER_PARTIAL..((group + 1) * IMAGES_PER_PARTIAL).min(g.batch);
            for (nth, n) in images.enumerate() {
                let image = &input[n * g.input_image()..(n + 1) * g.input_image()];
                let out_grad = &output_grad[n * g.output_image()..(n + 1) * g.output_image()];
                im2col(image, g, &mut cols);
                let grad = Matrix::row_major(out_grad, g.channels_out, g.output_plane());
                let patches = Matrix::row_major(&cols, g.patch_len(), g.output_plane());
                matmul(&mut partial, grad, patches.t(), nth > 0);
            }
            partial
        })
        .collect();
    let mut total = vec![0.0; g.weight_len()];
    for partial in &partials {
        for (sum, value) in total.iter_mut().zip(partial) {
            *sum += *value;
        }
    }
    total
}

/// The gradient of the loss with respect to the bias: one sum per output channel.
pub fn bias_grad(output_grad: &[f32], g: &ConvGeometry) -> Vec<f32> {
    check_sizes(g, None, None, Some(output_grad));
    let mut sums = vec![0.0; g.channels_out];
    if g.output_plane() == 0 {
        return sums;
    }
    for image in output_grad.chunks_exact(g.output_image()) {
        for (sum, plane) in sums.iter_mut().zip(image.chunks_exact(g.output_plane())) {
            *sum += lane_sum(plane);
        }
    }
    sums
}

/// A sum kept in 16 running lanes, which the compiler turns into vector adds (a plain
/// left-to-right float sum cannot be reordered, so it stays one add at a time).
fn lane_sum(values: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut lanes = [0.0f32; LANES];
    let mut chunks = values.chunks_exact(LANES);
    for chunk in &mut chunks {
        for (lane, value) in lanes.iter_mut().zip(chunk) {
            *lane += *value;
        }
    }
    lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}
