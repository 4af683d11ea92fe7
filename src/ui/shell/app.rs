//! The page: toolbar (open, sample, paste, loaded files), progress, errors, and the trace on screen.
//! Drops and pastes anywhere on the window also load.

use crate::ui::views::body::trace_body;
use crate::ui::platform::browser::is_typing_target;
use crate::ui::shell::errors::{ErrorPanel, Notice};
use crate::ui::shell::header::trace_header;
use crate::ui::actions::load::{load_batch, load_by_id, load_one, Input};
use crate::ui::state::AppState;
use crate::ui::views::search::SearchPage;
use crate::ui::state::{Page, TimeMode, TraceView};
use crate::ui::views::timeline::TimelineView;
use crate::ui::views::traces::FileTraces;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::atomic::Ordering;

#[component]
pub fn App(state: AppState, embed: bool) -> impl IntoView {
    let dragging = RwSignal::new(false);
    install_drop(state, dragging);
    install_paste(state);
    view! {
        <div class="app" class:embed=embed class:dragging=move || dragging.get()>
            {(!embed).then(|| view! { <Toolbar state /> })}
            <Progress state />
            <Notice state />
            <ErrorPanel state />
            <main class="content">
                {move || {
                    let ix = state.trace_ix.get();
                    if state.page.get() == Page::Search {
                        return view! { <SearchPage state /> }.into_any();
                    }
                    match state.current.get() {
                        Some(file) if state.list.get() => view! { <FileTraces state file /> }.into_any(),
                        Some(file) => {
                            let shown = (ix < file.set.traces.len()).then(|| trace_view(state, file.clone(), ix));
                            view! { {trace_header(state, file.clone(), ix)} {shown} {trace_body(&file, ix)} }.into_any()
                        }
                        None => view! { <p class="empty">"Drop trace files here, or open, paste or fetch one."</p> }.into_any(),
                    }
                }}
            </main>
            <div class="drop-overlay" aria-hidden="true"><p>"Drop trace files to open them"</p></div>
        </div>
    }
}

/// The trace in the chosen tab, with the tabs above it.
fn trace_view(state: AppState, file: std::rc::Rc<crate::ui::state::LoadedFile>, ix: usize) -> impl IntoView {
    let file = StoredValue::new_local(file);
    let tabs = TraceView::ALL.map(|tab| {
        let selected = move || state.trace_view.get() == tab;
        view! {
            <button role="tab" class="tab" aria-selected=move || selected().to_string() class:active=selected
                data-testid=format!("tab-{}", tab.id()) on:click=move |_| state.show_view(tab)>{tab.label()}</button>
        }
    });
    view! {
        <nav class="view-tabs" role="tablist" aria-label="Views">
            {tabs.into_iter().collect_view()}
            <select class="time-mode" aria-label="Times" data-testid="time-mode" prop:value=move || state.time.get().id()
                on:change=move |ev| if let Some(mode) = TimeMode::from_id(&event_target_value(&ev)) { state.time.set(mode) }>
                {TimeMode::ALL.map(|m| view! { <option value=m.id()>{m.label()}</option> }).into_iter().collect_view()}
            </select>
        </nav>
        {move || {
            let file = file.get_value();
            match state.trace_view.get() {
                TraceView::Flame => view! { <crate::ui::views::repeats::GroupedFlame state file ix /> }.into_any(),
                TraceView::Timeline => view! { <TimelineView state file ix /> }.into_any(),
                TraceView::Spans => view! { <crate::ui::views::spans::SpansView state file ix /> }.into_any(),
                TraceView::Events => view! { <crate::ui::views::events::EventsView state file ix /> }.into_any(),
                TraceView::Stats => view! { <crate::ui::views::stats::StatsView state file ix /> }.into_any(),
                TraceView::Aggregate => view! { <crate::ui::views::aggregate::AggregateView state file ix /> }.into_any(),
                TraceView::Compare => view! { <crate::ui::views::compare::CompareView state file ix /> }.into_any(),
            }
        }}
    }
}

#[component]
fn Toolbar(state: AppState) -> impl IntoView {
    let paste_open = RwSignal::new(false);
    let pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = files_of(input.files());
        // Reset so that picking the same file again fires `change` again.
        input.set_value("");
        if !files.is_empty() {
            spawn_local(load_batch(state, files));
        }
    };
    view! {
        <header class="toolbar">
            <span class="brand">"spanlens"</span>
            <label class="button primary">
                "Open files…"
                <input type="file" multiple data-testid="file-input" on:change=pick />
            </label>
            <button on:click=move |_| spawn_local(load_batch(state, vec![Input::sample()]))>"Sample"</button>
            <button class:active=move || paste_open.get() on:click=move |_| paste_open.update(|o| *o = !*o)>
                "Paste JSON"
            </button>
            <FileList state />
            <SearchButton state />
            <TraceIdBox state />
            <crate::ui::platform::copy::CopyLink state />
            <ThemeSwitch state />
        </header>
        <Show when=move || paste_open.get()>
            <PastePanel state open=paste_open />
        </Show>
    }
}

/// Opens a trace by id from a configured backend (shown once `public/config.json` lists one): a Backend
/// choice when there are several, the id, Enter.
#[component]
fn TraceIdBox(state: AppState) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let backend = RwSignal::new(String::new());
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.get_untracked();
        if !id.trim().is_empty() {
            spawn_local(async move { load_by_id(state, &backend.get_untracked(), id.trim()).await });
        }
    };
    move || {
        let names: Vec<String> = state.config.with(|c| c.backends.iter().map(|b| b.name.clone()).collect());
        (!names.is_empty()).then(|| {
            let choice = (names.len() > 1).then(|| {
                let options = names.iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view();
                view! {
                    <select aria-label="Backend" data-testid="trace-id-backend" on:change=move |ev| backend.set(event_target_value(&ev))>
                        {options}
                    </select>
                }
            });
            view! {
                <form class="trace-id" on:submit=open>
                    {choice}
                    <input type="search" aria-label="Trace ID" placeholder="Trace ID" data-testid="trace-id-input" spellcheck="false"
                        prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev)) />
                    <button type="submit">"Open"</button>
                </form>
            }
        })
    }
}

/// To the search page (shown once `public/config.json` lists a backend), with the fields as last typed.
#[component]
fn SearchButton(state: AppState) -> impl IntoView {
    let has_backend = move || state.config.with(|c| !c.backends.is_empty());
    let go = move |_| crate::ui::platform::history::show_search(state, &state.search.get_untracked());
    move || has_backend().then(|| view! {
        <button class:active=move || state.page.get() == Page::Search on:click=go data-testid="search-button">"Search"</button>
    })
}

/// Cycles the theme: system → light → dark.
#[component]
fn ThemeSwitch(state: AppState) -> impl IntoView {
    let next = move |_| {
        let theme = match state.theme.get_untracked().as_deref() {
            None => Some("light"),
            Some("light") => Some("dark"),
            _ => None,
        };
        crate::ui::platform::browser::apply_theme(theme);
        state.theme.set(theme.map(str::to_string));
    };
    view! {
        <button class="theme-switch" data-testid="theme-switch" title="Switch theme: system, light, dark" on:click=next>
            {move || match state.theme.get().as_deref() {
                Some("light") => "Theme: light",
                Some("dark") => "Theme: dark",
                _ => "Theme: system",
            }}
        </button>
    }
}

#[component]
fn FileList(state: AppState) -> impl IntoView {
    view! {
        <nav class="files" aria-label="Loaded files" data-testid="files">
            {move || state.files.with(|files| {
                files.iter().map(|file| {
                    let id = file.id;
                    let title = format!("{} · {}", file.summary.source.format, file.name());
                    let close_title = format!("Close {}", file.name());
                    view! {
                        <span
                            class="file"
                            class:current=move || state.current.with(|c| c.as_ref().map(|c| c.id) == Some(id))
                        >
                            <button class="open" title=title on:click=move |_| state.select_file(id)>
                                {file.name().to_string()}
                            </button>
                            // Closing frees the file's memory (a 1M-span trace holds hundreds of MB).
                            <button class="close" title=close_title.clone() aria-label=close_title on:click=move |_| state.close_file(id)>
                                "×"
                            </button>
                        </span>
                    }
                }).collect_view()
            })}
        </nav>
    }
}

#[component]
fn PastePanel(state: AppState, open: RwSignal<bool>) -> impl IntoView {
    let text: NodeRef<html::Textarea> = NodeRef::new();
    let load = move |_| {
        let Some(area) = text.get() else { return };
        let value = area.value();
        if value.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            state.failures.set(Vec::new());
            // Keep the text on failure so it can be fixed and loaded again.
            if load_one(
                state,
                Input::Bytes {
                    name: "pasted.json".into(),
                    bytes: value.into_bytes(),
                },
                false,
            )
            .await
            .is_ok()
            {
                area.set_value("");
                open.set(false);
            }
        });
    };
    view! {
        <div class="paste-panel">
            <textarea
                node_ref=text
                data-testid="paste-text"
                spellcheck="false"
                placeholder="Paste OTLP, Jaeger or Zipkin JSON here (or press Ctrl+V anywhere on the page)"
            ></textarea>
            <button class="primary" on:click=load>"Load"</button>
        </div>
    }
}

/// One entry per load in progress: what it is doing, a bar (filled by bytes read or spans analyzed, or
/// moving when the amount is unknown) and Cancel.
#[component]
fn Progress(state: AppState) -> impl IntoView {
    move || {
        state.pending.with(|pending| {
            (!pending.is_empty()).then(|| {
                view! {
                    <div class="progress" role="status" data-testid="progress">
                        {pending.iter().map(|p| {
                            let cancel = p.cancel.clone();
                            let known = p.total > 0;
                            let share = if known { p.done as f64 / p.total as f64 * 100.0 } else { 0.0 };
                            view! {
                                <div class="entry">
                                    <span>{p.label.clone()}</span>
                                    <button class="small" data-testid="cancel-load" on:click=move |_| cancel.store(true, Ordering::Relaxed)>"Cancel"</button>
                                    <div class="bar" class:known=known><div style:width=known.then(|| format!("{share:.1}%"))></div></div>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }
            })
        })
    }
}

/// Files dropped anywhere on the window load; dragging over the window highlights it.
fn install_drop(state: AppState, dragging: RwSignal<bool>) {
    let over = window_event_listener(leptos::ev::dragover, move |ev| {
        // Without preventDefault the browser would open the file itself.
        ev.prevent_default();
        if let Some(dt) = ev.data_transfer() {
            dt.set_drop_effect("copy");
        }
        if !dragging.get_untracked() {
            dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |ev| {
        // Leaving the window (not just moving between children) has no related target.
        if ev.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |ev| {
        ev.prevent_default();
        dragging.set(false);
        // Take the File objects now: the DataTransfer is emptied once the event is over.
        let files = files_of(ev.data_transfer().and_then(|dt| dt.files()));
        if !files.is_empty() {
            spawn_local(load_batch(state, files));
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });
}

/// Ctrl+V on the page (not in a text field) loads the clipboard's text or files.
fn install_paste(state: AppState) {
    let paste = window_event_listener(leptos::ev::paste, move |ev| {
        if is_typing_target(ev.target()) {
            return;
        }
        let Some(data) = ev.clipboard_data() else {
            return;
        };
        let files = files_of(data.files());
        let inputs = if !files.is_empty() {
            files
        } else {
            match data.get_data("text/plain") {
                Ok(text) if !text.trim().is_empty() => {
                    vec![Input::Bytes {
                        name: "pasted.json".into(),
                        bytes: text.into_bytes(),
                    }]
                }
                _ => return,
            }
        };
        ev.prevent_default();
        spawn_local(load_batch(state, inputs));
    });
    on_cleanup(move || paste.remove());
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<Input> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(Input::File)
        .collect()
}
