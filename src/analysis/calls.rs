//! What a call is, when sibling calls are grouped (N+1 runs, fan-outs, grouped repeats): its service and
//! operation, and, for a client span named by its HTTP method alone, what it reached.
//!
//! OpenTelemetry's HTTP instrumentations name a client span `GET` when they know no route template (the
//! semantic conventions' rule), so a gateway's six `GET`s to inventory and its `GET` to payment would read
//! as seven calls of one operation. The server span under each call tells them apart: the key adds the
//! (service, operation) of the call's child in another service. A call to something not traced (a bucket,
//! a payment provider) has no such child: its peer, as the span's attributes name it, stands in (with no
//! service). A call with neither keeps its name.

use crate::model::{AttrPool, AttrValue, SpanIx, Strings, Sym, Trace};

/// Span names that say only the HTTP method (`GET`, or `HTTP GET` as older instrumentations write it).
const METHODS: [&str; 9] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"];

/// Attributes that name the peer of a call, most specific first (current and older conventions).
const PEER_KEYS: [&str; 4] = ["peer.service", "server.address", "net.peer.name", "http.host"];

/// (service, operation, what was reached when the name is a bare method).
pub type CallKey = (Sym, Sym, Option<(Sym, Sym)>);

/// The key of span `s` for grouping it with its siblings.
pub fn call_key(strings: &Strings, attrs: &AttrPool, trace: &Trace, s: SpanIx) -> CallKey {
    let span = &trace.spans[s as usize];
    (span.service, span.name, reached(strings, attrs, trace, s))
}

/// For a span named by its HTTP method alone: the (service, operation) of its first child in another
/// service, the server that answered it; else (no service, the peer) from its attributes.
pub fn reached(strings: &Strings, attrs: &AttrPool, trace: &Trace, s: SpanIx) -> Option<(Sym, Sym)> {
    let span = &trace.spans[s as usize];
    let name = strings.get(span.name);
    if !METHODS.contains(&name.strip_prefix("HTTP ").unwrap_or(name)) {
        return None;
    }
    let server = trace.tree.children_of(s).iter().map(|&c| &trace.spans[c as usize]).find(|c| c.service != span.service);
    server.map(|c| (c.service, c.name)).or_else(|| {
        let peer = |key: &str| attrs.get(span.attributes).find(|a| strings.get(a.key) == key).and_then(|a| match a.value {
            AttrValue::Str(v) if !strings.get(v).is_empty() => Some(v),
            _ => None,
        });
        PEER_KEYS.iter().find_map(|k| peer(k)).map(|v| (Strings::EMPTY, v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::trace_set;

    #[test]
    fn a_call_named_by_its_method_is_told_apart_by_the_server_it_reached() {
        let set = trace_set(
            "buy gateway 0..100ms\n  GET gateway 0..10ms\n    stock inventory 1..9ms\n  GET gateway 10..20ms\n    charge payment 11..19ms\n  \
             GET gateway 20..30ms\n  render gateway 30..40ms\n    GET gateway 31..39ms server.address=bucket.example\n  \
             GET gateway 40..50ms server.address=bucket.example peer.service=files",
        );
        let trace = &set.traces[0];
        let key = |name: &str, nth: usize| {
            let s = trace.spans.iter().enumerate().filter(|(_, s)| set.str(s.name) == name).nth(nth).unwrap().0 as SpanIx;
            call_key(&set.strings, &set.attrs, trace, s).2.map(|(service, name)| format!("{}: {}", set.str(service), set.str(name)))
        };
        assert_eq!(key("GET", 0).as_deref(), Some("inventory: stock"));
        assert_eq!(key("GET", 1).as_deref(), Some("payment: charge"));
        assert_eq!(key("GET", 2), None, "no server span under it, no peer named: its name alone");
        assert_eq!(key("GET", 3).as_deref(), Some(": bucket.example"), "a call to something not traced: its peer");
        assert_eq!(key("GET", 4).as_deref(), Some(": files"), "peer.service before server.address");
        assert_eq!(key("render", 0), None, "a name that says more than the method");
    }
}
