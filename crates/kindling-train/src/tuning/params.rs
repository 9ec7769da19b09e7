//! One trial's settings: a value for every parameter of the search space.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::error::TuningError;
use super::value::ParamValue;

/// A trial's parameters, in the search space's order.
///
/// ```
/// use kindling_train::tuning::Params;
/// let params = Params::new().with("lr", 0.01).with("hidden", 8).with("optimizer", "adam");
/// assert_eq!(params.f64("lr")?, 0.01);
/// assert_eq!(params.usize("hidden")?, 8);
/// assert_eq!(params.text("optimizer")?, "adam");
/// assert!(params.usize("lr").is_err());
/// assert_eq!(params.to_string(), "lr=0.01, hidden=8, optimizer=adam");
/// # Ok::<(), kindling_train::tuning::TuningError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Params {
    values: Vec<(String, ParamValue)>,
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a parameter.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets a parameter, replacing an earlier value of the same name.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<ParamValue>) {
        let name = name.into();
        let value = value.into();
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    /// A parameter's value, if there is one of that name.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.values.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// A number (whole numbers are read as reals too).
    pub fn f64(&self, name: &str) -> Result<f64, TuningError> {
        match self.require(name)? {
            ParamValue::Float(value) => Ok(*value),
            ParamValue::Int(value) => Ok(*value as f64),
            other => Err(wrong_type(
                name,
                "a number",
                other,
                "give it numeric values",
            )),
        }
    }

    /// A whole number of zero or more, such as a layer width.
    pub fn usize(&self, name: &str) -> Result<usize, TuningError> {
        match self.require(name)? {
            ParamValue::Int(value) if *value >= 0 => Ok(*value as usize),
            other => Err(wrong_type(
                name,
                "a whole number of 0 or more",
                other,
                "give it whole-number values (a list, not a uniform range)",
            )),
        }
    }

    /// A word, such as an optimizer's name.
    pub fn text(&self, name: &str) -> Result<&str, TuningError> {
        match self.require(name)? {
            ParamValue::Text(value) => Ok(value),
            other => Err(wrong_type(name, "a word", other, "give it text values")),
        }
    }

    fn require(&self, name: &str) -> Result<&ParamValue, TuningError> {
        self.get(name).ok_or_else(|| TuningError::UnknownParameter {
            name: name.to_string(),
            available: self
                .values
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

fn wrong_type(
    name: &str,
    expected: &'static str,
    found: &ParamValue,
    fix: &'static str,
) -> TuningError {
    TuningError::WrongType {
        name: name.to_string(),
        expected,
        found: found.to_string(),
        fix,
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (name, value)) in self.values.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

/// Serialised as a map from name to value, in order.
impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (name, value) in &self.values {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
