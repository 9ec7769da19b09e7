//! Regression metrics on ten apartment prices (in thousands of euros): how one
//! big miss moves MSE far more than MAE, and why R² depends on the data as much
//! as on the model.

use std::fmt::Write;

use anyhow::Result;
use kindling_metrics::RegressionMetrics;

// ANCHOR: cases
/// Ten prices, 120 to 390 in steps of 30.
pub fn prices() -> Vec<f64> {
    (0..10).map(|i| 120.0 + 30.0 * i as f64).collect()
}

/// Predictions 5 too high, then 5 too low, and so on.
pub fn off_by_five(prices: &[f64]) -> Vec<f64> {
    let error = |i: usize| if i.is_multiple_of(2) { 5.0 } else { -5.0 };
    prices
        .iter()
        .enumerate()
        .map(|(i, p)| p + error(i))
        .collect()
}

/// The same, except that the last apartment is missed by 100.
pub fn one_big_miss(prices: &[f64]) -> Vec<f64> {
    let mut predictions = off_by_five(prices);
    if let (Some(last), Some(price)) = (predictions.last_mut(), prices.last()) {
        *last = price + 100.0;
    }
    predictions
}

/// Always the average price, whatever the apartment.
pub fn the_average(prices: &[f64]) -> Vec<f64> {
    let mean = prices.iter().sum::<f64>() / prices.len() as f64;
    vec![mean; prices.len()]
}

/// Ten similar apartments, 250 to 268 in steps of 2.
pub fn narrow_prices() -> Vec<f64> {
    (0..10).map(|i| 250.0 + 2.0 * i as f64).collect()
}
// ANCHOR_END: cases

/// Every case of the table: its name, the true prices and the predictions.
pub fn cases() -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
    let prices = prices();
    let narrow = narrow_prices();
    vec![
        ("off by 5", prices.clone(), off_by_five(&prices)),
        ("one big miss", prices.clone(), one_big_miss(&prices)),
        ("the average", prices.clone(), the_average(&prices)),
        ("narrow, off by 5", narrow.clone(), off_by_five(&narrow)),
    ]
}

/// The table the appendix shows.
pub fn printout() -> Result<String> {
    let mut text = String::from(
        "ten apartment prices, in thousands of euros\n\ncase                   MSE     RMSE     MAE      R²\n",
    );
    for (name, truth, predictions) in cases() {
        let m = RegressionMetrics::compute(&truth, &predictions)?;
        let r2 =
            m.r2.map_or("undefined".to_string(), |r2| format!("{r2:.3}"));
        writeln!(
            text,
            "{name:<16}  {:>8.1}  {:>7.2}  {:>6.2}  {r2:>6}",
            m.mse, m.rmse, m.mae
        )?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn the_table_matches_the_arithmetic_by_hand() {
        let metrics: Vec<RegressionMetrics> = cases()
            .iter()
            .map(|(_, t, p)| RegressionMetrics::compute(t, p).unwrap())
            .collect();
        // The prices spread: the squared distances from their mean of 255 add up to 74,250.
        let spread = 74_250.0;
        let [five, miss, average, narrow] = metrics.as_slice() else {
            panic!("four cases")
        };
        assert!(close(five.mse, 25.0) && close(five.rmse, 5.0) && close(five.mae, 5.0));
        assert!(close(five.r2.unwrap(), 1.0 - 250.0 / spread));
        // Nine errors of 5 and one of 100.
        assert!(close(miss.mse, (9.0 * 25.0 + 10_000.0) / 10.0));
        assert!(close(miss.mae, (9.0 * 5.0 + 100.0) / 10.0));
        assert!(close(miss.r2.unwrap(), 1.0 - 10_225.0 / spread));
        // Predicting the mean scores R² = 0 exactly; its MAE is 75.
        assert!(close(average.r2.unwrap(), 0.0) && close(average.mae, 75.0));
        // The same errors on prices that spread 15 times less.
        assert!(close(narrow.mae, 5.0));
        assert!(close(narrow.r2.unwrap(), 1.0 - 250.0 / 330.0));
    }
}
