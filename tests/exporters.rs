//! Files written by real OpenTelemetry SDKs (`tests/exporters/` makes them; `tests/data/` keeps the bytes
//! as the exporters sent them): each is read the way its exporter meant it.

mod common;
use spanlens::model::StatusCode;
use std::path::PathBuf;

fn load(name: &str) -> spanlens::pipeline::LoadedFile {
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)).unwrap();
    spanlens::pipeline::load_analyzed(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Both SDKs' Zipkin exporters mark the five failed calls with `otel.status_code: ERROR`; the JS one writes
/// the `error` tag only for the two with a message, the Python one for all five.
#[test]
fn zipkin_from_the_js_and_python_sdks_counts_every_failed_span() {
    for name in ["otel-js-zipkin.json", "otel-python-zipkin.json"] {
        let file = load(name);
        let (set, summary) = (&file.set, &file.summary);
        assert_eq!(summary.source.format, "zipkin-v2", "{name}");
        assert_eq!(summary.traces.len(), 1, "{name}");
        assert_eq!(summary.traces[0].span_count, 7, "{name}");
        assert_eq!(summary.traces[0].error_span_count, 5, "{name}: five spans failed");
        let trace = &set.traces[0];
        let status = |span: &str| {
            let s = trace.spans.iter().find(|s| set.str(s.name) == span).unwrap();
            (s.status, set.str(s.status_message).to_string())
        };
        assert_eq!(status("POST /charge"), (StatusCode::Error, "card declined".to_string()), "{name}");
        assert_eq!(status("SELECT stock"), (StatusCode::Error, String::new()), "{name}");
        assert_eq!(status("render receipt"), (StatusCode::Ok, String::new()), "{name}");
        let messages: Vec<&str> = summary.traces[0].findings.iter().filter(|f| f.kind == "error").map(|f| f.message.as_str()).collect();
        assert!(messages.contains(&"SELECT stock (checkout) failed 3 times"), "{name}: {messages:?}");
        assert!(messages.contains(&"POST /charge (checkout) failed: card declined"), "{name}: {messages:?}");
        // The JS SDK's starts are whole milliseconds and its ends finer; the Python SDK's are both finer.
        let precision = if name.contains("-js-") { 1_000_000 } else { 0 };
        assert_eq!(trace.start_precision_ns, precision, "{name}");
    }
}

/// What the Python SDK's ConsoleSpanExporter prints (objects one after another, `0x` ids, `SpanKind.SERVER`,
/// ISO-8601 times, the resource in every span) reads as its own format, whole or a slice at a time.
#[test]
fn the_python_console_exporters_output_reads_as_otel_console() {
    let file = load("otel-python-console.txt");
    let (set, summary) = (&file.set, &file.summary);
    assert_eq!(summary.source.format, "otel-console");
    assert_eq!(summary.traces.len(), 1);
    let t = &summary.traces[0];
    assert_eq!((t.span_count, t.error_span_count), (4, 2));
    assert_eq!(t.services, ["gateway", "payment"]);
    assert_eq!(t.root_span_ids.len(), 1);
    assert!(t.orphan_span_ids.is_empty(), "every parent is in the output");
    let trace = &set.traces[0];
    let span = |name: &str| trace.spans.iter().position(|s| set.str(s.name) == name).unwrap() as u32;
    let charge = &trace.spans[span("charge") as usize];
    assert_eq!(trace.tree.parent_of(span("charge")), Some(span("POST /charge")), "context crossed services");
    assert_eq!(set.str(charge.service), "payment");
    assert_eq!(charge.kind, spanlens::model::SpanKind::Server);
    assert_eq!((charge.status, set.str(charge.status_message)), (StatusCode::Error, "card network timed out"));
    assert_eq!(set.str(charge.events()[0].name), "exception");
    assert_eq!(charge.links()[0].span_id, trace.spans[span("POST /checkout") as usize].span_id);
    assert!(charge.start_ns > 1_700_000_000_000_000_000 && charge.end_ns > charge.start_ns, "ISO-8601 times to the µs");
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/otel-python-console.txt")).unwrap();
    let mut sliced = spanlens::formats::IncrementalParse::new("otel-python-console.txt");
    for end in (1..bytes.len()).step_by(500).chain([bytes.len()]) {
        sliced.arrived(&bytes[..end]);
        sliced.step_arriving(&bytes[..end], 1024);
    }
    let sliced = sliced.finish(&bytes).unwrap();
    assert_eq!((sliced.span_objects, sliced.source.format.as_str()), (4, "otel-console"));
}

/// A payment service that ignored the incoming context (real Python SDK output): its entry span started a
/// trace of its own while the gateway's call waited. Both traces say so, naming the other and the call.
#[test]
fn a_trace_split_by_a_service_that_ignored_the_context_is_reported_in_both_halves() {
    let file = load("otel-python-split.txt");
    let summary = &file.summary;
    assert_eq!(summary.traces.len(), 2);
    let by_root = |service: &str| summary.traces.iter().find(|t| t.services.len() == 1 && t.services[0] == service).unwrap();
    let (gateway, payment) = (by_root("gateway"), by_root("payment"));
    let broken = |t: &spanlens::analysis::summary::TraceSummary| -> Vec<String> {
        t.findings.iter().filter(|f| f.kind == "broken-propagation").map(|f| f.message.clone()).collect()
    };
    assert_eq!(
        broken(payment),
        [format!(
            "charge (payment) started a trace of its own while POST /charge (gateway) in trace {} waited for it: the \
             incoming context was not used, so the trace is split in two",
            gateway.trace_id
        )]
    );
    assert_eq!(
        broken(gateway),
        [format!(
            "POST /charge (gateway) lost its context: the service it called started trace {} (charge (payment)), so \
             the trace is split in two",
            payment.trace_id
        )]
    );
}

/// Twenty purchases through three real instrumented Node services (`shop_js.mjs`): the aggregate across
/// them, the comparison of a slow purchase with a normal one, and the N+1 run, on what the SDK really sent.
/// The HTTP instrumentation names client spans by method alone ("GET"): by the stated rule the six inventory
/// calls and the payment call are one operation at the gateway in the aggregate and the comparison (the
/// servers' spans under them tell them apart there); grouped repeats and findings tell them apart by what
/// each call reached.
#[test]
fn aggregate_compare_and_repeats_over_twenty_real_purchases() {
    use spanlens::analysis::{aggregate, compare, repeats};
    let file = load("otel-js-shop.jsonl");
    let set = &file.set;
    assert_eq!(file.summary.traces.len(), 20);
    assert_eq!(set.traces.iter().map(|t| t.spans.len()).sum::<usize>(), 20 * 22);
    // The purchase a trace is, from the root's `url.query` ("order=13").
    let order = |t: usize| -> u32 {
        let trace = &set.traces[t];
        let root = &trace.spans[trace.tree.roots[0] as usize];
        let query = set.attributes(root).find(|a| set.str(a.key) == "url.query").unwrap().value.display(&set.strings);
        query.strip_prefix("order=").unwrap().parse().unwrap()
    };
    let of_order = |n: u32| (0..20).find(|&t| order(t) == n).unwrap();

    // Aggregate over every trace with the root GET /buy: all twenty.
    let all = aggregate::same_root(set, 0);
    assert_eq!(all.len(), 20);
    let parts: Vec<_> = all.iter().map(|&t| file.part(t)).collect();
    let agg = aggregate::aggregate(set, &parts);
    let node = |path: &[(&str, &str)]| -> &aggregate::Node {
        let mut at = None::<u32>;
        for &(service, name) in path {
            let among = at.map_or(&agg.roots, |n| &agg.children[n as usize]);
            at = among.iter().copied().find(|&n| {
                let node = &agg.nodes[n as usize];
                (set.str(node.service), set.str(node.name)) == (service, name)
            });
            assert!(at.is_some(), "{service}: {name} under {path:?}");
        }
        &agg.nodes[at.unwrap() as usize]
    };
    let root = node(&[("gateway", "GET /buy")]);
    assert_eq!((root.count, root.traces, root.errors), (20, 20, 1), "the declined purchase's gateway answered 502");
    let calls = node(&[("gateway", "GET /buy"), ("gateway", "GET")]);
    assert_eq!((calls.count, calls.traces, calls.errors), (140, 20, 1));
    let stock = node(&[("gateway", "GET /buy"), ("gateway", "GET"), ("inventory", "GET /stock/:item"), ("inventory", "SELECT stock")]);
    assert_eq!((stock.count, stock.traces), (120, 20));
    let charge = node(&[("gateway", "GET /buy"), ("gateway", "GET"), ("payment", "GET /charge"), ("payment", "charge card")]);
    assert_eq!((charge.count, charge.traces, charge.errors), (20, 20, 1));
    // The slowest charge is purchase 13's, 300 ms longer than the others (each sleeps 20 ms).
    let (slow_part, _, slow_ns) = charge.slowest[0];
    assert_eq!(order(all[slow_part as usize]), 13);
    assert!((320_000_000..400_000_000).contains(&slow_ns), "{slow_ns}");
    assert!((20_000_000..60_000_000).contains(&charge.p50_ns), "{}", charge.p50_ns);

    // Purchase 12 against purchase 13: the verdict names payment's charge card with the 300 ms.
    let (a, b) = (of_order(12), of_order(13));
    let c = compare::compare(set, file.part(a), set, file.part(b));
    assert!(c.pairs.iter().all(|p| p.side() == compare::Side::Both), "the same calls in both");
    let (culprit, ns) = c.culprit.clone().unwrap();
    assert_eq!(culprit, "payment: charge card");
    assert!((290_000_000..330_000_000).contains(&ns), "{ns}");
    assert!(c.verdict().starts_with("B is 3"), "{}", c.verdict());
    assert!(c.verdict().ends_with("in payment: charge card (critical path)"), "{}", c.verdict());
    // The other way round, B is faster by the same amount.
    let back = compare::compare(set, file.part(b), set, file.part(a));
    assert_eq!(back.culprit.unwrap(), (culprit, -ns));

    // The gateway's six GETs to inventory are one run, told apart from its GET to payment by the server
    // span under each (`calls::reached`); the N+1 finding names them the same way.
    let trace = &set.traces[a];
    let runs = repeats::find(set, trace);
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].members.len(), runs[0].spans), (6, 6 * 3), "the calls, each stock lookup and its SELECT");
    assert_eq!(runs[0].label(&set.strings).split(" · ").next().unwrap(), "6 × GET → GET /stock/:item");
    let n_plus_one: Vec<&str> = file.summary.traces[a].findings.iter().filter(|f| f.kind == "n-plus-one").map(|f| f.message.as_str()).collect();
    assert_eq!(n_plus_one.len(), 1, "{n_plus_one:?}");
    assert!(
        n_plus_one[0].starts_with("6 sequential GET (gateway) → GET /stock/:item (inventory) calls under GET /buy (gateway) cost "),
        "{}",
        n_plus_one[0]
    );
}

/// Five Express services on one host (`shop_express.mjs`: the JS SDK's HTTP and Express instrumentations,
/// exported through OTLP/HTTP JSON and Zipkin at once). Servers end up to a few ms after the client that
/// called them had its answer, and Express's request handlers after their server span: one clock, so no
/// clock skew, and every one of the gateway's twelve sequential inventory calls stays on the critical path.
#[test]
fn servers_that_end_after_their_clients_on_one_host_are_not_skew() {
    use spanlens::analysis::clocks::ends_after_parent;
    for name in ["otel-js-express.jsonl", "otel-js-express-zipkin.json"] {
        let file = load(name);
        let set = &file.set;
        assert_eq!(file.summary.traces.len(), 8, "{name}");
        let mut overruns = 0;
        for (t, trace) in set.traces.iter().enumerate() {
            let skews: Vec<&str> = file.summary.traces[t].findings.iter().filter(|f| f.kind == "clock-skew").map(|f| f.message.as_str()).collect();
            assert!(skews.is_empty(), "{name} trace {t}: {skews:?}");
            overruns += (0..trace.spans.len() as u32).filter(|&s| ends_after_parent(trace, s).is_some()).count();
            // The gateway's calls: twelve to inventory one after another, then product and order.
            let handler = trace
                .spans
                .iter()
                .position(|s| set.str(s.service) == "gateway" && set.str(s.name).starts_with("request handler"))
                .unwrap_or_else(|| panic!("{name} trace {t}: no request handler")) as u32;
            let calls = trace.tree.children_of(handler);
            assert_eq!(calls.len(), 14, "{name} trace {t}");
            let path = &file.analyses[t].critical_path;
            for (k, &call) in calls.iter().enumerate() {
                // The call is on the path through the server that answered it (which ends after the call
                // in many: clipped to the call's end, not passed over as if it ran in parallel).
                let server = trace.tree.children_of(call)[0];
                assert_eq!(trace.spans[server as usize].kind, spanlens::model::SpanKind::Server);
                let (mut stack, mut on_path) = (vec![server], 0);
                while let Some(s) = stack.pop() {
                    on_path += path.contribution_ns[s as usize];
                    stack.extend_from_slice(trace.tree.children_of(s));
                }
                assert!(on_path > 0, "{name} trace {t}: call {k} of {} is off the critical path", calls.len());
            }
            let total: i64 = path.sections.iter().map(|s| s.end_ns - s.start_ns).sum();
            assert_eq!(total, trace.spans[trace.tree.roots[0] as usize].duration_ns(), "{name}: the sections tile the root");
        }
        assert!(overruns > 50, "{name}: servers and request handlers end after their parents ({overruns})");
        // Payment's call to the card network (not traced) is most of each trace: waiting on that peer.
        let dominant: Vec<&str> = file.summary.traces.iter().flat_map(|t| &t.findings).filter(|f| f.kind == "dominant-span").map(|f| f.message.as_str()).collect();
        assert!(!dominant.is_empty(), "{name}");
        for message in dominant {
            assert!(message.starts_with("GET (payment) waited ") && message.contains(" on card-network.test"), "{name}: {message}");
        }
    }
}

/// The same services with payment on another host whose clock runs 40 ms behind (`shop_express.mjs
/// skewed`): the skew is found, naming both hosts, and adjusting it moves payment's spans back inside.
#[test]
fn a_clock_forty_ms_behind_on_another_host_is_skew() {
    let mut file = load("otel-js-express-skewed.jsonl");
    assert_eq!(file.summary.traces.len(), 3);
    for t in &file.summary.traces {
        let skews: Vec<&str> = t.findings.iter().filter(|f| f.kind == "clock-skew").map(|f| f.message.as_str()).collect();
        assert_eq!(skews.len(), 1, "{skews:?}");
        assert!(skews[0].starts_with("1 span(s) of payment (host payment-host-2) lie outside their parent in order (host "), "{}", skews[0]);
        // 40 ms, less the time the request took to reach payment.
        assert!(skews[0].contains(" by up to 3") || skews[0].contains(" by up to 4"), "about 40 ms: {}", skews[0]);
    }
    let set = &mut file.set;
    let moved = spanlens::analysis::skew::adjust(set, 0);
    let trace = &set.traces[0];
    let payment = trace.spans.iter().filter(|s| set.strings.get(s.service) == "payment").count();
    assert_eq!(moved, payment, "payment's spans, and only they, are shifted");
    let server = trace.spans.iter().position(|s| set.strings.get(s.name) == "POST /charge").unwrap();
    let client = trace.tree.parent[server] as usize;
    let (c, s) = (&trace.spans[client], &trace.spans[server]);
    assert!(s.start_ns >= c.start_ns && s.end_ns <= c.end_ns, "inside its client now");
}
