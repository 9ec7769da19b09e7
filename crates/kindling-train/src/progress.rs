//! What `fit` prints: a Keras-style row per epoch and a progress bar within it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Verbosity;

/// Formats one epoch's row: `Epoch 3/10 - 4.1s - loss 1.2345 - accuracy 0.5612 - ...`.
/// `lr` and `seconds` are left out of the metric list (the time leads the row).
pub fn epoch_row(epoch: usize, epochs: usize, seconds: f64, metrics: &[(String, f64)]) -> String {
    let mut row = format!("Epoch {epoch}/{epochs} - {seconds:.1}s");
    for (name, value) in metrics {
        if name != "lr" && name != "seconds" {
            row.push_str(&format!(" - {name} {value:.4}"));
        }
    }
    row
}

/// Prints rows, notes and (on a terminal) a bar, as the verbosity says.
pub(crate) struct Progress {
    verbosity: Verbosity,
    show_bar: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(verbosity: Verbosity) -> Self {
        let show_bar = verbosity == Verbosity::Progress && std::io::stdout().is_terminal();
        Self {
            verbosity,
            show_bar,
            bar: None,
        }
    }

    pub(crate) fn start_epoch(&mut self, epoch: usize, epochs: usize, batches: usize) {
        if !self.show_bar {
            return;
        }
        let bar = ProgressBar::with_draw_target(
            Some(batches as u64),
            ProgressDrawTarget::stdout_with_hz(8),
        );
        let style =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed}<{eta} {msg}")
                .expect("the template is valid")
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("Epoch {epoch}/{epochs}"));
        bar.enable_steady_tick(Duration::from_millis(250));
        self.bar = Some(bar);
    }

    pub(crate) fn batch_done(&self, mean_loss: f64, accuracy: f64) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("loss {mean_loss:.4} - accuracy {accuracy:.4}"));
        }
    }

    pub(crate) fn clear_bar(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    pub(crate) fn line(&mut self, text: &str) {
        self.clear_bar();
        if self.verbosity != Verbosity::Silent {
            println!("{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_keras_layout() {
        let metrics = vec![
            ("loss".to_string(), 1.23456),
            ("accuracy".to_string(), 0.5),
            ("lr".to_string(), 0.001),
            ("seconds".to_string(), 4.12),
        ];
        assert_eq!(
            epoch_row(3, 10, 4.12, &metrics),
            "Epoch 3/10 - 4.1s - loss 1.2346 - accuracy 0.5000"
        );
    }
}
