//! Kindling's kernels against Burn's on Flex, layer by layer, for the three
//! convolutions and two max poolings of the course's baseline CNN: forward alone, and
//! forward plus backward (every gradient the layer has in training).
//!
//! `cargo xtask bench --conv` (set `RAYON_NUM_THREADS` to choose the threads). The two
//! are run alternately, best of several rounds, and the figure to read is the ratio,
//! Burn's time over Kindling's: above 1 means Kindling is faster.

use std::time::{Duration, Instant};

use kindling::burn;
use kindling::burn::prelude::*;
use kindling::burn::tensor::Distribution;
use kindling::burn::tensor::ops::{ConvOptions, MaxPoolOptions};

const BATCH: usize = 32;
const ROUNDS: usize = 5;
const REPEATS: usize = 20;

/// One layer of the baseline CNN, with the shapes it sees at batch 32.
enum Layer {
    /// A 3x3 convolution: input shape, weight shape, whether the input needs a gradient.
    Conv([usize; 4], [usize; 4], bool),
    /// A 2x2 max pooling of this input shape.
    Pool([usize; 4]),
}

const LAYERS: [(&str, Layer); 5] = [
    (
        "conv2d_1",
        Layer::Conv([BATCH, 3, 32, 32], [32, 3, 3, 3], false),
    ),
    ("pool_1", Layer::Pool([BATCH, 32, 30, 30])),
    (
        "conv2d_2",
        Layer::Conv([BATCH, 32, 15, 15], [64, 32, 3, 3], true),
    ),
    ("pool_2", Layer::Pool([BATCH, 64, 13, 13])),
    (
        "conv2d_3",
        Layer::Conv([BATCH, 64, 6, 6], [64, 64, 3, 3], true),
    ),
];

/// A layer's tensors: the input, and the weight and bias of a convolution.
struct Inputs {
    x: Tensor<4>,
    params: Option<(Tensor<4>, Tensor<1>)>,
    input_grad: bool,
}

impl Inputs {
    fn new(layer: &Layer, device: &Device) -> Self {
        let normal = Distribution::Normal(0.0, 1.0);
        match *layer {
            Layer::Conv(input, weight, input_grad) => {
                let x = Tensor::<4>::random(input, normal, device);
                Inputs {
                    x: if input_grad { x.require_grad() } else { x },
                    params: Some((
                        Tensor::<4>::random(weight, normal, device).require_grad(),
                        Tensor::<1>::random([weight[0]], normal, device).require_grad(),
                    )),
                    input_grad,
                }
            }
            Layer::Pool(input) => Inputs {
                x: Tensor::<4>::random(input, normal, device).require_grad(),
                params: None,
                input_grad: true,
            },
        }
    }

    fn forward(&self, ours: bool) -> Tensor<4> {
        let x = self.x.clone();
        match &self.params {
            Some((weight, bias)) => {
                let options = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
                let (weight, bias) = (weight.clone(), bias.clone());
                if ours {
                    kindling::kernels::conv2d(x, weight, bias, options)
                } else {
                    burn::tensor::module::conv2d(x, weight, Some(bias), options)
                }
            }
            None if ours => kindling::kernels::max_pool2d(x, [2, 2], [2, 2]),
            None => burn::tensor::module::max_pool2d(x, MaxPoolOptions::new([2, 2])),
        }
    }
}

/// Time of `REPEATS` passes; `backward` adds the gradients.
fn time(inputs: &Inputs, ours: bool, backward: bool) -> Duration {
    let start = Instant::now();
    for _ in 0..REPEATS {
        let out = inputs.forward(ours);
        if !backward {
            let _ = out.into_data();
            continue;
        }
        let grads = out.sum().backward();
        if let Some((weight, _)) = &inputs.params {
            let _ = weight.grad(&grads).expect("weight gradient").into_data();
        }
        if inputs.input_grad {
            let _ = inputs.x.grad(&grads).expect("input gradient").into_data();
        }
    }
    start.elapsed()
}

/// Prints the table.
pub fn run() {
    let device = Device::flex().autodiff();
    device.seed(1);
    println!(
        "Kindling's kernels vs Burn's on Flex, batch {BATCH}, best of {ROUNDS} alternating rounds of {REPEATS} passes, RAYON_NUM_THREADS={}",
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "(all cores)".into())
    );
    println!(
        "{:<9} {:<18} {:>12} {:>12} {:>8}",
        "layer", "pass", "Burn ms", "Kindling ms", "ratio"
    );
    for (name, layer) in &LAYERS {
        let inputs = Inputs::new(layer, &device);
        for (pass, backward) in [("forward", false), ("forward+backward", true)] {
            let (mut burn, mut ours) = (Duration::MAX, Duration::MAX);
            for _ in 0..ROUNDS {
                burn = burn.min(time(&inputs, false, backward));
                ours = ours.min(time(&inputs, true, backward));
            }
            let ms = |d: Duration| d.as_secs_f64() * 1e3 / REPEATS as f64;
            println!(
                "{name:<9} {pass:<18} {:>12.3} {:>12.3} {:>8.2}",
                ms(burn),
                ms(ours),
                burn.as_secs_f64() / ours.as_secs_f64()
            );
        }
    }
}
