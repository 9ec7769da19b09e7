//! Hyperparameter tuning: search spaces, grid and random search, cross-validation
//! and the results table, ending with a small Mlp tuned end to end.

mod common;

use common::blobs;
use std::collections::BTreeSet;

use burn::prelude::*;

use kindling_models::{MlpConfig, init_seeded};
use kindling_train::tuning::{
    CrossValidation, Distribution, ParamValue, Params, SearchSpace, Subset, TrialOutcome,
    TuningError, cross_validate, cross_validate_data, grid_search, random_search,
};
use kindling_train::{ClassificationData, FeatureData, FitConfig, Mode, Verbosity, evaluate, fit};

/// Trains a one-hidden-layer Mlp and measures it: the closure a search calls.
fn train_and_measure(
    params: &Params,
    train: &impl ClassificationData<2>,
    valid: &impl ClassificationData<2>,
) -> Result<Vec<(&'static str, f64)>, String> {
    let lr = params.f64("lr").map_err(|e| e.to_string())?;
    let hidden = params.usize("hidden").map_err(|e| e.to_string())?;
    let device = Device::flex();
    let model = init_seeded(&device, 7, |d| {
        MlpConfig::new(2, vec![hidden]).with_num_classes(2).init(d)
    });
    let config = FitConfig::default()
        .with_epochs(4)
        .with_batch_size(16)
        .with_learning_rate(lr)
        .with_verbosity(Verbosity::Silent);
    let (model, _) = fit(model, train, None, &config).map_err(|e| e.to_string())?;
    let measured = evaluate(&model, valid, &device);
    Ok(vec![
        ("val_loss", measured.loss),
        ("val_accuracy", measured.accuracy),
    ])
}

#[test]
fn a_grid_of_two_rates_and_two_widths_trains_four_mlps_and_ranks_them() {
    let train = blobs(96, 1);
    let valid = blobs(48, 2);
    let space = SearchSpace::new()
        .values("lr", [1e-4, 5e-2])
        .values("hidden", [4, 16]);
    let results = grid_search(&space, |p| train_and_measure(p, &train, &valid)).unwrap();

    let tried: Vec<String> = results
        .trials
        .iter()
        .map(|t| t.params.to_string())
        .collect();
    assert_eq!(
        tried,
        [
            "lr=0.0001, hidden=4",
            "lr=0.0001, hidden=16",
            "lr=0.05, hidden=4",
            "lr=0.05, hidden=16"
        ]
    );
    assert_eq!(results.failures(), 0);
    // Four epochs at 1e-4 barely move the weights; 5e-2 learns the clouds.
    let best = results.best("val_loss", Mode::Min).unwrap();
    assert_eq!(best.params.f64("lr").unwrap(), 5e-2);
    assert!(best.metric("val_accuracy").unwrap() > 0.85);

    let table = results.table("val_loss", Mode::Min).unwrap();
    assert_eq!(
        table.columns,
        ["trial", "lr", "hidden", "val_loss", "val_accuracy"]
    );
    let csv = table.to_csv();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 5);
    let losses: Vec<f64> = rows[1..]
        .iter()
        .map(|row| row.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert!(losses.windows(2).all(|pair| pair[0] <= pair[1]), "{csv}");

    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("results.csv");
    let md_path = dir.path().join("results.md");
    table.save_csv(&csv_path).unwrap();
    table.save_markdown(&md_path).unwrap();
    assert_eq!(std::fs::read_to_string(&csv_path).unwrap(), csv);
    let markdown = std::fs::read_to_string(&md_path).unwrap();
    assert!(markdown.starts_with("| trial | lr | hidden | val_loss | val_accuracy |\n| --- |"));
    assert_eq!(markdown.lines().count(), 6);
    // Only the two files: the temporary files of the atomic writes are gone.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn three_fold_cross_validation_of_one_config() {
    let data = blobs(60, 3);
    let params = Params::new().with("lr", 5e-2).with("hidden", 8);
    let cv = cross_validate_data(&data, 3, 11, |train, valid| {
        assert_eq!((train.len(), valid.len()), (40, 20));
        let metrics = train_and_measure(&params, train, valid)?;
        Ok::<_, String>(metrics[1].1)
    })
    .unwrap();
    assert_eq!(cv.scores.len(), 3);
    assert!(cv.scores.iter().all(|s| (0.0..=1.0).contains(s)));
    assert!(cv.mean > 0.8, "{cv}");
    let mean = cv.scores.iter().sum::<f64>() / 3.0;
    let population = (cv.scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    assert!((cv.mean - mean).abs() < 1e-12 && (cv.std - population).abs() < 1e-12);
    assert!(cv.to_string().starts_with("3-fold cross-validation"));
}

#[test]
fn every_example_is_validated_once_in_stratified_folds() {
    let labels: Vec<usize> = (0..30).map(|i| if i < 20 { 0 } else { 1 }).collect();
    let mut seen = Vec::new();
    let cv = cross_validate(&labels, 5, 4, |fold| {
        let ones = fold.validation.iter().filter(|&&i| labels[i] == 1).count();
        seen.extend(fold.validation.iter().copied());
        Ok::<_, String>(ones as f64)
    })
    .unwrap();
    // 10 of class 1 over 5 folds: 2 in each.
    assert_eq!(cv.scores, [2.0; 5]);
    assert_eq!(cv.std, 0.0);
    seen.sort_unstable();
    assert_eq!(seen, (0..30).collect::<Vec<_>>());
}

#[test]
fn cross_validation_reports_bad_folds_and_failures() {
    let labels = [0usize, 1, 0, 1];
    let never = |_: &kindling_data::split::Fold| Ok::<_, String>(1.0);
    assert!(matches!(
        cross_validate(&labels, 1, 0, never),
        Err(TuningError::Folds { k: 1, .. })
    ));
    assert!(matches!(
        cross_validate(&labels, 5, 0, never),
        Err(TuningError::Folds { k: 5, .. })
    ));
    let message = cross_validate(&[0, 300], 2, 0, never)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("class 300") && message.contains("Fix:"),
        "{message}"
    );

    let mut calls = 0;
    let failing = cross_validate(&labels, 2, 0, |_| {
        calls += 1;
        if calls == 2 {
            Err("out of memory".to_string())
        } else {
            Ok(0.5)
        }
    });
    let message = failing.unwrap_err().to_string();
    assert_eq!(message, "fold 2 failed: out of memory");
    let nan = cross_validate(&labels, 2, 0, |_| Ok::<_, String>(f64::NAN)).unwrap_err();
    assert!(matches!(nan, TuningError::NonFiniteScore { fold: 1, .. }));
    assert!(CrossValidation::from_scores(vec![]).is_none());
    assert_eq!(
        CrossValidation::from_scores(vec![0.5])
            .unwrap()
            .sample_std(),
        None
    );
}

#[test]
fn a_failing_trial_is_recorded_and_the_search_goes_on() {
    let space = SearchSpace::new().values("depth", [1, 2, 3, 4]);
    let results = grid_search(&space, |p| {
        let depth = p.usize("depth").map_err(|e| e.to_string())?;
        if depth == 3 {
            return Err(format!("depth {depth} does not fit, too deep"));
        }
        Ok(vec![("score", depth as f64)])
    })
    .unwrap();
    assert_eq!(results.trials.len(), 4);
    assert_eq!(results.failures(), 1);
    assert_eq!(
        results.trials[2].outcome,
        TrialOutcome::Failed("depth 3 does not fit, too deep".into())
    );
    assert_eq!(results.best("score", Mode::Max).unwrap().number, 4);
    let table = results.table("score", Mode::Min).unwrap();
    let csv = table.to_csv();
    // Sorted by score, the failed trial last, its error quoted (it has a comma).
    assert_eq!(
        csv,
        "trial,depth,score,error\n1,1,1,\n2,2,2,\n4,4,4,\n3,3,,\"depth 3 does not fit, too deep\"\n"
    );
    assert!(
        table
            .to_markdown()
            .contains("| 3 | 3 | - | depth 3 does not fit, too deep |")
    );
    let message = results
        .table("accuracy", Mode::Max)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("`accuracy`") && message.contains("recorded: score"),
        "{message}"
    );
}

#[test]
fn random_search_is_seeded_per_trial_and_respects_ranges() {
    let space = SearchSpace::new()
        .log_uniform("lr", 1e-4, 1e-1)
        .uniform("dropout", 0.0, 0.5)
        .choice("optimizer", ["adam", "sgd"]);
    let draw = |seed, trials| {
        random_search(&space, trials, seed, |_| Ok::<_, String>([("x", 0.0)]))
            .unwrap()
            .trials
            .into_iter()
            .map(|t| t.params)
            .collect::<Vec<_>>()
    };
    let five = draw(9, 5);
    assert_eq!(five, draw(9, 5));
    assert_ne!(five, draw(10, 5));
    // Trial 3's settings do not depend on how many trials run.
    assert_eq!(five[..], draw(9, 20)[..5]);

    let many = draw(1, 2000);
    let lrs: Vec<f64> = many.iter().map(|p| p.f64("lr").unwrap()).collect();
    assert!(lrs.iter().all(|lr| (1e-4..=1e-1).contains(lr)));
    // Log-uniform: each decade gets about a third of the draws.
    let low_decade = lrs.iter().filter(|&&lr| lr < 1e-3).count();
    assert!((560..=780).contains(&low_decade), "{low_decade}");
    let dropouts: Vec<f64> = many.iter().map(|p| p.f64("dropout").unwrap()).collect();
    assert!(dropouts.iter().all(|d| (0.0..=0.5).contains(d)));
    let names: BTreeSet<&str> = many.iter().map(|p| p.text("optimizer").unwrap()).collect();
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["adam", "sgd"]);
}

#[test]
fn bad_spaces_name_the_parameter_and_the_fix() {
    let uniform = SearchSpace::new().uniform("lr", 0.0, 1.0);
    let cases = [
        (SearchSpace::new().grid().map(drop), "empty"),
        (
            SearchSpace::new()
                .values("a", [1])
                .values("a", [2])
                .grid()
                .map(drop),
            "`a` is in the search space twice",
        ),
        (
            SearchSpace::new()
                .values("a", Vec::<i32>::new())
                .grid()
                .map(drop),
            "`a` has an empty list",
        ),
        (uniform.grid().map(drop), "`lr` is a uniform range"),
        (
            SearchSpace::new().log_uniform("lr", 0.0, 1.0).validate(),
            "above 0",
        ),
        (
            SearchSpace::new().uniform("p", 1.0, 0.0).validate(),
            "lower end first",
        ),
    ];
    for (result, expected) in cases {
        let message = result.unwrap_err().to_string();
        assert!(
            message.contains(expected) && message.contains("Fix:"),
            "{message}"
        );
    }
    assert!(
        SearchSpace::new()
            .log_uniform("lr", 1e-3, 1.0)
            .sample(0, 0)
            .is_ok()
    );
    let none = random_search(&uniform, 0, 1, |_| Ok::<_, String>([("x", 1.0)]));
    assert!(matches!(none, Err(TuningError::NoTrials)));
    let params = Params::new().with("lr", 0.1).with("name", "adam");
    let message = params.usize("lr").unwrap_err().to_string();
    assert!(
        message.contains("`lr` is 0.1, not a whole number"),
        "{message}"
    );
    let message = params.f64("momentum").unwrap_err().to_string();
    assert!(message.contains("the trial has: lr, name"), "{message}");
    assert_eq!(params.get("name"), Some(&ParamValue::Text("adam".into())));
    assert!(matches!(
        uniform.parameters().next(),
        Some((
            "lr",
            Distribution::Uniform {
                low: 0.0,
                high: 1.0
            }
        ))
    ));
}

#[test]
fn a_subset_sees_only_its_examples() {
    let data = FeatureData::new(vec![0.0, 10.0, 20.0, 30.0], 1, vec![0, 1, 0, 1]);
    let picked = [3, 0];
    let subset = Subset::new(&data, &picked).unwrap();
    assert_eq!(ClassificationData::<2>::len(&subset), 2);
    assert_eq!(ClassificationData::<2>::label(&subset, 0), 1);
    let (inputs, labels) = ClassificationData::<2>::batch(&subset, &[0, 1], &Device::flex());
    let inputs: Vec<f32> = inputs.into_data().try_into_vec_as().unwrap();
    let labels: Vec<i64> = labels.into_data().try_into_vec_as().unwrap();
    assert_eq!((inputs, labels), (vec![30.0, 0.0], vec![1, 0]));
    let outside = [4];
    assert!(matches!(
        Subset::new(&data, &outside),
        Err(TuningError::IndexOutOfRange { index: 4, len: 4 })
    ));
}
