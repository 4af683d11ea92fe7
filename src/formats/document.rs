//! The whole-document reader: detects the format by content and reads the input in one pass with borrowed
//! strings, handing each document (or array element) to its format's reader as soon as it is read.

use super::builder::Builder;
use super::error::{readable, LoadError};
use super::json::{Int, Micros, Scalar, Text};
use super::{console, jaeger, lenient, otlp, zipkin};
use crate::model::{Format, TraceSet};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Parses one input into traces (trees not yet built; see `analysis::tree`). UTF-16 input (Windows tools
/// save JSON that way) is decoded first.
pub fn parse(name: &str, bytes: &[u8]) -> Result<TraceSet, LoadError> {
    if let Some(little_endian) = utf16(bytes) {
        let text = decode_utf16(bytes, little_endian).map_err(|message| LoadError::whole_file(name, message))?;
        let mut set = parse(name, text.as_bytes())?;
        set.source.bytes = bytes.len() as u64;
        return Ok(set);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::whole_file(name, "the file is empty".into()));
    }
    if let Some(message) = markup_page(body) {
        return Err(LoadError::whole_file(name, message));
    }
    let mut builder = Builder::new(name, bytes.len() as u64);
    let mut rejected: Vec<LoadError> = Vec::new();
    if console::looks_like_console(body) {
        // One JSON object per span; a span object that does not read is rejected alone.
        let (read, bad) = lenient::within(|| -> Result<(), serde_json::Error> {
            for (index, raw) in serde_json::Deserializer::from_slice(body).into_iter::<&serde_json::value::RawValue>().enumerate() {
                let span = lenient::element::<_, serde_json::Error>(raw?, std::marker::PhantomData::<console::ConsoleSpan>, "", index)?;
                span.into_iter().for_each(|span| console::add(&mut builder, span));
            }
            Ok(())
        });
        read.map_err(|e| {
            let message = readable(without_position(&e.to_string()));
            LoadError::at(name, e.line().max(1), e.column().max(1), format!("not console-exporter output: {message}"))
        })?;
        rejected = rejected_errors(name, body, bad);
    } else if looks_like_jsonl(body) {
        builder.format = Some(Format::OtlpJsonl);
        // A line that does not read is skipped and reported, and the others load: the collector's file
        // exporter leaves a half-written last line in a file it is still writing.
        let mut skipped: Vec<LoadError> = Vec::new();
        let mut read_any = false;
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            if !line.iter().all(u8::is_ascii_whitespace) {
                // Each line is parsed alone: positions are made file-relative.
                let file_relative = |mut err: LoadError| {
                    err.line += index;
                    err
                };
                match read(name, line, &mut builder, false) {
                    Ok(bad) => {
                        read_any = true;
                        rejected.extend(bad.into_iter().map(file_relative));
                    }
                    Err(err) => skipped.push(file_relative(err)),
                }
            }
        }
        if !read_any && !skipped.is_empty() {
            return Err(skipped.swap_remove(0));
        }
        report(&mut builder, skipped, SKIPPED_LINE, "the line was skipped", "JSONL lines were skipped");
    } else {
        rejected = read(name, body, &mut builder, true)?;
    }
    if builder.set.traces.is_empty() && !rejected.is_empty() {
        // Nothing loaded: the first span's error is the file's.
        return Err(rejected.swap_remove(0));
    }
    builder.set.span_objects += rejected.len() as u64;
    report(&mut builder, rejected, REJECTED_SPAN, "the span was rejected", "spans were rejected");
    builder.finish().map_err(|message| LoadError::whole_file(name, message))
}

/// What to say of an input that is an HTML or XML page rather than JSON: what a proxy, a login page or a
/// server's error page answers to a trace URL. Its `<title>` says which.
fn markup_page(body: &[u8]) -> Option<String> {
    let text = body.trim_ascii_start();
    if !text.starts_with(b"<") {
        return None;
    }
    let head = String::from_utf8_lossy(&text[..text.len().min(64 * 1024)]);
    let lower = head.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|open| {
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find("</title")?;
        Some(head[start..end].split_whitespace().collect::<Vec<_>>().join(" "))
    });
    let kind = if lower.contains("<html") || lower.starts_with("<!doctype html") { "an HTML page" } else { "markup (HTML or XML)" };
    Some(match title.filter(|t| !t.is_empty()) {
        Some(title) => format!("the file is {kind}, not trace JSON (an error or login page?): \"{}\"", readable(&title)),
        None => format!("the file is {kind}, not trace JSON (an error or login page?)"),
    })
}

/// Whether the input is UTF-16, and little-endian: by its byte-order mark, or by the NUL byte of each ASCII
/// character (JSON starts with one: `{`, `[` or white space).
pub(super) fn utf16(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(true),
        [0xFE, 0xFF, ..] => Some(false),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(true),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(false),
        _ => None,
    }
}

fn decode_utf16(bytes: &[u8], little_endian: bool) -> Result<String, String> {
    let endian = if little_endian { "little" } else { "big" };
    let body = bytes.strip_prefix(if little_endian { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] }).unwrap_or(bytes);
    if body.len() % 2 != 0 {
        return Err(format!("the file is UTF-16 ({endian}-endian) but has an odd number of bytes: is it cut short?"));
    }
    let units = body.chunks_exact(2).map(|p| if little_endian { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) });
    char::decode_utf16(units)
        .enumerate()
        .map(|(i, c)| c.map_err(|_| format!("the file is UTF-16 ({endian}-endian) but not valid UTF-16 at byte {}", 2 * i)))
        .collect()
}

/// The rejection reason of a JSONL line that does not read (its position and error are in the warnings).
pub const SKIPPED_LINE: &str = "a JSONL line that is not valid trace JSON was skipped";
/// The rejection reason of a span with a wrong-typed field or an out-of-range value (its position, field and
/// error are in the warnings).
pub const REJECTED_SPAN: &str = "a span with a wrong-typed field or an out-of-range value";
/// Errors of one kind listed one by one in the warnings; the rest are counted.
const MAX_LISTED_ERRORS: usize = 100;

/// Rejects what each error stands for (a line or a span) with `reason`, and lists the errors in the
/// warnings, each followed by `outcome`; past `MAX_LISTED_ERRORS`, the rest are counted as "N more {more}".
fn report(b: &mut Builder, errors: Vec<LoadError>, reason: &str, outcome: &str, more: &str) {
    for (i, err) in errors.iter().enumerate() {
        b.set.reject(reason);
        if i < MAX_LISTED_ERRORS {
            b.set.warnings.push(format!("{err}: {outcome}"));
        }
    }
    if errors.len() > MAX_LISTED_ERRORS {
        b.set.warnings.push(format!("{} more {more}", errors.len() - MAX_LISTED_ERRORS));
    }
}

/// Reads `bytes` (the whole input, or one JSONL line) into the builder, and gives the spans it rejected.
/// The read is strict (and fast) first; if it fails on a value rather than on JSON syntax, the input is read
/// again leniently (see `lenient`): the spans holding such a value are rejected and the rest loads.
fn read(name: &str, bytes: &[u8], builder: &mut Builder, whole_input: bool) -> Result<Vec<LoadError>, LoadError> {
    // A top-level array adds its elements as they are read, so a failed strict read may have added some: the
    // whole input then starts again on a new builder, and a JSONL line that is an array is read leniently at
    // once.
    let array = bytes.trim_ascii_start().starts_with(b"[");
    if whole_input || !array {
        match parse_value(bytes, builder) {
            Ok(()) => return Ok(Vec::new()),
            Err(e) if !is_value_error(&e) => return Err(describe(name, bytes, e)),
            Err(_) if whole_input => *builder = Builder::new(name, builder.set.source.bytes),
            Err(_) => {}
        }
    }
    let (read, bad) = lenient::within(|| parse_value(bytes, builder));
    if let Err(e) = read {
        return Err(lenient::within(|| describe(name, bytes, e)).0);
    }
    Ok(rejected_errors(name, bytes, bad))
}

/// An error in a value rather than in the JSON's syntax: the span holding it is rejected, not the file. A
/// number too big for a double (`1e400`) is valid JSON that serde_json reports as a syntax error.
fn is_value_error(e: &serde_json::Error) -> bool {
    e.classify() == serde_json::error::Category::Data || e.to_string().starts_with("number out of range")
}

/// The elements a lenient read of `bytes` rejected, as errors at their positions in `bytes`.
fn rejected_errors(name: &str, bytes: &[u8], bad: Vec<lenient::Bad>) -> Vec<LoadError> {
    let error = |bad: lenient::Bad| {
        let (line, column) = bad.position(bytes);
        LoadError { file: name.to_string(), line, column, path: readable(&bad.path), message: readable(&bad.message) }
    };
    bad.into_iter().map(error).collect()
}

/// JSON Lines: the first line is a whole object on its own and more content follows.
pub(super) fn looks_like_jsonl(body: &[u8]) -> bool {
    let Some(newline) = memchr::memchr(b'\n', body) else { return false };
    let first = body[..newline].trim_ascii();
    first.starts_with(b"{") && first.ends_with(b"}") && !body[newline..].trim_ascii().is_empty()
}

fn parse_value(bytes: &[u8], builder: &mut Builder) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    TopLevel { builder, depth: 0 }.deserialize(&mut de)?;
    de.end()
}

/// A serde_json error's text without its " at line L column C" (the position is kept apart).
fn without_position(text: &str) -> &str {
    text.rfind(" at line ").map_or(text, |cut| &text[..cut])
}

/// Turns a parse error into a `LoadError`; parses once more with path tracking (only on failure, as it is slower).
fn describe(file: &str, bytes: &[u8], error: serde_json::Error) -> LoadError {
    let mut scratch = Builder::new(file, 0);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let path = match (TopLevel { builder: &mut scratch, depth: 0 }).deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track)) {
        Err(_) => track.path().to_string(),
        Ok(()) => String::new(),
    };
    let text = error.to_string();
    let detail = without_position(&text);
    let message = match error.classify() {
        serde_json::error::Category::Syntax if std::str::from_utf8(bytes).is_err() => {
            // serde_json says "invalid unicode code point"; the reason is the file's encoding.
            let at = std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to());
            format!("not valid UTF-8 (byte 0x{:02X} at offset {at}): trace JSON is UTF-8; was the file saved in another encoding?", bytes[at])
        }
        serde_json::error::Category::Syntax => format!("not valid JSON: {detail}"),
        serde_json::error::Category::Eof => format!("the JSON ends too early (is the file cut short?): {detail}"),
        _ => detail.to_string(),
    };
    let (message, path) = (readable(&message), readable(&path));
    LoadError { file: file.to_string(), line: error.line().max(1), column: error.column().max(1), path, message }
}

/// Receives the top-level value: an object (one document) or an array (of documents, Jaeger traces or
/// Zipkin spans), and hands each element to the builder as soon as it is read, so no array is held twice.
/// An element may itself be an array of documents: Zipkin's search answer (`GET /api/v2/traces`) is an array
/// of traces, each an array of spans.
struct TopLevel<'b> {
    builder: &'b mut Builder,
    /// 0 for the top-level value, 1 for an element of the top-level array, 2 inside such an element.
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.depth {
            0 => f.write_str("a JSON object or array of trace data"),
            _ => f.write_str("a trace document: OTLP, Jaeger or Zipkin"),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let doc = Doc::deserialize(de::value::MapAccessDeserializer::new(map))?;
        add_document(self.builder, doc, self.depth == 0).map_err(de::Error::custom)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth >= 2 {
            return Err(de::Error::custom("arrays nested three deep: expected traces, or arrays of Zipkin spans"));
        }
        if lenient::active() {
            // Each element on its own: a span (or document) that does not read is rejected alone.
            let mut index = 0;
            while let Some(raw) = seq.next_element::<&'de serde_json::value::RawValue>()? {
                lenient::element(raw, TopLevel { builder: &mut *self.builder, depth: self.depth + 1 }, "", index)?;
                index += 1;
            }
            return Ok(());
        }
        while seq.next_element_seed(TopLevel { builder: &mut *self.builder, depth: self.depth + 1 })?.is_some() {}
        Ok(())
    }
}

/// Every top-level shape in one struct, so that detection and parsing are one pass: OTLP (`resourceSpans`,
/// Tempo's `batches`, Jaeger api/v3's `result`, Tempo api/v2's `trace`), Jaeger (`data`, or one trace object), or one Zipkin span.
/// Jaeger trace objects inside `data` are read as `Doc` too. (No `#[serde(flatten)]`: it buffers the value.)
#[derive(Deserialize)]
#[serde(expecting = "a trace document: OTLP, Jaeger or Zipkin")]
pub(super) struct Doc<'a> {
    #[serde(rename = "resourceSpans", alias = "batches", alias = "resource_spans", borrow)]
    resource_spans: Option<Vec<otlp::ResourceSpans<'a>>>,
    /// Jaeger api/v3's `{"result": …}`, Tempo api/v2's `{"trace": …}`.
    #[serde(alias = "trace", borrow)]
    result: Option<Box<Doc<'a>>>,
    #[serde(borrow)]
    data: Option<OneOrMany<Doc<'a>>>,

    // A Jaeger trace object.
    #[serde(rename = "traceID", borrow)]
    jaeger_trace_id: Text<'a>,
    #[serde(borrow)]
    spans: Option<lenient::Spans<jaeger::JaegerSpan<'a>>>,
    #[serde(borrow)]
    /// Sorted by process id: resources get the same indices on every load (a HashMap would not).
    processes: Option<std::collections::BTreeMap<std::borrow::Cow<'a, str>, jaeger::Process<'a>>>,
    #[serde(borrow)]
    warnings: Option<Vec<Text<'a>>>,

    // A backend's error answer: Jaeger's query API (`"errors": [{"code", "msg"}]`), api/v3 and gRPC gateways
    // (`"error": {"httpCode", "message"}`).
    #[serde(borrow)]
    errors: Option<Vec<BackendError<'a>>>,
    #[serde(borrow)]
    error: Option<BackendError<'a>>,

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
    timestamp: Option<Micros>,
    duration: Option<Micros>,
    #[serde(rename = "localEndpoint", borrow)]
    local_endpoint: Option<zipkin::Endpoint<'a>>,
    #[serde(rename = "remoteEndpoint", borrow)]
    remote_endpoint: Option<zipkin::Endpoint<'a>>,
    #[serde(borrow)]
    annotations: Option<Vec<zipkin::Annotation<'a>>>,
    #[serde(borrow)]
    tags: Option<std::collections::BTreeMap<std::borrow::Cow<'a, str>, Scalar<'a>>>,
}

impl<'a> Doc<'a> {
    fn is_zipkin_span(&self) -> bool {
        self.id.is_some() || self.trace_id.is_some()
    }

    /// The fields of a Jaeger trace object.
    fn into_jaeger(self) -> jaeger::TraceObject<'a> {
        jaeger::TraceObject {
            jaeger_trace_id: self.jaeger_trace_id,
            spans: self.spans,
            processes: self.processes,
            warnings: self.warnings,
        }
    }

    /// The fields of a Zipkin v2 span.
    fn into_zipkin(self) -> zipkin::SpanObject<'a> {
        zipkin::SpanObject {
            trace_id: self.trace_id,
            id: self.id,
            parent_id: self.parent_id,
            name: self.name,
            kind: self.kind,
            timestamp: self.timestamp,
            duration: self.duration,
            local_endpoint: self.local_endpoint,
            remote_endpoint: self.remote_endpoint,
            annotations: self.annotations,
            tags: self.tags,
        }
    }
}

/// One error a backend answered with: an object with a code and a message, or a bare string.
#[derive(Deserialize)]
#[serde(untagged)]
enum BackendError<'a> {
    Object {
        code: Option<Int>,
        #[serde(rename = "httpCode")]
        http_code: Option<Int>,
        #[serde(borrow)]
        msg: Text<'a>,
        #[serde(borrow)]
        message: Text<'a>,
    },
    Text(#[serde(borrow)] std::borrow::Cow<'a, str>),
}

impl BackendError<'_> {
    /// "404 trace not found".
    fn describe(&self) -> String {
        match self {
            BackendError::Object { code, http_code, msg, message } => {
                let code = code.as_ref().or(http_code.as_ref()).map(|c| format!("{} ", c.0)).unwrap_or_default();
                format!("{code}{}", msg.as_deref().or(message.as_deref()).unwrap_or("(no message)"))
            }
            BackendError::Text(text) => text.to_string(),
        }
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

/// Hands one document to its format's reader.
pub(super) fn add_document(b: &mut Builder, doc: Doc<'_>, top_level_object: bool) -> Result<(), String> {
    let backend_errors: Vec<String> = doc.errors.iter().flatten().chain(&doc.error).map(|e| readable(&e.describe())).collect();
    if !backend_errors.is_empty() {
        let has_data = doc.resource_spans.is_some() || doc.result.is_some() || doc.data.is_some() || doc.spans.is_some();
        if !has_data {
            return Err(format!("the backend answered with an error: {}", backend_errors.join("; ")));
        }
        b.set.warnings.extend(backend_errors.iter().map(|e| format!("the backend reported an error: {e}")));
    }
    if let Some(resource_spans) = doc.resource_spans {
        b.set_format(Format::OtlpJson);
        otlp::add(b, resource_spans);
    } else if let Some(inner) = doc.result {
        return add_document(b, *inner, top_level_object);
    } else if let Some(data) = doc.data {
        b.set_format(Format::JaegerJson);
        match data {
            OneOrMany::One(trace) => jaeger::add(b, trace.into_jaeger()),
            OneOrMany::Many(traces) => traces.into_iter().for_each(|t| jaeger::add(b, t.into_jaeger())),
        }
    } else if doc.spans.is_some() {
        b.set_format(Format::JaegerJson);
        jaeger::add(b, doc.into_jaeger());
    } else if doc.is_zipkin_span() && !top_level_object {
        b.set_format(Format::ZipkinV2);
        zipkin::add(b, doc.into_zipkin());
    } else if top_level_object {
        return Err("no trace data found: expected OTLP `resourceSpans`, Jaeger `data` or `spans`, \
                    or an array of Zipkin spans"
            .into());
    } else {
        b.set.span_objects += 1;
        b.set.reject("array element is not a trace, document or span");
    }
    Ok(())
}
