//! The postMessage API for parent pages (DESIGN.md, "Embedding"): `spanlens:ready` once listening;
//! `spanlens:load` → `spanlens:loaded` / `spanlens:error`; `spanlens:summary` → the same type with the `id`;
//! `spanlens:select` selects a span; selections are announced as `spanlens:selected`.
//! It only listens: to messages, and (through effects) to the app state's selection and load outcome.
//! Nothing else in the app calls into it.

use super::browser::{bytes_of, js_error_text, next_paint, read_blob};
use super::loading::{load_one, Input};
use super::state::{AppState, LoadedFile, Outcome};
use js_sys::{Object, Reflect};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};

/// Whether a message from `origin` may drive the viewer: the page's own origin, or one listed in the config.
/// Opaque origins (`"null"`: sandboxed frames, `file:`) never match, even each other.
pub fn origin_allowed(origin: &str, own_origin: &str, allowed: &[String]) -> bool {
    if origin == "null" || origin.is_empty() {
        return false;
    }
    origin == own_origin || allowed.iter().any(|a| a == origin)
}

/// Where a reply goes: the window that sent the message, to its origin only (never `"*"`).
struct ReplyTo {
    window: Window,
    origin: String,
}

impl ReplyTo {
    fn send(&self, message: &JsValue) {
        let _ = self.window.post_message(message, &self.origin);
    }
}

/// Installs the message listener, then tells the parent (if any) that the viewer is ready.
pub fn install(state: AppState) {
    let handle = window_event_listener(leptos::ev::message, move |event: MessageEvent| {
        on_message(state, event)
    });
    on_cleanup(move || handle.remove());

    // Every selection, however it was made, goes to the parent.
    Effect::new(move |_| {
        let Some(selection) = state.selection.get() else { return };
        let ids = state.current.with_untracked(|file| {
            let file = file.as_ref().filter(|f| f.id == selection.file)?;
            let trace = file.set.traces.get(selection.trace)?;
            let span = trace.spans.get(selection.span as usize)?;
            let strings = &file.set.strings;
            Some((trace.trace_id.display(strings), span.span_id.map(|id| id.display(strings)).unwrap_or_default()))
        });
        if let Some((trace_id, span_id)) = ids {
            announce_selected(&trace_id, &span_id);
        }
    });
    // Loads the parent did not ask for; its own `spanlens:load`s are answered by `load`.
    Effect::new(move |_| match state.outcome.get() {
        Some(Outcome::Loaded { file, asked_by_parent: false }) => announce_loaded(file),
        Some(Outcome::Failed { failure, asked_by_parent: false }) => announce_error(&failure.text),
        _ => {}
    });

    // Same-origin parents only for now: a parent on another origin does not learn we exist.
    if let Some((parent, own_origin)) = parent_window() {
        let _ = parent.post_message(&message("spanlens:ready", &[]), &own_origin);
    }
}

/// Tells a same-origin parent which span is selected.
fn announce_selected(trace_id: &str, span_id: &str) {
    if let Some((parent, own_origin)) = parent_window() {
        let _ = parent.post_message(
            &message("spanlens:selected", &[("traceId", trace_id.into()), ("spanId", span_id.into())]),
            &own_origin,
        );
    }
}

/// After a load the parent did not ask for (a drop, a pick, `?url=`), tells a same-origin parent what is now on
/// screen, so that "after each load" holds for every load. Replies to `spanlens:load` go to its sender instead.
fn announce_loaded(file: Rc<LoadedFile>) {
    let Some((parent, own_origin)) = parent_window() else {
        return;
    };
    leptos::task::spawn_local(async move {
        next_paint().await;
        next_paint().await;
        let _ = parent.post_message(
            &message("spanlens:loaded", &[("summary", summary_js(&file))]),
            &own_origin,
        );
    });
}

/// The same for a load that failed.
fn announce_error(text: &str) {
    if let Some((parent, own_origin)) = parent_window() {
        let _ = parent.post_message(
            &message("spanlens:error", &[("message", text.into())]),
            &own_origin,
        );
    }
}

/// The parent window when the viewer is framed by a page of our own origin, with that origin.
/// A cross-origin parent's origin cannot be read (SecurityError, caught), and posting to it with our origin
/// as target would only log a warning; config-listed origins (later) will need `location.ancestorOrigins`.
fn parent_window() -> Option<(Window, String)> {
    let win = window();
    let parent = win.parent().ok().flatten()?;
    if Object::is(&parent, &win) {
        return None;
    }
    let own_origin = win.location().origin().ok()?;
    let parent_origin = parent.location().origin().ok()?;
    origin_allowed(&parent_origin, &own_origin, &[]).then_some((parent, own_origin))
}

fn on_message(state: AppState, event: MessageEvent) {
    let data = event.data();
    let Some(kind) = get(&data, "type")
        .as_string()
        .filter(|t| t.starts_with("spanlens:"))
    else {
        return; // not for us (extensions and other libraries post messages too)
    };
    let own_origin = window().location().origin().unwrap_or_default();
    let origin = event.origin();
    if !origin_allowed(&origin, &own_origin, &[]) {
        web_sys::console::warn_1(
            &format!("spanlens: ignored {kind} from {origin}: origin not allowed").into(),
        );
        return;
    }
    let Some(source) = event.source() else { return };
    // The sender lives in another realm, so `instanceof Window` would be false: cast without checking.
    let reply = ReplyTo {
        window: source.unchecked_into(),
        origin,
    };
    match kind.as_str() {
        "spanlens:load" => leptos::task::spawn_local(load(state, data, reply)),
        "spanlens:summary" => {
            let summary = state
                .current
                .with_untracked(|file| file.as_ref().map(|f| summary_js(f)));
            reply.send(&message(
                "spanlens:summary",
                &[
                    ("id", get(&data, "id")),
                    ("summary", summary.unwrap_or(JsValue::NULL)),
                ],
            ));
        }
        "spanlens:select" => {
            if let Some(id) = get(&data, "spanId").as_string() {
                state.select_id(&id);
            }
        }
        _ => {}
    }
}

async fn load(state: AppState, data: JsValue, reply: ReplyTo) {
    let name = get(&data, "name")
        .as_string()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "trace.json".to_string());
    let payload = get(&data, "data");
    let bytes = if let Some(text) = payload.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = bytes_of(&payload) {
        Ok(bytes)
    } else if let Some(blob) = payload.dyn_ref::<web_sys::Blob>() {
        read_blob(blob).await
    } else {
        Err("spanlens:load needs `data`: a string or an ArrayBuffer".to_string())
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(text) => {
            return reply.send(&message(
                "spanlens:error",
                &[("message", format!("{name}: {text}").into())],
            ))
        }
    };
    // Let go of the sender's buffer before parsing: a big trace should not be held twice.
    drop((payload, data));
    state.failures.set(Vec::new());
    match load_one(state, Input::Bytes { name, bytes }, true).await {
        Ok(file) => {
            // Reply once the new trace is on screen: the DOM update, then a painted frame.
            next_paint().await;
            next_paint().await;
            reply.send(&message(
                "spanlens:loaded",
                &[("summary", summary_js(&file))],
            ));
        }
        Err(failure) => reply.send(&message(
            "spanlens:error",
            &[("message", failure.text.into())],
        )),
    }
}

/// `spanlens.summary/1` as a plain JS object.
fn summary_js(file: &LoadedFile) -> JsValue {
    js_sys::JSON::parse(&file.summary.to_json()).unwrap_or_else(|e| {
        web_sys::console::error_1(
            &format!("spanlens: summary JSON did not parse: {}", js_error_text(e)).into(),
        );
        JsValue::NULL
    })
}

fn message(kind: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"type".into(), &kind.into());
    for (key, value) in fields {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// A property of a message object; `undefined` when `data` is not an object.
fn get(data: &JsValue, key: &str) -> JsValue {
    if !data.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
