//! What every Kindling model offers: a forward pass from inputs to class scores.

use burn::module::Module;
use burn::prelude::*;

use crate::trace::Tracer;

/// A classifier over inputs of rank `D` (4 for image batches `[batch, 3, 32, 32]`,
/// 2 for feature rows `[batch, features]`).
pub trait Classifier<const D: usize>: Module {
    /// Class scores (logits) of shape `[batch, classes]`. Apply softmax to read
    /// them as probabilities.
    fn forward(&self, input: Tensor<D>) -> Tensor<2>;

    /// The same forward pass, reporting each layer to `tracer`.
    fn forward_traced<T: Tracer>(&self, input: Tensor<D>, tracer: &mut T) -> Tensor<2>;

    /// The shape of one input, without the batch dimension.
    fn input_shape(&self) -> [usize; D];

    /// A short name for summaries, such as `baseline_cnn`.
    fn name(&self) -> &'static str;
}
