//! The slice-at-a-time reader gives what the whole-document reader gives: on every fixture, on generated
//! traces in every format, at any slice size, and with the same errors on broken input.

mod common;
use common::*;
use spanlens::formats::{parse, IncrementalParse};
use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::model::TraceSet;
use spanlens::testing::render;

fn incremental(name: &str, bytes: &[u8], budget: usize) -> Result<TraceSet, spanlens::LoadError> {
    let mut p = IncrementalParse::new(name);
    let mut last = 0.0;
    while !p.step(bytes, budget) {
        assert!(p.progress() >= last, "progress never goes back");
        last = p.progress();
    }
    p.finish(bytes)
}

/// Arriving `arrival` bytes at a time (as a file is read), with one slice of `budget` read after each
/// arrival (so a small budget falls behind the input and a large one keeps up), then read whole.
fn arriving(name: &str, bytes: &[u8], arrival: usize, budget: usize) -> Result<TraceSet, spanlens::LoadError> {
    let mut p = IncrementalParse::new(name);
    for end in (0..bytes.len()).step_by(arrival).skip(1).chain([bytes.len()]) {
        p.arrived(&bytes[..end]);
        p.step_arriving(&bytes[..end], budget);
    }
    while !p.step(bytes, budget) {}
    p.finish(bytes)
}

/// Read in slices of each budget, and scanned while arriving in pieces of each size: the same as `parse`.
fn same_as_whole(name: &str, bytes: &[u8], budgets: &[usize], arrivals: &[usize]) {
    let whole = parse(name, bytes);
    let same = |sliced: Result<TraceSet, spanlens::LoadError>, how: String| match (&whole, &sliced) {
        (Ok(a), Ok(b)) => assert_eq!(render(a), render(b), "{name} {how}"),
        (Err(a), Err(b)) => assert_eq!(a, b, "{name} {how}"),
        _ => panic!("{name} {how}: {:?} vs {:?}", whole.as_ref().err(), sliced.as_ref().err()),
    };
    for &budget in budgets {
        same(incremental(name, bytes, budget), format!("in slices of {budget}"));
        for &arrival in arrivals {
            same(arriving(name, bytes, arrival, budget), format!("arriving {arrival} bytes at a time, in slices of {budget}"));
        }
    }
}

#[test]
fn every_fixture_reads_the_same_in_slices() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            same_as_whole(&name, &bytes, &[1, 13, 700, usize::MAX], &[1, 7, 4096, 100_000]);
        }
    }
}

#[test]
fn generated_traces_read_the_same_in_slices() {
    for format in [GenFormat::OtlpJson, GenFormat::OtlpJsonl, GenFormat::JaegerJson, GenFormat::ZipkinV2] {
        for (spans, traces) in [(300, 1), (500, 3)] {
            let bytes = generate(&GenConfig { spans, traces, seed: 3, format });
            same_as_whole(&format!("gen.{}", format.extension()), &bytes, &[64, 5000, usize::MAX], &[1, 999]);
        }
    }
}

#[test]
fn broken_and_odd_inputs_give_the_whole_readers_answer() {
    let cases: &[&str] = &[
        "",
        "   ",
        "{",
        "[1,2]",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\",\"startTimeUnixNano\":\"x\"}]}]}]}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\"},]}]}]}",
        "{\"resourceSpans\":[]} {\"resourceSpans\":[]}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"sp\\u0061ns\":[{\"name\":\"escaped key\"}]}]}]}",
        "{\"resourceSpans\":[{\"spans\":[{\"name\":\"wrong level\"}],\"scopeSpans\":[{\"spans\":[]}]}]}",
        "{\"data\":[{\"traceID\":\"1\",\"spans\":[{\"spanID\":\"2\",\"operationName\":\"x\",\"processID\":\"p\"}],\"processes\":{\"p\":{\"serviceName\":\"s\"}},\"warnings\":[\"w\"]}]}",
        "{\"spans\":\"not an array\",\"traceID\":\"1\"}",
        "[{\"traceId\":\"1\",\"id\":\"2\",\"name\":\"{[\\\"]}\"}, 3]",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[]}]}]}\n{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"b\"}]}]}]}\n",
        "{\"a\":1]",
        "\u{feff}{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"after a byte-order mark\"}]}]}]}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"one line\"}]}]}]}\n   \n",
        // Jaeger spans come before their processes: a missing process, a rejected span (no resource made for
        // it), one trace in two trace objects (whose warnings go in between), a span that takes its trace
        // id from the trace object and one with an inline process (both wait for the trace object).
        concat!(
            "{\"data\":[{\"traceID\":\"1\",\"spans\":[",
            "{\"traceID\":\"1\",\"spanID\":\"2\",\"operationName\":\"x\",\"processID\":\"nope\"},",
            "{\"traceID\":\"1\",\"operationName\":\"no span id\",\"processID\":\"nope\"},",
            "{\"traceID\":\"1\",\"spanID\":\"3\",\"operationName\":\"y\",\"processID\":\"p\"}],",
            "\"processes\":{\"p\":{\"serviceName\":\"s\"}},\"warnings\":[\"w\"]},",
            "{\"traceID\":\"1\",\"spans\":[{\"traceID\":\"1\",\"spanID\":\"4\",\"processID\":\"nope\"},",
            "{\"spanID\":\"5\",\"processID\":\"p\"},{\"traceID\":\"1\",\"spanID\":\"6\",\"processID\":\"p\"}],",
            "\"processes\":{\"p\":{\"serviceName\":\"t\"}},\"warnings\":[\"v\"]},",
            "{\"traceID\":\"9\",\"spans\":[{\"traceID\":\"9\",\"spanID\":\"7\",\"processID\":\"q\",",
            "\"process\":{\"serviceName\":\"inline\"}},{\"traceID\":\"9\",\"spanID\":\"8\",\"processID\":\"q\"}]}]}"
        ),
        // Inside a span the scanner sees only brackets and strings: brackets in strings, escaped quotes,
        // nested arrays, and a mismatched bracket (which the span reader then reports).
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"}]\\\"[{\",\"attributes\":[{\"key\":\"k\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":1}]}}}]},{\"name\":\"b\"}]}]}]}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\",\"attributes\":[1}],{\"name\":\"b\"}]}]}]}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\"}}]}]}]}",
        // Deeper than the scanner expects Jaeger spans: read as OTLP's at first, then read whole.
        "{\"result\":{\"data\":[{\"traceID\":\"1\",\"spans\":[{\"traceID\":\"1\",\"spanID\":\"2\",\"processID\":\"p\"}],\"processes\":{\"p\":{\"serviceName\":\"s\"}}}]}}",
    ];
    for (i, text) in cases.iter().enumerate() {
        same_as_whole(&format!("case{i}.json"), text.as_bytes(), &[1, 3, usize::MAX], &[1, 2, 5]);
    }
}

#[test]
fn prefixes_of_a_real_file_give_the_same_errors() {
    let bytes = std::fs::read(fixtures_dir().join("jaeger-petclinic-single-trace.json")).unwrap();
    for cut in (0..bytes.len()).step_by(53) {
        same_as_whole("cut.json", &bytes[..cut], &[29], &[97]);
    }
}

/// One damaged value in real exporter output costs one span, in slices as whole: a Zipkin timestamp with a
/// fraction of a microsecond is read to the nanosecond (one warning for the file), an OTLP end time of
/// `1e400` (valid JSON, too big for any number type) rejects its span with the field named.
#[test]
fn one_damaged_value_costs_one_span() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let zipkin = std::fs::read(dir.join("damaged-zipkin-fractional-micros.json")).unwrap();
    let set = parse("z.json", &zipkin).unwrap();
    assert_eq!(set.traces.iter().map(|t| t.spans.len()).sum::<usize>(), 7);
    assert!(set.rejected.is_empty());
    assert_eq!(set.warnings, ["1 span had times with fractions of a microsecond (the format counts whole ones): read to the nanosecond"]);
    let half = set.traces[0].spans.iter().find(|s| s.start_ns % 1000 != 0).expect("the fractional start");
    assert_eq!(half.start_ns % 1_000_000, 500, "…863000.5 µs is …863000500 ns");
    same_as_whole("z.json", &zipkin, &[64, 4096], &[100]);

    let otlp = std::fs::read(dir.join("damaged-otlp-end-1e400.jsonl")).unwrap();
    let set = parse("o.jsonl", &otlp).unwrap();
    assert_eq!(set.span_objects, 440);
    assert_eq!(set.traces.iter().map(|t| t.spans.len()).sum::<usize>(), 439);
    assert_eq!(set.rejected.len(), 1);
    assert_eq!(set.warnings.len(), 1);
    assert!(set.warnings[0].starts_with("o.jsonl:1:2181: number out of range (field spans[2].endTimeUnixNano): the span was rejected"), "{}", set.warnings[0]);
    same_as_whole("o.jsonl", &otlp, &[4096], &[10_000]);
}
