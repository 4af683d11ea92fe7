//! The trace header: id, counts, duration, services, warnings, source; the trace picker and the export button.
//! Built once per (file, trace) selection from the precomputed summary: no reactive work per span.

use crate::ui::platform::copy::CopyButton;
use crate::ui::platform::download::{export_csv, export_otlp, export_png, export_summary};
use crate::format::{bytes, count, duration, plural};
use crate::ui::state::{AppState, LoadedFile};
use leptos::prelude::*;
use std::rc::Rc;

/// At most this many warnings and services are listed; the rest are counted.
const LIST_LIMIT: usize = 200;
const SERVICE_CHIPS: usize = 12;

pub fn trace_header(state: AppState, file: Rc<LoadedFile>, ix: usize) -> AnyView {
    let summary = &file.summary;
    let source = format!(
        "{} · {} · {}",
        summary.source.format,
        summary.source.name,
        bytes(summary.source.bytes)
    );
    let warnings = warning_list(&file);
    let Some(trace) = summary.traces.get(ix) else {
        return view! {
            <section class="trace-header" aria-label="Trace">
                <div class="title-row"><span class="muted">"No traces in this file"</span></div>
                <div class="stats"><span class="stat source" data-testid="source">{source}</span></div>
                {warnings}
            </section>
        }
        .into_any();
    };
    // Each export of what is on screen; a failure goes to the console (nothing was lost).
    let exporter = |what: fn(&LoadedFile, usize) -> Result<(), wasm_bindgen::JsValue>| {
        let file = file.clone();
        move |_| {
            if let Err(err) = what(&file, ix) {
                web_sys::console::error_2(&"spanlens: export failed".into(), &err);
            }
        }
    };
    let duration_ns: i64 = trace.duration_nanos.parse().unwrap_or(0);
    let services = service_chips(&trace.services);
    let orphans = trace.orphan_span_ids.len() as u64;
    let duplicates = trace.duplicate_span_ids.len() as u64;
    view! {
        <section class="trace-header" aria-label="Trace">
            <div class="title-row">
                <span class="label">"Trace"</span>
                <code class="trace-id" data-testid="trace-id" title="Trace id">{trace.trace_id.clone()}</code>
                <CopyButton text=trace.trace_id.clone() label="Copy" title="Copy the trace id" />
                {back_to_list(state, &file, ix)}
                <span class="spacer"></span>
                <span class="exports" role="group" aria-label="Export">
                    <button on:click=exporter(|f, _| export_summary(f)) title="Download the spanlens.summary/1 JSON">"Export analysis"</button>
                    <button on:click=exporter(export_otlp) data-testid="export-otlp" title="Download this trace as OTLP/JSON, whatever format it came in">"OTLP/JSON"</button>
                    <button on:click=exporter(export_flame_png) data-testid="export-png" title="Download the flame graph as drawn, as PNG at the screen's resolution">"PNG"</button>
                    <button on:click=exporter(export_services_csv) data-testid="export-csv" title="Download the services table as CSV">"CSV"</button>
                </span>
            </div>
            <div class="stats">
                <span class="stat" data-testid="span-count">
                    <b>{count(trace.span_count)}</b>{if trace.span_count == 1 { " span" } else { " spans" }}
                </span>
                <span class="stat" data-testid="duration"><b>{duration(duration_ns)}</b>" duration"</span>
                <span class="stat" class:bad={trace.error_span_count > 0} data-testid="error-count">
                    <b>{count(trace.error_span_count)}</b>{if trace.error_span_count == 1 { " error" } else { " errors" }}
                </span>
                <span class="stat" data-testid="service-count">
                    <b>{count(trace.services.len() as u64)}</b>{if trace.services.len() == 1 { " service" } else { " services" }}
                </span>
                {(orphans > 0).then(|| view! {
                    <span class="stat warn" data-testid="orphan-count">{plural(orphans, "orphan", "orphans")}</span>
                })}
                {(duplicates > 0).then(|| view! {
                    <span class="stat warn">{plural(duplicates, "duplicate id", "duplicate ids")}</span>
                })}
                <span class="stat source" data-testid="source">{source}</span>
            </div>
            <div class="services" data-testid="services">{services}</div>
            {warnings}
        </section>
    }
    .into_any()
}

/// The way back to the list this trace was opened from: for a file with several traces, its list (which is
/// the picker: a select with an option per trace would be 10,000 DOM nodes for a collector's file), with
/// which trace this is; for a trace opened from the search page, its results.
fn back_to_list(state: AppState, file: &LoadedFile, ix: usize) -> AnyView {
    let n = file.set.traces.len();
    let id = file.id;
    if n > 1 {
        return view! {
            <button class="small" data-testid="back-to-results" on:click=move |_| crate::ui::actions::navigate::back_to_list(state)>
                "← Back to results"
            </button>
            <span class="muted" data-testid="trace-position">{format!("trace {} of {}", count(ix as u64 + 1), count(n as u64))}</span>
        }
        .into_any();
    }
    (move || {
        (state.from_results.get() == Some(id)).then(|| view! {
            <button class="small" data-testid="back-to-results" on:click=move |_| crate::ui::actions::navigate::back_to_results(state)>
                "← Back to results"
            </button>
        })
    })
    .into_any()
}

fn service_chips(services: &[String]) -> AnyView {
    let more = services.len().saturating_sub(SERVICE_CHIPS);
    view! {
        {services.iter().take(SERVICE_CHIPS).map(|s| view! { <span class="chip">{s.clone()}</span> }).collect_view()}
        {(more > 0).then(|| view! { <span class="muted">{format!("+{} more", count(more as u64))}</span> })}
    }
    .into_any()
}

/// File and trace warnings plus rejected span objects, as one expandable list.
fn warning_list(file: &LoadedFile) -> Option<AnyView> {
    let summary = &file.summary;
    let rejected = summary.rejected.iter().map(|r| {
        format!(
            "{} rejected: {}",
            plural(r.count, "span object", "span objects"),
            r.reason
        )
    });
    let items: Vec<String> = rejected.chain(summary.warnings.iter().cloned()).collect();
    if items.is_empty() {
        return None;
    }
    let total = items.len();
    let more = total.saturating_sub(LIST_LIMIT);
    Some(
        view! {
            <details class="warnings" data-testid="warnings">
                <summary>{plural(total as u64, "warning", "warnings")}</summary>
                <ul>
                    {items.into_iter().take(LIST_LIMIT).map(|w| view! { <li>{w}</li> }).collect_view()}
                    {(more > 0).then(|| view! { <li class="muted">{format!("+{} more", count(more as u64))}</li> })}
                </ul>
            </details>
        }
        .into_any(),
    )
}

/// The flame graph on screen as PNG.
fn export_flame_png(file: &LoadedFile, _ix: usize) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let canvas = document().query_selector("[data-testid=flame-canvas]")?.ok_or("no flame graph on screen")?;
    export_png(file, canvas.unchecked_ref())
}

/// The services table below the flame graph as CSV.
fn export_services_csv(file: &LoadedFile, ix: usize) -> Result<(), wasm_bindgen::JsValue> {
    let analysis = file.analyses.get(ix).ok_or("no such trace")?;
    export_csv(file.name(), "services", &crate::ui::views::body::services_csv(&file.set, &analysis.stats))
}
