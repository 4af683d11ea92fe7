//! One way to write a test trace: a text picture, one span per line, indentation = parent.
//!
//! ```text
//! checkout   gateway    0..100ms   server
//!   stock    inventory  5..20ms    client
//!   pay      payment    20..90ms   client  error="card declined"  http.status_code=402
//! worker     mailer     95..99ms   consumer orphan
//! ```
//! Each line: name, service, `start..end` with a unit (`ns`, `us`/`µs`, `ms`, `s`; ns when none), then any
//! of: a kind (`server`, `client`, `producer`, `consumer`, `internal`), `error` or `error="message"`, `ok`,
//! `orphan` (its parent id names a span that is not in the trace), `id=<hex>` (its span id; the default is
//! its line number), `trace=<hex>` (its trace id; the default is 1), `host=<name>` (its resource's `host.name`), `key=value` attributes (quoted values may hold spaces). Times are relative to a fixed
//! epoch. The picture is written as OTLP/JSON and read by the real reader (`crate::load`), so what a test
//! gets is what a file would give: span `i` is line `i`, trees built.

use crate::model::{Trace, TraceSet};

/// The epoch the picture's times are relative to (2026-01-15, as the generator's traces).
pub const EPOCH_NS: i64 = 1_768_471_200_000_000_000;

/// The trace set a picture draws (one trace, id `0…01`, unless lines say `trace=`).
pub fn trace_set(picture: &str) -> TraceSet {
    crate::load("picture.json", otlp_json(picture).as_bytes()).unwrap_or_else(|e| panic!("picture: {e}"))
}

/// The one trace a picture draws.
pub fn trace(picture: &str) -> Trace {
    trace_set(picture).traces.remove(0)
}

/// The picture as an OTLP/JSON document.
pub fn otlp_json(picture: &str) -> String {
    let mut stack: Vec<(usize, u64)> = Vec::new(); // (indent, span id) of the open ancestors
    let mut spans: Vec<(String, Option<String>, String)> = Vec::new(); // (service, host, span JSON)
    for (n, line) in picture.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let words = split(line.trim());
        let [name, service, times, rest @ ..] = &words[..] else { panic!("picture line {}: name, service and start..end", n + 1) };
        while stack.last().is_some_and(|&(i, _)| i >= indent) {
            stack.pop();
        }
        let (start, end) = times_of(times).unwrap_or_else(|| panic!("picture line {}: bad times {times:?}", n + 1));
        let mut id = spans.len() as u64 + 1;
        let mut trace = 1u128;
        let mut parent = stack.last().map(|&(_, p)| p);
        let (mut kind, mut status, mut attrs, mut host) = (1, String::new(), Vec::new(), None);
        for word in rest {
            let (key, value) = word.split_once('=').map_or((word.as_str(), None), |(k, v)| (k, Some(v.trim_matches('"'))));
            match (key, value) {
                ("internal", None) => kind = 1,
                ("server", None) => kind = 2,
                ("client", None) => kind = 3,
                ("producer", None) => kind = 4,
                ("consumer", None) => kind = 5,
                ("ok", None) => status = r#","status":{"code":1}"#.into(),
                ("error", message) => status = format!(r#","status":{{"code":2,"message":{}}}"#, json(message.unwrap_or(""))),
                ("orphan", None) => parent = Some(0xdead),
                ("id", Some(hex)) => id = u64::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("picture line {}: id={hex}", n + 1)),
                ("host", Some(name)) => host = Some(name.to_string()),
                ("trace", Some(hex)) => trace = u128::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("picture line {}: trace={hex}", n + 1)),
                (key, Some(value)) => attrs.push(format!(r#"{{"key":{},"value":{{"stringValue":{}}}}}"#, json(key), json(value))),
                (word, None) => panic!("picture line {}: unknown word {word:?}", n + 1),
            }
        }
        stack.push((indent, id));
        let parent = parent.map(|p| format!(r#","parentSpanId":"{p:016x}""#)).unwrap_or_default();
        spans.push((
            service.clone(),
            host,
            format!(
                r#"{{"traceId":"{trace:032x}","spanId":"{id:016x}"{parent},"name":{},"kind":{kind},"startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":[{}]{status}}}"#,
                json(name),
                EPOCH_NS + start,
                EPOCH_NS + end,
                attrs.join(",")
            ),
        ));
    }
    // One resource per span keeps the input order (span i is line i) whatever the services.
    let resources: Vec<String> = spans
        .iter()
        .map(|(service, host, span)| {
            let host = host.as_ref().map(|h| format!(r#",{{"key":"host.name","value":{{"stringValue":{}}}}}"#, json(h))).unwrap_or_default();
            format!(
                r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":{}}}}}{host}]}},"scopeSpans":[{{"spans":[{span}]}}]}}"#,
                json(service)
            )
        })
        .collect();
    format!(r#"{{"resourceSpans":[{}]}}"#, resources.join(","))
}

/// Words separated by spaces; a `"…"` part keeps its spaces.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted) = (String::new(), false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `10..40ms` → (10 ms, 40 ms) in ns.
fn times_of(text: &str) -> Option<(i64, i64)> {
    let (start, end) = text.split_once("..")?;
    let digits = end.trim_end_matches(|c: char| c.is_alphabetic());
    let scale = match &end[digits.len()..] {
        "" | "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    let ns = |v: &str| v.parse::<f64>().ok().map(|v| (v * scale).round() as i64);
    Some((ns(start)?, ns(digits)?))
}

fn json(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SpanKind, StatusCode};

    #[test]
    fn a_picture_gives_the_trace_it_draws() {
        let set = trace_set(
            r#"
            checkout   gateway    0..100ms   server
              stock    inventory  5..20ms    client
                redis  cache      6..8ms
              pay      payment    20..90ms   client  error="card declined"  http.status_code=402
            worker     mailer     95..99ms   consumer orphan
            "#,
        );
        let t = &set.traces[0];
        let name = |i: usize| set.str(t.spans[i].name);
        assert_eq!((0..5).map(name).collect::<Vec<_>>(), ["checkout", "stock", "redis", "pay", "worker"]);
        assert_eq!(set.str(t.spans[3].service), "payment");
        assert_eq!(t.tree.parent_of(2), Some(1));
        assert_eq!(t.tree.parent_of(3), Some(0), "back to the root's level");
        assert_eq!(t.tree.orphans, [4]);
        assert_eq!(t.spans[0].kind, SpanKind::Server);
        assert_eq!(t.spans[2].kind, SpanKind::Internal);
        assert_eq!(t.spans[4].kind, SpanKind::Consumer);
        assert_eq!((t.spans[3].status, set.str(t.spans[3].status_message)), (StatusCode::Error, "card declined"));
        assert_eq!((t.spans[1].start_ns - EPOCH_NS, t.spans[1].end_ns - EPOCH_NS), (5_000_000, 20_000_000));
        let attrs: Vec<(String, String)> =
            set.attributes(&t.spans[3]).map(|a| (set.str(a.key).to_string(), a.value.display(&set.strings))).collect();
        assert_eq!(attrs, [("http.status_code".to_string(), "402".to_string())]);
    }

    #[test]
    fn units_and_ids() {
        assert_eq!(times_of("1..2"), Some((1, 2)));
        assert_eq!(times_of("1.5..2us"), Some((1500, 2000)));
        assert_eq!(times_of("0..3s"), Some((0, 3_000_000_000)));
        assert_eq!(times_of("0..3h"), None);
        let t = trace("a s 0..10\n  b s 1..2 id=ff\n  c s 3..4 id=ff");
        assert_eq!(t.tree.duplicates.len(), 1, "two spans with one id");
    }
}

/// Everything a reader decides, with strings and resources spelled out (a reader that reads the spans before
/// their trace's processes interns strings and numbers resources in another order).
pub fn render(set: &TraceSet) -> String {
    let s = |sym| set.str(sym).to_string();
    let mut out = format!(
        "{} {} {} objects={} warnings={:?} rejected={:?}\n",
        set.source.name,
        set.source.format.as_str(),
        set.source.bytes,
        set.span_objects,
        set.warnings,
        set.rejected
    );
    for t in &set.traces {
        out += &format!("trace {} warnings={:?}\n", t.trace_id.display(&set.strings), t.warnings);
        for span in &t.spans {
            let attrs: Vec<String> = set.attributes(span).map(|a| format!("{}={}", s(a.key), a.value.display(&set.strings))).collect();
            let events: Vec<String> = span.events().iter().map(|e| format!("{}@{}", s(e.name), e.time_ns)).collect();
            let links: Vec<String> = span.links().iter().map(|l| format!("{:?}:{:?}", l.kind, l.span_id.map(|i| i.display(&set.strings)))).collect();
            let resource = &set.resources[span.resource as usize];
            let rattrs: Vec<String> = resource.attributes.iter().map(|a| format!("{}={}", s(a.key), a.value.display(&set.strings))).collect();
            let scope = &set.scopes[span.scope as usize];
            out += &format!(
                "  {:?} {:?} {} {} {}..{} {:?} {:?} {} notes={} attrs={attrs:?} events={events:?} links={links:?} resource={}:{rattrs:?} scope={}@{} warnings={:?}\n",
                span.span_id.map(|i| i.display(&set.strings)),
                span.parent_id.map(|i| i.display(&set.strings)),
                s(span.name),
                s(span.service),
                span.start_ns,
                span.end_ns,
                span.kind,
                span.status,
                s(span.status_message),
                span.notes,
                s(resource.service),
                s(scope.name),
                s(scope.version),
                span.warnings().iter().map(|&w| s(w)).collect::<Vec<_>>(),
            );
        }
    }
    out
}
