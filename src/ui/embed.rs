//! The postMessage API for parent pages (DESIGN.md, "Embedding"): `spanlens:ready` once the config is read;
//! `spanlens:load` (bytes, `url` or `traceId`+`backend`) → `spanlens:loaded` / `spanlens:error`;
//! `spanlens:summary` → the same type with the `id`; `spanlens:select` selects a span, `spanlens:view` sets
//! the view, search and time window, `spanlens:theme` the theme; selections are announced as
//! `spanlens:selected`, view changes as `spanlens:view-changed`.
//! Messages are taken from the page's own origin and from `embed.allowedOrigins` (`config::Embed::allows`);
//! replies go to the sender's origin, announcements to the parent's origin only when it is allowed.
//! It only listens: to messages, and (through effects) to the app state. Only `ui/mod.rs` calls into it.

use crate::ui::platform::browser::{js_error_text, next_paint};
use crate::ui::actions::load::{load_one, Input};
use crate::ui::state::{AppState, LoadedFile, Outcome, Page};
use js_sys::{Object, Reflect};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};

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
            announce(state, || message("spanlens:selected", &[("traceId", trace_id.into()), ("spanId", span_id.into())]));
        }
    });
    // The view, search and window, a moment after they settle (not at each zoom step).
    let debounce = crate::ui::platform::browser::Debounce::new();
    Effect::new(move |first: Option<()>| {
        let look = state.look.get();
        let view = if state.page.get() == Page::Search { "search" } else { state.trace_view.get().id() };
        if first.is_some() {
            debounce.run(150, move || {
                let window = look.window.map_or(JsValue::NULL, |(a, b)| js_sys::Array::of2(&(a as f64).into(), &(b as f64).into()).into());
                announce(state, || message("spanlens:view-changed", &[("view", view.into()), ("query", look.query.into()), ("window", window)]));
            });
        }
    });
    // Loads the parent did not ask for; its own `spanlens:load`s are answered by `load`.
    Effect::new(move |_| match state.outcome.get() {
        Some(Outcome::Loaded { file, asked_by_parent: false }) => announce_loaded(state, file),
        Some(Outcome::Failed { failure, asked_by_parent: false }) => {
            announce(state, || message("spanlens:error", &[("message", failure.text.into())]))
        }
        _ => {}
    });

}

/// Tells the parent, if its origin is allowed, that the viewer listens (once `public/config.json` is read:
/// it lists the origins allowed).
pub fn announce_ready(state: AppState) {
    announce(state, || message("spanlens:ready", &[]));
}

/// Posts to the parent window when there is one and its origin is allowed, to that origin exactly. The
/// message is made only then: a summary of 1M spans costs a few hundred ms to turn into a JS object.
fn announce(state: AppState, message: impl FnOnce() -> JsValue) {
    if let Some((parent, origin)) = parent_window(state) {
        crate::ui::platform::crash::remember(&parent, &origin);
        let _ = parent.post_message(&message(), &origin);
    }
}

/// After a load the parent did not ask for (a drop, a pick, `?url=`), tells the parent what is now on screen,
/// so that "after each load" holds for every load. Replies to `spanlens:load` go to its sender instead.
fn announce_loaded(state: AppState, file: Rc<LoadedFile>) {
    leptos::task::spawn_local(async move {
        next_paint().await;
        next_paint().await;
        announce(state, || message("spanlens:loaded", &[("summary", summary_js(&file))]));
    });
}

/// The parent window, when the viewer is framed by a page whose origin is allowed, with that origin. A
/// cross-origin parent's origin is read from `location.ancestorOrigins`, else from `document.referrer`.
fn parent_window(state: AppState) -> Option<(Window, String)> {
    let win = window();
    let parent = win.parent().ok().flatten()?;
    if Object::is(&parent, &win) {
        return None;
    }
    let own = win.location().origin().ok()?;
    // `location.ancestorOrigins` (not in every browser, nor in web-sys): the parent's origin first.
    let ancestors = Reflect::get(&win.location(), &"ancestorOrigins".into()).ok().filter(|a| a.is_object());
    let from_ancestors = ancestors.and_then(|list| Reflect::get(&list, &0.into()).ok()).and_then(|o| o.as_string());
    let from_referrer = || {
        let referrer = document().referrer();
        web_sys::Url::new(&referrer).ok().map(|u| u.origin())
    };
    let origin = from_ancestors.or_else(from_referrer)?;
    if state.config.with_untracked(|c| c.embed.allows(&origin, &own)) {
        Some((parent, origin))
    } else {
        refused(&origin, "spanlens:ready and the viewer's announcements were not sent to the parent page");
        None
    }
}

/// One console warning per refused origin, naming the setting that would allow it.
fn refused(origin: &str, what: &str) {
    thread_local! {
        static WARNED: std::cell::RefCell<std::collections::HashSet<String>> = Default::default();
    }
    if WARNED.with(|w| w.borrow_mut().insert(origin.to_string())) {
        web_sys::console::warn_1(
            &format!("spanlens: {origin} is not allowed to embed this viewer: {what}. List it in public/config.json, embed.allowedOrigins").into(),
        );
    }
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
    if !state.config.with_untracked(|c| c.embed.allows(&origin, &own_origin)) {
        refused(&origin, &format!("its {kind} was ignored"));
        return;
    }
    let Some(source) = event.source() else { return };
    // The sender lives in another realm, so `instanceof Window` would be false: cast without checking.
    let reply = ReplyTo {
        window: source.unchecked_into(),
        origin,
    };
    crate::ui::platform::crash::remember(&reply.window, &reply.origin);
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
                state.select_id(&id, true);
            }
        }
        "spanlens:theme" => {
            let theme = get(&data, "theme").as_string().filter(|t| t == "light" || t == "dark");
            crate::ui::platform::browser::apply_theme(theme.as_deref());
            state.theme.set(theme);
        }
        "spanlens:view" => {
            let view = get(&data, "view").as_string();
            let query = get(&data, "query").as_string();
            let window = window_of(&get(&data, "window"));
            if let Err(text) = state.set_view(view.as_deref(), query, window) {
                reply.send(&message("spanlens:error", &[("message", text.into())]));
            }
        }
        _ => {}
    }
}

async fn load(state: AppState, data: JsValue, reply: ReplyTo) {
    // By URL, or by id from a configured backend, rather than by bytes.
    let url = get(&data, "url").as_string().filter(|u| !u.is_empty());
    let trace_id = get(&data, "traceId").as_string().filter(|t| !t.trim().is_empty());
    let fetched = match (url, trace_id) {
        (Some(url), _) => Some(Ok(Input::Url(url))),
        (None, Some(trace_id)) => {
            let name = get(&data, "backend").as_string().unwrap_or_default();
            Some(match state.config.with_untracked(|c| c.backend(&name).cloned()) {
                Some(backend) => Ok(Input::Backend { backend, trace_id }),
                None => Err(format!("Cannot fetch trace {trace_id}: {}", crate::ui::actions::load::unknown_backend(&name))),
            })
        }
        (None, None) => None,
    };
    match fetched {
        Some(Ok(input)) => return answer_load(state, input, reply).await,
        Some(Err(text)) => return reply.send(&message("spanlens:error", &[("message", text.into())])),
        None => {}
    }
    let name = get(&data, "name")
        .as_string()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "trace.json".to_string());
    // The bytes become a file, read as a dropped one is: a slice at a time (gzip unpacked on the way, with
    // its limit), never whole in one buffer before parsing. The browser copies them into the file.
    let payload = get(&data, "data");
    let parts = js_sys::Array::of1(&payload);
    let file = if payload.is_string() {
        web_sys::File::new_with_str_sequence(&parts, &name)
    } else if payload.is_instance_of::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(&payload) {
        web_sys::File::new_with_buffer_source_sequence(&parts, &name)
    } else if payload.is_instance_of::<web_sys::Blob>() {
        web_sys::File::new_with_blob_sequence(&parts, &name)
    } else {
        Err(JsValue::from_str("spanlens:load needs `data`: a string, an ArrayBuffer or a Blob"))
    };
    let file = match file {
        Ok(file) => file,
        Err(err) => {
            return reply.send(&message("spanlens:error", &[("message", format!("{name}: {}", js_error_text(err)).into())]))
        }
    };
    // Let go of the sender's buffer before parsing: a big trace should not be held twice.
    drop((payload, parts, data));
    answer_load(state, Input::File(file), reply).await
}

/// Loads an input a parent sent and answers it: `spanlens:loaded` once the trace is on screen, or
/// `spanlens:error`.
async fn answer_load(state: AppState, input: Input, reply: ReplyTo) {
    state.failures.set(Vec::new());
    match load_one(state, input, true).await {
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

/// A `spanlens:view` window: `[start, end]` (numbers) or `"start,end"`, ns from the trace's start.
fn window_of(value: &JsValue) -> Option<(i64, i64)> {
    if js_sys::Array::is_array(value) {
        let pair = js_sys::Array::from(value);
        return Some((pair.get(0).as_f64()? as i64, pair.get(1).as_f64()? as i64));
    }
    crate::ui::platform::browser::parse_window(&value.as_string()?)
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
