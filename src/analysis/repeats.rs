//! Repeats: the children of one parent that share a service and operation, `REPEAT_MIN` or more of them (N+1
//! runs, fan-outs), as the findings group them. A collapsed repeat is drawn as one bar for all its members
//! ("12 × SELECT stock · 48 ms total · 3 errors"), its members' subtrees folded into it; `cover` says which
//! span each span is drawn as, so that nothing is lost: every span is drawn, or drawn as its group.

use super::calls::{call_key, CallKey};
use crate::model::{Source, SpanIx, StatusCode, Strings, Sym, Trace, TraceSet};
use rustc_hash::FxHashMap;

/// Siblings of one operation needed to make a group (the N+1 finding's run length).
pub const REPEAT_MIN: usize = super::findings::N_PLUS_ONE_MIN_RUN;

#[derive(Clone, Debug, PartialEq)]
pub struct Repeat {
    pub parent: SpanIx,
    pub service: Sym,
    pub name: Sym,
    /// The (service, operation) each call reached, for calls named by their HTTP method alone
    /// (`calls::reached`).
    pub reached: Option<(Sym, Sym)>,
    /// In start order; the first stands for the group when it is collapsed.
    pub members: Vec<SpanIx>,
    pub start_ns: i64,
    pub end_ns: i64,
    /// Σ of the members' durations.
    pub total_ns: i64,
    /// Failed spans among the members and under them.
    pub errors: u64,
    /// The members and every span under them.
    pub spans: u64,
}

impl Repeat {
    /// "12 × SELECT stock · 48 ms total · 3 errors"; "6 × GET → GET /stock/:item · 24 ms total" for calls
    /// named by their method alone.
    pub fn label(&self, strings: &Strings) -> String {
        let mut call = crate::format::name(strings.get(self.name));
        if let Some((_, reached)) = self.reached {
            call += &format!(" → {}", crate::format::name(strings.get(reached)));
        }
        let mut label = format!("{} × {call} · {} total", self.members.len(), crate::format::duration(self.total_ns));
        if self.errors > 0 {
            label += &format!(" · {}", crate::format::plural(self.errors, "error", "errors"));
        }
        label
    }
}

/// Every repeat of the trace, parents in span order, then by first member. O(n).
pub fn find(set: &TraceSet, trace: &Trace) -> Vec<Repeat> {
    let strings = &set.strings;
    // Failed spans and spans under each span, children before parents.
    let n = trace.spans.len();
    let (mut failed, mut under) = (vec![0u64; n], vec![1u64; n]);
    for &s in trace.tree.top_down().iter().rev() {
        failed[s as usize] += trace.spans[s as usize].is_error(strings) as u64;
        if let Some(p) = trace.tree.parent_of(s) {
            failed[p as usize] += failed[s as usize];
            under[p as usize] += under[s as usize];
        }
    }
    let mut out = Vec::new();
    let mut groups: FxHashMap<CallKey, Vec<SpanIx>> = FxHashMap::default();
    for parent in 0..n as SpanIx {
        let children = trace.tree.children_of(parent);
        if children.len() < REPEAT_MIN {
            continue;
        }
        groups.clear();
        for &c in children {
            groups.entry(call_key(strings, &set.attrs, trace, c)).or_default().push(c);
        }
        let mut found: Vec<Repeat> = groups
            .drain()
            .filter(|(_, members)| members.len() >= REPEAT_MIN)
            .map(|((service, name, reached), members)| {
                let spans = || members.iter().map(|&m| &trace.spans[m as usize]);
                Repeat {
                    parent,
                    service,
                    name,
                    reached,
                    start_ns: spans().map(|s| s.start_ns).min().unwrap_or(0),
                    end_ns: spans().map(|s| s.end_ns).max().unwrap_or(0),
                    total_ns: spans().map(|s| s.duration_ns()).sum(),
                    errors: members.iter().map(|&m| failed[m as usize]).sum(),
                    spans: members.iter().map(|&m| under[m as usize]).sum(),
                    members,
                }
            })
            .collect();
        found.sort_by_key(|r| r.members[0]);
        out.extend(found);
    }
    out
}

/// Which span each span is drawn as when the repeats marked in `collapsed` are folded: itself, or the
/// first member of the outermost collapsed repeat it belongs to or lies under. O(n).
pub fn cover(trace: &Trace, repeats: &[Repeat], collapsed: &[bool]) -> Vec<SpanIx> {
    let n = trace.spans.len();
    let mut cover: Vec<SpanIx> = (0..n as SpanIx).collect();
    let mut stands_for = vec![false; n];
    for (r, _) in repeats.iter().zip(collapsed).filter(|(_, &c)| c) {
        stands_for[r.members[0] as usize] = true;
        for &m in &r.members {
            cover[m as usize] = r.members[0];
        }
    }
    // Parents before children: a span under a folded span is drawn as what its parent is drawn as.
    for s in trace.tree.top_down() {
        let Some(p) = trace.tree.parent_of(s) else { continue };
        let drawn_as = cover[p as usize];
        if drawn_as != p {
            cover[s as usize] = drawn_as; // the parent is folded into a group
        } else if stands_for[p as usize] {
            cover[s as usize] = p; // the parent stands for a group: what is under it folds into it
        }
    }
    cover
}

/// Trace `ix` of `set` with the repeats marked in `collapsed` folded, as a set of its own for the flame
/// graph to draw: a collapsed repeat is its first member stretched over the group, named by its label and
/// failed when any span in it failed; the spans folded into it are left out. `shown[i]` is the original
/// span of the folded trace's span `i`. O(n) plus the copy of the set's tables.
pub fn folded(set: &TraceSet, ix: usize, repeats: &[Repeat], collapsed: &[bool]) -> (TraceSet, Vec<SpanIx>) {
    let trace = &set.traces[ix];
    let cover = cover(trace, repeats, collapsed);
    let mut strings = set.strings.clone();
    let mut group_of: FxHashMap<SpanIx, usize> = FxHashMap::default();
    for (r, repeat) in repeats.iter().enumerate() {
        if collapsed.get(r).copied().unwrap_or(false) && cover[repeat.members[0] as usize] == repeat.members[0] {
            group_of.insert(repeat.members[0], r);
        }
    }
    let shown: Vec<SpanIx> = (0..trace.spans.len() as SpanIx).filter(|&s| cover[s as usize] == s).collect();
    let spans = shown
        .iter()
        .map(|&s| {
            let mut span = trace.spans[s as usize].clone();
            if let Some(&r) = group_of.get(&s) {
                let repeat = &repeats[r];
                span.name = strings.intern(&repeat.label(&set.strings));
                (span.start_ns, span.end_ns) = (repeat.start_ns, repeat.end_ns);
                if repeat.errors > 0 {
                    span.status = StatusCode::Error;
                }
            }
            span
        })
        .collect();
    let mut folded = Trace::new(trace.trace_id, spans);
    folded.warnings = trace.warnings.clone();
    folded.start_precision_ns = trace.start_precision_ns;
    if !trace.skew_shift_ns.is_empty() {
        folded.skew_shift_ns = shown.iter().map(|&s| trace.skew_shift_ns[s as usize]).collect();
    }
    super::tree::build(&mut folded);
    let out = TraceSet {
        source: Source { name: format!("{} (repeats grouped)", set.source.name), ..set.source.clone() },
        traces: vec![folded],
        strings,
        resources: set.resources.clone(),
        scopes: set.scopes.clone(),
        attrs: set.attrs.clone(),
        warnings: Vec::new(),
        rejected: Vec::new(),
        span_objects: shown.len() as u64,
    };
    (out, shown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::testing::trace_set;

    const MS: i64 = 1_000_000;

    /// A request that runs 6 sequential SELECTs (each with a child), 3 cache calls, then a fan-out of 5
    /// parallel calls of which one fails.
    fn picture() -> String {
        let mut p = String::from("req api 0..200ms\n");
        for i in 0..6 {
            p += &format!("  select db {}..{}ms\n    parse db {}..{}ms\n", i * 10, i * 10 + 8, i * 10 + 1, i * 10 + 2);
        }
        for i in 0..3 {
            p += &format!("  get cache {}..{}ms\n", 60 + i * 5, 64 + i * 5);
        }
        for i in 0..5 {
            p += &format!("  call svc 100..{}ms{}\n", 150 + i * 10, if i == 2 { " error" } else { "" });
        }
        p
    }

    #[test]
    fn repeats_are_found_and_labelled() {
        let set = trace_set(&picture());
        let trace = &set.traces[0];
        let repeats = find(&set, trace);
        assert_eq!(repeats.len(), 2, "6 selects and 5 calls; 3 cache calls are too few");
        let selects = &repeats[0];
        assert_eq!((selects.members.len(), selects.spans, selects.start_ns - trace.start_ns(), selects.end_ns - trace.start_ns()), (6, 12, 0, 58 * MS));
        assert_eq!(selects.label(&set.strings), "6 × select · 48.0 ms total");
        assert_eq!(repeats[1].label(&set.strings), "5 × call · 350 ms total · 1 error");
    }

    #[test]
    fn grouping_keeps_every_span_accounted_for_and_the_critical_path_identical() {
        let set = trace_set(&picture());
        let trace = &set.traces[0];
        let analysis = analyze(&set, 0);
        let repeats = find(&set, trace);
        for collapsed in [[false, false], [true, false], [false, true], [true, true]] {
            let cover = cover(trace, &repeats, &collapsed);
            // Every span is drawn (covers itself) or drawn as a span that is drawn.
            assert!(cover.iter().all(|&c| cover[c as usize] == c), "{collapsed:?}");
            let drawn = cover.iter().enumerate().filter(|&(s, &c)| s as SpanIx == c).count();
            let folded_away: u64 = repeats.iter().zip(collapsed).filter(|(_, c)| *c).map(|(r, _)| r.spans - 1).sum();
            assert_eq!(drawn as u64 + folded_away, trace.spans.len() as u64, "{collapsed:?}");
            // The critical path is the same sections; each lies within the bar it is drawn on (a group's bar
            // spans its members).
            let extent = |s: SpanIx| match repeats.iter().zip(collapsed).find(|(r, c)| *c && r.members[0] == s) {
                Some((r, _)) => (r.start_ns, r.end_ns),
                None => (trace.spans[s as usize].start_ns, trace.spans[s as usize].end_ns),
            };
            for section in &analysis.critical_path.sections {
                let (lo, hi) = extent(cover[section.span as usize]);
                assert!(lo <= section.start_ns && section.end_ns <= hi, "{collapsed:?}: {section:?} outside {lo}..{hi}");
            }
            let on_path: i64 = analysis.critical_path.sections.iter().map(|s| s.end_ns - s.start_ns).sum();
            assert_eq!(on_path, 200 * MS);
            // The folded trace the flame graph draws: the spans drawn, a group named by its label, the same
            // end-to-end critical path.
            let (set2, shown) = folded(&set, 0, &repeats, &collapsed);
            assert_eq!(shown.len(), drawn);
            let folded_analysis = analyze(&set2, 0);
            let again: i64 = folded_analysis.critical_path.sections.iter().map(|s| s.end_ns - s.start_ns).sum();
            assert_eq!(again, 200 * MS, "{collapsed:?}");
            if collapsed[1] {
                let group = shown.iter().position(|&s| s == repeats[1].members[0]).unwrap();
                let span = &set2.traces[0].spans[group];
                assert_eq!(set2.str(span.name), "5 × call · 350 ms total · 1 error");
                assert_eq!((span.start_ns, span.end_ns, span.status), (repeats[1].start_ns, repeats[1].end_ns, StatusCode::Error));
            }
        }
    }

    #[test]
    fn a_million_span_fan_out_folds_in_one_pass() {
        use crate::model::{Span, SpanId, Strings, TraceId};
        let n = 1_000_000u64;
        let mut strings = Strings::new();
        let (api, db, root_name, q) = (strings.intern("api"), strings.intern("db"), strings.intern("root"), strings.intern("q"));
        let spans = (0..n)
            .map(|i| {
                let mut s = match i {
                    0 => Span::new(SpanId::Hex(1), None, 0, 2_000_000_000),
                    _ => Span::new(SpanId::Hex(i + 1), Some(SpanId::Hex(1)), (i % 1000) as i64 * 1000, (i % 1000) as i64 * 1000 + 500_000),
                };
                (s.service, s.name) = if i == 0 { (api, root_name) } else { (db, q) };
                s
            })
            .collect();
        let mut trace = Trace::new(TraceId::Hex(1), spans);
        crate::analysis::tree::build(&mut trace);
        let trace = &trace;
        let set = crate::model::TraceSet { strings, ..crate::testing::trace_set("x y 0..1ms") };
        let repeats = find(&set, trace);
        assert_eq!(repeats.len(), 1);
        let cover = cover(trace, &repeats, &[true]);
        assert_eq!(cover.iter().filter(|&&c| c == repeats[0].members[0]).count() as u64, n - 1);
    }
}
