//! Time-axis ticks: round steps (1, 2, 5 × 10^k ns) at least `min_gap_px` apart, labelled relative to the
//! trace start in the unit that suits the step (ns, µs, ms, s).

use super::viewport::Viewport;

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// Ticks across the visible window.
pub fn ticks(vp: &Viewport, min_gap_px: f64) -> Vec<Tick> {
    let step = nice_step(vp.ns_per_px() * min_gap_px);
    let first = (vp.start_ns / step).ceil() as i64;
    let last = (vp.end_ns() / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let t = k as f64 * step;
            Tick { x: vp.x_of(t), label: label(t, step) }
        })
        .collect()
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
        let t = ticks(&vp, 80.0);
        assert_eq!(t.first().unwrap().label, "0");
        assert_eq!(t[1].label, "0.1 s");
        assert_eq!(t.len(), 11);
        assert!(t.windows(2).all(|w| w[1].x - w[0].x >= 80.0));
    }
}
