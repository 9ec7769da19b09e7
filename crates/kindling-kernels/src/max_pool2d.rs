//! 2-D max pooling and its gradient on plain NCHW `f32` slices (no padding, no
//! dilation).
//!
//! Each output keeps the position of the input it took; the gradient flows back to that
//! position only. The first largest value in a window wins, and a NaN wins over any
//! number (so it propagates), as in PyTorch and Burn.

use rayon::prelude::*;

/// Shapes of one max pooling over `[batch, channels, h, w]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolGeometry {
    /// Images times channels: the number of planes pooled independently.
    pub planes: usize,
    /// Input height and width.
    pub input: [usize; 2],
    /// Window height and width.
    pub kernel: [usize; 2],
    /// Step between windows.
    pub stride: [usize; 2],
    /// Output height and width.
    pub output: [usize; 2],
}

impl PoolGeometry {
    /// The geometry of pooling `input` (`[batch, channels, h, w]`); `None` when the window
    /// is larger than the image or a size is zero.
    pub fn new(input: [usize; 4], kernel: [usize; 2], stride: [usize; 2]) -> Option<Self> {
        let [batch, channels, height, width] = input;
        let sizes = [
            batch, channels, height, width, kernel[0], kernel[1], stride[0], stride[1],
        ];
        if sizes.contains(&0) || kernel[0] > height || kernel[1] > width {
            return None;
        }
        Some(Self {
            planes: batch * channels,
            input: [height, width],
            kernel,
            stride,
            output: [
                (height - kernel[0]) / stride[0] + 1,
                (width - kernel[1]) / stride[1] + 1,
            ],
        })
    }

    fn input_plane(&self) -> usize {
        self.input[0] * self.input[1]
    }

    fn output_plane(&self) -> usize {
        self.output[0] * self.output[1]
    }
}

/// The pooled values and, for each, its position within its input plane.
pub fn forward(input: &[f32], g: &PoolGeometry) -> (Vec<f32>, Vec<u32>) {
    assert_eq!(
        input.len(),
        g.planes * g.input_plane(),
        "max_pool2d: input size"
    );
    assert!(
        g.input_plane() <= u32::MAX as usize,
        "max_pool2d: plane too large"
    );
    let mut values = vec![0.0; g.planes * g.output_plane()];
    let mut positions = vec![0u32; values.len()];
    let [out_h, out_w] = g.output;
    values
        .par_chunks_mut(g.output_plane())
        .zip(positions.par_chunks_mut(g.output_plane()))
        .zip(input.par_chunks(g.input_plane()))
        .for_each(|((values, positions), plane)| {
            for oy in 0..out_h {
                for ox in 0..out_w {
                    let (mut best, mut at) = (f32::NAN, usize::MAX);
                    for ky in 0..g.kernel[0] {
                        let row = (oy * g.stride[0] + ky) * g.input[1];
                        for kx in 0..g.kernel[1] {
                            let i = row + ox * g.stride[1] + kx;
                            let v = plane[i];
                            if at == usize::MAX || v > best || v.is_nan() {
                                (best, at) = (v, i);
                            }
                        }
                    }
                    values[oy * out_w + ox] = best;
                    positions[oy * out_w + ox] = at as u32;
                }
            }
        });
    (values, positions)
}

/// The gradient with respect to the input: each output's gradient added at the
/// position it was taken from.
pub fn backward(output_grad: &[f32], positions: &[u32], g: &PoolGeometry) -> Vec<f32> {
    assert_eq!(
        output_grad.len(),
        g.planes * g.output_plane(),
        "max_pool2d: gradient size"
    );
    assert_eq!(
        positions.len(),
        output_grad.len(),
        "max_pool2d: positions size"
    );
    let mut input_grad = vec![0.0; g.planes * g.input_plane()];
    input_grad
        .par_chunks_mut(g.input_plane())
        .zip(output_grad.par_chunks(g.output_plane()))
        .zip(positions.par_chunks(g.output_plane()))
        .for_each(|((plane_grad, grads), positions)| {
            for (grad, at) in grads.iter().zip(positions) {
                plane_grad[*at as usize] += *grad;
            }
        });
    input_grad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_windows_keep_the_first_largest_value() {
        // One 4x4 plane; windows of 2x2, stride 2.
        #[rustfmt::skip]
        let plane = [
            1., 5., 0., 0.,
            3., 5., 0., 0.,
            -1., -2., 7., 8.,
            -3., -4., 9., f32::NAN,
        ];
        let g = PoolGeometry::new([1, 1, 4, 4], [2, 2], [2, 2]).unwrap();
        let (values, positions) = forward(&plane, &g);
        assert_eq!(&values[..3], &[5., 0., -1.]);
        assert!(values[3].is_nan(), "NaN propagates");
        // The tie of 5s and the all-zero window go to the first position.
        assert_eq!(positions, [1, 2, 8, 15]);
        let grad = backward(&[1., 2., 3., 4.], &positions, &g);
        let mut expected = [0.0; 16];
        (expected[1], expected[2], expected[8], expected[15]) = (1., 2., 3., 4.);
        assert_eq!(grad, expected);
    }

    #[test]
    fn overlapping_windows_add_their_gradients() {
        // Width 3, window 2, stride 1: the middle maximum is taken twice.
        let g = PoolGeometry::new([1, 1, 1, 3], [1, 2], [1, 1]).unwrap();
        let (values, positions) = forward(&[0., 9., 1.], &g);
        assert_eq!((values, positions.clone()), (vec![9., 9.], vec![1, 1]));
        assert_eq!(backward(&[1., 2.], &positions, &g), [0., 3., 0.]);
    }
}
