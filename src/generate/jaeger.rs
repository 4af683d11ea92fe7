//! Jaeger query API (µs times, typed tags, kind/status as tags).

use super::*;

pub(super) fn jaeger_span(b: &mut Json, trace: u128, s: &Span) {
    b.raw("{\"traceID\":")
        .trace_id(trace)
        .raw(",\"spanID\":")
        .span_id(s.id)
        .raw(",\"flags\":1");
    b.raw(",\"operationName\":")
        .str(&s.name)
        .raw(",\"references\":[");
    if let Some(p) = s.parent {
        b.raw("{\"refType\":\"CHILD_OF\",\"traceID\":")
            .trace_id(trace)
            .raw(",\"spanID\":")
            .span_id(p)
            .raw("}");
    }
    b.raw("],\"startTime\":")
        .uint(s.start)
        .raw(",\"duration\":")
        .uint(s.end - s.start);
    b.raw(",\"tags\":[");
    jaeger_tag(b, "span.kind", &Val::Str(s.kind.lower().into()));
    let info = s.svc.info();
    b.raw(",");
    jaeger_tag(b, "otel.scope.name", &Val::Str(info.scope.into()));
    for (k, v) in &s.attrs {
        b.raw(",");
        jaeger_tag(b, k, v);
    }
    if let Some(msg) = &s.error {
        b.raw(",");
        jaeger_tag(b, "error", &Val::Bool(true));
        b.raw(",");
        jaeger_tag(b, "otel.status_code", &Val::Str("ERROR".into()));
        b.raw(",");
        jaeger_tag(b, "otel.status_description", &Val::Str(msg.clone()));
    }
    b.raw("],\"logs\":[");
    let mut n = 0;
    for e in &s.events {
        b.sep(&mut n)
            .raw("{\"timestamp\":")
            .uint(e.time)
            .raw(",\"fields\":[");
        jaeger_tag(b, "event", &Val::Str(e.name.into()));
        for (k, v) in &e.attrs {
            b.raw(",");
            jaeger_tag(b, k, v);
        }
        b.raw("]}");
    }
    b.raw("],\"processID\":\"p")
        .uint(s.svc as u64 + 1)
        .raw("\",\"warnings\":null}");
}

pub(super) fn jaeger_tag(b: &mut Json, k: &str, v: &Val) {
    b.raw("{\"key\":").str(k);
    match v {
        Val::Str(s) => b.raw(",\"type\":\"string\",\"value\":").str(s),
        Val::Int(i) => b.raw(",\"type\":\"int64\",\"value\":").int(*i),
        Val::Bool(x) => b.raw(if *x {
            ",\"type\":\"bool\",\"value\":true"
        } else {
            ",\"type\":\"bool\",\"value\":false"
        }),
        Val::Double(f) => b.raw(",\"type\":\"float64\",\"value\":").float(*f),
    };
    b.raw("}");
}
