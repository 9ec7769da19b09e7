//! Max pooling as a Burn backend extension: Flex runs [`crate::max_pool2d`]'s kernels,
//! and `Autodiff<Flex>` keeps each output's source position for the backward step.
//!
//! Burn's Flex max pooling goes through its 3-D pooling with 64-bit indices and a scalar
//! scatter for the gradient; for the small windows of a CNN these kernels are plainer.

use std::sync::Arc;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::ModuleOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::tensor::DType;

use crate::flex_tensor::{contiguous, flex_tensor, values};
use crate::max_pool2d::{self, PoolGeometry};

/// 2-D max pooling without padding or dilation, as an operation a backend can provide.
#[backend_extension(Flex, Autodiff)]
pub trait PlainMaxPool2d: Backend {
    /// Pools `x` (`[batch, channels, h, w]`) with `kernel`-sized windows every `stride`.
    fn plain_max_pool2d(
        x: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Self>;
}

fn geometry_of(x: &FlexTensor, kernel: [usize; 2], stride: [usize; 2]) -> Option<PoolGeometry> {
    let &[n, c, h, w] = &*x.shape() else {
        return None;
    };
    PoolGeometry::new([n, c, h, w], kernel, stride).filter(|_| x.dtype() == DType::F32)
}

fn burn_max_pool2d(x: FlexTensor, kernel: [usize; 2], stride: [usize; 2]) -> FlexTensor {
    Flex::max_pool2d(x, kernel, stride, [0, 0], [1, 1], false)
}

/// Pools on Flex with the kernels, for a geometry [`geometry_of`] accepted, and where each
/// output came from.
fn pool(x: FlexTensor, g: &PoolGeometry) -> (FlexTensor, Arc<Vec<u32>>) {
    let shape = x.shape();
    let x = contiguous(x);
    let (pooled, positions) = max_pool2d::forward(&values(&x), g);
    let out = flex_tensor(pooled, &[shape[0], shape[1], g.output[0], g.output[1]]);
    (out, Arc::new(positions))
}

impl PlainMaxPool2d for Flex {
    fn plain_max_pool2d(x: FlexTensor, kernel: [usize; 2], stride: [usize; 2]) -> FlexTensor {
        match geometry_of(&x, kernel, stride) {
            Some(g) => pool(x, &g).0,
            None => burn_max_pool2d(x, kernel, stride),
        }
    }
}

#[derive(Debug)]
struct PlainMaxPool2dBackward;

impl Backward<Flex, 1> for PlainMaxPool2dBackward {
    /// The input's shape, its geometry and where each output came from.
    type State = (Vec<usize>, PoolGeometry, Arc<Vec<u32>>);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let out_grad = contiguous(grads.consume::<Flex>(&ops.node));
        let (shape, g, positions) = ops.state;
        if let Some(node) = node_x {
            let grad = max_pool2d::backward(&values(&out_grad), &positions, &g);
            grads.register::<Flex>(node.id, flex_tensor(grad, &shape));
        }
    }
}

impl<C: CheckpointStrategy> PlainMaxPool2d for Autodiff<Flex, C> {
    fn plain_max_pool2d(
        x: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
    ) -> FloatTensor<Self> {
        let Some(g) = geometry_of(x.primitive(), kernel, stride) else {
            return Self::max_pool2d(x, kernel, stride, [0, 0], [1, 1], false);
        };
        match PlainMaxPool2dBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let shape = x.primitive().shape().to_vec();
                let (out, positions) = pool(x.into_primitive(), &g);
                prep.finish((shape, g, positions), out)
            }
            OpsKind::UnTracked(prep) => prep.finish(pool(x.into_primitive(), &g).0),
        }
    }
}
