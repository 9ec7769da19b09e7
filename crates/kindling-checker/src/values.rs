//! Reading lists out of a stage report's JSON values.

use serde_json::Value;

/// A list of whole numbers, or `None` when the value is missing or not one.
pub fn usizes(value: Option<&Value>) -> Option<Vec<usize>> {
    value?
        .as_array()?
        .iter()
        .map(|v| v.as_u64().map(|n| n as usize))
        .collect()
}

/// A list of numbers as `f32`, or `None` when the value is missing or not one.
pub fn floats(value: Option<&Value>) -> Option<Vec<f32>> {
    value?
        .as_array()?
        .iter()
        .map(|v| v.as_f64().map(|n| n as f32))
        .collect()
}

/// A list of strings, or `None` when the value is missing or not one.
pub fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    value?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_or_refused_whole() {
        let value = serde_json::json!([1, 2, 3]);
        assert_eq!(usizes(Some(&value)), Some(vec![1, 2, 3]));
        assert_eq!(floats(Some(&value)), Some(vec![1.0, 2.0, 3.0]));
        assert_eq!(strings(Some(&value)), None);
        assert_eq!(usizes(Some(&serde_json::json!([1, "a"]))), None);
        assert_eq!(usizes(None), None);
    }
}
