//! The trace list of a file that holds several traces (a collector's file exporter writes thousands): a
//! scatter of start time × duration drawn with plotters on a canvas (dot size = spans, errors red), and a
//! sortable table that creates a DOM row only for the rows in view. A dot or a row opens its trace; the
//! browser's Back button and "Back to results" return here with the order and scroll kept. Two rows picked
//! open the first in the compare tab against the second.

use crate::ui::state::{AppState, ListPlace, LoadedFile};
use crate::format::{count, duration, name, plural};
use crate::trace_list::{rows_of, sorted, SortKey, TraceRow};
use leptos::html;
use leptos::prelude::*;
use plotters::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// Table row height in CSS pixels (style/main.css `.trace-table .row` agrees), and the rows drawn beyond
/// the visible ones on each side.
const ROW_PX: f64 = 30.0;
const OVERSCAN: usize = 8;
/// Scatter height in CSS pixels.
const SCATTER_PX: f64 = 260.0;

/// The trace list of the file on screen.
#[component]
pub fn FileTraces(state: AppState, file: Rc<LoadedFile>) -> impl IntoView {
    let rows = Arc::new(rows_of(&file));
    let title = format!("{} in {}", plural(rows.len() as u64, "trace", "traces"), file.name());
    // A file's rows are its traces, in file order.
    let open = Callback::new(move |index: usize| crate::ui::actions::navigate::open_file_trace(state, index));
    view! { <TraceList state rows title place=state.file_list open /> }
}

/// A list of traces (a file's, or a search's answer): heading, scatter and table. `open` gets an index into
/// `rows`. The arrow keys move through the table, Enter opens.
#[component]
pub fn TraceList(
    state: AppState,
    rows: Arc<Vec<TraceRow>>,
    title: String,
    /// What the list is of, in a few words (a search's fields).
    #[prop(optional)]
    about: Option<String>,
    place: ListPlace,
    open: Callback<usize>,
    /// More buttons for the heading (a search's "Open all as one file").
    #[prop(optional, into)]
    actions: Option<ViewFn>,
) -> impl IntoView {
    let order = Memo::new({
        let rows = rows.clone();
        move |_| Arc::new(sorted(&rows, place.sort.get()))
    });
    let errors: u64 = rows.iter().map(|r| r.errors).sum();
    // Rows picked to compare, oldest first: at most two (a third replaces the oldest).
    let picked: RwSignal<Vec<usize>> = RwSignal::new(Vec::new());
    let compare = {
        let rows = rows.clone();
        move |_| {
            if let [a, b] = picked.get_untracked()[..] {
                state.compare_with.set(Some(crate::ui::state::CompareWith { for_a: Some(rows[a].trace_id.clone()), b: rows[b].trace_id.clone() }));
                state.show_view(crate::ui::state::TraceView::Compare);
                place.current.set(Some(a));
                open.run(a);
            }
        }
    };
    let on_sort = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some(key) = SortKey::from_id(&value) {
            place.scroll.set_value(0.0);
            place.sort.set(key);
        }
    };
    // The list as CSV, in the order on screen.
    let csv = {
        let rows = rows.clone();
        move |_| {
            let order = order.get_untracked();
            let header = ["trace_id", "root_service", "root_operation", "services", "spans", "errors", "duration_ns", "start_unix_ns"];
            let lines = order.iter().map(|&i| {
                let r = &rows[i as usize];
                vec![r.trace_id.clone(), r.root_service.clone(), r.root_name.clone(), r.services.join(" "), r.spans.to_string(), r.errors.to_string(), r.duration_ns.to_string(), r.start_ns.to_string()]
            });
            let text = crate::export::csv(&header, lines);
            if let Err(err) = crate::ui::platform::download::export_csv("spanlens", "traces", &text) {
                web_sys::console::error_2(&"spanlens: export failed".into(), &err);
            }
        }
    };
    view! {
        <section class="panel trace-list" data-testid="trace-list">
            <header class="list-header">
                <h2>{title}</h2>
                {about.map(|about| view! { <span class="about">{about}</span> })}
                <span class="muted">{format!("{} with errors", count(rows.iter().filter(|r| r.errors > 0).count() as u64))}</span>
                <span class="muted">{plural(errors, "failed span", "failed spans")}</span>
                <label class="sort">
                    "Sort "
                    <select data-testid="trace-sort" on:change=on_sort prop:value=move || place.sort.get().id()>
                        {SortKey::ALL.iter().map(|k| view! { <option value=k.id()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                {actions.map(|a| a.run())}
                <button class="small" data-testid="compare-picked" disabled=move || picked.with(|p| p.len() != 2)
                    title="Pick two traces with the boxes at the left of their rows: the first opens, compared with the second"
                    on:click=compare>{move || match picked.with(Vec::len) {
                        0 => "Compare: pick two",
                        1 => "Compare: pick one more",
                        _ => "Compare A with B",
                    }}</button>
                <button class="small" data-testid="export-csv" title="Download the list as CSV, in this order" on:click=csv>"CSV"</button>
            </header>
            <Scatter rows=rows.clone() open state />
            <Table rows order place open picked />
        </section>
    }
}

/// The table: a grid of `n` rows of which only those in view (and a few beyond) exist in the DOM.
#[component]
fn Table(rows: Arc<Vec<TraceRow>>, order: Memo<Arc<Vec<u32>>>, place: ListPlace, open: Callback<usize>, picked: RwSignal<Vec<usize>>) -> impl IntoView {
    let n = rows.len();
    let scroll = RwSignal::new(place.scroll.get_value());
    let height = RwSignal::new(480.0);
    let viewport = NodeRef::<html::Div>::new();
    // Back from a trace: the list comes back at the same place.
    Effect::new(move |_| {
        if let Some(el) = viewport.get() {
            el.set_scroll_top(scroll.get_untracked() as i32);
            height.set(el.client_height() as f64);
        }
    });
    let on_scroll = move |_| {
        if let Some(el) = viewport.get() {
            let top = el.scroll_top() as f64;
            place.scroll.set_value(top);
            scroll.set(top);
        }
    };
    // The arrow keys move the current row (bringing it into view), Enter opens it.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if n == 0 {
            return;
        }
        let order = order.get_untracked();
        let at = place.current.get_untracked().and_then(|c| order.iter().position(|&i| i as usize == c));
        let page = ((height.get_untracked() / ROW_PX) as usize).saturating_sub(2).max(1);
        let to = match ev.key().as_str() {
            "ArrowDown" => at.map_or(0, |k| (k + 1).min(n - 1)),
            "ArrowUp" => at.map_or(0, |k| k.saturating_sub(1)),
            "PageDown" => at.map_or(0, |k| (k + page).min(n - 1)),
            "PageUp" => at.map_or(0, |k| k.saturating_sub(page)),
            "Home" => 0,
            "End" => n - 1,
            "Enter" => {
                if let Some(index) = place.current.get_untracked() {
                    open.run(index);
                }
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        place.current.set(Some(order[to] as usize));
        if let Some(el) = viewport.get_untracked() {
            // Rows start below the sticky heading row.
            let (top, view) = (to as f64 * ROW_PX, el.scroll_top() as f64);
            let visible = el.client_height() as f64 - ROW_PX;
            if top < view {
                el.set_scroll_top(top as i32);
            } else if top + ROW_PX > view + visible {
                el.set_scroll_top((top + ROW_PX - visible) as i32);
            }
        }
    };
    let origin = rows.iter().map(|r| r.start_ns).min().unwrap_or(0);
    let visible = move || {
        let first = ((scroll.get() / ROW_PX) as usize).saturating_sub(OVERSCAN);
        let last = (((scroll.get() + height.get()) / ROW_PX).ceil() as usize + OVERSCAN).min(n);
        let order = order.get();
        (first..last)
            .map(|k| {
                let index = order[k] as usize;
                let row = &rows[index];
                let failed = row.errors > 0;
                let current = move || place.current.get() == Some(index);
                let pick = move |_| {
                    picked.update(|p| match p.iter().position(|&i| i == index) {
                        Some(at) => drop(p.remove(at)),
                        None => {
                            p.push(index);
                            if p.len() > 2 {
                                p.remove(0);
                            }
                        }
                    })
                };
                view! {
                    <div class="row" role="row" aria-rowindex=k + 2 class:bad=failed class:current=current aria-selected=move || current().to_string() style:top=format!("{}px", k as f64 * ROW_PX)
                        data-trace=row.trace_id.clone() on:click=move |_| { place.current.set(Some(index)); open.run(index) }>
                        <span role="gridcell" class="pick" on:click=|ev| ev.stop_propagation()>
                            <input type="checkbox" data-testid="pick" aria-label="Pick to compare" on:change=pick
                                prop:checked=move || picked.with(|p| p.contains(&index)) />
                            {move || picked.with(|p| p.iter().position(|&i| i == index)).map(|k| if k == 0 { "A" } else { "B" })}
                        </span>
                        <span role="gridcell" class="root"><strong>{name(&row.root_service)}</strong>" "{name(&row.root_name)}</span>
                        <span role="gridcell" class="services" title=services(&row.services)>{services(&row.services)}</span>
                        <span role="gridcell" class="num">{count(row.spans)}</span>
                        <span role="gridcell" class="num" class:bad=failed>{count(row.errors)}</span>
                        <span role="gridcell" class="num">{duration(row.duration_ns)}</span>
                        <span role="gridcell" class="num muted">{format!("+{}", duration(row.start_ns - origin))}</span>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <div class="trace-table" role="grid" aria-label="Traces" aria-rowcount=n + 1 node_ref=viewport on:scroll=on_scroll on:keydown=on_key tabindex="0">
            <div class="row head" role="row" aria-rowindex="1">
                <span role="columnheader" class="pick" title="Pick two to compare">"A/B"</span>
                <span role="columnheader">"Root service and operation"</span>
                <span role="columnheader">"Services"</span>
                <span role="columnheader" class="num">"Spans"</span>
                <span role="columnheader" class="num">"Errors"</span>
                <span role="columnheader" class="num">"Duration"</span>
                <span role="columnheader" class="num">"Start"</span>
            </div>
            <div class="rows" role="rowgroup" style:height=format!("{}px", n as f64 * ROW_PX)>{visible}</div>
        </div>
    }
}

/// "3: customer, driver, frontend" (the cell clips what does not fit; the tip has all).
fn services(list: &[String]) -> String {
    match list {
        [] => String::new(),
        [one] => name(one),
        _ => format!("{}: {}", list.len(), list.iter().map(|s| name(s)).collect::<Vec<_>>().join(", ")),
    }
}

/// Where the scatter put its dots, to find the one under the pointer.
#[derive(Clone, Default)]
struct Placed {
    /// (x, y, radius) in CSS pixels, in row order.
    dots: Vec<(f64, f64, f64)>,
}

#[component]
fn Scatter(rows: Arc<Vec<TraceRow>>, open: Callback<usize>, state: AppState) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let placed = StoredValue::new(Placed::default());
    let hover: RwSignal<Option<(usize, f64, f64)>> = RwSignal::new(None);
    let n = rows.len();
    let errors = rows.iter().filter(|r| r.errors > 0).count();
    // Redrawn at the new width when the window is resized.
    let width = RwSignal::new(0);
    let on_resize = window_event_listener(leptos::ev::resize, move |_| width.set(window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(0.0) as i32));
    on_cleanup(move || on_resize.remove());
    {
        let rows = rows.clone();
        Effect::new(move |_| {
            let _ = (state.theme.get(), width.get()); // redrawn when the theme or the width changes
            if let Some(canvas) = canvas.get() {
                placed.set_value(draw(&canvas, &rows));
            }
        });
    }
    let nearest = move |ev: &web_sys::MouseEvent| -> Option<usize> {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        placed.with_value(|p| {
            let distance = |&(i, (dx, dy, r)): &(usize, &(f64, f64, f64))| (i, ((dx - x).powi(2) + (dy - y).powi(2)).sqrt() - r);
            p.dots.iter().enumerate().map(|(i, d)| distance(&(i, d))).filter(|&(_, d)| d <= 6.0).min_by(|a, b| a.1.total_cmp(&b.1)).map(|(i, _)| i)
        })
    };
    let on_move = move |ev: web_sys::MouseEvent| hover.set(nearest(&ev).map(|i| (i, ev.offset_x() as f64, ev.offset_y() as f64)));
    let on_click = move |ev: web_sys::MouseEvent| {
        if let Some(i) = nearest(&ev) {
            open.run(i);
        }
    };
    let label = format!("Scatter of {} by start time and duration; {} with errors, in red", plural(n as u64, "trace", "traces"), count(errors as u64));
    let tip_rows = rows.clone();
    view! {
        <div class="scatter">
            <canvas node_ref=canvas data-testid="scatter" aria-label=label role="img" style:height=format!("{SCATTER_PX}px")
                on:mousemove=on_move on:mouseleave=move |_| hover.set(None) on:click=on_click></canvas>
            {move || hover.get().map(|(i, x, y)| {
                let row = &tip_rows[i];
                view! {
                    <div class="scatter-tip" data-testid="scatter-tip" style:left=format!("{:.0}px", x + 12.0) style:top=format!("{:.0}px", y + 12.0)>
                        <strong>{name(&row.root_service)}</strong>" "{name(&row.root_name)}<br/>
                        {format!("{} · {} · {}", duration(row.duration_ns), plural(row.spans, "span", "spans"), plural(row.errors, "error", "errors"))}
                    </div>
                }
            })}
        </div>
    }
}

/// Draws the scatter at the canvas's size (device pixels) and gives where each row's dot is.
fn draw(canvas: &web_sys::HtmlCanvasElement, rows: &[TraceRow]) -> Placed {
    let Some((root, look)) = crate::ui::views::charts::surface(canvas, SCATTER_PX) else { return Placed::default() };
    let dpr = look.dpr;
    let origin = rows.iter().map(|r| r.start_ns).min().unwrap_or(0);
    let x_of = |r: &TraceRow| (r.start_ns - origin) as f64 / 1e9;
    let y_of = |r: &TraceRow| r.duration_ns as f64 / 1e6;
    let x_max = rows.iter().map(x_of).fold(0.0, f64::max).max(1e-3) * 1.02;
    let y_max = rows.iter().map(y_of).fold(0.0, f64::max).max(1e-3) * 1.05;
    // Dot area grows with the spans, from the fewest to the most; dots are smaller and fainter when many.
    // Relative to the most, not to the fewest: traces of about the same size get dots of about one size.
    let most = rows.iter().map(|r| r.spans).max().unwrap_or(0) as f64;
    let dense = rows.len() > 1000;
    let (smallest, growth) = if dense { (1.5, 3.0) } else { (2.5, 5.0) };
    let radius = |r: &TraceRow| (smallest + growth * (r.spans as f64 / most.max(1.0)).sqrt()) * dpr;
    let (ok_alpha, bad_alpha) = if dense { (0.35, 0.6) } else { (0.6, 0.9) };
    let (accent, bad) = (look.accent, look.bad);
    let chart = (|| -> Option<Placed> {
        let mut chart = ChartBuilder::on(&root)
            .margin((10.0 * dpr) as i32)
            .x_label_area_size((36.0 * dpr) as i32)
            .y_label_area_size((64.0 * dpr) as i32)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .ok()?;
        crate::ui::views::charts::themed(&mut chart.configure_mesh(), &look)
            .x_desc("start, after the first trace")
            .y_desc("duration")
            .x_label_formatter(&|s| duration((s * 1e9) as i64))
            .y_label_formatter(&|ms| duration((ms * 1e6) as i64))
            .x_labels(8)
            .y_labels(5)
            .draw()
            .ok()?;
        // Errors last, so that red dots stay on top.
        let dot = |r: &TraceRow| {
            let style = if r.errors > 0 { bad.mix(bad_alpha).filled() } else { accent.mix(ok_alpha).filled() };
            Circle::new((x_of(r), y_of(r)), radius(r), style)
        };
        chart.draw_series(rows.iter().filter(|r| r.errors == 0).map(dot)).ok()?;
        chart.draw_series(rows.iter().filter(|r| r.errors > 0).map(dot)).ok()?;
        let dots = rows
            .iter()
            .map(|r| {
                let (px, py) = chart.backend_coord(&(x_of(r), y_of(r)));
                (px as f64 / dpr, py as f64 / dpr, radius(r) / dpr)
            })
            .collect();
        root.present().ok()?;
        Some(Placed { dots })
    })();
    chart.unwrap_or_default()
}
