//! What a call is, when sibling calls are grouped (N+1 runs, fan-outs, grouped repeats): its service and
//! operation, and, for a client span named by its HTTP method alone, the operation it reached.
//!
//! OpenTelemetry's HTTP instrumentations name a client span `GET` when they know no route template (the
//! semantic conventions' rule), so a gateway's six `GET`s to inventory and its `GET` to payment would read
//! as seven calls of one operation. The server span under each call tells them apart: the key adds the
//! (service, operation) of the call's child in another service. A call with no such child keeps its name.

use crate::model::{SpanIx, Strings, Sym, Trace};

/// Span names that say only the HTTP method (`GET`, or `HTTP GET` as older instrumentations write it).
const METHODS: [&str; 9] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"];

/// (service, operation, the operation reached when the name is a bare method).
pub type CallKey = (Sym, Sym, Option<(Sym, Sym)>);

/// The key of span `s` for grouping it with its siblings.
pub fn call_key(strings: &Strings, trace: &Trace, s: SpanIx) -> CallKey {
    let span = &trace.spans[s as usize];
    (span.service, span.name, reached(strings, trace, s))
}

/// For a span named by its HTTP method alone: the (service, operation) of its first child in another
/// service, the server that answered it.
pub fn reached(strings: &Strings, trace: &Trace, s: SpanIx) -> Option<(Sym, Sym)> {
    let span = &trace.spans[s as usize];
    let name = strings.get(span.name);
    if !METHODS.contains(&name.strip_prefix("HTTP ").unwrap_or(name)) {
        return None;
    }
    trace.tree.children_of(s).iter().map(|&c| &trace.spans[c as usize]).find(|c| c.service != span.service).map(|c| (c.service, c.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::trace_set;

    #[test]
    fn a_call_named_by_its_method_is_told_apart_by_the_server_it_reached() {
        let set = trace_set(
            "buy gateway 0..100ms\n  GET gateway 0..10ms\n    stock inventory 1..9ms\n  GET gateway 10..20ms\n    charge payment 11..19ms\n  \
             GET gateway 20..30ms\n  render gateway 30..40ms\n    GET gateway 31..39ms",
        );
        let trace = &set.traces[0];
        let key = |name: &str, nth: usize| {
            let s = trace.spans.iter().enumerate().filter(|(_, s)| set.str(s.name) == name).nth(nth).unwrap().0 as SpanIx;
            call_key(&set.strings, trace, s).2.map(|(service, name)| format!("{}: {}", set.str(service), set.str(name)))
        };
        assert_eq!(key("GET", 0).as_deref(), Some("inventory: stock"));
        assert_eq!(key("GET", 1).as_deref(), Some("payment: charge"));
        assert_eq!(key("GET", 2), None, "no server span under it: its name alone");
        assert_eq!(key("render", 0), None, "a name that says more than the method");
    }
}
