//! A search for traces in a backend, as the search page's fields hold it and as the page's URL carries it
//! (`?view=search&backend=…&service=…`), so that a search can be shared. Fields stay as typed; they are read
//! (durations, tags, the time range) when a request is built, and a field that does not read says so.

use crate::format::{parse_duration, DurationError, DURATION_UNITS};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// A configured backend's name; empty for the first one.
    pub backend: String,
    pub service: String,
    pub operation: String,
    /// `key=value` pairs separated by spaces; a value with spaces is quoted: `http.route="/a b"`.
    pub tags: String,
    /// A TraceQL query (Tempo); when given, it is sent instead of the fields it covers.
    pub traceql: String,
    /// As typed: `100ms`, `1.5s`.
    pub min_duration: String,
    pub max_duration: String,
    /// One of `LOOKBACKS`, or `custom` for `start`..`end` (RFC 3339).
    pub lookback: String,
    pub start: String,
    pub end: String,
    /// As typed; `DEFAULT_LIMIT` when empty.
    pub limit: String,
}

/// The lookback choices: (value in the URL, label).
pub const LOOKBACKS: &[(&str, &str)] = &[
    ("5m", "Last 5 minutes"),
    ("15m", "Last 15 minutes"),
    ("1h", "Last hour"),
    ("6h", "Last 6 hours"),
    ("24h", "Last 24 hours"),
    ("168h", "Last 7 days"),
    ("custom", "Custom range"),
];

pub const DEFAULT_LOOKBACK: &str = "1h";
pub const DEFAULT_LIMIT: u32 = 20;
/// The most traces one search asks for.
pub const MAX_LIMIT: u32 = 10_000;

/// The URL parameters, in the order they are written.
const PARAMS: &[&str] =
    &["backend", "service", "operation", "tags", "q", "minDuration", "maxDuration", "lookback", "start", "end", "limit"];

impl Default for Search {
    fn default() -> Search {
        Search {
            backend: String::new(),
            service: String::new(),
            operation: String::new(),
            tags: String::new(),
            traceql: String::new(),
            min_duration: String::new(),
            max_duration: String::new(),
            lookback: DEFAULT_LOOKBACK.to_string(),
            start: String::new(),
            end: String::new(),
            limit: String::new(),
        }
    }
}

impl Search {
    /// The search a URL's query string (`a=1&b=2`, with or without `?`) holds; missing fields keep defaults.
    pub fn from_query(query: &str) -> Search {
        let mut search = Search::default();
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            if let Some(field) = search.field(&key) {
                *field = value.into_owned();
            }
        }
        search
    }

    /// `view=search` and every field that is set, as a query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("view", "search");
        let mut copy = self.clone();
        for key in PARAMS {
            let value = copy.field(key).map(std::mem::take).unwrap_or_default();
            let default = (*key == "lookback" && value == DEFAULT_LOOKBACK) || value.is_empty();
            if !default {
                out.append_pair(key, &value);
            }
        }
        out.finish()
    }

    /// The field with this URL parameter name (`service`, `q`, `minDuration`…).
    pub fn field(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "backend" => &mut self.backend,
            "service" => &mut self.service,
            "operation" => &mut self.operation,
            "tags" => &mut self.tags,
            "q" => &mut self.traceql,
            "minDuration" => &mut self.min_duration,
            "maxDuration" => &mut self.max_duration,
            "lookback" => &mut self.lookback,
            "start" => &mut self.start,
            "end" => &mut self.end,
            "limit" => &mut self.limit,
            _ => return None,
        })
    }

    /// The field with this URL parameter name, as typed ("" for an unknown name).
    pub fn get(&self, key: &str) -> String {
        self.clone().field(key).map(std::mem::take).unwrap_or_default()
    }

    /// Whether a search is asked for rather than only a page to search from: a page opened with a shared
    /// search runs it; `?view=search` alone waits for "Find traces" (some backends want a service first).
    pub fn asked(&self) -> bool {
        let criteria = [&self.service, &self.operation, &self.tags, &self.traceql, &self.min_duration, &self.max_duration];
        criteria.iter().any(|c| !c.trim().is_empty()) || self.lookback == "custom"
    }

    /// The search in a few words, for the results' heading: "frontend · HTTP GET · last hour".
    pub fn describe(&self) -> String {
        let service = if self.service.is_empty() { "all services" } else { &self.service };
        let lookback = LOOKBACKS.iter().find(|(v, _)| *v == self.lookback).map_or(self.lookback.as_str(), |(_, l)| l);
        let range = if self.lookback == "custom" { format!("{} to {}", self.start, self.end) } else { lookback.to_lowercase() };
        let parts = [service, &self.operation, &self.tags, &self.traceql, &range];
        parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" · ")
    }

    /// The time range searched, in ns since the epoch: the lookback back from `now_ns`, or `start`..`end`.
    pub fn range(&self, now_ns: i64) -> Result<(i64, i64), String> {
        if self.lookback == "custom" {
            let time = |text: &str, label: &str| {
                crate::formats::iso8601_ns(text)
                    .ok_or_else(|| format!("{label}: \"{text}\" is not a time like 2026-11-30T14:00:00Z"))
            };
            let (start, end) = (time(&self.start, "Start")?, time(&self.end, "End")?);
            if start >= end {
                return Err("Start must be before End".into());
            }
            return Ok((start, end));
        }
        let lookback = duration(&self.lookback, "Lookback")?.unwrap_or(3_600_000_000_000);
        Ok((now_ns.saturating_sub(lookback), now_ns))
    }

    pub fn min_duration(&self) -> Result<Option<i64>, String> {
        duration(&self.min_duration, "Min duration")
    }

    pub fn max_duration(&self) -> Result<Option<i64>, String> {
        duration(&self.max_duration, "Max duration")
    }

    /// Traces to ask for: the typed number, within 1..=`MAX_LIMIT`.
    pub fn limit(&self) -> u32 {
        self.limit.trim().parse::<u32>().map_or(DEFAULT_LIMIT, |n| n.clamp(1, MAX_LIMIT))
    }

    /// The tags as (key, value) pairs: `a=1 b="two words"`.
    pub fn tags(&self) -> Result<Vec<(String, String)>, String> {
        let mut pairs = Vec::new();
        let mut rest = self.tags.trim();
        while !rest.is_empty() {
            let Some(eq) = rest.find('=') else {
                return Err(format!("Tags: \"{rest}\" has no value (write key=value)"));
            };
            let key = rest[..eq].trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(format!("Tags: \"{}\" is not a key (write key=value)", &rest[..eq]));
            }
            let after = &rest[eq + 1..];
            let (value, next) = match after.strip_prefix('"') {
                Some(quoted) => match quoted.find('"') {
                    Some(close) => (&quoted[..close], &quoted[close + 1..]),
                    None => return Err(format!("Tags: the quote after {key}= is not closed")),
                },
                None => after.split_at(after.find(char::is_whitespace).unwrap_or(after.len())),
            };
            pairs.push((key.to_string(), value.to_string()));
            rest = next.trim_start();
        }
        Ok(pairs)
    }

    /// Tempo's `tags` parameter (logfmt): service, operation and tags as `service.name="x" name="y" k="v"`.
    pub fn tempo_tags(&self, tags: &[(String, String)]) -> String {
        let quote = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
        let fields = [("service.name", self.service.as_str()), ("name", self.operation.as_str())];
        let fields = fields.into_iter().filter(|(_, v)| !v.is_empty());
        let pairs = fields.chain(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        pairs.map(|(k, v)| format!("{k}={}", quote(v))).collect::<Vec<_>>().join(" ")
    }
}

/// A typed duration field: `None` when empty.
fn duration(text: &str, label: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_duration(text).map(Some).map_err(|e| match e {
        DurationError::Number | DurationError::NoUnit => {
            format!("{label}: \"{text}\" is not a duration like 100ms or 1.5s ({DURATION_UNITS})")
        }
        DurationError::Unit(unit) => format!("{label}: unknown unit \"{unit}\" (use {DURATION_UNITS})"),
    })
}
