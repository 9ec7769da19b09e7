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
    let mut quotes = vec![
        Quote::new(
            "total_params",
            thousands(run.number("total_params")? as u64),
        ),
        Quote::new("untrained_top_probability", percent(top, 0)),
    ];
    quotes.extend(summary_rows(run)?);
    Ok(quotes)
}

/// The summary as the page's table: one row per layer, as Keras lays it out.
fn summary_rows(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let list = |key: &str| -> Result<Vec<serde_json::Value>, String> {
        run.value(key)?
            .as_array()
            .cloned()
            .ok_or_else(|| format!("report.json's {key} is not a list"))
    };
    let (names, kinds, shapes, params) = (
        list("layer_names")?,
        list("layer_kinds")?,
        list("layer_output_shapes")?,
        list("layer_params")?,
    );
    let text = |value: Option<&serde_json::Value>| {
        value
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut rows = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let shape: Vec<String> = shapes
            .get(index)
            .and_then(|s| s.as_array())
            .map(|dims| dims.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        let count = params.get(index).and_then(|p| p.as_u64()).unwrap_or(0);
        rows.push(Quote::new(
            &format!("summary_row_{}", index + 1),
            format!(
                "| {} ({}) | (None, {}) | {} |",
                text(Some(name)),
                text(kinds.get(index)),
                shape.join(", "),
                thousands(count)
            ),
        ));
    }
    rows.push(Quote::new(
        "summary_total_row",
        format!(
            "| **Total** | | **{}** |",
            thousands(run.number("total_params")? as u64)
        ),
    ));
    Ok(rows)
}
