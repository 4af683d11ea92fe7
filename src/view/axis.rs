//! Time-axis ticks: round steps (1, 2, 5 × 10^k ns) at least `min_gap_px` apart, labelled relative to the
//! trace start in the unit that suits the step (ns, µs, ms, s), or as clock times (`Clock::At`).

use super::viewport::Viewport;

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// How an axis labels its ticks: time since the trace's start, or the clock time at a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    Relative,
    /// `origin_ns`: the trace's start since the epoch (the viewport's 0); `offset_minutes` east of UTC.
    At { origin_ns: i64, offset_minutes: i32 },
}

impl Clock {
    /// The time at `t` ns into the trace, as the cursor's label says it: `+1.2 ms` or `10:05:09.001200Z`.
    pub fn at(self, t: f64) -> String {
        match self {
            Clock::Relative => format!("+{}", crate::format::duration(t.round() as i64)),
            Clock::At { origin_ns, offset_minutes } => crate::format::clock(origin_ns + t.round() as i64, offset_minutes),
        }
    }

    /// The least room between ticks for their labels: a clock time is longer than `2.5 ms`.
    pub fn gap_px(self) -> f64 {
        match self {
            Clock::Relative => 90.0,
            Clock::At { .. } => 140.0,
        }
    }
}

/// Ticks across the visible window, labelled as `clock` says, at least `clock.gap_px()` apart. Clock ticks
/// fall on round clock times (the trace's start is rarely round), and only the first says its zone.
pub fn ticks(vp: &Viewport, clock: Clock) -> Vec<Tick> {
    ticks_apart(vp, clock.gap_px(), clock)
}

fn ticks_apart(vp: &Viewport, min_gap_px: f64, clock: Clock) -> Vec<Tick> {
    let step = nice_step(vp.ns_per_px() * min_gap_px);
    // Ticks at k × step from `base`: 0 for relative times, the epoch (as an offset from the trace start)
    // for clock times. Both fit f64 to the ns for the window's range once made relative.
    let base = match clock {
        Clock::Relative => 0.0,
        Clock::At { origin_ns, .. } => -(origin_ns.rem_euclid(step as i64) as f64),
    };
    let first = ((vp.start_ns - base) / step).ceil() as i64;
    let last = ((vp.end_ns() - base) / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let t = base + k as f64 * step;
            let label = match clock {
                Clock::Relative => label(t, step),
                Clock::At { origin_ns, offset_minutes } => clock_label(origin_ns + t.round() as i64, step, offset_minutes, k == first),
            };
            Tick { x: vp.x_of(t), label }
        })
        .collect()
}

/// A clock time with the decimals one `step` needs: `10:05:09`, `10:05:09.25`, `10:05:09.123456`; the zone
/// (`Z`, `+05:30`) only when `zone` is asked.
pub fn clock_label(ns: i64, step: f64, offset_minutes: i32, zone: bool) -> String {
    let full = crate::format::clock(ns, offset_minutes); // HH:MM:SS.ffffff then the zone
    let (time, suffix) = full.split_at(15);
    let decimals = (-(step / 1e9).log10().floor()).clamp(0.0, 6.0) as usize;
    let time = if decimals == 0 { &time[..8] } else { &time[..9 + decimals] };
    if zone {
        format!("{time}{suffix}")
    } else {
        time.to_string()
    }
}

/// The smallest 1, 2 or 5 × 10^k that is at least `min` (and at least 1 ns).
pub fn nice_step(min: f64) -> f64 {
    let min = min.max(1.0);
    let mut magnitude = 10f64.powf(min.log10().floor());
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * magnitude >= min * (1.0 - 1e-9) {
                return m * magnitude;
            }
        }
        magnitude *= 10.0;
    }
}

/// `t` in the unit of `step`, with as many decimals as the step needs: `0`, `2.5 ms`, `1.25 s`.
pub fn label(t: f64, step: f64) -> String {
    if t == 0.0 {
        return "0".into();
    }
    let (scale, unit) = match step {
        // A step of 0.1 of a unit still reads best in that unit (1.2 s, not 1200 ms).
        s if s >= 1e8 => (1e9, "s"),
        s if s >= 1e5 => (1e6, "ms"),
        s if s >= 1e2 => (1e3, "µs"),
        _ => (1.0, "ns"),
    };
    // Decimals so that one step changes the last digit shown.
    let decimals = (-(step / scale).log10().floor()).max(0.0) as usize;
    format!("{:.*} {unit}", decimals, t / scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.3), 1.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(70.0), 100.0);
        assert_eq!(nice_step(1500.0), 2000.0);
        assert_eq!(nice_step(2000.0), 2000.0);
    }

    #[test]
    fn labels_use_the_unit_of_the_step() {
        assert_eq!(label(0.0, 1e6), "0");
        assert_eq!(label(2.5e6, 5e5), "2.5 ms");
        assert_eq!(label(3e6, 1e6), "3 ms");
        assert_eq!(label(1.25e9, 5e7), "1250 ms");
        assert_eq!(label(1.2e9, 1e8), "1.2 s");
        assert_eq!(label(40.0, 20.0), "40 ns");
        assert_eq!(label(12_000.0, 2000.0), "12 µs");
    }

    #[test]
    fn ticks_cover_the_window_at_least_the_gap_apart() {
        let vp = Viewport::new(1_000_000_000, 1, 1000.0, 100.0);
        let t = ticks_apart(&vp, 80.0, Clock::Relative);
        assert_eq!(t.first().unwrap().label, "0");
        assert_eq!(t[1].label, "0.1 s");
        assert_eq!(t.len(), 11);
        assert!(t.windows(2).all(|w| w[1].x - w[0].x >= 80.0));
    }

    #[test]
    fn clock_ticks_fall_on_round_clock_times() {
        // The trace starts at 10:05:09.123456789Z; 1 s over 1000 px: a tick every 0.1 s of the clock.
        let origin_ns = 1_768_471_509_123_456_789;
        let vp = Viewport::new(1_000_000_000, 1, 1000.0, 100.0);
        let t = ticks_apart(&vp, 80.0, Clock::At { origin_ns, offset_minutes: 0 });
        let labels: Vec<&str> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels[..3], ["10:05:09.2Z", "10:05:09.3", "10:05:09.4"]);
        assert_eq!(labels.last(), Some(&"10:05:10.1"));
        // 0.2 s after 10:05:09.0 is 0.076543211 s into the trace.
        assert!((t[0].x - 76.543211).abs() < 1e-3, "{}", t[0].x);
        assert!(t.windows(2).all(|w| (w[1].x - w[0].x - 100.0).abs() < 1e-6));
        let kolkata = ticks_apart(&vp, 80.0, Clock::At { origin_ns, offset_minutes: 330 });
        assert_eq!(kolkata[0].label, "15:35:09.2+05:30");
        assert_eq!(Clock::At { origin_ns, offset_minutes: 0 }.at(1000.0), "10:05:09.123457Z");
        assert_eq!(Clock::Relative.at(1.5e6), "+1.50 ms");
    }

    #[test]
    fn clock_labels_keep_the_decimals_of_the_step() {
        let ns = 1_768_471_509_123_456_789;
        assert_eq!(clock_label(ns, 1e9, 0, false), "10:05:09");
        assert_eq!(clock_label(ns, 5e7, 0, false), "10:05:09.12");
        assert_eq!(clock_label(ns, 2e3, 0, true), "10:05:09.123456Z");
        assert_eq!(clock_label(ns, 20.0, 0, false), "10:05:09.123456");
    }
}
