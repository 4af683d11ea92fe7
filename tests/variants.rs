//! Hand-written inputs for each shape DESIGN.md says to accept, one test per variant.

mod common;
use common::*;
use spanlens::model::{notes, AttrValue, SpanKind, StatusCode};

const SPAN: &str = r#"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"root",
  "kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000"}"#;

fn otlp_doc(spans: &str) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},
        "scopeSpans":[{{"scope":{{"name":"lib"}},"spans":[{spans}]}}]}}]}}"#
    )
}

#[test]
fn otlp_plain() {
    let (_, s) = load_str("a.json", &otlp_doc(SPAN));
    assert_eq!(s.source.format, "otlp-json");
    assert_eq!(s.traces[0].span_count, 1);
    assert_eq!(s.traces[0].services, ["svc"]);
    assert_eq!(s.traces[0].root_span_ids, ["eee19b7ec3c1b174"]);
}

#[test]
fn otlp_jsonl_one_object_per_line() {
    let line1 = otlp_doc(SPAN).replace('\n', "");
    let line2 = otlp_doc(&SPAN.replace("eee19b7ec3c1b174", "aaaaaaaaaaaaaaaa").replace("\"kind\":2", "\"parentSpanId\":\"eee19b7ec3c1b174\",\"kind\":3"))
        .replace('\n', "");
    let (set, s) = load_str("a.jsonl", &format!("{line1}\n{line2}\n"));
    assert_eq!(s.source.format, "otlp-jsonl");
    assert_eq!(s.traces.len(), 1);
    assert_eq!(s.traces[0].span_count, 2);
    assert_eq!(set.traces[0].tree.children.len(), 1, "the line-2 span is the line-1 span's child");
}

#[test]
fn otlp_result_wrapper_batches_and_bare_array() {
    let doc = otlp_doc(SPAN);
    let (_, a) = load_str("result.json", &format!(r#"{{"result":{doc}}}"#));
    let (_, b) = load_str("tempo.json", &doc.replace("resourceSpans", "batches"));
    let (_, c) = load_str("array.json", &format!("[{doc},{}]", doc.replace("eee19b7ec3c1b174", "eee19b7ec3c1b175")));
    for s in [&a, &b, &c] {
        assert_eq!(s.source.format, "otlp-json");
        assert_eq!(s.traces[0].trace_id, "5b8efff798038103d269b633813fc60c");
    }
    assert_eq!(c.traces[0].span_count, 2);
}

#[test]
fn otlp_legacy_instrumentation_library_names() {
    let doc = otlp_doc(SPAN).replace("scopeSpans", "instrumentationLibrarySpans").replace("\"scope\"", "\"instrumentationLibrary\"");
    let (set, s) = load_str("legacy.json", &doc);
    assert_eq!(s.traces[0].span_count, 1);
    assert_eq!(set.strings.get(set.scopes[set.traces[0].spans[0].scope as usize].name), "lib");
}

#[test]
fn otlp_protojson_base64_ids_and_enum_names() {
    let span = r#"{"traceId":"6Lbf+fjUSyjxsivDvS9naA==","spanId":"AAAAAAAAAAE=","parentSpanId":"","name":"x",
      "kind":"SPAN_KIND_CLIENT","startTimeUnixNano":1544712660000000000,"endTimeUnixNano":"1544712661000000000",
      "status":{"code":"STATUS_CODE_ERROR","message":"boom"},
      "attributes":[{"key":"big","value":{"intValue":"9007199254740993"}},{"key":"d","value":{"doubleValue":"NaN"}},
        {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":2}]}}},
        {"key":"kv","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}},
        {"key":"bytes","value":{"bytesValue":"AAAwOQ=="}}]}"#;
    let (set, s) = load_str("tempo.json", &otlp_doc(span));
    assert_eq!(s.traces[0].trace_id, "e8b6dff9f8d44b28f1b22bc3bd2f6768");
    assert_eq!(s.traces[0].root_span_ids, ["0000000000000001"]);
    let sp = &set.traces[0].spans[0];
    assert_eq!(sp.kind, SpanKind::Client);
    assert_eq!(sp.status, StatusCode::Error);
    assert_eq!(set.strings.get(sp.status_message), "boom");
    assert_eq!(sp.start_ns, 1544712660000000000, "64-bit numbers are not rounded through f64");
    let attrs: Vec<_> = set.attributes(sp).collect();
    assert_eq!(attrs[0].value, AttrValue::Int(9007199254740993));
    assert!(matches!(attrs[1].value, AttrValue::Double(d) if d.is_nan()));
    assert_eq!(attrs[2].value.display(&set.strings), "[a, 2]");
    assert_eq!(attrs[3].value.display(&set.strings), "{k: true}");
    assert_eq!(attrs[4].value, AttrValue::Bytes(vec![0, 0, 0x30, 0x39].into()));
    assert_eq!(s.traces[0].error_span_count, 1);
}

#[test]
fn otlp_unknown_fields_are_ignored() {
    let span = SPAN.replace("\"name\":\"root\"", "\"name\":\"root\",\"futureField\":{\"x\":[1,2]},\"traceState\":\"a=b\",\"flags\":257");
    let (_, s) = load_str("a.json", &otlp_doc(&span));
    assert_eq!(s.traces[0].span_count, 1);
}

const JAEGER_TRACE: &str = r#"{"traceID":"abc","spans":[
  {"traceID":"abc","spanID":"1","operationName":"a","references":[],"startTime":10,"duration":5,"processID":"p1",
   "tags":[{"key":"span.kind","type":"string","value":"server"},{"key":"otel.status_code","type":"string","value":"ERROR"},
           {"key":"otel.status_description","type":"string","value":"bad"}],
   "logs":[{"timestamp":12,"fields":[{"key":"event","type":"string","value":"retry"}]}]},
  {"traceID":"abc","spanID":"2","operationName":"b","references":[{"refType":"CHILD_OF","traceID":"abc","spanID":"1"}],
   "startTime":11,"duration":2,"processID":"p2"}],
  "processes":{"p1":{"serviceName":"front","tags":[{"key":"host","type":"string","value":"h1"}]},"p2":{"serviceName":"back"}}}"#;

#[test]
fn jaeger_envelope_bare_array_and_single_object() {
    let (set, a) = load_str("env.json", &format!(r#"{{"data":[{JAEGER_TRACE}],"total":0,"errors":null}}"#));
    let (_, b) = load_str("arr.json", &format!("[{JAEGER_TRACE}]"));
    let (_, c) = load_str("one.json", JAEGER_TRACE);
    for s in [&a, &b, &c] {
        assert_eq!(s.source.format, "jaeger-json");
        assert_eq!(s.traces[0].trace_id, "00000000000000000000000000000abc", "unpadded ids are left-padded");
        assert_eq!(s.traces[0].span_count, 2);
        assert_eq!(s.traces[0].services, ["back", "front"]);
        assert_eq!(s.traces[0].root_span_ids, ["0000000000000001"]);
        assert_eq!(s.traces[0].duration_nanos, "5000", "microseconds become nanoseconds");
    }
    let root = &set.traces[0].spans[0];
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(root.status, StatusCode::Error);
    assert_eq!(set.strings.get(root.status_message), "bad");
    assert_eq!(set.strings.get(root.events()[0].name), "retry");
    assert_eq!(root.events()[0].time_ns, 12_000);
    assert_eq!(set.strings.get(set.resources[root.resource as usize].service), "front");
}

#[test]
fn jaeger_deprecated_parent_span_id() {
    let t = JAEGER_TRACE.replace(r#""references":[{"refType":"CHILD_OF","traceID":"abc","spanID":"1"}]"#, r#""parentSpanID":"1""#);
    let (set, _) = load_str("old.json", &t);
    assert_eq!(set.traces[0].tree.children.len(), 1);
}

#[test]
fn zipkin_shared_halves_and_missing_times() {
    let text = r#"[
      {"traceId":"a","id":"1","name":"get","kind":"SERVER","timestamp":100,"duration":50,"localEndpoint":{"serviceName":"web"}},
      {"traceId":"a","id":"2","parentId":"1","name":"call","kind":"CLIENT","timestamp":110,"duration":30,"localEndpoint":{"serviceName":"web"}},
      {"traceId":"a","id":"2","parentId":"1","name":"handle","kind":"SERVER","shared":true,"timestamp":115,"duration":20,"localEndpoint":{"serviceName":"api"}},
      {"traceId":"a","id":"3","parentId":"2","name":"db","timestamp":118,"duration":5,"localEndpoint":{"serviceName":"api"}},
      {"traceId":"a","id":"4","parentId":"2","name":"no-times","localEndpoint":{"serviceName":"api"}},
      {"traceId":"a","id":"5","parentId":"2","name":"annotated","annotations":[{"timestamp":120,"value":"cs"},{"timestamp":125,"value":"cr"}]}
    ]"#;
    let (set, s) = load_str("z.json", text);
    assert_eq!(s.source.format, "zipkin-v2");
    assert_eq!(s.traces[0].span_count, 6, "both halves are kept");
    assert!(s.traces[0].duplicate_span_ids.is_empty(), "a client/server pair is not a duplicate");
    let t = &set.traces[0];
    let name = |i: u32| set.strings.get(t.spans[i as usize].name);
    assert!(t.spans[2].has(notes::SHARED_SERVER_HALF));
    assert_eq!(name(t.tree.parent[2]), "call", "server half under client half");
    let under_server: Vec<&str> = t.tree.children_of(2).iter().map(|&c| name(c)).collect();
    assert_eq!(under_server, ["no-times", "db", "annotated"], "ordered by start; no-times was placed at 115");
    let untimed = &t.spans[4];
    assert!(untimed.has(notes::MISSING_START) && untimed.has(notes::MISSING_DURATION));
    assert_eq!(untimed.start_ns, 115_000, "placed at its parent's (the server half's) start");
    let annotated = &t.spans[5];
    assert!(annotated.has(notes::START_FROM_EVENTS));
    assert_eq!((annotated.start_ns, annotated.end_ns), (120_000, 125_000));
}

#[test]
fn several_traces_in_one_file_keep_input_order() {
    let text = r#"[{"traceId":"b","id":"1","name":"x","timestamp":1,"duration":1},
                   {"traceId":"a","id":"1","name":"y","timestamp":1,"duration":1},
                   {"traceId":"b","id":"2","parentId":"1","name":"z","timestamp":1,"duration":1}]"#;
    let (_, s) = load_str("z.json", text);
    let ids: Vec<&str> = s.traces.iter().map(|t| t.trace_id.as_str()).collect();
    assert_eq!(ids, ["0000000000000000000000000000000b", "0000000000000000000000000000000a"]);
    assert_eq!(s.traces[0].span_count, 2);
}

#[test]
fn spans_without_ids_are_rejected_with_a_reason_not_dropped() {
    let spans = format!(
        "{SPAN},{},{},{}",
        SPAN.replace("\"spanId\":\"eee19b7ec3c1b174\",", ""),
        SPAN.replace("5b8efff798038103d269b633813fc60c", ""),
        SPAN.replace("5b8efff798038103d269b633813fc60c", &"0".repeat(32)) // invalid in W3C trace context
    );
    let (set, s) = load_str("a.json", &otlp_doc(&spans));
    assert_eq!(set.span_objects, 4);
    assert_eq!(s.traces[0].span_count, 1);
    let reasons: Vec<(&str, u64)> = s.rejected.iter().map(|r| (r.reason.as_str(), r.count)).collect();
    assert_eq!(reasons, [("span has no span id (or it is all zeros)", 1), ("span has no trace id (or it is all zeros)", 2)]);
}

#[test]
fn a_bom_and_surrounding_whitespace_are_fine() {
    let (_, s) = load_str("bom.json", &format!("\u{feff}\n  {}  \n", otlp_doc(SPAN)));
    assert_eq!(s.traces[0].span_count, 1);
}

/// Zipkin's search answer (`GET /api/v2/traces`): an array of traces, each an array of spans. It reads as the
/// same spans given flat, also when read a slice at a time.
#[test]
fn zipkin_search_answer_is_an_array_of_span_arrays() {
    let read = |name: &str| String::from_utf8(std::fs::read(fixtures_dir().join(name)).unwrap()).unwrap();
    let (yelp, netflix) = (read("zipkin-yelp.json"), read("zipkin-netflix.json"));
    let nested = format!("[{},\n{}]", yelp.trim(), netflix.trim());
    let flat = format!("[{},{}]", &yelp.trim()[1..yelp.trim().len() - 1], &netflix.trim()[1..netflix.trim().len() - 1]);
    let (_, a) = load_str("traces.json", &nested);
    let (_, b) = load_str("traces.json", &flat);
    assert_eq!(a.source.format, "zipkin-v2");
    assert_eq!(a.traces.len(), 2);
    assert_eq!(a.traces.iter().map(|t| t.span_count).sum::<u64>(), 16 + 8);
    assert_eq!((a.traces, a.warnings, a.rejected), (b.traces, b.warnings, b.rejected));
    let mut sliced = spanlens::formats::IncrementalParse::new("traces.json");
    while !sliced.step(nested.as_bytes(), 4096) {}
    assert_eq!(sliced.finish(nested.as_bytes()).unwrap().span_objects, 24);
    // Three deep is not a shape anyone writes: an error that says so.
    let err = spanlens::load("deep.json", format!("[[{nested}]]").as_bytes()).err().expect("fails");
    assert!(err.message.contains("nested three deep"), "{err}");
}

/// UTF-16 input (as Windows tools save JSON), with or without a byte-order mark, either byte order, reads as
/// the UTF-8 file does, also a slice at a time; damaged UTF-16 says what it is.
#[test]
fn utf16_input_is_decoded() {
    let utf8 = std::fs::read_to_string(fixtures_dir().join("otlp-hotrod-jaeger-apiv3-response.json")).unwrap();
    let (_, want) = load_str("hotrod.json", &utf8);
    let le: Vec<u8> = utf8.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = utf8.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [[&[0xFF, 0xFE][..], &le].concat(), le.clone(), [&[0xFE, 0xFF][..], &be].concat(), be] {
        let set = spanlens::load("hotrod.json", &bytes).unwrap();
        let got = spanlens::analysis::summary::summarize(&set);
        assert_eq!(got.traces, want.traces);
        assert_eq!(got.source.bytes, bytes.len() as u64);
        let mut sliced = spanlens::formats::IncrementalParse::new("hotrod.json");
        for end in (1..=bytes.len()).step_by(997).chain([bytes.len()]) {
            sliced.arrived(&bytes[..end]);
            sliced.step_arriving(&bytes[..end], 4096);
        }
        assert_eq!(sliced.finish(&bytes).unwrap().span_objects, 40);
    }
    let err = spanlens::load("cut.json", &le[..le.len() - 1]).err().expect("fails");
    assert!(err.message.contains("UTF-16 (little-endian) but has an odd number of bytes"), "{err}");
}

/// Tempo's api/v2 trace-by-id answer wraps the OTLP document in `trace` (beside a `status`).
#[test]
fn tempo_v2_trace_answer() {
    let otlp = std::fs::read_to_string(fixtures_dir().join("otlp-spec-example.json")).unwrap();
    let wrapped = format!(r#"{{"trace":{otlp},"status":"complete"}}"#);
    let set = spanlens::load("tempo.json", wrapped.as_bytes()).unwrap();
    let plain = spanlens::load("tempo.json", otlp.as_bytes()).unwrap();
    assert_eq!(set.span_objects, plain.span_objects);
    assert_eq!(set.source.format.as_str(), "otlp-json");
}
