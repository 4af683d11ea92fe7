//! Analysis on real files: findings, critical path, skew adjustment and statistics.

mod common;
use common::*;
use spanlens::analysis::{self, skew, summary::Finding};
use spanlens::model::notes;

fn kinds(findings: &[Finding], kind: &str) -> Vec<Finding> {
    findings.iter().filter(|f| f.kind == kind).cloned().collect()
}

#[test]
fn hotrod_findings_name_the_n_plus_one_the_fan_out_and_the_errors() {
    let (set, summary) = load_fixture("otlp-hotrod-jaeger-apiv3-response.json");
    let findings = &summary.traces[0].findings;
    let s = &set.strings;
    let name_of = |id: &str| {
        let span = set.traces[0].spans.iter().find(|x| x.span_id.unwrap().display(s) == id).unwrap();
        (s.get(span.service).to_string(), s.get(span.name).to_string())
    };

    let n1 = kinds(findings, "n-plus-one");
    assert_eq!(n1.len(), 1, "{findings:#?}");
    assert_eq!(n1[0].span_ids.len(), 13, "13 sequential GetDriver calls");
    assert!(n1[0].span_ids.iter().all(|id| name_of(id) == ("redis-manual".into(), "GetDriver".into())));
    assert!(n1[0].message.starts_with("13 sequential GetDriver (redis-manual) calls"), "{}", n1[0].message);

    let fan = kinds(findings, "fan-out");
    assert_eq!(fan.len(), 1, "{findings:#?}");
    assert_eq!(name_of(&fan[0].span_ids[0]).1, "GET /dispatch", "the parent comes first");
    assert_eq!(fan[0].span_ids.len(), 11, "parent + the 10 parallel route calls");
    assert!(fan[0].message.contains("10 parallel calls") && fan[0].message.contains("up to 3 at once"), "{}", fan[0].message);

    let errors = kinds(findings, "error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].span_ids.len(), 3);
    assert!(errors[0].message.contains("GetDriver (redis-manual) failed 3 times: An error occurred (exception: redis timeout)"), "{}", errors[0].message);

    assert!(kinds(findings, "broken-propagation").is_empty());
    assert!(kinds(findings, "dominant-span").is_empty(), "SQL SELECT is 36% of the trace, under the threshold");
}

#[test]
fn zipkin_skew_is_found_and_adjusted_transparently() {
    let (mut set, summary) = load_fixture("zipkin-skew.json");
    let skews = kinds(&summary.traces[0].findings, "clock-skew");
    assert_eq!(skews.len(), 1, "{:#?}", summary.traces[0].findings);
    assert_eq!(skews[0].span_ids, ["74280ae0c10d8062"]);
    assert!(skews[0].message.contains("serviceb") && skews[0].message.contains("servicea"), "{}", skews[0].message);

    let server = set.traces[0].spans.iter().position(|x| x.has(notes::SHARED_SERVER_HALF)).unwrap();
    let raw_start = set.traces[0].spans[server].start_ns;
    let moved = skew::adjust(&mut set, 0);
    assert_eq!(moved, 2, "the server half and its child");
    let trace = &set.traces[0];
    let client = trace.tree.parent[server] as usize;
    let (c, sv) = (&trace.spans[client], &trace.spans[server]);
    assert!(sv.start_ns >= c.start_ns && sv.end_ns <= c.end_ns, "now inside its client half");
    // Centred: (94539 - 93577) / 2 = 481 µs after the client's start.
    assert_eq!(sv.start_ns - c.start_ns, 481_000);
    assert_eq!(trace.skew_shift_ns[server], 65_922_000);
    assert!(sv.has(notes::SKEW_SHIFTED));
    assert_eq!(trace.raw_times(server as u32).0, raw_start, "raw times stay available");
    // The finding still reports the skew after adjustment, and reset restores every span.
    let after = analysis::analyze(&set, 0);
    let skew_findings = after.findings.iter().filter(|f| f.kind == analysis::findings::FindingKind::ClockSkew);
    assert_eq!(skew_findings.count(), 1);
    skew::reset(&mut set.traces[0]);
    assert_eq!(set.traces[0].spans[server].start_ns, raw_start);
    assert!(!set.traces[0].spans[server].has(notes::SKEW_SHIFTED));
}

#[test]
fn messaging_orphans_is_broken_propagation() {
    let (_, summary) = load_fixture("zipkin-messaging-orphans.json");
    let broken = kinds(&summary.traces[0].findings, "broken-propagation");
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].span_ids.len(), 6);
    assert!(broken[0].message.starts_with("6 span(s) name a parent that is not in the trace"), "{}", broken[0].message);
}

#[test]
fn oversized_attributes_are_found_in_smartthings() {
    let (set, summary) = load_fixture("zipkin-smartthings-mobile-web-install.json");
    let oversized = kinds(&summary.traces[0].findings, "oversized-attribute");
    assert!(!oversized.is_empty());
    // Independently: spans with a tag value over 1 KiB.
    let s = &set.strings;
    let expected = set.traces[0].spans.iter().filter(|x| set.attributes(x).any(|a| a.value.text_len(s) > 1024)).count();
    let found: usize = oversized.iter().map(|f| f.span_ids.len()).sum();
    assert!(expected > 0 && found >= expected, "found {found}, expected {expected}");
}

#[test]
fn critical_path_tiles_every_root_of_every_fixture() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".json") {
            continue;
        }
        let (set, summary) = load_fixture(&name);
        let trace = &set.traces[0];
        let a = analysis::analyze(&set, 0);
        for &root in &trace.tree.roots {
            let r = &trace.spans[root as usize];
            let mut covered: Vec<(i64, i64)> = a
                .critical_path
                .sections
                .iter()
                .filter(|s| root_of(trace, s.span) == root)
                .map(|s| (s.start_ns, s.end_ns))
                .collect();
            covered.sort();
            let mut at = r.start_ns;
            for (start, end) in covered {
                assert_eq!(start, at, "{name}: sections of root {root} tile without gaps or overlaps");
                at = end;
            }
            assert_eq!(at, r.end_ns, "{name}: sections reach the root's end");
        }
        let total: i64 = a.critical_path.contribution_ns.iter().sum();
        let roots: i64 = trace.tree.roots.iter().map(|&r| trace.spans[r as usize].duration_ns()).sum();
        assert_eq!(total, roots, "{name}");
        assert_eq!(summary.traces[0].critical_path.len(), a.critical_path.sections.len());
    }
}

fn root_of(trace: &spanlens::model::Trace, mut span: u32) -> u32 {
    while let Some(p) = trace.tree.parent_of(span) {
        span = p;
    }
    span
}

#[test]
fn hotrod_critical_path_goes_through_mysql_and_the_redis_run() {
    let (set, summary) = load_fixture("otlp-hotrod-jaeger-apiv3-response.json");
    let a = analysis::analyze(&set, 0);
    let s = &set.strings;
    let services: std::collections::BTreeSet<&str> =
        a.critical_path.sections.iter().map(|x| s.get(set.traces[0].spans[x.span as usize].service)).collect();
    assert!(services.contains("mysql") && services.contains("redis-manual") && services.contains("route"), "{services:?}");
    // Chronological in the summary.
    let starts: Vec<u64> = summary.traces[0].critical_path.iter().map(|c| c.start_unix_nano.parse().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    // Per-service statistics: mysql's one query is 257 ms of self time and all on the critical path.
    let mysql = a.stats.by_service.iter().find(|g| s.get(g.service) == "mysql").unwrap();
    assert_eq!(mysql.count, 1);
    assert_eq!(mysql.self_ns, mysql.total_ns);
    assert_eq!(mysql.critical_ns, mysql.total_ns);
    let redis = a.stats.by_operation.iter().find(|g| s.get(g.name) == "GetDriver").unwrap();
    assert_eq!((redis.count, redis.errors), (13, 3));
    assert!(redis.p50_ns <= redis.p95_ns && redis.p95_ns <= redis.max_ns);
}

#[test]
fn generated_checkout_trace_has_every_pattern() {
    use spanlens::generate::{generate, GenConfig, GenFormat};
    for format in [GenFormat::OtlpJson, GenFormat::JaegerJson, GenFormat::ZipkinV2] {
        let bytes = generate(&GenConfig { spans: 500, traces: 1, seed: 3, format });
        let set = spanlens::load("gen.json", &bytes).unwrap();
        let summary = spanlens::analysis::summary::summarize(&set);
        let f = &summary.traces[0].findings;
        for kind in ["error", "broken-propagation", "n-plus-one", "fan-out"] {
            assert!(f.iter().any(|x| x.kind == kind), "{format:?}: no {kind} in {f:#?}");
        }
    }
}

/// The OpenTelemetry JS SDK writes start times in whole milliseconds and end times to the nanosecond
/// (tests/data/otel-js-zipkin.json shows it). Within that precision, children only seem to end after their
/// parents and sequential calls only seem to overlap: no clock skew, the critical path through every call,
/// the N+1 run found. Skew beyond the precision is still skew.
#[test]
fn start_times_cut_to_the_millisecond_are_not_skew() {
    let picture = "checkout      gateway    0..12.4ms  server
                     stock       gateway    1..3.3ms   client
                       reserve   inventory  1..3.7ms   server
                     q           db         3..4.2ms   client
                     q           db         4..5.1ms   client
                     q           db         5..6.3ms   client
                     q           db         6..7.2ms   client
                     q           db         7..8.1ms   client
                     pay         gateway    8..12.2ms  client";
    let set = spanlens::testing::trace_set(picture);
    let trace = &set.traces[0];
    assert_eq!(trace.start_precision_ns, 1_000_000, "whole-millisecond starts, finer ends");
    let a = analysis::analyze(&set, 0);
    let kinds: Vec<&str> = a.findings.iter().map(|f| f.kind.as_str()).collect();
    assert!(!kinds.contains(&"clock-skew"), "{kinds:?}");
    assert!(kinds.contains(&"n-plus-one"), "the five sequential queries are a run: {kinds:?}");
    let on_path: Vec<u32> = a.critical_path.sections.iter().map(|s| s.span).collect();
    // The stock call's time is its server's (reserve, 2), then each query, then pay.
    for call in [2, 3, 4, 5, 6, 7, 8] {
        assert!(on_path.contains(&call), "call {call} is on the critical path: {on_path:?}");
    }
    let total: i64 = a.critical_path.sections.iter().map(|s| s.end_ns - s.start_ns).sum();
    assert_eq!(total, trace.spans[0].duration_ns(), "the sections still tile the root");
    let mut adjusted = set.clone();
    assert_eq!(skew::adjust(&mut adjusted, 0), 0, "nothing to shift");

    // Starting 2 ms before its parent is more than the precision: skew, found and shifted.
    let skewed = spanlens::testing::trace_set(&picture.replace("1..3.7ms   server", "-1..3.1ms   server"));
    let a = analysis::analyze(&skewed, 0);
    assert!(a.findings.iter().any(|f| f.kind.as_str() == "clock-skew"));
    // Ending 1.7 ms after its parent is an overrun, not skew: the server finished after its client.
    let overrun = spanlens::testing::trace_set(&picture.replace("1..3.7ms   server", "1..5.0ms   server"));
    assert!(!analysis::analyze(&overrun, 0).findings.iter().any(|f| f.kind.as_str() == "clock-skew"));
    // With starts as fine as the ends, no tolerance at all: starting 0.3 ms before the parent is skew.
    let exact = spanlens::testing::trace_set("root s 0.5..10ms\n  a t 0.2..9.5ms");
    assert_eq!(exact.traces[0].start_precision_ns, 0);
    assert!(analysis::analyze(&exact, 0).findings.iter().any(|f| f.kind.as_str() == "clock-skew"));
}
