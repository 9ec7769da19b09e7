//! Measuring a model on data without training it.

use burn::nn::loss::CrossEntropyLoss;
use burn::prelude::*;
use burn::tensor::activation::softmax;

use kindling_data::sequential_batches;
use kindling_models::Classifier;

use crate::data::ClassificationData;

/// Batch size for evaluation: larger than training batches is faster, and the
/// results do not depend on it beyond float rounding.
pub const EVAL_BATCH_SIZE: usize = 256;

/// Loss and accuracy of a model over a whole dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy loss per example.
    pub loss: f64,
    /// Share of examples whose highest score is the right class.
    pub accuracy: f64,
    /// Number of examples.
    pub examples: usize,
}

/// Runs `model` over every example of `data` on `device` (which should not track
/// gradients: pass `model.valid()` and a plain device).
pub fn evaluate<M, T, const D: usize>(model: &M, data: &T, device: &Device) -> Evaluation
where
    M: Classifier<D>,
    T: ClassificationData<D> + ?Sized,
{
    let loss_fn = CrossEntropyLoss::new(None, device);
    let mut loss_sum = 0.0;
    let mut correct = 0i64;
    for indices in sequential_batches(data.len(), EVAL_BATCH_SIZE) {
        let (inputs, targets) = data.batch(&indices, device);
        let logits = model.forward(inputs);
        let loss = loss_fn.forward(logits.clone(), targets.clone());
        loss_sum += loss.into_scalar::<f32>() as f64 * indices.len() as f64;
        correct += count_correct(logits, targets);
    }
    let examples = data.len();
    Evaluation {
        loss: loss_sum / examples.max(1) as f64,
        accuracy: correct as f64 / examples.max(1) as f64,
        examples,
    }
}

/// Class probabilities (softmax of the scores) for every example, one row each.
pub fn predict_proba<M, T, const D: usize>(model: &M, data: &T, device: &Device) -> Vec<Vec<f32>>
where
    M: Classifier<D>,
    T: ClassificationData<D> + ?Sized,
{
    let mut rows = Vec::with_capacity(data.len());
    for indices in sequential_batches(data.len(), EVAL_BATCH_SIZE) {
        let (inputs, _) = data.batch(&indices, device);
        let probabilities = softmax(model.forward(inputs), 1);
        let [_, classes] = probabilities.dims();
        let flat: Vec<f32> = probabilities
            .into_data()
            .try_into_vec_as()
            .expect("probabilities are floats");
        rows.extend(flat.chunks(classes).map(<[f32]>::to_vec));
    }
    rows
}

/// How many rows of `logits` have their highest score at the target class.
pub fn count_correct(logits: Tensor<2>, targets: Tensor<1, Int>) -> i64 {
    let predicted: Tensor<1, Int> = logits.argmax(1).squeeze_dim(1);
    predicted.equal(targets).int().sum().into_scalar::<i64>()
}
