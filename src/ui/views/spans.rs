//! The spans tab: every span of the trace as a row (`view::spans`), sorted by any column, filtered by the
//! search language, a click selects (the one selection), CSV of what is shown. Only the rows in view exist
//! in the DOM: 1M spans make ~40 rows.

use crate::ui::state::{AppState, LoadedFile, TraceView};
use crate::analysis::search;
use crate::format::{count, duration, name, plural};
use crate::model::SpanIx;
use crate::view::spans::{sorted, Column};
use leptos::html;
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// Row height, CSS px (style/main.css `.spans-table .row` agrees), and rows drawn beyond those in view.
pub const ROW_PX: f64 = 26.0;
const OVERSCAN: usize = 8;

#[component]
pub fn SpansView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let file = StoredValue::new_local(file);
    let column = RwSignal::new(Column::Start);
    let descending = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    // The spans the search lets through (all when empty), then in the chosen order.
    let kept = Memo::new(move |_| {
        let query = state.look.with(|l| l.query.clone());
        let (keep, said) = file.with_value(|f| search_keep(f, ix, &query));
        status.set(said);
        keep
    });
    let order = Memo::new(move |_| {
        let keep = kept.get();
        let (column, descending) = (column.get(), descending.get());
        Arc::new(file.with_value(|f| sorted(&f.set, &f.set.traces[ix], &f.analyses[ix], keep.as_deref().map(|k| k.as_slice()), column, descending)))
    });
    let sort_by = move |c: Column| {
        if column.get_untracked() == c {
            descending.update(|d| *d = !*d);
        } else {
            column.set(c);
            descending.set(c.descending_first());
        }
    };
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        state.look.update(|l| l.query = text);
    };
    let csv = move |_| {
        let text = file.with_value(|f| spans_csv(&f, ix, &order.get_untracked()));
        let name = file.with_value(|f| f.name().to_string());
        if let Err(err) = crate::ui::platform::download::export_csv(&name, "spans", &text) {
            web_sys::console::error_2(&"spanlens: export failed".into(), &err);
        }
    };
    let headers = Column::ALL.map(|c| {
        let arrow = move || match (column.get() == c, descending.get()) {
            (true, true) => " ↓",
            (true, false) => " ↑",
            _ => "",
        };
        let numeric = !matches!(c, Column::Service | Column::Operation | Column::Kind | Column::Status);
        view! {
            <button role="columnheader" class="sort-head" class:num=numeric data-testid=format!("sort-{}", c.label().to_lowercase().replace(' ', "-"))
                aria-sort=move || match (column.get() == c, descending.get()) { (true, true) => "descending", (true, false) => "ascending", _ => "none" }
                on:click=move |_| sort_by(c)>{c.label()}{arrow}</button>
        }
    });
    view! {
        <section class="spans-view" data-testid="spans-view" aria-label="Spans">
            <div class="flame-toolbar">
                <input type="search" class="search" data-testid="spans-search" aria-label="Filter spans"
                    placeholder="Filter spans   e.g. service:db status:error >10ms" prop:value=move || state.look.with(|l| l.query.clone()) on:input=on_search />
                <span class="search-status" data-testid="spans-search-status">{move || status.get()}</span>
                <span class="muted" data-testid="spans-count">{move || format!("{} of {}", plural(order.get().len() as u64, "span", "spans"), count(file.with_value(|f| f.set.traces[ix].spans.len()) as u64))}</span>
                <button class="small" data-testid="export-spans-csv" title="Download the spans shown, in this order, as CSV" on:click=csv>"CSV"</button>
            </div>
            <div class="flame-main">
                <Table state file ix order headers=headers.into_iter().collect_view().into_any() />
                {span_panel(state, file, ix)}
            </div>
        </section>
    }
}

/// The spans the search lets through (`None`: the search is empty, all), and what the search box says (the
/// number of matches, or where the query does not read).
pub fn search_keep(file: &LoadedFile, ix: usize, query: &str) -> (Option<Arc<Vec<bool>>>, String) {
    let trace = &file.set.traces[ix];
    match query.trim() {
        "" => (None, String::new()),
        text => match search::parse(text) {
            Ok(q) => {
                let mut keep = vec![false; trace.spans.len()];
                let found = q.matching(&file.set, trace);
                found.iter().for_each(|&s| keep[s as usize] = true);
                (Some(Arc::new(keep)), plural(found.len() as u64, "match", "matches"))
            }
            Err(err) => (None, format!("column {}: {}", err.position + 1, err.message)),
        },
    }
}

/// The scroll of a virtualised grid of fixed-height rows: which rows are in view, a few beyond.
#[derive(Clone, Copy)]
pub struct Scroller {
    pub viewport: NodeRef<html::Div>,
    scroll: RwSignal<f64>,
    height: RwSignal<f64>,
}

impl Scroller {
    pub fn new() -> Scroller {
        let scroller = Scroller { viewport: NodeRef::new(), scroll: RwSignal::new(0.0), height: RwSignal::new(600.0) };
        Effect::new(move |_| {
            if let Some(el) = scroller.viewport.get() {
                scroller.height.set(el.client_height() as f64);
            }
        });
        scroller
    }

    /// For the grid's `on:scroll`.
    pub fn follow(&self) {
        if let Some(el) = self.viewport.get_untracked() {
            self.scroll.set(el.scroll_top() as f64);
        }
    }

    /// The rows of `n` to put in the DOM (tracked: recomputed as the grid scrolls).
    pub fn rows(&self, n: usize) -> std::ops::Range<usize> {
        let (scroll, height) = (self.scroll.get(), self.height.get());
        let first = ((scroll / ROW_PX) as usize).saturating_sub(OVERSCAN).min(n);
        first..(((scroll + height) / ROW_PX).ceil() as usize + OVERSCAN).min(n)
    }

    /// Scrolls row `k` into the upper third of the view.
    pub fn show(&self, k: usize) {
        if let Some(el) = self.viewport.get_untracked() {
            el.set_scroll_top((k as f64 * ROW_PX - self.height.get_untracked() / 3.0).max(0.0) as i32);
        }
    }
}

/// The span panel beside a table, for the selected span of this trace; it leads to the timeline.
pub fn span_panel(state: AppState, file: StoredValue<Rc<LoadedFile>, LocalStorage>, ix: usize) -> impl IntoView {
    let file_id = file.with_value(|f| f.id);
    move || {
        state.selected_in(file_id, ix).map(|selection| {
            let show_in = ("Show in timeline", Callback::new(move |_| state.show_view(TraceView::Timeline)));
            let on_select = Callback::new(move |s: Option<SpanIx>| state.select(s, s.is_some()));
            view! { <crate::ui::views::flame::detail::SpanDetail file=file.get_value() ix span=selection.span show_in on_select time=state.time.get() /> }
        })
    }
}

/// The grid: only the rows in view (and a few beyond) exist.
#[component]
fn Table(state: AppState, file: StoredValue<Rc<LoadedFile>, LocalStorage>, ix: usize, order: Memo<Arc<Vec<SpanIx>>>, headers: AnyView) -> impl IntoView {
    let scroller = Scroller::new();
    let file_id = file.with_value(|f| f.id);
    // A selection made elsewhere (reveal) scrolls its row into view.
    Effect::new(move |_| {
        let Some(selection) = state.selected_in(file_id, ix).filter(|s| s.reveal) else { return };
        if let Some(at) = order.with_untracked(|o| o.iter().position(|&s| s == selection.span)) {
            scroller.show(at);
        }
    });
    let visible = move || {
        let order = order.get();
        let selected = state.selected_in(file_id, ix).map(|s| s.span);
        let time = state.time.get();
        file.with_value(|f| {
            let (set, trace, analysis) = (&f.set, &f.set.traces[ix], &f.analyses[ix]);
            let origin = trace.start_ns();
            scroller.rows(order.len())
                .map(|k| {
                    let span_ix = order[k];
                    let s = &trace.spans[span_ix as usize];
                    let failed = s.status == crate::model::StatusCode::Error;
                    let absolute = crate::formats::rfc3339(s.start_ns);
                    view! {
                        <div class="row" role="row" aria-rowindex=k + 2 class:bad=failed class:current=selected == Some(span_ix)
                            aria-selected=(selected == Some(span_ix)).to_string() style:top=format!("{}px", k as f64 * ROW_PX)
                            on:click=move |_| state.select(Some(span_ix), false)>
                            <span role="gridcell">{name(set.str(s.service))}</span>
                            <span role="gridcell" class="op">{name(set.str(s.name))}</span>
                            <span role="gridcell">{s.kind.as_str()}</span>
                            <span role="gridcell" class:bad=failed>{s.status.as_str()}</span>
                            <span role="gridcell" class="num" title=absolute>{time.show(s.start_ns, origin)}</span>
                            <span role="gridcell" class="num">{duration(s.duration_ns())}</span>
                            <span role="gridcell" class="num">{duration(analysis.stats.self_ns[span_ix as usize])}</span>
                            <span role="gridcell" class="num">{duration(analysis.critical_path.contribution_ns[span_ix as usize])}</span>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="spans-table" role="grid" aria-label="Spans" aria-rowcount=move || order.get().len() + 1 node_ref=scroller.viewport on:scroll=move |_| scroller.follow() tabindex="0">
            <div class="row head" role="row" aria-rowindex="1">{headers}</div>
            <div class="rows" role="rowgroup" style:height=move || format!("{}px", order.get().len() as f64 * ROW_PX)>{visible}</div>
        </div>
    }
}

/// The spans shown, in their order, as CSV (times in ns; start also as RFC 3339).
fn spans_csv(file: &LoadedFile, ix: usize, order: &[SpanIx]) -> String {
    let (set, trace, analysis) = (&file.set, &file.set.traces[ix], &file.analyses[ix]);
    let origin = trace.start_ns();
    let header = ["span_id", "parent_id", "service", "operation", "kind", "status", "start", "start_offset_ns", "duration_ns", "self_ns", "critical_path_ns"];
    let rows = order.iter().map(|&i| {
        let s = &trace.spans[i as usize];
        let id = |id: Option<crate::model::SpanId>| id.map(|id| id.display(&set.strings)).unwrap_or_default();
        vec![
            id(s.span_id),
            id(s.parent_id),
            set.str(s.service).to_string(),
            set.str(s.name).to_string(),
            s.kind.as_str().to_string(),
            s.status.as_str().to_string(),
            crate::formats::rfc3339(s.start_ns),
            (s.start_ns - origin).to_string(),
            s.duration_ns().to_string(),
            analysis.stats.self_ns[i as usize].to_string(),
            analysis.critical_path.contribution_ns[i as usize].to_string(),
        ]
    });
    crate::export::csv(&header, rows)
}
