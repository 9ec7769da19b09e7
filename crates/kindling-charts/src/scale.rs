//! Axis ranges, tick positions and tick labels, linear or logarithmic.
//!
//! Ticks are computed here rather than left to plotters, whose log axis shows no
//! ticks at all when the data spans less than a decade (a loss going from 2.3 to
//! 0.6, say), and whose epoch axis could tick at 2.5.

/// The span of an axis and where its labelled ticks go.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scale {
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) log: bool,
    pub(crate) ticks: Vec<f64>,
    pub(crate) format: TickFormat,
}

impl Scale {
    /// An axis that shows `[min, max]` (finite, and above 0 when `log`) with a little
    /// room either side so no point sits on the frame.
    pub(crate) fn fit(min: f64, max: f64, log: bool) -> Scale {
        let (low, high) = if log {
            let (low, high) = (min.log10(), max.log10());
            let pad = if high > low { (high - low) * 0.05 } else { 0.3 };
            (10f64.powf(low - pad), 10f64.powf(high + pad))
        } else {
            let span = max - min;
            let pad = if span > 0.0 {
                span * 0.05
            } else if min != 0.0 {
                min.abs() * 0.1
            } else {
                1.0
            };
            (min - pad, max + pad)
        };
        let ticks = if log {
            log_ticks(low, high)
        } else {
            linear_ticks(low, high, 6)
        };
        let format = TickFormat::for_ticks(&ticks, log);
        Scale {
            low,
            high,
            log,
            ticks,
            format,
        }
    }

    /// The epoch axis: epochs 1 to `last`, with integer ticks only.
    pub(crate) fn epochs(last: usize) -> Scale {
        let last = last.max(1);
        let pad = if last == 1 {
            0.5
        } else {
            (last as f64 - 1.0) * 0.03
        };
        let step = nice_step(last as f64 / 10.0).max(1.0) as usize;
        let mut ticks: Vec<f64> = (1..=last)
            .filter(|epoch| epoch % step == 0)
            .map(|epoch| epoch as f64)
            .collect();
        if step >= 5 {
            // Epoch 1 is where every run starts; show it when it is not crowded by the
            // next tick.
            ticks.insert(0, 1.0);
        }
        Scale {
            low: 1.0 - pad,
            high: last as f64 + pad,
            log: false,
            ticks,
            format: TickFormat::Fixed(0),
        }
    }

    /// The label for a tick value.
    pub(crate) fn label(&self, value: f64) -> String {
        self.format.apply(value)
    }

    /// Whether the axis can be drawn at all (finite and not empty).
    pub(crate) fn is_drawable(&self) -> bool {
        self.low.is_finite() && self.high.is_finite() && self.high > self.low
    }
}

/// The smallest step of the form 1, 2 or 5 times a power of ten that is >= `rough`.
fn nice_step(rough: f64) -> f64 {
    if rough <= 0.0 || !rough.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    for factor in [1.0, 2.0, 5.0, 10.0] {
        if factor * power >= rough * (1.0 - 1e-9) {
            return factor * power;
        }
    }
    10.0 * power
}

/// About `target` evenly spaced round ticks inside `[low, high]`: the step is the
/// 1, 2 or 5 times a power of ten nearest (in ratio) to span / target.
pub(crate) fn linear_ticks(low: f64, high: f64, target: usize) -> Vec<f64> {
    let rough = (high - low) / target as f64;
    if rough <= 0.0 || !rough.is_finite() {
        return vec![low];
    }
    let exponent = rough.log10().floor() as i32;
    let factor = [1.0f64, 2.0, 5.0, 10.0]
        .into_iter()
        .min_by(|a, b| {
            let distance = |f: f64| (rough.log10() - (f.log10() + exponent as f64)).abs();
            distance(*a).total_cmp(&distance(*b))
        })
        .unwrap_or(1.0);
    // k * factor / 10^n rather than k * step: division by an exact power of ten
    // gives 0.6 where 3 * 0.2 gives 0.6000000000000001.
    let tick = |k: i64| {
        if exponent < 0 {
            k as f64 * factor / 10f64.powi(-exponent)
        } else {
            k as f64 * factor * 10f64.powi(exponent)
        }
    };
    let step = tick(1);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    if last.saturating_sub(first) > 1_000 {
        // Only reachable when rounding at extreme magnitudes breaks the step
        // arithmetic: no ticks beats a hang.
        return Vec::new();
    }
    (first..=last).map(tick).collect()
}

/// Ticks for a log axis: powers of ten when the range holds at least three, else
/// 1-2-5 steps, else (less than a decade) round linear steps, so there are always a
/// few labels.
fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let first_decade = low.log10().floor() as i32;
    let last_decade = high.log10().ceil() as i32;
    let within = |value: &f64| *value >= low * (1.0 - 1e-9) && *value <= high * (1.0 + 1e-9);
    let powers: Vec<i32> = (first_decade..=last_decade)
        .filter(|decade| within(&10f64.powi(*decade)))
        .collect();
    if powers.len() >= 3 {
        // Every `stride`-th power of ten: at most about eight labels.
        let stride = powers.len().div_ceil(8) as i32;
        return powers
            .into_iter()
            .filter(|decade| decade.rem_euclid(stride) == 0)
            .map(|decade| 10f64.powi(decade))
            .collect();
    }
    let one_two_five: Vec<f64> = (first_decade..=last_decade)
        .flat_map(|decade| [1.0, 2.0, 5.0].map(|digit| digit * 10f64.powi(decade)))
        .filter(within)
        .collect();
    if one_two_five.len() >= 3 {
        return one_two_five;
    }
    linear_ticks(low, high, 5)
        .into_iter()
        .filter(|tick| *tick > 0.0)
        .collect()
}

/// How the labels of one axis are written. Chosen once per axis so its labels agree
/// (`0.30, 0.35`, not `0.3, 0.35`; `1e-4, 1e-3`, not `1e-4, 0.001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TickFormat {
    /// `2.5e-4`: for very small or very large values.
    Scientific,
    /// A fixed number of decimals, enough for the tick step.
    Fixed(usize),
    /// As few decimals as each value needs (log axes: `0.5, 1, 2`).
    Trimmed,
}

impl TickFormat {
    pub(crate) fn for_ticks(ticks: &[f64], log: bool) -> TickFormat {
        let magnitudes = ticks.iter().map(|t| t.abs()).filter(|t| *t > 0.0);
        let largest = magnitudes.clone().fold(0.0, f64::max);
        let smallest = magnitudes.fold(f64::INFINITY, f64::min);
        if largest >= 1e5 || (log && smallest < 1e-3) || (!log && largest > 0.0 && largest < 1e-3) {
            return TickFormat::Scientific;
        }
        let evenly_spaced = ticks.windows(2).all(|pair| {
            let first_gap = ticks[1] - ticks[0];
            ((pair[1] - pair[0]) - first_gap).abs() <= first_gap.abs() * 1e-6
        });
        // Log ticks at 1-2-5 or powers of ten read best trimmed; evenly spaced ones
        // (a log axis spanning less than a decade) are formatted like a linear axis.
        if log && !(evenly_spaced && ticks.len() >= 3) {
            return TickFormat::Trimmed;
        }
        let step = match ticks {
            [first, second, ..] => second - first,
            [only] if *only != 0.0 => only.abs(),
            _ => 1.0,
        };
        let decimals = (-(step.log10() + 1e-9).floor()).clamp(0.0, 8.0) as usize;
        TickFormat::Fixed(decimals)
    }

    pub(crate) fn apply(self, value: f64) -> String {
        // No "-0" from a tick that is zero up to rounding.
        let value = if value == 0.0 { 0.0 } else { value };
        match self {
            TickFormat::Scientific if value == 0.0 => "0".to_string(),
            TickFormat::Scientific => {
                let text = format!("{value:.2e}");
                let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
                format!("{}e{exponent}", trim_zeros(mantissa))
            }
            TickFormat::Fixed(decimals) => format!("{value:.decimals$}"),
            TickFormat::Trimmed => trim_zeros(&format!("{value:.6}")).to_string(),
        }
    }
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(scale: &Scale) -> Vec<String> {
        scale.ticks.iter().map(|t| scale.label(*t)).collect()
    }

    #[test]
    fn labels_of_one_axis_share_a_format() {
        let scale = Scale::fit(0.12, 0.87, false);
        assert_eq!(labels(&scale)[..3], ["0.1", "0.2", "0.3"]);
        let fine = Scale::fit(0.3, 0.42, false);
        assert!(
            labels(&fine).iter().all(|l| l.len() == 4),
            "{:?}",
            labels(&fine)
        );
        let small = Scale::fit(2e-4, 1e-3, false);
        assert_eq!(labels(&small)[..2], ["0.0002", "0.0004"]);
        let tiny = Scale::fit(2e-5, 1e-4, false);
        assert_eq!(labels(&tiny)[..2], ["2e-5", "4e-5"]);
        let decades = Scale::fit(1e-6, 1e-1, true);
        assert_eq!(
            labels(&decades),
            ["1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1"]
        );
        let one_two_five = Scale::fit(0.45, 2.4, true);
        assert_eq!(labels(&one_two_five), ["0.5", "1", "2"]);
        let narrow = Scale::fit(0.9, 2.2, true);
        assert_eq!(labels(&narrow)[..3], ["1.0", "1.2", "1.4"]);
        let three_decades = Scale::fit(0.95, 10.5, true);
        assert_eq!(labels(&three_decades), ["1", "2", "5", "10"]);
        assert_eq!(TickFormat::Fixed(1).apply(-0.0), "0.0");
    }

    #[test]
    fn epoch_ticks_are_whole_epochs_from_one() {
        assert_eq!(Scale::epochs(4).ticks, [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(Scale::epochs(1).ticks, [1.0]);
        let many = Scale::epochs(50).ticks;
        assert_eq!(many[..3], [1.0, 5.0, 10.0]);
        assert_eq!(*many.last().unwrap(), 50.0);
    }

    #[test]
    fn a_log_axis_within_one_decade_still_has_ticks() {
        let scale = Scale::fit(0.6, 2.3, true);
        assert!(scale.ticks.len() >= 3, "{:?}", scale.ticks);
        assert!(
            scale
                .ticks
                .iter()
                .all(|t| *t >= scale.low && *t <= scale.high)
        );
        let wide = Scale::fit(1e-6, 1.0, true);
        assert!(wide.ticks.contains(&1e-3), "{:?}", wide.ticks);
    }

    #[test]
    fn linear_ticks_are_round_and_inside_the_range() {
        let scale = Scale::fit(0.12, 0.87, false);
        assert_eq!(scale.ticks, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
        assert!(
            scale
                .ticks
                .iter()
                .all(|t| *t >= scale.low && *t <= scale.high)
        );
        let flat = Scale::fit(3.0, 3.0, false);
        assert!(flat.high > flat.low);
    }
}
