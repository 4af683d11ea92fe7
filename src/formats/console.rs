//! OpenTelemetry console-exporter JSON (`otel-console`): what the Python SDK's `ConsoleSpanExporter` prints,
//! and what people copy from a terminal. One pretty-printed JSON object per span, one after another (not an
//! array, not JSONL); `context.trace_id` and `context.span_id` as `0x…` hex, `parent_id`, `kind` as
//! `"SpanKind.SERVER"`, `start_time`/`end_time` as ISO-8601 strings, `status.status_code` `UNSET|OK|ERROR`
//! with `description`, `attributes`, `events`, `links`, and `resource.attributes` inline in every span.

use super::builder::{times, Builder};
use crate::model::{
    Attr, AttrValue, Event, Extras, Format, IdEncoding, Link, LinkKind, Resource, Span, SpanKind, StatusCode,
    Strings,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub(super) struct ConsoleSpan {
    name: Option<String>,
    context: Option<Context>,
    kind: Option<String>,
    parent_id: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    status: Option<Status>,
    #[serde(default)]
    attributes: BTreeMap<String, Value>,
    #[serde(default)]
    events: Vec<ConsoleEvent>,
    #[serde(default)]
    links: Vec<ConsoleLink>,
    resource: Option<ConsoleResource>,
}

#[derive(Deserialize)]
struct Context {
    trace_id: Option<String>,
    span_id: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    status_code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct ConsoleEvent {
    name: Option<String>,
    timestamp: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct ConsoleLink {
    context: Option<Context>,
    #[serde(default)]
    attributes: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct ConsoleResource {
    #[serde(default)]
    attributes: BTreeMap<String, Value>,
}

/// Whether the input looks like console-exporter output: a JSON object whose first keys include a `context`
/// with a `0x` trace id, and more than one top-level value (a single one is read as it is).
pub(super) fn looks_like_console(body: &[u8]) -> bool {
    let head = &body[..body.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with('{') && compact.contains("\"context\":{\"trace_id\":\"0x")
}

/// `0xab12…` → `ab12…`.
fn hex(id: &Option<String>) -> Option<&str> {
    id.as_deref().map(|s| s.trim().trim_start_matches("0x"))
}

/// Adds one span.
pub(super) fn add(b: &mut Builder, s: ConsoleSpan) {
    b.set_format(Format::OtelConsole);
    b.set.span_objects += 1;
    let context = s.context.as_ref();
    let trace_id = b.trace_id(context.and_then(|c| hex(&c.trace_id)), IdEncoding::Hex);
    let span_id = b.span_id(context.and_then(|c| hex(&c.span_id)), IdEncoding::Hex);
    let parent_id = b.span_id(hex(&s.parent_id), IdEncoding::Hex);
    let mut notes = 0;
    let (start, end) = (s.start_time.as_deref().and_then(iso8601_ns), s.end_time.as_deref().and_then(iso8601_ns));
    let (start_ns, end_ns) = times(start, end, &mut notes);

    let resource = match s.resource {
        Some(r) => {
            let key = serde_json::to_string(&r.attributes).unwrap_or_default();
            b.shared_resource(key, |b| {
                let service = b.intern(r.attributes.get("service.name").and_then(Value::as_str).unwrap_or(""));
                let attributes = attrs(b, &r.attributes);
                Resource { service, attributes: attributes.into() }
            })
        }
        None => b.shared_resource(String::new(), |_| Resource::unknown()),
    };
    let service = b.set.resources[resource as usize].service;
    let (mut status, mut status_message) = (StatusCode::Unset, Strings::EMPTY);
    if let Some(st) = &s.status {
        status = StatusCode::from_name(st.status_code.as_deref().unwrap_or(""));
        if let Some(d) = st.description.as_deref().filter(|d| !d.is_empty()) {
            status_message = b.intern(d);
        }
    }
    let events: Vec<Event> = s
        .events
        .iter()
        .map(|e| Event {
            time_ns: e.timestamp.as_deref().and_then(iso8601_ns).unwrap_or(start_ns),
            name: b.intern(e.name.as_deref().unwrap_or("")),
            attributes: attrs(b, &e.attributes).into(),
        })
        .collect();
    let links: Vec<Link> = s
        .links
        .iter()
        .map(|l| {
            let context = l.context.as_ref();
            Link {
                trace_id: b.trace_id(context.and_then(|c| hex(&c.trace_id)), IdEncoding::Hex),
                span_id: b.span_id(context.and_then(|c| hex(&c.span_id)), IdEncoding::Hex),
                kind: LinkKind::Link,
                attributes: attrs(b, &l.attributes).into(),
            }
        })
        .collect();
    let attributes = attrs(b, &s.attributes);
    let kind = s.kind.as_deref().map_or(SpanKind::Unspecified, |k| SpanKind::from_name(k.trim_start_matches("SpanKind.")));
    let span = Span {
        span_id,
        parent_id,
        name: b.intern(s.name.as_deref().unwrap_or("")),
        service,
        start_ns,
        end_ns,
        kind,
        status,
        status_message,
        attributes: b.set.attrs.add(attributes),
        resource,
        scope: 0,
        notes,
        extras: Extras::of(events, links, []),
    };
    b.push(trace_id, span);
}

fn attrs(b: &mut Builder, map: &BTreeMap<String, Value>) -> Vec<Attr> {
    map.iter().map(|(k, v)| {
        let value = value(b, v);
        b.attr(k, value)
    }).collect()
}

/// A printed attribute value: strings, numbers, booleans, and lists of them (tuples print as lists).
fn value(b: &mut Builder, v: &Value) -> AttrValue {
    match v {
        Value::Bool(x) => AttrValue::Bool(*x),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => b.str_value(s),
        Value::Array(items) => AttrValue::Array(items.iter().map(|i| value(b, i)).collect()),
        other => b.str_value(&other.to_string()),
    }
}

/// `2026-11-30T14:52:58.389782Z` (RFC 3339, or with a `±HH:MM` offset) → nanoseconds since the epoch; `None`
/// when it is not such a time or out of range (past 2262).
pub fn iso8601_ns(text: &str) -> Option<i64> {
    let at = time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos()).ok()
}

/// Nanoseconds since the epoch as RFC 3339 UTC with all nine fractional digits: `2024-01-01T00:00:00.123456789Z`.
pub fn rfc3339(ns: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)).expect("any i64 of nanoseconds is a date");
    let nine_digits = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
    );
    at.format(&nine_digits).expect("a UTC date formats")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_times() {
        assert_eq!(iso8601_ns("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(iso8601_ns("2026-11-30T14:52:58.389782Z"), Some(1_796_050_378_389_782_000));
        assert_eq!(iso8601_ns("2000-02-29T12:00:00.5+01:00"), Some(951_822_000_500_000_000));
        assert_eq!(iso8601_ns("2024-01-01T00:00:00.123456789Z"), Some(1_704_067_200_123_456_789));
        assert_eq!(iso8601_ns("2024-13-01T00:00:00Z"), None);
        assert_eq!(iso8601_ns("yesterday"), None);
        assert_eq!(iso8601_ns("9999-12-31T23:59:59Z"), None, "past 2262: out of range, not wrapped");
        assert_eq!(rfc3339(1_704_067_200_123_456_789), "2024-01-01T00:00:00.123456789Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000000Z");
    }
}
