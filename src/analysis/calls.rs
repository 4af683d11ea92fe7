//! What a call is, when sibling calls are grouped (N+1 runs, fan-outs, grouped repeats): its service and
//! operation, and, for a client span named by its HTTP method alone, what it reached.
//!
//! OpenTelemetry's HTTP instrumentations name a client span `GET` when they know no route template (the
//! semantic conventions' rule), so a gateway's six `GET`s to inventory and its `GET` to payment would read
//! as seven calls of one operation. The server span under each call tells them apart: the key adds the
//! (service, operation) of the call's child in another service. A call to something not traced (a bucket,
//! a payment provider) has no such child: its peer, as the span's attributes name it, stands in (with no
//! service). A call with neither keeps its name.

use crate::model::{AttrPool, AttrValue, Span, SpanIx, SpanKind, Strings, Sym, Trace};

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
        PEER_KEYS.iter().find_map(|k| text_attr(strings, attrs, span, k)).map(|v| (Strings::EMPTY, v))
    })
}

/// The span's own attribute `key`, when it is non-empty text.
fn text_attr(strings: &Strings, attrs: &AttrPool, span: &Span, key: &str) -> Option<Sym> {
    attrs.get(span.attributes).find(|a| strings.get(a.key) == key).and_then(|a| match a.value {
        AttrValue::Str(v) if !strings.get(v).is_empty() => Some(v),
        _ => None,
    })
}

/// Attributes that say what a client span waited on, most telling first: the peer's service or address,
/// the host of the URL it asked, the database or messaging system.
const WAITED_ON_KEYS: [&str; 9] = [
    "peer.service",
    "server.address",
    "net.peer.name",
    "url.full",
    "http.url",
    "http.host",
    "db.system.name",
    "db.system",
    "messaging.system",
];

/// What a CLIENT or PRODUCER span waited on when nothing traced answered it (no child in another service):
/// the peer its attributes name (a URL stands for its host). `None` for other spans, and for calls a
/// traced service answered.
pub fn untraced_peer(strings: &Strings, attrs: &AttrPool, trace: &Trace, s: SpanIx) -> Option<Option<String>> {
    let span = &trace.spans[s as usize];
    if !matches!(span.kind, SpanKind::Client | SpanKind::Producer) {
        return None;
    }
    if trace.tree.children_of(s).iter().any(|&c| trace.spans[c as usize].service != span.service) {
        return None;
    }
    let peer = WAITED_ON_KEYS.iter().find_map(|&key| {
        let value = strings.get(text_attr(strings, attrs, span, key)?);
        match key {
            "url.full" | "http.url" => url_host(value),
            _ => Some(value.to_string()),
        }
    });
    Some(peer)
}

/// `https://api.stripe.com:443/v1/charges` → `api.stripe.com:443`.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::trace_set;

    #[test]
    fn a_call_nothing_traced_answered_waited_on_the_peer_its_attributes_name() {
        let set = trace_set(
            "pay payment 0..100ms server\n  POST payment 1..90ms client url.full=https://api.stripe.com/v1/charges\n  \
             GET payment 90..95ms client\n  q payment 95..99ms client db.system=postgresql\n  \
             order payment 1..2ms client\n    POST order 1..2ms server\n  work payment 2..3ms",
        );
        let t = &set.traces[0];
        let peer = |s| untraced_peer(&set.strings, &set.attrs, t, s);
        assert_eq!(peer(1), Some(Some("api.stripe.com".to_string())));
        assert_eq!(peer(2), Some(None), "a client span naming no peer");
        assert_eq!(peer(3), Some(Some("postgresql".to_string())));
        assert_eq!(peer(4), None, "answered by a traced service");
        assert_eq!(peer(6), None, "not a call");
        assert_eq!(url_host("http://user@10.0.0.1:8080?x"), Some("10.0.0.1:8080".to_string()));
    }

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
