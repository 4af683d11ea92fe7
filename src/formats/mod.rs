//! Reading trace files: the format is detected by content, the bytes are parsed in one pass with borrowed
//! strings, and every span object ends up in the model or in `TraceSet::rejected` with a reason.

mod jaeger;
mod json;
mod incremental;
mod otlp;
pub mod reader;
mod zipkin;

use crate::model::{
    Attr, AttrPool, AttrValue, Format, IdEncoding, Resource, Scope, Source, Span, SpanId, Strings, Trace, TraceId, TraceSet,
    Tree,
};
use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

pub use incremental::IncrementalParse;
pub use json::{Code, Float, Int, Scalar, Text};

/// Why a file could not be read, and where: file, 1-based line and column, and the JSON path of the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// JSON path of the field being read, such as `resourceSpans[0].scopeSpans[0].spans[3].startTimeUnixNano`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)?;
        if !self.path.is_empty() && self.path != "." {
            write!(f, " (field {})", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Parses one input into traces (trees not yet built; see `analysis::tree`).
pub fn parse(name: &str, bytes: &[u8]) -> Result<TraceSet, LoadError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let error_at = |line: usize, column: usize, message: String| LoadError {
        file: name.to_string(),
        line,
        column,
        path: String::new(),
        message,
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(error_at(1, 1, "the file is empty".into()));
    }
    let mut builder = Builder::new(name, bytes.len() as u64);
    if looks_like_jsonl(body) {
        builder.format = Some(Format::OtlpJsonl);
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            if !line.iter().all(u8::is_ascii_whitespace) {
                parse_value(line, &mut builder).map_err(|e| {
                    let mut err = describe(name, line, e);
                    err.line += index; // each line is parsed alone: make the position file-relative
                    err
                })?;
            }
        }
    } else {
        parse_value(body, &mut builder).map_err(|e| describe(name, body, e))?;
    }
    builder.finish().map_err(|message| error_at(1, 1, message))
}

/// JSON Lines: the first line is a whole object on its own and more content follows.
fn looks_like_jsonl(body: &[u8]) -> bool {
    let Some(newline) = memchr::memchr(b'\n', body) else { return false };
    let first = body[..newline].trim_ascii();
    first.starts_with(b"{") && first.ends_with(b"}") && !body[newline..].trim_ascii().is_empty()
}

fn parse_value(bytes: &[u8], builder: &mut Builder) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    TopLevel(builder).deserialize(&mut de)?;
    de.end()
}

/// Turns a parse error into a `LoadError`; parses once more with path tracking (only on failure, as it is slower).
fn describe(file: &str, bytes: &[u8], error: serde_json::Error) -> LoadError {
    let mut scratch = Builder::new(file, 0);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let path = match TopLevel(&mut scratch).deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track)) {
        Err(_) => track.path().to_string(),
        Ok(()) => String::new(),
    };
    let text = error.to_string();
    let detail = match text.rfind(" at line ") {
        Some(cut) => &text[..cut],
        None => &text,
    };
    let message = match error.classify() {
        serde_json::error::Category::Syntax => format!("not valid JSON: {detail}"),
        serde_json::error::Category::Eof => format!("the JSON ends too early (is the file cut short?): {detail}"),
        _ => detail.to_string(),
    };
    LoadError { file: file.to_string(), line: error.line().max(1), column: error.column().max(1), path, message }
}

/// Receives the top-level value: an object (one document) or an array (of documents, Jaeger traces or
/// Zipkin spans), and hands each element to the builder as soon as it is read, so no array is held twice.
struct TopLevel<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array of trace data")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let doc = Doc::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.0.add_document(doc, true).map_err(de::Error::custom)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(doc) = seq.next_element::<Doc>()? {
            self.0.add_document(doc, false).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// Every top-level shape in one struct, so that detection and parsing are one pass: OTLP (`resourceSpans`,
/// Tempo's `batches`, Jaeger api/v3's `result`), Jaeger (`data`, or one trace object), or one Zipkin span.
/// Jaeger trace objects inside `data` are read as `Doc` too. (No `#[serde(flatten)]`: it buffers the value.)
#[derive(Deserialize)]
#[serde(expecting = "a trace document: OTLP, Jaeger or Zipkin")]
struct Doc<'a> {
    #[serde(rename = "resourceSpans", alias = "batches", alias = "resource_spans", borrow)]
    resource_spans: Option<Vec<otlp::ResourceSpans<'a>>>,
    #[serde(borrow)]
    result: Option<Box<Doc<'a>>>,
    #[serde(borrow)]
    data: Option<OneOrMany<Doc<'a>>>,

    // A Jaeger trace object.
    #[serde(rename = "traceID", borrow)]
    jaeger_trace_id: Text<'a>,
    #[serde(borrow)]
    spans: Option<Vec<jaeger::JaegerSpan<'a>>>,
    #[serde(borrow)]
    /// Sorted by process id: resources get the same indices on every load (a HashMap would not).
    processes: Option<std::collections::BTreeMap<std::borrow::Cow<'a, str>, jaeger::Process<'a>>>,
    #[serde(borrow)]
    warnings: Option<Vec<Text<'a>>>,

    // A Zipkin v2 span.
    #[serde(rename = "traceId", borrow)]
    trace_id: Text<'a>,
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(rename = "parentId", borrow)]
    parent_id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    kind: Text<'a>,
    timestamp: Option<Int>,
    duration: Option<Int>,
    #[serde(rename = "localEndpoint", borrow)]
    local_endpoint: Option<zipkin::Endpoint<'a>>,
    #[serde(rename = "remoteEndpoint", borrow)]
    remote_endpoint: Option<zipkin::Endpoint<'a>>,
    #[serde(borrow)]
    annotations: Option<Vec<zipkin::Annotation<'a>>>,
    #[serde(borrow)]
    tags: Option<std::collections::BTreeMap<std::borrow::Cow<'a, str>, Scalar<'a>>>,
}

impl Doc<'_> {
    fn is_zipkin_span(&self) -> bool {
        self.id.is_some() || self.trace_id.is_some()
    }
}

/// Jaeger's `data` is an array of traces (query API) or one trace (jaeger-ui's internal model).
enum OneOrMany<T> {
    One(Box<T>),
    Many(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of traces or one trace object")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| OneOrMany::One(Box::new(t)))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Collects spans from any format into a `TraceSet`, grouping them by trace id in order of first appearance.
pub(crate) struct Builder {
    set: TraceSet,
    trace_index: FxHashMap<TraceId, u32>,
    format: Option<Format>,
    /// Resources shared by key (Zipkin endpoints), so that spans from one process share one.
    resource_cache: FxHashMap<String, u32>,
    /// Set by the incremental reader: documents arrive with their `spans` arrays emptied, and each reader
    /// records where those spans belong (`contexts`, in document order) for them to be added afterwards.
    deferred: bool,
    contexts: Vec<incremental::SpanContext>,
    /// A reader found spans in an array the scanner should have emptied (the input is read whole instead).
    deferred_mismatch: bool,
}

impl Builder {
    fn new(name: &str, bytes: u64) -> Self {
        Builder {
            set: TraceSet {
                source: Source { name: name.to_string(), format: Format::OtlpJson, bytes },
                traces: Vec::new(),
                strings: Strings::new(),
                resources: Vec::new(),
                scopes: vec![Scope::default()],
                attrs: AttrPool::default(),
                warnings: Vec::new(),
                rejected: Vec::new(),
                span_objects: 0,
            },
            trace_index: FxHashMap::default(),
            format: None,
            resource_cache: FxHashMap::default(),
            deferred: false,
            contexts: Vec::new(),
            deferred_mismatch: false,
        }
    }

    fn add_document(&mut self, doc: Doc<'_>, top_level_object: bool) -> Result<(), String> {
        if let Some(resource_spans) = doc.resource_spans {
            self.set_format(Format::OtlpJson);
            otlp::add(self, resource_spans);
        } else if let Some(inner) = doc.result {
            return self.add_document(*inner, top_level_object);
        } else if let Some(data) = doc.data {
            self.set_format(Format::JaegerJson);
            match data {
                OneOrMany::One(trace) => jaeger::add(self, *trace),
                OneOrMany::Many(traces) => traces.into_iter().for_each(|t| jaeger::add(self, t)),
            }
        } else if doc.spans.is_some() {
            self.set_format(Format::JaegerJson);
            jaeger::add(self, doc);
        } else if doc.is_zipkin_span() && !top_level_object {
            self.set_format(Format::ZipkinV2);
            zipkin::add(self, doc);
        } else if top_level_object {
            return Err("no trace data found: expected OTLP `resourceSpans`, Jaeger `data` or `spans`, \
                        or an array of Zipkin spans"
                .into());
        } else {
            self.set.span_objects += 1;
            self.set.reject("array element is not a trace, document or span");
        }
        Ok(())
    }

    fn set_format(&mut self, format: Format) {
        match self.format {
            None => self.format = Some(format),
            Some(Format::OtlpJsonl) if format == Format::OtlpJson => {}
            Some(current) if current != format => {
                let warning = format!("the input mixes formats: {} and {}", current.as_str(), format.as_str());
                if !self.set.warnings.contains(&warning) {
                    self.set.warnings.push(warning);
                }
            }
            Some(_) => {}
        }
    }

    fn intern(&mut self, s: &str) -> u32 {
        self.set.strings.intern(s)
    }

    fn trace_id(&mut self, s: Option<&str>, encoding: IdEncoding) -> Option<TraceId> {
        TraceId::parse(s?, encoding, &mut self.set.strings)
    }

    fn span_id(&mut self, s: Option<&str>, encoding: IdEncoding) -> Option<SpanId> {
        SpanId::parse(s?, encoding, &mut self.set.strings)
    }

    fn add_resource(&mut self, resource: Resource) -> u32 {
        self.set.resources.push(resource);
        (self.set.resources.len() - 1) as u32
    }

    fn shared_resource(&mut self, key: String, make: impl FnOnce(&mut Builder) -> Resource) -> u32 {
        if let Some(&r) = self.resource_cache.get(&key) {
            return r;
        }
        let resource = make(self);
        let r = self.add_resource(resource);
        self.resource_cache.insert(key, r);
        r
    }

    fn add_scope(&mut self, scope: Scope) -> u32 {
        self.set.scopes.push(scope);
        (self.set.scopes.len() - 1) as u32
    }

    fn attr(&mut self, key: &str, value: AttrValue) -> Attr {
        Attr { key: self.intern(key), value }
    }

    fn str_value(&mut self, s: &str) -> AttrValue {
        AttrValue::Str(self.intern(s))
    }

    fn reject(&mut self, reason: &str) {
        self.set.reject(reason);
    }

    /// The trace id of a span that has both ids; a span without them is rejected (nothing could refer to it).
    fn admit(&mut self, trace_id: Option<TraceId>, span_id: Option<SpanId>) -> Option<TraceId> {
        match (trace_id, span_id) {
            (None, _) => self.reject("span has no trace id (or it is all zeros)"),
            (Some(_), None) => self.reject("span has no span id (or it is all zeros)"),
            (Some(trace_id), Some(_)) => return Some(trace_id),
        }
        None
    }

    /// Adds a span to its trace (`admit` first); returns where it went: (trace, index in the trace).
    fn push(&mut self, trace_id: Option<TraceId>, span: Span) -> Option<(u32, u32)> {
        let trace_id = self.admit(trace_id, span.span_id)?;
        let next = self.set.traces.len() as u32;
        let index = *self.trace_index.entry(trace_id).or_insert(next);
        if index == next {
            self.set.traces.push(Trace { trace_id, spans: Vec::new(), tree: Tree::default(), warnings: Vec::new(), skew_shift_ns: Vec::new() });
        }
        let spans = &mut self.set.traces[index as usize].spans;
        spans.push(span);
        Some((index, spans.len() as u32 - 1))
    }

    fn trace_warning(&mut self, trace_id: Option<TraceId>, warning: String) {
        match trace_id.and_then(|t| self.trace_index.get(&t)) {
            Some(&i) => self.set.traces[i as usize].warnings.push(warning),
            None => self.set.warnings.push(warning),
        }
    }

    fn finish(mut self) -> Result<TraceSet, String> {
        self.set.source.format = self.format.unwrap_or(Format::ZipkinV2);
        Ok(self.set)
    }
}

/// Start and end from what a format gave; a missing start or duration is noted on the span, never guessed silently.
pub(crate) fn times(start: Option<i64>, end: Option<i64>, notes: &mut u16) -> (i64, i64) {
    use crate::model::notes::*;
    let start_ns = match (start, end) {
        (Some(start), _) => start,
        (None, end) => {
            // Zero-length at the end if there is one; otherwise the tree places it at its parent's start.
            *notes |= MISSING_START;
            if end.is_none() {
                *notes |= MISSING_DURATION;
            }
            return (end.unwrap_or(0), end.unwrap_or(0));
        }
    };
    let end_ns = match end {
        Some(end) if end < start_ns => {
            *notes |= NEGATIVE_DURATION;
            start_ns
        }
        Some(end) => end,
        None => {
            *notes |= MISSING_DURATION;
            start_ns
        }
    };
    (start_ns, end_ns)
}

/// Microseconds (Jaeger, Zipkin) to nanoseconds; `None` if it would overflow.
pub(crate) fn micros_to_nanos(us: i64) -> Option<i64> {
    us.checked_mul(1000)
}
