//! The events tab: every span event (logs; exceptions with their type and message, the stack trace folded
//! into the row's tip and shown whole in the span panel) in time order, filtered by the search language (the
//! events of the matching spans), a click selects the span, CSV of what is shown. Only the rows in view
//! exist in the DOM.

use crate::ui::views::spans::{search_keep, span_panel, Scroller};
use crate::ui::state::{AppState, LoadedFile};
use crate::format::{count, name, plural};
use crate::view::events::{in_time_order, said, EventRef};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// Row height, CSS px (the spans table's; style/main.css agrees).
const ROW_PX: f64 = crate::ui::views::spans::ROW_PX;

#[component]
pub fn EventsView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let file = StoredValue::new_local(file);
    let status = RwSignal::new(String::new());
    let order = Memo::new(move |_| {
        let query = state.look.with(|l| l.query.clone());
        let (keep, said) = file.with_value(|f| search_keep(f, ix, &query));
        status.set(said);
        Arc::new(file.with_value(|f| in_time_order(&f.set.traces[ix], keep.as_deref().map(|k| k.as_slice()))))
    });
    let total = file.with_value(|f| f.set.traces[ix].spans.iter().map(|s| s.events().len()).sum::<usize>());
    let csv = move |_| {
        let text = file.with_value(|f| events_csv(f, ix, &order.get_untracked()));
        let name = file.with_value(|f| f.name().to_string());
        if let Err(err) = crate::ui::platform::download::export_csv(&name, "events", &text) {
            web_sys::console::error_2(&"spanlens: export failed".into(), &err);
        }
    };
    let file_id = file.with_value(|f| f.id);
    let scroller = Scroller::new();
    let visible = move || {
        let order = order.get();
        let selected = state.selected_in(file_id, ix).map(|s| s.span);
        let time = state.time.get();
        file.with_value(|f| {
            let (set, trace) = (&f.set, &f.set.traces[ix]);
            let origin = trace.start_ns();
            scroller.rows(order.len())
                .map(|k| {
                    let (span_ix, e) = order[k];
                    let span = &trace.spans[span_ix as usize];
                    let event = &span.events()[e as usize];
                    let what = said(set, event);
                    let exception = set.str(event.name) == "exception";
                    let stack = what.stack.as_deref().map(|s| plural(s.lines().count() as u64, "stack line", "stack lines"));
                    let tip = crate::format::clip(what.stack.as_deref().unwrap_or(&what.text), 2000).into_owned();
                    view! {
                        <div class="row" role="row" aria-rowindex=k + 2 class:bad=exception class:current=selected == Some(span_ix)
                            style:top=format!("{}px", k as f64 * ROW_PX) on:click=move |_| state.select(Some(span_ix), false)>
                            <span role="gridcell" class="num" title=crate::formats::rfc3339(event.time_ns)>{time.show(event.time_ns, origin)}</span>
                            <span role="gridcell">{name(set.str(span.service))}</span>
                            <span role="gridcell">{name(set.str(span.name))}</span>
                            <span role="gridcell" class="event-name">{name(set.str(event.name))}</span>
                            <span role="gridcell" class="said" title=tip>{name(&what.text)}" "
                                {stack.map(|s| view! { <span class="muted">{format!("({s})")}</span> })}</span>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="spans-view" data-testid="events-view" aria-label="Events">
            <div class="flame-toolbar">
                <input type="search" class="search" data-testid="events-search" aria-label="Filter events by their span"
                    placeholder="Filter by span   e.g. service:db status:error" prop:value=move || state.look.with(|l| l.query.clone())
                    on:input=move |ev| { let text = event_target_value(&ev); state.look.update(|l| l.query = text); } />
                <span class="search-status">{move || status.get()}</span>
                <span class="muted" data-testid="events-count">{move || format!("{} of {}", plural(order.get().len() as u64, "event", "events"), count(total as u64))}</span>
                <button class="small" data-testid="export-events-csv" title="Download the events shown as CSV" on:click=csv>"CSV"</button>
            </div>
            <div class="flame-main">
                <div class="spans-table events-table" role="grid" aria-label="Events" aria-rowcount=move || order.get().len() + 1 node_ref=scroller.viewport tabindex="0"
                    on:scroll=move |_| scroller.follow()>
                    <div class="row head" role="row" aria-rowindex="1">
                        <span role="columnheader" class="num">"Time"</span><span role="columnheader">"Service"</span>
                        <span role="columnheader">"Span"</span><span role="columnheader">"Event"</span><span role="columnheader">"What it says"</span>
                    </div>
                    <div class="rows" role="rowgroup" style:height=move || format!("{}px", order.get().len() as f64 * ROW_PX)>{visible}</div>
                </div>
                {span_panel(state, file, ix)}
            </div>
        </section>
    }
}

/// The events shown, in time order, as CSV (the stack trace whole).
fn events_csv(file: &LoadedFile, ix: usize, order: &[EventRef]) -> String {
    let (set, trace) = (&file.set, &file.set.traces[ix]);
    let origin = trace.start_ns();
    let header = ["time", "offset_ns", "span_id", "service", "span", "event", "says", "stacktrace"];
    let rows = order.iter().map(|&(s, e)| {
        let span = &trace.spans[s as usize];
        let event = &span.events()[e as usize];
        let what = said(set, event);
        vec![
            crate::formats::rfc3339(event.time_ns),
            (event.time_ns - origin).to_string(),
            span.span_id.map(|id| id.display(&set.strings)).unwrap_or_default(),
            set.str(span.service).to_string(),
            set.str(span.name).to_string(),
            set.str(event.name).to_string(),
            what.text,
            what.stack.unwrap_or_default(),
        ]
    });
    crate::export::csv(&header, rows)
}
