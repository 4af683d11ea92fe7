//! Below the flame graph: time per service (from the statistics computed at load), and the roots and orphans.
//! Lists are capped: a trace can hold 1M spans, and the DOM must never get a node per span.

use crate::format::{count, duration, plural};
use crate::ui::state::LoadedFile;
use crate::analysis::stats::Stats;
use crate::model::{SpanIx, Trace, TraceSet};
use leptos::prelude::*;

/// Roots and orphans listed per trace; the rest are counted.
const SPAN_LIST_LIMIT: usize = 50;

pub fn trace_body(file: &LoadedFile, ix: usize) -> Option<AnyView> {
    let set = &file.set;
    let trace = set.traces.get(ix)?;
    let roots = trace.tree.true_roots(&trace.spans);
    let orphans = &trace.tree.orphans;
    Some(
        view! {
            <div class="trace-body">
                <section class="panel services-panel" data-testid="services-table">
                    <h2>"Services"</h2>
                    {service_table(set, &file.analyses[ix].stats)}
                </section>
                <div class="span-lists">
                    <section class="panel" data-testid="roots">
                        <h2>{plural(roots.len() as u64, "root", "roots")}</h2>
                        {span_table(set, trace, &roots, false)}
                    </section>
                    {(!orphans.is_empty()).then(|| view! {
                        <section class="panel" data-testid="orphans">
                            <h2>{plural(orphans.len() as u64, "orphan", "orphans")}</h2>
                            <p class="muted">"Their parent span is not in the trace: broken context propagation. Shown as extra roots."</p>
                            {span_table(set, trace, orphans, true)}
                        </section>
                    })}
                </div>
            </div>
        }
        .into_any(),
    )
}

/// Per service, from the statistics computed at load (most total time first): spans, errors, total time, self
/// time and time on the critical path.
fn service_table(set: &TraceSet, stats: &Stats) -> impl IntoView {
    let rows = stats.by_service.iter().map(|g| (service_name(set, g.service), g));
    view! {
        <table>
            <thead><tr>
                <th>"Service"</th><th class="num">"Spans"</th><th class="num">"Errors"</th>
                <th class="num">"Total"</th><th class="num">"Self time"</th><th class="num">"Critical path"</th>
            </tr></thead>
            <tbody>
                {rows.map(|(name, g)| {
                    view! {
                        <tr>
                            <td>{name}</td>
                            <td class="num">{count(g.count)}</td>
                            <td class="num" class:bad={g.errors > 0}>{count(g.errors)}</td>
                            <td class="num">{duration(g.total_ns)}</td>
                            <td class="num">{duration(g.self_ns)}</td>
                            <td class="num">{duration(g.critical_ns)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn service_name(set: &TraceSet, service: crate::model::Sym) -> String {
    match set.str(service) {
        "" => "(no service)".to_string(),
        name => name.to_string(),
    }
}

/// The services table as CSV (times in ns, for a spreadsheet to compute with).
pub fn services_csv(set: &TraceSet, stats: &Stats) -> String {
    let header = ["service", "spans", "errors", "total_ns", "self_ns", "critical_path_ns"];
    let rows = stats.by_service.iter().map(|g| {
        vec![service_name(set, g.service), g.count.to_string(), g.errors.to_string(), g.total_ns.to_string(), g.self_ns.to_string(), g.critical_ns.to_string()]
    });
    crate::export::csv(&header, rows)
}

/// The first `SPAN_LIST_LIMIT` of `spans` with id, name, service and duration; orphans also show the missing parent.
fn span_table(set: &TraceSet, trace: &Trace, spans: &[SpanIx], orphans: bool) -> impl IntoView {
    let more = spans.len().saturating_sub(SPAN_LIST_LIMIT);
    let id_text = |id: Option<crate::model::SpanId>| {
        id.map(|id| id.display(&set.strings))
            .unwrap_or_else(|| "(none)".into())
    };
    let rows = spans
        .iter()
        .take(SPAN_LIST_LIMIT)
        .filter_map(|&ix| trace.spans.get(ix as usize))
        .map(|span| {
            let parent = orphans.then(|| view! { <td><code>{id_text(span.parent_id)}</code></td> });
            view! {
                <tr>
                    <td><code>{id_text(span.span_id)}</code></td>
                    <td class="name">{crate::format::name(set.str(span.name))}</td>
                    <td>{set.str(span.service).to_string()}</td>
                    <td class="num">{duration(span.duration_ns())}</td>
                    {parent}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead>
                <tr>
                    <th>"Span"</th><th>"Name"</th><th>"Service"</th><th class="num">"Duration"</th>
                    {orphans.then(|| view! { <th>"Missing parent"</th> })}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {(more > 0).then(|| view! { <p class="muted more">{format!("+{} more", count(more as u64))}</p> })}
    }
}
