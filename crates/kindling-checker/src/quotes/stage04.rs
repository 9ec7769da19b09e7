//! Stage 4's quotes: the untrained model's forward pass.

use super::{Quote, RunFiles, percent, thousands};

/// The total parameter count and what the untrained model believed.
pub fn quotes(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let probabilities: Vec<f64> = run
        .value("probabilities")?
        .as_array()
        .map(|p| p.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    let classes = run
        .value("forward_output_shape")?
        .get(1)
        .and_then(|c| c.as_u64())
        .ok_or("report.json's forward_output_shape has no class count")? as usize;
    if classes == 0 || probabilities.is_empty() || !probabilities.len().is_multiple_of(classes) {
        return Err("report.json's probabilities do not fill whole rows".into());
    }
    // The untrained model's confidence in its best guess, averaged over the images.
    let rows: Vec<&[f64]> = probabilities.chunks(classes).collect();
    let top = rows
        .iter()
        .map(|row| row.iter().copied().fold(f64::MIN, f64::max))
        .sum::<f64>()
        / rows.len() as f64;
    Ok(vec![
        Quote::new(
            "total_params",
            thousands(run.number("total_params")? as u64),
        ),
        Quote::new("untrained_top_probability", percent(top, 0)),
    ])
}
