//! The tracing backends spanlens reads from when hosted next to a collector (DESIGN.md, "Backends"): Jaeger
//! (api/v3, falling back to the v1 HTTP API that older deployments have), Tempo and Zipkin. What to ask each
//! (`Api`: the URL of a trace, a search, the service and operation lists) and how to read its answers
//! (`answers`). Plain Rust with no web dependency: the browser side sends the requests.

pub mod answers;
pub mod search;

use search::Search;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One entry of `public/config.json`'s `backends`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    pub name: String,
    pub kind: Kind,
    /// Absolute, or relative to the page (a reverse proxy puts the viewer and the backend on one origin).
    pub url: String,
    /// Sent with every request, such as Tempo's `X-Scope-OrgID`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A request unanswered this long fails with a timeout (and Retry).
    pub timeout_ms: Option<u64>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Jaeger,
    Tempo,
    Zipkin,
}

/// How long a request may take when the backend does not say (`timeoutMs`).
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

impl Backend {
    /// The APIs to ask for a trace, in order, the next when the route of one is missing: Jaeger's api/v3,
    /// then its v1 HTTP API; Tempo's api/v2, then its older `/api/traces` (`{"batches":…}`).
    pub fn trace_apis(&self) -> &'static [Api] {
        match self.kind {
            Kind::Tempo => &[Api::Tempo, Api::TempoV1],
            _ => self.apis(),
        }
    }

    /// The APIs to ask for a search and the lists, in order (Tempo's search routes have not changed).
    pub fn apis(&self) -> &'static [Api] {
        match self.kind {
            Kind::Jaeger => &[Api::JaegerV3, Api::JaegerV1],
            Kind::Tempo => &[Api::Tempo],
            Kind::Zipkin => &[Api::Zipkin],
        }
    }

    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }
}

/// One backend API: the routes and parameters its server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    JaegerV3,
    JaegerV1,
    Tempo,
    /// Tempo before api/v2: only its trace route differs.
    TempoV1,
    Zipkin,
}

impl Api {
    /// The trace with `id` (`base`: the backend's URL, resolved against the page).
    pub fn trace(self, base: &str, id: &str) -> String {
        let id = id.trim();
        // Zipkin keeps a 64-bit id as 16 digits; spanlens writes ids with 32.
        let id = match id.strip_prefix("0000000000000000") {
            Some(short) if self == Api::Zipkin && id.len() == 32 => short,
            _ => id,
        };
        let id = escape(id);
        match self {
            Api::JaegerV3 => format!("{}/api/v3/traces/{id}", root(base)),
            Api::JaegerV1 => format!("{}/api/traces/{id}", root(base)),
            Api::Tempo => format!("{}/api/v2/traces/{id}", root(base)),
            Api::TempoV1 => format!("{}/api/traces/{id}", root(base)),
            Api::Zipkin => format!("{}/api/v2/trace/{id}", root(base)),
        }
    }

    /// The list of services.
    pub fn services(self, base: &str) -> String {
        match self {
            Api::JaegerV3 => format!("{}/api/v3/services", root(base)),
            Api::JaegerV1 => format!("{}/api/services", root(base)),
            Api::Tempo | Api::TempoV1 => format!("{}/api/search/tag/service.name/values", root(base)),
            Api::Zipkin => format!("{}/api/v2/services", root(base)),
        }
    }

    /// The operations (span names) of `service`.
    pub fn operations(self, base: &str, service: &str) -> String {
        match self {
            Api::JaegerV3 => format!("{}/api/v3/operations?{}", root(base), query(&[("service", service)])),
            Api::JaegerV1 => format!("{}/api/services/{}/operations", root(base), escape(service)),
            Api::Tempo | Api::TempoV1 => {
                let scoped = format!("{{resource.service.name=\"{}\"}}", service.replace('\\', "\\\\").replace('"', "\\\""));
                format!("{}/api/search/tag/name/values?{}", root(base), query(&[("q", &scoped)]))
            }
            Api::Zipkin => format!("{}/api/v2/spans?{}", root(base), query(&[("serviceName", service)])),
        }
    }

    /// A search (`now_ns`: the present, for lookbacks): the URLs to try in order, the next when the route of
    /// one is missing (`answers::route_missing`). Jaeger api/v3 asks for trace summaries (v2.19 and later),
    /// then for the matching traces themselves (older v2 releases).
    pub fn search(self, base: &str, search: &Search, now_ns: i64) -> Result<Vec<String>, String> {
        let (start, end) = search.range(now_ns)?;
        let (min, max) = (search.min_duration()?, search.max_duration()?);
        let tags = search.tags()?;
        let limit = search.limit().to_string();
        let mut p: Vec<(&str, String)> = Vec::new();
        let mut put = |key: &'static str, value: String| {
            if !value.is_empty() {
                p.push((key, value));
            }
        };
        // Jaeger takes the tags as a JSON map (none: left out, as every empty value is).
        let tags_json = if tags.is_empty() {
            String::new()
        } else {
            let map: BTreeMap<&str, &str> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            serde_json::to_string(&map).expect("strings serialize")
        };
        let go = |ns: Option<i64>| ns.map(go_duration).unwrap_or_default();
        let routes = match self {
            Api::JaegerV3 => {
                put("query.serviceName", search.service.clone());
                put("query.operationName", search.operation.clone());
                put("query.startTimeMin", crate::formats::rfc3339(start));
                put("query.startTimeMax", crate::formats::rfc3339(end));
                put("query.durationMin", go(min));
                put("query.durationMax", go(max));
                put("query.searchDepth", limit);
                put("query.attributes", tags_json);
                &["/api/v3/trace-summaries", "/api/v3/traces"][..]
            }
            Api::JaegerV1 => {
                put("service", search.service.clone());
                put("operation", search.operation.clone());
                put("start", (start / 1000).to_string());
                put("end", (end / 1000).to_string());
                put("minDuration", go(min));
                put("maxDuration", go(max));
                put("limit", limit);
                put("tags", tags_json);
                &["/api/traces"][..]
            }
            Api::Tempo | Api::TempoV1 => {
                // A TraceQL query as typed; otherwise the fields as tags (logfmt), which Tempo matches
                // whatever the attribute's type.
                match search.traceql.trim() {
                    "" => {
                        put("tags", search.tempo_tags(&tags));
                        put("minDuration", go(min));
                        put("maxDuration", go(max));
                    }
                    traceql => put("q", traceql.to_string()),
                }
                put("start", (start / 1_000_000_000).to_string());
                put("end", (end.saturating_add(999_999_999) / 1_000_000_000).to_string());
                put("limit", limit);
                &["/api/search"][..]
            }
            Api::Zipkin => {
                if !search.traceql.trim().is_empty() {
                    return Err("Zipkin has no TraceQL: use Tags".into());
                }
                put("serviceName", search.service.clone());
                put("spanName", search.operation.clone());
                let annotations: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                put("annotationQuery", annotations.join(" and "));
                put("minDuration", min.map(|ns| (ns / 1000).to_string()).unwrap_or_default());
                put("maxDuration", max.map(|ns| (ns / 1000).to_string()).unwrap_or_default());
                put("endTs", (end / 1_000_000).to_string());
                put("lookback", ((end - start) / 1_000_000).to_string());
                put("limit", limit);
                &["/api/v2/traces"][..]
            }
        };
        let pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let query = query(&pairs);
        Ok(routes.iter().map(|route| format!("{}{route}?{query}", root(base))).collect())
    }

    /// The API's name in messages.
    pub fn label(self) -> &'static str {
        match self {
            Api::JaegerV3 => "Jaeger api/v3",
            Api::JaegerV1 => "Jaeger HTTP API (v1)",
            Api::Tempo => "Tempo",
            Api::TempoV1 => "Tempo (before api/v2)",
            Api::Zipkin => "Zipkin",
        }
    }
}

/// The backend's URL without a trailing slash, so routes can follow it.
fn root(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// A query string from pairs.
fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// One path segment, escaped.
fn escape(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

/// Nanoseconds as a Go duration (`time.ParseDuration`, which Jaeger and Tempo use): exact, in µs when whole.
fn go_duration(ns: i64) -> String {
    if ns % 1000 == 0 {
        format!("{}us", ns / 1000)
    } else {
        format!("{ns}ns")
    }
}

#[cfg(test)]
mod tests;
