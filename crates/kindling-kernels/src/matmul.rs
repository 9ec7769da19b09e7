//! A bounds-checked matrix product over slices, on top of the `gemm` crate.

/// A read-only matrix over a slice: element `(r, c)` is `data[r * row_stride + c * col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct Matrix<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> Matrix<'a> {
    /// `rows x cols`, stored row after row.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert_eq!(data.len(), rows * cols, "matrix size");
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The same numbers read as the transpose; nothing is copied.
    pub fn t(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }
}

/// `dst = lhs x rhs`, or `dst += lhs x rhs` when `accumulate`; `dst` is row-major
/// `lhs.rows x rhs.cols`. Runs on the calling thread: the kernels parallelise over images.
pub fn matmul(dst: &mut [f32], lhs: Matrix, rhs: Matrix, accumulate: bool) {
    assert_eq!(lhs.cols, rhs.rows, "matmul: inner sizes differ");
    assert_eq!(dst.len(), lhs.rows * rhs.cols, "matmul: destination size");
    if dst.is_empty() {
        return;
    }
    if lhs.cols == 0 {
        if !accumulate {
            dst.fill(0.0);
        }
        return;
    }
    // The strides above address only inside each slice (checked by the constructors and
    // the size asserts), which is what gemm needs to read and write safely.
    unsafe {
        gemm::gemm(
            lhs.rows,
            rhs.cols,
            lhs.cols,
            dst.as_mut_ptr(),
            1,
            rhs.cols as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        out
    }

    #[test]
    fn products_and_transposes_match_the_schoolbook_product() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f32> = (0..m * k).map(|v| v as f32 * 0.5 - 4.0).collect();
        let b: Vec<f32> = (0..k * n).map(|v| (v as f32).sin()).collect();
        let expected = naive(&a, &b, m, k, n);
        let mut dst = vec![f32::NAN; m * n];
        matmul(
            &mut dst,
            Matrix::row_major(&a, m, k),
            Matrix::row_major(&b, k, n),
            false,
        );
        for (got, want) in dst.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
        // (b^T a^T)^T = a b: read both through transposes.
        let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
        let mut again = vec![1.0; m * n];
        matmul(
            &mut again,
            Matrix::row_major(&at, k, m).t(),
            Matrix::row_major(&b, k, n),
            true,
        );
        for (got, want) in again.iter().zip(&expected) {
            assert!(
                (got - (want + 1.0)).abs() < 1e-4,
                "accumulates onto dst: {got} vs {want}"
            );
        }
    }
}
