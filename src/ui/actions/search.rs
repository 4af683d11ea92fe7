//! Searching a backend and opening a trace of its answer.

use crate::backend::answers;
use crate::backend::search::Search;
use crate::ui::actions::load::{backend_file_name, load_one, unknown_backend, Input};
use crate::ui::platform::history;
use crate::ui::platform::requests::{ask_bytes, Refusal};
use crate::ui::state::{AppState, Failure, Results, Retry};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn now_ns() -> i64 {
    (js_sys::Date::now() * 1e6) as i64
}

/// Runs a search and lists its answer (`push`: a new history entry whose URL holds the search). A field
/// that does not read, or a failed request, goes to the error panel and leaves the last results.
pub async fn run_search(state: AppState, search: Search, push: bool) {
    state.failures.set(Vec::new());
    let Some(backend) = state.config.with_untracked(|c| c.backend(&search.backend).cloned()) else {
        state.fail(Failure::new("the search".into(), unknown_backend(&search.backend)));
        return;
    };
    let file = format!("traces from {}", backend.name);
    let now = now_ns();
    // The fields are read before anything is sent, so that a typo is named before the backend is asked.
    if let Err(text) = backend.apis()[0].search("", &search, now) {
        state.fail(Failure::new(file, text));
        return;
    }
    let (ticket, cancel) = state.begin(format!("Searching {}…", backend.name));
    let wanted = "the search";
    let answer = ask_bytes(&backend, wanted, |api, base| api.search(base, &search, now), &cancel).await;
    state.finish(ticket);
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let rows = match answer {
        Ok((api, body)) => answers::search(api, &body).map_err(|e| format!("{}'s answer to {wanted}: {e}", backend.name)),
        Err(Refusal::Said { api, status, body }) if answers::no_match(api, status, &body) => Ok(Vec::new()),
        Err(refusal) => Err(refusal.text(&backend, wanted)),
    };
    match rows {
        Ok(rows) => {
            state.result_list.reset();
            state.results.set(Some(Rc::new(Results { backend: backend.name.clone(), search: search.clone(), rows: Arc::new(rows) })));
            if push {
                history::show_search(state, &search);
            }
        }
        Err(text) => state.fail(Failure { file, text, retry: Some(Retry::Search(search)) }),
    }
}

/// Opens a trace of the results: the copy already loaded, else fetched by id (`push`: a history entry whose
/// URL opens it again, so Back returns to the results).
pub fn open_result(state: AppState, backend: String, trace_id: String, push: bool) {
    let loaded_as = backend_file_name(&backend, &trace_id);
    if let Some(file) = state.file_named(&loaded_as) {
        state.from_results.set(Some(file.id));
        state.show(file);
        if push {
            history::opened_result(&backend, &trace_id);
        }
        return;
    }
    let Some(found) = state.config.with_untracked(|c| c.backend(&backend).cloned()) else {
        state.fail(Failure::new(loaded_as, unknown_backend(&backend)));
        return;
    };
    spawn_local(async move {
        state.failures.set(Vec::new());
        if let Ok(file) = load_one(state, Input::Backend { backend: found, trace_id: trace_id.clone() }, false).await {
            state.from_results.set(Some(file.id));
            if push {
                history::opened_result(&backend, &trace_id);
            }
        }
    });
}


