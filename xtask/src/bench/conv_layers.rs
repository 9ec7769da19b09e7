//! Kindling's convolution against Burn's on Flex, layer by layer, for the three
//! convolutions of the course's baseline CNN: forward alone, and forward plus backward
//! (input, weight and bias gradients).
//!
//! `cargo xtask bench --conv` (set `RAYON_NUM_THREADS` to choose the threads). The two
//! are run alternately, best of several rounds, and the figure to read is the ratio,
//! Burn's time over Kindling's: above 1 means Kindling is faster.

use std::time::{Duration, Instant};

use kindling::burn;
use kindling::burn::prelude::*;
use kindling::burn::tensor::Distribution;
use kindling::burn::tensor::ops::ConvOptions;

const BATCH: usize = 32;
const ROUNDS: usize = 5;
const REPEATS: usize = 20;

/// The baseline CNN's convolutions: (name, input shape, weight shape, input needs a gradient).
const LAYERS: [(&str, [usize; 4], [usize; 4], bool); 3] = [
    ("conv2d_1", [BATCH, 3, 32, 32], [32, 3, 3, 3], false),
    ("conv2d_2", [BATCH, 32, 15, 15], [64, 32, 3, 3], true),
    ("conv2d_3", [BATCH, 64, 6, 6], [64, 64, 3, 3], true),
];

struct Inputs {
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Tensor<1>,
    input_grad: bool,
}

fn conv(inputs: &Inputs, ours: bool) -> Tensor<4> {
    let options = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
    let (x, weight, bias) = (inputs.x.clone(), inputs.weight.clone(), inputs.bias.clone());
    if ours {
        kindling::kernels::conv2d(x, weight, bias, options)
    } else {
        burn::tensor::module::conv2d(x, weight, Some(bias), options)
    }
}

/// Seconds for `REPEATS` passes; `backward` adds the gradients.
fn time(inputs: &Inputs, ours: bool, backward: bool) -> Duration {
    let start = Instant::now();
    for _ in 0..REPEATS {
        let out = conv(inputs, ours);
        if backward {
            let grads = out.sum().backward();
            let _ = inputs
                .weight
                .grad(&grads)
                .expect("weight gradient")
                .into_data();
            if inputs.input_grad {
                let _ = inputs.x.grad(&grads).expect("input gradient").into_data();
            }
        } else {
            let _ = out.into_data();
        }
    }
    start.elapsed()
}

/// Prints the table.
pub fn run() {
    let device = Device::flex().autodiff();
    device.seed(1);
    println!(
        "Kindling conv2d vs Burn's on Flex, batch {BATCH}, best of {ROUNDS} alternating rounds of {REPEATS} passes, RAYON_NUM_THREADS={}",
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "(all cores)".into())
    );
    println!(
        "{:<9} {:<18} {:>12} {:>12} {:>8}",
        "layer", "pass", "Burn ms", "Kindling ms", "ratio"
    );
    for (name, input, weight, input_grad) in LAYERS {
        let normal = Distribution::Normal(0.0, 1.0);
        let x = Tensor::<4>::random(input, normal, &device);
        let inputs = Inputs {
            x: if input_grad { x.require_grad() } else { x },
            weight: Tensor::<4>::random(weight, normal, &device).require_grad(),
            bias: Tensor::<1>::random([weight[0]], normal, &device).require_grad(),
            input_grad,
        };
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
