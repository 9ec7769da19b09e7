//! predictions.csv: one row per validation image, so that anyone (the checker, `kindling
//! metrics`) can recompute every number of this stage.

use std::path::Path;

use anyhow::Result;
use kindling::data::atomic::write_atomically;
use kindling::train::SetPredictions;

/// Writes `y_true,y_pred,p_0,...,p_9`, one row per image, atomically.
pub fn save_predictions(path: &Path, predictions: &SetPredictions) -> Result<()> {
    write_atomically(path, |file| {
        let columns: Vec<String> = (0..predictions.n_classes)
            .map(|c| format!("p_{c}"))
            .collect();
        writeln!(file, "y_true,y_pred,{}", columns.join(","))?;
        for index in 0..predictions.len() {
            let row: Vec<String> = predictions.row(index).iter().map(f64::to_string).collect();
            writeln!(
                file,
                "{},{},{}",
                predictions.y_true[index],
                predictions.y_pred[index],
                row.join(",")
            )?;
        }
        Ok(())
    })?;
    Ok(())
}
