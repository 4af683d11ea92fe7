//! Tests of the trace generator (`spanlens::generate`): exact sizes, determinism, valid JSON in every
//! format, and the patterns it promises (orphan, error with exception, N+1 run, fan-out). Outputs are
//! parsed with serde_json only, independently of the app's own parsers.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use spanlens::generate::{generate, write_traces, GenConfig, GenFormat};

const FORMATS: [GenFormat; 4] = [
    GenFormat::OtlpJson,
    GenFormat::OtlpJsonl,
    GenFormat::JaegerJson,
    GenFormat::ZipkinV2,
];

fn cfg(spans: usize, traces: usize, seed: u64, format: GenFormat) -> GenConfig {
    GenConfig {
        spans,
        traces,
        seed,
        format,
    }
}

/// A span as read back from any format; times in microseconds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct S {
    trace: String,
    id: String,
    parent: Option<String>,
    name: String,
    service: String,
    kind: String,
    start: u64,
    end: u64,
    error: bool,
    /// Event name → attribute keys (sorted).
    events: Vec<(String, Vec<String>)>,
    /// String-valued attributes that the pattern checks look at.
    db_system: Option<String>,
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
        .to_string()
}

fn u(v: &Value) -> u64 {
    match v {
        Value::String(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("not an integer string: {s}")),
        _ => v
            .as_u64()
            .unwrap_or_else(|| panic!("expected an integer, got {v}")),
    }
}

/// OTLP nanosecond times are whole microseconds.
fn ns_to_us(v: &Value) -> u64 {
    let ns = u(v);
    assert_eq!(
        ns % 1000,
        0,
        "nanosecond time {ns} is not whole microseconds"
    );
    ns / 1000
}

fn parse_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("invalid JSON: {e}"))
}

/// Reads every span of `bytes` in `format`, checking the format's structure on the way.
fn read(format: GenFormat, bytes: &[u8]) -> Vec<S> {
    let mut out = Vec::new();
    match format {
        GenFormat::OtlpJson => read_otlp(&parse_json(bytes), &mut out),
        GenFormat::OtlpJsonl => {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            for line in text.lines() {
                let doc = parse_json(line.as_bytes());
                let n = out.len();
                read_otlp(&doc, &mut out);
                assert!(
                    out.len() - n <= 1000,
                    "a JSONL line holds more than 1000 spans"
                );
            }
        }
        GenFormat::JaegerJson => read_jaeger(&parse_json(bytes), &mut out),
        GenFormat::ZipkinV2 => read_zipkin(&parse_json(bytes), &mut out),
    }
    out
}

fn otlp_attr<'a>(attrs: &'a Value, key: &str) -> Option<&'a Value> {
    attrs
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
}

fn read_otlp(doc: &Value, out: &mut Vec<S>) {
    for rs in doc["resourceSpans"]
        .as_array()
        .expect("resourceSpans array")
    {
        let service = s(&otlp_attr(&rs["resource"]["attributes"], "service.name")
            .expect("service.name")["stringValue"]);
        for ss in rs["scopeSpans"].as_array().expect("scopeSpans") {
            assert!(ss["scope"]["name"].is_string());
            for sp in ss["spans"].as_array().expect("spans") {
                let kind = match sp["kind"].as_u64().expect("integer kind") {
                    1 => "INTERNAL",
                    2 => "SERVER",
                    3 => "CLIENT",
                    4 => "PRODUCER",
                    5 => "CONSUMER",
                    k => panic!("bad kind {k}"),
                };
                for kv in sp["attributes"].as_array().expect("attributes") {
                    let v = kv["value"].as_object().expect("AnyValue");
                    assert_eq!(v.len(), 1);
                    if let Some(i) = v.get("intValue") {
                        assert!(i.is_string(), "intValue must be a decimal string");
                    }
                }
                let events = sp["events"].as_array().map(|evs| {
                    evs.iter()
                        .map(|e| {
                            ns_to_us(&e["timeUnixNano"]);
                            let mut keys: Vec<String> = e["attributes"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|kv| s(&kv["key"]))
                                .collect();
                            keys.sort();
                            (s(&e["name"]), keys)
                        })
                        .collect()
                });
                let error = match sp["status"].get("code") {
                    Some(c) => {
                        assert_eq!(c, 2);
                        assert!(sp["status"]["message"].is_string());
                        true
                    }
                    None => false,
                };
                out.push(S {
                    trace: s(&sp["traceId"]),
                    id: s(&sp["spanId"]),
                    parent: sp.get("parentSpanId").map(s),
                    name: s(&sp["name"]),
                    service: service.clone(),
                    kind: kind.into(),
                    start: ns_to_us(&sp["startTimeUnixNano"]),
                    end: ns_to_us(&sp["endTimeUnixNano"]),
                    error,
                    events: events.unwrap_or_default(),
                    db_system: otlp_attr(&sp["attributes"], "db.system")
                        .map(|v| s(&v["stringValue"])),
                });
            }
        }
    }
}

fn jaeger_tag<'a>(tags: &'a Value, key: &str) -> Option<&'a Value> {
    tags.as_array()?.iter().find(|t| t["key"] == key)
}

fn read_jaeger(doc: &Value, out: &mut Vec<S>) {
    assert!(doc["errors"].is_null());
    for trace in doc["data"].as_array().expect("data array") {
        let procs = trace["processes"].as_object().expect("processes");
        for sp in trace["spans"].as_array().expect("spans") {
            assert_eq!(sp["traceID"], trace["traceID"]);
            let tags = &sp["tags"];
            for t in tags.as_array().unwrap() {
                let ty = t["type"].as_str().unwrap();
                assert!(
                    ["string", "bool", "int64", "float64"].contains(&ty),
                    "tag type {ty}"
                );
            }
            let kind =
                s(&jaeger_tag(tags, "span.kind").expect("span.kind")["value"]).to_uppercase();
            let error = jaeger_tag(tags, "error").is_some_and(|t| t["value"] == true);
            if error {
                assert_eq!(
                    jaeger_tag(tags, "otel.status_code").unwrap()["value"],
                    "ERROR"
                );
                assert!(jaeger_tag(tags, "otel.status_description").is_some());
            }
            let events = sp["logs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    let fields = &l["fields"];
                    let name = s(&jaeger_tag(fields, "event").expect("event field")["value"]);
                    let mut keys: Vec<String> = fields
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| s(&f["key"]))
                        .filter(|k| k != "event")
                        .collect();
                    keys.sort();
                    (name, keys)
                })
                .collect();
            let pid = s(&sp["processID"]);
            let start = u(&sp["startTime"]);
            out.push(S {
                trace: s(&sp["traceID"]),
                id: s(&sp["spanID"]),
                parent: sp["references"].as_array().unwrap().first().map(|r| {
                    assert_eq!(r["refType"], "CHILD_OF");
                    s(&r["spanID"])
                }),
                name: s(&sp["operationName"]),
                service: s(&procs[&pid]["serviceName"]),
                kind,
                start,
                end: start + u(&sp["duration"]),
                error,
                events,
                db_system: jaeger_tag(tags, "db.system").map(|t| s(&t["value"])),
            });
        }
    }
}

fn read_zipkin(doc: &Value, out: &mut Vec<S>) {
    for sp in doc.as_array().expect("top-level array") {
        let tags = sp["tags"].as_object().expect("tags");
        assert!(
            tags.values().all(Value::is_string),
            "Zipkin tags are strings"
        );
        let events = sp
            .get("annotations")
            .map(|a| {
                a.as_array()
                    .unwrap()
                    .iter()
                    .map(|an| {
                        u(&an["timestamp"]);
                        let v = s(&an["value"]);
                        // Either a bare name or `"name":{attributes}`, i.e. one member of a JSON object.
                        if v.starts_with('"') {
                            let obj = parse_json(format!("{{{v}}}").as_bytes());
                            let (name, attrs) = obj.as_object().unwrap().iter().next().unwrap();
                            let mut keys: Vec<String> =
                                attrs.as_object().unwrap().keys().cloned().collect();
                            keys.sort();
                            (name.clone(), keys)
                        } else {
                            (v, Vec::new())
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let start = u(&sp["timestamp"]);
        let duration = u(&sp["duration"]);
        assert!(duration > 0);
        out.push(S {
            trace: s(&sp["traceId"]),
            id: s(&sp["id"]),
            parent: sp.get("parentId").map(s),
            name: s(&sp["name"]),
            service: s(&sp["localEndpoint"]["serviceName"]),
            kind: sp.get("kind").map(s).unwrap_or_else(|| "INTERNAL".into()),
            start,
            end: start + duration,
            error: tags.contains_key("error"),
            events,
            db_system: tags.get("db.system").map(s),
        });
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Structural invariants every output must satisfy; returns the orphans.
fn check_structure(spans: &[S], expected_traces: usize) -> Vec<S> {
    let mut ids = BTreeSet::new();
    for sp in spans {
        assert!(is_hex(&sp.trace, 32), "trace id {}", sp.trace);
        assert!(is_hex(&sp.id, 16), "span id {}", sp.id);
        assert!(
            ids.insert((sp.trace.clone(), sp.id.clone())),
            "duplicate span id {}",
            sp.id
        );
        assert!(sp.start < sp.end, "{} has no duration", sp.name);
    }
    let traces: BTreeSet<&str> = spans.iter().map(|s| s.trace.as_str()).collect();
    assert_eq!(traces.len(), expected_traces);

    let by_id: BTreeMap<(&str, &str), &S> = spans
        .iter()
        .map(|s| ((s.trace.as_str(), s.id.as_str()), s))
        .collect();
    let mut orphans = Vec::new();
    for sp in spans {
        let Some(pid) = &sp.parent else { continue };
        match by_id.get(&(sp.trace.as_str(), pid.as_str())) {
            Some(p) => assert!(
                p.start <= sp.start && sp.end <= p.end,
                "{} [{}, {}] is outside its parent {} [{}, {}]",
                sp.name,
                sp.start,
                sp.end,
                p.name,
                p.start,
                p.end
            ),
            None => orphans.push(sp.clone()),
        }
    }
    for t in &traces {
        let in_trace: Vec<&S> = spans.iter().filter(|s| s.trace == *t).collect();
        let roots: Vec<&&S> = in_trace.iter().filter(|s| s.parent.is_none()).collect();
        assert_eq!(roots.len(), 1, "trace {t} must have one root");
        let root = roots[0];
        assert_eq!(
            (
                root.name.as_str(),
                root.service.as_str(),
                root.kind.as_str()
            ),
            ("POST /checkout", "gateway", "SERVER")
        );
        let trace_orphans: Vec<&S> = orphans.iter().filter(|o| o.trace == *t).collect();
        assert_eq!(
            trace_orphans.len(),
            usize::from(in_trace.len() >= 2),
            "orphans of trace {t}"
        );
        for o in trace_orphans {
            assert_eq!(
                (o.service.as_str(), o.kind.as_str()),
                ("notification-worker", "CONSUMER")
            );
            assert!(
                o.start >= root.end,
                "the orphan consumer runs after the root"
            );
        }
    }
    orphans
}

fn children(spans: &[S]) -> BTreeMap<(&str, &str), Vec<&S>> {
    let mut map: BTreeMap<(&str, &str), Vec<&S>> = BTreeMap::new();
    for sp in spans {
        if let Some(p) = &sp.parent {
            map.entry((sp.trace.as_str(), p.as_str()))
                .or_default()
                .push(sp);
        }
    }
    map
}

/// ≥5 sequential, non-overlapping, short `SELECT product` siblings on postgresql.
fn has_n_plus_one(spans: &[S]) -> bool {
    children(spans).values().any(|kids| {
        let mut run: Vec<&&S> = kids
            .iter()
            .filter(|k| {
                k.name == "SELECT product"
                    && k.kind == "CLIENT"
                    && k.db_system.as_deref() == Some("postgresql")
            })
            .collect();
        run.sort_by_key(|k| k.start);
        run.len() >= 5
            && run.windows(2).all(|w| w[0].end <= w[1].start)
            && run.iter().all(|k| k.end - k.start < 10_000)
    })
}

/// Some parent has ≥10 CLIENT children in flight at the same moment.
fn has_fan_out(spans: &[S]) -> bool {
    children(spans).values().any(|kids| {
        let mut edges: Vec<(u64, i32)> = Vec::new();
        for k in kids.iter().filter(|k| k.kind == "CLIENT") {
            edges.push((k.start, 1));
            edges.push((k.end, -1));
        }
        edges.sort(); // ends (-1) before starts (+1) at equal times: touching is not overlapping
        let mut live = 0;
        edges.iter().any(|&(_, d)| {
            live += d;
            live >= 10
        })
    })
}

fn has_exception(spans: &[S]) -> bool {
    let want = [
        "exception.message",
        "exception.stacktrace",
        "exception.type",
    ];
    spans.iter().any(|sp| {
        sp.error
            && sp.events.iter().any(|(name, keys)| {
                name == "exception" && want.iter().all(|w| keys.iter().any(|k| k == w))
            })
    })
}

#[test]
fn same_config_same_bytes_other_seed_other_bytes() {
    for format in FORMATS {
        let a = generate(&cfg(500, 2, 42, format));
        assert_eq!(
            a,
            generate(&cfg(500, 2, 42, format)),
            "{format:?} is not deterministic"
        );
        assert_ne!(
            a,
            generate(&cfg(500, 2, 43, format)),
            "{format:?} ignores the seed"
        );
    }
}

#[test]
fn exact_span_counts_in_every_format() {
    for n in [10, 11, 29, 30, 100, 1000, 12345] {
        for format in FORMATS {
            let c = cfg(n, 1, 3, format);
            let mut bytes = Vec::new();
            let stats = write_traces(&c, &mut bytes).unwrap();
            let spans = read(format, &bytes);
            assert_eq!(spans.len(), n, "{format:?} with {n} spans");
            assert_eq!(
                (stats.spans, stats.traces, stats.bytes),
                (n, 1, bytes.len())
            );
            let orphans = check_structure(&spans, 1);
            assert_eq!(stats.orphan_spans, orphans.len());
            assert_eq!(stats.error_spans, spans.iter().filter(|s| s.error).count());
            assert!(
                has_exception(&spans),
                "{format:?} with {n} spans lacks the error"
            );
        }
    }
}

#[test]
fn spans_split_over_traces() {
    for (n, t, expected_traces) in [(1000, 7, 7), (10, 3, 3), (10, 50, 10), (12345, 4, 4)] {
        for format in FORMATS {
            let spans = read(format, &generate(&cfg(n, t, 5, format)));
            assert_eq!(spans.len(), n);
            check_structure(&spans, expected_traces);
            let mut per_trace: BTreeMap<&str, usize> = BTreeMap::new();
            for sp in &spans {
                *per_trace.entry(&sp.trace).or_default() += 1;
            }
            let (min, max) = (
                per_trace.values().min().unwrap(),
                per_trace.values().max().unwrap(),
            );
            assert!(max - min <= 1, "uneven split {per_trace:?}");
        }
    }
}

#[test]
fn patterns_present_at_200_and_from_30_spans() {
    for n in [30, 200] {
        for format in FORMATS {
            let spans = read(format, &generate(&cfg(n, 1, 11, format)));
            assert!(has_n_plus_one(&spans), "{format:?}/{n}: no N+1 run");
            assert!(has_fan_out(&spans), "{format:?}/{n}: no fan-out");
            assert!(
                has_exception(&spans),
                "{format:?}/{n}: no ERROR span with an exception event"
            );
        }
    }
}

#[test]
fn the_detectors_can_fail() {
    // Guards against checks that pass vacuously: a trace with the patterns removed must fail them.
    let spans = read(
        GenFormat::OtlpJson,
        &generate(&cfg(200, 1, 11, GenFormat::OtlpJson)),
    );
    let stripped: Vec<S> = spans
        .iter()
        .filter(|s| s.name != "SELECT product" && s.name != "send email" && s.name != "send push")
        .map(|s| S {
            error: false,
            ..s.clone()
        })
        .collect();
    assert!(!has_n_plus_one(&stripped) && !has_fan_out(&stripped) && !has_exception(&stripped));
}

#[test]
fn every_format_carries_the_same_spans() {
    let c = cfg(700, 3, 9, GenFormat::OtlpJson);
    let mut reference = read(GenFormat::OtlpJson, &generate(&c));
    reference.sort();
    for format in FORMATS {
        let mut spans = read(
            format,
            &generate(&GenConfig {
                format,
                ..c.clone()
            }),
        );
        spans.sort();
        assert_eq!(spans, reference, "{format:?} differs from OTLP");
    }
}

#[test]
fn jsonl_lines_are_chunks_of_at_most_1000_spans() {
    let bytes = generate(&cfg(2500, 1, 1, GenFormat::OtlpJsonl));
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.ends_with('\n'));
}

#[test]
fn bundled_sample_matches_the_generator() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/samples/checkout.otlp.json"
    );
    let committed = std::fs::read(path).expect("public/samples/checkout.otlp.json");
    let fresh = generate(&cfg(120, 1, 7, GenFormat::OtlpJson));
    assert!(
        committed == fresh,
        "{path} is stale: regenerate with `cargo run --bin spanlens-gen -- --spans 120 --seed 7 --format otlp -o {path}`"
    );
}
