//! spanlens: a trace viewer that runs in the browser. Data flows one way:
//! `formats` (bytes → model) → `model` → `analysis` (tree, summary, …) → `view` → `ui` (wasm32 only).

pub mod analysis;
pub mod format;
pub mod formats;
pub mod generate;
pub mod model;
pub mod view;
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use formats::LoadError;
pub use model::TraceSet;

/// Reads one input (any supported format, plain or gzipped) and builds the span tree of every trace in it.
pub fn load(name: &str, bytes: &[u8]) -> Result<TraceSet, LoadError> {
    let bytes = formats::reader::gunzip_if_needed(bytes).map_err(|message| LoadError {
        file: name.to_string(),
        line: 1,
        column: 1,
        path: String::new(),
        message,
    })?;
    let mut set = formats::parse(name, &bytes)?;
    analysis::tree::build_all(&mut set);
    Ok(set)
}
