//! Statistics: self time per span, and per service and per operation (service + span name): count, total,
//! self time, critical-path time, p50/p95/max duration and errors.

use super::critical_path::CriticalPath;
use crate::model::{Strings, Sym, Trace};
use rustc_hash::FxHashMap;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupStats {
    pub service: Sym,
    /// The span name, for per-operation groups; `Strings::EMPTY` for per-service groups.
    pub name: Sym,
    pub count: u64,
    pub total_ns: i64,
    pub self_ns: i64,
    pub critical_ns: i64,
    pub p50_ns: i64,
    pub p95_ns: i64,
    pub max_ns: i64,
    pub errors: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Per span: its duration minus the union of its children's intervals clipped to it.
    pub self_ns: Vec<i64>,
    /// Sorted by total time, largest first.
    pub by_service: Vec<GroupStats>,
    /// Sorted by total time, largest first.
    pub by_operation: Vec<GroupStats>,
}

/// Self time of every span. Children are ordered by start, so their union is one sweep per parent.
pub fn self_times(trace: &Trace) -> Vec<i64> {
    trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let (lo, hi) = (span.start_ns, span.end_ns);
            let mut covered = 0;
            let mut reach = lo; // end of the union so far
            for &c in trace.tree.children_of(i as u32) {
                let child = &trace.spans[c as usize];
                let (start, end) = (child.start_ns.max(reach), child.end_ns.min(hi));
                if end > start {
                    covered += end - start;
                    reach = end;
                }
            }
            (hi - lo) - covered
        })
        .collect()
}

pub fn stats(strings: &Strings, trace: &Trace, critical: &CriticalPath) -> Stats {
    let self_ns = self_times(trace);
    let mut services: FxHashMap<Sym, (GroupStats, Vec<i64>)> = FxHashMap::default();
    let mut operations: FxHashMap<(Sym, Sym), (GroupStats, Vec<i64>)> = FxHashMap::default();
    for (i, span) in trace.spans.iter().enumerate() {
        let is_error = span.is_error(strings);
        let entries = [
            services.entry(span.service).or_insert_with(|| group(span.service, Strings::EMPTY)),
            operations.entry((span.service, span.name)).or_insert_with(|| group(span.service, span.name)),
        ];
        for (g, durations) in entries {
            g.count += 1;
            g.total_ns += span.duration_ns();
            g.self_ns += self_ns[i];
            g.critical_ns += critical.contribution_ns[i];
            g.errors += is_error as u64;
            durations.push(span.duration_ns());
        }
    }
    Stats {
        self_ns,
        by_service: finish(services.into_values(), strings),
        by_operation: finish(operations.into_values(), strings),
    }
}

fn group(service: Sym, name: Sym) -> (GroupStats, Vec<i64>) {
    (GroupStats { service, name, ..GroupStats::default() }, Vec::new())
}

fn finish(groups: impl Iterator<Item = (GroupStats, Vec<i64>)>, strings: &Strings) -> Vec<GroupStats> {
    let mut out: Vec<GroupStats> = groups
        .map(|(mut g, mut durations)| {
            durations.sort_unstable();
            g.p50_ns = percentile(&durations, 50);
            g.p95_ns = percentile(&durations, 95);
            g.max_ns = durations.last().copied().unwrap_or(0);
            g
        })
        .collect();
    // Deterministic: by total time, then by names.
    out.sort_by(|a, b| {
        b.total_ns
            .cmp(&a.total_ns)
            .then_with(|| strings.get(a.service).cmp(strings.get(b.service)))
            .then_with(|| strings.get(a.name).cmp(strings.get(b.name)))
    });
    out
}

/// Nearest-rank percentile of sorted values.
pub(crate) fn percentile(sorted: &[i64], p: usize) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), 50);
        assert_eq!(percentile(&v, 95), 95);
        assert_eq!(percentile(&[7], 95), 7);
    }

    #[test]
    fn self_time_subtracts_the_union_of_children_clipped_to_the_parent() {
        let t = crate::testing::trace(
            "root  s 0..100us
               a   s 10..40us
               b   s 20..50us
               c   s 90..140us",
        );
        // Children cover [10,50] and [90,100] of the root: 50 µs of 100.
        assert_eq!(self_times(&t), vec![50_000, 30_000, 30_000, 50_000]);
    }
}
