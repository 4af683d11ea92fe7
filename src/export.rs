//! Writing what is loaded in other shapes: a trace as OTLP/JSON, whatever format it came in (reading the
//! export back gives the same summary), and a table as CSV. Plain Rust; the browser offers the downloads.

use crate::formats::otlp::REF_TYPE;
use crate::model::{notes, Attr, AttrValue, Event, Link, LinkKind, Span, SpanId, Strings, Trace, TraceId, TraceSet};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

/// Traces of `set` (`only`: one trace's index; `None`: all) as one OTLP/JSON document (`resourceSpans`:
/// each run of spans of one resource and scope). Times are the loaded ones (with clock-skew
/// adjustment if it is on); ids as spanlens shows them (hex, or opaque ids as given).
pub fn otlp_json(set: &TraceSet, only: Option<usize>) -> Vec<u8> {
    let traces: Vec<&Trace> = match only {
        Some(ix) => set.traces.get(ix).into_iter().collect(),
        None => set.traces.iter().collect(),
    };
    // Runs of spans of one resource and scope, in the loaded order (so that reading the export back meets
    // the spans in the same order, and finds the same summary).
    let mut groups: Vec<((u32, u32), Vec<(&Trace, &Span)>)> = Vec::new();
    for trace in traces {
        for span in &trace.spans {
            let key = (span.resource, span.scope);
            match groups.last_mut() {
                Some((last, spans)) if *last == key => spans.push((trace, span)),
                _ => groups.push((key, vec![(trace, span)])),
            }
        }
    }
    let doc = Document { set, groups: &groups };
    // Bytes, not a String: the browser hands them to a Blob as they are (a JS string tops out near 512 MB).
    serde_json::to_vec(&doc).expect("an OTLP document serializes")
}

struct Document<'a> {
    set: &'a TraceSet,
    groups: &'a [((u32, u32), Vec<(&'a Trace, &'a Span)>)],
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let groups: Vec<Group> = self.groups.iter().map(|(key, spans)| Group { set: self.set, key: *key, spans }).collect();
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("resourceSpans", &groups)?;
        map.end()
    }
}

/// One `resourceSpans` entry: a resource, one scope and its spans. Written straight to the output (never as
/// a `serde_json::Value`: a million spans would be built twice in memory).
struct Group<'a> {
    set: &'a TraceSet,
    key: (u32, u32),
    spans: &'a [(&'a Trace, &'a Span)],
}

impl Serialize for Group<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let set = self.set;
        let resource = set.resources.get(self.key.0 as usize);
        let service = resource.map_or("", |r| set.str(r.service));
        let resource_attrs = resource.map_or(&[][..], |r| &r.attributes);
        // service.name, unless the resource's attributes hold it already.
        let named = resource_attrs.iter().any(|a| set.str(a.key) == "service.name");
        let service_attr = (!named && !service.is_empty()).then_some(service);
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("resource", &ResourceOut { attributes: Attrs { strings: &set.strings, attrs: resource_attrs, service: service_attr } })?;
        map.serialize_entry("scopeSpans", &[ScopeSpans { set, scope: self.key.1, spans: self.spans }])?;
        map.end()
    }
}

struct ScopeSpans<'a> {
    set: &'a TraceSet,
    scope: u32,
    spans: &'a [(&'a Trace, &'a Span)],
}

impl Serialize for ScopeSpans<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let set = self.set;
        let scope = set.scopes.get(self.scope as usize);
        let attributes = Attrs { strings: &set.strings, attrs: scope.map_or(&[][..], |x| &x.attributes), service: None };
        let (name, version) = (scope.map_or("", |x| set.str(x.name)), scope.map_or("", |x| set.str(x.version)));
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("scope", &ScopeOut { name, version, attributes })?;
        map.serialize_entry("spans", &Spans { set, spans: self.spans })?;
        map.end()
    }
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    attributes: Attrs<'a>,
}

#[derive(Serialize)]
struct ScopeOut<'a> {
    name: &'a str,
    version: &'a str,
    attributes: Attrs<'a>,
}

struct Spans<'a> {
    set: &'a TraceSet,
    spans: &'a [(&'a Trace, &'a Span)],
}

impl Serialize for Spans<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.spans.len()))?;
        for (trace, span) in self.spans {
            seq.serialize_element(&SpanOut { set: self.set, trace, span })?;
        }
        seq.end()
    }
}

struct SpanOut<'a> {
    set: &'a TraceSet,
    trace: &'a Trace,
    span: &'a Span,
}

impl Serialize for SpanOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (set, span) = (self.set, self.span);
        let strings = &set.strings;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("traceId", &trace_id(&self.trace.trace_id, strings))?;
        map.serialize_entry("spanId", &span.span_id.map(|id| span_id(&id, strings)).unwrap_or_default())?;
        if let Some(parent) = &span.parent_id {
            map.serialize_entry("parentSpanId", &span_id(parent, strings))?;
        }
        map.serialize_entry("name", set.str(span.name))?;
        map.serialize_entry("kind", &(span.kind as u8))?;
        map.serialize_entry("startTimeUnixNano", &span.start_ns.to_string())?;
        map.serialize_entry("endTimeUnixNano", &span.end_ns.to_string())?;
        let attrs: Vec<&Attr> = set.attributes(span).collect();
        map.serialize_entry("attributes", &AttrRefs { strings, attrs: &attrs })?;
        if !span.events().is_empty() {
            map.serialize_entry("events", &Events { strings, events: span.events() })?;
        }
        // A parent that is only followed from is written as OpenTelemetry's Jaeger translation writes it: the
        // parent, and a FOLLOWS_FROM link to it.
        let follows = span.has(notes::FOLLOWS_FROM).then_some(span.parent_id).flatten();
        if !span.links().is_empty() || follows.is_some() {
            map.serialize_entry("links", &Links { strings, links: span.links(), follows: follows.map(|p| (self.trace.trace_id, p)) })?;
        }
        map.serialize_entry("status", &StatusOut { code: span.status as u8, message: set.str(span.status_message) })?;
        map.end()
    }
}

#[derive(Serialize)]
struct StatusOut<'a> {
    code: u8,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'a str,
}

fn trace_id(id: &TraceId, strings: &Strings) -> String {
    id.display(strings)
}

fn span_id(id: &SpanId, strings: &Strings) -> String {
    id.display(strings)
}

/// Attributes as OTLP key/value objects; `service`: a `service.name` to put first.
struct Attrs<'a> {
    strings: &'a Strings,
    attrs: &'a [Attr],
    service: Option<&'a str>,
}

impl Serialize for Attrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        if let Some(service) = self.service {
            seq.serialize_element(&serde_json::json!({"key": "service.name", "value": {"stringValue": service}}))?;
        }
        for attr in self.attrs {
            seq.serialize_element(&KeyValue { strings: self.strings, attr })?;
        }
        seq.end()
    }
}


struct AttrRefs<'a> {
    strings: &'a Strings,
    attrs: &'a [&'a Attr],
}

impl Serialize for AttrRefs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.attrs.len()))?;
        for attr in self.attrs {
            seq.serialize_element(&KeyValue { strings: self.strings, attr })?;
        }
        seq.end()
    }
}

struct KeyValue<'a> {
    strings: &'a Strings,
    attr: &'a Attr,
}

impl Serialize for KeyValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("key", self.strings.get(self.attr.key))?;
        map.serialize_entry("value", &Value { strings: self.strings, value: &self.attr.value })?;
        map.end()
    }
}

/// An OTLP AnyValue: `{"stringValue": …}`, `{"intValue": "…"}` (64-bit as a string, as protojson writes
/// it), `{"doubleValue": …}`, `{"boolValue": …}`, `{"bytesValue": base64}`, `{"arrayValue": {"values": […]}}`,
/// `{"kvlistValue": {"values": […]}}`.
struct Value<'a> {
    strings: &'a Strings,
    value: &'a AttrValue,
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        let strings = self.strings;
        let mut map = s.serialize_map(Some(1))?;
        match self.value {
            AttrValue::Str(sym) => map.serialize_entry("stringValue", strings.get(*sym))?,
            AttrValue::Int(i) => map.serialize_entry("intValue", &i.to_string())?,
            // Not finite: no JSON number holds it; its text keeps what it was.
            AttrValue::Double(d) if !d.is_finite() => map.serialize_entry("stringValue", &d.to_string())?,
            AttrValue::Double(d) => map.serialize_entry("doubleValue", d)?,
            AttrValue::Bool(b) => map.serialize_entry("boolValue", b)?,
            AttrValue::Bytes(b) => map.serialize_entry("bytesValue", &base64::engine::general_purpose::STANDARD.encode(b))?,
            AttrValue::Array(items) => {
                let values: Vec<Value> = items.iter().map(|value| Value { strings, value }).collect();
                map.serialize_entry("arrayValue", &serde_json::json!({ "values": values }))?
            }
            AttrValue::Map(attrs) => {
                let values: Vec<KeyValue> = attrs.iter().map(|attr| KeyValue { strings, attr }).collect();
                map.serialize_entry("kvlistValue", &serde_json::json!({ "values": values }))?
            }
        }
        map.end()
    }
}

struct Events<'a> {
    strings: &'a Strings,
    events: &'a [Event],
}

impl Serialize for Events<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.events.len()))?;
        for event in self.events {
            seq.serialize_element(&EventOut {
                time_unix_nano: event.time_ns.to_string(),
                name: self.strings.get(event.name),
                attributes: Attrs { strings: self.strings, attrs: &event.attributes, service: None },
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventOut<'a> {
    time_unix_nano: String,
    name: &'a str,
    attributes: Attrs<'a>,
}

struct Links<'a> {
    strings: &'a Strings,
    links: &'a [Link],
    /// The parent, when it is only followed from.
    follows: Option<(TraceId, SpanId)>,
}

impl Serialize for Links<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let strings = self.strings;
        let mut seq = s.serialize_seq(None)?;
        let link = |trace: Option<TraceId>, span: Option<SpanId>, kind: LinkKind, attrs: &[Attr]| {
            // A Jaeger reference keeps its type in `opentracing.ref_type`.
            let ref_type = match kind {
                LinkKind::Link => None,
                LinkKind::FollowsFrom => Some("follows_from"),
                LinkKind::ChildOf => Some("child_of"),
            };
            let mut attributes = serde_json::to_value(Attrs { strings, attrs, service: None }).expect("attributes serialize");
            if let (Some(ref_type), Some(list)) = (ref_type, attributes.as_array_mut()) {
                list.push(serde_json::json!({"key": REF_TYPE, "value": {"stringValue": ref_type}}));
            }
            serde_json::json!({
                "traceId": trace.map(|t| trace_id(&t, strings)).unwrap_or_default(),
                "spanId": span.map(|t| span_id(&t, strings)).unwrap_or_default(),
                "attributes": attributes,
            })
        };
        if let Some((trace, parent)) = self.follows {
            seq.serialize_element(&link(Some(trace), Some(parent), LinkKind::FollowsFrom, &[]))?;
        }
        for l in self.links {
            seq.serialize_element(&link(l.trace_id, l.span_id, l.kind, &l.attributes))?;
        }
        seq.end()
    }
}

/// Rows as CSV (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled).
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let field = |f: &str| {
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let mut out = header.iter().map(|h| field(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A span of a trace spanlens makes itself (an aggregate's node, a comparison's pair), for `synthetic_otlp`.
pub struct Synthetic {
    /// Unique in the document, not 0; the parent is named by it.
    pub id: u64,
    pub parent: Option<u64>,
    pub service: String,
    pub name: String,
    /// ns from the document's epoch.
    pub start_ns: i64,
    pub end_ns: i64,
    /// A failed span's status message.
    pub error: Option<String>,
    pub ints: Vec<(&'static str, i64)>,
    pub texts: Vec<(&'static str, String)>,
}

/// The epoch synthetic traces start at (2023-11-14): their times are offsets, not clock times.
pub const SYNTHETIC_EPOCH_NS: i64 = 1_700_000_000_000_000_000;

/// Synthetic spans as one OTLP/JSON trace (a resource per service, in order of first appearance) that the
/// viewer then reads like any file: the views draw it with their own renderers. Written straight to bytes
/// (no JSON value tree: a comparison of two 100k-span traces is 200k spans).
pub fn synthetic_otlp(trace_id: u128, spans: &[Synthetic]) -> Vec<u8> {
    use std::io::Write;
    let text = |t: &str| serde_json::to_string(t).unwrap_or_else(|_| "\"\"".into());
    let mut services: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for (k, s) in spans.iter().enumerate() {
        let at = *index.entry(&s.service).or_insert_with(|| {
            services.push((&s.service, Vec::new()));
            services.len() - 1
        });
        services[at].1.push(k);
    }
    let mut out: Vec<u8> = Vec::with_capacity(spans.len() * 400);
    out.extend_from_slice(b"{\"resourceSpans\":[");
    for (r, (service, members)) in services.iter().enumerate() {
        if r > 0 {
            out.push(b',');
        }
        let _ = write!(out, r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":{}}}}}]}},"scopeSpans":[{{"scope":{{"name":"spanlens"}},"spans":["#, text(service));
        for (n, &k) in members.iter().enumerate() {
            let s = &spans[k];
            if n > 0 {
                out.push(b',');
            }
            let _ = write!(
                out,
                r#"{{"traceId":"{trace_id:032x}","spanId":"{:016x}","name":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{}""#,
                s.id,
                text(&s.name),
                SYNTHETIC_EPOCH_NS + s.start_ns,
                SYNTHETIC_EPOCH_NS + s.end_ns.max(s.start_ns)
            );
            if let Some(p) = s.parent {
                let _ = write!(out, r#","parentSpanId":"{p:016x}""#);
            }
            if let Some(message) = &s.error {
                let _ = write!(out, r#","status":{{"code":2,"message":{}}}"#, text(message));
            }
            out.extend_from_slice(b",\"attributes\":[");
            let ints = s.ints.iter().map(|(k, v)| format!(r#"{{"key":"{k}","value":{{"intValue":"{v}"}}}}"#));
            let texts = s.texts.iter().map(|(k, v)| format!(r#"{{"key":"{k}","value":{{"stringValue":{}}}}}"#, text(v)));
            out.extend_from_slice(ints.chain(texts).collect::<Vec<_>>().join(",").as_bytes());
            out.extend_from_slice(b"]}");
        }
        out.extend_from_slice(b"]}]}");
    }
    out.extend_from_slice(b"]}");
    out
}
