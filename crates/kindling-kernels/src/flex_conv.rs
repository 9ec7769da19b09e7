//! The convolution as a Burn backend extension: Flex runs [`crate::conv2d`]'s kernels,
//! and `Autodiff<Flex>` records a backward step that runs their gradients.
//!
//! Burn's own Flex convolution computes the weight gradient as a convolution with batch
//! and channels swapped and the input gradient as a transposed convolution; both are
//! slow shapes for a CPU. Here each is one matrix product per image.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::{ConvOptions, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::tensor::DType;

use crate::conv2d;
use crate::flex_tensor::{contiguous, flex_tensor, values};
use crate::geometry::ConvGeometry;

/// A 2-D convolution with a bias, as an operation a backend can provide.
#[backend_extension(Flex, Autodiff)]
pub trait GemmConv2d: Backend {
    /// `x` `[batch, channels_in, h, w]`, `weight` `[channels_out, channels_in, kh, kw]`,
    /// `bias` `[channels_out]`; one group.
    fn gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        options: ConvOptions<2>,
    ) -> FloatTensor<Self>;
}

/// The geometry of a convolution these kernels run: `f32` tensors, one group, shapes
/// that fit. Anything else goes to Burn's own convolution.
pub(crate) fn geometry_of(
    x_shape: &[usize],
    w_shape: &[usize],
    options: &ConvOptions<2>,
) -> Option<ConvGeometry> {
    let (&[n, c, h, w], &[co, ci, kh, kw]) = (x_shape, w_shape) else {
        return None;
    };
    let g = ConvGeometry::new(
        [n, c, h, w],
        [co, ci, kh, kw],
        options.stride,
        options.padding,
        options.dilation,
    )?;
    let sizes = [n, c, h, w, co, kh, kw];
    (options.groups == 1 && !sizes.contains(&0)).then_some(g)
}

/// The geometry when these kernels take the convolution: `f32` tensors of shapes they
/// cover.
fn supported(
    x: &FlexTensor,
    weight: &FlexTensor,
    bias: &FlexTensor,
    options: &ConvOptions<2>,
) -> Option<ConvGeometry> {
    let f32s = [x, weight, bias].iter().all(|t| t.dtype() == DType::F32);
    geometry_of(&x.shape(), &weight.shape(), options).filter(|_| f32s)
}

/// The forward pass on Flex, for a geometry [`supported`] accepted.
fn forward(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, g: &ConvGeometry) -> FlexTensor {
    let (x, weight, bias) = (contiguous(x), contiguous(weight), contiguous(bias));
    let out = conv2d::forward(&values(&x), &values(&weight), Some(&values(&bias)), g);
    flex_tensor(out, &g.output_shape())
}

impl GemmConv2d for Flex {
    fn gemm_conv2d(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        options: ConvOptions<2>,
    ) -> FlexTensor {
        match supported(&x, &weight, &bias, &options) {
            Some(g) => forward(x, weight, bias, &g),
            None => Flex::conv2d(x, weight, Some(bias), options),
        }
    }
}

/// The backward step: which inputs it needs again, and the geometry.
#[derive(Debug)]
struct GemmConv2dBackward;

impl Backward<Flex, 3> for GemmConv2dBackward {
    type State = (NodeId, NodeId, ConvOptions<2>);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let out_grad = contiguous(grads.consume::<Flex>(&ops.node));
        let (x_state, weight_state, options) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x_state);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight_state);
        let g = geometry_of(&x.shape(), &weight.shape(), &options)
            .expect("the forward pass checked the geometry");
        let out_grad_values = values(&out_grad);
        if let Some(node) = node_x {
            let weight = contiguous(weight.clone());
            let grad = conv2d::input_grad(&values(&weight), &out_grad_values, &g);
            grads.register::<Flex>(
                node.id,
                flex_tensor(grad, &[g.batch, g.channels_in, g.input[0], g.input[1]]),
            );
        }
        if let Some(node) = node_weight {
            let x = contiguous(x);
            let grad = conv2d::weight_grad(&values(&x), &out_grad_values, &g);
            grads.register::<Flex>(node.id, flex_tensor(grad, &weight.shape()));
        }
        if let Some(node) = node_bias {
            let grad = conv2d::bias_grad(&out_grad_values, &g);
            grads.register::<Flex>(node.id, flex_tensor(grad, &[g.channels_out]));
        }
    }
}

impl<C: CheckpointStrategy> GemmConv2d for Autodiff<Flex, C> {
    fn gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        options: ConvOptions<2>,
    ) -> FloatTensor<Self> {
        let Some(g) = supported(
            x.primitive(),
            weight.primitive(),
            bias.primitive(),
            &options,
        ) else {
            return Self::conv2d(x, weight, Some(bias), options);
        };
        match GemmConv2dBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let weight_state = prep.checkpoint(&weight);
                let output = forward(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                    &g,
                );
                prep.finish((x_state, weight_state, options), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(forward(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                &g,
            )),
        }
    }
}
