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
            if g.kernel == [2, 2] && g.stride == [2, 2] {
                return pool_2x2(plane, g, values, positions);
            }
            for oy in 0..out_h {
                let rows =
                    (oy * g.stride[0]..oy * g.stride[0] + g.kernel[0]).map(|iy| iy * g.input[1]);
                let out_row = oy * out_w..(oy + 1) * out_w;
                let outputs = values[out_row.clone()]
                    .iter_mut()
                    .zip(&mut positions[out_row]);
                for (ox, (value, position)) in outputs.enumerate() {
                    let first = rows.clone().next().expect("a window has rows") + ox * g.stride[1];
                    let mut best = (plane[first], first as u32);
                    for row in rows.clone() {
                        let start = row + ox * g.stride[1];
                        for (i, v) in plane[start..start + g.kernel[1]].iter().enumerate() {
                            best = keep_larger(best, *v, (start + i) as u32);
                        }
                    }
                    (*value, *position) = best;
                }
            }
        });
    (values, positions)
}

/// The CNN's usual pooling, 2x2 windows every 2 pixels, with the window unrolled.
fn pool_2x2(plane: &[f32], g: &PoolGeometry, values: &mut [f32], positions: &mut [u32]) {
    let width = g.input[1];
    let out_w = g.output[1];
    let rows = values
        .chunks_exact_mut(out_w)
        .zip(positions.chunks_exact_mut(out_w));
    for (oy, (values, positions)) in rows.enumerate() {
        let top_start = 2 * oy * width;
        let top = plane[top_start..top_start + width].chunks_exact(2);
        let bottom = plane[top_start + width..top_start + 2 * width].chunks_exact(2);
        let outputs = values.iter_mut().zip(positions.iter_mut());
        for (ox, ((top, bottom), (value, position))) in top.zip(bottom).zip(outputs).enumerate() {
            let at = (top_start + 2 * ox) as u32;
            let below = at + width as u32;
            let mut best = (top[0], at);
            best = keep_larger(best, top[1], at + 1);
            best = keep_larger(best, bottom[0], below);
            best = keep_larger(best, bottom[1], below + 1);
            (*value, *position) = best;
        }
    }
}

/// The window's winner so far against the value `v` at `i`: a larger value or a NaN
/// takes over, so the first largest wins and the last NaN.
#[inline(always)]
fn keep_larger(best: (f32, u32), v: f32, i: u32) -> (f32, u32) {
    // Chosen with a bit mask, not a branch: which value wins is a coin toss on real
    // data, and the mispredicted branches made this loop several times slower.
    let take = ((v > best.0) | v.is_nan()) as u32;
    let mask = 0u32.wrapping_sub(take);
    let value = (v.to_bits() & mask) | (best.0.to_bits() & !mask);
    (f32::from_bits(value), (i & mask) | (best.1 & !mask))
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
