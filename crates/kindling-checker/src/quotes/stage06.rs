//! Stage 6's quotes: the check run's one look at the test pile.

use super::{Quote, RunFiles, fixed, percent, rounded};

/// One class's scores in `report.json`'s `per_class`.
struct ClassScores {
    name: String,
    precision: f64,
    recall: f64,
    f1: f64,
    support: f64,
}

/// Test accuracy against validation, the best and the weakest class, the
/// averages, ROC-AUC and top-k.
pub fn quotes(run: &RunFiles) -> Result<Vec<Quote>, String> {
    let validation = run.number("/comparison/validation")?;
    let test = run.number("/comparison/test")?;
    let history = run.history("history.json")?;
    let validation_images: f64 = history
        .context
        .get("valid_examples")
        .and_then(|n| n.parse().ok())
        .ok_or("history.json's context has no valid_examples")?;
    let standard_error = (validation * (1.0 - validation) / validation_images).sqrt();
    let classes = per_class(run)?;
    let best = classes
        .iter()
        .max_by(|a, b| a.f1.total_cmp(&b.f1))
        .ok_or("report.json's per_class is empty")?;
    let weakest_name = run
        .value("weakest_class")?
        .as_str()
        .ok_or("report.json's weakest_class is not text")?;
    let weakest = classes
        .iter()
        .find(|c| c.name == weakest_name)
        .ok_or("the weakest class is not in per_class")?;
    // Recall counts the class's images found; precision, how many of the model's
    // calls of the class were right: together they give the counts.
    let found = weakest.recall * weakest.support;
    let called = if weakest.precision > 0.0 {
        found / weakest.precision
    } else {
        0.0
    };
    let mut quotes = vec![
        Quote::new("test_size", rounded(run.number("test_size")?)),
        Quote::new("validation_images", rounded(validation_images)),
        Quote::new("val_accuracy", fixed(validation, 3)),
        Quote::new("test_accuracy", fixed(test, 3)),
        Quote::new(
            "difference",
            format!("{:+.3}", run.number("/comparison/difference")?),
        ),
        Quote::new(
            "verdict",
            if run.value("/comparison/close")?.as_bool() == Some(true) {
                "close"
            } else {
                "apart"
            },
        ),
        Quote::new("validation_standard_error", fixed(standard_error, 3)),
        Quote::new("best_class", &best.name),
        Quote::new("best_f1", fixed(best.f1, 2)),
        Quote::new("weakest_class", &weakest.name),
        Quote::new("weakest_f1", fixed(weakest.f1, 3)),
        Quote::new("weakest_precision", fixed(weakest.precision, 2)),
        Quote::new("weakest_recall", fixed(weakest.recall, 2)),
        Quote::new("weakest_called", rounded(called)),
        Quote::new("weakest_found", rounded(found)),
        Quote::new("macro_f1", fixed(run.number("macro_f1")?, 3)),
        Quote::new("weighted_f1", fixed(run.number("weighted_f1")?, 3)),
        Quote::new("roc_auc", fixed(run.number("roc_auc_macro")?, 3)),
        Quote::new("roc_auc_percent", percent(run.number("roc_auc_macro")?, 0)),
        Quote::new("top_1", percent(test, 1)),
    ];
    let top_k = run
        .value("top_k_accuracy")?
        .as_array()
        .ok_or("report.json's top_k_accuracy is not a list")?;
    for entry in top_k {
        let (Some(k), Some(accuracy)) = (entry["k"].as_u64(), entry["accuracy"].as_f64()) else {
            return Err("a top_k_accuracy entry lacks k or accuracy".into());
        };
        quotes.push(Quote::new(&format!("top_{k}"), percent(accuracy, 1)));
    }
    Ok(quotes)
}

fn per_class(run: &RunFiles) -> Result<Vec<ClassScores>, String> {
    let rows = run
        .value("per_class")?
        .as_array()
        .ok_or("report.json's per_class is not a list")?;
    rows.iter()
        .map(|row| {
            let number = |key: &str| {
                row[key]
                    .as_f64()
                    .ok_or_else(|| format!("a per_class row has no {key}"))
            };
            Ok(ClassScores {
                name: row["name"]
                    .as_str()
                    .ok_or("a per_class row has no name")?
                    .to_string(),
                precision: number("precision")?,
                recall: number("recall")?,
                f1: number("f1")?,
                support: number("support")?,
            })
        })
        .collect()
}
