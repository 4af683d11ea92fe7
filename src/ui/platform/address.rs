//! The address bar: the URL always holds what is needed to reopen the view on screen (DESIGN.md,
//! "Embedding"): the source (`url=`, or `traceId=` and `backend=`; a dropped file has none), `trace=` for a
//! file with several, `view=` (the tab; with `group=`, `then=`, `over=` for the statistics and `compare=`
//! for the compare tab's B, a trace id), `span=`, `q=`, `window=START,END` (ns from the trace's start),
//! `colour=`, `time=`, `theme=`, and `embed=` (or `uiEmbed=`) as the page was opened. Written with
//! `history.replaceState` a moment after the last change, so zooming makes no history entry per step. The
//! search page's URL is the history's (`history.rs`).

use crate::ui::platform::browser::Debounce;
use crate::ui::state::{AppState, Page};
use crate::view::colour::Colouring;
use leptos::prelude::*;


/// The query string (without `?`) of what is on screen.
fn query(state: AppState) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    // How the page is framed stays as it was opened.
    let here = window().location().search().unwrap_or_default();
    for (key, value) in form_urlencoded::parse(here.trim_start_matches('?').as_bytes()) {
        if key == "embed" || key == "uiEmbed" {
            out.append_pair(&key, &value);
        }
    }
    let Some(file) = state.current.get_untracked() else { return out.finish() };
    state.sources.with_value(|s| {
        for (key, value) in s.get(&file.id).into_iter().flatten() {
            out.append_pair(key, value);
        }
    });
    let ix = state.trace_ix.get_untracked();
    if state.list.get_untracked() {
        return out.finish();
    }
    let tab = state.trace_view.get_untracked();
    if tab != crate::ui::state::TraceView::Flame {
        out.append_pair("view", tab.id());
    }
    if tab == crate::ui::state::TraceView::Stats {
        let stats = state.stats;
        let (by, then) = (stats.by.get_untracked(), stats.then.get_untracked());
        if by != "service" {
            out.append_pair("group", &by);
        }
        if !then.is_empty() {
            out.append_pair("then", &then);
        }
        if stats.all.get_untracked() {
            out.append_pair("over", "all");
        }
    }
    if tab == crate::ui::state::TraceView::Compare {
        let a = file.summary.traces.get(ix).map(|t| t.trace_id.as_str()).unwrap_or_default();
        if let Some(b) = state.compare_with.get_untracked().as_ref().and_then(|c| c.b_for(a)) {
            out.append_pair("compare", b);
        }
    }
    if file.set.traces.len() > 1 {
        if let Some(trace) = file.summary.traces.get(ix) {
            out.append_pair("trace", &trace.trace_id);
        }
    }
    if let Some(selection) = state.selected_in(file.id, ix) {
        let span = file.set.traces.get(ix).and_then(|t| t.spans.get(selection.span as usize));
        if let Some(id) = span.and_then(|s| s.span_id) {
            out.append_pair("span", &id.display(&file.set.strings));
        }
    }
    state.look.with_untracked(|look| {
        if !look.query.is_empty() {
            out.append_pair("q", &look.query);
        }
        if let Some((start, end)) = look.window {
            out.append_pair("window", &format!("{start},{end}"));
        }
        if look.colouring != Colouring::Service {
            out.append_pair("colour", look.colouring.as_str());
        }
    });
    let time = state.time.get_untracked();
    if time != crate::ui::state::TimeMode::Relative {
        out.append_pair("time", time.id());
    }
    if let Some(theme) = state.theme.get_untracked() {
        out.append_pair("theme", &theme);
    }
    out.finish()
}

/// Keeps the URL in step with the view (except on the search page, whose URL the history keeps).
pub fn install(state: AppState) {
    let debounce = Debounce::new();
    Effect::new(move |first: Option<()>| {
        // Everything the URL holds, tracked.
        let _ = (state.current.get(), state.trace_ix.get(), state.list.get(), state.selection.get(), state.theme.get(), state.trace_view.get(), state.time.get());
        let _ = (state.stats.by.get(), state.stats.then.get(), state.stats.all.get(), state.compare_with.get());
        state.look.track();
        if first.is_none() || state.page.get() == Page::Search {
            return; // the URL the page opened with already says it
        }
        debounce.run(150, move || write(state));
    });
}

/// Writes the URL now (a link is being copied).
pub fn write(state: AppState) {
    if state.page.get_untracked() == Page::Search {
        return;
    }
    let query = query(state);
    let Ok(history) = window().history() else { return };
    let here = window().location().search().unwrap_or_default();
    if here.trim_start_matches('?') == query {
        return;
    }
    let url = if query.is_empty() { window().location().pathname().unwrap_or_default() } else { format!("?{query}") };
    // The entry's state (which list entry it is) stays.
    let _ = history.replace_state_with_url(&history.state().unwrap_or(wasm_bindgen::JsValue::NULL), "", Some(&url));
}
