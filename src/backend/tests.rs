use super::answers::{self, route_missing};
use super::search::Search;
use super::*;

/// 2026-01-15T10:00:00Z.
const NOW: i64 = 1_768_471_200_000_000_000;

fn backend(kind: Kind) -> Backend {
    Backend { name: "prod".into(), kind, url: "https://t.example.com/x/".into(), headers: BTreeMap::new(), timeout_ms: None }
}

fn search(query: &str) -> Search {
    Search::from_query(query)
}

#[test]
fn backends_read_from_config_json() {
    let json = r#"[{"name":"tempo","kind":"tempo","url":"/tempo","headers":{"X-Scope-OrgID":"team-a"},"timeoutMs":5000},
                   {"name":"j","kind":"jaeger","url":"http://j:16686"}]"#;
    let backends: Vec<Backend> = serde_json::from_str(json).unwrap();
    assert_eq!(backends[0].headers["X-Scope-OrgID"], "team-a");
    assert_eq!((backends[0].timeout_ms(), backends[1].timeout_ms()), (5000, DEFAULT_TIMEOUT_MS));
    assert_eq!(backends[1].apis(), [Api::JaegerV3, Api::JaegerV1]);
    assert_eq!(backends[0].trace_apis(), [Api::Tempo, Api::TempoV1], "a trace: api/v2, then the older route");
    assert_eq!(backends[0].apis(), [Api::Tempo], "searches and lists: one API");
    assert!(serde_json::from_str::<Backend>(r#"{"name":"x","kind":"elastic","url":"/"}"#).is_err());
}

#[test]
fn trace_and_list_routes_of_each_api() {
    let base = "https://t.example.com/x/";
    let id = "4bf92f3577b34da6a3ce929d0e0e4736";
    assert_eq!(Api::JaegerV3.trace(base, id), format!("https://t.example.com/x/api/v3/traces/{id}"));
    assert_eq!(Api::JaegerV1.trace(base, id), format!("https://t.example.com/x/api/traces/{id}"));
    assert_eq!(Api::Tempo.trace(base, id), format!("https://t.example.com/x/api/v2/traces/{id}"));
    assert_eq!(Api::TempoV1.trace(base, id), format!("https://t.example.com/x/api/traces/{id}"));
    assert_eq!(Api::Zipkin.trace(base, id), format!("https://t.example.com/x/api/v2/trace/{id}"));
    assert_eq!(Api::Zipkin.trace(base, "a/b c"), "https://t.example.com/x/api/v2/trace/a%2Fb%20c");
    assert_eq!(Api::JaegerV3.services(base), "https://t.example.com/x/api/v3/services");
    assert_eq!(Api::JaegerV3.operations(base, "front end"), "https://t.example.com/x/api/v3/operations?service=front+end");
    assert_eq!(Api::JaegerV1.operations(base, "front end"), "https://t.example.com/x/api/services/front%20end/operations");
    assert_eq!(Api::Tempo.services(base), "https://t.example.com/x/api/search/tag/service.name/values");
    assert_eq!(
        Api::Tempo.operations(base, "cart"),
        "https://t.example.com/x/api/search/tag/name/values?q=%7Bresource.service.name%3D%22cart%22%7D"
    );
    assert_eq!(Api::Zipkin.operations(base, "cart"), "https://t.example.com/x/api/v2/spans?serviceName=cart");
    assert_eq!(Api::Zipkin.trace("http://z", "0000000000000000a03ee8fff1dcd9b9"), "http://z/api/v2/trace/a03ee8fff1dcd9b9", "64-bit ids as Zipkin keeps them");
}

#[test]
fn searches_carry_every_field_in_each_apis_terms() {
    let s = search("service=frontend&operation=HTTP+GET&tags=http.status_code%3D500+user%3D%22a+b%22&minDuration=1.5ms&maxDuration=2s&lookback=15m&limit=50");
    let base = "http://h";
    let jaeger = Api::JaegerV3.search(base, &s, NOW).unwrap();
    assert_eq!(jaeger.len(), 2, "summaries, then the traces themselves");
    assert_eq!(
        jaeger[0],
        "http://h/api/v3/trace-summaries?query.serviceName=frontend&query.operationName=HTTP+GET\
         &query.startTimeMin=2026-01-15T09%3A45%3A00.000000000Z&query.startTimeMax=2026-01-15T10%3A00%3A00.000000000Z\
         &query.durationMin=1500us&query.durationMax=2000000us&query.searchDepth=50\
         &query.attributes=%7B%22http.status_code%22%3A%22500%22%2C%22user%22%3A%22a+b%22%7D"
    );
    assert!(jaeger[1].starts_with("http://h/api/v3/traces?query.serviceName=frontend&"));
    assert_eq!(
        Api::JaegerV1.search(base, &s, NOW).unwrap(),
        ["http://h/api/traces?service=frontend&operation=HTTP+GET&start=1768470300000000&end=1768471200000000\
          &minDuration=1500us&maxDuration=2000000us&limit=50&tags=%7B%22http.status_code%22%3A%22500%22%2C%22user%22%3A%22a+b%22%7D"]
    );
    assert_eq!(
        Api::Tempo.search(base, &s, NOW).unwrap(),
        ["http://h/api/search?tags=service.name%3D%22frontend%22+name%3D%22HTTP+GET%22+http.status_code%3D%22500%22+user%3D%22a+b%22\
          &minDuration=1500us&maxDuration=2000000us&start=1768470300&end=1768471200&limit=50"]
    );
    assert_eq!(
        Api::Zipkin.search(base, &s, NOW).unwrap(),
        ["http://h/api/v2/traces?serviceName=frontend&spanName=HTTP+GET&annotationQuery=http.status_code%3D500+and+user%3Da+b\
          &minDuration=1500&maxDuration=2000000&endTs=1768471200000&lookback=900000&limit=50"]
    );
    // A TraceQL query goes to Tempo as typed; Zipkin has none.
    let traceql = search("q=%7B+status+%3D+error+%7D&lookback=custom&start=2026-01-15T08:00:00Z&end=2026-01-15T09:00:00Z");
    assert_eq!(Api::Tempo.search(base, &traceql, NOW).unwrap(), ["http://h/api/search?q=%7B+status+%3D+error+%7D&start=1768464000&end=1768467600&limit=20"]);
    assert_eq!(Api::Zipkin.search(base, &traceql, NOW).unwrap_err(), "Zipkin has no TraceQL: use Tags");
}

#[test]
fn a_search_round_trips_through_the_url_and_says_which_field_is_wrong() {
    let s = search("?view=search&backend=tempo&service=cart&tags=a%3D1&minDuration=100ms&lookback=6h&limit=10&other=x");
    assert_eq!((s.backend.as_str(), s.service.as_str(), s.tags.as_str(), s.lookback.as_str()), ("tempo", "cart", "a=1", "6h"));
    assert_eq!(Search::from_query(&s.to_query()), s);
    assert_eq!(Search::default().to_query(), "view=search", "defaults are left out");
    assert_eq!((s.get("minDuration"), s.get("nothing")), ("100ms".to_string(), String::new()));
    assert_eq!(s.describe(), "cart · a=1 · last 6 hours");
    assert!(s.asked() && !search("view=search&backend=tempo&limit=5").asked(), "a shared search runs; the bare page waits");
    assert_eq!(search("minDuration=fast").min_duration().unwrap_err(), "Min duration: \"fast\" is not a duration like 100ms or 1.5s (ns, us, ms, s, m, h)");
    assert_eq!(search("maxDuration=3parsecs").max_duration().unwrap_err(), "Max duration: unknown unit \"parsecs\" (use ns, us, ms, s, m, h)");
    assert_eq!(search("tags=novalue").tags().unwrap_err(), "Tags: \"novalue\" has no value (write key=value)");
    assert_eq!(search("tags=a%3D%22open").tags().unwrap_err(), "Tags: the quote after a= is not closed");
    assert_eq!(search("lookback=custom&start=2026-01-15T09:00:00Z&end=yesterday").range(NOW).unwrap_err(), "End: \"yesterday\" is not a time like 2026-11-30T14:00:00Z");
    assert_eq!(search("lookback=custom&start=2026-01-15T09:00:00Z&end=2026-01-15T08:00:00Z").range(NOW).unwrap_err(), "Start must be before End");
    assert_eq!((search("limit=0").limit(), search("limit=999999").limit(), search("limit=x").limit()), (1, 10_000, 20));
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures").join(name)).unwrap()
}

#[test]
fn search_answers_of_each_shape_become_rows() {
    let summaries = br#"{"summaries":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","rootServiceName":"frontend","rootOperationName":"HTTP GET /dispatch",
        "minStartTimeUnixNano":"1700000000000000000","maxEndTimeUnixNano":"1700000000712000000","spanCount":40,"errorSpanCount":"3","orphanSpanCount":0,
        "services":[{"name":"redis","spanCount":13},{"name":"frontend","spanCount":20}]}]}"#;
    let rows = answers::search(Api::JaegerV3, summaries).unwrap();
    assert_eq!((rows[0].spans, rows[0].errors, rows[0].duration_ns), (40, 3, 712_000_000));
    assert_eq!(rows[0].services, ["frontend", "redis"]);
    // Later releases write the summary with the gateway's own JSON: `traceID`, times in µs.
    let gateway = br#"{"summaries":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","rootServiceName":"frontend","rootOperationName":"GET",
        "startTimeUnixUs":1700000000000000,"durationUs":712000,"spanCount":40,"errorSpanCount":0,"services":[]}]}"#;
    let rows = answers::search(Api::JaegerV3, gateway).unwrap();
    assert_eq!((rows[0].trace_id.as_str(), rows[0].start_ns, rows[0].duration_ns), ("4bf92f3577b34da6a3ce929d0e0e4736", 1_700_000_000_000_000_000, 712_000_000));
    // A search without match: api/v3 answers 404 with its JSON error; a missing route is not that.
    let none = br#"{"error":{"httpCode":404,"message":"No traces found"}}"#;
    assert!(answers::no_match(Api::JaegerV3, 404, none));
    assert!(!answers::no_match(Api::JaegerV3, 404, b"404 page not found\n"));
    assert!(!answers::no_match(Api::Zipkin, 404, none));

    // Older api/v3: every matching trace in one OTLP document.
    let merged = answers::search(Api::JaegerV3, &fixture("otlp-hotrod-jaeger-apiv3-response.json")).unwrap();
    assert_eq!((merged.len(), merged[0].spans, merged[0].root_service.as_str()), (1, 40, "frontend"));
    assert_eq!(merged[0].index, None, "a search result is fetched by id when opened");

    // Zipkin: an array of traces, each an array of spans.
    let yelp = String::from_utf8(fixture("zipkin-yelp.json")).unwrap();
    let nested = format!("[{yelp},{}]", String::from_utf8(fixture("zipkin-skew.json")).unwrap());
    assert_eq!(answers::search(Api::Zipkin, nested.as_bytes()).unwrap().len(), 2);
    assert_eq!(answers::search(Api::Zipkin, b"[]").unwrap(), [], "no match is an empty list");
    assert_eq!(answers::search(Api::JaegerV1, br#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#).unwrap(), []);

    // Tempo drops leading zeros from trace ids; its service stats count spans and errors.
    let tempo = br#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop","rootTraceName":"GET /",
        "startTimeUnixNano":"1700000000000000000","durationMs":12.5,"spanSets":[{"spans":[],"matched":2}],
        "serviceStats":{"shop":{"spanCount":5,"errorCount":1},"db":{"spanCount":3}}},
        {"traceID":"f3e0cee77ae5dc9c17ade3689eb2e5","rootServiceName":"shop","durationMs":1,"spanSet":{"matched":4}}],"metrics":{}}"#;
    let rows = answers::search(Api::Tempo, tempo).unwrap();
    assert_eq!((rows[0].spans, rows[0].errors, rows[0].duration_ns), (8, 1, 12_500_000));
    assert_eq!(rows[0].services, ["db", "shop"]);
    assert_eq!((rows[1].trace_id.as_str(), rows[1].spans), ("00f3e0cee77ae5dc9c17ade3689eb2e5", 4));
}

#[test]
fn service_and_operation_lists_of_each_api() {
    assert_eq!(answers::services(Api::JaegerV3, br#"{"services":["b","a"]}"#).unwrap(), ["a", "b"]);
    assert_eq!(answers::services(Api::JaegerV1, br#"{"data":["b","a"],"total":2}"#).unwrap(), ["a", "b"]);
    assert_eq!(answers::services(Api::Tempo, br#"{"tagValues":["cart","shop"]}"#).unwrap(), ["cart", "shop"]);
    assert_eq!(answers::services(Api::Tempo, br#"{"tagValues":[{"type":"string","value":"cart"}]}"#).unwrap(), ["cart"]);
    assert_eq!(answers::services(Api::Zipkin, br#"["shop","cart"]"#).unwrap(), ["cart", "shop"]);
    assert_eq!(answers::operations(Api::JaegerV3, br#"{"operations":[{"name":"GET","spanKind":"server"},{"name":"GET","spanKind":"client"}]}"#).unwrap(), ["GET"]);
    assert!(answers::services(Api::Zipkin, b"{}").unwrap_err().starts_with("the answer does not read"));
}

#[test]
fn failures_say_what_to_do() {
    let jaeger = backend(Kind::Jaeger);
    let id = "trace 4bf92f3577b34da6a3ce929d0e0e4736";
    let not_found = br#"{"error":{"httpCode":404,"message":"trace not found"}}"#;
    assert_eq!(answers::http_failure(&jaeger, 404, not_found, id), "trace 4bf92f3577b34da6a3ce929d0e0e4736 was not found in prod (HTTP 404: trace not found)");
    assert!(!route_missing(404, not_found), "Jaeger's own 404 is an answer");
    assert!(route_missing(404, b"404 page not found\n"), "a missing route: try the next API");
    assert!(answers::http_failure(&jaeger, 401, b"", "the search").starts_with("prod refused the search (HTTP 401): the backend wants credentials"));
    assert_eq!(
        answers::http_failure(&jaeger, 503, br#"{"data":null,"errors":[{"code":503,"msg":"storage unavailable"}]}"#, "the search"),
        "prod failed to answer the search (HTTP 503: storage unavailable)"
    );
    assert_eq!(answers::http_failure(&backend(Kind::Tempo), 502, b"upstream timed out\nmore", "the search"), "prod failed to answer the search (HTTP 502: upstream timed out)");
    let html = b"<!doctype html><html><head><title>Sign in</title></head></html>";
    assert_eq!(
        answers::not_json(&jaeger, html).unwrap(),
        "prod answered with an HTML page, not JSON \"Sign in\": a login page or a proxy's error? Check the backend's URL in public/config.json"
    );
    assert_eq!(answers::not_json(&jaeger, b"{}"), None);
    let down = answers::unreachable(&backend(Kind::Zipkin), "http://z:9411/api/v2/services");
    assert!(down.contains("could not reach prod at http://z:9411/api/v2/services") && down.contains("ZIPKIN_QUERY_ALLOWED_ORIGINS"), "{down}");
    assert!(answers::unreachable(&backend(Kind::Tempo), "/t").contains("reverse proxy"));
}
