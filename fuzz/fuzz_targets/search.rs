//! The search query parser, and every query that parses run against a small trace.
#![no_main]
use spanlens::analysis::search;
use std::sync::OnceLock;

fn traces() -> &'static spanlens::TraceSet {
    static SET: OnceLock<spanlens::TraceSet> = OnceLock::new();
    SET.get_or_init(|| {
        spanlens::testing::trace_set(
            "checkout gateway 0..100ms server http.status_code=200 user=\"a b\"\n  stock inventory 5..20ms client\n  pay payment 20..90ms client error=\"card declined\" http.status_code=402",
        )
    })
}

libfuzzer_sys::fuzz_target!(|query: &str| {
    if let Ok(query) = search::parse(query) {
        let set = traces();
        for trace in &set.traces {
            let _ = query.matching(set, trace);
        }
    }
});
