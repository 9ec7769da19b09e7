//! Kindling's convolution against Burn's own on Flex: the same output and the same three
//! gradients, to a relative 1e-4 of the largest value, over random shapes and options.

use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::ops::ConvOptions;
use kindling_data::seeded_rng;
use proptest::prelude::*;
use rand::RngExt;

/// Largest difference allowed, relative to the largest magnitude in Burn's result.
const RELATIVE_TOLERANCE: f32 = 1e-4;

#[derive(Debug, Clone)]
struct Case {
    input: [usize; 4],
    weight: [usize; 4],
    options: ConvOptions<2>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (1usize..5, 1usize..5, 3usize..11, 3usize..11),
        (1usize..6, 1usize..4, 1usize..4),
        (
            1usize..3,
            1usize..3,
            0usize..3,
            0usize..3,
            0usize..2,
            1usize..3,
        ),
    )
        .prop_map(
            |((n, c, h, w), (co, kh, kw), (sh, sw, ph, pw, pe, d))| Case {
                input: [n, c, h, w],
                weight: [co, c, kh, kw],
                options: ConvOptions::new_with_padding(
                    [sh, sw],
                    [(ph, ph + pe), (pw, pw)],
                    [d, 1],
                    1,
                ),
            },
        )
        .prop_filter("kernel fits", |case| {
            let [_, _, h, w] = case.input;
            let [_, _, kh, kw] = case.weight;
            let [(pt, pb), (pl, pr)] = case.options.padding;
            h + pt + pb > case.options.dilation[0] * (kh - 1) && w + pl + pr >= kw
        })
}

struct Outcome {
    output: TensorData,
    x_grad: TensorData,
    weight_grad: TensorData,
    bias_grad: TensorData,
}

/// Values in [-1, 1) from Kindling's seeded generator, so that tests running at the same
/// time cannot disturb each other's draws as Burn's process-wide generator would.
fn uniform(shape: &[usize], seed: u64) -> TensorData {
    let mut rng = seeded_rng(seed, 0);
    let values: Vec<f32> = (0..shape.iter().product::<usize>())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    TensorData::new(values, shape.to_vec())
}

/// Runs one convolution forward and backward with a fixed random output weighting, so
/// that every output position gets a different gradient.
fn run(case: &Case, seed: u64, ours: bool) -> Outcome {
    let device = Device::flex().autodiff();
    fn param<const D: usize>(shape: &[usize], seed: u64, device: &Device) -> Tensor<D> {
        Tensor::from_data(uniform(shape, seed), device).require_grad()
    }
    let x: Tensor<4> = param(&case.input, seed * 4, &device);
    let weight: Tensor<4> = param(&case.weight, seed * 4 + 1, &device);
    let bias: Tensor<1> = param(&case.weight[..1], seed * 4 + 2, &device);
    let output = if ours {
        kindling_kernels::conv2d(
            x.clone(),
            weight.clone(),
            bias.clone(),
            case.options.clone(),
        )
    } else {
        burn::tensor::module::conv2d(
            x.clone(),
            weight.clone(),
            Some(bias.clone()),
            case.options.clone(),
        )
    };
    let weighting = Tensor::<4>::from_data(uniform(&output.dims(), seed * 4 + 3), &device);
    let grads = (output.clone() * weighting).sum().backward();
    Outcome {
        output: output.into_data(),
        x_grad: x.grad(&grads).expect("x grad").into_data(),
        weight_grad: weight.grad(&grads).expect("weight grad").into_data(),
        bias_grad: bias.grad(&grads).expect("bias grad").into_data(),
    }
}

fn assert_close(what: &str, ours: &TensorData, burn: &TensorData) -> Result<(), TestCaseError> {
    prop_assert_eq!(ours.shape(), burn.shape(), "{} shape", what);
    let ours = ours.try_to_vec::<f32>().unwrap();
    let burn = burn.try_to_vec::<f32>().unwrap();
    let scale = burn.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    for (i, (a, b)) in ours.iter().zip(&burn).enumerate() {
        prop_assert!(
            (a - b).abs() <= RELATIVE_TOLERANCE * scale,
            "{} differs at {}: ours {} vs Burn {} (scale {})",
            what,
            i,
            a,
            b,
            scale
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn output_and_gradients_match_burns(case in case(), seed in 0u64..1000) {
        let ours = run(&case, seed, true);
        let burn = run(&case, seed, false);
        assert_close("output", &ours.output, &burn.output)?;
        assert_close("input gradient", &ours.x_grad, &burn.x_grad)?;
        assert_close("weight gradient", &ours.weight_grad, &burn.weight_grad)?;
        assert_close("bias gradient", &ours.bias_grad, &burn.bias_grad)?;
    }
}

#[test]
fn the_baseline_cnns_convolutions_match_burns() {
    // The three layers of the course's CNN, at batch 32.
    for (input, weight) in [
        ([32, 3, 32, 32], [32, 3, 3, 3]),
        ([32, 32, 15, 15], [64, 32, 3, 3]),
        ([32, 64, 6, 6], [64, 64, 3, 3]),
    ] {
        let case = Case {
            input,
            weight,
            options: ConvOptions::new([1, 1], [0, 0], [1, 1], 1),
        };
        let (ours, burn) = (run(&case, 7, true), run(&case, 7, false));
        assert_close("output", &ours.output, &burn.output).unwrap();
        assert_close("input gradient", &ours.x_grad, &burn.x_grad).unwrap();
        assert_close("weight gradient", &ours.weight_grad, &burn.weight_grad).unwrap();
        assert_close("bias gradient", &ours.bias_grad, &burn.bias_grad).unwrap();
    }
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    // 20 images: the weight gradient is summed in three partial groups.
    let case = Case {
        input: [20, 4, 9, 9],
        weight: [6, 4, 3, 3],
        options: ConvOptions::new([1, 1], [1, 1], [1, 1], 1),
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| run(&case, 3, true))
    };
    let (one, two) = (on(1), on(2));
    for (a, b) in [
        (&one.output, &two.output),
        (&one.x_grad, &two.x_grad),
        (&one.weight_grad, &two.weight_grad),
        (&one.bias_grad, &two.bias_grad),
    ] {
        assert_eq!(
            a.try_to_vec::<f32>().unwrap(),
            b.try_to_vec::<f32>().unwrap(),
            "bit-identical"
        );
    }
}

#[test]
fn grouped_convolutions_are_left_to_burn() {
    let case = Case {
        input: [2, 4, 6, 6],
        weight: [4, 2, 3, 3],
        options: ConvOptions::new([1, 1], [0, 0], [1, 1], 2),
    };
    let (ours, burn) = (run(&case, 1, true), run(&case, 1, false));
    assert_eq!(ours.output, burn.output);
    assert_eq!(ours.weight_grad, burn.weight_grad);
}

/// Max pooling of `input` (rounded to halves and clipped at zero, so that windows hold
/// ties, as they do after a ReLU) and its input gradient under a random weighting.
fn pool(
    input: [usize; 4],
    kernel: [usize; 2],
    stride: [usize; 2],
    seed: u64,
    ours: bool,
) -> (TensorData, TensorData) {
    let device = Device::flex().autodiff();
    let x = Tensor::<4>::from_data(uniform(&input, seed), &device);
    let x = (x * 2.0)
        .round()
        .div_scalar(2.0)
        .clamp_min(0.0)
        .detach()
        .require_grad();
    let output = if ours {
        kindling_kernels::max_pool2d(x.clone(), kernel, stride)
    } else {
        let options = burn::tensor::ops::MaxPoolOptions::new(kernel).with_stride(stride);
        burn::tensor::module::max_pool2d(x.clone(), options)
    };
    let weighting = Tensor::<4>::from_data(uniform(&output.dims(), seed + 1), &device);
    let grads = (output.clone() * weighting).sum().backward();
    (
        output.into_data(),
        x.grad(&grads).expect("x grad").into_data(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn max_pooling_and_its_gradient_match_burns(
        (n, c, h, w) in (1usize..4, 1usize..4, 2usize..10, 2usize..10),
        (kh, kw, sh, sw) in (1usize..3, 1usize..4, 1usize..3, 1usize..3),
        seed in 0u64..1000,
    ) {
        prop_assume!(kh <= h && kw <= w);
        let ours = pool([n, c, h, w], [kh, kw], [sh, sw], seed, true);
        let burn = pool([n, c, h, w], [kh, kw], [sh, sw], seed, false);
        // Same values, and each gradient at the same position: exactly equal.
        prop_assert_eq!(ours.0, burn.0);
        prop_assert_eq!(ours.1, burn.1);
    }
}
