//! Watching a forward pass layer by layer, so a summary reports what the model
//! really does instead of what someone wrote down about it.

use burn::prelude::*;

/// Receives each layer's output during a traced forward pass.
pub trait Tracer {
    /// Called after each layer with its name, its type, its parameter count and its
    /// output; returns the output unchanged.
    fn layer<const D: usize>(
        &mut self,
        name: &str,
        kind: &str,
        params: usize,
        output: Tensor<D>,
    ) -> Tensor<D>;
}

/// The tracer of an ordinary forward pass: records nothing, costs nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn layer<const D: usize>(
        &mut self,
        _: &str,
        _: &str,
        _: usize,
        output: Tensor<D>,
    ) -> Tensor<D> {
        output
    }
}

/// One row of a model summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRecord {
    /// Layer name, such as `conv2d_1`.
    pub name: String,
    /// Layer type, such as `Conv2D`.
    pub kind: String,
    /// Output shape with the batch dimension left out.
    pub output_shape: Vec<usize>,
    /// Number of trainable numbers in the layer.
    pub params: usize,
}

/// A tracer that records every layer.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// The layers seen so far, in order.
    pub layers: Vec<LayerRecord>,
}

impl Tracer for Recorder {
    fn layer<const D: usize>(
        &mut self,
        name: &str,
        kind: &str,
        params: usize,
        output: Tensor<D>,
    ) -> Tensor<D> {
        self.layers.push(LayerRecord {
            name: name.to_string(),
            kind: kind.to_string(),
            output_shape: output.dims()[1..].to_vec(),
            params,
        });
        output
    }
}
