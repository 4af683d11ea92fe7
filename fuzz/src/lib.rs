//! What the fuzz targets share: reading an input to the end (every stage a load runs, so a panic anywhere
//! after the reader is found too), and each reader's span in the document that surrounds it.

/// Runs every stage of a load on `bytes`; an error is a fine answer, a panic is the bug.
pub fn load(name: &str, bytes: &[u8]) {
    let _ = spanlens::pipeline::load_analyzed(name, bytes);
}

/// The input as the spans of one OTLP/JSON scope (so the fuzzer works on spans, not on the envelope).
pub fn otlp(spans: &[u8]) -> Vec<u8> {
    surround(br#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},"scopeSpans":[{"scope":{"name":"f"},"spans":["#, spans, b"]}]}]}")
}

/// The input as the spans of one Jaeger trace, with one process.
pub fn jaeger(spans: &[u8]) -> Vec<u8> {
    surround(br#"{"data":[{"traceID":"0af7651916cd43dd","spans":["#, spans, br#"],"processes":{"p1":{"serviceName":"s","tags":[]}}}]}"#)
}

/// The input as the elements of a Zipkin v2 span array.
pub fn zipkin(spans: &[u8]) -> Vec<u8> {
    surround(b"[", spans, b"]")
}

fn surround(before: &[u8], middle: &[u8], after: &[u8]) -> Vec<u8> {
    [before, middle, after].concat()
}
