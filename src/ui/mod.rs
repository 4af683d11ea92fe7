//! The browser app (wasm32 only): Leptos components over the core. Data flows one way:
//! input (file, URL, paste, sample, postMessage) → bytes → `crate::pipeline` → `Rc<LoadedFile>` in `AppState`
//! → views. `embed` (the postMessage API) is installed here and only listens to the state.

pub(crate) mod actions;
mod embed;
pub mod platform;
mod shell;
mod state;
pub(crate) mod views;

use leptos::prelude::*;

/// Entry point: reads the URL parameters, mounts the app, starts the first load and the embedding API.
pub fn start() {
    // The same module runs the engine in workers (`platform::worker`): there it serves, and draws nothing.
    if platform::worker::in_worker() {
        return platform::worker::serve();
    }
    platform::crash::install();
    let params = platform::browser::Params::from_location();
    if params.engine.as_deref() == Some("page") {
        platform::engine::run_on_page();
    }
    platform::browser::apply_theme(params.theme.as_deref());
    mount_to_body(move || {
        // Created under the root owner so the signals live exactly as long as the app.
        let state = state::AppState::new();
        state.theme.set(params.theme.clone());
        // `q=` or `uiFind=` naming a span id (whole or its first digits) selects that span too.
        let id_query = params.query.clone().filter(|q| crate::analysis::search::is_id_prefix(q));
        if let Some(span) = params.span.as_ref().or(id_query.as_ref()) {
            state.select_id(span, params.window.is_none());
        }
        state.want(params.trace.clone(), params.window, params.query.clone(), params.colouring);
        if let Some(mode) = params.time.as_deref().and_then(state::TimeMode::from_id) {
            state.time.set(mode);
        }
        if let Some(tab) = params.view.as_deref().and_then(state::TraceView::from_id) {
            state.trace_view.set(tab);
        }
        state.compare_with.set(params.compare.clone().map(|b| state::CompareWith { for_a: None, b }));
        if let Some(group) = &params.group {
            state.stats.by.set(group.clone());
        }
        if let Some(then) = &params.then {
            state.stats.then.set(then.clone());
        }
        state.stats.all.set(params.over_all);
        // A trace by id and a search need the backends of config.json: they wait until it is read.
        let by_id = params.trace_id.clone().map(|id| (params.backend.clone().unwrap_or_default(), id));
        let search = params.search.clone();
        let wants_backend = by_id.is_some() || search.is_some();
        if let Some(search) = &search {
            state.search.set(search.clone());
            state.page.set(state::Page::Search);
            platform::history::mark_start_as_search();
        }
        leptos::task::spawn_local(async move {
            state.config.set(platform::config::fetch().await);
            // The origins allowed to embed the viewer are known now.
            embed::announce_ready(state);
            if let Some((backend, id)) = by_id {
                actions::load::load_by_id(state, &backend, &id).await;
            } else if let Some(search) = search.filter(|s| s.asked()) {
                actions::search::run_search(state, search, false).await;
            }
        });
        let bare = params.bare();
        match params.url {
            Some(url) => leptos::task::spawn_local(actions::load::load_batch(
                state,
                vec![actions::load::Input::Url(url)],
            )),
            None if wants_backend => {}
            None => actions::load::show_sample_now(state),
        }
        embed::install(state);
        actions::navigate::install(state);
        platform::address::install(state);
        view! { <shell::app::App state embed=bare /> }
    });
}
