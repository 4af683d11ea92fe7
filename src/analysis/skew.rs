//! Clock-skew adjustment, opt-in and transparent, in the spirit of Jaeger's adjuster: where a call crosses
//! services and the callee lies outside its caller, the callee (with everything below it) is shifted into the
//! caller: centred if it is shorter, start-aligned if it is longer. Async children (FOLLOWS_FROM, a
//! PRODUCER's CONSUMER) are never shifted, since running outside their parent is what they do. Every
//! shifted span records by how much (`Trace::skew_shift_ns`), so the raw times stay available.

use crate::model::{notes, SpanKind, Trace};

/// Shifts spans in place; returns how many moved. Idempotent: an adjusted trace is first reset.
pub fn adjust(trace: &mut Trace) -> usize {
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
        let is_async =
            child.has(notes::FOLLOWS_FROM) || (parent.kind == SpanKind::Producer && child.kind == SpanKind::Consumer);
        let mut own = 0;
        if parent.service != child.service && !is_async {
            let (ps, pe) = (parent.start_ns + inherited, parent.end_ns + inherited);
            let (cs, ce) = (child.start_ns + inherited, child.end_ns + inherited);
            // Differences within the file's start precision are not skew.
            if cs < ps - tolerance || ce > pe + tolerance {
                let (pd, cd) = (pe - ps, ce - cs);
                own = if cd <= pd { ps + (pd - cd) / 2 - cs } else { ps - cs };
            }
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
pub fn reset(trace: &mut Trace) {
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
