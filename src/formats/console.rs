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

/// `2026-11-30T14:52:58.389782Z` (or with a `±HH:MM` offset) → nanoseconds since the epoch; `None` when it is
/// not such a time or out of range.
pub fn iso8601_ns(text: &str) -> Option<i64> {
    let t = text.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let digits = t.get(r)?;
        digits.iter().all(u8::is_ascii_digit).then(|| digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if t.len() < 19 || t[4] != b'-' || t[7] != b'-' || !matches!(t[10], b'T' | b't' | b' ') || t[13] != b':' || t[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0i64;
    if t.get(at) == Some(&b'.') {
        let digits = t[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, d) in t[at + 1..at + 1 + digits].iter().enumerate().take(9) {
            nanos += i64::from(d - b'0') * 10i64.pow(8 - i as u32);
        }
        at += 1 + digits;
    }
    let offset_s = match t.get(at..) {
        Some(b"Z" | b"z") | Some(b"") => 0,
        Some([sign @ (b'+' | b'-'), rest @ ..]) if rest.len() == 5 && rest[2] == b':' => {
            let (h, m) = (num(at + 1..at + 3)?, num(at + 4..at + 6)?);
            let s = h * 3600 + m * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return None,
    };
    // Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
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
    }
}
