//! OTLP/JSON (spec encoding: hex ids, integer enums, 64-bit integers as decimal strings).

use super::*;

/// One `resourceSpans` entry holding the spans of `svc` in `spans`, in order.
pub(super) fn otlp_resource_spans(b: &mut Json, trace: u128, svc: Svc, spans: &[Span]) {
    b.raw("{\"resource\":{\"attributes\":[");
    let mut n = 0;
    for (k, v) in svc.resource() {
        b.sep(&mut n);
        otlp_kv(b, k, &Val::Str(v.into()));
    }
    let info = svc.info();
    b.raw("]},\"scopeSpans\":[{\"scope\":{\"name\":")
        .str(info.scope);
    b.raw(",\"version\":")
        .str(info.scope_version)
        .raw("},\"spans\":[");
    let mut n = 0;
    for s in spans.iter().filter(|s| s.svc == svc) {
        b.sep(&mut n);
        otlp_span(b, trace, s);
    }
    b.raw("]}]}");
}

pub(super) fn otlp_span(b: &mut Json, trace: u128, s: &Span) {
    b.raw("{\"traceId\":")
        .trace_id(trace)
        .raw(",\"spanId\":")
        .span_id(s.id);
    if let Some(p) = s.parent {
        b.raw(",\"parentSpanId\":").span_id(p);
    }
    b.raw(",\"name\":")
        .str(&s.name)
        .raw(",\"kind\":")
        .uint(s.kind.otlp().into());
    // µs → ns by appending three zeros: exact, and no overflow.
    b.raw(",\"startTimeUnixNano\":\"")
        .uint(s.start)
        .raw("000\",\"endTimeUnixNano\":\"")
        .uint(s.end)
        .raw("000\"");
    b.raw(",\"attributes\":");
    otlp_attrs(b, &s.attrs);
    if !s.events.is_empty() {
        b.raw(",\"events\":[");
        let mut n = 0;
        for e in &s.events {
            b.sep(&mut n)
                .raw("{\"timeUnixNano\":\"")
                .uint(e.time)
                .raw("000\",\"name\":")
                .str(e.name);
            b.raw(",\"attributes\":");
            otlp_attrs(b, &e.attrs);
            b.raw("}");
        }
        b.raw("]");
    }
    match &s.error {
        Some(msg) => b
            .raw(",\"status\":{\"code\":2,\"message\":")
            .str(msg)
            .raw("}}"),
        None => b.raw(",\"status\":{}}"),
    };
}

fn otlp_attrs(b: &mut Json, attrs: &[(&'static str, Val)]) {
    b.raw("[");
    let mut n = 0;
    for (k, v) in attrs {
        b.sep(&mut n);
        otlp_kv(b, k, v);
    }
    b.raw("]");
}

fn otlp_kv(b: &mut Json, k: &str, v: &Val) {
    b.raw("{\"key\":").str(k).raw(",\"value\":{");
    match v {
        Val::Str(s) => b.raw("\"stringValue\":").str(s),
        Val::Int(i) => b.raw("\"intValue\":\"").int(*i).raw("\""),
        Val::Bool(x) => b.raw(if *x {
            "\"boolValue\":true"
        } else {
            "\"boolValue\":false"
        }),
        Val::Double(f) => b.raw("\"doubleValue\":").float(*f),
    };
    b.raw("}}");
}
