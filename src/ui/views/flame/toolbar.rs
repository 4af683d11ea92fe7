//! The flame graph's toolbar (search, match steps, colouring, critical path, clock skew, reset, key help)
//! and its legend.

use super::{schedule, SearchStatus, Ui};
use crate::analysis::search;
use crate::format::{count, plural};
use crate::view::colour::{css, Colouring, Legend};
use crate::view::interaction::{command_for, key_help, Command};
use leptos::prelude::*;
use std::rc::Rc;
use crate::ui::state::{AppState, LoadedFile};

#[component]
pub fn FlameToolbar(state: AppState, ui: Ui, file: Rc<LoadedFile>) -> impl IntoView {
    let core = ui.core;
    let critical = RwSignal::new(true);
    let on_colouring = move |ev: leptos::ev::Event| {
        let Some(mode) = Colouring::from_str(&event_target_value(&ev)) else { return };
        state.look.update(|l| l.colouring = mode);
        ui.set_colouring(mode);
    };
    let on_critical = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        critical.set(on);
        core.update_value(|f| f.show_critical = on);
        schedule(core);
    };
    let skew_file = file.clone();
    let on_skew = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = skew_file.clone();
        leptos::task::spawn_local(async move {
            // Cancelled: the box goes back to what is on screen.
            if !crate::ui::actions::load::reanalyse(state, file.clone(), input.checked()).await {
                input.set_checked(file.skew_adjusted);
            }
        });
    };

    view! {
            <div class="flame-toolbar">
                <input
                    type="search"
                    class="search"
                    node_ref=ui.search_input
                    data-testid="search"
                    placeholder="Search spans  ( / )   e.g. service:db status:error >10ms"
                    aria-label="Search spans"
                    title=search_help()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        state.highlight.set(None);
                        ui.run_search(&text);
                        state.look.update(|l| l.query = text);
                    }
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            input.set_value("");
                            state.highlight.set(None);
                            ui.run_search("");
                            state.look.update(|l| l.query.clear());
                            let _ = input.blur();
                        } else if let Some(command) = command_for(&ev.key(), ev.shift_key(), false, true) {
                            ev.prevent_default();
                            ui.run(command);
                        }
                    }
                />
                <SearchStatusView status=ui.search />
                <button class="small" title="Previous match (Shift+Enter)" on:click=move |_| ui.run(Command::PreviousMatch)>"↑"</button>
                <button class="small" title="Next match (Enter)" on:click=move |_| ui.run(Command::NextMatch)>"↓"</button>
                {match ui.held_colouring {
                    // A comparison is coloured by change, whatever the other views' colouring is.
                    Some(held) => view! {
                        <select data-testid="colouring" aria-label="Colouring" disabled=true><option>{held.label()}</option></select>
                    }.into_any(),
                    None => view! {
                        <select data-testid="colouring" aria-label="Colouring" on:change=on_colouring>
                            {Colouring::ALL.iter().map(|c| view! {
                                <option value=c.as_str() selected=move || state.look.with(|l| l.colouring) == *c>{c.label()}</option>
                            }).collect_view()}
                        </select>
                    }.into_any(),
                }}
                <label class="toggle" title="Draw the critical path: the chain of work that sets the end-to-end time">
                    <input type="checkbox" data-testid="critical-toggle" prop:checked=move || critical.get() on:change=on_critical />
                    "Critical path"
                </label>
                // A made trace (repeats folded, an aggregate, a comparison) is not a loaded file to analyse again.
                {(!ui.made).then(|| view! {
                    <label class="toggle" title="Shift spans whose clocks disagree with their caller's into it (opt-in; the panel shows each shift and the raw time)">
                        <input type="checkbox" data-testid="skew-toggle" prop:checked=file.skew_adjusted on:change=on_skew.clone() />
                        "Adjust clock skew"
                    </label>
                })}
                <button class="small" data-testid="reset-view" title="Show the whole trace (0)" on:click=move |_| ui.run(Command::ResetView)>"Reset view"</button>
                <span class="keys muted" title=key_help()>"Keyboard"</span>
            </div>
    }
}

fn search_help() -> String {
    search::HELP.iter().map(|(syntax, meaning)| format!("{syntax}  {meaning}")).collect::<Vec<_>>().join("\n")
}

#[component]
fn SearchStatusView(status: RwSignal<SearchStatus>) -> impl IntoView {
    view! {
        <span class="search-status" data-testid="search-status" class:bad=move || status.with(|s| s.error.is_some())>
            {move || status.with(|s| match (&s.error, s.active) {
                (Some(err), _) => err.clone(),
                (None, false) => String::new(),
                (None, true) => match (s.at, &s.highlight) {
                    (Some(at), _) => format!("{at} / {}", count(s.count as u64)),
                    (None, Some(what)) => format!("{} highlighted: {what}", plural(s.count as u64, "span", "spans")),
                    (None, None) => plural(s.count as u64, "match", "matches"),
                },
            })}
        </span>
    }
}

#[component]
pub fn LegendView(legend: RwSignal<Legend>) -> impl IntoView {
    view! {
        <div class="legend" data-testid="legend">
            {move || legend.with(|c| {
                let more = (c.more > 0).then(|| view! { <span class="muted">{format!("+{} more", c.more)}</span> });
                view! {
                    {c.entries.iter().map(|e| view! {
                        <span class="entry"><i style:background=css(e.rgb)></i>{e.label.clone()}</span>
                    }).collect_view()}
                    {more}
                }
            })}
            <span class="marks">
                <span class="entry"><i class="mark-error"></i>"error"</span>
                <span class="entry"><i class="mark-orphan"></i>"orphan (broken propagation)"</span>
                <span class="entry"><i class="mark-skew"></i>"skew-shifted"</span>
                <span class="entry"><i class="mark-critical"></i>"critical path"</span>
            </span>
        </div>
    }
}
