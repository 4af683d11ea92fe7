//! Zipkin v2 (µs times, string tags, events as annotations).

use super::*;

pub(super) fn zipkin_span(b: &mut Json, scratch: &mut Json, trace: u128, s: &Span) {
    b.raw("{\"traceId\":")
        .trace_id(trace)
        .raw(",\"id\":")
        .span_id(s.id);
    if let Some(p) = s.parent {
        b.raw(",\"parentId\":").span_id(p);
    }
    b.raw(",\"name\":").str(&s.name);
    if let Some(kind) = s.kind.zipkin() {
        b.raw(",\"kind\":\"").raw(kind).raw("\"");
    }
    b.raw(",\"timestamp\":")
        .uint(s.start)
        .raw(",\"duration\":")
        .uint(s.end - s.start);
    b.raw(",\"localEndpoint\":{\"serviceName\":")
        .str(s.svc.info().name)
        .raw("}");
    if let Some(peer) = s.peer {
        b.raw(",\"remoteEndpoint\":{\"serviceName\":")
            .str(peer)
            .raw("}");
    }
    b.raw(",\"tags\":{");
    let info = s.svc.info();
    b.key("otel.scope.name").str(info.scope);
    for (k, v) in &s.attrs {
        b.raw(",").key(k).raw("\"").val_text(v).raw("\"");
    }
    if let Some(msg) = &s.error {
        b.raw(",\"otel.status_code\":\"ERROR\",")
            .key("error")
            .str(msg);
    }
    b.raw("}");
    if !s.events.is_empty() {
        // OTel's Zipkin mapping: value is the event name, or `"name":{attributes as JSON}`.
        b.raw(",\"annotations\":[");
        let mut n = 0;
        for e in &s.events {
            b.sep(&mut n)
                .raw("{\"timestamp\":")
                .uint(e.time)
                .raw(",\"value\":\"");
            if e.attrs.is_empty() {
                b.escaped(e.name);
            } else {
                scratch.0.clear();
                scratch.str(e.name).raw(":{");
                let mut m = 0;
                for (k, v) in &e.attrs {
                    scratch.sep(&mut m).key(k);
                    match v {
                        Val::Str(s) => scratch.str(s),
                        Val::Int(i) => scratch.int(*i),
                        Val::Bool(x) => scratch.raw(if *x { "true" } else { "false" }),
                        Val::Double(f) => scratch.float(*f),
                    };
                }
                scratch.raw("}");
                // Always UTF-8: scratch only holds text copied from &str values.
                b.escaped(std::str::from_utf8(&scratch.0).unwrap_or(""));
            }
            b.raw("\"}");
        }
        b.raw("]");
    }
    b.raw("}");
}
