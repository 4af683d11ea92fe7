//! Clock-skew adjustment, opt-in and transparent, in the spirit of Jaeger's adjuster: where a call crosses
//! clocks and the callee lies outside its caller as only skew can explain (`clocks::fit`: it starts before
//! its caller, or lies wholly after it), the callee (with everything below it) is shifted into the caller:
//! centred if it is shorter, start-aligned if it is longer. Spans of one host are never shifted against each
//! other, and a callee that starts inside its caller and ends after it is an overrun, not skew. Async
//! children (FOLLOWS_FROM, a PRODUCER's CONSUMER) are shifted only when they start before their parent.
//! Every shifted span records by how much (`Trace::skew_shift_ns`), so the raw times stay available.

use super::clocks::{awaited_by, fit, Clocks, Fit};
use crate::model::{notes, TraceSet};

/// Shifts the spans of trace `index` of `set` in place; returns how many moved. Idempotent: an adjusted
/// trace is first reset.
pub fn adjust(set: &mut TraceSet, index: usize) -> usize {
    let mut clocks = Clocks::of(&set.resources, &set.strings, &set.attrs);
    let trace = &mut set.traces[index];
    reset(trace);
    let n = trace.spans.len();
    let mut shift = vec![0i64; n];
    let tolerance = trace.tolerance_ns();
    // Parents before children, so each child is compared with its parent's adjusted times.
    let order = trace.tree.top_down();
    for &i in &order {
        let Some(p) = trace.tree.parent_of(i) else { continue };
        let (parent, child) = (&trace.spans[p as usize], &trace.spans[i as usize]);
        let inherited = shift[p as usize];
        let (ps, pe) = (parent.start_ns + inherited, parent.end_ns + inherited);
        let (cs, ce) = (child.start_ns + inherited, child.end_ns + inherited);
        let (one_clock, awaited) = (clocks.one_clock(parent, child), awaited_by(parent, child));
        let mut own = 0;
        if let Fit::Skewed(_) = fit((ps, pe), (cs, ce), one_clock, awaited, tolerance) {
            let (pd, cd) = (pe - ps, ce - cs);
            // An async child only moves to start with its parent: it may well outlive it.
            own = if awaited && cd <= pd { ps + (pd - cd) / 2 - cs } else { ps - cs };
        }
        shift[i as usize] = inherited + own;
    }
    let mut moved = 0;
    for (span, &by) in trace.spans.iter_mut().zip(&shift) {
        if by != 0 {
            span.start_ns += by;
            span.end_ns += by;
            for event in span.events_mut() {
                event.time_ns += by;
            }
            span.notes |= notes::SKEW_SHIFTED;
            moved += 1;
        }
    }
    trace.skew_shift_ns = shift;
    super::tree::sort_children(trace);
    moved
}

/// Puts every span back at its raw time.
pub fn reset(trace: &mut crate::model::Trace) {
    if trace.skew_shift_ns.is_empty() {
        return;
    }
    let shift = std::mem::take(&mut trace.skew_shift_ns);
    for (span, by) in trace.spans.iter_mut().zip(shift) {
        span.start_ns -= by;
        span.end_ns -= by;
        for event in span.events_mut() {
            event.time_ns -= by;
        }
        span.notes &= !notes::SKEW_SHIFTED;
    }
    super::tree::sort_children(trace);
}
