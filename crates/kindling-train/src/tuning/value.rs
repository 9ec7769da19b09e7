//! One value of a hyperparameter: a number or a word.

use std::fmt;

use serde::Serialize;

/// A hyperparameter's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A whole number, such as a layer width.
    Int(i64),
    /// A real number, such as a learning rate.
    Float(f64),
    /// A word, such as an optimizer's name.
    Text(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(value) => write!(f, "{value}"),
            ParamValue::Float(value) => write!(f, "{value}"),
            ParamValue::Text(value) => f.write_str(value),
        }
    }
}

impl From<f64> for ParamValue {
    fn from(value: f64) -> Self {
        ParamValue::Float(value)
    }
}

impl From<f32> for ParamValue {
    fn from(value: f32) -> Self {
        ParamValue::Float(value as f64)
    }
}

impl From<i64> for ParamValue {
    fn from(value: i64) -> Self {
        ParamValue::Int(value)
    }
}

impl From<i32> for ParamValue {
    fn from(value: i32) -> Self {
        ParamValue::Int(value as i64)
    }
}

impl From<usize> for ParamValue {
    /// Saturates at `i64::MAX` (no layer is that wide).
    fn from(value: usize) -> Self {
        ParamValue::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        ParamValue::Text(value.to_string())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        ParamValue::Text(value)
    }
}
