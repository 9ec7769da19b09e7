//! A learning rate that changes with every update: a short warm-up from near zero,
//! then a decay to zero by the last batch of the last epoch.
//!
//! Starting a freshly initialised network (batch normalisation above all) at full speed
//! can throw its weights far off; a warm-up lets the first updates be small. Ending
//! near zero lets the weights settle in the valley they have found instead of bouncing
//! across it. The rate of each batch depends only on its place in the run (epoch and
//! batch number), so a resumed run follows the same rates.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The shape of the decay after the warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decay {
    /// Half a cosine wave down to zero.
    Cosine,
    /// A straight line down to zero: with the straight warm-up, a triangle
    /// ("one-cycle").
    OneCycle,
}

/// A warm-up then a decay, over a run of `epochs` epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LrSchedule {
    /// How the rate falls after the warm-up.
    pub decay: Decay,
    /// Epochs of the warm-up, during which the rate climbs in a straight line from
    /// near zero to the run's learning rate (0: none; fractions allowed).
    pub warmup_epochs: f64,
}

impl LrSchedule {
    /// A cosine decay after `warmup_epochs` of warm-up.
    pub fn cosine(warmup_epochs: f64) -> Self {
        LrSchedule {
            decay: Decay::Cosine,
            warmup_epochs,
        }
    }

    /// A straight decay after `warmup_epochs` of warm-up.
    pub fn one_cycle(warmup_epochs: f64) -> Self {
        LrSchedule {
            decay: Decay::OneCycle,
            warmup_epochs,
        }
    }

    /// The rate of batch `batch` (from 1) of `epoch` (from 1) in a run of `epochs`
    /// epochs of `batches` batches, peaking at `peak`.
    pub fn rate(
        &self,
        peak: f64,
        epoch: usize,
        batch: usize,
        batches: usize,
        epochs: usize,
    ) -> f64 {
        let batches = batches.max(1) as f64;
        let total = epochs.max(1) as f64 * batches;
        // Updates done before this one ends, so the first update is already above zero.
        let step = (epoch.saturating_sub(1) as f64 * batches + batch as f64).min(total);
        let warmup = (self.warmup_epochs * batches).round().min(total);
        if step <= warmup {
            return peak * step / warmup.max(1.0);
        }
        // From 1 just after the warm-up to 0 after the last update.
        let left = (total - step) / (total - warmup).max(1.0);
        match self.decay {
            Decay::Cosine => peak * 0.5 * (1.0 - (PI * left).cos()),
            Decay::OneCycle => peak * left,
        }
    }

    /// Checks the schedule against the run's length, naming the problem and the fix.
    pub fn check(&self, epochs: usize) -> Result<(), String> {
        if !self.warmup_epochs.is_finite() || self.warmup_epochs < 0.0 {
            return Err(format!(
                "a warm-up of {} epochs is not a length of time. Fix: use --warmup 1 (or 0 for none)",
                self.warmup_epochs
            ));
        }
        if self.warmup_epochs >= epochs as f64 {
            return Err(format!(
                "the warm-up ({} epochs) is as long as the whole run ({epochs} epochs), leaving no time to decay. Fix: use a shorter --warmup, such as {}, or more --epochs",
                self.warmup_epochs,
                (epochs as f64 / 5.0).max(0.5)
            ));
        }
        Ok(())
    }
}

impl fmt::Display for LrSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decay = match self.decay {
            Decay::Cosine => "cosine",
            Decay::OneCycle => "one-cycle",
        };
        write!(f, "{decay} after a {}-epoch warm-up", self.warmup_epochs)
    }
}

/// A schedule name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown learning-rate schedule `{0}`. Fix: use one of constant, cosine, one-cycle")]
pub struct UnknownSchedule(pub String);

/// What `--schedule` accepts: the decay, or `constant` for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleName {
    /// The same rate throughout.
    Constant,
    /// A warm-up then this decay.
    Decay(Decay),
}

impl FromStr for ScheduleName {
    type Err = UnknownSchedule;

    fn from_str(text: &str) -> Result<Self, UnknownSchedule> {
        match text {
            "constant" | "none" => Ok(ScheduleName::Constant),
            "cosine" => Ok(ScheduleName::Decay(Decay::Cosine)),
            "one-cycle" | "onecycle" => Ok(ScheduleName::Decay(Decay::OneCycle)),
            other => Err(UnknownSchedule(other.to_string())),
        }
    }
}

impl ScheduleName {
    /// The schedule this name asks for, with `warmup_epochs` of warm-up.
    pub fn with_warmup(self, warmup_epochs: f64) -> Option<LrSchedule> {
        match self {
            ScheduleName::Constant => None,
            ScheduleName::Decay(decay) => Some(LrSchedule {
                decay,
                warmup_epochs,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(schedule: LrSchedule, epochs: usize, batches: usize) -> Vec<f64> {
        (1..=epochs)
            .flat_map(|e| (1..=batches).map(move |b| schedule.rate(1.0, e, b, batches, epochs)))
            .collect()
    }

    #[test]
    fn the_warm_up_climbs_in_a_straight_line_to_the_peak() {
        let r = rates(LrSchedule::one_cycle(1.0), 4, 4);
        assert_eq!(&r[..4], &[0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn one_cycle_falls_in_a_straight_line_to_zero_at_the_last_update() {
        let r = rates(LrSchedule::one_cycle(1.0), 4, 4);
        // 12 updates after the warm-up, from 11/12 down to 0.
        for (k, rate) in r[4..].iter().enumerate() {
            let expected = (11 - k) as f64 / 12.0;
            assert!((rate - expected).abs() < 1e-12, "{k}: {rate} vs {expected}");
        }
    }

    #[test]
    fn cosine_falls_slowly_first_then_fast_and_ends_at_zero() {
        let r = rates(LrSchedule::cosine(0.0), 10, 10);
        assert!(r[0] > 0.999 && r[0] <= 1.0);
        assert!((r[49] - 0.5).abs() < 1e-12, "half way: {}", r[49]);
        assert_eq!(*r.last().unwrap(), 0.0);
        assert!(r.windows(2).all(|w| w[1] <= w[0]), "never climbs");
    }

    #[test]
    fn a_rate_depends_only_on_its_place_in_the_run() {
        let s = LrSchedule::cosine(0.5);
        assert_eq!(s.rate(0.1, 3, 7, 20, 5), s.rate(0.1, 3, 7, 20, 5));
        assert!(s.rate(0.1, 1, 1, 20, 5) > 0.0, "the first update moves");
    }

    #[test]
    fn a_warm_up_as_long_as_the_run_is_refused_with_the_fix() {
        let message = LrSchedule::cosine(10.0).check(10).unwrap_err();
        assert!(message.contains("Fix: use a shorter --warmup"), "{message}");
        assert!(LrSchedule::cosine(-1.0).check(10).is_err());
        assert!(LrSchedule::cosine(2.0).check(10).is_ok());
    }

    #[test]
    fn names_parse_and_unknown_names_list_the_choices() {
        assert_eq!("constant".parse(), Ok(ScheduleName::Constant));
        assert_eq!(
            "one-cycle"
                .parse::<ScheduleName>()
                .unwrap()
                .with_warmup(1.0),
            Some(LrSchedule::one_cycle(1.0))
        );
        let message = "linear".parse::<ScheduleName>().unwrap_err().to_string();
        assert!(message.contains("constant, cosine, one-cycle"), "{message}");
    }
}
