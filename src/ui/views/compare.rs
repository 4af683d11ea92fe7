//! The compare tab (`view=compare`): this trace (A) against another trace (B: another trace of the file,
//! of another file, or one fetched by id from a backend, here or from `compare=` in a link), matched span
//! by span (`analysis::compare`); the verdict in one line, the diff drawn by the flame graph coloured by
//! change, and the largest differences.

use crate::ui::views::aggregate::numbered;
use crate::ui::views::flame::FlameView;
use crate::ui::actions::load::fetch_beside;
use crate::ui::state::{AppState, CompareWith, LoadedFile};
use crate::analysis::compare::{compare, to_otlp_json, Comparison, Side};
use crate::format::{duration, name};
use crate::model::SpanIx;
use crate::view::colour::Colouring;
use leptos::prelude::*;
use std::rc::Rc;

/// The largest differences listed under the drawing.
const LISTED: usize = 30;
/// Traces the B picker lists (those with A's root operation first); any loaded trace is found by its id.
const CHOICES: usize = 200;

/// The (service, name) of a trace's first root, as text: files have their own string tables.
fn root_op(file: &LoadedFile, t: usize) -> Option<(&str, &str)> {
    let trace = &file.set.traces[t];
    trace.tree.roots.first().map(|&r| (file.set.str(trace.spans[r as usize].service), file.set.str(trace.spans[r as usize].name)))
}

struct Made {
    comparison: Comparison,
    drawn: Rc<LoadedFile>,
    span_of: Vec<SpanIx>,
}

/// "checkout.json · 4bf92f35… · POST /checkout · 533 ms": a trace as the B picker names it.
fn trace_label(file: &LoadedFile, t: usize) -> String {
    let trace = &file.set.traces[t];
    let root = trace.tree.roots.first().map(|&r| file.set.str(trace.spans[r as usize].name).to_string()).unwrap_or_default();
    // Ids are often zero-padded (64-bit ids in 128-bit fields): the digits that tell them apart.
    let id = file.summary.traces.get(t).map(|s| s.trace_id.trim_start_matches('0').chars().take(8).collect::<String>()).unwrap_or_default();
    format!("{} · {id} · {} · {}", name(file.name()), name(&root), duration(trace.end_ns() - trace.start_ns()))
}

#[component]
pub fn CompareView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let a_id = file.id;
    let a_label = trace_label(&file, ix);
    let file = StoredValue::new_local(file);
    // B: (file id, trace).
    let b: RwSignal<Option<(u32, usize)>> = RwSignal::new(None);
    let a_root = file.with_value(|f| root_op(f, ix).map(|(s, n)| (s.to_string(), n.to_string())));
    // Other loaded traces, as (file id, trace, label): those with A's root operation first, at most CHOICES
    // (no DOM node per trace of a 10,000-trace file).
    let choices = move || {
        state.files.with(|files| {
            let others = || files.iter().flat_map(|f| (0..f.set.traces.len()).filter(move |&t| !(f.id == a_id && t == ix)).map(move |t| (f, t)));
            let same = |f: &LoadedFile, t| root_op(f, t).map(|(s, n)| (s.to_string(), n.to_string())) == a_root;
            let (alike, rest) = (others().filter(|&(f, t)| same(f, t)), others().filter(|&(f, t)| !same(f, t)));
            alike.chain(rest).take(CHOICES).map(|(f, t)| (f.id, t, trace_label(f, t))).collect::<Vec<_>>()
        })
    };
    // A loaded trace other than A whose id is `text` or starts with it (leading zeros aside).
    let find = move |text: &str| {
        let wanted = |id: &str| id.trim_start_matches('0').starts_with(text.trim_start_matches('0')) || id.starts_with(text);
        state.files.with_untracked(|files| {
            files.iter().find_map(|f| (0..f.summary.traces.len()).find(|&t| !(f.id == a_id && t == ix) && wanted(&f.summary.traces[t].trace_id)).map(|t| (f.id, t)))
        })
    };
    let a_trace_id = StoredValue::new(file.with_value(|f| f.summary.traces.get(ix).map(|t| t.trace_id.clone())).unwrap_or_default());
    // A B chosen here is remembered for this A (and goes into the URL).
    let choose = move |pick: Option<(u32, usize)>| {
        let id = pick.and_then(|(f, t)| state.files.with_untracked(|files| files.iter().find(|x| x.id == f).and_then(|x| x.summary.traces.get(t)).map(|t| t.trace_id.clone())));
        if let Some(b) = id {
            state.compare_with.set(Some(CompareWith { for_a: Some(a_trace_id.get_value()), b }));
        }
        b.set(pick);
    };
    // Why B is not there yet: being fetched, or not loaded with no backend to fetch it from.
    let waiting: RwSignal<Option<String>> = RwSignal::new(None);
    // B by its id: a loaded trace, else fetched from the backend A came from (or the first configured).
    let ask = move |text: String| {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() {
            return;
        }
        if let Some(found) = find(&text) {
            waiting.set(None);
            return choose(Some(found));
        }
        if state.config.with_untracked(|c| c.backends.is_empty()) {
            return waiting.set(Some(format!("Trace {text} is not loaded, and no backend is configured to fetch it from.")));
        }
        let backend = state.sources.with_value(|s| s.get(&a_id).and_then(|src| src.iter().find(|(k, _)| *k == "backend").map(|(_, v)| v.clone())));
        waiting.set(Some(format!("Fetching trace {text}…")));
        leptos::task::spawn_local(async move {
            let fetched = fetch_beside(state, &backend.unwrap_or_default(), &text).await;
            // The tab may have been left meanwhile: its signals are gone then.
            let _ = waiting.try_set(fetched.is_none().then(|| format!("Trace {text} could not be fetched (see the error above).")));
            if let Some(f) = fetched {
                let _ = b.try_set(Some((f.id, f.summary.traces.iter().position(|t| t.trace_id == text).unwrap_or(0))));
                state.compare_with.set(Some(CompareWith { for_a: Some(a_trace_id.get_value()), b: text }));
            }
        });
    };
    // B as chosen for this A (the trace list, a link's `compare=`, earlier in this tab), else the first choice.
    match state.compare_with.get_untracked().and_then(|c| a_trace_id.with_value(|a| c.b_for(a)).map(str::to_string)) {
        Some(id) => ask(id),
        None => b.set(choices().first().map(|c| (c.0, c.1))),
    }
    let made: RwSignal<Option<Rc<Made>>, LocalStorage> = RwSignal::new_local(None);
    Effect::new(move |_| {
        let Some((b_file, b_ix)) = b.get() else { return made.set(None) };
        let b_file = state.files.with_untracked(|fs| fs.iter().find(|f| f.id == b_file).cloned());
        let m = b_file.and_then(|bf| {
            file.with_value(|af| {
                let comparison = compare(&af.set, af.part(ix), &bf.set, bf.part(b_ix));
                let doc = to_otlp_json(&comparison, af.part(ix), bf.part(b_ix));
                let drawn = crate::pipeline::load_analyzed("comparison", &doc).ok()?;
                let (span_of, _) = numbered(&drawn, comparison.pairs.len());
                Some(Made { comparison, drawn: Rc::new(drawn), span_of })
            })
        });
        made.set(m.map(Rc::new));
    });
    let largest = move || {
        made.with(|m| {
            let m = m.as_ref()?;
            let c = &m.comparison;
            let rows = c.largest(LISTED).into_iter().map(|i| {
                let p = &c.pairs[i];
                let span = m.span_of[i];
                let drawn_id = m.drawn.id;
                let (side, class) = match p.side() {
                    Side::Both if p.delta_ns() > 0 => ("slower", "slower"),
                    Side::Both if p.delta_ns() < 0 => ("faster", "faster"),
                    Side::Both => ("same", ""),
                    Side::OnlyA => ("only in A", "only"),
                    Side::OnlyB => ("only in B", "only"),
                };
                let delta = match p.side() {
                    Side::Both => format!("{}{}", if p.delta_ns() < 0 { "−" } else { "+" }, duration(p.delta_ns().abs())),
                    _ => String::new(),
                };
                let cell = |side: bool, ns: i64| if side { duration(ns) } else { "—".into() };
                view! {
                    <div class="row" role="row" on:click=move |_| state.select_in(drawn_id, 0, Some(span), true)>
                        <span role="gridcell">{format!("{}{}: {}", "· ".repeat(p.depth as usize), name(&p.service), name(&p.name))}</span>
                        <span role="gridcell" class="num">{cell(p.a.is_some(), p.duration_ns.0)}</span>
                        <span role="gridcell" class="num">{cell(p.b.is_some(), p.duration_ns.1)}</span>
                        <span role="gridcell" class=format!("num {class}")>{delta}</span>
                        <span role="gridcell" class=class>{side}</span>
                    </div>
                }
            }).collect_view();
            Some(rows)
        })
    };
    view! {
        <section class="compare-view" data-testid="compare-view" aria-label="Compare">
            <div class="flame-toolbar">
                <span class="picker"><b>"A"</b>" "{a_label}</span>
                <label class="picker"><b>"B"</b>
                    <select data-testid="compare-b" prop:value=move || b.get().map(|(f, t)| format!("{f}:{t}")).unwrap_or_default() on:change=move |ev| {
                        let v = event_target_value(&ev);
                        choose(v.split_once(':').and_then(|(f, t)| Some((f.parse().ok()?, t.parse().ok()?))));
                    }>
                        {move || choices().into_iter().map(|(f, t, label)| view! { <option value=format!("{f}:{t}")>{label}</option> }).collect_view()}
                    </select>
                </label>
                <input type="search" class="trace-id-input" data-testid="compare-b-id" aria-label="B by trace id" placeholder="or B's trace id"
                    on:change=move |ev| ask(event_target_value(&ev)) />
            </div>
            {move || match made.with(|m| m.as_ref().map(|m| (m.comparison.verdict(), m.drawn.clone()))) {
                Some((verdict, drawn)) => view! {
                    <p class="verdict" data-testid="verdict">{verdict}</p>
                    <FlameView state file=drawn ix=0 made=true colouring=Colouring::Change />
                    <div class="spans-table compare-table" role="grid" aria-label="Largest differences">
                        <div class="row head" role="row"><span>"Call"</span><span class="num">"A"</span><span class="num">"B"</span><span class="num">"Δ"</span><span>""</span></div>
                        <div class="static-rows" data-testid="differences">{largest}</div>
                    </div>
                }.into_any(),
                None => view! {
                    <p class="empty" data-testid="verdict">{move || waiting.get().unwrap_or_else(|| "Load or open another trace to compare this one with: another trace of this file, another file, or a trace fetched by id.".into())}</p>
                }.into_any(),
            }}
        </section>
    }
}
