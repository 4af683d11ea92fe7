//! Reading trace files: the format is detected by content, the bytes are parsed in one pass with borrowed
//! strings, and every span object ends up in the model or in `TraceSet::rejected` with a reason.

mod builder;
mod console;
mod document;
mod error;
mod incremental;
mod jaeger;
mod lenient;
mod json;
pub mod otlp;
pub mod reader;
mod zipkin;

pub use document::{parse, REJECTED_SPAN, SKIPPED_LINE};
pub use console::{iso8601_ns, rfc3339};
pub use error::{readable, LoadError};
pub use incremental::IncrementalParse;
pub use json::{Code, Float, Int, Scalar, Text};
