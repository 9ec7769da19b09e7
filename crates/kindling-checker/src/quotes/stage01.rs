//! Stage 1's quotes: what the check run counted.

use super::{Quote, RunFiles, thousands};

/// The class counts of the check run.
pub fn quotes(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let counts: Vec<u64> = run
        .value("class_counts")?
        .as_array()
        .map(|counts| counts.iter().filter_map(|c| c.as_u64()).collect())
        .unwrap_or_default();
    let (Some(smallest), Some(largest)) = (counts.iter().min(), counts.iter().max()) else {
        return Err("report.json's class_counts is empty".into());
    };
    if smallest != largest {
        return Err(format!(
            "the page says every class has the same count, but they range from {smallest} to {largest}"
        ));
    }
    Ok(vec![
        Quote::new("check_images", thousands(run.number("image_count")? as u64)),
        Quote::new("check_per_class", thousands(*smallest)),
    ])
}
