//! Dropout with reproducible masks.
//!
//! While training, dropout zeroes each value with probability `prob` and scales the
//! rest by `1 / (1 - prob)`, so a layer cannot lean on any one input; outside training
//! it passes values through. Burn's own dropout draws its masks from the backend's
//! process-wide generator, so a run would depend on what else the process did and could
//! not be resumed exactly. Here every mask comes from Kindling's seeded generator, on a
//! stream fixed by the seed, the epoch, the batch and the layer: the training loop
//! names the batch with [`with_noise`], and a resumed run draws the same masks.

use std::cell::Cell;

use burn::prelude::*;
use burn::tensor::TensorData;
use kindling_data::seeded_rng;
use rand::RngExt;

/// Dropout whose masks come from Kindling's seeded streams (see the module docs).
#[derive(Module, Debug)]
pub struct SeededDropout {
    /// Chance that a value is zeroed while training, from 0 (never) to below 1.
    pub prob: f64,
}

impl SeededDropout {
    /// Dropout with probability `prob`.
    ///
    /// # Panics
    /// When `prob` is not in `[0, 1)`: check settings before building a model
    /// ([`check_dropout`]).
    pub fn new(prob: f64) -> Self {
        if let Err(message) = check_dropout(prob) {
            panic!("{message}");
        }
        SeededDropout { prob }
    }

    /// Zeroes and rescales while training (on an autodiff device); the identity otherwise.
    pub fn forward<const D: usize>(&self, input: Tensor<D>) -> Tensor<D> {
        if self.prob == 0.0 || !input.device().is_autodiff() {
            return input;
        }
        let shape = input.shape();
        let keep = 1.0 - self.prob;
        let scale = (1.0 / keep) as f32;
        let mut rng = next_stream();
        let mask: Vec<f32> = (0..shape.num_elements())
            .map(|_| {
                if rng.random::<f64>() < keep {
                    scale
                } else {
                    0.0
                }
            })
            .collect();
        let mask = Tensor::<D>::from_data(TensorData::new(mask, shape), &input.device());
        input * mask
    }
}

/// Checks a dropout probability, saying what is allowed.
pub fn check_dropout(prob: f64) -> Result<(), String> {
    if prob.is_finite() && (0.0..1.0).contains(&prob) {
        Ok(())
    } else {
        Err(format!(
            "dropout {prob} is out of range: it is the chance of zeroing a value, from 0 up to (not including) 1. Fix: use --dropout 0.3, or 0 for none"
        ))
    }
}

/// The batch whose masks are being drawn, and how many layers have drawn so far.
#[derive(Clone, Copy)]
struct NoiseScope {
    seed: u64,
    epoch: usize,
    batch: usize,
    draws: u64,
}

thread_local! {
    static SCOPE: Cell<NoiseScope> = const {
        Cell::new(NoiseScope { seed: 0, epoch: 0, batch: 0, draws: 0 })
    };
}

/// Runs `forward` with the dropout masks of batch `batch` of epoch `epoch` under `seed`:
/// the same three numbers always give the same masks, in any thread and after a resume.
/// Outside any scope, masks come from seed 0, epoch 0, batch 0, one stream per call.
pub fn with_noise<R>(seed: u64, epoch: usize, batch: usize, forward: impl FnOnce() -> R) -> R {
    let outer = SCOPE.with(|scope| {
        scope.replace(NoiseScope {
            seed,
            epoch,
            batch,
            draws: 0,
        })
    });
    let result = forward();
    SCOPE.with(|scope| scope.set(outer));
    result
}

/// The generator for the next dropout layer in the current scope.
fn next_stream() -> kindling_data::SeededRng {
    SCOPE.with(|cell| {
        let mut scope = cell.get();
        scope.draws += 1;
        cell.set(scope);
        seeded_rng(
            scope.seed,
            dropout_stream(scope.epoch, scope.batch, scope.draws),
        )
    })
}

/// The stream of the `draw`-th dropout layer of a batch; apart from every other stream
/// Kindling draws from (augmentation uses tag 2).
fn dropout_stream(epoch: usize, batch: usize, draw: u64) -> u64 {
    (3 << 60)
        | ((epoch as u64 & 0xf_ffff) << 40)
        | ((batch as u64 & 0xffff_ffff) << 8)
        | (draw & 0xff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
        tensor.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn outside_training_it_passes_values_through() {
        let device = Device::flex();
        let input = Tensor::<2>::ones([4, 50], &device);
        let output = SeededDropout::new(0.5).forward(input.clone());
        assert_eq!(values(output), values(input));
    }

    #[test]
    fn while_training_it_drops_about_prob_and_keeps_the_mean() {
        let device = Device::flex().autodiff();
        let input = Tensor::<2>::ones([100, 100], &device);
        let output = values(with_noise(7, 1, 1, || {
            SeededDropout::new(0.3).forward(input)
        }));
        let zeroed = output.iter().filter(|v| **v == 0.0).count() as f64 / 10_000.0;
        assert!((zeroed - 0.3).abs() < 0.02, "zeroed {zeroed}");
        let kept = output.iter().find(|v| **v != 0.0).unwrap();
        assert!((kept - 1.0 / 0.7).abs() < 1e-6);
        let mean = output.iter().map(|v| *v as f64).sum::<f64>() / 10_000.0;
        assert!((mean - 1.0).abs() < 0.05, "mean {mean}");
    }

    #[test]
    fn masks_repeat_for_the_same_batch_and_differ_between_batches_and_layers() {
        let device = Device::flex().autodiff();
        let input = || Tensor::<2>::ones([8, 64], &device);
        let layer = SeededDropout::new(0.5);
        let draw = |seed, epoch, batch| {
            with_noise(seed, epoch, batch, || {
                (
                    values(layer.forward(input())),
                    values(layer.forward(input())),
                )
            })
        };
        let (first, second) = draw(1, 2, 3);
        assert_eq!(draw(1, 2, 3), (first.clone(), second.clone()));
        assert_ne!(
            first, second,
            "two layers of one batch draw different masks"
        );
        assert_ne!(draw(1, 2, 4).0, first);
        assert_ne!(draw(1, 3, 3).0, first);
        assert_ne!(draw(2, 2, 3).0, first);
    }

    #[test]
    fn gradients_flow_only_through_kept_values() {
        let device = Device::flex().autodiff();
        let input = Tensor::<2>::ones([4, 32], &device).require_grad();
        let output = with_noise(5, 1, 1, || SeededDropout::new(0.5).forward(input.clone()));
        let kept = values(output.clone().inner());
        let grads = output.sum().backward();
        let grad = values(input.grad(&grads).unwrap());
        assert_eq!(grad, kept, "d(sum)/dx is the mask itself");
    }

    #[test]
    fn probabilities_out_of_range_are_refused_with_the_fix() {
        for prob in [-0.1, 1.0, f64::NAN] {
            let message = check_dropout(prob).unwrap_err();
            assert!(message.contains("Fix: use --dropout"), "{message}");
        }
        assert!(check_dropout(0.0).is_ok() && check_dropout(0.5).is_ok());
    }
}
