//! Reading a backend's answers: a search's trace list, the service and operation lists, and what a failed
//! request means in words a person can act on.

use super::{Api, Backend, Kind};
use crate::trace_list::{rows_of, TraceRow};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The traces a search answered with. Jaeger api/v3 answers with summaries (v2.19 and later) or with every
/// matching trace merged into one OTLP document; Jaeger v1 and Zipkin with whole traces; Tempo with
/// summaries whose ids have lost their leading zeros.
pub fn search(api: Api, body: &[u8]) -> Result<Vec<TraceRow>, String> {
    match api {
        Api::JaegerV3 if has_key(body, "summaries") => {
            let answer: JaegerSummaries = json(body)?;
            Ok(answer.summaries.into_iter().map(JaegerSummary::row).collect())
        }
        Api::Tempo | Api::TempoV1 => {
            let answer: TempoSearch = json(body)?;
            Ok(answer.traces.into_iter().map(TempoTrace::row).collect())
        }
        _ => whole_traces(body),
    }
}

/// A search answer holding whole traces, read like a file.
fn whole_traces(body: &[u8]) -> Result<Vec<TraceRow>, String> {
    match crate::pipeline::load_analyzed("search.json", body) {
        Ok(file) => Ok(rows_of(&file).into_iter().map(|row| TraceRow { index: None, ..row }).collect()),
        // No match is an empty list, not an error.
        Err(e) if e.message.starts_with("the file holds no spans") => Ok(Vec::new()),
        Err(e) => Err(e.message),
    }
}

/// The services the backend knows, sorted.
pub fn services(api: Api, body: &[u8]) -> Result<Vec<String>, String> {
    let names = match api {
        Api::JaegerV3 => json::<Named>(body)?.services,
        Api::JaegerV1 => json::<Named>(body)?.data,
        Api::Tempo | Api::TempoV1 => json::<TagValues>(body)?.values(),
        Api::Zipkin => json::<Vec<String>>(body)?,
    };
    Ok(sorted(names))
}

/// The operations (span names) of one service, sorted.
pub fn operations(api: Api, body: &[u8]) -> Result<Vec<String>, String> {
    let names = match api {
        Api::JaegerV3 => json::<Named>(body)?.operations.into_iter().map(|o| o.name).collect(),
        Api::JaegerV1 => json::<Named>(body)?.data,
        Api::Tempo | Api::TempoV1 => json::<TagValues>(body)?.values(),
        Api::Zipkin => json::<Vec<String>>(body)?,
    };
    Ok(sorted(names))
}

/// Whether a failed request means the route itself is missing (an older or newer Jaeger without it, so the
/// next API is tried), rather than an answer from the API: a 404 that is not Jaeger's JSON error.
pub fn route_missing(status: u16, body: &[u8]) -> bool {
    status == 404 && !(has_key(body, "error") || has_key(body, "errors"))
}

/// Whether a failed search means only that nothing matched: Jaeger api/v3 answers a search without match
/// with its 404 error ("No traces found"), not with an empty list.
pub fn no_match(api: Api, status: u16, body: &[u8]) -> bool {
    api == Api::JaegerV3 && status == 404 && has_key(body, "error")
}

/// What a request that got an HTTP error means. `wanted` names what was asked: "trace 4bf9…", "the search".
pub fn http_failure(backend: &Backend, status: u16, body: &[u8], wanted: &str) -> String {
    let name = &backend.name;
    let said = message(body).map(|m| format!(": {m}")).unwrap_or_default();
    match status {
        404 if wanted.starts_with("trace ") => format!("{wanted} was not found in {name} (HTTP 404{said})"),
        401 | 403 => format!(
            "{name} refused {wanted} (HTTP {status}{said}): the backend wants credentials; sign in to it in this browser, or \
             set the header it needs in public/config.json (\"headers\")"
        ),
        400 => format!("{name} did not accept {wanted} (HTTP 400{said})"),
        500..=599 => format!("{name} failed to answer {wanted} (HTTP {status}{said})"),
        _ => format!("{name} answered {wanted} with HTTP {status}{said}"),
    }
}

/// What a request that got no answer at all means: the page cannot tell an unreachable backend from one
/// that refuses this origin (CORS), so both are named, with the setting that allows the viewer's origin.
pub fn unreachable(backend: &Backend, url: &str) -> String {
    let cors = match backend.kind {
        Kind::Jaeger => "Jaeger v2: extensions.jaeger_query.http.cors.allowed_origins; Jaeger 1.x: \
                         --query.additional-headers \"Access-Control-Allow-Origin: <this page's origin>\"",
        Kind::Tempo => "Tempo has no CORS option: serve it behind the same origin as this page (a reverse proxy)",
        Kind::Zipkin => "ZIPKIN_QUERY_ALLOWED_ORIGINS",
    };
    format!(
        "could not reach {} at {url}: it is down or unreachable from this browser, or it does not allow this page's \
         origin (CORS; {cors}). The browser's console names which.",
        backend.name
    )
}

/// What an answer that is not JSON means (an HTML login or error page, usually).
pub fn not_json(backend: &Backend, body: &[u8]) -> Option<String> {
    let text = body.trim_ascii_start();
    if !text.starts_with(b"<") {
        return None;
    }
    let title = crate::formats::parse("answer", body).err().map(|e| e.message).unwrap_or_default();
    let what = title.split_once(": \"").map(|(_, t)| format!(" \"{}", t)).unwrap_or_default();
    Some(format!(
        "{} answered with an HTML page, not JSON{what}: a login page or a proxy's error? Check the backend's URL in \
         public/config.json",
        backend.name
    ))
}

/// A backend's own message in an error body: Jaeger's `errors[].msg` or `error.message`, or the first line
/// of a text body, cut to a readable length.
fn message(body: &[u8]) -> Option<String> {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => {
            let jaeger_v1 = v.get("errors").and_then(|e| e.get(0)).and_then(|e| e.get("msg"));
            let v3 = v.get("error").and_then(|e| e.get("message").or_else(|| e.get("msg")));
            jaeger_v1.or(v3).or(v.get("message")).and_then(Value::as_str)?.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).lines().find(|l| !l.trim().is_empty())?.trim().to_string(),
    };
    (!text.is_empty() && !text.starts_with('<')).then(|| crate::formats::readable(&text))
}

fn json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("the answer does not read: {e}"))
}

/// Whether the top-level JSON object has `key` (cheaply: only the top level is parsed).
fn has_key(body: &[u8], key: &str) -> bool {
    serde_json::from_slice::<BTreeMap<String, serde::de::IgnoredAny>>(body).is_ok_and(|m| m.contains_key(key))
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Named {
    services: Vec<String>,
    data: Vec<String>,
    operations: Vec<Operation>,
}

#[derive(Deserialize)]
struct Operation {
    name: String,
}

/// Tempo's tag values: strings (`/api/search/tag/…/values`) or `{type, value}` objects (v2).
#[derive(Deserialize)]
struct TagValues {
    #[serde(rename = "tagValues", default)]
    tag_values: Vec<Value>,
}

impl TagValues {
    fn values(self) -> Vec<String> {
        let text = |v: Value| match v {
            Value::String(s) => Some(s),
            Value::Object(mut o) => o.remove("value").and_then(|v| v.as_str().map(str::to_string)),
            _ => None,
        };
        self.tag_values.into_iter().filter_map(text).collect()
    }
}

#[derive(Deserialize)]
struct JaegerSummaries {
    #[serde(default)]
    summaries: Vec<JaegerSummary>,
}

/// Jaeger api/v3's trace summary: protobuf JSON (64-bit numbers may be strings, times in ns), or the
/// gateway's own JSON of later releases (`traceID`, times in µs).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JaegerSummary {
    #[serde(alias = "traceID")]
    trace_id: String,
    #[serde(default)]
    root_service_name: String,
    #[serde(default)]
    root_operation_name: String,
    min_start_time_unix_nano: Option<crate::formats::Int>,
    max_end_time_unix_nano: Option<crate::formats::Int>,
    start_time_unix_us: Option<crate::formats::Int>,
    duration_us: Option<crate::formats::Int>,
    span_count: Option<crate::formats::Int>,
    error_span_count: Option<crate::formats::Int>,
    #[serde(default)]
    services: Vec<JaegerService>,
}

#[derive(Deserialize)]
struct JaegerService {
    name: String,
}

impl JaegerSummary {
    fn row(self) -> TraceRow {
        let micros = |t: Option<crate::formats::Int>| t.map(|t| t.0.saturating_mul(1000));
        let start = self.min_start_time_unix_nano.map(|t| t.0).or(micros(self.start_time_unix_us)).unwrap_or(0);
        let end = match (self.max_end_time_unix_nano, micros(self.duration_us)) {
            (Some(end), _) => end.0,
            (None, Some(duration)) => start.saturating_add(duration),
            (None, None) => start,
        };
        TraceRow {
            trace_id: trace_id(&self.trace_id),
            root_service: self.root_service_name,
            root_name: self.root_operation_name,
            services: sorted(self.services.into_iter().map(|s| s.name).collect()),
            spans: self.span_count.map_or(0, |n| n.0.max(0) as u64),
            errors: self.error_span_count.map_or(0, |n| n.0.max(0) as u64),
            start_ns: start,
            duration_ns: (end - start).max(0),
            index: None,
        }
    }
}

#[derive(Deserialize)]
struct TempoSearch {
    #[serde(default)]
    traces: Vec<TempoTrace>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TempoTrace {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(default)]
    root_service_name: String,
    #[serde(default)]
    root_trace_name: String,
    start_time_unix_nano: Option<crate::formats::Int>,
    duration_ms: Option<f64>,
    #[serde(default)]
    service_stats: BTreeMap<String, TempoServiceStats>,
    #[serde(default)]
    span_sets: Vec<TempoSpanSet>,
    span_set: Option<TempoSpanSet>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct TempoServiceStats {
    span_count: u64,
    error_count: u64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TempoSpanSet {
    matched: u64,
}

impl TempoTrace {
    fn row(self) -> TraceRow {
        let counted: u64 = self.service_stats.values().map(|s| s.span_count).sum();
        let matched = self.span_sets.iter().chain(&self.span_set).map(|s| s.matched).max().unwrap_or(0);
        TraceRow {
            // Tempo drops the leading zeros of trace ids.
            trace_id: trace_id(&self.trace_id),
            root_service: self.root_service_name,
            root_name: self.root_trace_name,
            services: self.service_stats.keys().cloned().collect(),
            spans: if counted > 0 { counted } else { matched },
            errors: self.service_stats.values().map(|s| s.error_count).sum(),
            start_ns: self.start_time_unix_nano.map_or(0, |t| t.0),
            duration_ns: self.duration_ms.map_or(0, |ms| (ms * 1e6).round() as i64),
            index: None,
        }
    }
}

/// A hex trace id as the rest of spanlens writes it: lowercase, left-padded to 32 digits.
fn trace_id(id: &str) -> String {
    let id = id.trim().to_ascii_lowercase();
    if !id.is_empty() && id.len() < 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{id:0>32}")
    } else {
        id
    }
}
