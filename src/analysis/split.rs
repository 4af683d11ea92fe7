//! Traces split in two by a service that ignored the incoming context: its entry span, a root of its own
//! trace, answers another trace's call that has no child of its own, in another service. A SERVER entry must
//! lie within the CLIENT call that waited for it (traces that merely overlap in time do not match); a
//! CONSUMER entry must start while the PRODUCER call runs or within `HANDOFF_WINDOW_NS` after it. Each pair
//! gives a `broken-propagation` finding in both traces, naming the other trace and the call that lost the
//! context.

use super::findings::{Finding, FindingKind};
use super::TraceAnalysis;
use crate::model::{SpanIx, SpanKind, TraceSet};

/// A message handed off by a PRODUCER call is taken up by its CONSUMER within this long (ns) after the call.
pub const HANDOFF_WINDOW_NS: i64 = 100_000_000;

/// Calls that start at most this many before an entry are looked at (calls are sorted by start; the closest
/// match is among the latest to start).
const MAX_CANDIDATES: usize = 256;

/// One split: the call (trace, span) that lost the context, and the entry (trace, span) that started anew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    pub call_trace: usize,
    pub call: SpanIx,
    pub entry_trace: usize,
    pub entry: SpanIx,
}

/// Every split in the set, by entry. O(n log n) in spans.
pub fn splits(set: &TraceSet) -> Vec<Split> {
    if set.traces.len() < 2 {
        return Vec::new();
    }
    // Childless outgoing calls, by start: (start, end, trace, span).
    let mut calls: Vec<(i64, i64, usize, SpanIx)> = Vec::new();
    for (t, trace) in set.traces.iter().enumerate() {
        for (i, span) in trace.spans.iter().enumerate() {
            let outgoing = matches!(span.kind, SpanKind::Client | SpanKind::Producer);
            if outgoing && trace.tree.children_of(i as SpanIx).is_empty() {
                calls.push((span.start_ns, span.end_ns, t, i as SpanIx));
            }
        }
    }
    calls.sort_unstable();
    let mut used = vec![false; calls.len()];
    let mut out = Vec::new();
    for (t, trace) in set.traces.iter().enumerate() {
        let tolerance = trace.tolerance_ns();
        for root in trace.tree.true_roots(&trace.spans) {
            let entry = &trace.spans[root as usize];
            if !matches!(entry.kind, SpanKind::Server | SpanKind::Consumer) {
                continue;
            }
            let upto = calls.partition_point(|c| c.0 <= entry.start_ns + tolerance);
            let found = (upto.saturating_sub(MAX_CANDIDATES)..upto).rev().find(|&k| {
                let (_, end, call_trace, call) = calls[k];
                let caller = &set.traces[call_trace].spans[call as usize];
                let answers = match (caller.kind, entry.kind) {
                    (SpanKind::Client, SpanKind::Server) => entry.end_ns <= end + tolerance,
                    (SpanKind::Producer, SpanKind::Consumer) => entry.start_ns <= end + HANDOFF_WINDOW_NS,
                    _ => false,
                };
                answers && !used[k] && call_trace != t && caller.service != entry.service
            });
            if let Some(k) = found {
                used[k] = true;
                out.push(Split { call_trace: calls[k].2, call: calls[k].3, entry_trace: t, entry: root });
            }
        }
    }
    out
}

/// Adds each split's finding to both traces' analyses (`analyses[i]` is trace `i`'s).
pub fn add_findings(set: &TraceSet, analyses: &mut [TraceAnalysis]) {
    let label = |t: usize, s: SpanIx| {
        let span = &set.traces[t].spans[s as usize];
        format!("{} ({})", set.str(span.name), set.str(span.service))
    };
    let id = |t: usize| set.traces[t].trace_id.display(&set.strings);
    for split in splits(set) {
        let (call, entry) = (label(split.call_trace, split.call), label(split.entry_trace, split.entry));
        analyses[split.entry_trace].findings.push(Finding {
            kind: FindingKind::BrokenPropagation,
            spans: vec![split.entry],
            message: format!(
                "{entry} started a trace of its own while {call} in trace {} waited for it: the incoming context \
                 was not used, so the trace is split in two",
                id(split.call_trace)
            ),
        });
        analyses[split.call_trace].findings.push(Finding {
            kind: FindingKind::BrokenPropagation,
            spans: vec![split.call],
            message: format!(
                "{call} lost its context: the service it called started trace {} ({entry}), so the trace is split in two",
                id(split.entry_trace)
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_root_inside_a_childless_call_of_another_service_is_a_split() {
        let picture = |pay: &str| {
            crate::testing::trace_set(&format!(
                "checkout gateway 0..10ms server\n  charge gateway 2..9ms client\n{pay}\n  ledger payment 4..6ms client trace=2"
            ))
        };
        let set = picture("pay payment 3..8ms server trace=2");
        assert_eq!(set.traces.len(), 2);
        assert_eq!(splits(&set), [Split { call_trace: 0, call: 1, entry_trace: 1, entry: 0 }]);
        // The same entry after the call, outlasting it, or in the caller's own service, is no split.
        assert!(splits(&picture("pay payment 9.5..12ms server trace=2")).is_empty());
        assert!(splits(&picture("pay payment 3..30ms server trace=2")).is_empty());
        assert!(splits(&picture("pay gateway 3..8ms server trace=2")).is_empty());
        // A call with a child is answered: no split.
        let answered = crate::testing::trace_set(
            "checkout gateway 0..10ms server\n  charge gateway 2..9ms client\n    pay payment 3..8ms server\nother billing 4..5ms server trace=2",
        );
        assert!(splits(&answered).is_empty());
        // A message taken up after its producer returned, by a consumer that ignored the context.
        let queued = crate::testing::trace_set(
            "order shop 0..10ms server\n  publish shop 2..3ms producer\nprocess mailer 40..45ms consumer trace=2",
        );
        assert_eq!(splits(&queued), [Split { call_trace: 0, call: 1, entry_trace: 1, entry: 0 }]);
    }
}
