//! The adversarial suite: hostile inputs of every kind, each of which either loads with every span accounted
//! for (drawn in a tree, or listed as rejected with a reason) or gives an error that names the problem; never
//! a panic. Every file a fuzz run found (`tests/data/fuzz/`) is here too. The browser half, that the page stays
//! alive and the next file loads, is `tests/e2e/hostile.test.mjs`.

mod common;
use common::fixtures_dir;
use spanlens::formats::{IncrementalParse, SKIPPED_LINE};
use spanlens::pipeline::load_analyzed;
use spanlens::testing::render;
use spanlens::TraceSet;
use std::io::Write;

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

/// One OTLP span with the given id, parent and JSON start and end values.
fn span(id: &str, parent: &str, start: &str, end: &str) -> String {
    format!(r#"{{"traceId":"{TRACE}","spanId":"{id}","parentSpanId":"{parent}","name":"op {id}","startTimeUnixNano":{start},"endTimeUnixNano":{end}}}"#)
}

fn otlp(spans: &[String]) -> String {
    format!(r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},"scopeSpans":[{{"spans":[{}]}}]}}]}}"#, spans.join(","))
}

/// What a hostile input must give.
enum Expect<'a> {
    /// Loads: this many spans drawn, this many rejected, and a warning (file-level or on a trace) holding
    /// this text, if any.
    Loads { spans: usize, rejected: u64, warning: Option<&'a str> },
    /// Fails with an error whose message holds this text.
    Fails(&'a str),
}

/// Every span object is in a tree or rejected; every span is a root or hangs below one.
fn accounted(name: &str, set: &TraceSet) {
    let drawn: usize = set.traces.iter().map(|t| t.spans.len()).sum();
    let rejected: u64 = set.rejected.iter().filter(|r| r.reason != SKIPPED_LINE).map(|r| r.count).sum();
    assert_eq!(drawn as u64 + rejected, set.span_objects, "{name}: spans drawn + rejected = span objects");
    for t in &set.traces {
        assert_eq!(t.tree.roots.len() + t.tree.children.len(), t.spans.len(), "{name}: the tree holds every span");
    }
}

/// Loads `bytes` as a file is loaded (every stage), checks the outcome, and reads it a slice at a time too:
/// the same answer.
fn check(name: &str, bytes: &[u8], expect: Expect) {
    let loaded = load_analyzed(name, bytes);
    match (&loaded, expect) {
        (Ok(file), Expect::Loads { spans, rejected, warning }) => {
            accounted(name, &file.set);
            let drawn: usize = file.set.traces.iter().map(|t| t.spans.len()).sum();
            assert_eq!(drawn, spans, "{name}: spans drawn");
            assert_eq!(file.set.rejected.iter().map(|r| r.count).sum::<u64>(), rejected, "{name}: rejected {:?}", file.set.rejected);
            if let Some(text) = warning {
                let all: Vec<&String> = file.set.warnings.iter().chain(file.set.traces.iter().flat_map(|t| &t.warnings)).collect();
                assert!(all.iter().any(|w| w.contains(text)), "{name}: no warning holds {text:?}: {all:?}");
            }
        }
        (Err(e), Expect::Fails(text)) => {
            assert_eq!(e.file, name);
            assert!(e.line >= 1 && e.column >= 1, "{name}: {e}");
            assert!(e.message.contains(text), "{name}: {e:?} should say {text:?}");
            assert!(e.to_string().chars().count() < 1000, "{name}: the error is readable");
        }
        (Ok(file), Expect::Fails(text)) => panic!("{name} should fail ({text}), loaded {} traces", file.set.traces.len()),
        (Err(e), Expect::Loads { .. }) => panic!("{name} should load: {e}"),
    }
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        same_in_slices(name, bytes);
    }
}

/// The slice-at-a-time reader's answer is the whole reader's.
fn same_in_slices(name: &str, bytes: &[u8]) {
    let mut sliced = IncrementalParse::new(name);
    while !sliced.step(bytes, 97) {}
    match (spanlens::formats::parse(name, bytes), sliced.finish(bytes)) {
        (Ok(a), Ok(b)) => assert_eq!(render(&a), render(&b), "{name}: read in slices"),
        (Err(a), Err(b)) => assert_eq!(a, b, "{name}: read in slices"),
        (a, b) => panic!("{name}: whole {:?} vs sliced {:?}", a.err(), b.err()),
    }
}

fn loads(spans: usize, rejected: u64, warning: Option<&str>) -> Expect<'_> {
    Expect::Loads { spans, rejected, warning }
}

#[test]
fn truncated_files_at_many_points() {
    for file in ["otlp-hotrod-jaeger-apiv3-response.json", "jaeger-petclinic-single-trace.json", "zipkin-yelp.json"] {
        let bytes = std::fs::read(fixtures_dir().join(file)).unwrap();
        for cut in (1..bytes.len()).step_by(bytes.len() / 40) {
            let name = format!("{file}@{cut}");
            match load_analyzed(&name, &bytes[..cut]) {
                Ok(loaded) => accounted(&name, &loaded.set),
                Err(e) => {
                    assert!(e.line >= 1 && !e.message.is_empty(), "{name}: {e}");
                    assert!(e.to_string().chars().count() < 1000, "{name}");
                }
            }
            same_in_slices(&name, &bytes[..cut]);
        }
    }
    // A JSONL file cut mid-line: the whole lines load, the cut one is reported.
    let line = otlp(&[span("00000000000000a1", "", "\"1\"", "\"2\"")]);
    let jsonl = format!("{line}\n{}\n{}", otlp(&[span("00000000000000b2", "", "\"1\"", "\"2\"")]), &line[..line.len() / 2]);
    check("cut.jsonl", jsonl.as_bytes(), loads(2, 1, Some("the JSON ends too early")));
}

#[test]
fn broken_trees() {
    let (a, b, c) = ("00000000000000a1", "00000000000000b2", "00000000000000c3");
    let t = |s, e| (format!("\"{s}\""), format!("\"{e}\""));
    let ((s1, e1), (s2, e2)) = (t(1000, 5000), t(2000, 3000));
    check("cycle.json", otlp(&[span(a, b, &s1, &e1), span(b, a, &s2, &e2)]).as_bytes(), loads(2, 0, Some("cycle")));
    check("self-parent.json", otlp(&[span(a, a, &s1, &e1), span(b, a, &s2, &e2)]).as_bytes(), loads(2, 0, Some("cycle")));
    check("duplicate-ids.json", otlp(&[span(a, "", &s1, &e1), span(a, "", &s2, &e2), span(c, a, &s2, &e2)]).as_bytes(), loads(3, 0, Some("reuse an id")));
    check("orphans.json", otlp(&[span(a, "", &s1, &e1), span(b, "00000000000000ff", &s2, &e2)]).as_bytes(), loads(2, 0, None));
}

#[test]
fn bad_times() {
    let (a, b) = ("00000000000000a1", "00000000000000b2");
    let good = span(b, "", "\"1000\"", "\"2000\"");
    check("reversed.json", otlp(&[span(a, "", "\"5000\"", "\"1000\""), good.clone()]).as_bytes(), loads(2, 0, Some("end")));
    check("negative.json", otlp(&[span(a, "", "\"-5000\"", "\"-1000\""), good.clone()]).as_bytes(), loads(2, 0, Some("1970")));
    check("missing.json", otlp(&[span(a, "", "null", "null"), good.clone()]).as_bytes(), loads(2, 0, Some("start")));
    // Year 3000 in nanoseconds is past i64 (2262): that span is rejected, the other loads.
    check("year-3000.json", otlp(&[span(a, "", "\"32503680000000000000\"", "\"32503680000000000001\""), good.clone()]).as_bytes(), loads(1, 1, Some("out of range")));
    check("past-2^64.json", otlp(&[span(a, "", "123456789012345678901234", "1"), good.clone()]).as_bytes(), loads(1, 1, Some("integer 123456789012345670000000 is out of range")));
    check("float-time.json", otlp(&[span(a, "", "1.5e15", "1.6e15"), good]).as_bytes(), loads(2, 0, None));
    // Zipkin and Jaeger count microseconds: year 3000 fits i64 there, but not in nanoseconds.
    let zipkin = r#"[{"traceId":"ab","id":"01","timestamp":32503680000000000,"duration":1},{"traceId":"ab","id":"02","timestamp":1,"duration":1}]"#;
    check("year-3000-zipkin.json", zipkin.as_bytes(), loads(1, 1, None));
    let jaeger = r#"{"data":[{"traceID":"ab","spans":[{"traceID":"ab","spanID":"01","startTime":32503680000000000,"duration":1},{"traceID":"ab","spanID":"02","startTime":1,"duration":1}]}]}"#;
    check("year-3000-jaeger.json", jaeger.as_bytes(), loads(1, 1, None));
}

#[test]
fn odd_ids() {
    let zero_trace = otlp(&[span("00000000000000a1", "", "\"1\"", "\"2\"")]).replace(TRACE, &"0".repeat(32));
    check("zero-trace-id.json", zero_trace.as_bytes(), Expect::Fails("no span could be read (1 span rejected: span has no trace id (or it is all zeros))"));
    let zero_span = otlp(&[span("0000000000000000", "", "\"1\"", "\"2\""), span("00000000000000b2", "", "\"1\"", "\"2\"")]);
    check("zero-span-id.json", zero_span.as_bytes(), loads(1, 1, None));
    let odd = otlp(&[span("abc", "", "\"1\"", "\"2\""), span("abcde", "abc", "\"1\"", "\"2\"")]);
    check("odd-length-ids.json", odd.as_bytes(), loads(2, 0, None));
    let huge_id = otlp(&[span(&"f".repeat(100_000), "", "\"1\"", "\"2\"")]);
    check("huge-id.json", huge_id.as_bytes(), loads(1, 0, None));
}

#[test]
fn wrong_types_and_shapes() {
    let good = span("00000000000000b2", "", "\"1\"", "\"2\"");
    let wrong_name = good.replace("\"name\":\"op 00000000000000b2\"", "\"name\":5").replace("b2", "c3");
    check("wrong-name-type.json", otlp(&[wrong_name, good.clone()]).as_bytes(), loads(1, 1, Some("spans[0].name")));
    check("wrong-envelope.json", br#"{"resourceSpans": "yes"}"#, Expect::Fails("invalid type"));
    check("number.json", b"42", Expect::Fails("invalid type"));
    check("null.json", b"null", Expect::Fails("invalid type"));
    check("string.json", b"\"resourceSpans\"", Expect::Fails("invalid type"));
    check("empty-object.json", b"{}", Expect::Fails("no trace data found"));
    check("empty-array.json", b"[]", Expect::Fails("holds no spans"));
    check("empty.json", b"", Expect::Fails("empty"));
    check("whitespace.json", b" \n\t ", Expect::Fails("empty"));
    check("trailing-garbage.json", format!("{}xyz", otlp(std::slice::from_ref(&good))).as_bytes(), Expect::Fails("trailing characters"));
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    check("nested-arrays.json", nested.as_bytes(), Expect::Fails("nested"));
    let deep_value = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}{}]}}]}}]}}"#, "[".repeat(50_000), "]".repeat(50_000));
    check("deep-value.json", deep_value.as_bytes(), Expect::Fails("invalid type: sequence"));
    check("nul-bytes.json", b"\0\0\0\0", Expect::Fails("not valid JSON"));
}

#[test]
fn encodings_and_markup() {
    let good = otlp(&[span("00000000000000b2", "", "\"1\"", "\"2\"")]);
    let mut invalid_utf8 = good.clone().into_bytes();
    let at = good.find("op ").unwrap();
    invalid_utf8[at] = 0xff;
    check("invalid-utf8.json", &invalid_utf8, Expect::Fails("UTF-8"));
    check("bom.json", &[b"\xEF\xBB\xBF".as_slice(), good.as_bytes()].concat(), loads(1, 0, None));
    let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(good.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    check("utf16le.json", &le, loads(1, 0, None));
    let be: Vec<u8> = good.encode_utf16().flat_map(u16::to_be_bytes).collect();
    check("utf16be-no-bom.json", &be, loads(1, 0, None));
    check("utf16-odd.json", &le[..le.len() - 1], Expect::Fails("odd number of bytes"));
    let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>";
    check("error-page.json", page.as_bytes(), Expect::Fails("HTML page, not trace JSON (an error or login page?): \"502 Bad Gateway\""));
    check("xml.json", b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>", Expect::Fails("markup"));
}

#[test]
fn huge_values() {
    let mut big_attr = span("00000000000000a1", "", "\"1\"", "\"2\"");
    big_attr.insert_str(big_attr.len() - 1, &format!(r#","attributes":[{{"key":"payload","value":{{"stringValue":"{}"}}}}]"#, "x".repeat(10 << 20)));
    check("10mb-attribute.json", otlp(&[big_attr]).as_bytes(), loads(1, 0, None));
    let big_name = span("00000000000000a1", "", "\"1\"", "\"2\"").replace("op 00000000000000a1", &"n".repeat(1 << 20));
    check("1mb-name.json", otlp(&[big_name]).as_bytes(), loads(1, 0, None));
    let events: Vec<String> = (0..100_000).map(|i| format!(r#"{{"timeUnixNano":"{}","name":"e{i}"}}"#, 1000 + i)).collect();
    let mut many = span("00000000000000a1", "", "\"1000\"", "\"200000\"");
    many.insert_str(many.len() - 1, &format!(r#","events":[{}]"#, events.join(",")));
    check("100k-events.json", otlp(&[many]).as_bytes(), loads(1, 0, None));
    let digits = format!("{{\"resourceSpans\":[{{\"scopeSpans\":[{{\"spans\":[{}]}}]}}]}}", "1".repeat(1_000_000));
    check("million-digits.json", digits.as_bytes(), Expect::Fails("number out of range"));
}

/// Concatenated gzip members, each 16 MB of spaces: 2 GB decompressed from a 2 MB file.
#[test]
fn a_gzip_bomb_stops_at_the_limit() {
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&vec![b' '; 16 << 20]).unwrap();
    let member = member.finish().unwrap();
    let bomb = member.repeat(128);
    assert!(bomb.len() < 4 << 20);
    check("bomb.json.gz", &bomb, Expect::Fails("the gzip data unpacks to more than"));
}

/// Every input a fuzz run found to crash, kept: none may crash again.
#[test]
fn fuzz_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        if let Ok(loaded) = load_analyzed(&name, &bytes) {
            accounted(&name, &loaded.set);
        }
        same_in_slices(&name, &bytes);
    }
}
