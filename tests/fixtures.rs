//! Every real file in ../shared/fixtures loads with exactly the spans, traces, roots, orphans and duplicates
//! that SOURCES.md describes, and every span object is accounted for.

mod common;
use common::*;
use spanlens::model::notes;

struct Expect {
    file: &'static str,
    format: &'static str,
    spans: u64,
    trace_id: &'static str,
    services: usize,
    /// Spans with no parent (not counting orphans).
    roots: usize,
    orphans: usize,
    /// Spans whose id was already taken, not counting Zipkin client/server halves.
    duplicate_spans: usize,
    /// Zipkin server halves re-keyed under their client half.
    shared_halves: usize,
    errors: u64,
}

const EXPECTED: &[Expect] = &[
    Expect { file: "jaeger-petclinic-single-trace.json", format: "jaeger-json", spans: 17, trace_id: "0df84e36b9e2ee3815d07f0867a5be1f", services: 2, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 0 },
    Expect { file: "jaeger-pyroscope-ridesharing-uimodel.json", format: "jaeger-json", spans: 4, trace_id: "84b3fad94c6112edd6af3347d06f6f1d", services: 2, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 0 },
    Expect { file: "jaeger-follows-from-issue115.json", format: "jaeger-json", spans: 2, trace_id: "2992f2a5b5d037a8aabffd08ef384237", services: 1, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 0 },
    Expect { file: "jaeger-converter-golden-edgecases.json", format: "jaeger-json", spans: 5, trace_id: "00000000000000000000000000000001", services: 2, roots: 2, orphans: 0, duplicate_spans: 1, shared_halves: 0, errors: 1 },
    Expect { file: "jaeger-nonhex-ids-handwritten.json", format: "jaeger-json", spans: 11, trace_id: "trace-123", services: 2, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 1 },
    Expect { file: "otlp-hotrod-jaeger-apiv3-response.json", format: "otlp-json", spans: 40, trace_id: "2ea75461946a7dd10f2c15ab36a076cb", services: 6, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 3 },
    Expect { file: "otlp-spec-example.json", format: "otlp-json", spans: 1, trace_id: "5b8efff798038103d269b633813fc60c", services: 1, roots: 0, orphans: 1, duplicate_spans: 0, shared_halves: 0, errors: 0 },
    Expect { file: "otlp-span-links-handwritten.json", format: "otlp-json", spans: 1, trace_id: "00000000000000000000000000000002", services: 1, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 0 },
    Expect { file: "zipkin-smartthings-mobile-web-install.json", format: "zipkin-v2", spans: 1041, trace_id: "000000000000000014b60fd9ae504820", services: 16, roots: 1, orphans: 0, duplicate_spans: 88, shared_halves: 290, errors: 2 },
    Expect { file: "zipkin-smartthings-oauth-authorization.json", format: "zipkin-v2", spans: 175, trace_id: "00000000000000008ce82b2e9ed820ba", services: 8, roots: 1, orphans: 0, duplicate_spans: 4, shared_halves: 41, errors: 2 },
    Expect { file: "zipkin-skew.json", format: "zipkin-v2", spans: 4, trace_id: "00000000000000001e223ff1f80f1c69", services: 2, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 1, errors: 0 },
    Expect { file: "zipkin-messaging-kafka.json", format: "zipkin-v2", spans: 28, trace_id: "00000000000000000562809467078eab", services: 2, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 3 },
    Expect { file: "zipkin-messaging-orphans.json", format: "zipkin-v2", spans: 11, trace_id: "00000000000000000d1a94ebc9256244", services: 4, roots: 1, orphans: 6, duplicate_spans: 0, shared_halves: 0, errors: 0 },
    Expect { file: "zipkin-netflix.json", format: "zipkin-v2", spans: 8, trace_id: "5982fe77008310cc80f1da5e10147517", services: 3, roots: 1, orphans: 0, duplicate_spans: 2, shared_halves: 2, errors: 0 },
    Expect { file: "zipkin-yelp.json", format: "zipkin-v2", spans: 16, trace_id: "0000000000000000a03ee8fff1dcd9b9", services: 6, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 3, errors: 0 },
    Expect { file: "zipkin-kong-missing-duration.json", format: "zipkin-v2", spans: 7, trace_id: "6cf5624e3452d1bc202a57dad35921c0", services: 1, roots: 1, orphans: 0, duplicate_spans: 0, shared_halves: 0, errors: 0 },
];

#[test]
fn every_fixture_is_covered_by_an_expectation() {
    let files = fixture_names();
    let mut expected: Vec<String> = EXPECTED.iter().map(|e| e.file.to_string()).collect();
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn fixtures_load_with_exact_counts() {
    for e in EXPECTED {
        let (set, summary) = load_fixture(e.file);
        let ctx = e.file;
        assert_eq!(summary.source.format, e.format, "{ctx}: format");
        assert_eq!(summary.traces.len(), 1, "{ctx}: traces (SOURCES.md: one trace id each)");
        assert_eq!(set.span_objects, e.spans, "{ctx}: span objects");
        assert!(summary.rejected.is_empty(), "{ctx}: rejected {:?}", summary.rejected);
        let t = &summary.traces[0];
        assert_eq!(t.span_count, e.spans, "{ctx}: every span object is in the trace");
        assert_eq!(t.trace_id, e.trace_id, "{ctx}: trace id");
        assert_eq!(t.services.len(), e.services, "{ctx}: services {:?}", t.services);
        let trace = &set.traces[0];
        assert_eq!(trace.tree.true_roots(&trace.spans).len(), e.roots, "{ctx}: roots");
        assert_eq!(t.orphan_span_ids.len(), e.orphans, "{ctx}: orphans");
        assert_eq!(trace.tree.duplicates.len(), e.duplicate_spans, "{ctx}: duplicate spans");
        assert_eq!(count_noted(&set, notes::SHARED_SERVER_HALF), e.shared_halves, "{ctx}: client/server halves");
        assert_eq!(t.error_span_count, e.errors, "{ctx}: errors");
        // Every span is drawn: it is a root or hangs below one.
        assert_eq!(trace.tree.roots.len() + trace.tree.children.len(), trace.spans.len(), "{ctx}: tree covers all");
    }
}

#[test]
fn smartthings_accounts_for_every_reused_id_and_missing_time() {
    let (set, summary) = load_fixture("zipkin-smartthings-mobile-web-install.json");
    let trace = &set.traces[0];
    let distinct: std::collections::HashSet<_> = trace.spans.iter().map(|s| s.span_id).collect();
    assert_eq!(distinct.len(), 663, "distinct ids (SOURCES.md)");
    assert_eq!(trace.tree.duplicates.len() + count_noted(&set, notes::SHARED_SERVER_HALF), 1041 - 663);
    assert_eq!(count_noted(&set, notes::MISSING_START), 84, "spans without timestamp");
    assert_eq!(count_noted(&set, notes::MISSING_DURATION), 175, "spans without duration");
    // Placed spans sit at their parent's start, inside the trace.
    let start = trace.start_ns();
    assert!(trace.spans.iter().all(|s| s.start_ns >= start && s.end_ns >= s.start_ns));
    assert!(summary.warnings.iter().any(|w| w.contains("84 span(s) have no start time")));
}

#[test]
fn spec_example_is_one_orphan_and_no_root() {
    let (set, summary) = load_fixture("otlp-spec-example.json");
    let t = &summary.traces[0];
    assert!(t.root_span_ids.is_empty());
    assert_eq!(t.orphan_span_ids, vec!["eee19b7ec3c1b174"]);
    assert!(set.traces[0].spans[0].has(notes::ORPHAN));
    assert_eq!(t.start_unix_nano, "1544712660000000000");
    assert_eq!(t.duration_nanos, "1000000000");
    assert!(summary.warnings.iter().any(|w| w.contains("broken context propagation")));
}

#[test]
fn messaging_orphans_lists_six_orphans() {
    let (_, summary) = load_fixture("zipkin-messaging-orphans.json");
    assert_eq!(summary.traces[0].orphan_span_ids.len(), 6);
}

#[test]
fn converter_golden_keeps_the_duplicate_and_odd_tag_types() {
    let (set, summary) = load_fixture("jaeger-converter-golden-edgecases.json");
    let t = &summary.traces[0];
    assert_eq!(t.duplicate_span_ids, vec!["0000000000000002"]);
    let trace = &set.traces[0];
    let s = &set.strings;
    let dup = trace.spans.iter().find(|x| x.has(notes::DUPLICATE_ID)).unwrap();
    let tag = |key: &str| set.attributes(dup).find(|a| s.get(a.key) == key).map(|a| a.value.clone()).unwrap();
    use spanlens::model::AttrValue;
    assert_eq!(tag("javascript_limit"), AttrValue::Int(9223372036854775222), "int64 string kept exact");
    assert_eq!(tag("temperature"), AttrValue::Double(72.5));
    assert_eq!(tag("blob"), AttrValue::Bytes(vec![0, 0, 0x30, 0x39].into()));
    assert!(dup.is_error(s), "error=true tag");
    // 0004 references another trace first: its parent is the in-trace CHILD_OF; the rest are links.
    let span4 = trace.spans.iter().find(|x| x.span_id.unwrap().display(s) == "0000000000000004").unwrap();
    assert_eq!(span4.parent_id.unwrap().display(s), "0000000000000002");
    assert_eq!(span4.links().len(), 2);
    assert_eq!(span4.warnings().len(), 1);
    assert!(summary.warnings.iter().any(|w| w.contains("some trace warning")));
}

#[test]
fn follows_from_only_reference_becomes_the_parent() {
    let (set, _) = load_fixture("jaeger-follows-from-issue115.json");
    let trace = &set.traces[0];
    let child = trace.spans.iter().find(|x| x.parent_id.is_some()).unwrap();
    assert!(child.has(notes::FOLLOWS_FROM));
    assert_eq!(trace.tree.roots.len(), 1);
    assert_eq!(trace.tree.children.len(), 1);
}

#[test]
fn nonhex_ids_are_kept_as_given() {
    let (set, summary) = load_fixture("jaeger-nonhex-ids-handwritten.json");
    let s = &set.strings;
    let ids: Vec<String> = set.traces[0].spans.iter().map(|x| x.span_id.unwrap().display(s)).collect();
    assert!(ids.contains(&"span-2_1".to_string()), "{ids:?}");
    assert_eq!(summary.traces[0].trace_id, "trace-123");
}

#[test]
fn hotrod_reads_errors_events_scopes_and_resources() {
    let (set, summary) = load_fixture("otlp-hotrod-jaeger-apiv3-response.json");
    let s = &set.strings;
    let trace = &set.traces[0];
    let errors: Vec<_> = trace.spans.iter().filter(|x| x.is_error(s)).collect();
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(|x| s.get(x.name) == "GetDriver"));
    assert!(errors.iter().all(|x| x.events().iter().any(|e| s.get(e.name) == "exception")));
    assert_eq!(summary.traces[0].services, ["customer", "driver", "frontend", "mysql", "redis-manual", "route"]);
    let scope = &set.scopes[trace.spans[0].scope as usize];
    assert_eq!(s.get(scope.name), "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp");
}

#[test]
fn span_links_are_read() {
    let (set, _) = load_fixture("otlp-span-links-handwritten.json");
    let span = &set.traces[0].spans[0];
    assert_eq!(span.links().len(), 1);
    let link = &span.links()[0];
    assert_eq!(link.trace_id.unwrap().display(&set.strings), "00000000000000000000000000000003");
    assert_eq!(link.attributes.len(), 1);
}

#[test]
fn zipkin_skew_pairs_client_and_server() {
    let (set, _) = load_fixture("zipkin-skew.json");
    let trace = &set.traces[0];
    let s = &set.strings;
    let server = trace.spans.iter().position(|x| x.has(notes::SHARED_SERVER_HALF)).unwrap();
    let client = trace.tree.parent[server] as usize;
    assert_eq!(s.get(trace.spans[client].name), "post");
    assert_eq!(trace.spans[client].kind, spanlens::model::SpanKind::Client);
    // The server's own child ("async") hangs below the server half, which took over the id.
    let below: Vec<&str> = trace.tree.children_of(server as u32).iter().map(|&c| s.get(trace.spans[c as usize].name)).collect();
    assert_eq!(below, ["async"]);
}

#[test]
fn kong_spans_without_duration_are_zero_length() {
    let (set, _) = load_fixture("zipkin-kong-missing-duration.json");
    let s = &set.strings;
    let header = set.traces[0].spans.iter().find(|x| s.get(x.name) == "kong.header_filter").unwrap();
    assert!(header.has(notes::MISSING_DURATION));
    assert_eq!(header.duration_ns(), 0);
    assert_eq!(header.start_ns, 1570005203864000 * 1000);
}

/// Every fixture gzipped (as `.json.gz` files are) reads exactly like the plain file.
#[test]
fn every_fixture_reads_the_same_gzipped() {
    use std::io::Write;
    for e in EXPECTED {
        let plain = std::fs::read(fixtures_dir().join(e.file)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        let a = spanlens::load(e.file, &plain).unwrap();
        let b = spanlens::load(e.file, &gz).unwrap();
        assert_eq!(a.span_objects, b.span_objects, "{}", e.file);
        assert_eq!(a.traces.len(), b.traces.len(), "{}", e.file);
        for (x, y) in a.traces.iter().zip(&b.traces) {
            assert_eq!(x.spans, y.spans, "{}", e.file);
            assert_eq!(x.tree, y.tree, "{}", e.file);
        }
    }
}
