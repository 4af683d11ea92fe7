//! Zipkin v2: a flat array of spans, times in microseconds, `timestamp`/`duration` possibly absent, and
//! client/server halves that share one span id (re-keyed later by the tree, see `analysis::tree`).

use super::jaeger::scalar_value;
use super::json::{Int, Micros, Scalar, Text};
use super::builder::{times, Builder, START_OUT_OF_RANGE};
use crate::model::{notes, Attr, AttrValue, Event, Extras, IdEncoding, Resource, Span, SpanKind, StatusCode, Strings};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
pub(super) struct Endpoint<'a> {
    #[serde(rename = "serviceName", borrow)]
    service_name: Text<'a>,
    #[serde(borrow)]
    ipv4: Text<'a>,
    #[serde(borrow)]
    ipv6: Text<'a>,
    port: Option<Int>,
}

#[derive(Deserialize)]
pub(super) struct Annotation<'a> {
    timestamp: Option<Micros>,
    #[serde(borrow)]
    value: Text<'a>,
}

/// A Zipkin v2 span, as the document reader found it.
pub(super) struct SpanObject<'a> {
    pub(super) trace_id: Text<'a>,
    pub(super) id: Text<'a>,
    pub(super) parent_id: Text<'a>,
    pub(super) name: Text<'a>,
    pub(super) kind: Text<'a>,
    pub(super) timestamp: Option<Micros>,
    pub(super) duration: Option<Micros>,
    pub(super) local_endpoint: Option<Endpoint<'a>>,
    pub(super) remote_endpoint: Option<Endpoint<'a>>,
    pub(super) annotations: Option<Vec<Annotation<'a>>>,
    pub(super) tags: Option<std::collections::BTreeMap<Cow<'a, str>, Scalar<'a>>>,
}

/// Adds one Zipkin span.
pub(super) fn add(b: &mut Builder, s: SpanObject<'_>) {
    b.set.span_objects += 1;
    let enc = IdEncoding::Hex;
    let trace_id = b.trace_id(s.trace_id.as_deref(), enc);
    let span_id = b.span_id(s.id.as_deref(), enc);
    let parent_id = b.span_id(s.parent_id.as_deref(), enc);
    let fractional = [s.timestamp, s.duration].iter().flatten().any(|t| t.fractional)
        || s.annotations.iter().flatten().filter_map(|a| a.timestamp).any(|t| t.fractional);
    b.fractional_micros += u64::from(fractional);
    let timestamp = s.timestamp.map(|t| t.ns);
    if timestamp == Some(None) {
        b.reject(START_OUT_OF_RANGE);
        return;
    }

    let events: Box<[Event]> = s
        .annotations
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| {
            let time_ns = a.timestamp?.ns?;
            Some(Event { time_ns, name: b.intern(a.value.as_deref().unwrap_or("")), attributes: Box::new([]) })
        })
        .collect();
    let first_event = events.iter().map(|e| e.time_ns).min();
    let last_event = events.iter().map(|e| e.time_ns).max();

    // Without a timestamp the annotations still say when the span happened; without a duration, until when.
    let start = timestamp.flatten().or(first_event);
    let end = match (start, s.duration) {
        (Some(start), Some(d)) => d.ns.map(|d| start.saturating_add(d)),
        _ => None,
    };
    let mut notes = 0;
    let (start_ns, end_ns) = times(start, end, &mut notes);
    let end_ns = match last_event {
        Some(last) if s.duration.is_none() && last > end_ns => last,
        _ => end_ns,
    };
    if s.timestamp.is_none() && start.is_some() {
        notes |= notes::START_FROM_EVENTS;
    }

    let resource = endpoint_resource(b, s.local_endpoint);
    let service = b.set.resources[resource as usize].service;

    let mut attributes: Vec<Attr> = Vec::new();
    let mut status = StatusCode::Unset;
    let mut status_message = Strings::EMPTY;
    for (key, value) in s.tags.unwrap_or_default() {
        let value = scalar_value(b, value);
        match (key.as_ref(), &value) {
            // Zipkin marks failures with an `error` tag whose value is the message (often empty).
            ("error", value) => {
                status = StatusCode::Error;
                if let AttrValue::Str(sym) = *value {
                    if !matches!(b.set.strings.get(sym), "" | "true") {
                        status_message = sym;
                    }
                }
            }
            // OpenTelemetry's exporters write the status here, and the `error` tag only when the status
            // has a message (the JS SDK's does).
            ("otel.status_code", AttrValue::Str(sym)) if status != StatusCode::Error => {
                status = StatusCode::from_name(b.set.strings.get(*sym));
            }
            ("otel.status_description", AttrValue::Str(sym)) if status_message == Strings::EMPTY => status_message = *sym,
            _ => {}
        }
        attributes.push(b.attr(&key, value));
    }
    if let Some(remote) = s.remote_endpoint {
        endpoint_attributes(b, "remoteEndpoint", remote, &mut attributes);
    }

    let kind = match s.kind.as_deref() {
        Some(k) => SpanKind::from_name(k),
        None => SpanKind::Internal, // Zipkin spans without a kind are local (in-process) work
    };
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
        extras: Extras::of(events, [], []),
    };
    b.push(trace_id, span);
}

/// One resource per distinct local endpoint, so that thousands of spans share a handful.
fn endpoint_resource(b: &mut Builder, endpoint: Option<Endpoint<'_>>) -> u32 {
    let Some(e) = endpoint else { return b.shared_resource(String::new(), |_| Resource::unknown()) };
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}",
        e.service_name.as_deref().unwrap_or(""),
        e.ipv4.as_deref().unwrap_or(""),
        e.ipv6.as_deref().unwrap_or(""),
        e.port.map_or(0, |p| p.0)
    );
    b.shared_resource(key, |b| {
        let service = b.intern(e.service_name.as_deref().unwrap_or(""));
        let mut attributes = Vec::new();
        endpoint_attributes(b, "localEndpoint", e, &mut attributes);
        Resource { service, attributes: attributes.into() }
    })
}

fn endpoint_attributes(b: &mut Builder, prefix: &str, e: Endpoint<'_>, out: &mut Vec<Attr>) {
    let fields: [(&str, Option<Cow<str>>); 3] = [("serviceName", e.service_name), ("ipv4", e.ipv4), ("ipv6", e.ipv6)];
    for (name, value) in fields {
        if let Some(v) = value {
            let value = scalar_value(b, Scalar::Str(v));
            out.push(b.attr(&format!("{prefix}.{name}"), value));
        }
    }
    if let Some(port) = e.port {
        out.push(b.attr(&format!("{prefix}.port"), AttrValue::Int(port.0)));
    }
}
