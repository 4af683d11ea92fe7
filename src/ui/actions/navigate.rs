//! Moving through the app's history: opening a trace of a file's list or of the search results, back to the
//! list, the search page, and following the browser's Back and Forward (`platform::history` keeps the entries).

use crate::backend::search::Search;
use crate::ui::actions::search::{open_result, run_search};
use crate::ui::platform::history::{current, push, show_search, Entry};
use crate::ui::state::{AppState, Page};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Opens trace `index` of the file on screen, with an entry so that Back returns to the list.
pub fn open_file_trace(state: AppState, index: usize) {
    push(Entry::FileTrace(index), None);
    state.show_trace(index);
}

/// Back to the file's list: through the history when the trace was opened from it (so Forward works too).
pub fn back_to_list(state: AppState) {
    match window().history() {
        Ok(history) if matches!(current(), Entry::FileTrace(_)) => drop(history.back()),
        _ => state.list.set(true),
    }
}



/// Back to the search results: through the history when the trace was opened from them.
pub fn back_to_results(state: AppState) {
    match window().history() {
        Ok(history) if matches!(current(), Entry::Result { .. }) => drop(history.back()),
        _ => {
            let search = state.results.with_untracked(|r| r.as_ref().map(|r| r.search.clone())).unwrap_or_default();
            show_search(state, &search)
        }
    }
}

/// Follows the browser's Back and Forward.
pub fn install(state: AppState) {
    let on_pop = Closure::<dyn Fn(web_sys::PopStateEvent)>::new(move |ev: web_sys::PopStateEvent| {
        let several = state.current.with_untracked(|f| f.as_ref().is_some_and(|f| f.set.traces.len() > 1));
        match Entry::of(&ev.state()) {
            Entry::FileTrace(index) if several => state.show_trace(index),
            Entry::FileTrace(_) => {}
            Entry::Start => {
                state.page.set(Page::Viewer);
                if several {
                    state.list.set(true);
                }
            }
            Entry::Search => {
                // The search of this entry: its results when they are the ones kept, else it runs again.
                let search = Search::from_query(&window().location().search().unwrap_or_default());
                state.search.set(search.clone());
                state.page.set(Page::Search);
                let kept = state.results.with_untracked(|r| r.as_ref().is_some_and(|r| r.search == search));
                if !kept {
                    leptos::task::spawn_local(run_search(state, search, false));
                }
            }
            Entry::Result { backend, trace_id } => open_result(state, backend, trace_id, false),
        }
    });
    let _ = window().add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    on_pop.forget(); // lives as long as the page
}
