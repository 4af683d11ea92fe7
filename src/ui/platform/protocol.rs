//! What the page and an engine worker say to each other: small JS objects with a `kind`, and bytes only in
//! transferred `ArrayBuffer`s (input chunks one way, `engine::wire` blocks both ways). No span is ever a JS
//! object, and nothing crosses as JSON.
//!
//! Page → worker: `init {glue, module}` (handled by `public/engine-worker.js`), then `load {name, what, doing,
//! size, limit}` and `chunk {bytes, length}`… `end`, or `reanalyse {skew, limit}` and `block {bytes, length}`…
//! `end`. Worker → page: `ready`, `progress {label, done, total}`, `took` (a chunk is read: send another),
//! `block {bytes, length}`… `done`, or `failed {file, text}`.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub const INIT: &str = "init";
pub const READY: &str = "ready";
pub const LOAD: &str = "load";
pub const REANALYSE: &str = "reanalyse";
pub const CHUNK: &str = "chunk";
pub const BLOCK: &str = "block";
pub const END: &str = "end";
pub const PROGRESS: &str = "progress";
pub const TOOK: &str = "took";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// A message of `kind` with these fields.
pub fn message(kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    let _ = Reflect::set(&object, &"kind".into(), &kind.into());
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object
}

pub fn field(message: &JsValue, name: &str) -> JsValue {
    Reflect::get(message, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn text(message: &JsValue, name: &str) -> String {
    field(message, name).as_string().unwrap_or_default()
}

pub fn number(message: &JsValue, name: &str) -> Option<f64> {
    field(message, name).as_f64()
}

pub fn kind(message: &JsValue) -> String {
    text(message, "kind")
}

/// A message carrying `bytes` (copied out of wasm memory into a buffer of its own, to transfer).
pub fn with_bytes(kind: &str, bytes: &[u8]) -> (Object, js_sys::Array) {
    let array = js_sys::Uint8Array::from(bytes);
    let buffer = array.buffer();
    let message = message(kind, &[("bytes", buffer.clone().into()), ("length", (bytes.len() as f64).into())]);
    (message, js_sys::Array::of1(&buffer))
}

/// The bytes a message carries, copied into wasm memory.
pub fn bytes(message: &JsValue) -> Vec<u8> {
    let Ok(buffer) = field(message, "bytes").dyn_into::<js_sys::ArrayBuffer>() else { return Vec::new() };
    let size = buffer.byte_length();
    let offset = (number(message, "offset").unwrap_or(0.0) as u32).min(size);
    let length = (number(message, "length").unwrap_or(size as f64) as u32).min(size - offset);
    js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length).to_vec()
}
