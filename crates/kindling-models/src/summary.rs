//! A Keras-style model summary, measured by running one input through the model.

use std::fmt;

use burn::prelude::*;

use crate::classifier::Classifier;
use crate::trace::{LayerRecord, Recorder};

/// What a forward pass showed about a model: each layer's output shape and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The model's name.
    pub model: String,
    /// One input's shape (batch dimension left out).
    pub input_shape: Vec<usize>,
    /// Layers in the order data flows through them.
    pub layers: Vec<LayerRecord>,
    /// Every trainable number in the model.
    pub total_params: usize,
}

/// Runs one all-zero input through `model` on `device` and records every layer.
pub fn summary<M: Classifier<D>, const D: usize>(model: &M, device: &Device) -> Summary {
    let shape = model.input_shape();
    let mut recorder = Recorder::default();
    let _ = model.forward_traced(Tensor::<D>::zeros(shape, device), &mut recorder);
    Summary {
        model: model.name().to_string(),
        input_shape: shape[1..].to_vec(),
        layers: recorder.layers,
        total_params: model.num_params(),
    }
}

impl Summary {
    /// The output shape of the last layer (batch dimension left out).
    pub fn output_shape(&self) -> &[usize] {
        self.layers
            .last()
            .map_or(&self.input_shape[..], |layer| &layer.output_shape)
    }
}

/// Groups digits in threes: 122570 -> "122,570".
pub fn with_commas(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("(None, {})", dims.join(", "))
}

impl fmt::Display for Summary {
    /// Keras' layout; shapes are Burn's, channels first: `(None, 32, 30, 30)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name_width = self
            .layers
            .iter()
            .map(|l| l.name.len() + l.kind.len() + 3)
            .chain([14])
            .max()
            .unwrap_or(14)
            + 2;
        let shape_width = self
            .layers
            .iter()
            .map(|l| shape_text(&l.output_shape).len())
            .chain([12])
            .max()
            .unwrap_or(12)
            + 4;
        let width = name_width + shape_width + 12;
        writeln!(f, "Model: \"{}\"", self.model)?;
        writeln!(f, "{}", "_".repeat(width))?;
        writeln!(
            f,
            " {:<name_width$}{:<shape_width$}{:>10}",
            "Layer (type)", "Output Shape", "Param #"
        )?;
        writeln!(f, "{}", "=".repeat(width))?;
        for (index, layer) in self.layers.iter().enumerate() {
            let label = format!("{} ({})", layer.name, layer.kind);
            writeln!(
                f,
                " {:<name_width$}{:<shape_width$}{:>10}",
                label,
                shape_text(&layer.output_shape),
                with_commas(layer.params)
            )?;
            let rule = if index + 1 == self.layers.len() {
                "="
            } else {
                "_"
            };
            writeln!(f, "{}", rule.repeat(width))?;
        }
        let kib = self.total_params as f64 * 4.0 / 1024.0;
        writeln!(
            f,
            " Total params: {} ({kib:.2} KB as f32)",
            with_commas(self.total_params)
        )?;
        writeln!(f, " Trainable params: {}", with_commas(self.total_params))?;
        writeln!(f, " Non-trainable params: 0")?;
        write!(
            f,
            " Shapes are (batch, channels, height, width): Burn puts channels first."
        )
    }
}
