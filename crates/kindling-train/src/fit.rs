//! `fit`: train a classifier for some epochs and return it with its [`History`].

use std::time::Instant;

use burn::nn::loss::CrossEntropyLoss;
use burn::optim::GradientsParams;

use kindling_data::epoch_batches;
use kindling_models::Classifier;

use crate::callback::{BatchAction, BatchEnd, Callback, Control, TrainingContext};
use crate::callbacks::TerminateOnNaN;
use crate::config::FitConfig;
use crate::data::ClassificationData;
use crate::error::FitError;
use crate::evaluate::{count_correct, evaluate};
use crate::history::History;
use crate::progress::{Progress, epoch_row};

/// The exact Burn release Kindling is built and tested against.
pub const BURN_VERSION: &str = "0.22.1";

/// Trains `model` on `train` for `config.epochs` epochs, measuring `valid` (when
/// given) after each, and returns the trained model (without autodiff, ready to
/// use or save) and the history: per epoch `loss`, `accuracy`, `val_loss`,
/// `val_accuracy`, `lr` and `seconds`.
///
/// The model trains on the device it lives on. The shuffling order comes from
/// `config.seed`, so with a seeded model (`kindling_models::init_seeded`) the same
/// seed gives the same history on the same machine.
pub fn fit<M, T, const D: usize>(
    model: M,
    train: &T,
    valid: Option<&T>,
    config: &FitConfig,
) -> Result<(M, History), FitError>
where
    M: Classifier<D>,
    T: ClassificationData<D>,
{
    fit_with(model, train, valid, config, &mut [])
}

/// [`fit`] with callbacks (early stopping, checkpoints, schedules, ...). The
/// callbacks stay yours, so you can ask them afterwards what they saw.
pub fn fit_with<M, T, const D: usize>(
    model: M,
    train: &T,
    valid: Option<&T>,
    config: &FitConfig,
    callbacks: &mut [&mut dyn Callback<M>],
) -> Result<(M, History), FitError>
where
    M: Classifier<D>,
    T: ClassificationData<D>,
{
    config.validate()?;
    if train.is_empty() {
        return Err(FitError::NoData);
    }
    let device = model.devices().into_iter().next().unwrap_or_default();
    let plain_device = device.clone().without_autodiff();
    let train_device = device.autodiff();
    let mut model = model.fork(&train_device).train();
    let mut optimizer = config.build_optimizer();
    let loss_fn = CrossEntropyLoss::new(None, &train_device);

    let mut history = History::new();
    history.set_context("seed", config.seed);
    history.set_context("device", format!("{plain_device:?}"));
    history.set_context("burn", BURN_VERSION);
    history.set_context("batch_size", config.batch_size);
    history.set_context(
        "optimizer",
        serde_json::to_string(&config.optimizer).unwrap_or_default(),
    );
    history.set_context("train_examples", train.len());
    history.set_context("valid_examples", valid.map_or(0, |v| v.len()));

    let mut nan_guard = TerminateOnNaN;
    let mut learning_rate = config.learning_rate;
    let mut control = Control::default();
    let mut progress = Progress::new(config.verbosity);

    macro_rules! each_callback {
        ($epoch:expr, $method:ident) => {{
            let mut context = TrainingContext {
                epoch: $epoch,
                epochs: config.epochs,
                learning_rate: &mut learning_rate,
                model: &mut model,
                history: &history,
                control: &mut control,
            };
            for callback in callbacks.iter_mut() {
                callback.$method(&mut context)?;
            }
        }};
    }

    each_callback!(0, on_train_begin);
    for epoch in 1..=config.epochs {
        each_callback!(epoch, on_epoch_begin);
        let started = Instant::now();
        let batches = epoch_batches(train.len(), config.batch_size, config.seed, epoch);
        progress.start_epoch(epoch, config.epochs, batches.len());
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0i64, 0usize);
        for (index, indices) in batches.iter().enumerate() {
            let (inputs, targets) = train.training_batch(indices, epoch, config, &train_device);
            let logits = model.forward(inputs);
            let loss = loss_fn.forward(logits.clone(), targets.clone());
            // Accuracy needs no gradients: count on the plain tensors.
            correct += count_correct(logits.clone().inner(), targets.clone().inner());
            let batch_loss = loss.clone().into_scalar::<f32>() as f64;
            let gradients = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(learning_rate, model, gradients);

            loss_sum += batch_loss * indices.len() as f64;
            seen += indices.len();
            progress.batch_done(loss_sum / seen as f64, correct as f64 / seen as f64);
            let batch_end = BatchEnd {
                epoch,
                batch: index + 1,
                batches: batches.len(),
                loss: batch_loss,
                learning_rate,
            };
            if config.terminate_on_nan {
                Callback::<M>::on_batch_end(&mut nan_guard, &batch_end)?;
            }
            for callback in callbacks.iter_mut() {
                match callback.on_batch_end(&batch_end)? {
                    BatchAction::Continue => {}
                    BatchAction::SetLearningRate(rate) => learning_rate = rate,
                    BatchAction::Stop(reason) => control.stop = Some(reason),
                }
            }
            if control.stop.is_some() {
                break;
            }
        }

        let mut row = vec![
            ("loss".to_string(), loss_sum / seen as f64),
            ("accuracy".to_string(), correct as f64 / seen as f64),
        ];
        if let Some(valid) = valid {
            let measured = evaluate(&model.valid(), valid, &plain_device);
            row.push(("val_loss".to_string(), measured.loss));
            row.push(("val_accuracy".to_string(), measured.accuracy));
        }
        let seconds = started.elapsed().as_secs_f64();
        row.push(("lr".to_string(), learning_rate));
        row.push(("seconds".to_string(), seconds));
        progress.line(&epoch_row(epoch, config.epochs, seconds, &row));
        history.push_epoch(row);

        each_callback!(epoch, on_epoch_end);
        for note in control.notes.drain(..) {
            progress.line(&note);
        }
        if let Some(reason) = control.stop.take() {
            progress.line(&reason);
            history.set_context("stopped_early_after_epoch", epoch);
            break;
        }
    }
    let last_epoch = history.epochs();
    each_callback!(last_epoch, on_train_end);
    for note in control.notes.drain(..) {
        progress.line(&note);
    }
    progress.clear_bar();
    Ok((model.valid(), history))
}
