//! Findings: what a person should look at in a trace, each with the spans it is about and a plain message.
//! Kinds (a contract of `spanlens.summary/1`; add more, never rename): `error`, `broken-propagation`,
//! `dominant-span`, `n-plus-one`, `fan-out`, `oversized-attribute`, `clock-skew`.

use super::calls::{call_key, reached, untraced_peer, CallKey};
use super::clocks::{Clocks, Fit};
use crate::format::duration;
use crate::model::{AttrPool, notes, LinkKind, Resource, Span, SpanIx, SpanKind, Strings, Sym, Trace, TraceSet};
use rustc_hash::FxHashMap;

/// A span whose self time is at least this share of the trace is where the time goes: look inside it.
pub const DOMINANT_SELF_SHARE: f64 = 0.5;
/// Fewer sequential identical calls than this are normal; this many suggests a query per item (N+1).
pub const N_PLUS_ONE_MIN_RUN: usize = 5;
/// Calls in an N+1 run are "similar": none longer than this many times the run's median (retries and cache
/// misses make a few slower; HotROD's redis calls vary 6–39 ms around a 10 ms median).
pub const N_PLUS_ONE_SIMILAR_FACTOR: i64 = 5;
/// This many calls of one operation issued in parallel by one parent (or this many children running at
/// once) is a fan-out: worth checking that the parallelism, and its load downstream, are intended.
/// A pool-limited fan-out (HotROD issues its 10 route calls 3 at a time) counts too.
pub const FAN_OUT_MIN: usize = 10;
/// Attribute values longer than this (bytes) bloat storage and often mean an unbounded value (bodies, SQL).
pub const OVERSIZED_ATTRIBUTE_BYTES: usize = 1024;

/// What a finding is about. Its string names are part of `spanlens.summary/1`: add kinds, never rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FindingKind {
    Error,
    BrokenPropagation,
    DominantSpan,
    NPlusOne,
    FanOut,
    OversizedAttribute,
    ClockSkew,
}

impl FindingKind {
    pub const ALL: [FindingKind; 7] = [
        FindingKind::Error,
        FindingKind::BrokenPropagation,
        FindingKind::DominantSpan,
        FindingKind::NPlusOne,
        FindingKind::FanOut,
        FindingKind::OversizedAttribute,
        FindingKind::ClockSkew,
    ];

    /// The contract's name (`n-plus-one`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Error => "error",
            FindingKind::BrokenPropagation => "broken-propagation",
            FindingKind::DominantSpan => "dominant-span",
            FindingKind::NPlusOne => "n-plus-one",
            FindingKind::FanOut => "fan-out",
            FindingKind::OversizedAttribute => "oversized-attribute",
            FindingKind::ClockSkew => "clock-skew",
        }
    }
}

/// One finding: its kind, the spans it is about (indices into the trace, in a meaningful order: the first is
/// the one to select), and a plain message. The summary turns the spans into ids.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub spans: Vec<SpanIx>,
    pub message: String,
}

pub fn findings(set: &TraceSet, trace: &Trace, self_ns: &[i64]) -> Vec<Finding> {
    let f = Finder { strings: &set.strings, attrs: &set.attrs, resources: &set.resources, trace, out: Vec::new() };
    f.run(self_ns)
}

struct Finder<'a> {
    strings: &'a Strings,
    resources: &'a [Resource],
    attrs: &'a AttrPool,
    trace: &'a Trace,
    out: Vec<Finding>,
}

impl Finder<'_> {
    fn run(mut self, self_ns: &[i64]) -> Vec<Finding> {
        self.errors();
        self.broken_propagation();
        self.dominant_span(self_ns);
        self.sibling_patterns();
        self.oversized_attributes();
        self.clock_skew();
        self.out
    }

    fn span(&self, i: SpanIx) -> &Span {
        &self.trace.spans[i as usize]
    }

    fn s(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }

    /// "name (service)" for messages.
    fn label(&self, i: SpanIx) -> String {
        let span = self.span(i);
        self.named(span.service, span.name)
    }

    /// "GET /price (pricing)".
    fn named(&self, service: Sym, name: Sym) -> String {
        let name = crate::format::name(self.s(name));
        match self.s(service) {
            "" => name,
            service => format!("{name} ({})", crate::format::name(service)),
        }
    }

    /// A call as its group is named: its label, and for a call named by its HTTP method alone, what it
    /// reached ("GET (gateway) → GET /stock/:item (inventory)").
    fn call_label(&self, i: SpanIx) -> String {
        match reached(self.strings, self.attrs, self.trace, i) {
            Some((service, name)) => format!("{} → {}", self.label(i), self.named(service, name)),
            None => self.label(i),
        }
    }

    fn push(&mut self, kind: FindingKind, spans: &[SpanIx], message: String) {
        self.out.push(Finding { kind, spans: spans.to_vec(), message });
    }

    /// Failed spans, one finding per operation, with the first error message.
    fn errors(&mut self) {
        let mut by_operation: Vec<((Sym, Sym), Vec<SpanIx>)> = Vec::new();
        let mut index: FxHashMap<(Sym, Sym), usize> = FxHashMap::default();
        for (i, span) in self.trace.spans.iter().enumerate() {
            if span.is_error(self.strings) {
                let key = (span.service, span.name);
                let at = *index.entry(key).or_insert_with(|| {
                    by_operation.push((key, Vec::new()));
                    by_operation.len() - 1
                });
                by_operation[at].1.push(i as SpanIx);
            }
        }
        for (_, spans) in by_operation {
            let first = spans[0];
            let detail = self.error_detail(first);
            let count = spans.len();
            let what = if count == 1 { "failed".to_string() } else { format!("failed {count} times") };
            let message = format!("{} {what}{detail}", self.label(first));
            self.push(FindingKind::Error, &spans, message);
        }
    }

    /// ": <status message> (exception: <message>)", with whichever parts the span has.
    fn error_detail(&self, i: SpanIx) -> String {
        let span = self.span(i);
        let exception = span.events().iter().find(|e| self.s(e.name) == "exception").and_then(|e| {
            e.attributes.iter().find(|a| self.s(a.key) == "exception.message").map(|a| a.value.display(self.strings))
        });
        match (self.s(span.status_message), exception) {
            ("", None) => String::new(),
            ("", Some(e)) => format!(": {e}"),
            (m, Some(e)) if m != e => format!(": {m} (exception: {e})"),
            (m, _) => format!(": {m}"),
        }
    }

    fn broken_propagation(&mut self) {
        let tree = &self.trace.tree;
        if !tree.orphans.is_empty() {
            let orphans = tree.orphans.clone();
            let services: Vec<String> = {
                let mut v: Vec<String> = orphans.iter().map(|&i| self.s(self.span(i).service).to_string()).collect();
                v.sort();
                v.dedup();
                v
            };
            let message = format!(
                "{} span(s) name a parent that is not in the trace ({}): context was not propagated or the \
                 parent was not exported; they are shown as extra roots",
                orphans.len(),
                services.join(", ")
            );
            self.push(FindingKind::BrokenPropagation, &orphans, message);
        }
        // A consumer or server that starts a trace of its own, or continues another trace, split a trace.
        for &root in &tree.roots {
            let span = self.span(root);
            if span.has(notes::ORPHAN) {
                continue;
            }
            let continues = span.links().iter().find(|l| l.kind == LinkKind::ChildOf && l.trace_id != Some(self.trace.trace_id));
            let message = if let Some(link) = continues {
                let other = link.trace_id.map(|t| t.display(self.strings)).unwrap_or_default();
                format!("{} continues trace {other}: the trace was split in two", self.label(root))
            } else if span.kind == SpanKind::Consumer && tree.roots.len() > 1 {
                format!("{} is a consumer that started its own root: the message carried no trace context", self.label(root))
            } else {
                continue;
            };
            self.push(FindingKind::BrokenPropagation, &[root], message);
        }
    }

    fn dominant_span(&mut self, self_ns: &[i64]) {
        let trace_ns = self.trace.end_ns() - self.trace.start_ns();
        if self.trace.spans.len() < 2 || trace_ns <= 0 {
            return;
        }
        let Some((i, &own)) = self_ns.iter().enumerate().max_by_key(|&(i, &ns)| (ns, std::cmp::Reverse(i))) else {
            return;
        };
        let share = own as f64 / trace_ns as f64;
        if share >= DOMINANT_SELF_SHARE {
            let (label, own, percent) = (self.label(i as SpanIx), duration(own), share * 100.0);
            // A call nothing traced answered spent its time waiting on its peer, not inside itself.
            let message = match untraced_peer(self.strings, self.attrs, self.trace, i as SpanIx) {
                Some(Some(peer)) => format!("{label} waited {own} on {peer} (not traced), {percent:.0}% of the trace"),
                Some(None) => format!("{label} waited {own} on the peer it called (not traced), {percent:.0}% of the trace"),
                None => format!(
                    "{label} spends {own} in itself, {percent:.0}% of the trace: the time is inside this span, not in its calls"
                ),
            };
            self.push(FindingKind::DominantSpan, &[i as SpanIx], message);
        }
    }

    /// N+1 runs and fan-outs, from each parent's children grouped by operation.
    fn sibling_patterns(&mut self) {
        let trace = self.trace;
        let mut groups: FxHashMap<CallKey, Vec<SpanIx>> = FxHashMap::default();
        for parent in 0..trace.spans.len() as SpanIx {
            let children = trace.tree.children_of(parent);
            if children.len() < N_PLUS_ONE_MIN_RUN {
                continue;
            }
            groups.clear();
            for &c in children {
                groups.entry(call_key(self.strings, self.attrs, trace, c)).or_default().push(c);
            }
            let mut keys: Vec<&CallKey> = groups.keys().collect();
            keys.sort_by_key(|k| groups[k][0]); // deterministic: by the first call's position
            let mut fan_out: Vec<SpanIx> = Vec::new();
            for key in keys {
                let calls = &groups[key]; // ordered by start, like the children
                self.n_plus_one(parent, calls);
                let parallel = parallel_members(trace, calls);
                if parallel.len() >= FAN_OUT_MIN && parallel.len() > fan_out.len() {
                    fan_out = parallel;
                }
            }
            let peak = peak_concurrency(trace, children);
            if !fan_out.is_empty() || peak >= FAN_OUT_MIN {
                let calls = if fan_out.is_empty() { children.to_vec() } else { fan_out };
                let peak_of_calls = peak_concurrency(trace, &calls);
                let message = format!(
                    "{} fans out to {} parallel calls of {} (up to {} at once)",
                    self.label(parent),
                    calls.len(),
                    self.call_label(calls[0]),
                    peak_of_calls
                );
                let mut spans = vec![parent];
                spans.extend_from_slice(&calls);
                self.push(FindingKind::FanOut, &spans, message);
            }
        }
    }

    /// Runs of ≥ N_PLUS_ONE_MIN_RUN calls of one operation, each starting after the previous one ended.
    fn n_plus_one(&mut self, parent: SpanIx, calls: &[SpanIx]) {
        let mut run: Vec<SpanIx> = Vec::new();
        let flush = |this: &mut Self, run: &mut Vec<SpanIx>| {
            if run.len() >= N_PLUS_ONE_MIN_RUN && similar_durations(this.trace, run) {
                let total: i64 = run.iter().map(|&c| this.span(c).duration_ns()).sum();
                let message = format!(
                    "{} sequential {} calls under {} cost {} together (about {} each): fetch them in one batch",
                    run.len(),
                    this.call_label(run[0]),
                    this.label(parent),
                    duration(total),
                    duration(total / run.len() as i64)
                );
                this.push(FindingKind::NPlusOne, run, message);
            }
            run.clear();
        };
        for &c in calls {
            if let Some(&last) = run.last() {
                // Calls that seem to overlap by less than the start precision ran one after another.
                if self.span(c).start_ns + self.trace.tolerance_ns() < self.span(last).end_ns {
                    flush(self, &mut run);
                }
            }
            run.push(c);
        }
        flush(self, &mut run);
    }

    fn oversized_attributes(&mut self) {
        let mut by_key: Vec<(Sym, Vec<SpanIx>, usize)> = Vec::new();
        for (i, span) in self.trace.spans.iter().enumerate() {
            for a in self.attrs.get(span.attributes) {
                let len = a.value.text_len(self.strings);
                if len > OVERSIZED_ATTRIBUTE_BYTES {
                    match by_key.iter_mut().find(|(k, _, _)| *k == a.key) {
                        Some((_, spans, longest)) => {
                            if spans.last() != Some(&(i as SpanIx)) {
                                spans.push(i as SpanIx);
                            }
                            *longest = (*longest).max(len);
                        }
                        None => by_key.push((a.key, vec![i as SpanIx], len)),
                    }
                }
            }
        }
        for (key, spans, longest) in by_key {
            let message = format!(
                "attribute {} is over {} bytes on {} span(s) (longest {} bytes): cap or drop unbounded values",
                self.s(key),
                OVERSIZED_ATTRIBUTE_BYTES,
                spans.len(),
                longest
            );
            self.push(FindingKind::OversizedAttribute, &spans, message);
        }
    }

    /// Children that start before their parent, or lie wholly after a parent that waited for them, where
    /// the two were timed by different clocks (`clocks::fit`): the hosts' clocks disagree. Raw times are
    /// used, so adjusting skew does not hide it. Spans of one host are never skewed against each other.
    fn clock_skew(&mut self) {
        let trace = self.trace;
        let mut clocks = Clocks::of(self.resources, self.strings, self.attrs);
        // (parent service and host, child service and host) → spans, worst skew
        type Side = (Sym, Option<String>);
        let mut pairs: Vec<((Side, Side), Vec<SpanIx>, i64)> = Vec::new();
        for i in 0..trace.spans.len() as SpanIx {
            let Some(Fit::Skewed(skew)) = clocks.fit_in_parent(trace, i) else { continue };
            let p = trace.tree.parent_of(i).expect("a fit has a parent");
            let (parent, child) = (self.span(p), self.span(i));
            let key = ((parent.service, clocks.host_name(parent)), (child.service, clocks.host_name(child)));
            match pairs.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, spans, worst)) => {
                    spans.push(i);
                    *worst = (*worst).max(skew);
                }
                None => pairs.push((key, vec![i], skew)),
            }
        }
        for (((parent_service, parent_host), (child_service, child_host)), spans, worst) in pairs {
            let on = |service: Sym, host: Option<String>| match host {
                Some(host) => format!("{} (host {host})", self.s(service)),
                None => self.s(service).to_string(),
            };
            let message = format!(
                "{} span(s) of {} lie outside their parent in {} by up to {}: the two hosts' clocks disagree \
                 (turn on skew adjustment to align them)",
                spans.len(),
                on(child_service, child_host),
                on(parent_service, parent_host),
                duration(worst)
            );
            self.push(FindingKind::ClockSkew, &spans, message);
        }
    }
}

/// Members of a same-operation group that overlap another member: calls issued in parallel.
fn parallel_members(trace: &Trace, calls: &[SpanIx]) -> Vec<SpanIx> {
    let mut parallel = vec![false; calls.len()];
    let mut reach_end = i64::MIN;
    let mut reach_at = usize::MAX;
    for (k, &c) in calls.iter().enumerate() {
        let span = &trace.spans[c as usize];
        if k > 0 && span.start_ns + trace.tolerance_ns() < reach_end {
            parallel[k] = true;
            parallel[reach_at] = true;
        }
        if span.end_ns > reach_end {
            reach_end = span.end_ns;
            reach_at = k;
        }
    }
    calls.iter().zip(parallel).filter(|&(_, p)| p).map(|(&c, _)| c).collect()
}

/// The most spans running at one instant (zero-length spans do not count).
fn peak_concurrency(trace: &Trace, spans: &[SpanIx]) -> usize {
    let mut edges: Vec<(i64, i32)> = Vec::with_capacity(spans.len() * 2);
    for &s in spans {
        let span = &trace.spans[s as usize];
        if span.end_ns > span.start_ns {
            edges.push((span.start_ns, 1));
            edges.push((span.end_ns, -1));
        }
    }
    edges.sort_unstable(); // an end (-1) sorts before a start (+1) at the same instant: touching is not overlap
    let (mut now, mut peak) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        peak = peak.max(now);
    }
    peak as usize
}

fn similar_durations(trace: &Trace, run: &[SpanIx]) -> bool {
    let mut d: Vec<i64> = run.iter().map(|&c| trace.spans[c as usize].duration_ns()).collect();
    d.sort_unstable();
    let median = d[d.len() / 2];
    median > 0 && d[d.len() - 1] <= median * N_PLUS_ONE_SIMILAR_FACTOR
}
