//! The error panel: why the last inputs did not load (file, line:column, field). Dismissible; the trace on
//! screen stays. A failed request to a backend has Retry.

use crate::ui::state::{AppState, Retry};
use leptos::prelude::*;

/// What the page says once (`AppState::notice`), dismissible.
#[component]
pub fn Notice(state: AppState) -> impl IntoView {
    move || {
        state.notice.get().map(|text| {
            view! {
                <p class="notice" role="status" data-testid="notice">
                    {text}
                    " "
                    <button class="small" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                </p>
            }
        })
    }
}

#[component]
pub fn ErrorPanel(state: AppState) -> impl IntoView {
    move || {
        let failures = state.failures.get();
        (!failures.is_empty()).then(|| {
            view! {
                <section class="error-panel" role="alert" data-testid="error-panel">
                    <button class="dismiss small" title="Dismiss" on:click=move |_| state.failures.set(Vec::new())>
                        "Dismiss"
                    </button>
                    {failures.into_iter().map(|f| {
                        let retry = f.retry.map(|again| view! {
                            <button class="small" on:click=move |_| retry(state, again.clone())>"Retry"</button>
                        });
                        view! {
                            <div class="failure">
                                <h2>"Could not load " {f.file}</h2>
                                <pre>{f.text}</pre>
                                {retry}
                            </div>
                        }
                    }).collect_view()}
                </section>
            }
        })
    }
}

/// Asks the backend again (the panel is cleared first, as for any new request).
fn retry(state: AppState, again: Retry) {
    state.failures.set(Vec::new());
    match again {
        Retry::Trace { backend, trace_id } => {
            leptos::task::spawn_local(async move { crate::ui::actions::load::load_by_id(state, &backend, &trace_id).await })
        }
        Retry::Search(search) => leptos::task::spawn_local(crate::ui::actions::search::run_search(state, search, true)),
    }
}
