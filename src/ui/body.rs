//! The trace body until the flame graph lands: a per-service table, and the roots and orphans.
//! Lists are capped: a trace can hold 1M spans, and the DOM must never get a node per span.

use super::format::{count, duration, plural};
use super::state::LoadedFile;
use crate::model::{SpanIx, Trace, TraceSet};
use leptos::prelude::*;
use rustc_hash::FxHashMap;

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
                    {service_table(set, trace)}
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

struct ServiceRow {
    name: String,
    spans: u64,
    errors: u64,
}

/// Spans and error spans per service, most spans first. One pass over the spans.
fn service_rows(set: &TraceSet, trace: &Trace) -> Vec<ServiceRow> {
    let mut by_service: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
    for span in &trace.spans {
        let entry = by_service.entry(span.service).or_default();
        entry.0 += 1;
        entry.1 += span.is_error(&set.strings) as u64;
    }
    let mut rows: Vec<ServiceRow> = by_service
        .into_iter()
        .map(|(sym, (spans, errors))| {
            let name = set.str(sym);
            let name = if name.is_empty() {
                "(no service)".to_string()
            } else {
                name.to_string()
            };
            ServiceRow {
                name,
                spans,
                errors,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.spans.cmp(&a.spans).then_with(|| a.name.cmp(&b.name)));
    rows
}

fn service_table(set: &TraceSet, trace: &Trace) -> impl IntoView {
    let rows = service_rows(set, trace);
    view! {
        <table>
            <thead><tr><th>"Service"</th><th class="num">"Spans"</th><th class="num">"Errors"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td>{row.name}</td>
                        <td class="num">{count(row.spans)}</td>
                        <td class="num" class:bad={row.errors > 0}>{count(row.errors)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
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
                    <td class="name">{set.str(span.name).to_string()}</td>
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
