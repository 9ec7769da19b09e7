//! Stage 5, Training history: the training loop four times, each time with less
//! written by hand: a rule learned by hand, gradient descent in plain Rust, the
//! same loop with Burn's autodiff, and finally `fit` on the CNN, then trained on
//! with early stopping that watches the validation loss.

pub mod cnn;
pub mod line;
pub mod points;
pub mod threshold;

use anyhow::Result;
use clap::Parser;
use kindling::charts::overlay_chart;
use kindling::train::apartments::{
    COURSE_LEARNING_RATES, TRUE_INTERCEPT, TRUE_SLOPE, apartments_test, apartments_train,
};
use kindling::train::convergence::convergence_report;
use kindling::train::linreg::least_squares;
use kindling_course::facts::stage05::{
    EARLY_STOP_MIN_DELTA, EARLY_STOP_PATIENCE, PARTS, POINTS_HISTORY_FILE, POINTS_TRAIN,
    POINTS_VALIDATION,
};
use kindling_course::{StageArgs, StageReport};

use line::{EarlyStop, mean_squared_error, train_line, verdict};

/// Apartments in the training data, and epochs of gradient descent (facts the
/// checker shares).
pub use kindling_course::facts::stage05::{APARTMENTS, LINE_EPOCHS};

/// The stage's command line: every stage's flags, and `--part`.
#[derive(Debug, Clone, Parser)]
pub struct Stage5Args {
    /// The flags every stage takes.
    #[command(flatten)]
    pub stage: StageArgs,
    /// Run only this part: 1 the threshold, 2 the line, 3 the Burn loop, 4 the
    /// CNN's baseline, 5 its longer run (after part 4). The checker runs them all.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub part: Option<u8>,
}

/// The program: the part `--part` asks for, or all five.
pub fn main_run(args: &Stage5Args) -> Result<()> {
    match args.part {
        Some(part) => run_parts(&args.stage, &[part]),
        None => run(&args.stage),
    }
}

/// Runs all five parts, as the checker does.
pub fn run(args: &StageArgs) -> Result<()> {
    run_parts(args, &PARTS)
}

// ANCHOR: run
/// Runs the parts in `parts` (1 to 5) and writes their results into the output
/// folder.
pub fn run_parts(args: &StageArgs, parts: &[u8]) -> Result<()> {
    let out = args.out_dir(5)?;
    let mut report = StageReport::new(5, args);
    if parts.contains(&1) {
        part_1(&mut report);
    }
    if parts.contains(&2) {
        part_2(args, &out, &mut report)?;
    }
    if parts.contains(&3) {
        part_3(args, &out)?;
    }
    if parts.contains(&4) {
        cnn::part_4(args, &out)?;
    }
    if parts.contains(&5) {
        cnn::part_5(args, &out, &mut report)?;
    }
    report.write(&out)?;
    println!("Results are in {}", out.display());
    Ok(())
}
// ANCHOR_END: run

/// Part 1: a rule learned by hand.
fn part_1(report: &mut StageReport) {
    let steps = threshold::learn(&threshold::EXAMPLES, threshold::START, threshold::STEP);
    threshold::print(&steps, threshold::START);
    report.set("threshold_steps", &steps);
}

/// Part 2: gradient descent in plain Rust.
fn part_2(args: &StageArgs, out: &std::path::Path, report: &mut StageReport) -> Result<()> {
    let homes = apartments_train(APARTMENTS, args.seed);
    let (sizes, prices) = (&homes.sizes, &homes.prices);
    let best = least_squares(sizes, prices)?;
    let best_loss = best.mean_squared_error(sizes, prices)?;
    report.set(
        "least_squares",
        serde_json::json!({"slope": best.slope, "intercept": best.intercept, "loss": best_loss}),
    );
    // Past about one over the mean squared size, each step overshoots the slope's
    // best value by more than the last.
    let mean_square = sizes.iter().map(|s| s * s).sum::<f64>() / sizes.len() as f64;
    report.set("stable_rate_limit", 1.0 / mean_square);
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
        rate_results.push(serde_json::json!({
            "learning_rate": rate,
            "verdict": judged,
            "rows": run.rows.len(),
            "last": run.rows.last(),
        }));
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
    // The line the prices were made from, on both piles: how much of the difference
    // between the two errors is the luck of the draw.
    let truth = (TRUE_SLOPE, TRUE_INTERCEPT);
    report.set(
        "true_line_errors",
        serde_json::json!({
            "train": mean_squared_error(sizes, prices, truth.0, truth.1),
            "fresh": mean_squared_error(&fresh.sizes, &fresh.prices, truth.0, truth.1),
        }),
    );
    Ok(())
}

/// Part 3: the same loop with Burn, measured on a validation pile.
fn part_3(args: &StageArgs, out: &std::path::Path) -> Result<()> {
    let mut people_train = points::people(POINTS_TRAIN, args.seed, 1);
    let mut people_valid = points::people(POINTS_VALIDATION, args.seed, 2);
    points::standardise(&mut people_train, &mut people_valid);
    let points_history = points::train(&people_train, &people_valid, args.seed);
    points_history.save_json(&out.join(POINTS_HISTORY_FILE))?;
    println!(
        "Burn loop: validation accuracy {:.3}",
        points_history
            .final_epoch()
            .and_then(|r| r.get("val_accuracy"))
            .unwrap_or(0.0)
    );
    Ok(())
}
