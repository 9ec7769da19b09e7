//! `fit`: train a classifier for some epochs and return it with its [`History`].

use std::time::Instant;

use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::GradientsParams;
use burn::tensor::Bytes;

use kindling_data::epoch_batches;
use kindling_models::{Classifier, with_noise};

use crate::callback::{BatchAction, BatchEnd, Callback, Control, TrainingContext};
use crate::callbacks::TerminateOnNaN;
use crate::checkpoint::{
    CallbackState, Checkpoint, CheckpointError, module_bytes, module_from_bytes,
};
use crate::config::FitConfig;
use crate::data::ClassificationData;
use crate::error::FitError;
use crate::evaluate::{count_correct, evaluate};
use crate::history::{History, STATUS_INTERRUPTED, STATUS_KEY};
use crate::interrupt::Interrupt;
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
///
/// With `config.interrupt` set (or Ctrl-C installed by the program with
/// [`Interrupt::ctrl_c`]), raising the flag stops training after
/// the current batch: the unfinished epoch is dropped, and `fit` returns the model
/// and history of the last finished epoch, the history marked
/// [`History::interrupted`]. With `config.checkpoint` set, a [`Checkpoint`] is
/// written after every epoch, from which [`resume_with`] goes on.
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
    train_from(model, train, valid, config, callbacks, None)
}

/// Goes on with a run from its checkpoint (written by a run with
/// `config.checkpoint`) up to `config.epochs`, with the same data, settings and
/// callbacks: the history comes out bit-identical to a run that never stopped.
/// `model` gives the structure (a freshly built model of the same kind); the
/// checkpoint's weights replace its own.
pub fn resume_with<M, T, const D: usize>(
    model: M,
    train: &T,
    valid: Option<&T>,
    config: &FitConfig,
    callbacks: &mut [&mut dyn Callback<M>],
    checkpoint: &Checkpoint,
) -> Result<(M, History), FitError>
where
    M: Classifier<D>,
    T: ClassificationData<D>,
{
    train_from(model, train, valid, config, callbacks, Some(checkpoint))
}

fn train_from<M, T, const D: usize>(
    model: M,
    train: &T,
    valid: Option<&T>,
    config: &FitConfig,
    callbacks: &mut [&mut dyn Callback<M>],
    resume: Option<&Checkpoint>,
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
    let mut optimizer = config.build_optimizer();
    let mut history = History::new();
    let mut learning_rate = config.learning_rate;
    let mut first_epoch = 1;
    let model = match resume {
        None => model,
        Some(checkpoint) => {
            let path = checkpoint.source();
            if let Some((setting, ours, theirs)) = config.differs_from(checkpoint.fit_config()) {
                return Err(CheckpointError::Mismatch {
                    path: path.to_path_buf(),
                    problem: format!(
                        "it was trained with {setting} = {theirs}, this run asks for {ours}"
                    ),
                }
                .into());
            }
            // A schedule's decay is spread over the planned epochs: resuming to another
            // count would give the finished epochs rates of a schedule never followed.
            let planned = checkpoint.fit_config().epochs;
            if config.schedule.is_some() && planned != config.epochs {
                return Err(CheckpointError::Mismatch {
                    path: path.to_path_buf(),
                    problem: format!(
                        "its learning-rate schedule was planned over {planned} epochs, this run asks for {} (resume with --epochs {planned}; a schedule cannot be stretched)",
                        config.epochs
                    ),
                }
                .into());
            }
            if checkpoint.epoch() >= config.epochs {
                return Err(FitError::NothingToResume {
                    done: checkpoint.epoch(),
                    epochs: config.epochs,
                });
            }
            optimizer = optimizer
                .from_bytes(Bytes::from_bytes_vec(checkpoint.optimizer_bytes().to_vec()))
                .map_err(|e| CheckpointError::Mismatch {
                    path: path.to_path_buf(),
                    problem: format!("its optimizer state does not load ({e})"),
                })?;
            history = checkpoint.history();
            learning_rate = checkpoint.learning_rate();
            first_epoch = checkpoint.epoch() + 1;
            checkpoint.load_model(model, path)?
        }
    };
    // Weights kept by callbacks are loaded into copies of the plain model.
    let plain_template = resume.map(|_| model.clone());
    let mut model = model.fork(&train_device).train();
    let loss_fn = training_loss(config, &train_device);

    history.set_context("seed", config.seed);
    history.set_context("device", format!("{plain_device:?}"));
    history.set_context("burn", BURN_VERSION);
    // Runs repeat bit for bit only on CPUs of the same numerics (see `numerics`).
    history.set_context("numerics", crate::numerics());
    history.set_context("batch_size", config.batch_size);
    history.set_context(
        "optimizer",
        serde_json::to_string(&config.optimizer).unwrap_or_default(),
    );
    history.set_context("train_examples", train.len());
    history.set_context("valid_examples", valid.map_or(0, |v| v.len()));

    let mut nan_guard = TerminateOnNaN;
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

    each_callback!(first_epoch - 1, on_train_begin);
    if let Some(checkpoint) = resume {
        let template = plain_template.expect("kept when resuming");
        restore_callbacks(checkpoint, callbacks, |bytes| {
            module_from_bytes(template.clone(), bytes).map(|m| m.fork(&train_device).train())
        })?;
    }
    let interrupt = config.interrupt.clone().or_else(Interrupt::installed);
    let interrupt = interrupt.as_ref();
    // What an interruption returns: the model as the last finished epoch left it.
    let mut last_finished = interrupt.map(|_| model.clone());
    let mut interrupted_in = None;
    for epoch in first_epoch..=config.epochs {
        if interrupt.is_some_and(|flag| flag.requested()) {
            interrupted_in = Some(epoch);
            break;
        }
        each_callback!(epoch, on_epoch_begin);
        let started = Instant::now();
        let batches = epoch_batches(train.len(), config.batch_size, config.seed, epoch);
        progress.start_epoch(epoch, config.epochs, batches.len());
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0i64, 0usize);
        for (index, indices) in batches.iter().enumerate() {
            let (inputs, targets) = train.training_batch(indices, epoch, config, &train_device);
            if let Some(rate) = config.scheduled_rate(epoch, index + 1, batches.len()) {
                learning_rate = rate;
            }
            // Dropout masks are drawn for this batch's place in the run.
            let logits = with_noise(config.seed, epoch, index + 1, || model.forward(inputs));
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
            if interrupt.is_some_and(|flag| flag.requested()) {
                interrupted_in = Some(epoch);
                break;
            }
        }
        if interrupted_in.is_some() {
            break;
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
        if let Some(path) = &config.checkpoint {
            let saved = save_callbacks(callbacks)?;
            let optimizer_state = optimizer.into_bytes().map_err(|e| CheckpointError::Io {
                action: "write",
                path: path.clone(),
                problem: e.to_string(),
            })?;
            let weights = module_bytes(&model.valid()).map_err(|problem| CheckpointError::Io {
                action: "write",
                path: path.clone(),
                problem,
            })?;
            Checkpoint::new(
                epoch,
                learning_rate,
                config,
                &history,
                weights,
                optimizer_state.to_vec(),
                saved,
            )
            .save(path)?;
        }
        if let Some(last) = last_finished.as_mut() {
            *last = model.clone();
        }
        if let Some(reason) = control.stop.take() {
            progress.line(&reason);
            history.set_context("stopped_early_after_epoch", epoch);
            break;
        }
    }
    if let Some(epoch) = interrupted_in {
        progress.clear_bar();
        history.set_context(STATUS_KEY, STATUS_INTERRUPTED);
        history.set_context("interrupted_during_epoch", epoch);
        progress.line(&format!(
            "Interrupted during epoch {epoch}: kept the {} finished epoch(s); the unfinished one is dropped.",
            history.epochs()
        ));
        let model = last_finished.expect("kept while an interrupt is watched");
        return Ok((model.valid(), history));
    }
    let last_epoch = history.epochs();
    each_callback!(last_epoch, on_train_end);
    for note in control.notes.drain(..) {
        progress.line(&note);
    }
    progress.clear_bar();
    Ok((model.valid(), history))
}

/// Cross-entropy, with the run's label smoothing.
fn training_loss(config: &FitConfig, device: &burn::prelude::Device) -> CrossEntropyLoss {
    let smoothing = (config.label_smoothing > 0.0).then_some(config.label_smoothing as f32);
    CrossEntropyLossConfig::new()
        .with_smoothing(smoothing)
        .init(device)
}

/// Every callback's state, by position, with kept weights as bytes.
type SavedCallbacks = Vec<(String, serde_json::Value, Option<Vec<u8>>)>;

fn save_callbacks<M: Classifier<D>, const D: usize>(
    callbacks: &[&mut dyn Callback<M>],
) -> Result<SavedCallbacks, FitError> {
    callbacks
        .iter()
        .map(|callback| {
            let name = callback.name().to_string();
            let Some(state) = callback.save_state() else {
                return Ok((name, serde_json::Value::Null, None));
            };
            let weights = state
                .model
                .map(|model| module_bytes(&model.valid()))
                .transpose()
                .map_err(|problem| crate::callback::callback_error(&name, problem))?;
            Ok((name, state.values, weights))
        })
        .collect()
}

fn restore_callbacks<M: Classifier<D>, const D: usize>(
    checkpoint: &Checkpoint,
    callbacks: &mut [&mut dyn Callback<M>],
    load_weights: impl Fn(&[u8]) -> Result<M, String>,
) -> Result<(), FitError> {
    let saved = checkpoint.callback_states();
    let names = |names: Vec<&str>| format!("[{}]", names.join(", "));
    let saved_names = names(saved.iter().map(|(name, ..)| *name).collect());
    let our_names = names(callbacks.iter().map(|c| c.name()).collect());
    if saved_names != our_names {
        return Err(CheckpointError::Mismatch {
            path: checkpoint.source().to_path_buf(),
            problem: format!(
                "it was trained with the callbacks {saved_names}, this run has {our_names}"
            ),
        }
        .into());
    }
    for ((name, values, weights), callback) in saved.into_iter().zip(callbacks.iter_mut()) {
        if values.is_null() && weights.is_none() {
            continue;
        }
        let model = weights.map(&load_weights).transpose().map_err(|problem| {
            CheckpointError::Mismatch {
                path: checkpoint.source().to_path_buf(),
                problem: format!("the weights kept by {name} do not fit the model ({problem})"),
            }
        })?;
        callback.load_state(CallbackState {
            values: values.clone(),
            model,
        })?;
    }
    Ok(())
}
