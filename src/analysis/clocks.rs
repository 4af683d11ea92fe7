//! Which spans were timed by one clock, and how a child's interval sits in its parent's.
//!
//! Two spans share a clock when they come from one process (one resource), or from one host: the resource
//! attributes that name the machine (OpenTelemetry's `host.id`, `host.name`, `k8s.node.*`, Jaeger's process
//! tags `hostname` and `ip`, Zipkin's local endpoint address) agree on the first key both sides carry. A
//! span whose resource names no host is asked itself: OpenTelemetry's Zipkin exporters write the resource's
//! attributes (`host.name`) into every span's tags. When no key is common, spans of one service are taken to
//! share a clock, and spans of two services not to.
//!
//! Between one clock's spans a child cannot be skewed against its parent: a server span that ends after the
//! client span that called it finished after the client had its answer (Node's HTTP server, for one, ends
//! its span on the response's `finish`). That is an overrun, shown as such, never skew (Jaeger's adjuster
//! has the same rule). Across clocks, skew is claimed only where the clocks must disagree: a child that
//! starts before its parent by more than the file's start precision, or lies wholly after a parent that
//! waited for it. A child that starts inside its parent and ends after it is an overrun either way.

use crate::model::{notes, Attr, AttrPool, AttrValue, Resource, Span, SpanIx, SpanKind, Strings, Sym, Trace, TraceSet};
use rustc_hash::FxHashMap;

/// Resource attributes that name the machine whose clock timed a span, most specific first.
const HOST_KEYS: [&str; 9] = [
    "host.id",
    "host.name",
    "k8s.node.uid",
    "k8s.node.name",
    "k8s.pod.uid",
    "hostname",
    "ip",
    "localEndpoint.ipv4",
    "localEndpoint.ipv6",
];

/// One host attribute's value (Jaeger clients write `ip` as an integer).
#[derive(Clone, Copy, PartialEq, Eq)]
enum HostValue {
    Text(Sym),
    Number(i64),
}

type Host = [Option<HostValue>; HOST_KEYS.len()];

/// Does `child` hold up `parent`? Async hand-offs do not: a FOLLOWS_FROM child, a PRODUCER's CONSUMER.
/// Such children may run after their parent ends; that is what they are for.
pub fn awaited_by(parent: &Span, child: &Span) -> bool {
    let handoff = parent.kind == SpanKind::Producer && child.kind == SpanKind::Consumer;
    !handoff && !child.has(notes::FOLLOWS_FROM)
}

/// How a child's interval sits in its parent's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Within the parent (or, for an async child, wherever it likes after the parent's start).
    Inside,
    /// Starts inside the parent and ends this many ns after it: the child was still finishing.
    EndsAfter(i64),
    /// The two clocks disagree by at least this many ns: the child starts before its parent (beyond the
    /// start precision), or lies wholly after a parent that waited for it.
    Skewed(i64),
}

/// Where `child` (start, end) lies in `parent` (start, end). `one_clock`: both were timed by one clock;
/// `awaited`: the parent waited for the child; `tolerance`: the file's start precision.
pub fn fit(parent: (i64, i64), child: (i64, i64), one_clock: bool, awaited: bool, tolerance: i64) -> Fit {
    let ((ps, pe), (cs, ce)) = (parent, child);
    let starts_inside = cs >= ps - tolerance && cs < pe;
    if awaited && starts_inside && ce > pe {
        return Fit::EndsAfter(ce - pe);
    }
    if one_clock {
        return Fit::Inside;
    }
    let early = ps - cs;
    if early > tolerance {
        Fit::Skewed(early.max(if awaited { ce - pe } else { 0 }))
    } else if awaited && cs >= pe && ce > pe {
        Fit::Skewed(ce - pe)
    } else {
        Fit::Inside
    }
}

/// Host identities of a set's resources, looked up as spans ask for them (a file may have thousands of
/// resources; one trace needs a few).
pub struct Clocks<'a> {
    resources: &'a [Resource],
    strings: &'a Strings,
    attrs: &'a AttrPool,
    keys: [Option<Sym>; HOST_KEYS.len()],
    hosts: FxHashMap<u32, Host>,
}

impl<'a> Clocks<'a> {
    pub fn new(set: &'a TraceSet) -> Clocks<'a> {
        Clocks::of(&set.resources, &set.strings, &set.attrs)
    }

    /// The same from the set's parts (for a caller that changes its traces meanwhile).
    pub fn of(resources: &'a [Resource], strings: &'a Strings, attrs: &'a AttrPool) -> Clocks<'a> {
        Clocks { resources, strings, attrs, keys: HOST_KEYS.map(|k| strings.lookup(k)), hosts: FxHashMap::default() }
    }

    /// The host attributes among `attrs`.
    fn read_host<'x>(&self, attrs: impl Iterator<Item = &'x Attr>) -> Host {
        let mut host: Host = [None; HOST_KEYS.len()];
        for attr in attrs {
            let Some(k) = self.keys.iter().position(|&k| k == Some(attr.key)) else { continue };
            host[k] = match attr.value {
                AttrValue::Str(s) if names_a_host(self.strings.get(s)) => Some(HostValue::Text(s)),
                AttrValue::Int(n) if n != 0 => Some(HostValue::Number(n)),
                _ => None,
            };
        }
        host
    }

    /// The span's host: its resource's, else its own attributes'.
    fn host(&mut self, span: &Span) -> Host {
        let resource = match self.hosts.get(&span.resource) {
            Some(&host) => host,
            None => {
                let attrs = self.resources.get(span.resource as usize).map(|r| &r.attributes[..]).unwrap_or_default();
                let host = self.read_host(attrs.iter());
                *self.hosts.entry(span.resource).or_insert(host)
            }
        };
        if resource.iter().any(Option::is_some) {
            return resource;
        }
        self.read_host(self.attrs.get(span.attributes))
    }

    /// Were `a` and `b` timed by one clock?
    pub fn one_clock(&mut self, a: &Span, b: &Span) -> bool {
        if a.resource == b.resource {
            return true;
        }
        let (ha, hb) = (self.host(a), self.host(b));
        match ha.iter().zip(&hb).find_map(|(x, y)| x.zip(*y)) {
            Some((x, y)) => x == y,
            None => a.service == b.service,
        }
    }

    /// The host a span ran on, as a person names it (`host.name` before `host.id`), when its resource says.
    pub fn host_name(&mut self, span: &Span) -> Option<String> {
        let host = self.host(span);
        const NAME_FIRST: [usize; 9] = [1, 5, 3, 0, 2, 4, 6, 7, 8];
        NAME_FIRST.iter().find_map(|&k| host[k]).map(|v| match v {
            HostValue::Text(s) => self.strings.get(s).to_string(),
            HostValue::Number(n) => ipv4_of(n),
        })
    }

    /// Where span `child` of `trace` lies in its parent, by their raw times (before any skew shift).
    pub fn fit_in_parent(&mut self, trace: &Trace, child: SpanIx) -> Option<Fit> {
        let parent = trace.tree.parent_of(child)?;
        let (p, c) = (&trace.spans[parent as usize], &trace.spans[child as usize]);
        let one_clock = self.one_clock(p, c);
        Some(fit(trace.raw_times(parent), trace.raw_times(child), one_clock, awaited_by(p, c), trace.tolerance_ns()))
    }
}

/// Loopback and unspecified addresses name no machine: every host has them.
fn names_a_host(value: &str) -> bool {
    let v = value.trim();
    !(v.is_empty() || v.starts_with("127.") || v == "::1" || v == "0.0.0.0" || v == "::" || v.eq_ignore_ascii_case("localhost"))
}

/// Jaeger clients write `ip` as the address's 32 bits in an integer.
fn ipv4_of(n: i64) -> String {
    let b = (n as u32).to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// How far span `child` ends after its parent, when it starts inside the parent and the parent waited for
/// it: the overrun the span panel and the timeline show (clock-independent: see `fit`).
pub fn ends_after_parent(trace: &Trace, child: SpanIx) -> Option<i64> {
    let parent = trace.tree.parent_of(child)?;
    let (p, c) = (&trace.spans[parent as usize], &trace.spans[child as usize]);
    match fit(trace.raw_times(parent), trace.raw_times(child), true, awaited_by(p, c), trace.tolerance_ns()) {
        Fit::EndsAfter(ns) => Some(ns),
        _ => None,
    }
}

/// The span panel's words for an overrun: "Ends 4.40 ms after its parent (the server finished after the
/// client had its answer)."
pub fn ends_after_parent_text(trace: &Trace, child: SpanIx) -> Option<String> {
    let after = ends_after_parent(trace, child)?;
    let parent = &trace.spans[trace.tree.parent_of(child)? as usize];
    let why = match (parent.kind, trace.spans[child as usize].kind) {
        (SpanKind::Client, SpanKind::Server) => "the server finished after the client had its answer",
        _ => "it was still finishing when its parent ended",
    };
    Some(format!("Ends {} after its parent ({why}): not clock skew.", crate::format::duration(after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_clock_never_skews_and_an_overrun_is_an_overrun() {
        // A server span that starts inside its client and ends 4.4 ms after it.
        assert_eq!(fit((0, 100), (10, 104), true, true, 0), Fit::EndsAfter(4));
        assert_eq!(fit((0, 100), (10, 104), false, true, 0), Fit::EndsAfter(4));
        // Starting early on one clock: not skew (nothing to claim), not an overrun.
        assert_eq!(fit((50, 100), (10, 60), true, true, 0), Fit::Inside);
        assert_eq!(fit((50, 100), (200, 260), true, true, 0), Fit::Inside);
    }

    #[test]
    fn across_clocks_only_an_early_start_or_lying_wholly_after_is_skew() {
        assert_eq!(fit((50, 100), (10, 60), false, true, 0), Fit::Skewed(40));
        assert_eq!(fit((50, 100), (10, 160), false, true, 0), Fit::Skewed(60));
        assert_eq!(fit((50, 100), (140, 160), false, true, 0), Fit::Skewed(60));
        assert_eq!(fit((50, 100), (60, 90), false, true, 0), Fit::Inside);
        // Within the start precision, an early start is not one.
        assert_eq!(fit((50, 100), (49, 90), false, true, 1), Fit::Inside);
        // An async child may run after its parent, but not start before it.
        assert_eq!(fit((50, 100), (140, 160), false, false, 0), Fit::Inside);
        assert_eq!(fit((50, 100), (60, 160), false, false, 0), Fit::Inside);
        assert_eq!(fit((50, 100), (10, 20), false, false, 0), Fit::Skewed(40));
    }

    #[test]
    fn hosts_compare_on_the_first_key_both_sides_carry() {
        let set = crate::testing::trace_set(
            "a gw  0..100ms server host=one
               b inv 10..104ms client host=one
               c pay 10..90ms client host=two
               d gw  10..20ms client",
        );
        let t = &set.traces[0];
        let mut clocks = Clocks::new(&set);
        let s = |i: usize| &t.spans[i];
        assert!(clocks.one_clock(s(0), s(1)), "one host");
        assert!(!clocks.one_clock(s(0), s(2)), "two hosts");
        assert!(clocks.one_clock(s(0), s(3)), "no host on one side: one service, one clock");
        assert!(!clocks.one_clock(s(2), s(3)), "no host on one side: two services");
        assert_eq!(clocks.host_name(s(2)).as_deref(), Some("two"));
        assert_eq!(clocks.host_name(s(3)), None);
        assert_eq!(clocks.fit_in_parent(t, 1), Some(Fit::EndsAfter(4_000_000)));
        assert_eq!(ends_after_parent(t, 1), Some(4_000_000));
        assert_eq!(ends_after_parent(t, 2), None);
        assert_eq!(
            ends_after_parent_text(t, 1).as_deref(),
            Some("Ends 4.00 ms after its parent (it was still finishing when its parent ended): not clock skew.")
        );
    }

    #[test]
    fn loopback_addresses_name_no_host_and_integer_ips_read_as_addresses() {
        assert!(!names_a_host("127.0.0.1") && !names_a_host("::1") && !names_a_host("localhost"));
        assert!(names_a_host("10.1.2.3"));
        assert_eq!(ipv4_of(0x0a01_0203), "10.1.2.3");
    }
}
