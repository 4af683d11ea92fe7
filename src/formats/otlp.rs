//! OTLP/JSON: `resourceSpans` → `scopeSpans` → `spans`, with the legacy `instrumentationLibrary*` names,
//! hex or base64 ids, enums as integers or names, and 64-bit integers as strings or numbers.

use super::json::{Code, Float, Int, Text};
use super::builder::{times, Builder, Early, SpanContext};
use crate::model::{
    Attr, AttrValue, Event, Extras, IdEncoding, Link, LinkKind, Resource, Scope, Span, SpanKind, StatusCode, Strings,
};
use base64::Engine as _;
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResourceSpans<'a> {
    #[serde(borrow)]
    resource: Option<OtlpResource<'a>>,
    #[serde(alias = "instrumentationLibrarySpans", alias = "scope_spans", borrow)]
    scope_spans: Option<Vec<ScopeSpans<'a>>>,
}

#[derive(Deserialize)]
struct OtlpResource<'a> {
    #[serde(borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
struct ScopeSpans<'a> {
    #[serde(alias = "instrumentationLibrary", borrow)]
    scope: Option<OtlpScope<'a>>,
    #[serde(borrow)]
    spans: Option<super::lenient::Spans<OtlpSpan<'a>>>,
}

#[derive(Deserialize)]
struct OtlpScope<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    version: Text<'a>,
    #[serde(borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtlpSpan<'a> {
    #[serde(borrow)]
    trace_id: Text<'a>,
    #[serde(borrow)]
    span_id: Text<'a>,
    #[serde(borrow)]
    parent_span_id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    kind: Option<Code<'a>>,
    start_time_unix_nano: Option<Int>,
    end_time_unix_nano: Option<Int>,
    #[serde(borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
    #[serde(borrow)]
    events: Option<Vec<OtlpEvent<'a>>>,
    #[serde(borrow)]
    links: Option<Vec<OtlpLink<'a>>>,
    #[serde(borrow)]
    status: Option<OtlpStatus<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtlpEvent<'a> {
    time_unix_nano: Option<Int>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtlpLink<'a> {
    #[serde(borrow)]
    trace_id: Text<'a>,
    #[serde(borrow)]
    span_id: Text<'a>,
    #[serde(borrow)]
    attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
struct OtlpStatus<'a> {
    #[serde(borrow)]
    code: Option<Code<'a>>,
    #[serde(borrow)]
    message: Text<'a>,
}

#[derive(Deserialize)]
pub(super) struct KeyValue<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    value: Option<AnyValue<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnyValue<'a> {
    #[serde(borrow)]
    string_value: Text<'a>,
    bool_value: Option<bool>,
    int_value: Option<Int>,
    double_value: Option<Float>,
    #[serde(borrow)]
    array_value: Option<Values<AnyValue<'a>>>,
    #[serde(borrow)]
    kvlist_value: Option<Values<KeyValue<'a>>>,
    #[serde(borrow)]
    bytes_value: Text<'a>,
}

#[derive(Deserialize)]
struct Values<T> {
    values: Option<Vec<T>>,
}

pub(super) fn add(b: &mut Builder, resource_spans: Vec<ResourceSpans<'_>>) {
    for rs in resource_spans {
        let resource_attributes = attributes(b, rs.resource.and_then(|r| r.attributes));
        let service = service_name(&b.set.strings, &resource_attributes);
        let resource = b.add_resource(Resource { service, attributes: resource_attributes });
        for ss in rs.scope_spans.unwrap_or_default() {
            let scope = match ss.scope {
                Some(s) => {
                    let scope = Scope {
                        name: b.intern(s.name.as_deref().unwrap_or("")),
                        version: b.intern(s.version.as_deref().unwrap_or("")),
                        attributes: attributes(b, s.attributes),
                    };
                    b.add_scope(scope)
                }
                None => 0,
            };
            if b.deferred && ss.spans.is_some() {
                b.defer(SpanContext::Otlp { resource, scope, service }, ss.spans.as_ref().map_or(0, |s| s.0.len()));
            }
            for span in ss.spans.unwrap_or_default().0 {
                add_span(b, span, resource, scope, service);
            }
        }
    }
}

fn service_name(strings: &Strings, attributes: &[Attr]) -> u32 {
    attributes
        .iter()
        .find(|a| strings.get(a.key) == "service.name")
        .and_then(|a| match a.value {
            AttrValue::Str(s) => Some(s),
            _ => None,
        })
        .unwrap_or(Strings::EMPTY)
}

/// Adds one span read on its own (the incremental reader), in the resource and scope it was found in.
pub(super) fn add_span_bytes(b: &mut Builder, bytes: &[u8], resource: u32, scope: u32, service: u32) -> serde_json::Result<()> {
    add_span(b, read_span(bytes)?, resource, scope, service);
    Ok(())
}

/// Adds one span read before its resource and scope, which are filled in when they have been read.
pub(super) fn add_span_early(b: &mut Builder, bytes: &[u8]) -> serde_json::Result<Early> {
    Ok(Early::added(add_span(b, read_span(bytes)?, 0, 0, Strings::EMPTY), None))
}

fn read_span(bytes: &[u8]) -> serde_json::Result<OtlpSpan<'_>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let span = OtlpSpan::deserialize(&mut de)?;
    de.end()?;
    Ok(span)
}

/// Adds a span to its trace; returns where it went, or `None` if it was rejected.
fn add_span(b: &mut Builder, s: OtlpSpan<'_>, resource: u32, scope: u32, service: u32) -> Option<(u32, u32)> {
    b.set.span_objects += 1;
    let enc = IdEncoding::HexOrBase64;
    let trace_id = b.trace_id(s.trace_id.as_deref(), enc);
    let span_id = b.span_id(s.span_id.as_deref(), enc);
    let parent_id = b.span_id(s.parent_span_id.as_deref(), enc);
    let mut notes = 0;
    let (start_ns, end_ns) =
        times(s.start_time_unix_nano.map(|t| t.0), s.end_time_unix_nano.map(|t| t.0), &mut notes);
    let (status, status_message) = match s.status {
        Some(st) => (code(st.code, StatusCode::from_otlp, StatusCode::from_name), st.message),
        None => (StatusCode::Unset, None),
    };
    let events: Vec<Event> = s
        .events
        .unwrap_or_default()
        .into_iter()
        .map(|e| Event {
            time_ns: e.time_unix_nano.map_or(start_ns, |t| t.0),
            name: b.intern(e.name.as_deref().unwrap_or("")),
            attributes: attributes(b, e.attributes),
        })
        .collect();
    let mut links: Vec<Link> = s
        .links
        .unwrap_or_default()
        .into_iter()
        .map(|l| {
            let attributes = attributes(b, l.attributes);
            let (kind, attributes) = reference_kind(b, attributes);
            Link { trace_id: b.trace_id(l.trace_id.as_deref(), enc), span_id: b.span_id(l.span_id.as_deref(), enc), kind, attributes }
        })
        .collect();
    // A FOLLOWS_FROM link to the parent itself (OpenTelemetry's Jaeger translation, and spanlens's export)
    // says the parent is only followed from: the child does not block it.
    if let Some(at) = links.iter().position(|l| l.kind == LinkKind::FollowsFrom && l.span_id.is_some() && l.span_id == parent_id && (l.trace_id.is_none() || l.trace_id == trace_id)) {
        links.remove(at);
        notes |= crate::model::notes::FOLLOWS_FROM;
    }
    let attributes = attributes(b, s.attributes);
    let attributes = b.set.attrs.add(attributes);
    let span = Span {
        span_id,
        parent_id,
        name: b.intern(s.name.as_deref().unwrap_or("")),
        service,
        start_ns,
        end_ns,
        kind: code(s.kind, SpanKind::from_otlp, SpanKind::from_name),
        status,
        status_message: b.intern(status_message.as_deref().unwrap_or("")),
        attributes,
        resource,
        scope,
        notes,
        extras: Extras::of(events, links, []),
    };
    b.push(trace_id, span)
}

/// The Jaeger reference a link stands for, by its `opentracing.ref_type` attribute (`follows_from`,
/// `child_of`), as OpenTelemetry's Jaeger translation writes it; the attribute is then left out.
fn reference_kind(b: &Builder, attributes: Box<[Attr]>) -> (LinkKind, Box<[Attr]>) {
    let found = attributes.iter().position(|a| b.set.strings.get(a.key) == REF_TYPE);
    let kind = found.and_then(|at| match &attributes[at].value {
        AttrValue::Str(v) if b.set.strings.get(*v).eq_ignore_ascii_case("follows_from") => Some(LinkKind::FollowsFrom),
        AttrValue::Str(v) if b.set.strings.get(*v).eq_ignore_ascii_case("child_of") => Some(LinkKind::ChildOf),
        _ => None,
    });
    match (kind, found) {
        (Some(kind), Some(at)) => {
            let mut rest = attributes.into_vec();
            rest.remove(at);
            (kind, rest.into_boxed_slice())
        }
        _ => (LinkKind::Link, attributes),
    }
}

/// The link attribute that names a Jaeger reference's type.
pub const REF_TYPE: &str = "opentracing.ref_type";

fn code<T>(c: Option<Code<'_>>, from_num: fn(i64) -> T, from_name: fn(&str) -> T) -> T {
    match c {
        Some(Code::Name(name)) => from_name(&name),
        Some(Code::Num(n)) => from_num(n),
        None => from_num(0),
    }
}

fn attributes(b: &mut Builder, kvs: Option<Vec<KeyValue<'_>>>) -> Box<[Attr]> {
    kvs.unwrap_or_default().into_iter().map(|kv| key_value(b, kv)).collect()
}

fn key_value(b: &mut Builder, kv: KeyValue<'_>) -> Attr {
    let value = kv.value.map_or(AttrValue::Str(Strings::EMPTY), |v| any_value(b, v));
    b.attr(&kv.key, value)
}

/// OTLP's AnyValue: exactly one of its fields is set (none for an empty value).
fn any_value(b: &mut Builder, v: AnyValue<'_>) -> AttrValue {
    if let Some(s) = v.string_value {
        b.str_value(&s)
    } else if let Some(i) = v.int_value {
        AttrValue::Int(i.0)
    } else if let Some(x) = v.bool_value {
        AttrValue::Bool(x)
    } else if let Some(d) = v.double_value {
        AttrValue::Double(d.0)
    } else if let Some(a) = v.array_value {
        AttrValue::Array(a.values.unwrap_or_default().into_iter().map(|x| any_value(b, x)).collect())
    } else if let Some(m) = v.kvlist_value {
        AttrValue::Map(m.values.unwrap_or_default().into_iter().map(|kv| key_value(b, kv)).collect())
    } else if let Some(bytes) = v.bytes_value {
        match base64::engine::general_purpose::STANDARD.decode(bytes.as_bytes()) {
            Ok(raw) => AttrValue::Bytes(raw.into()),
            Err(_) => b.str_value(&bytes), // not base64: keep the text rather than lose it
        }
    } else {
        AttrValue::Str(Strings::EMPTY)
    }
}

