//! Stage 2's quotes: the shapes and ranges the check run printed.

use serde_json::Value;

use super::{Quote, RunFiles, fixed};

/// The check run's tensors, as `[500, 3, 32, 32]`.
pub fn quotes(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let shape = |key: &str| -> Result<String, String> {
        let dims: Vec<String> = run
            .value(key)?
            .as_array()
            .ok_or_else(|| format!("report.json's `{key}` is not a list"))?
            .iter()
            .map(Value::to_string)
            .collect();
        Ok(format!("[{}]", dims.join(", ")))
    };
    let pixel = run.value("top_left_pixel")?;
    let channel = |index: usize| -> Result<String, String> {
        pixel
            .get(index)
            .and_then(Value::as_f64)
            .map(|v| fixed(v, 3))
            .ok_or_else(|| "report.json's top_left_pixel has fewer than 3 values".to_string())
    };
    Ok(vec![
        Quote::new("check_x_train_shape", shape("x_train_shape")?),
        Quote::new("check_y_train_shape", shape("y_train_shape")?),
        Quote::new("check_batch_shape", shape("batch_shape")?),
        Quote::new("top_left_red", channel(0)?),
        Quote::new("top_left_green", channel(1)?),
        Quote::new("top_left_blue", channel(2)?),
    ])
}
