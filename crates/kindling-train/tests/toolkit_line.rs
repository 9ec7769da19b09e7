//! The straight-line lessons: gradient descent for a line, the apartment data, the
//! learning-rate experiment, the convergence report and the threshold learner.

use proptest::prelude::*;

use kindling_train::apartments::{
    Apartments, COURSE_LEARNING_RATES, MAX_SIZE, MIN_SIZE, NOISE_SD, TRUE_SLOPE, apartments_test,
    apartments_train,
};
use kindling_train::convergence::{ConvergenceError, convergence_report, default_stage_ends};
use kindling_train::linreg::{
    DIVERGENCE_FACTOR, Ending, LinRegError, Line, LineConfig, fit_line, least_squares,
};
use kindling_train::lr_experiment::{CONVERGENCE_TOLERANCE, RateVerdict, lr_experiment};
use kindling_train::threshold::{ThresholdError, learn_threshold};

fn course_data() -> Apartments {
    apartments_train(100, 42)
}

// ---------------------------------------------------------------- linreg

#[test]
fn a_small_rate_recovers_an_exact_line_and_the_loss_never_rises() {
    let x = [0.0, 0.5, 1.0, 1.5, 2.0];
    let y: Vec<f64> = x.iter().map(|x| 2.0 * x + 1.0).collect();
    let fit = fit_line(&x, &y, &LineConfig::new(0.1, 500)).unwrap();
    assert_eq!(fit.ending, Ending::Completed);
    assert_eq!(fit.rows.len(), 500);
    assert!((fit.line.slope - 2.0).abs() < 1e-6, "{}", fit.line);
    assert!((fit.line.intercept - 1.0).abs() < 1e-6, "{}", fit.line);
    // Full-batch descent at a stable rate lowers the loss every epoch.
    for pair in fit.rows.windows(2) {
        assert!(pair[1].loss <= pair[0].loss, "{pair:?}");
    }
    assert_eq!(fit.rows[0].epoch, 1);
    assert_eq!(fit.rows[0].loss, y.iter().map(|y| y * y).sum::<f64>() / 5.0);
}

#[test]
fn divergence_is_reported_at_the_epoch_it_happened_with_finite_numbers() {
    let x = [1.0, 2.0, 3.0];
    let y = [2.0, 4.0, 6.0];
    let fit = fit_line(&x, &y, &LineConfig::new(1.0, 200)).unwrap();
    let Ending::Diverged {
        epoch,
        loss: Some(loss),
        first_loss,
    } = fit.ending
    else {
        panic!("expected a finite divergence, got {:?}", fit.ending);
    };
    assert!(loss > DIVERGENCE_FACTOR * first_loss);
    assert_eq!(fit.rows.len(), epoch);
    assert_eq!(fit.rows[epoch - 1].loss, loss);
    // Every epoch before was within the rule.
    assert!(
        fit.rows[..epoch - 1]
            .iter()
            .all(|r| r.loss <= DIVERGENCE_FACTOR * first_loss)
    );
    assert!(fit.line.slope.is_finite() && fit.final_loss.is_finite());
    let text = fit.to_string();
    assert!(
        text.contains(&format!("diverged at epoch {epoch}")),
        "{text}"
    );
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
}

#[test]
fn a_loss_that_overflows_in_one_step_keeps_the_last_finite_line() {
    let x = [1.0, 2.0, 3.0];
    let y = [2.0, 4.0, 6.0];
    let fit = fit_line(&x, &y, &LineConfig::new(1e300, 10)).unwrap();
    assert_eq!(
        fit.ending,
        Ending::Diverged {
            epoch: 2,
            loss: None,
            first_loss: fit.rows[0].loss
        }
    );
    assert_eq!(fit.rows.len(), 1);
    assert_eq!(fit.line, Line::new(0.0, 0.0));
    let text = fit.ending.to_string();
    assert!(text.contains("epoch 2") && !text.contains("NaN"), "{text}");
}

#[test]
fn early_stopping_follows_keras_patience() {
    // One point and lr 0.25: the first update lands exactly on it, so the losses
    // are 1, 0, 0, 0, ... Epoch 3 is the first without improvement.
    let config = |patience| LineConfig::new(0.25, 50).with_early_stopping(patience, 0.0);
    let fit = fit_line(&[1.0], &[1.0], &config(0)).unwrap();
    assert_eq!(fit.ending, Ending::StoppedEarly { epoch: 3 });
    let fit = fit_line(&[1.0], &[1.0], &config(2)).unwrap();
    assert_eq!(fit.ending, Ending::StoppedEarly { epoch: 4 });
    assert_eq!(fit.losses(), [1.0, 0.0, 0.0, 0.0]);
}

#[test]
fn early_stopping_needs_more_than_min_delta_to_count_as_improvement() {
    // lr 0.125 halves the error each epoch: losses 1, 1/4, 1/16, 1/64, ...
    // Improvements: 0.75, 0.1875, 0.047: the third is below min_delta 0.1.
    let config = LineConfig::new(0.125, 50).with_early_stopping(1, 0.1);
    let fit = fit_line(&[1.0], &[1.0], &config).unwrap();
    assert_eq!(fit.losses(), [1.0, 0.25, 0.0625, 0.015625]);
    assert_eq!(fit.ending, Ending::StoppedEarly { epoch: 4 });
    let history = fit.to_history();
    assert_eq!(history.context["stopped_early_after_epoch"], "4");
}

#[test]
fn the_history_has_loss_slope_and_intercept_per_epoch() {
    let data = course_data();
    let fit = fit_line(&data.sizes, &data.prices, &LineConfig::new(1e-5, 30)).unwrap();
    let history = kindling_train::History::from(&fit);
    assert_eq!(
        history.metrics().collect::<Vec<_>>(),
        ["loss", "slope", "intercept"]
    );
    assert_eq!(history.epochs(), 30);
    assert_eq!(history.get("loss").unwrap(), fit.losses().as_slice());
    let slopes: Vec<f64> = fit.rows.iter().map(|r| r.slope).collect();
    assert_eq!(history.get("slope").unwrap(), slopes.as_slice());
    assert_eq!(history.context["learning_rate"], "0.00001");
}

#[test]
fn bad_data_and_settings_name_the_problem_and_the_fix() {
    let ok = [1.0, 2.0];
    let cases: Vec<(Result<_, LinRegError>, &str)> = vec![
        (fit_line(&[], &[], &LineConfig::new(0.1, 1)), "no data"),
        (
            fit_line(&ok, &[1.0], &LineConfig::new(0.1, 1)),
            "x has 2 values but y has 1",
        ),
        (
            fit_line(&[1.0, f64::NAN], &ok, &LineConfig::new(0.1, 1)),
            "x value number 2 is NaN",
        ),
        (
            fit_line(&ok, &[f64::INFINITY, 1.0], &LineConfig::new(0.1, 1)),
            "y value number 1",
        ),
        (
            fit_line(&ok, &ok, &LineConfig::new(0.0, 1)),
            "learning rate = 0",
        ),
        (
            fit_line(&ok, &ok, &LineConfig::new(-1e-3, 1)),
            "learning rate = -0.001",
        ),
        (
            fit_line(&ok, &ok, &LineConfig::new(f64::NAN, 1)),
            "learning rate = NaN",
        ),
        (fit_line(&ok, &ok, &LineConfig::new(0.1, 0)), "epochs = 0"),
        (
            fit_line(
                &ok,
                &ok,
                &LineConfig::new(0.1, 5).with_early_stopping(1, -0.5),
            ),
            "min_delta = -0.5",
        ),
        (
            fit_line(&ok, &[1e200, 1e200], &LineConfig::new(0.1, 1)),
            "too large",
        ),
    ];
    for (result, expected) in cases {
        let message = result.unwrap_err().to_string();
        assert!(message.contains(expected), "{message}");
        assert!(message.contains("Fix:"), "{message}");
    }
    let huge = least_squares(&[-1e200, 1e200], &[1.0, 2.0]).unwrap_err();
    assert_eq!(huge, LinRegError::TooLarge);
    let message = least_squares(&[3.0, 3.0], &[1.0, 2.0])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("every x is 3") && message.contains("Fix:"),
        "{message}"
    );
}

proptest! {
    #[test]
    fn least_squares_recovers_a_line_through_its_points(
        slope in -100.0..100.0f64,
        intercept in -100.0..100.0f64,
        xs in prop::collection::vec(-50.0..50.0f64, 2..20),
    ) {
        let spread = xs.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b))
            - xs.iter().fold(f64::INFINITY, |a, &b| a.min(b));
        prop_assume!(spread > 1.0);
        let ys: Vec<f64> = xs.iter().map(|x| slope * x + intercept).collect();
        let line = least_squares(&xs, &ys).unwrap();
        prop_assert!((line.slope - slope).abs() < 1e-6 * (1.0 + slope.abs()));
        prop_assert!((line.intercept - intercept).abs() < 1e-5 * (1.0 + intercept.abs()));
    }

    #[test]
    fn no_nearby_line_beats_least_squares(
        points in prop::collection::vec((-10.0..10.0f64, -10.0..10.0f64), 3..30),
        nudge_slope in -1.0..1.0f64,
        nudge_intercept in -1.0..1.0f64,
    ) {
        let (xs, ys): (Vec<f64>, Vec<f64>) = points.into_iter().unzip();
        prop_assume!(xs.iter().any(|&x| (x - xs[0]).abs() > 1e-3));
        let best = least_squares(&xs, &ys).unwrap();
        let other = Line::new(best.slope + nudge_slope, best.intercept + nudge_intercept);
        let best_loss = best.mean_squared_error(&xs, &ys).unwrap();
        prop_assert!(best_loss <= other.mean_squared_error(&xs, &ys).unwrap() + 1e-9);
    }
}

// ---------------------------------------------------------------- apartments

#[test]
fn apartments_are_seeded_and_test_data_is_fresh() {
    let a = apartments_train(50, 1);
    assert_eq!(a, apartments_train(50, 1));
    assert_ne!(a, apartments_train(50, 2));
    let test = apartments_test(50, 1);
    assert_ne!(a, test);
    assert_eq!(a.len(), 50);
    for data in [&a, &test] {
        assert!(data.sizes.iter().all(|s| (MIN_SIZE..=MAX_SIZE).contains(s)));
        assert!(data.prices.iter().all(|p| p.is_finite()));
    }
}

#[test]
fn a_large_sample_recovers_the_true_line_and_noise() {
    let data = apartments_train(5000, 3);
    let line = least_squares(&data.sizes, &data.prices).unwrap();
    // Standard error of the slope: 30 / sqrt(5000 * 833) = 0.015.
    assert!((line.slope - TRUE_SLOPE).abs() < 0.1, "{line}");
    let noise = line
        .mean_squared_error(&data.sizes, &data.prices)
        .unwrap()
        .sqrt();
    assert!((noise - NOISE_SD).abs() < 2.0, "{noise}");
    assert!((Apartments::true_line().slope - TRUE_SLOPE).abs() < f64::EPSILON);
}

#[test]
fn the_course_rates_are_too_slow_good_and_too_large() {
    let data = course_data();
    let fresh = apartments_test(100, 42);
    let best = least_squares(&data.sizes, &data.prices).unwrap();
    let best_loss = best.mean_squared_error(&data.sizes, &data.prices).unwrap();
    let [slow, good, large] = COURSE_LEARNING_RATES;
    let run = |rate| fit_line(&data.sizes, &data.prices, &LineConfig::new(rate, 200)).unwrap();

    let slow = run(slow);
    assert_eq!(slow.ending, Ending::Completed);
    assert!(slow.final_loss > 10.0 * best_loss, "{}", slow.final_loss);
    assert!(slow.line.slope < TRUE_SLOPE / 2.0, "{}", slow.line);

    let good = run(good);
    assert_eq!(good.ending, Ending::Completed);
    assert!(good.final_loss < 1.1 * best_loss);
    // The check on fresh data: the trained line does about as well on new
    // apartments as on the ones it learnt from, and far better than no line.
    let fresh_loss = good
        .line
        .mean_squared_error(&fresh.sizes, &fresh.prices)
        .unwrap();
    let zero_loss = Line::default()
        .mean_squared_error(&fresh.sizes, &fresh.prices)
        .unwrap();
    assert!(fresh_loss < 2.0 * good.final_loss && fresh_loss < zero_loss / 20.0);

    let large = run(large);
    assert!(
        matches!(large.ending, Ending::Diverged { epoch, .. } if epoch <= 5),
        "{:?}",
        large.ending
    );
}

// ---------------------------------------------------------------- lr experiment

#[test]
fn the_experiment_labels_each_rate_for_an_overlay_chart() {
    let data = course_data();
    let experiment = lr_experiment(
        &data.sizes,
        &data.prices,
        &COURSE_LEARNING_RATES,
        200,
        CONVERGENCE_TOLERANCE,
    )
    .unwrap();
    let target = experiment.least_squares_loss * (1.0 + CONVERGENCE_TOLERANCE);
    let RateVerdict::Converged { epoch } = experiment.runs[1].verdict else {
        panic!("{experiment}");
    };
    let losses = experiment.runs[1].fit.losses();
    assert!(losses[epoch - 1] <= target && losses[epoch - 2] > target);
    assert!(epoch <= 60, "{epoch}");
    let RateVerdict::Diverged { epoch: diverged } = experiment.runs[2].verdict else {
        panic!("{experiment}");
    };
    let RateVerdict::TooSlow { times_best, .. } = experiment.runs[0].verdict else {
        panic!("{experiment}");
    };
    assert!(times_best > 10.0);

    let series = experiment.loss_series();
    assert_eq!(series[0].0, "lr=1e-7 (too slow)");
    assert_eq!(series[1].0, format!("lr=1e-5 (converged at epoch {epoch})"));
    assert_eq!(
        series[2].0,
        format!("lr=1e-3 (diverged at epoch {diverged})")
    );
    assert_eq!(series[0].1.len(), 200);
    assert_eq!(series[2].1.len(), diverged);
    let table = experiment.to_string();
    assert!(
        table.contains("too slow") && table.contains("within 20%"),
        "{table}"
    );
}

#[test]
fn data_exactly_on_a_line_can_converge() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let y = [1.0, 3.0, 5.0, 7.0];
    let experiment = lr_experiment(&x, &y, &[0.05], 2000, 0.1).unwrap();
    assert_eq!(experiment.least_squares_loss, 0.0);
    assert!(matches!(
        experiment.runs[0].verdict,
        RateVerdict::Converged { .. }
    ));
}

#[test]
fn the_experiment_refuses_no_rates_and_bad_tolerances() {
    let x = [0.0, 1.0];
    for (rates, tolerance, expected) in [
        (&[][..], 0.1, "no learning rates"),
        (&[0.1][..], 0.0, "tolerance = 0"),
        (&[0.1][..], f64::NAN, "tolerance = NaN"),
    ] {
        let message = lr_experiment(&x, &x, rates, 10, tolerance)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(expected) && message.contains("Fix:"),
            "{message}"
        );
    }
}

// ---------------------------------------------------------------- convergence

#[test]
fn the_course_split_shows_most_of_the_drop_comes_first() {
    let data = course_data();
    let fit = fit_line(&data.sizes, &data.prices, &LineConfig::new(1e-5, 200)).unwrap();
    let losses = fit.losses();
    let report = convergence_report(&losses, None).unwrap();
    let ranges: Vec<(usize, usize)> = report
        .stages
        .iter()
        .map(|s| (s.first_epoch, s.last_epoch))
        .collect();
    assert_eq!(ranges, [(1, 50), (51, 100), (101, 200)]);
    assert_eq!(report.stages[1].loss_before, losses[49]);
    assert_eq!(report.stages[1].loss_after, losses[99]);
    assert!(report.stages[0].share.unwrap() > 0.99);
    let text = report.to_string();
    assert!(text.contains("51-100") && text.contains('%'), "{text}");
}

#[test]
fn a_flat_run_has_no_shares() {
    let report = convergence_report(&[2.0, 2.0, 2.0], Some(&[1, 3])).unwrap();
    assert_eq!(report.total_drop, 0.0);
    assert!(report.stages.iter().all(|s| s.share.is_none()));
    assert!(report.to_string().contains(" -"));
}

#[test]
fn bad_stage_ends_and_losses_are_refused() {
    let losses = [3.0, 2.0, 1.0, 0.5];
    for (ends, expected) in [
        (&[][..], "no stages"),
        (&[0, 4][..], "counted from 1"),
        (&[2, 2, 4][..], "end after the one before"),
        (&[2, 3][..], "must end at the last epoch"),
        (&[2, 5][..], "must end at the last epoch"),
    ] {
        let message = convergence_report(&losses, Some(ends))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(expected) && message.contains("such as [1, 2, 4]"),
            "{message}"
        );
    }
    assert_eq!(
        convergence_report(&[], None).unwrap_err(),
        ConvergenceError::Empty
    );
    assert!(matches!(
        convergence_report(&[1.0, f64::NAN], None),
        Err(ConvergenceError::NonFinite { epoch: 2, .. })
    ));
}

proptest! {
    #[test]
    fn stage_drops_add_up_to_the_total(
        losses in prop::collection::vec(0.0..100.0f64, 1..300),
    ) {
        let report = convergence_report(&losses, None).unwrap();
        let sum: f64 = report.stages.iter().map(|s| s.drop).sum();
        prop_assert!((sum - report.total_drop).abs() < 1e-9);
        prop_assert_eq!(report.stages.first().unwrap().first_epoch, 1);
        prop_assert_eq!(report.stages.last().unwrap().last_epoch, losses.len());
        prop_assert_eq!(default_stage_ends(losses.len()).len(), report.stages.len());
        for pair in report.stages.windows(2) {
            prop_assert_eq!(pair[1].first_epoch, pair[0].last_epoch + 1);
        }
    }
}

// ---------------------------------------------------------------- threshold

#[test]
fn the_threshold_moves_one_step_against_each_mistake() {
    // Start too high: the positives at 2 and 1 are missed (t goes down twice), then
    // 0.8 is a false positive at t = 0.5 (t goes back up), and 1.5 is missed.
    let examples = [(2.0, 1), (1.0, 1), (0.8, 0), (4.0, 1), (-1.0, 0), (1.5, 1)];
    let trace = learn_threshold(&examples, 3.5, 1.5).unwrap();
    let thresholds: Vec<f64> = trace.steps.iter().map(|s| s.threshold).collect();
    assert_eq!(thresholds, [2.0, 0.5, 2.0, 2.0, 2.0, 0.5]);
    let predictions: Vec<u8> = trace.steps.iter().map(|s| s.prediction).collect();
    assert_eq!(predictions, [0, 0, 1, 1, 0, 0]);
    assert_eq!(trace.mistakes(), 4);
    assert_eq!(trace.threshold, 0.5);
    assert_eq!(trace, learn_threshold(&examples, 3.5, 1.5).unwrap());
    let text = trace.to_string();
    assert_eq!(text.lines().count(), 2 + examples.len() + 1, "{text}");
    assert!(text.contains("wrong") && text.contains("right") && text.contains("new t"));
}

#[test]
fn the_threshold_learner_refuses_bad_input() {
    let cases = [
        (learn_threshold(&[(1.0, 2)], 0.0, 1.0), "label 2"),
        (learn_threshold(&[(f64::NAN, 1)], 0.0, 1.0), "x = NaN"),
        (learn_threshold(&[(1.0, 1)], 0.0, 0.0), "step = 0"),
        (
            learn_threshold(&[(1.0, 1)], f64::INFINITY, 1.0),
            "start = inf",
        ),
    ];
    for (result, expected) in cases {
        let error: ThresholdError = result.unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(expected) && message.contains("Fix:"),
            "{message}"
        );
    }
    assert!(learn_threshold(&[], 0.0, 1.0).unwrap().steps.is_empty());
}
