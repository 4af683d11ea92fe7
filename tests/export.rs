//! The OTLP/JSON export of every shared fixture (OTLP, Jaeger, Zipkin, whatever it came in) reads back to
//! the same summary: the same traces, spans, services, roots, orphans, errors, times, critical path and
//! findings. Only the source (name, format, size) differs, and warnings about the input itself (its own
//! free-text `warnings`, which OTLP has no place for; a missing duration, which the export writes) are not
//! carried.

use spanlens::export::otlp_json;
use spanlens::pipeline::load_analyzed;
use std::path::Path;

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    files
}

/// The summary as JSON, without what names the input (`source`) and its file-level `warnings`, which are
/// compared apart.
fn comparable(summary: &spanlens::analysis::summary::Summary) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    let object = value.as_object_mut().unwrap();
    object.remove("source");
    object.remove("warnings");
    value
}

#[test]
fn every_fixture_round_trips_through_the_otlp_export() {
    let files = fixtures();
    assert!(files.len() >= 15, "the shared fixtures are there");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let original = load_analyzed(&name, &std::fs::read(&path).unwrap()).unwrap();
        let exported = otlp_json(&original.set, None);
        let again = load_analyzed("export.otlp.json", &exported).unwrap_or_else(|e| panic!("{name}: the export does not read: {e}"));
        assert_eq!(again.summary.source.format, "otlp-json", "{name}");
        assert_eq!(comparable(&again.summary), comparable(&original.summary), "{name}");
        // The export adds no warning; the input's own (Jaeger's `warnings`) and those about what it lacked
        // (a missing duration, now written) stay behind.
        let new: Vec<_> = again.summary.warnings.iter().filter(|w| !original.summary.warnings.contains(w)).collect();
        assert!(new.is_empty(), "{name}: {new:?}");
    }
}

#[test]
fn one_trace_of_several_is_exported_alone() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/zipkin-yelp.json");
    let bytes = std::fs::read(path).unwrap();
    let yelp = String::from_utf8(bytes).unwrap();
    let two = format!("[{yelp},{}]", yelp.replace("a03ee8fff1dcd9b9", "b03ee8fff1dcd9b9"));
    let file = load_analyzed("two.json", two.as_bytes()).unwrap();
    assert_eq!(file.set.traces.len(), 2);
    let one = load_analyzed("one.json", &otlp_json(&file.set, Some(1))).unwrap();
    assert_eq!(one.summary.traces.len(), 1);
    assert_eq!(one.summary.traces[0].trace_id, file.summary.traces[1].trace_id);
}

#[test]
fn csv_quotes_what_needs_quoting() {
    let csv = spanlens::export::csv(&["name", "note"], [vec!["a,b".to_string(), "say \"hi\"\nthen".to_string()], vec!["plain".into(), "".into()]]);
    assert_eq!(csv, "name,note\r\n\"a,b\",\"say \"\"hi\"\"\nthen\"\r\nplain,\r\n");
}
