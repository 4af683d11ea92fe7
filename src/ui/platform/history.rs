//! The browser's history entries (what each shows, adding one, the current one), for Back and Forward between a trace list and the traces opened from it: a file's list (the
//! URL stays), and the search page's results (the URL carries the search, then `?traceId=&backend=`).
//! Each entry's `history.state` says what it shows; the entry the page opened with has none, except that a
//! page opened on the search is marked as one.

use crate::backend::search::Search;
use crate::ui::state::{AppState, Page};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What a history entry shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// The page as it opened (a file's list, when the file has several traces).
    Start,
    /// Trace `n` of the file on screen (a number in `history.state`).
    FileTrace(usize),
    /// The search page (`"search"`), its fields in the URL.
    Search,
    /// A trace opened from the search results (`[backend, traceId]`).
    Result { backend: String, trace_id: String },
}

impl Entry {
    pub fn of(state: &JsValue) -> Entry {
        if let Some(n) = state.as_f64() {
            return Entry::FileTrace(n as usize);
        }
        if state.as_string().as_deref() == Some("search") {
            return Entry::Search;
        }
        let pair = state.dyn_ref::<js_sys::Array>().map(|a| (a.get(0).as_string(), a.get(1).as_string()));
        match pair {
            Some((Some(backend), Some(trace_id))) => Entry::Result { backend, trace_id },
            _ => Entry::Start,
        }
    }

    fn js(&self) -> JsValue {
        match self {
            Entry::Start => JsValue::NULL,
            Entry::FileTrace(n) => JsValue::from_f64(*n as f64),
            Entry::Search => JsValue::from_str("search"),
            Entry::Result { backend, trace_id } => js_sys::Array::of2(&backend.into(), &trace_id.into()).into(),
        }
    }
}

/// Adds an entry (`query`: the URL's new query string, without `?`; `None` keeps the URL).
pub fn push(entry: Entry, query: Option<&str>) {
    if let Ok(history) = window().history() {
        let url = query.map(|q| if q.is_empty() { location_path() } else { format!("?{q}") });
        let _ = history.push_state_with_url(&entry.js(), "", url.as_deref());
    }
}

fn location_path() -> String {
    window().location().pathname().unwrap_or_default()
}

pub fn current() -> Entry {
    window().history().ok().and_then(|h| h.state().ok()).map_or(Entry::Start, |s| Entry::of(&s))
}

/// Marks the entry the page opened with as the search page (`?view=search`).
pub fn mark_start_as_search() {
    if let Ok(history) = window().history() {
        let _ = history.replace_state(&Entry::Search.js(), "");
    }
}

/// The search page with `search` in the URL: a new entry, unless this one already shows that search.
pub fn show_search(state: AppState, search: &Search) {
    let query = search.to_query();
    let here = window().location().search().unwrap_or_default();
    if current() != Entry::Search || here.trim_start_matches('?') != query {
        push(Entry::Search, Some(&query));
    }
    state.page.set(Page::Search);
}

/// A trace opened from the results: an entry whose URL opens it again.
pub fn opened_result(backend: &str, trace_id: &str) {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("traceId", trace_id)
        .append_pair("backend", backend)
        .finish();
    push(Entry::Result { backend: backend.to_string(), trace_id: trace_id.to_string() }, Some(&query));
}
