//! The error panel: why the last inputs did not load (file, line:column, field). Dismissible; the trace on
//! screen stays.

use super::state::AppState;
use leptos::prelude::*;

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
                    {failures.into_iter().map(|f| view! {
                        <div class="failure">
                            <h2>"Could not load " {f.file}</h2>
                            <pre>{f.text}</pre>
                        </div>
                    }).collect_view()}
                </section>
            }
        })
    }
}
