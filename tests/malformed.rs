//! Bad input gets a clear error naming the file, line:column and field; never a panic.

use spanlens::LoadError;

fn error(name: &str, text: &[u8]) -> LoadError {
    match spanlens::load(name, text) {
        Err(e) => e,
        Ok(set) => panic!("{name} should not load, got {} traces", set.traces.len()),
    }
}

#[test]
fn truncated_json_names_the_position() {
    let e = error("cut.json", b"{\"resourceSpans\": [\n  {\"scopeSpans\": [");
    assert_eq!(e.file, "cut.json");
    assert_eq!(e.line, 2);
    assert!(e.message.starts_with("the JSON ends too early"), "{e}");
    assert!(e.to_string().starts_with("cut.json:2:"), "{e}");
}

#[test]
fn a_wrong_type_names_the_field_path() {
    let text = b"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[\n{\"traceId\":\"01\",\"spanId\":\"02\",\"startTimeUnixNano\":\"soon\"}]}]}]}";
    let e = error("bad.json", text);
    assert_eq!((e.line, e.column), (2, 56), "{e}"); // serde_json points just past the bad value
    assert_eq!(e.path, "spans[0].startTimeUnixNano");
    assert!(e.message.contains("expected an integer"), "{e}");
    assert!(e.to_string().contains("(field spans[0].startTimeUnixNano)"));
}

#[test]
fn structure_errors_name_the_field() {
    let e = error("s.json", b"{\"resourceSpans\": [ {\"scopeSpans\": 5} ]}");
    assert_eq!(e.path, "resourceSpans[0].scopeSpans");
    assert!(e.message.contains("invalid type"), "{e}");
}

#[test]
fn an_out_of_range_time_is_an_error_not_a_wrap() {
    // A time past the year 2262 rejects its span with the reason; a file of only that span has none left.
    let e = error("big.json", b"[{\"traceId\":\"a\",\"id\":\"b\",\"timestamp\":18446744073709551615}]");
    assert_eq!(e.message, "no span could be read (1 span rejected: its start time is out of range (past the year 2262))", "{e}");
}

#[test]
fn empty_and_non_trace_inputs() {
    assert_eq!(error("e.json", b"  \n").message, "the file is empty");
    let e = error("o.json", b"{\"hello\": \"world\"}");
    assert!(e.message.contains("no trace data found"), "{e}");
    let e = error("n.json", b"42");
    assert!(e.message.contains("invalid type"), "{e}");
    let e = error("x.txt", b"not json at all");
    assert_eq!((e.line, e.column), (1, 2), "{e}");
    assert!(e.message.starts_with("not valid JSON"), "{e}");
}

#[test]
fn invalid_utf8_is_reported_not_panicked() {
    let e = error("u.json", b"[{\"traceId\":\"a\",\"id\":\"b\",\"name\":\"\xff\xfe\"}]");
    assert!(e.message.to_lowercase().contains("utf-8") || e.message.contains("unicode"), "{e}");
}

/// A JSONL line that does not read is skipped and reported with its position; the other lines load. The
/// collector's file exporter leaves a half-written last line in a file it is still writing.
#[test]
fn a_bad_line_in_jsonl_is_reported_and_the_others_load() {
    let line = |id: &str| {
        format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id}","name":"s","startTimeUnixNano":"1","endTimeUnixNano":"2"}}]}}]}}]}}"#
        )
    };
    let half = &line("00000000000000c3")[..80];
    let text = format!("{}\n{}\n{{\"resourceSpans\": 7}}\n{half}", line("00000000000000a1"), line("00000000000000b2"));
    let set = spanlens::load("x.jsonl", text.as_bytes()).expect("the good lines load");
    assert_eq!(set.traces[0].spans.len(), 2);
    assert_eq!(set.rejected.len(), 1);
    assert_eq!((set.rejected[0].reason.as_str(), set.rejected[0].count), (spanlens::formats::SKIPPED_LINE, 2));
    assert_eq!(set.warnings.len(), 2, "{:?}", set.warnings);
    assert!(set.warnings[0].starts_with("x.jsonl:3:"), "{}", set.warnings[0]);
    assert!(set.warnings[0].ends_with("(field resourceSpans): the line was skipped"), "{}", set.warnings[0]);
    assert!(set.warnings[1].starts_with("x.jsonl:4:80: the JSON ends too early"), "{}", set.warnings[1]);
    // Read a slice at a time, it is the same.
    let mut sliced = spanlens::formats::IncrementalParse::new("x.jsonl");
    while !sliced.step(text.as_bytes(), 64) {}
    let sliced = sliced.finish(text.as_bytes()).unwrap();
    assert_eq!((sliced.warnings, sliced.span_objects), (set.warnings, set.span_objects));
}

/// A span with a wrong-typed field or an out-of-range value is rejected alone, with its field path and
/// position, in every format; the other spans load, read whole or a slice at a time.
#[test]
fn a_span_with_a_bad_value_is_rejected_alone() {
    let otlp_span = |id: &str, start: &str| {
        format!(r#"{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id}","name":"s","startTimeUnixNano":{start},"endTimeUnixNano":"3"}}"#)
    };
    let otlp = |spans: &[String]| format!("{{\"resourceSpans\":[{{\"scopeSpans\":[{{\"spans\":[\n{}]}}]}}]}}", spans.join(",\n"));
    // Past 2262 (over i64::MAX nanoseconds), a string where a number belongs, and two good spans.
    let text = otlp(&[
        otlp_span("00000000000000a1", "\"1\""),
        otlp_span("00000000000000b2", "10000000000000000000"),
        otlp_span("00000000000000c3", "{\"soon\":true}"),
        otlp_span("00000000000000d4", "\"2\""),
    ]);
    let jaeger = r#"{"data":[{"traceID":"ab","spans":[
{"traceID":"ab","spanID":"01","operationName":"good","startTime":1,"duration":1,"processID":"p1"},
{"traceID":"ab","spanID":"02","operationName":"bad","startTime":1,"duration":"long","processID":"p1"}],
"processes":{"p1":{"serviceName":"svc"}}}]}"#;
    let zipkin = r#"[{"traceId":"ab","id":"01","name":"good","timestamp":1,"duration":1},
  {"traceId":"ab","id":"02","name":"bad","timestamp":1,"duration":1,"tags":{"k":{"nested":1}}},
  {"traceId":"ab","id":"03","name":"good","timestamp":1,"duration":1}]"#;
    let console = "{\n    \"name\": \"good\",\n    \"context\": {\"trace_id\": \"0xab\", \"span_id\": \"0x01\"},\n    \"start_time\": \"2024-01-01T00:00:00.000000Z\",\n    \"end_time\": \"2024-01-01T00:00:01.000000Z\"\n}\n{\n    \"name\": \"bad\",\n    \"context\": {\"trace_id\": \"0xab\", \"span_id\": \"0x02\"},\n    \"attributes\": 5\n}\n";
    let line = |spans: &[String]| otlp(spans).replace('\n', "");
    let jsonl = format!("{}\n{}\n", line(&[otlp_span("00000000000000a1", "\"1\"")]), line(&[otlp_span("00000000000000b2", "\"1\""), otlp_span("00000000000000c3", "true")]));
    let cases: [(&str, &str, usize, usize, &str); 5] = [
        ("otlp.json", &text, 2, 2, "otlp.json:3:125: integer 10000000000000000000 is out of range (field spans[1].startTimeUnixNano)"),
        ("jaeger.json", jaeger, 1, 1, "jaeger.json:3:83: expected a time in microseconds (a number or a decimal string), found \"long\" (field spans[1].duration)"),
        ("zipkin.json", zipkin, 2, 1, "zipkin.json:2:81: invalid type: map, expected a string, number, boolean or null (field [1].tags.k)"),
        ("console.txt", console, 1, 1, "console.txt:10:19: invalid type: integer `5`, expected a map (field [1].attributes)"),
        ("x.jsonl", &jsonl, 2, 1, "x.jsonl:2:284: invalid type: boolean `true`"),
    ];
    for (name, text, loaded, rejected, first_warning) in cases {
        let set = spanlens::load(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let spans: usize = set.traces.iter().map(|t| t.spans.len()).sum();
        assert_eq!(spans, loaded, "{name}");
        assert_eq!(set.span_objects, (loaded + rejected) as u64, "{name}");
        assert_eq!(set.rejected.len(), 1, "{name}");
        assert_eq!((set.rejected[0].reason.as_str(), set.rejected[0].count), (spanlens::formats::REJECTED_SPAN, rejected as u64), "{name}");
        assert_eq!(set.warnings.len(), rejected, "{name}: {:?}", set.warnings);
        assert!(set.warnings[0].starts_with(first_warning), "{name}: {}", set.warnings[0]);
        assert!(set.warnings[0].ends_with(": the span was rejected"), "{name}: {}", set.warnings[0]);
        let mut sliced = spanlens::formats::IncrementalParse::new(name);
        while !sliced.step(text.as_bytes(), 64) {}
        let sliced = sliced.finish(text.as_bytes()).unwrap();
        assert_eq!((sliced.warnings, sliced.span_objects, sliced.rejected.len()), (set.warnings, set.span_objects, 1), "{name}");
    }
}

/// When no line reads, the file gets the first line's error.
#[test]
fn a_jsonl_file_with_no_good_line_names_the_first_bad_one() {
    let text = "{\"resourceSpans\": 7}\n{\"resourceSpans\": 8}\n";
    let e = error("x.jsonl", text.as_bytes());
    assert_eq!(e.line, 1, "{e}");
    assert_eq!(e.path, "resourceSpans");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let mut text = String::from("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":");
    for _ in 0..10_000 {
        text.push_str("{\"arrayValue\":{\"values\":[");
    }
    let e = error("deep.json", text.as_bytes());
    assert!(e.message.contains("recursion limit"), "{e}");
}

#[test]
fn fuzzed_prefixes_of_a_real_file_never_panic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/zipkin-yelp.json");
    let bytes = std::fs::read(path).unwrap();
    for cut in (0..bytes.len()).step_by(7) {
        let _ = spanlens::load("cut.json", &bytes[..cut]);
    }
}

/// A megabyte-long value in a message is cut to a readable length; the position is kept.
#[test]
fn error_messages_stay_readable_with_huge_values() {
    let digits = "1".repeat(1_000_000);
    let text = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","startTimeUnixNano":"{digits}","endTimeUnixNano":"1"}}]}}]}}]}}"#
    );
    let err = spanlens::load("huge.json", text.as_bytes()).err().expect("fails");
    let shown = err.to_string();
    assert!(shown.len() < 600, "{} characters", shown.len());
    assert!(shown.starts_with("huge.json:1:1000139: integer \"1111"), "{shown}");
    assert!(shown.contains("… (1000026 characters in all)"), "{shown}");
    assert!(shown.ends_with("(field spans[0].startTimeUnixNano)"), "{shown}");
}

/// An input with no span in it says so, whatever its shape.
#[test]
fn an_input_with_no_spans_says_so() {
    for (text, shape) in [
        ("[]", "an empty array"),
        ("{\"resourceSpans\":[]}", "otlp-json"),
        ("{\"data\":[],\"total\":0,\"errors\":null}", "jaeger-json"),
        ("{\"resourceSpans\":[]}\n{\"resourceSpans\":[]}\n", "otlp-jsonl"),
    ] {
        let e = error("empty.json", text.as_bytes());
        assert_eq!(e.message, format!("the file holds no spans ({shape} with no span in it)"), "{text}");
    }
}

/// A backend's error answer is shown as the backend's message (Jaeger's query API and api/v3 shapes, as
/// DESIGN.md gives them); errors beside data are warnings.
#[test]
fn a_backend_error_answer_shows_the_backends_message() {
    let v1 = r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#;
    assert_eq!(error("t.json", v1.as_bytes()).message, "the backend answered with an error: 404 trace not found");
    let v3 = r#"{"error":{"grpcCode":5,"httpCode":404,"message":"trace not found","httpStatus":"Not Found"}}"#;
    assert_eq!(error("t.json", v3.as_bytes()).message, "the backend answered with an error: 404 trace not found");
    assert_eq!(error("t.json", br#"{"error":"too many requests"}"#).message, "the backend answered with an error: too many requests");
    let partial = r#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b1","operationName":"x","startTime":1,"duration":2}]}],
        "errors":[{"code":500,"msg":"one trace could not be read"}]}"#;
    let set = spanlens::load("t.json", partial.as_bytes()).unwrap();
    assert_eq!(set.traces.len(), 1);
    assert_eq!(set.warnings, ["the backend reported an error: 500 one trace could not be read"]);
}

/// Repaired and odd times are warned about on the trace (and so in the summary), not only on the span.
#[test]
fn reversed_and_negative_times_are_warned_about() {
    let text = r#"[{"traceId":"a","id":"1","name":"root","timestamp":100,"duration":50},
        {"traceId":"a","id":"2","parentId":"1","name":"early","timestamp":-5,"duration":1}]"#;
    let set = spanlens::load("t.json", text.as_bytes()).unwrap();
    let warnings = &set.traces[0].warnings;
    assert!(warnings.iter().any(|w| w.contains("1 span(s) start before 1970")), "{warnings:?}");
    let otlp = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",
        "spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"2000","endTimeUnixNano":"1000"}]}]}]}"#;
    let set = spanlens::load("t.json", otlp.as_bytes()).unwrap();
    assert!(set.traces[0].warnings.iter().any(|w| w.contains("1 span(s) ended before they started")), "{:?}", set.traces[0].warnings);
}
