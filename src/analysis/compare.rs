//! Two traces compared span by span. The matching rule: a span of A and a span of B are the same call when
//! they have the same path of (service, operation) names from the root and the same occurrence among their
//! siblings of that operation, counted in start order (the third `SELECT stock` under the second
//! `GET /cart` of A matches the third under the second of B). Limits: a call that moved to another parent,
//! or an extra call early in a run of the same operation, shifts what later calls match; names are
//! compared as text, so the two traces may come from different files.
//!
//! Per matched pair: both durations, self times and critical-path times; unmatched spans are "only in A" or
//! "only in B". The verdict names the operation whose critical-path time changed most in the direction of
//! the end-to-end change: the critical path is what sets the end-to-end time.

use super::breakdown::Part;
use crate::export::{synthetic_otlp, Synthetic};
use crate::format::duration;
use crate::model::{SpanIx, TraceSet};
use rustc_hash::FxHashMap;

pub const NO_PAIR: u32 = u32::MAX;
/// A change smaller than this (and than 1% of A) is "the same time".
pub const SAME_NS: i64 = 1_000_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pair {
    pub parent: u32,
    pub service: String,
    pub name: String,
    pub depth: u32,
    pub a: Option<SpanIx>,
    pub b: Option<SpanIx>,
    /// (A, B) duration, self time and critical-path time; 0 for the side without the span.
    pub duration_ns: (i64, i64),
    pub self_ns: (i64, i64),
    pub critical_ns: (i64, i64),
}

impl Pair {
    pub fn delta_ns(&self) -> i64 {
        self.duration_ns.1 - self.duration_ns.0
    }

    pub fn side(&self) -> Side {
        match (self.a, self.b) {
            (Some(_), Some(_)) => Side::Both,
            (Some(_), None) => Side::OnlyA,
            _ => Side::OnlyB,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Both,
    OnlyA,
    OnlyB,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// Parents before children.
    pub pairs: Vec<Pair>,
    /// End-to-end durations (first span's start to last span's end).
    pub a_ns: i64,
    pub b_ns: i64,
    /// The operation that explains the change, with its critical-path change: ("payment: POST /charge", ns).
    pub culprit: Option<(String, i64)>,
}

impl Comparison {
    pub fn delta_ns(&self) -> i64 {
        self.b_ns - self.a_ns
    }

    /// One line: "B is 1.80 s slower; 1.50 s of it in payment: POST /charge (critical path)".
    pub fn verdict(&self) -> String {
        let d = self.delta_ns();
        if d.abs() < SAME_NS.max(self.a_ns / 100) {
            let changed = self.pairs.iter().filter(|p| p.side() != Side::Both || p.delta_ns() != 0).count();
            return match changed {
                0 => "A and B take the same time; no span differs".into(),
                n => format!("A and B take about the same time ({}); {n} spans differ", signed(d)),
            };
        }
        let mut said = format!("B is {} {}", duration(d.abs()), if d > 0 { "slower" } else { "faster" });
        if let Some((op, ns)) = &self.culprit {
            said += &format!("; {} of it in {op} (critical path)", duration(ns.abs()));
        }
        said
    }

    /// Pair numbers by the size of their change, largest first (only-in-one-side pairs by their duration).
    pub fn largest(&self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.pairs.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(self.pairs[i].delta_ns().abs()), i));
        order.truncate(n);
        order
    }
}

fn signed(ns: i64) -> String {
    format!("{}{}", if ns < 0 { "−" } else { "+" }, duration(ns.abs()))
}

/// Compares trace `a` of `set_a` with trace `b` of `set_b` (the same set or two files).
pub fn compare(set_a: &TraceSet, a: Part, set_b: &TraceSet, b: Part) -> Comparison {
    let mut out = Comparison { a_ns: extent(a), b_ns: extent(b), ..Comparison::default() };
    // (parent pair, service, name, occurrence) → pair.
    let mut index: FxHashMap<(u32, String, String, u32), u32> = FxHashMap::default();
    for (side, set, part) in [(0, set_a, a), (1, set_b, b)] {
        let trace = part.trace;
        let mut pair_of = vec![NO_PAIR; trace.spans.len()];
        // Occurrences per (parent pair, service, name), counted in the tree's order (siblings by start).
        let mut seen: FxHashMap<(u32, &str, &str), u32> = FxHashMap::default();
        for s in trace.tree.top_down() {
            let span = &trace.spans[s as usize];
            let parent = trace.tree.parent_of(s).map_or(NO_PAIR, |p| pair_of[p as usize]);
            let (service, name) = (set.str(span.service), set.str(span.name));
            let occurrence = {
                let n = seen.entry((parent, service, name)).or_default();
                *n += 1;
                *n - 1
            };
            let key = (parent, service.to_string(), name.to_string(), occurrence);
            let id = match index.get(&key) {
                Some(&id) => id,
                None => {
                    let id = out.pairs.len() as u32;
                    let depth = if parent == NO_PAIR { 0 } else { out.pairs[parent as usize].depth + 1 };
                    out.pairs.push(Pair { parent, service: service.to_string(), name: name.to_string(), depth, ..Pair::default() });
                    index.insert(key, id);
                    id
                }
            };
            pair_of[s as usize] = id;
            let p = &mut out.pairs[id as usize];
            let (d, own, crit) = (span.duration_ns(), part.self_ns[s as usize], part.critical_ns[s as usize]);
            if side == 0 {
                p.a = Some(s);
                (p.duration_ns.0, p.self_ns.0, p.critical_ns.0) = (d, own, crit);
            } else {
                p.b = Some(s);
                (p.duration_ns.1, p.self_ns.1, p.critical_ns.1) = (d, own, crit);
            }
        }
    }
    // The culprit: per operation, the change of its critical-path time; the largest in the direction of
    // the end-to-end change.
    let mut by_op: FxHashMap<(&str, &str), i64> = FxHashMap::default();
    for p in &out.pairs {
        *by_op.entry((&p.service, &p.name)).or_default() += p.critical_ns.1 - p.critical_ns.0;
    }
    let sign = out.delta_ns().signum();
    out.culprit = by_op
        .into_iter()
        .filter(|&(_, d)| d.signum() == sign && d != 0)
        .max_by(|x, y| x.1.abs().cmp(&y.1.abs()).then_with(|| y.0.cmp(&x.0)))
        .map(|((service, name), d)| (format!("{service}: {name}"), d));
    out
}

/// The comparison as a trace the viewer reads like any file (span id = pair + 1): each pair where B has it
/// (A's times for calls only in A), from its trace's start, with `compare.side` ("both", "only A",
/// "only B"), `compare.delta_ns`, and both durations as attributes. Drawn coloured by change.
pub fn to_otlp_json(c: &Comparison, a: Part, b: Part) -> Vec<u8> {
    // Each trace's start once: `Trace::start_ns` looks at every span.
    let (a_origin, b_origin) = (a.trace.start_ns(), b.trace.start_ns());
    let spans: Vec<Synthetic> = c
        .pairs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (trace, origin, span) = match (p.b, p.a) {
                (Some(s), _) => (b.trace, b_origin, s),
                (None, Some(s)) => (a.trace, a_origin, s),
                (None, None) => (b.trace, b_origin, 0),
            };
            let s = &trace.spans[span as usize];
            let side = match p.side() {
                Side::Both => "both",
                Side::OnlyA => "only A",
                Side::OnlyB => "only B",
            };
            Synthetic {
                id: i as u64 + 1,
                parent: (p.parent != NO_PAIR).then(|| u64::from(p.parent) + 1),
                service: p.service.clone(),
                name: p.name.clone(),
                start_ns: s.start_ns - origin,
                end_ns: s.end_ns - origin,
                error: None,
                ints: vec![
                    ("compare.delta_ns", if p.side() == Side::Both { p.delta_ns() } else { 0 }),
                    ("compare.a_ns", p.duration_ns.0),
                    ("compare.b_ns", p.duration_ns.1),
                    ("compare.a_critical_path_ns", p.critical_ns.0),
                    ("compare.b_critical_path_ns", p.critical_ns.1),
                ],
                texts: vec![("compare.side", side.to_string())],
            }
        })
        .collect();
    synthetic_otlp(0xd1ff, &spans)
}

fn extent(part: Part) -> i64 {
    part.trace.end_ns() - part.trace.start_ns()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze_all, TraceAnalysis};
    use crate::model::Trace;
    use crate::testing::trace_set;

    const MS: i64 = 1_000_000;

    fn part<'a>(trace: &'a Trace, a: &'a TraceAnalysis) -> Part<'a> {
        Part::new(trace, a)
    }

    fn checkout(charge_ms: i64) -> String {
        let end = 60 + charge_ms;
        format!(
            "checkout gateway 0..{}ms
               stock  inventory 0..20ms
               stock  inventory 20..40ms
               pay    payment   40..{}ms
                 charge payment 45..{}ms
               notify mailer    {}..{}ms",
            end + 30,
            end + 10,
            45 + charge_ms,
            end + 10,
            end + 30
        )
    }

    #[test]
    fn a_trace_compared_with_itself_differs_nowhere() {
        let set = trace_set(&checkout(100));
        let analyses = analyze_all(&set);
        let c = compare(&set, part(&set.traces[0], &analyses[0]), &set, part(&set.traces[0], &analyses[0]));
        assert_eq!(c.pairs.len(), 6);
        assert!(c.pairs.iter().all(|p| p.side() == Side::Both && p.delta_ns() == 0));
        assert_eq!(c.delta_ns(), 0);
        assert_eq!(c.verdict(), "A and B take the same time; no span differs");
    }

    #[test]
    fn the_slowed_operation_is_named_with_its_amount() {
        // B's charge takes 1.5 s longer: everything above it on the path grows by the same.
        let (a, b) = (trace_set(&checkout(100)), trace_set(&checkout(1600)));
        let (aa, ab) = (analyze_all(&a), analyze_all(&b));
        let c = compare(&a, part(&a.traces[0], &aa[0]), &b, part(&b.traces[0], &ab[0]));
        assert_eq!(c.delta_ns(), 1500 * MS);
        assert_eq!(c.culprit, Some(("payment: charge".to_string(), 1500 * MS)));
        assert_eq!(c.verdict(), "B is 1.50 s slower; 1.50 s of it in payment: charge (critical path)");
        // The two stock calls match by occurrence; the largest change is the root's, then pay's and charge's.
        let stock: Vec<&Pair> = c.pairs.iter().filter(|p| p.name == "stock").collect();
        assert_eq!(stock.len(), 2);
        assert!(stock.iter().all(|p| p.side() == Side::Both && p.delta_ns() == 0));
        let top: Vec<&str> = c.largest(3).into_iter().map(|i| c.pairs[i].name.as_str()).collect();
        assert_eq!(top, ["checkout", "pay", "charge"]);
        // And the other way round: A is B made faster.
        let back = compare(&b, part(&b.traces[0], &ab[0]), &a, part(&a.traces[0], &aa[0]));
        assert_eq!(back.verdict(), "B is 1.50 s faster; 1.50 s of it in payment: charge (critical path)");
    }

    #[test]
    fn calls_only_in_one_trace_are_said() {
        let a = trace_set("root svc 0..100ms\n  q db 0..10ms\n  q db 10..20ms");
        let b = trace_set("root svc 0..100ms\n  q db 0..10ms\n  q db 10..20ms\n  q db 20..30ms\n  c cache 30..40ms");
        let (aa, ab) = (analyze_all(&a), analyze_all(&b));
        let c = compare(&a, part(&a.traces[0], &aa[0]), &b, part(&b.traces[0], &ab[0]));
        let only_b: Vec<(&str, i64)> = c.pairs.iter().filter(|p| p.side() == Side::OnlyB).map(|p| (p.name.as_str(), p.duration_ns.1 / MS)).collect();
        assert_eq!(only_b, [("q", 10), ("c", 10)], "the third q and the cache call");
        assert_eq!(c.verdict(), "A and B take about the same time (+0 ns); 2 spans differ");
        // The diff reads back as a trace: a span per pair, each with its side, coloured by change.
        let doc = to_otlp_json(&c, part(&a.traces[0], &aa[0]), part(&b.traces[0], &ab[0]));
        let back = crate::load("diff.json", &doc).unwrap();
        assert_eq!(back.traces[0].spans.len(), c.pairs.len());
        let colours = crate::view::colour::colours(&back, &back.traces[0], &[0; 5], crate::view::colour::Colouring::Change);
        let only_b = colours.legend.entries.iter().find(|e| e.label == "only in B").unwrap().rgb;
        assert_eq!(colours.span.iter().filter(|&&c| c == only_b).count(), 2);
        // The calls in both took the same time: the neutral grey, on both themes.
        let same = colours.legend.entries.iter().find(|e| e.label == "no change").unwrap().rgb;
        assert_eq!(same, 0xa3a3a3);
        assert_eq!(colours.span.iter().filter(|&&c| c == same).count(), c.pairs.len() - 2);
    }
}
