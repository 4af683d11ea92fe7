//! Jaeger JSON: the query API envelope `{"data":[trace…]}`, a bare array of traces, one trace object, and
//! jaeger-ui's internal model (`data` as one object, an inline `process` on each span). Times are microseconds.

use super::json::{Micros, Scalar, Text};
use super::builder::{times, Builder, Early, SpanContext, START_OUT_OF_RANGE};
use crate::model::{
    notes, Attr, AttrValue, Event, Extras, IdEncoding, Link, LinkKind, Resource, Span, SpanId, SpanKind, StatusCode,
    Strings, Sym, TraceId,
};
use base64::Engine as _;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JaegerSpan<'a> {
    #[serde(rename = "traceID", borrow)]
    trace_id: Text<'a>,
    #[serde(rename = "spanID", borrow)]
    span_id: Text<'a>,
    /// Deprecated in Jaeger's model, still written by old clients.
    #[serde(rename = "parentSpanID", borrow)]
    parent_span_id: Text<'a>,
    #[serde(borrow)]
    operation_name: Text<'a>,
    #[serde(borrow)]
    references: Option<Vec<Reference<'a>>>,
    start_time: Option<Micros>,
    duration: Option<Micros>,
    #[serde(borrow)]
    tags: Option<Vec<Tag<'a>>>,
    #[serde(borrow)]
    logs: Option<Vec<Log<'a>>>,
    #[serde(rename = "processID", borrow)]
    process_id: Text<'a>,
    #[serde(borrow)]
    process: Option<Process<'a>>,
    #[serde(borrow)]
    warnings: Option<Vec<Text<'a>>>,
}

#[derive(Deserialize)]
struct Reference<'a> {
    #[serde(rename = "refType", borrow)]
    ref_type: Text<'a>,
    #[serde(rename = "traceID", borrow)]
    trace_id: Text<'a>,
    #[serde(rename = "spanID", borrow)]
    span_id: Text<'a>,
}

#[derive(Deserialize)]
pub(super) struct Process<'a> {
    #[serde(rename = "serviceName", borrow)]
    service_name: Text<'a>,
    #[serde(borrow)]
    tags: Option<Vec<Tag<'a>>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    ty: Text<'a>,
    #[serde(borrow)]
    value: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Log<'a> {
    timestamp: Option<Micros>,
    #[serde(borrow)]
    fields: Option<Vec<Tag<'a>>>,
}

/// A Jaeger trace object, as the document reader found it.
pub(super) struct TraceObject<'a> {
    pub(super) jaeger_trace_id: Text<'a>,
    pub(super) spans: Option<super::lenient::Spans<JaegerSpan<'a>>>,
    /// Sorted by process id: resources get the same indices on every load (a HashMap would not).
    pub(super) processes: Option<std::collections::BTreeMap<Cow<'a, str>, Process<'a>>>,
    pub(super) warnings: Option<Vec<Text<'a>>>,
}

/// Adds one Jaeger trace object.
pub(super) fn add(b: &mut Builder, trace: TraceObject<'_>) {
    let trace_id = b.trace_id(trace.jaeger_trace_id.as_deref(), IdEncoding::Hex);
    let mut processes: HashMap<Cow<str>, u32> = HashMap::new();
    for (id, process) in trace.processes.unwrap_or_default() {
        let resource = resource(b, process);
        processes.insert(id, resource);
    }
    let warnings: Vec<String> =
        trace.warnings.unwrap_or_default().into_iter().flatten().map(|w| format!("from the input: {w}")).collect();
    if b.deferred && trace.spans.is_some() {
        // The spans come later: so do the warnings, which go to the trace once its spans made it exist.
        let processes = processes.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), v)).collect();
        let context = SpanContext::Jaeger { trace_id, processes, warnings };
        b.defer(context, trace.spans.as_ref().map_or(0, |s| s.0.len()));
        return;
    }
    for span in trace.spans.unwrap_or_default().0 {
        let span_trace = span_trace_id(b, &span, trace_id);
        add_span(b, span, span_trace, Some(&mut processes));
    }
    for warning in warnings {
        b.trace_warning(trace_id, warning);
    }
}

/// Adds one span read on its own (the incremental reader), with its trace's id and processes.
pub(super) fn add_span_bytes(
    b: &mut Builder,
    bytes: &[u8],
    doc_trace_id: Option<TraceId>,
    processes: &mut HashMap<Cow<'static, str>, u32>,
) -> serde_json::Result<()> {
    let span = read_span(bytes)?;
    let span_trace = span_trace_id(b, &span, doc_trace_id);
    add_span(b, span, span_trace, Some(processes));
    Ok(())
}

/// Adds one span read before its trace's `processes` (which follow the spans): its resource is resolved
/// later (`resolve_process`). A span that needs its trace object (no trace id of its own) or has an inline
/// process waits, untouched, for the trace object to be read.
pub(super) fn add_span_early(b: &mut Builder, bytes: &[u8]) -> serde_json::Result<Early> {
    let span = read_span(bytes)?;
    let trace_id = span_trace_id(b, &span, None);
    if span.process.is_some() || trace_id.is_none() {
        return Ok(Early::Wait);
    }
    let process = span.process_id.as_deref().map(|id| b.intern(id));
    Ok(Early::added(add_span(b, span, trace_id, None), process))
}

fn read_span(bytes: &[u8]) -> serde_json::Result<JaegerSpan<'_>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let span = JaegerSpan::deserialize(&mut de)?;
    de.end()?;
    Ok(span)
}

/// The resource of a span added early, from its trace's processes (read since): (resource, is it missing).
pub(super) fn resolve_process(b: &mut Builder, process: Option<Sym>, processes: &HashMap<Cow<'static, str>, u32>) -> (u32, bool) {
    match process.and_then(|p| processes.get(b.set.strings.get(p)).copied()) {
        Some(resource) => (resource, false),
        None => (missing_process(b), true),
    }
}

/// A span whose process is not in its trace's `processes` gets an empty resource of its own (and its trace
/// a warning, `MISSING_PROCESS`).
fn missing_process(b: &mut Builder) -> u32 {
    b.add_resource(Resource { service: Strings::EMPTY, attributes: Box::new([]) })
}

pub(super) const MISSING_PROCESS: &str = "a span names a process that is not in `processes`";

fn resource(b: &mut Builder, p: Process<'_>) -> u32 {
    let service = b.intern(p.service_name.as_deref().unwrap_or(""));
    let attributes = tags(b, p.tags);
    b.add_resource(Resource { service, attributes })
}

/// A span's trace id: its own, else its trace object's.
fn span_trace_id(b: &mut Builder, s: &JaegerSpan<'_>, doc_trace_id: Option<TraceId>) -> Option<TraceId> {
    b.trace_id(s.trace_id.as_deref(), IdEncoding::Hex).or(doc_trace_id)
}

/// Adds a span to trace `trace_id` (`span_trace_id`), with its resource from `processes` (`None`: resolved
/// later, by the caller). Returns where it went, or `None` if it was rejected. Rejections come before any
/// resource is made, so that resources are numbered alike whether the processes were read before the spans
/// or after.
fn add_span(
    b: &mut Builder,
    s: JaegerSpan<'_>,
    trace_id: Option<TraceId>,
    processes: Option<&mut HashMap<Cow<'_, str>, u32>>,
) -> Option<(u32, u32)> {
    b.set.span_objects += 1;
    let enc = IdEncoding::Hex;
    let span_id = b.span_id(s.span_id.as_deref(), enc);
    let start = s.start_time.and_then(|t| t.ns);
    if s.start_time.is_some() && start.is_none() {
        b.reject(START_OUT_OF_RANGE);
        return None;
    }
    let trace_id = b.admit(trace_id, span_id)?;
    let fractional = [s.start_time, s.duration].iter().flatten().any(|t| t.fractional)
        || s.logs.iter().flatten().filter_map(|l| l.timestamp).any(|t| t.fractional);
    b.fractional_micros += u64::from(fractional);

    let (resource, service, missing) = match processes {
        Some(processes) => {
            let (resource, missing) = process_resource(b, s.process_id, s.process, processes);
            (resource, b.set.resources[resource as usize].service, missing)
        }
        None => (0, Strings::EMPTY, false),
    };

    let mut notes = 0;
    let (parent_id, links) = parent_and_links(b, s.references.unwrap_or_default(), Some(trace_id), &mut notes);
    let parent_id = parent_id.or_else(|| b.span_id(s.parent_span_id.as_deref(), enc));

    let end = match (start, s.duration) {
        (Some(start), Some(d)) => d.ns.map(|d| start.saturating_add(d)),
        _ => None,
    };
    let (start_ns, end_ns) = times(start, end, &mut notes);

    let attributes = tags(b, s.tags);
    let (kind, status, status_message) = kind_and_status(&b.set.strings, &attributes);
    let events: Vec<Event> = s
        .logs
        .unwrap_or_default()
        .into_iter()
        .map(|log| {
            let attributes = tags(b, log.fields);
            let name = event_name(&b.set.strings, &attributes);
            let time_ns = log.timestamp.and_then(|t| t.ns).unwrap_or(start_ns);
            Event { time_ns, name: b.intern(&name), attributes }
        })
        .collect();
    let warnings: Vec<Sym> = s.warnings.unwrap_or_default().into_iter().flatten().map(|w| b.intern(&w)).collect();
    let span = Span {
        span_id,
        parent_id,
        name: b.intern(s.operation_name.as_deref().unwrap_or("")),
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
        extras: Extras::of(events, links, warnings),
    };
    let at = b.push(Some(trace_id), span);
    if missing {
        b.trace_warning(Some(trace_id), MISSING_PROCESS.into());
    }
    at
}

/// A span's resource: its process in `processes`, else its inline process (added to `processes`), else an
/// empty one (missing: true).
fn process_resource(
    b: &mut Builder,
    id: Text<'_>,
    inline: Option<Process<'_>>,
    processes: &mut HashMap<Cow<'_, str>, u32>,
) -> (u32, bool) {
    if let Some(&resource) = id.as_deref().and_then(|id| processes.get(id)) {
        return (resource, false);
    }
    match inline {
        Some(inline) => {
            let r = resource(b, inline);
            if let Some(id) = id {
                processes.insert(Cow::Owned(id.into_owned()), r);
            }
            (r, false)
        }
        None => (missing_process(b), true),
    }
}

/// The parent is the first CHILD_OF reference within the trace, else the first FOLLOWS_FROM within it;
/// every other reference (other traces, extra references) is kept as a link.
fn parent_and_links(
    b: &mut Builder,
    references: Vec<Reference<'_>>,
    trace_id: Option<TraceId>,
    notes: &mut u16,
) -> (Option<SpanId>, Box<[Link]>) {
    let mut refs: Vec<(LinkKind, Option<TraceId>, Option<SpanId>)> = references
        .into_iter()
        .map(|r| {
            let follows = r.ref_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("FOLLOWS_FROM"));
            let kind = if follows { LinkKind::FollowsFrom } else { LinkKind::ChildOf };
            let ref_trace = b.trace_id(r.trace_id.as_deref(), IdEncoding::Hex);
            (kind, ref_trace, b.span_id(r.span_id.as_deref(), IdEncoding::Hex))
        })
        .collect();
    let in_trace = |r: &(LinkKind, Option<TraceId>, Option<SpanId>)| r.2.is_some() && (r.1.is_none() || r.1 == trace_id);
    let chosen = refs
        .iter()
        .position(|r| r.0 == LinkKind::ChildOf && in_trace(r))
        .or_else(|| refs.iter().position(|r| r.0 == LinkKind::FollowsFrom && in_trace(r)));
    let parent = chosen.map(|i| {
        let r = refs.remove(i);
        if r.0 == LinkKind::FollowsFrom {
            *notes |= notes::FOLLOWS_FROM;
        }
        r.2.expect("in_trace checked the span id")
    });
    let links = refs
        .into_iter()
        .map(|(kind, trace_id, span_id)| Link { trace_id, span_id, kind, attributes: Box::new([]) })
        .collect();
    (parent, links)
}

/// Jaeger keeps kind and status in tags (`span.kind`, `error`, `otel.status_code`, `otel.status_description`).
fn kind_and_status(strings: &Strings, attributes: &[Attr]) -> (SpanKind, StatusCode, u32) {
    let (mut kind, mut status, mut message) = (SpanKind::Unspecified, StatusCode::Unset, Strings::EMPTY);
    for a in attributes {
        match (strings.get(a.key), &a.value) {
            ("span.kind", AttrValue::Str(s)) => kind = SpanKind::from_name(strings.get(*s)),
            ("error", AttrValue::Bool(true)) => status = StatusCode::Error,
            ("error", AttrValue::Str(s)) if strings.get(*s).eq_ignore_ascii_case("true") => status = StatusCode::Error,
            ("otel.status_code", AttrValue::Str(s)) if status != StatusCode::Error => {
                status = StatusCode::from_name(strings.get(*s))
            }
            ("otel.status_description", AttrValue::Str(s)) => message = *s,
            _ => {}
        }
    }
    (kind, status, message)
}

/// A log's name is its `event` field (OpenTracing convention), else its `message`, else "log".
fn event_name(strings: &Strings, fields: &[Attr]) -> String {
    ["event", "message"]
        .iter()
        .find_map(|key| fields.iter().find(|a| strings.get(a.key) == *key).map(|a| a.value.display(strings)))
        .unwrap_or_else(|| "log".to_string())
}

fn tags(b: &mut Builder, tags: Option<Vec<Tag<'_>>>) -> Box<[Attr]> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| {
            let value = tag_value(b, t.ty.as_deref(), t.value.unwrap_or(Scalar::Null));
            b.attr(&t.key, value)
        })
        .collect()
}

/// A tag value by its declared `type`; a value that does not match its type is kept as text, not dropped.
fn tag_value(b: &mut Builder, ty: Option<&str>, value: Scalar<'_>) -> AttrValue {
    match (ty, value) {
        (Some("int64"), Scalar::Str(s)) if let Ok(i) = s.trim().parse::<i64>() => AttrValue::Int(i),
        (Some("float64"), Scalar::Str(s)) if let Ok(f) = s.trim().parse::<f64>() => AttrValue::Double(f),
        (Some("bool"), Scalar::Str(s)) if s == "true" || s == "false" => AttrValue::Bool(s == "true"),
        (Some("binary"), Scalar::Str(s)) => match base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) {
            Ok(raw) => AttrValue::Bytes(raw.into()),
            Err(_) => b.str_value(&s),
        },
        (_, Scalar::Str(s)) => b.str_value(&s),
        (_, Scalar::Int(i)) => AttrValue::Int(i),
        (_, Scalar::BigUint(u)) => b.str_value(&u.to_string()),
        (_, Scalar::Float(f)) => AttrValue::Double(f),
        (_, Scalar::Bool(x)) => AttrValue::Bool(x),
        (_, Scalar::Null) => AttrValue::Str(Strings::EMPTY),
    }
}

/// Tag conversion shared with Zipkin, whose tags are a plain string map.
pub(super) fn scalar_value(b: &mut Builder, value: Scalar<'_>) -> AttrValue {
    tag_value(b, None, value)
}
