//! Stage 5, Training history: the training loop four times, each time with less
//! written by hand: a rule learned by hand, gradient descent in plain Rust, the
//! same loop with Burn's autodiff, and finally `fit` on the CNN.

pub mod cnn;
pub mod line;
pub mod points;
pub mod threshold;

use anyhow::Result;
use kindling::charts::overlay_chart;
use kindling::models::save_model;
use kindling::train::apartments::{COURSE_LEARNING_RATES, apartments_test, apartments_train};
use kindling::train::convergence::convergence_report;
use kindling::train::linreg::least_squares;
use kindling_course::facts::stage05::{EARLY_STOP_MIN_DELTA, EARLY_STOP_PATIENCE, MODEL_FILE};
use kindling_course::{StageArgs, StageReport};

use line::{EarlyStop, mean_squared_error, train_line, verdict};

/// Apartments in the training data, and epochs of gradient descent (facts the
/// checker shares).
pub use kindling_course::facts::stage05::{APARTMENTS, LINE_EPOCHS};

// ANCHOR: run
/// Runs the four parts and writes their results into the output folder.
pub fn run(args: &StageArgs) -> Result<()> {
    let out = args.out_dir(5)?;
    let mut report = StageReport::new(5, args);

    // Part 1: a rule learned by hand.
    let steps = threshold::learn(&threshold::EXAMPLES, threshold::START, threshold::STEP);
    threshold::print(&steps, threshold::START);
    report.set("threshold_steps", &steps);

    // Part 2: gradient descent in plain Rust.
    let homes = apartments_train(APARTMENTS, args.seed);
    let (sizes, prices) = (&homes.sizes, &homes.prices);
    let best = least_squares(sizes, prices)?;
    let best_loss = best.mean_squared_error(sizes, prices)?;
    let mut rate_results = Vec::new();
    let mut curves = Vec::new();
    for rate in COURSE_LEARNING_RATES {
        let run = train_line(sizes, prices, rate, LINE_EPOCHS, None);
        let judged = verdict(&run, best_loss);
        match judged {
            line::Verdict::Diverged { .. } => {
                println!("learning rate {rate:e}: {judged}: the loss blew up")
            }
            _ => println!(
                "learning rate {rate:e}: {judged}, line price = {:.3} * size + {:.3}",
                run.slope, run.intercept
            ),
        }
        curves.push((
            format!("lr={rate:e} ({judged})"),
            run.rows.iter().map(|r| r.loss).collect::<Vec<_>>(),
        ));
        rate_results.push(
            serde_json::json!({"learning_rate": rate, "verdict": judged, "rows": run.rows.len()}),
        );
        if rate == COURSE_LEARNING_RATES[1] {
            report.set("line_rows", &run.rows);
            let losses: Vec<f64> = run.rows.iter().map(|row| row.loss).collect();
            let stages = convergence_report(&losses, Some(&[50, 100, 200]))?;
            println!("{stages}");
            report.set(
                "convergence_shares",
                stages.stages.iter().map(|s| s.share).collect::<Vec<_>>(),
            );
        }
    }
    overlay_chart(
        "Loss at three learning rates",
        "loss (mean squared error)",
        &curves,
        true,
        out.join("learning_rates.png"),
    )?;
    report.set("learning_rates", &rate_results);

    let stop = EarlyStop {
        patience: EARLY_STOP_PATIENCE,
        min_delta: EARLY_STOP_MIN_DELTA,
    };
    let stopped = train_line(
        sizes,
        prices,
        COURSE_LEARNING_RATES[1],
        LINE_EPOCHS,
        Some(stop),
    );
    let fresh = apartments_test(APARTMENTS, args.seed);
    let train_error = mean_squared_error(sizes, prices, stopped.slope, stopped.intercept);
    let test_error = mean_squared_error(
        &fresh.sizes,
        &fresh.prices,
        stopped.slope,
        stopped.intercept,
    );
    if let line::Ending::StoppedEarly { epoch } = stopped.ending {
        println!("Early stopping ended the run after epoch {epoch}.");
    }
    println!("Error on the training data {train_error:.1}, on fresh data {test_error:.1}.");
    report.set("early_stopping", stopped.ending);
    report.set("train_error", train_error);
    report.set("test_error", test_error);

    // Part 3: the same loop with Burn.
    let mut people_train = points::people(800, args.seed, 1);
    let mut people_test = points::people(200, args.seed, 2);
    points::standardise(&mut people_train, &mut people_test);
    let points_history = points::train(&people_train, &people_test, args.seed);
    points_history.save_json(&out.join("points_history.json"))?;
    println!(
        "Burn loop: test accuracy {:.3}",
        points_history
            .final_epoch()
            .and_then(|r| r.get("test_accuracy"))
            .unwrap_or(0.0)
    );

    // Part 4: fit on the CNN.
    let (model, history) = cnn::train_cnn(args)?;
    cnn::save_results(&history, &out)?;
    // The checker loads the model and measures its validation accuracy itself.
    save_model(&model, &out.join(MODEL_FILE))?;

    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run
