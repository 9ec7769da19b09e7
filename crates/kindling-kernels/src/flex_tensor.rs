//! Moving values between Flex tensors and the slices the kernels work on.

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::tensor::TensorData;

/// The tensor itself when its values are laid out in order, otherwise an ordered copy.
pub(crate) fn contiguous(tensor: FlexTensor) -> FlexTensor {
    if tensor.is_contiguous() {
        tensor
    } else {
        tensor.to_contiguous()
    }
}

/// An `f32` tensor's values in row-major order (copied only when the tensor is a view).
pub(crate) fn values(tensor: &FlexTensor) -> Cow<'_, [f32]> {
    match tensor.as_slice::<f32>() {
        Some(slice) => Cow::Borrowed(slice),
        None => Cow::Owned(
            tensor
                .to_contiguous()
                .into_data()
                .try_to_vec::<f32>()
                .expect("the caller checked the dtype is f32"),
        ),
    }
}

/// A new Flex tensor holding `values` with `shape`.
pub(crate) fn flex_tensor(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.to_vec()))
}
