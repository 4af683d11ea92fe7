//! The span detail panel: everything about the selected span. Built once per selection; text from the trace
//! is only ever text (Leptos escapes it), and only http(s) values become links.

use crate::format::{count, duration};
use crate::ui::platform::copy::CopyButton;
use crate::ui::state::LoadedFile;
use crate::model::{notes, Attr, LinkKind, SpanIx, Strings, TraceSet};
use leptos::prelude::*;
use std::rc::Rc;

/// Values longer than this (characters) are folded behind "show all".
const FOLD_CHARS: usize = 240;
/// Most characters of a value shown when unfolded: laying out megabytes of text stalls the page (the copy
/// button copies it all).
const OPEN_CHARS: usize = 100_000;
/// At most this many events and links are listed.
const LIST_LIMIT: usize = 100;

#[component]
pub fn SpanDetail(
    file: Rc<LoadedFile>,
    ix: usize,
    span: SpanIx,
    on_select: Callback<Option<SpanIx>>,
    /// The other view to show the span in: ("Show in timeline", go there).
    #[prop(optional)]
    show_in: Option<(&'static str, Callback<()>)>,
    /// The Times choice: a local clock time is added under the start's UTC one.
    #[prop(optional)]
    time: Option<crate::ui::state::TimeMode>,
    /// A span of a trace a view made: its place among its operation's spans says nothing.
    #[prop(optional)]
    made: bool,
) -> impl IntoView {
    let set = &file.set;
    let trace = &set.traces[ix];
    let analysis = &file.analyses[ix];
    let Some(s) = trace.spans.get(span as usize) else { return ().into_any() };
    let origin = trace.start_ns();
    let strings = &set.strings;
    let span_id = s.span_id.map(|id| id.display(strings)).unwrap_or_default();
    let trace_id = trace.trace_id.display(strings);
    let parent = trace.tree.parent_of(span);
    let children = trace.tree.children_of(span).len();
    let contribution = analysis.critical_path.contribution_ns[span as usize];
    let resource = set.resources.get(s.resource as usize);
    let scope = set.scopes.get(s.scope as usize);
    let status = match (s.status.as_str(), strings.get(s.status_message)) {
        (code, "") => code.to_string(),
        (code, message) => format!("{code}: {message}"),
    };
    let parent_view = match (parent, s.parent_id) {
        (Some(p), _) => {
            let name = crate::format::name(strings.get(trace.spans[p as usize].name));
            view! { <button class="link" data-testid="parent-link" on:click=move |_| on_select.run(Some(p))>{name}</button> }.into_any()
        }
        (None, Some(missing)) => view! { <span class="bad">{format!("{} (not in the trace)", missing.display(strings))}</span> }.into_any(),
        (None, None) => view! { <span class="muted">"none (root)"</span> }.into_any(),
    };
    // A name too long to show whole is cut in the header; its length and a copy button follow.
    let name_chars = strings.get(s.name).chars().count();
    let long_name = name_chars > crate::format::NAME_CHARS;
    view! {
        <aside class="span-detail" data-testid="span-detail" aria-label="Span details">
            <header>
                <h3 data-testid="detail-name">{crate::format::name(strings.get(s.name))}</h3>
                {show_in.map(|(label, go)| view! { <button class="small" data-testid="show-in" on:click=move |_| go.run(())>{label}</button> })}
                <button class="small close" title="Close (Esc)" aria-label="Close the span details" on:click=move |_| on_select.run(None)>"×"</button>
            </header>
            <dl class="facts">
                {long_name.then(|| view! {
                    <dt>"Name"</dt><dd>{format!("{} characters", crate::format::count(name_chars as u64))} <CopyButton text=strings.get(s.name).to_string() /></dd>
                })}
                <dt>"Service"</dt><dd>{crate::format::name(strings.get(s.service))}</dd>
                <dt>"Kind"</dt><dd>{s.kind.as_str()}</dd>
                <dt>"Status"</dt><dd class:bad=s.is_error(strings)>{status}</dd>
                <dt>"Start"</dt><dd>
                    {format!("+{}", duration(s.start_ns - origin))}
                    // A made trace's times are offsets from a made-up epoch: no clock time for them.
                    {(!made).then(|| view! { <br/><span class="muted">{crate::formats::rfc3339(s.start_ns)}</span> })}
                    {(time == Some(crate::ui::state::TimeMode::Local)).then(|| view! {
                        <br/><span class="muted" data-testid="start-local">{format!("{} local", crate::ui::state::TimeMode::Local.show(s.start_ns, origin))}</span>
                    })}
                    {(trace.start_precision_ns > 0).then(|| view! {
                        <br/><span class="muted" data-testid="start-precision">
                            {format!("start times have {} ms precision in this file", trace.start_precision_ns / 1_000_000)}
                        </span>
                    })}
                </dd>
                <dt>"Duration"</dt><dd>{duration(s.duration_ns())}{(!made).then(|| view! { <br/><span class="muted" data-testid="standing">{standing(set, ix, s)}</span> })}</dd>
                <dt>"Self time"</dt><dd>{duration(analysis.stats.self_ns[span as usize])}</dd>
                <dt>"Critical path"</dt><dd>{duration(contribution)}</dd>
                <dt>"Span id"</dt><dd><code>{span_id.clone()}</code><CopyButton text=span_id /></dd>
                <dt>"Trace id"</dt><dd><code>{trace_id.clone()}</code><CopyButton text=trace_id /></dd>
                <dt>"Parent"</dt><dd>{parent_view}</dd>
                <dt>"Children"</dt><dd>{count(children as u64)}
                    {trace.tree.children_of(span).first().copied().map(|c| view! {
                        " " <button class="link" on:click=move |_| on_select.run(Some(c))>"first"</button>
                    })}
                </dd>
            </dl>
            {warnings(set, ix, span)}
            <h4>"Attributes"</h4>
            {attribute_table(strings, set.attributes(s), "attributes")}
            <h4>"Resource"</h4>
            {resource.map(|r| attribute_table(strings, r.attributes.iter(), "resource"))}
            {scope.filter(|sc| sc.name != Strings::EMPTY).map(|sc| view! {
                <h4>"Scope"</h4>
                <p><code>{format!("{} {}", strings.get(sc.name), strings.get(sc.version))}</code></p>
                {attribute_table(strings, sc.attributes.iter(), "scope")}
            })}
            {events(set, s.start_ns, s.end_ns, s.events())}
            {links(set, ix, s.links(), on_select)}
        </aside>
    }
    .into_any()
}

/// What was repaired or is odd about the span, in words.
fn warnings(set: &TraceSet, ix: usize, span: SpanIx) -> Option<AnyView> {
    let trace = &set.traces[ix];
    let s = &trace.spans[span as usize];
    let shift = if s.has(notes::SKEW_SHIFTED) { trace.skew_shift_ns.get(span as usize).copied().unwrap_or(0) } else { 0 };
    let mut lines: Vec<String> = Vec::new();
    let says = [
        (notes::ORPHAN, "Orphan: its parent span is not in the trace (broken context propagation). Shown as a root."),
        (notes::CYCLE_CUT, "Its parent link closed a cycle and was cut. Shown as a root."),
        (notes::DUPLICATE_ID, "Another span in this trace has the same id."),
        (notes::SHARED_SERVER_HALF, "Zipkin server half that shared its client's id: shown as the client's child."),
        (notes::MISSING_START, "No start time in the input: placed at its parent's start."),
        (notes::MISSING_DURATION, "No duration in the input."),
        (notes::NEGATIVE_DURATION, "Its end was before its start: the end was moved to the start."),
        (notes::START_FROM_EVENTS, "No start time in the input: taken from its first annotation."),
        (notes::FOLLOWS_FROM, "Its parent is a FOLLOWS_FROM reference: it does not block the parent."),
    ];
    lines.extend(says.iter().filter(|(bit, _)| s.has(*bit)).map(|(_, text)| text.to_string()));
    if shift != 0 {
        let (raw_start, _) = trace.raw_times(span);
        lines.push(format!("Clock skew: shifted by {} (raw start {}).", duration(shift), crate::formats::rfc3339(raw_start)));
    }
    lines.extend(crate::analysis::clocks::ends_after_parent_text(trace, span));
    lines.extend(s.warnings().iter().map(|&w| set.str(w).to_string()));
    (!lines.is_empty()).then(|| {
        view! {
            <ul class="warnings" data-testid="span-warnings">
                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    })
}

/// Attributes sorted by key; long values folded; every value copyable.
fn attribute_table<'a>(strings: &Strings, attrs: impl IntoIterator<Item = &'a Attr>, testid: &'static str) -> AnyView {
    let mut rows: Vec<(String, String)> =
        attrs.into_iter().map(|a| (strings.get(a.key).to_string(), a.value.display(strings))).collect();
    if rows.is_empty() {
        return view! { <p class="muted">"none"</p> }.into_any();
    }
    rows.sort();
    view! {
        <table class="attrs" data-testid=testid>
            <tbody>
                {rows.into_iter().map(|(key, value)| view! {
                    <tr><th>{key}</th><td><Value text=value /></td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One value: a link if it is an http(s) URL, a stack trace kept as lines, folded when long.
#[component]
fn Value(text: String) -> impl IntoView {
    let chars = text.chars().count();
    let long = chars > FOLD_CHARS;
    let open = RwSignal::new(!long);
    let multiline = text.contains('\n');
    let shown = {
        let text = text.clone();
        move || {
            if open.get() {
                crate::format::clip(&text, OPEN_CHARS).into_owned()
            } else {
                format!("{}…", text.chars().take(FOLD_CHARS).collect::<String>())
            }
        }
    };
    let is_link = (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace);
    let body = if is_link {
        view! { <a href=text.clone() target="_blank" rel="noopener noreferrer">{shown}</a> }.into_any()
    } else if multiline {
        view! { <pre class="value">{shown}</pre> }.into_any()
    } else {
        view! { <span class="value">{shown}</span> }.into_any()
    };
    view! {
        {body}
        {long.then(|| view! {
            <button class="link" on:click=move |_| open.update(|o| *o = !*o)>
                {move || match (open.get(), chars > OPEN_CHARS) {
                    (true, _) => "show less".to_string(),
                    (false, false) => format!("show all ({} characters)", count(chars as u64)),
                    (false, true) => format!("show the first {} of {} characters (copy takes all)", count(OPEN_CHARS as u64), count(chars as u64)),
                }}
            </button>
        })}
        <CopyButton text />
    }
}

/// Events on a mini time axis over the span, then listed with their attributes.
fn events(set: &TraceSet, start: i64, end: i64, events: &[crate::model::Event]) -> Option<AnyView> {
    if events.is_empty() {
        return None;
    }
    let len = (end - start).max(1) as f64;
    let pct = |t: i64| ((t - start) as f64 / len * 100.0).clamp(0.0, 100.0);
    let shown = &events[..events.len().min(LIST_LIMIT)];
    let more = events.len() - shown.len();
    Some(
        view! {
            <h4>{format!("Events ({})", count(events.len() as u64))}</h4>
            <div class="event-axis" aria-hidden="true">
                {shown.iter().map(|e| {
                    let error = set.str(e.name) == "exception";
                    view! { <i class:bad=error style:left=format!("{:.2}%", pct(e.time_ns)) title=crate::format::name(set.str(e.name))></i> }
                }).collect_view()}
            </div>
            <ol class="events" data-testid="events">
                {shown.iter().map(|e| view! {
                    <li>
                        <span class="muted">{format!("+{}", duration(e.time_ns - start))}</span>
                        " " <strong>{crate::format::name(set.str(e.name))}</strong>
                        {(!e.attributes.is_empty()).then(|| attribute_table(&set.strings, e.attributes.iter(), "event-attributes"))}
                    </li>
                }).collect_view()}
            </ol>
            {(more > 0).then(|| view! { <p class="muted">{format!("+{} more events", count(more as u64))}</p> })}
        }
        .into_any(),
    )
}

/// Links and extra references; a button jumps to the linked span when it is in this trace.
fn links(set: &TraceSet, ix: usize, links: &[crate::model::Link], on_select: Callback<Option<SpanIx>>) -> Option<AnyView> {
    if links.is_empty() {
        return None;
    }
    let trace = &set.traces[ix];
    let shown = &links[..links.len().min(LIST_LIMIT)];
    // The spans of this trace that the links name, found in one pass over the trace.
    let in_trace: Vec<_> = shown.iter().filter(|l| l.trace_id.is_none_or(|t| t == trace.trace_id)).filter_map(|l| l.span_id).collect();
    let found = trace.find_ids(&in_trace);
    let target_of = |id| in_trace.iter().position(|&x| x == id).and_then(|at| found[at]);
    Some(
        view! {
            <h4>{format!("Links ({})", count(links.len() as u64))}</h4>
            <ul class="links">
                {shown.iter().map(|link| {
                    let kind = match link.kind {
                        LinkKind::Link => "link",
                        LinkKind::FollowsFrom => "FOLLOWS_FROM",
                        LinkKind::ChildOf => "CHILD_OF",
                    };
                    let span_id = link.span_id.map(|id| id.display(&set.strings)).unwrap_or_default();
                    let trace_id = link.trace_id.map(|id| id.display(&set.strings)).unwrap_or_default();
                    let same_trace = link.trace_id.is_none_or(|t| t == trace.trace_id);
                    let target = link.span_id.filter(|_| same_trace).and_then(target_of);
                    view! {
                        <li>
                            <span class="muted">{kind}</span> " "
                            <code>{span_id}</code>
                            {(!same_trace).then(|| view! { <span class="muted">{format!(" in trace {trace_id}")}</span> })}
                            {match target {
                                Some(t) => view! { " " <button class="link" on:click=move |_| on_select.run(Some(t))>"go to span"</button> }.into_any(),
                                None => view! { <span class="muted">" (not loaded)"</span> }.into_any(),
                            }}
                            {(!link.attributes.is_empty()).then(|| attribute_table(&set.strings, link.attributes.iter(), "link-attributes"))}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    )
}

/// Where the span's duration stands among its operation's: "p97 of 40 GET /price in this trace; p90 of 1,204
/// in this file". O(spans of the file), once per selection.
fn standing(set: &TraceSet, ix: usize, span: &crate::model::Span) -> String {
    use crate::analysis::histogram::{peer_durations, Standing};
    let d = span.duration_ns();
    let here = Standing::of(&peer_durations(set, [ix], span.service, span.name), d);
    let operation = crate::format::name(set.str(span.name));
    let mut said = match here.peers {
        0 | 1 => format!("the only {operation} in this trace"),
        n => format!("{} of {} {operation} in this trace", here.says(), count(n as u64)),
    };
    if set.traces.len() > 1 {
        let file = Standing::of(&peer_durations(set, 0..set.traces.len(), span.service, span.name), d);
        if file.peers > here.peers {
            said += &format!("; {} of {} in this file", file.says(), count(file.peers as u64));
        }
    }
    said
}
