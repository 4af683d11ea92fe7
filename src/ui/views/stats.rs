//! The statistics tab (`view=stats`): where the time went (`analysis::breakdown`), grouped by service,
//! operation or any attribute key with an optional sub-group, for this trace or every trace of the file;
//! sortable by every column, a heatmap of one, CSV; a click on a row highlights its spans in the flame graph
//! and the timeline. Below, the charts (`charts`). Only the rows in view exist in the DOM.

use crate::ui::views::charts::{self, chart};
use crate::ui::views::spans::{Scroller, ROW_PX};
use crate::ui::state::{AppState, Highlight, LoadedFile, StatsPlace, TraceView};
use crate::analysis::breakdown::{self, attribute_keys, breakdown, Breakdown, Column, Dimension, Grouping, Part};
use crate::analysis::histogram::{concurrency, peer_durations};
use crate::format::{count, name, plural};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// Attribute keys offered in the grouping pickers (the most common first).
const MAX_KEYS: usize = 200;

/// Shared by pointer: a memo of a big table compares by identity, not by content.
#[derive(Clone)]
pub struct Shared<T>(pub Arc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The parts a breakdown covers: this trace, or every trace of the file (then part `i` is trace `i`).
fn parts(file: &LoadedFile, ix: usize, all: bool) -> Vec<Part<'_>> {
    if all {
        (0..file.set.traces.len()).map(|t| file.part(t)).collect()
    } else {
        vec![file.part(ix)]
    }
}

/// A picker's value: `service`, `operation`, `attr:<key>`; empty for no sub-group.
fn dimension(file: &LoadedFile, id: &str) -> Option<Dimension> {
    match id {
        "service" => Some(Dimension::Service),
        "operation" => Some(Dimension::Operation),
        _ => id.strip_prefix("attr:").and_then(|key| file.set.strings.lookup(key)).map(Dimension::Attribute),
    }
}

#[component]
pub fn StatsView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let file = StoredValue::new_local(file);
    let (file_id, traces) = file.with_value(|f| (f.id, f.set.traces.len()));
    let file_name = file.with_value(|f| f.name().to_string());
    let StatsPlace { by, then, all, column, descending, heat } = state.stats;
    if traces < 2 && all.get_untracked() {
        all.set(false);
    }
    let picked = RwSignal::new(None::<usize>);
    let keys = Memo::new(move |_| {
        let all = all.get();
        file.with_value(|f| {
            let keys = attribute_keys(&f.set, &parts(f, ix, all));
            keys.into_iter().take(MAX_KEYS).map(|(k, n)| (f.set.strings.get(k).to_string(), n)).collect::<Vec<_>>()
        })
    });
    let table = Memo::new(move |_| {
        let (all, by, then) = (all.get(), by.get(), then.get());
        let b = file.with_value(|f| {
            let grouping = Grouping { by: dimension(f, &by).unwrap_or(Dimension::Service), then: dimension(f, &then) };
            breakdown(&f.set, &parts(f, ix, all), grouping)
        });
        Shared(Arc::new(b))
    });
    // A new table has new rows: the row picked in the last one is no longer there.
    Effect::new(move |_| {
        table.track();
        picked.set(None);
    });
    let order = Memo::new(move |_| {
        let b = table.get();
        Shared(Arc::new(breakdown::sorted(&b.0, column.get(), descending.get())))
    });
    let columns = move || Column::ALL.into_iter().filter(|c| *c != Column::Sub || !then.get().is_empty()).collect::<Vec<_>>();
    // A click on a row: its spans in this trace are highlighted in the flame graph and the timeline.
    let pick = move |row: usize| {
        picked.set(Some(row));
        let b = table.get_untracked();
        let part = if all.get_untracked() { ix } else { 0 };
        let r = &b.0.rows[row];
        let label = match &r.sub {
            Some(sub) => format!("{} · {sub}", r.group),
            None => r.group.clone(),
        };
        state.look.update(|l| l.query.clear());
        state.highlight.set(Some(Highlight { file: file_id, trace: ix, label, spans: Rc::new(b.0.spans_of(part, row)) }));
    };
    let sort_by = move |c: Column| {
        if column.get_untracked() == c {
            descending.update(|d| *d = !*d);
        } else {
            column.set(c);
            descending.set(!c.is_text());
        }
    };
    let csv_name = file_name.clone();
    let csv = move |_| {
        let text = breakdown::csv(&table.get_untracked().0, &order.get_untracked().0, &columns());
        if let Err(err) = crate::ui::platform::download::export_csv(&csv_name, "stats", &text) {
            web_sys::console::error_2(&"spanlens: export failed".into(), &err);
        }
    };
    let picker = move |value: RwSignal<String>, testid: &'static str, label: &'static str, none: Option<&'static str>| {
        view! {
            <label class="picker">{label}
                <select data-testid=testid prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                    {none.map(|n| view! { <option value="">{n}</option> })}
                    <option value="service">"Service"</option>
                    <option value="operation">"Operation"</option>
                    <optgroup label="Attribute">
                        {move || keys.get().into_iter().map(|(k, n)| view! { <option value=format!("attr:{k}")>{format!("{} ({})", name(&k), count(n))}</option> }).collect_view()}
                    </optgroup>
                </select>
            </label>
        }
    };
    let picked_spans = move || state.highlight_in(file_id, ix).map(|h| h.spans.len());

    view! {
        <section class="stats-view" data-testid="stats-view" aria-label="Statistics">
            <div class="flame-toolbar">
                {picker(by, "group-by", "Group by", None)}
                {picker(then, "sub-group", "then by", Some("—"))}
                <label class="picker">"Heat"
                    <select data-testid="heat" prop:value=move || heat.get() on:change=move |ev| heat.set(event_target_value(&ev))>
                        <option value="">"none"</option>
                        {Column::ALL.into_iter().filter(|c| !c.is_text()).map(|c| view! { <option value=c.id()>{c.label()}</option> }).collect_view()}
                    </select>
                </label>
                {(traces > 1).then(|| view! {
                    <label class="picker">"Over"
                        <select data-testid="stats-scope" prop:value=move || if all.get() { "all" } else { "trace" } on:change=move |ev| all.set(event_target_value(&ev) == "all")>
                            <option value="trace">"this trace"</option>
                            <option value="all">{format!("all {} traces", count(traces as u64))}</option>
                        </select>
                    </label>
                })}
                <span class="muted" data-testid="stats-count">{move || plural(table.get().0.rows.len() as u64, "group", "groups")}</span>
                <button class="small" data-testid="export-stats-csv" title="Download the table, in this order, as CSV" on:click=csv>"CSV"</button>
                {move || picked_spans().map(|n| view! {
                    <span class="picked" data-testid="stats-picked">{format!("{} highlighted, show in", plural(n as u64, "span", "spans"))}</span>
                    <button class="small" data-testid="picked-in-flame" on:click=move |_| state.show_view(TraceView::Flame)>"Flame graph"</button>
                    <button class="small" data-testid="picked-in-timeline" on:click=move |_| state.show_view(TraceView::Timeline)>"Timeline"</button>
                })}
            </div>
            <StatsTable table order columns=Signal::derive(columns) heat picked pick=Callback::new(pick) column descending sort_by=Callback::new(sort_by) />
            <div class="charts">
                {services_chart(state, file, ix, all, file_name.clone())}
                {histogram_chart(state, file, ix, file_name.clone())}
                {concurrency_chart(state, file, ix, file_name)}
            </div>
        </section>
    }
}

#[component]
pub fn StatsTable(
    #[prop(default = "Statistics")] label: &'static str,
    table: Memo<Shared<Breakdown>>,
    order: Memo<Shared<Vec<usize>>>,
    columns: Signal<Vec<Column>>,
    heat: RwSignal<String>,
    picked: RwSignal<Option<usize>>,
    pick: Callback<usize>,
    column: RwSignal<Column>,
    descending: RwSignal<bool>,
    sort_by: Callback<Column>,
) -> impl IntoView {
    let scroller = Scroller::new();
    let template = move || {
        columns.get().iter().map(|c| match c {
            Column::Group => "minmax(8rem, 2.5fr)",
            Column::Sub => "minmax(7rem, 2fr)",
            _ => "minmax(4.4rem, 1fr)",
        }).collect::<Vec<_>>().join(" ")
    };
    let headers = move || {
        columns.get().into_iter().map(|c| {
            let arrow = move || match (column.get() == c, descending.get()) {
                (true, true) => " ↓",
                (true, false) => " ↑",
                _ => "",
            };
            view! {
                <button role="columnheader" class="sort-head" class:num=!c.is_text() data-testid=format!("stats-sort-{}", c.id())
                    aria-sort=move || match (column.get() == c, descending.get()) { (true, true) => "descending", (true, false) => "ascending", _ => "none" }
                    on:click=move |_| sort_by.run(c)>{c.label()}{arrow}</button>
            }
        }).collect_view()
    };
    let visible = move || {
        let (b, order, columns) = (table.get(), order.get(), columns.get());
        let b = &b.0;
        let heat = Column::from_id(&heat.get());
        let hottest = heat.map(|h| b.rows.iter().map(|r| h.value(b, r)).max().unwrap_or(0).max(1));
        let current = picked.get();
        scroller.rows(order.0.len()).map(|k| {
            let r = order.0[k];
            let row = &b.rows[r];
            let cells = columns.iter().map(|&c| {
                let warm = match (heat, hottest) {
                    (Some(h), Some(top)) if h == c => Some(format!("color-mix(in srgb, var(--heat) {:.0}%, transparent)", (h.value(b, row) as f64 / top as f64 * 70.0).max(0.0))),
                    _ => None,
                };
                let text = c.cell(b, row, false);
                let title = c.is_text().then(|| text.clone());
                view! { <span role="gridcell" class:num=!c.is_text() class:bad=(c == Column::Errors && row.errors > 0) style:background=warm title=title>{text}</span> }
            }).collect_view();
            view! {
                <div class="row" role="row" aria-rowindex=k + 2 class:missing=row.missing class:current=current == Some(r) aria-selected=(current == Some(r)).to_string()
                    style:top=format!("{}px", k as f64 * ROW_PX) style:grid-template-columns=template() on:click=move |_| pick.run(r)>{cells}</div>
            }
        }).collect_view()
    };
    view! {
        <div class="spans-table stats-table" role="grid" aria-label=label aria-rowcount=move || table.get().0.rows.len() + 1
            node_ref=scroller.viewport on:scroll=move |_| scroller.follow() tabindex="0">
            <div class="row head" role="row" aria-rowindex="1" style:grid-template-columns=template>{headers}</div>
            <div class="rows" role="rowgroup" style:height=move || format!("{}px", order.get().0.len() as f64 * ROW_PX)>{visible}</div>
        </div>
    }
}

/// Self time per service, its part on the critical path coloured (this trace, or all with "Over").
fn services_chart(state: AppState, file: StoredValue<Rc<LoadedFile>, LocalStorage>, ix: usize, all: RwSignal<bool>, file_name: String) -> impl IntoView {
    let by_service = Memo::new(move |_| {
        let all = all.get();
        Shared(Arc::new(file.with_value(|f| breakdown(&f.set, &parts(f, ix, all), Grouping { by: Dimension::Service, then: None }))))
    });
    chart(state, "Time per service", "chart-services", file_name, move || by_service.get(), |canvas, b| charts::draw_services(canvas, &b.0))
}

/// What the histogram shows: the operation's name, its durations in every trace loaded (when there are
/// more than this trace's) and in this trace, and the selected span's duration.
struct Peers {
    operation: String,
    in_loaded: Option<Vec<i64>>,
    in_trace: Vec<i64>,
    selected_ns: Option<i64>,
}

/// The selected span's operation: its durations in this trace and in the file, the span marked.
fn histogram_chart(state: AppState, file: StoredValue<Rc<LoadedFile>, LocalStorage>, ix: usize, file_name: String) -> impl IntoView {
    let file_id = file.with_value(|f| f.id);
    let peers = move || {
        let selected = state.selected_in(file_id, ix).map(|s| s.span);
        let (service, name, in_trace, selected_ns) = file.with_value(|f| {
            let span = selected.and_then(|s| f.set.traces[ix].spans.get(s as usize))?;
            Some((f.set.str(span.service).to_string(), f.set.str(span.name).to_string(), peer_durations(&f.set, [ix], span.service, span.name), span.duration_ns()))
        })?;
        // The same operation (by its names: files have their own string tables) in every file loaded.
        let mut in_loaded: Vec<i64> = state.files.with(|files| {
            files
                .iter()
                .flat_map(|f| match (f.set.strings.lookup(&service), f.set.strings.lookup(&name)) {
                    (Some(s), Some(n)) => peer_durations(&f.set, 0..f.set.traces.len(), s, n),
                    _ => Vec::new(),
                })
                .collect()
        });
        in_loaded.sort_unstable();
        Some(Peers { operation: name, in_loaded: (in_loaded.len() > in_trace.len()).then_some(in_loaded), in_trace, selected_ns: Some(selected_ns) })
    };
    chart(state, "Durations of the selected span's operation", "chart-histogram", file_name, peers, |canvas, peers| match peers {
        Some(p) => charts::draw_histogram(canvas, &p.operation, p.in_loaded.as_deref(), &p.in_trace, p.selected_ns),
        None => charts::draw_histogram(canvas, "", None, &[], None),
    })
}

/// Slices of the trace's time the running-at-once profile is counted in (about one per 1–2 px drawn).
const CONCURRENCY_BINS: usize = 600;

/// Spans running at once over the trace's time, with failed spans marked.
fn concurrency_chart(state: AppState, file: StoredValue<Rc<LoadedFile>, LocalStorage>, ix: usize, file_name: String) -> impl IntoView {
    let profile = file.with_value(|f| {
        let trace = &f.set.traces[ix];
        let (counts, errors) = concurrency(&f.set.strings, trace, CONCURRENCY_BINS);
        Rc::new((counts, errors, trace.end_ns() - trace.start_ns()))
    });
    chart(state, "Spans running at once", "chart-concurrency", file_name, move || profile.clone(), |canvas, p| charts::draw_concurrency(canvas, &p.0, &p.1, p.2))
}
