//! The aggregated flame graph: the spans of one trace or many merged by their path of (service, operation)
//! from the root. A node's width is the total time of its spans (or, in critical-path mode, their time on
//! the critical path); per node: count, in how many traces, errors, total, self, critical-path time,
//! p50/p95/max and the slowest instances. The "sandwich" of an operation: who calls it and what it calls.
//!
//! Drawn by the flame graph's renderer as a synthetic trace (`to_otlp_json`): each node a span, children
//! side by side from their parent's start in order of first appearance; where children add up to more than
//! their parent (calls in parallel), they are scaled to fit under it.

use super::breakdown::Part;
use super::stats::percentile;
use crate::export::{synthetic_otlp, Synthetic};
use crate::model::{SpanIx, Strings, Sym, TraceSet};
use rustc_hash::FxHashMap;

/// The slowest instances a node remembers, for "which traces have the slow ones".
pub const SLOWEST_KEPT: usize = 5;
/// No parent: a root node.
pub const NO_NODE: u32 = u32::MAX;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    pub parent: u32,
    pub service: Sym,
    pub name: Sym,
    pub depth: u32,
    pub count: u64,
    /// In how many of the parts (traces) the node has spans.
    pub traces: u32,
    pub errors: u64,
    pub total_ns: i64,
    pub self_ns: i64,
    /// Time on the critical path of the node's own spans.
    pub critical_ns: i64,
    /// …and of everything under them: the node's width in critical-path mode.
    pub critical_under_ns: i64,
    pub min_ns: i64,
    pub p50_ns: i64,
    pub p95_ns: i64,
    pub max_ns: i64,
    /// (part, span, duration), slowest first, at most `SLOWEST_KEPT`.
    pub slowest: Vec<(u32, SpanIx, i64)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Aggregate {
    /// Parents before children; children in order of first appearance.
    pub nodes: Vec<Node>,
    pub children: Vec<Vec<u32>>,
    pub roots: Vec<u32>,
    /// Per part, per span: its node.
    pub node_of: Vec<Vec<u32>>,
}

/// Merges the spans of `parts` by path. O(n) hashing plus a sort of each node's durations.
pub fn aggregate(set: &TraceSet, parts: &[Part]) -> Aggregate {
    let mut index: FxHashMap<(u32, Sym, Sym), u32> = FxHashMap::default();
    let mut agg = Aggregate::default();
    let mut durations: Vec<Vec<i64>> = Vec::new();
    let mut last_part: Vec<usize> = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        let trace = part.trace;
        let mut node_of = vec![NO_NODE; trace.spans.len()];
        for s in trace.tree.top_down() {
            let span = &trace.spans[s as usize];
            let parent = trace.tree.parent_of(s).map_or(NO_NODE, |p| node_of[p as usize]);
            let key = (parent, span.service, span.name);
            let node = *index.entry(key).or_insert_with(|| {
                let id = agg.nodes.len() as u32;
                let depth = if parent == NO_NODE { 0 } else { agg.nodes[parent as usize].depth + 1 };
                agg.nodes.push(Node { parent, service: span.service, name: span.name, depth, ..Node::default() });
                agg.children.push(Vec::new());
                durations.push(Vec::new());
                last_part.push(usize::MAX);
                match parent {
                    NO_NODE => agg.roots.push(id),
                    _ => agg.children[parent as usize].push(id),
                }
                id
            });
            node_of[s as usize] = node;
            let n = &mut agg.nodes[node as usize];
            let d = span.duration_ns();
            n.count += 1;
            n.errors += span.is_error(&set.strings) as u64;
            n.total_ns += d;
            n.self_ns += part.self_ns[s as usize];
            n.critical_ns += part.critical_ns[s as usize];
            if last_part[node as usize] != p {
                last_part[node as usize] = p;
                n.traces += 1;
            }
            keep_slowest(&mut n.slowest, (p as u32, s, d));
            durations[node as usize].push(d);
        }
        agg.node_of.push(node_of);
    }
    for (n, mut d) in agg.nodes.iter_mut().zip(durations) {
        d.sort_unstable();
        n.p50_ns = percentile(&d, 50);
        n.p95_ns = percentile(&d, 95);
        n.max_ns = d.last().copied().unwrap_or(0);
        n.min_ns = d.first().copied().unwrap_or(0);
        n.critical_under_ns = n.critical_ns;
    }
    // Children come after their parents: one backward pass sums each subtree.
    for i in (0..agg.nodes.len()).rev() {
        let (parent, under) = (agg.nodes[i].parent, agg.nodes[i].critical_under_ns);
        if parent != NO_NODE {
            agg.nodes[parent as usize].critical_under_ns += under;
        }
    }
    agg
}

fn keep_slowest(kept: &mut Vec<(u32, SpanIx, i64)>, item: (u32, SpanIx, i64)) {
    if kept.len() == SLOWEST_KEPT && kept.last().is_some_and(|l| l.2 >= item.2) {
        return;
    }
    let at = kept.partition_point(|k| k.2 >= item.2);
    kept.insert(at, item);
    kept.truncate(SLOWEST_KEPT);
}

/// The traces of `set` whose first root has the same (service, operation) as trace `ix`'s: those an
/// aggregate across the file merges (a different root is a different request).
pub fn same_root(set: &TraceSet, ix: usize) -> Vec<usize> {
    let root_op = |t: usize| set.traces[t].tree.roots.first().map(|&r| (set.traces[t].spans[r as usize].service, set.traces[t].spans[r as usize].name));
    let wanted = root_op(ix);
    (0..set.traces.len()).filter(|&t| root_op(t) == wanted).collect()
}

/// One operation's neighbours in an aggregate: the operations calling it and those it calls, with their
/// summed time and count, the largest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sandwich {
    pub count: u64,
    pub total_ns: i64,
    pub self_ns: i64,
    pub callers: Vec<(Sym, Sym, u64, i64)>,
    pub callees: Vec<(Sym, Sym, u64, i64)>,
}

pub fn sandwich(agg: &Aggregate, service: Sym, name: Sym) -> Sandwich {
    let mut out = Sandwich::default();
    let mut callers: FxHashMap<(Sym, Sym), (u64, i64)> = FxHashMap::default();
    let mut callees: FxHashMap<(Sym, Sym), (u64, i64)> = FxHashMap::default();
    for (i, n) in agg.nodes.iter().enumerate() {
        if (n.service, n.name) != (service, name) {
            continue;
        }
        out.count += n.count;
        out.total_ns += n.total_ns;
        out.self_ns += n.self_ns;
        if n.parent != NO_NODE {
            let p = &agg.nodes[n.parent as usize];
            let e = callers.entry((p.service, p.name)).or_default();
            e.0 += n.count;
            e.1 += n.total_ns;
        }
        for &c in &agg.children[i] {
            let c = &agg.nodes[c as usize];
            let e = callees.entry((c.service, c.name)).or_default();
            e.0 += c.count;
            e.1 += c.total_ns;
        }
    }
    let ranked = |m: FxHashMap<(Sym, Sym), (u64, i64)>| {
        let mut v: Vec<(Sym, Sym, u64, i64)> = m.into_iter().map(|((s, n), (c, t))| (s, n, c, t)).collect();
        v.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| (a.0, a.1).cmp(&(b.0, b.1))));
        v
    };
    out.callers = ranked(callers);
    out.callees = ranked(callees);
    out
}

/// What sizes a node in the drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Total,
    CriticalPath,
}

/// Each node's (start, end) in the drawing, ns from 0: roots side by side, children side by side from their
/// parent's start, scaled to fit under it when they add up to more.
pub fn placement(agg: &Aggregate, size: Size) -> Vec<(i64, i64)> {
    let width = |n: &Node| match size {
        Size::Total => n.total_ns,
        Size::CriticalPath => n.critical_under_ns,
    }
    .max(0);
    let mut at = vec![(0i64, 0i64); agg.nodes.len()];
    let mut next = 0i64;
    for &r in &agg.roots {
        let w = width(&agg.nodes[r as usize]);
        at[r as usize] = (next, next + w);
        next += w;
    }
    // Parents come before children in `nodes`, so one pass places every node.
    for i in 0..agg.nodes.len() {
        let (start, end) = at[i];
        let room = end - start;
        let kids = &agg.children[i];
        let sum: i64 = kids.iter().map(|&c| width(&agg.nodes[c as usize])).sum();
        let scale = if sum > room && sum > 0 { room as f64 / sum as f64 } else { 1.0 };
        let mut x = start;
        for &c in kids {
            let w = (width(&agg.nodes[c as usize]) as f64 * scale).round() as i64;
            at[c as usize] = (x, (x + w).min(end));
            x += w;
        }
    }
    at
}

/// The aggregate as an OTLP/JSON document the viewer reads like any file: a span per node (its width as
/// `placement` says; span id = node + 1), with the node's figures as `aggregate.*` attributes.
pub fn to_otlp_json(set: &TraceSet, agg: &Aggregate, size: Size, traces: usize) -> Vec<u8> {
    let strings: &Strings = &set.strings;
    let at = placement(agg, size);
    let spans: Vec<Synthetic> = agg
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| Synthetic {
            id: i as u64 + 1,
            parent: (n.parent != NO_NODE).then(|| u64::from(n.parent) + 1),
            service: strings.get(n.service).to_string(),
            name: strings.get(n.name).to_string(),
            start_ns: at[i].0,
            end_ns: at[i].1,
            error: (n.errors > 0).then(|| format!("{} failed", n.errors)),
            ints: vec![
                ("aggregate.count", n.count as i64),
                ("aggregate.traces", i64::from(n.traces)),
                ("aggregate.of_traces", traces as i64),
                ("aggregate.errors", n.errors as i64),
                ("aggregate.total_ns", n.total_ns),
                ("aggregate.self_ns", n.self_ns),
                ("aggregate.critical_path_ns", n.critical_ns),
                ("aggregate.critical_path_under_ns", n.critical_under_ns),
                ("aggregate.min_ns", n.min_ns),
                ("aggregate.p50_ns", n.p50_ns),
                ("aggregate.p95_ns", n.p95_ns),
                ("aggregate.max_ns", n.max_ns),
            ],
            texts: Vec::new(),
        })
        .collect();
    synthetic_otlp(0xa99a, &spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_all;
    use crate::testing::trace_set;

    const MS: i64 = 1_000_000;

    fn parts<'a>(set: &'a TraceSet, analyses: &'a [crate::analysis::TraceAnalysis]) -> Vec<Part<'a>> {
        set.traces.iter().zip(analyses).map(|(trace, a)| Part::new(trace, a)).collect()
    }

    /// Two requests: the first calls `db q` 3 times (10, 20, 30 ms), the second twice (40, 50 ms) and the
    /// cache once; `db q` under `cache get` is another path.
    const TWO: &str = "
        req   api   0..100ms  trace=1
          q   db    0..10ms   trace=1
          q   db    10..30ms  trace=1
          q   db    30..60ms  trace=1  error
        req   api   0..200ms  trace=2
          q   db    0..40ms   trace=2
          q   db    40..90ms  trace=2
          get cache 90..100ms trace=2
            q db    90..95ms  trace=2
    ";

    #[test]
    fn merged_by_path_with_worked_out_counts_and_percentiles() {
        let set = trace_set(TWO);
        let analyses = analyze_all(&set);
        let agg = aggregate(&set, &parts(&set, &analyses));
        let name = |n: &Node| format!("{}/{}", set.strings.get(n.service), set.strings.get(n.name));
        let names: Vec<String> = agg.nodes.iter().map(name).collect();
        assert_eq!(names, ["api/req", "db/q", "cache/get", "db/q"], "two db/q nodes: two paths");
        let req = &agg.nodes[0];
        assert_eq!((req.count, req.traces, req.total_ns, req.p50_ns, req.p95_ns, req.max_ns), (2, 2, 300 * MS, 100 * MS, 200 * MS, 200 * MS));
        let q = &agg.nodes[1];
        assert_eq!((q.count, q.traces, q.errors, q.total_ns, q.self_ns), (5, 2, 1, 150 * MS, 150 * MS));
        assert_eq!((q.p50_ns, q.p95_ns, q.max_ns), (30 * MS, 50 * MS, 50 * MS), "ranks 3 and 5 of 10, 20, 30, 40, 50 ms");
        assert_eq!(q.slowest.iter().map(|s| (s.0, s.2 / MS)).collect::<Vec<_>>(), [(1, 50), (1, 40), (0, 30), (0, 20), (0, 10)]);
        let deep = &agg.nodes[3];
        assert_eq!((deep.depth, deep.count, deep.traces, agg.nodes[deep.parent as usize].name), (2, 1, 1, agg.nodes[2].name));
        // Self time of req: 100 − 60 and 200 − 100.
        assert_eq!(req.self_ns, 140 * MS);
        // Every span in one node; each trace's critical path adds up to its root.
        assert_eq!(agg.nodes.iter().map(|n| n.count).sum::<u64>(), 9);
        assert_eq!(agg.nodes.iter().map(|n| n.critical_ns).sum::<i64>(), 300 * MS);

        let s = sandwich(&agg, q.service, q.name);
        assert_eq!((s.count, s.total_ns), (6, 155 * MS));
        let callers: Vec<(&str, u64)> = s.callers.iter().map(|c| (set.strings.get(c.1), c.2)).collect();
        assert_eq!(callers, [("req", 5), ("get", 1)]);
        assert!(s.callees.is_empty());
    }

    #[test]
    fn placement_scales_parallel_children_under_their_parent() {
        // 10 parallel calls of 50 ms under a 100 ms request: 500 ms of calls scaled into 100 ms.
        let mut picture = String::from("req api 0..100ms\n");
        for _ in 0..10 {
            picture += "  q db 20..70ms\n";
        }
        let set = trace_set(&picture);
        let analyses = analyze_all(&set);
        let agg = aggregate(&set, &parts(&set, &analyses));
        let at = placement(&agg, Size::Total);
        assert_eq!(at[0], (0, 100 * MS));
        assert_eq!(at[1], (0, 100 * MS), "the merged calls fill their parent, not five times it");
        let critical = placement(&agg, Size::CriticalPath);
        assert_eq!(critical[0], (0, 100 * MS), "the root's critical path is its duration");
        assert_eq!(critical[1], (0, 50 * MS), "one call of the ten is on the path: 50 ms");
        // The drawing reads back as a trace with a span per node and the figures as attributes.
        let doc = to_otlp_json(&set, &agg, Size::Total, 1);
        let back = crate::load("aggregate.json", &doc).unwrap();
        assert_eq!(back.traces.len(), 1);
        assert_eq!(back.traces[0].spans.len(), 2);
        let count = back.strings.lookup("aggregate.count").unwrap();
        let q = &back.traces[0].spans[1];
        let attr = back.attributes(q).find(|a| a.key == count).unwrap();
        assert_eq!(attr.value, crate::model::AttrValue::Int(10));
    }
}
