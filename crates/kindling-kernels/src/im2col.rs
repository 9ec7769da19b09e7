//! Patches of one image as a matrix, and the way back.
//!
//! A convolution is a matrix product once every patch it reads is laid out as a column:
//! row `(channel, kernel_row, kernel_col)`, column `(out_row, out_col)`. The matrix is
//! `patch_len x output_plane`, row-major.

use crate::geometry::ConvGeometry;

/// For each kernel row and each kernel column, the outputs whose tap lands inside the
/// image (see [`ConvGeometry::valid_outputs`]); the same for every channel.
type TapRange = (usize, usize, usize);

fn tap_ranges(g: &ConvGeometry) -> (Vec<TapRange>, Vec<TapRange>) {
    let along = |axis: usize| {
        (0..g.kernel[axis])
            .map(|tap| g.valid_outputs(axis, tap))
            .collect()
    };
    (along(0), along(1))
}

/// Fills `cols` with the patches of one image (`channels_in x height x width`).
/// Taps that fall in the padding read zero.
pub fn im2col(image: &[f32], g: &ConvGeometry, cols: &mut [f32]) {
    assert_eq!(image.len(), g.input_image(), "im2col: image size");
    assert_eq!(
        cols.len(),
        g.patch_len() * g.output_plane(),
        "im2col: cols size"
    );
    let [out_h, out_w] = g.output;
    let mut rows = cols.chunks_exact_mut(g.output_plane());
    let (row_ranges, col_ranges) = tap_ranges(g);
    for channel in image.chunks_exact(g.input_plane()) {
        for &(row_first, row_end, iy_first) in &row_ranges {
            for &(col_first, col_end, ix_first) in &col_ranges {
                let row = rows.next().expect("one row per tap");
                for (oy, out_row) in row.chunks_exact_mut(out_w).enumerate().take(out_h) {
                    if oy < row_first || oy >= row_end || col_first >= col_end {
                        out_row.fill(0.0);
                        continue;
                    }
                    let iy = iy_first + (oy - row_first) * g.stride[0];
                    let source = &channel[iy * g.input[1]..(iy + 1) * g.input[1]];
                    out_row[..col_first].fill(0.0);
                    out_row[col_end..].fill(0.0);
                    let valid = &mut out_row[col_first..col_end];
                    if g.stride[1] == 1 {
                        valid.copy_from_slice(&source[ix_first..ix_first + valid.len()]);
                    } else {
                        let taps = source[ix_first..].iter().step_by(g.stride[1]);
                        for (value, tap) in valid.iter_mut().zip(taps) {
                            *value = *tap;
                        }
                    }
                }
            }
        }
    }
}

/// Adds every entry of `cols` onto the input pixel it was read from (the transpose of
/// [`im2col`]): this turns the gradient of the patch matrix into the gradient of the
/// image. Entries read from the padding are dropped.
pub fn col2im_add(cols: &[f32], g: &ConvGeometry, image: &mut [f32]) {
    assert_eq!(image.len(), g.input_image(), "col2im: image size");
    assert_eq!(
        cols.len(),
        g.patch_len() * g.output_plane(),
        "col2im: cols size"
    );
    let out_w = g.output[1];
    let mut rows = cols.chunks_exact(g.output_plane());
    let (row_ranges, col_ranges) = tap_ranges(g);
    for channel in image.chunks_exact_mut(g.input_plane()) {
        for &(row_first, row_end, iy_first) in &row_ranges {
            for &(col_first, col_end, ix_first) in &col_ranges {
                let row = rows.next().expect("one row per tap");
                if col_first >= col_end {
                    continue;
                }
                for oy in row_first..row_end {
                    let iy = iy_first + (oy - row_first) * g.stride[0];
                    let target = &mut channel[iy * g.input[1]..(iy + 1) * g.input[1]];
                    let valid = &row[oy * out_w + col_first..oy * out_w + col_end];
                    if g.stride[1] == 1 {
                        let target = &mut target[ix_first..ix_first + valid.len()];
                        for (pixel, value) in target.iter_mut().zip(valid) {
                            *pixel += *value;
                        }
                    } else {
                        let pixels = target[ix_first..].iter_mut().step_by(g.stride[1]);
                        for (pixel, value) in pixels.zip(valid) {
                            *pixel += *value;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(side: usize, kernel: usize, stride: usize, pad: usize) -> ConvGeometry {
        ConvGeometry::new(
            [1, 1, side, side],
            [1, 1, kernel, kernel],
            [stride, stride],
            [(pad, pad); 2],
            [1, 1],
        )
        .unwrap()
    }

    #[test]
    fn patches_of_a_3x3_image_with_a_2x2_kernel() {
        // 1 2 3
        // 4 5 6
        // 7 8 9
        let image: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let g = geometry(3, 2, 1, 0);
        let mut cols = vec![f32::NAN; 4 * 4];
        im2col(&image, &g, &mut cols);
        // Row per tap (0,0), (0,1), (1,0), (1,1); column per output (0,0) (0,1) (1,0) (1,1).
        assert_eq!(
            cols,
            [
                1., 2., 4., 5., //
                2., 3., 5., 6., //
                4., 5., 7., 8., //
                5., 6., 8., 9.,
            ]
        );
    }

    #[test]
    fn padding_reads_zero_and_stride_skips() {
        let image: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        // Padding 1, stride 2: outputs at input (-1,-1), (-1,1), (1,-1), (1,1) (top-left tap).
        let g = geometry(3, 3, 2, 1);
        assert_eq!(g.output, [2, 2]);
        let mut cols = vec![f32::NAN; 9 * 4];
        im2col(&image, &g, &mut cols);
        // Tap (0,0): reads (-1,-1) (-1,1) (1,-1) (1,1).
        assert_eq!(&cols[0..4], &[0., 0., 0., 5.]);
        // Tap (1,1), the centre: reads (0,0) (0,2) (2,0) (2,2).
        assert_eq!(&cols[16..20], &[1., 3., 7., 9.]);
        // Tap (2,2): reads (1,1) (1,3) (3,1) (3,3).
        assert_eq!(&cols[32..36], &[5., 0., 0., 0.]);
    }

    #[test]
    fn col2im_is_the_transpose_of_im2col() {
        // <im2col(x), c> == <x, col2im(c)> for any x and c.
        for (side, kernel, stride, pad) in [(5, 3, 1, 0), (5, 3, 2, 1), (6, 2, 2, 0), (4, 3, 1, 2)]
        {
            let g = geometry(side, kernel, stride, pad);
            let image: Vec<f32> = (0..g.input_image())
                .map(|v| (v as f32 * 0.37).sin())
                .collect();
            let c: Vec<f32> = (0..g.patch_len() * g.output_plane())
                .map(|v| (v as f32 * 0.91).cos())
                .collect();
            let mut cols = vec![0.0; c.len()];
            im2col(&image, &g, &mut cols);
            let forward: f32 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
            let mut back = vec![0.0; image.len()];
            col2im_add(&c, &g, &mut back);
            let backward: f32 = image.iter().zip(&back).map(|(a, b)| a * b).sum();
            assert!(
                (forward - backward).abs() < 1e-4,
                "side {side} kernel {kernel} stride {stride} pad {pad}: {forward} vs {backward}"
            );
        }
    }
}
