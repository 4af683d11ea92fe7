//! spanlens: a trace viewer that runs in the browser. Data flows one way:
//! `formats` (bytes → model) → `model` → `analysis` (tree, summary, …) → `view` → `ui` (wasm32 only).

pub mod analysis;
pub mod backend;
pub mod config;
pub mod engine;
pub mod export;
pub mod format;
pub mod formats;
// The trace generator is for tests, benchmarks and the `spanlens-gen` tool: kept out of the web bundle
// (the in-browser test build has it for the unit tests that use it).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub mod generate;
pub mod memory;
pub mod model;
pub mod pipeline;
// Test traces drawn as text pictures: for tests and benchmarks, not the web bundle.
#[cfg(any(test, not(target_arch = "wasm32")))]
pub mod testing;
pub mod trace_list;
pub mod view;
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use formats::LoadError;
pub use model::TraceSet;

/// Reads one input (any supported format, plain or gzipped) and builds the span tree of every trace in it:
/// the first stages of the one load pipeline (`pipeline::load_analyzed` runs them all).
pub fn load(name: &str, bytes: &[u8]) -> Result<TraceSet, LoadError> {
    pipeline::Pipeline::of_bytes(name, std::borrow::Cow::Borrowed(bytes))?.trees()
}
