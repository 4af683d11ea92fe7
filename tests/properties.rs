//! Properties of the analysis on generated trees (proptest), and the extreme shapes real traces take:
//! a 1M-deep chain and a root with 1M children, analyzed without recursion.

use proptest::prelude::*;
use spanlens::analysis::{self, critical_path::critical_path, layout::layout, stats::self_times, tree};
use spanlens::model::{Format, Source, Span, SpanId, Trace, TraceId, TraceSet};

/// A trace from (parent index or none, start, duration) rows: parents always come earlier.
fn trace_from(rows: &[(Option<usize>, i64, i64)]) -> Trace {
    let spans = rows
        .iter()
        .enumerate()
        .map(|(i, &(parent, start, duration))| {
            Span::new(SpanId::Hex(i as u64 + 1), parent.map(|p| SpanId::Hex(p as u64 + 1)), start, start + duration)
        })
        .collect();
    let mut t = Trace::new(TraceId::Hex(7), spans);
    tree::build(&mut t);
    t
}

/// Any tree: random parents (some spans are roots, some orphans), random times, children may lie outside.
fn any_trace() -> impl Strategy<Value = Trace> {
    prop::collection::vec((0usize..1000, 0i64..1000, 0i64..300, prop::bool::weighted(0.1)), 1..120).prop_map(|raw| {
        let rows: Vec<(Option<usize>, i64, i64)> = raw
            .iter()
            .enumerate()
            .map(|(i, &(p, start, dur, root))| ((i > 0 && !root).then(|| p % i), start, dur))
            .collect();
        trace_from(&rows)
    })
}

/// Properly nested traces: each child inside its parent, siblings one after another with gaps.
fn nested_trace() -> impl Strategy<Value = Trace> {
    prop::collection::vec((1usize..4, 0u8..3), 1..60).prop_map(|plan| {
        let mut rows: Vec<(Option<usize>, i64, i64)> = vec![(None, 0, 1_000_000)];
        let mut next_parent = 0;
        for (children, gap) in plan {
            if next_parent >= rows.len() {
                break;
            }
            let (_, start, duration) = rows[next_parent];
            let slot = duration / (children as i64 * 2 + 1);
            for k in 0..children as i64 {
                let child_start = start + slot * (2 * k + 1) - gap as i64;
                rows.push((Some(next_parent), child_start.max(start), slot));
            }
            next_parent += 1;
        }
        trace_from(&rows)
    })
}

proptest! {
    #[test]
    fn critical_path_sections_tile_each_root_and_never_overlap(t in any_trace()) {
        let path = critical_path(&t);
        for &root in &t.tree.roots {
            let r = &t.spans[root as usize];
            let mut sections: Vec<(i64, i64)> = path.sections.iter()
                .filter(|s| root_of(&t, s.span) == root)
                .map(|s| (s.start_ns, s.end_ns))
                .collect();
            sections.sort();
            let mut at = r.start_ns;
            for (start, end) in sections {
                prop_assert!(start < end, "no empty sections");
                prop_assert_eq!(start, at);
                at = end;
            }
            prop_assert_eq!(at, r.end_ns);
        }
        prop_assert!(path.contribution_ns.iter().all(|&c| c >= 0));
    }

    #[test]
    fn layout_rows_never_overlap_and_children_sit_below_parents(t in any_trace()) {
        let l = layout(&t);
        for row in 0..l.row_count() {
            let spans = l.spans_in_row(row);
            for pair in spans.windows(2) {
                let (a, b) = (&t.spans[pair[0] as usize], &t.spans[pair[1] as usize]);
                prop_assert!(a.end_ns <= b.start_ns, "row {} overlaps", row);
            }
        }
        for i in 0..t.spans.len() as u32 {
            if let Some(p) = t.tree.parent_of(i) {
                prop_assert!(l.row[i as usize] > l.row[p as usize]);
            }
            prop_assert!(l.spans_in_row(l.row[i as usize] as usize).contains(&i));
        }
        // Deterministic.
        prop_assert_eq!(l, layout(&t));
    }

    #[test]
    fn self_times_are_non_negative_and_sum_to_the_root_on_nested_traces(t in nested_trace()) {
        let own = self_times(&t);
        prop_assert!(own.iter().all(|&x| x >= 0));
        let root = &t.spans[0];
        prop_assert_eq!(own.iter().sum::<i64>(), root.duration_ns());
    }

    #[test]
    fn self_times_are_non_negative_on_any_trace(t in any_trace()) {
        prop_assert!(self_times(&t).iter().all(|&x| x >= 0));
    }
}

fn root_of(t: &Trace, mut span: u32) -> u32 {
    while let Some(p) = t.tree.parent_of(span) {
        span = p;
    }
    span
}

fn set_of(trace: Trace) -> TraceSet {
    let mut set = TraceSet::new(Source { name: "generated".into(), format: Format::OtlpJson, bytes: 0 });
    set.traces.push(trace);
    set
}

/// Runs on a thread with a small stack: nothing may recurse per span.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(512 * 1024).spawn(f).unwrap().join().unwrap();
}

#[test]
fn a_one_million_deep_chain_is_analyzed_without_recursion() {
    on_small_stack(|| {
        let n = 1_000_000i64;
        let rows: Vec<(Option<usize>, i64, i64)> =
            (0..n).map(|i| ((i > 0).then(|| i as usize - 1), i, 2 * (n - i))).collect();
        let set = set_of(trace_from(&rows));
        let a = analysis::analyze(&set, 0);
        assert_eq!(a.layout.row_count(), n as usize);
        // Each span owns 1 ns at either end: the path walks all the way down and back up.
        assert_eq!(a.critical_path.contribution_ns.iter().filter(|&&c| c > 0).count(), n as usize);
        assert_eq!(a.stats.self_ns[0], 2);
    });
}

#[test]
fn a_root_with_one_million_children_is_analyzed() {
    on_small_stack(|| {
        let n = 1_000_000usize;
        // Sequential children in one row, plus a second batch all overlapping each other at the end.
        let mut rows: Vec<(Option<usize>, i64, i64)> = vec![(None, 0, 3 * n as i64)];
        rows.extend((0..n - 1000).map(|i| (Some(0), i as i64 * 2, 1)));
        rows.extend((0..999).map(|i| (Some(0), 2 * n as i64 + i, 500)));
        let set = set_of(trace_from(&rows));
        let a = analysis::analyze(&set, 0);
        // The overlapping batch (500 ns each, started 1 ns apart) has at most 500 running at once: 500 lanes,
        // the first reusing the sequential calls' row; plus the root's row.
        assert_eq!(a.layout.row_count(), 1 + 500);
        assert!(a.findings.iter().any(|f| f.kind.as_str() == "fan-out"));
    });
}
