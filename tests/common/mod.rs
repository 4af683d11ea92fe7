//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use spanlens::analysis::summary::{summarize, Summary};
use spanlens::TraceSet;
use std::path::PathBuf;

/// `../shared/fixtures` beside the checkout: real trace files from public systems.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

/// The names of the fixture files, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

pub fn load_fixture(name: &str) -> (TraceSet, Summary) {
    let bytes = std::fs::read(fixtures_dir().join(name)).unwrap_or_else(|e| panic!("reading fixture {name}: {e}"));
    let set = spanlens::load(name, &bytes).unwrap_or_else(|e| panic!("loading {name}: {e}"));
    let summary = summarize(&set);
    (set, summary)
}

pub fn load_str(name: &str, text: &str) -> (TraceSet, Summary) {
    let set = spanlens::load(name, text.as_bytes()).unwrap_or_else(|e| panic!("loading {name}: {e}"));
    let summary = summarize(&set);
    (set, summary)
}

/// Spans carrying a `notes` bit, across all traces.
pub fn count_noted(set: &TraceSet, note: u16) -> usize {
    set.traces.iter().flat_map(|t| &t.spans).filter(|s| s.has(note)).count()
}
