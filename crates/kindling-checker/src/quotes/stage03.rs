//! Stage 3's quotes: the check run's statistics, before and after normalising.

use super::{Quote, RunFiles, fixed};

const CHANNELS: [&str; 3] = ["red", "green", "blue"];

/// Each channel's statistics of the check run, and what normalising gave.
pub fn quotes(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let mut quotes = Vec::new();
    for (key, name, decimals) in [
        ("normalization_mean", "mean", 3),
        ("normalization_std", "std", 3),
        ("normalized_validation_mean", "validation_mean", 3),
        ("normalized_validation_std", "validation_std", 3),
    ] {
        for (index, channel) in CHANNELS.iter().enumerate() {
            let value = run.number(&format!("/{key}/{index}"))?;
            quotes.push(Quote::new(
                &format!("{name}_{channel}"),
                fixed(value, decimals),
            ));
        }
    }
    // Where a pixel of 0 and of 1 land after normalising the red channel.
    let (mean, std) = (
        run.number("/normalization_mean/0")?,
        run.number("/normalization_std/0")?,
    );
    quotes.push(Quote::new("red_black_after", fixed((0.0 - mean) / std, 2)));
    quotes.push(Quote::new("red_white_after", fixed((1.0 - mean) / std, 2)));
    Ok(quotes)
}
