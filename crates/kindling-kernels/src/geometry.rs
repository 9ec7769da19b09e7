//! The sizes of one 2-D convolution, worked out once and shared by every kernel.

/// Shapes and options of a 2-D convolution over NCHW tensors with one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Images in the batch.
    pub batch: usize,
    /// Channels of each input image.
    pub channels_in: usize,
    /// Input height and width.
    pub input: [usize; 2],
    /// Filters, which are the output channels.
    pub channels_out: usize,
    /// Kernel height and width.
    pub kernel: [usize; 2],
    /// Step between neighbouring output positions.
    pub stride: [usize; 2],
    /// Zero rows and columns added before the image (top, left).
    pub padding_begin: [usize; 2],
    /// Spacing between kernel taps.
    pub dilation: [usize; 2],
    /// Output height and width.
    pub output: [usize; 2],
}

impl ConvGeometry {
    /// The geometry of convolving `input` (`[batch, channels_in, height, width]`) with
    /// `weight` (`[channels_out, channels_in, kernel_h, kernel_w]`), padded with
    /// `padding` rows/columns (begin, end) per spatial dimension.
    ///
    /// Returns `None` when the shapes do not fit together (channel counts differ or the
    /// kernel is larger than the padded image).
    pub fn new(
        input: [usize; 4],
        weight: [usize; 4],
        stride: [usize; 2],
        padding: [(usize, usize); 2],
        dilation: [usize; 2],
    ) -> Option<Self> {
        let [batch, channels_in, height, width] = input;
        let [channels_out, weight_channels, kernel_h, kernel_w] = weight;
        if weight_channels != channels_in || stride.contains(&0) || dilation.contains(&0) {
            return None;
        }
        let out = |size: usize, (begin, end): (usize, usize), kernel: usize, s: usize, d: usize| {
            let reach = d * (kernel.checked_sub(1)?) + 1;
            let padded = size + begin + end;
            (padded >= reach).then(|| (padded - reach) / s + 1)
        };
        let output = [
            out(height, padding[0], kernel_h, stride[0], dilation[0])?,
            out(width, padding[1], kernel_w, stride[1], dilation[1])?,
        ];
        Some(Self {
            batch,
            channels_in,
            input: [height, width],
            channels_out,
            kernel: [kernel_h, kernel_w],
            stride,
            padding_begin: [padding[0].0, padding[1].0],
            dilation,
            output,
        })
    }

    /// Values in one patch: one row of the im2col matrix per (channel, kernel row,
    /// kernel column).
    pub fn patch_len(&self) -> usize {
        self.channels_in * self.kernel[0] * self.kernel[1]
    }

    /// Pixels in one input channel.
    pub fn input_plane(&self) -> usize {
        self.input[0] * self.input[1]
    }

    /// Positions in one output channel.
    pub fn output_plane(&self) -> usize {
        self.output[0] * self.output[1]
    }

    /// Values in one input image.
    pub fn input_image(&self) -> usize {
        self.channels_in * self.input_plane()
    }

    /// Values in one output image.
    pub fn output_image(&self) -> usize {
        self.channels_out * self.output_plane()
    }

    /// Values in the weight tensor.
    pub fn weight_len(&self) -> usize {
        self.channels_out * self.patch_len()
    }

    /// The output shape, `[batch, channels_out, out_h, out_w]`.
    pub fn output_shape(&self) -> [usize; 4] {
        [
            self.batch,
            self.channels_out,
            self.output[0],
            self.output[1],
        ]
    }

    /// The output positions along one axis whose tap `tap` lands inside the image,
    /// as a half-open range, and the input coordinate the first of them reads.
    pub(crate) fn valid_outputs(&self, axis: usize, tap: usize) -> (usize, usize, usize) {
        // Input coordinate of output position o: o * stride + tap * dilation - padding.
        let offset = tap * self.dilation[axis];
        let begin = self.padding_begin[axis];
        let stride = self.stride[axis];
        let first = if offset >= begin {
            0
        } else {
            (begin - offset).div_ceil(stride)
        };
        let limit = self.input[axis] + begin - offset.min(self.input[axis] + begin);
        let end = limit.div_ceil(stride).min(self.output[axis]);
        let first = first.min(end);
        (
            first,
            end,
            first * stride + offset - begin.min(first * stride + offset),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_convolution_shrinks_by_kernel_minus_one() {
        let g =
            ConvGeometry::new([2, 3, 32, 32], [32, 3, 3, 3], [1, 1], [(0, 0); 2], [1, 1]).unwrap();
        assert_eq!(g.output_shape(), [2, 32, 30, 30]);
        assert_eq!(g.patch_len(), 27);
    }

    #[test]
    fn padding_stride_and_dilation_follow_the_usual_formula() {
        // (7 + 1 + 2 - (2 * 2 + 1)) / 2 + 1 = 3, and (5 + 0 + 0 - 3) / 1 + 1 = 3.
        let g = ConvGeometry::new([1, 1, 7, 5], [1, 1, 3, 3], [2, 1], [(1, 2), (0, 0)], [2, 1])
            .unwrap();
        assert_eq!(g.output, [3, 3]);
    }

    #[test]
    fn mismatched_channels_or_oversized_kernels_have_no_geometry() {
        assert!(
            ConvGeometry::new([1, 3, 8, 8], [4, 2, 3, 3], [1, 1], [(0, 0); 2], [1, 1]).is_none()
        );
        assert!(
            ConvGeometry::new([1, 1, 2, 2], [1, 1, 3, 3], [1, 1], [(0, 0); 2], [1, 1]).is_none()
        );
    }

    #[test]
    fn valid_outputs_skip_the_taps_that_read_padding() {
        // Width 4, padding 1 each side, kernel 3, stride 1: 4 outputs.
        let g = ConvGeometry::new([1, 1, 4, 4], [1, 1, 3, 3], [1, 1], [(1, 1); 2], [1, 1]).unwrap();
        assert_eq!(g.output, [4, 4]);
        // Tap 0 reads column o - 1: output 0 reads padding.
        assert_eq!(g.valid_outputs(1, 0), (1, 4, 0));
        // Tap 1 reads column o: all valid.
        assert_eq!(g.valid_outputs(1, 1), (0, 4, 0));
        // Tap 2 reads column o + 1: output 3 reads padding.
        assert_eq!(g.valid_outputs(1, 2), (0, 3, 1));
        // Stride 2 on width 5 with padding 1: outputs 0..3 read columns -1, 1, 3 (+tap).
        let g = ConvGeometry::new([1, 1, 5, 5], [1, 1, 3, 3], [2, 2], [(1, 1); 2], [1, 1]).unwrap();
        assert_eq!(g.output, [3, 3]);
        assert_eq!(g.valid_outputs(1, 0), (1, 3, 1));
        assert_eq!(g.valid_outputs(1, 2), (0, 2, 1));
    }
}
