//! The aggregate tab (`view=aggregate`): the trace, or every trace of the file with the same root
//! operation, merged by path (`analysis::aggregate`) and drawn by the flame graph as a trace of its own;
//! sized by total time or by time on the critical path; a table of every node (count, total, self, p50,
//! p95…); the selected node's callers and callees (its "sandwich") and its slowest instances, which open
//! their trace.

use crate::ui::views::flame::FlameView;
use crate::ui::views::stats::{Shared, StatsTable};
use crate::ui::state::{AppState, LoadedFile, TraceView};
use crate::analysis::aggregate::{aggregate, same_root, sandwich, to_otlp_json, Aggregate, Size};
use crate::analysis::breakdown::{self, Breakdown, Column, Part, Row};
use crate::format::{count, duration, name, plural};
use crate::model::{SpanId, SpanIx};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// An aggregate and the trace drawn for it; `span_of[node]` is the node's span there, `traces` the traces
/// of the file it merges (part `p` is trace `traces[p]`).
pub struct Made {
    pub agg: Aggregate,
    pub drawn: Rc<LoadedFile>,
    pub span_of: Vec<SpanIx>,
    pub node_of: Vec<u32>,
    pub traces: Vec<usize>,
}

/// `span_of[i]`: the span of the made trace whose id is `i + 1` (how the synthetic writers number them);
/// `node_of` the other way.
pub fn numbered(drawn: &LoadedFile, nodes: usize) -> (Vec<SpanIx>, Vec<u32>) {
    let spans = &drawn.set.traces[0].spans;
    let (mut span_of, mut node_of) = (vec![0; nodes], vec![0; spans.len()]);
    for (s, span) in spans.iter().enumerate() {
        if let Some(SpanId::Hex(id)) = span.span_id {
            if let Some(slot) = span_of.get_mut(id as usize - 1) {
                *slot = s as SpanIx;
                node_of[s] = (id - 1) as u32;
            }
        }
    }
    (span_of, node_of)
}

fn make(file: &LoadedFile, ix: usize, all: bool, size: Size) -> Option<Made> {
    let traces = if all { same_root(&file.set, ix) } else { vec![ix] };
    let parts: Vec<Part> = traces.iter().map(|&t| file.part(t)).collect();
    let agg = aggregate(&file.set, &parts);
    let doc = to_otlp_json(&file.set, &agg, size, traces.len());
    let drawn = crate::pipeline::load_analyzed(&format!("aggregate of {}", plural(traces.len() as u64, "trace", "traces")), &doc).ok()?;
    let (span_of, node_of) = numbered(&drawn, agg.nodes.len());
    Some(Made { agg, drawn: Rc::new(drawn), span_of, node_of, traces })
}

/// The nodes as table rows (a path's depth as leading dots), for the statistics table.
fn node_rows(file: &LoadedFile, agg: &Aggregate) -> Breakdown {
    let rows = agg
        .nodes
        .iter()
        .map(|n| Row {
            group: format!("{}{}: {}", "· ".repeat(n.depth as usize), file.set.str(n.service), file.set.str(n.name)),
            count: n.count,
            errors: n.errors,
            traces: n.traces,
            total_ns: n.total_ns,
            min_ns: n.min_ns,
            max_ns: n.max_ns,
            p50_ns: n.p50_ns,
            p95_ns: n.p95_ns,
            self_ns: n.self_ns,
            critical_ns: n.critical_ns,
            ..Row::default()
        })
        .collect();
    Breakdown { rows, self_ns: agg.nodes.iter().map(|n| n.self_ns).sum(), critical_ns: agg.nodes.iter().map(|n| n.critical_ns).sum(), row_of: Vec::new() }
}

const COLUMNS: [Column; 11] =
    [Column::Group, Column::Count, Column::Errors, Column::Total, Column::Min, Column::Max, Column::P50, Column::P95, Column::SelfTotal, Column::Critical, Column::CriticalShare];

#[component]
pub fn AggregateView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let file = StoredValue::new_local(file);
    let (same, root) = file.with_value(|f| {
        let t = &f.set.traces[ix];
        let root = t.tree.roots.first().map(|&r| format!("{}: {}", f.set.str(t.spans[r as usize].service), f.set.str(t.spans[r as usize].name))).unwrap_or_default();
        (same_root(&f.set, ix).len(), root)
    });
    let all = RwSignal::new(false);
    let critical = RwSignal::new(false);
    let made: RwSignal<Option<Rc<Made>>, LocalStorage> = RwSignal::new_local(None);
    Effect::new(move |_| {
        let size = if critical.get() { Size::CriticalPath } else { Size::Total };
        let m = file.with_value(|f| make(f, ix, all.get(), size));
        made.set(m.map(Rc::new));
    });
    let table = Memo::new(move |_| Shared(Arc::new(made.with(|m| m.as_ref().map(|m| file.with_value(|f| node_rows(f, &m.agg))).unwrap_or_default()))));
    let column = RwSignal::new(Column::Total);
    let descending = RwSignal::new(true);
    let order = Memo::new(move |_| Shared(Arc::new(breakdown::sorted(&table.get().0, column.get(), descending.get()))));
    let heat = RwSignal::new(Column::Total.id().to_string());
    let picked = RwSignal::new(None::<usize>);
    // The selected node: a row picked, or a bar clicked in the drawing.
    let selected_node = move || {
        made.with(|m| {
            let m = m.as_ref()?;
            let s = state.selected_in(m.drawn.id, 0)?;
            m.node_of.get(s.span as usize).copied()
        })
    };
    let pick = Callback::new(move |row: usize| {
        picked.set(Some(row));
        if let Some((id, span)) = made.with_untracked(|m| m.as_ref().map(|m| (m.drawn.id, m.span_of[row]))) {
            state.select_in(id, 0, Some(span), true);
        }
    });
    let sort_by = Callback::new(move |c: Column| {
        if column.get_untracked() == c {
            descending.update(|d| *d = !*d);
        } else {
            column.set(c);
            descending.set(!c.is_text());
        }
    });
    let open = move |t: usize, span: SpanIx| {
        let id = file.with_value(|f| f.id);
        state.show_trace(t);
        state.show_view(TraceView::Flame);
        state.select_in(id, t, Some(span), true);
    };
    let node_panel = move || {
        let node = selected_node()?;
        made.with(|m| {
            let m = m.as_ref()?;
            let n = m.agg.nodes.get(node as usize)?;
            file.with_value(|f| {
                let op = |s, n| format!("{}: {}", f.set.str(s), f.set.str(n));
                let sw = sandwich(&m.agg, n.service, n.name);
                let list = |items: &[(crate::model::Sym, crate::model::Sym, u64, i64)]| {
                    items.iter().take(8).map(|&(s, o, c, t)| view! { <li>{name(&op(s, o))}" "<span class="muted">{format!("{} × · {}", count(c), duration(t))}</span></li> }).collect_view()
                };
                let slowest = n.slowest.iter().map(|&(p, span, d)| {
                    let t = m.traces[p as usize];
                    let trace_id = f.summary.traces.get(t).map(|s| s.trace_id.clone()).unwrap_or_default();
                    view! { <li><button class="link" data-testid="slowest-open" data-trace=t + 1 title=format!("Open trace {trace_id}") on:click=move |_| open(t, span)>{format!("{} in trace {}", duration(d), count(t as u64 + 1))}</button></li> }
                }).collect_view();
                Some(view! {
                    <aside class="sandwich" data-testid="sandwich">
                        <h3>{name(&op(n.service, n.name))}</h3>
                        <p class="muted">{format!("{} in {} · {} in total · {} self (everywhere it runs)", plural(sw.count, "call", "calls"), plural(u64::from(n.traces), "trace", "traces"), duration(sw.total_ns), duration(sw.self_ns))}</p>
                        <h4>"Called by"</h4><ul data-testid="callers">{list(&sw.callers)}</ul>
                        <h4>"Calls"</h4><ul data-testid="callees">{list(&sw.callees)}</ul>
                        <h4>"Slowest here"</h4><ul data-testid="slowest">{slowest}</ul>
                    </aside>
                })
            })
        })
    };

    view! {
        <section class="aggregate-view stats-view" data-testid="aggregate-view" aria-label="Aggregate">
            <div class="flame-toolbar">
                <label class="picker">"Over"
                    <select data-testid="aggregate-over" on:change=move |ev| all.set(event_target_value(&ev) == "all")>
                        <option value="trace">"this trace"</option>
                        {(same > 1).then(|| view! { <option value="all">{format!("the {} traces with root {}", count(same as u64), name(&root))}</option> })}
                    </select>
                </label>
                <label class="picker">"Size by"
                    <select data-testid="aggregate-size" on:change=move |ev| critical.set(event_target_value(&ev) == "critical")>
                        <option value="total">"total time"</option>
                        <option value="critical">"time on the critical path"</option>
                    </select>
                </label>
                <span class="muted" data-testid="aggregate-count">{move || made.with(|m| m.as_ref().map(|m| format!("{} from {}", plural(m.agg.nodes.len() as u64, "node", "nodes"), plural(m.traces.len() as u64, "trace", "traces"))))}</span>
            </div>
            {move || made.with(|m| m.as_ref().map(|m| view! { <FlameView state file=m.drawn.clone() ix=0 made=true /> }))}
            <div class="aggregate-below">
                <StatsTable label="Aggregate nodes" table order columns=Signal::derive(|| COLUMNS.to_vec()) heat picked pick column descending sort_by />
                {node_panel}
            </div>
        </section>
    }
}
