//! The search page (`?view=search`): a backend's services and operations, the search's fields (kept in the
//! URL so that a search can be shared), and its answer as a trace list with a scatter. A trace opened from
//! the list is fetched by id; Back returns to the list as it was. A failed search leaves the last results.

use crate::ui::actions::load::{open_all, OPEN_ALL_MAX};
use crate::ui::actions::search::{now_ns, open_result, run_search};
use crate::ui::platform::requests::ask_bytes;
use crate::ui::state::{AppState, Failure, Results};
use crate::ui::views::traces::TraceList;
use crate::backend::search::LOOKBACKS;
use crate::backend::{answers, Backend, Kind};
use crate::format::{count, name, plural};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

#[component]
pub fn SearchPage(state: AppState) -> impl IntoView {
    let backends = move || state.config.with(|c| c.backends.clone());
    let chosen = Memo::new(move |_| {
        let wanted = state.search.with(|s| s.backend.clone());
        state.config.with(|c| c.backend(&wanted).cloned())
    });
    let services = RwSignal::new(Vec::<String>::new());
    let operations = RwSignal::new(Vec::<String>::new());
    // The lists of the backend chosen, and of its service.
    Effect::new(move |_| {
        if let Some(backend) = chosen.get() {
            spawn_local(list(state, backend, None, services));
        }
    });
    // Asked once the box holds one of the services (not for each letter typed).
    let service = Memo::new(move |_| {
        let typed = state.search.with(|s| s.service.trim().to_string());
        services.with(|known| known.contains(&typed)).then_some(typed)
    });
    Effect::new(move |_| {
        operations.set(Vec::new());
        if let (Some(backend), Some(service)) = (chosen.get_untracked(), service.get()) {
            spawn_local(list(state, backend, Some(service), operations));
        }
    });
    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(run_search(state, state.search.get_untracked(), true));
    };
    let kind = move || chosen.get().map(|b| b.kind);
    let custom = move || state.search.with(|s| s.lookback == "custom");
    view! {
        <form class="panel search-form" data-testid="search-form" on:submit=find aria-label="Search traces">
            <div class="field">
                <label for="search-backend">"Backend"</label>
                <select id="search-backend" on:change=move |ev| state.search.update(|s| { s.backend = event_target_value(&ev); s.service.clear(); s.operation.clear(); })
                    prop:value=move || chosen.get().map(|b| b.name).unwrap_or_default()>
                    {move || backends().into_iter().map(|b| view! { <option value=b.name.clone()>{format!("{} ({})", b.name, kind_name(b.kind))}</option> }).collect_view()}
                </select>
            </div>
            {text_field(state, "Service", "service", "all services", Some(("services", services)))}
            {text_field(state, "Operation", "operation", "all operations", Some(("operations", operations)))}
            {text_field(state, "Tags", "tags", "http.status_code=500 error=true", None)}
            {move || (kind() == Some(Kind::Tempo)).then(|| text_field(state, "TraceQL", "q", "{ status = error }", None))}
            {text_field(state, "Min duration", "minDuration", "e.g. 100ms", None)}
            {text_field(state, "Max duration", "maxDuration", "e.g. 2s", None)}
            <div class="field">
                <label for="search-lookback">"Lookback"</label>
                <select id="search-lookback" on:change=move |ev| set_lookback(state, event_target_value(&ev)) prop:value=move || state.search.with(|s| s.lookback.clone())>
                    {LOOKBACKS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                </select>
            </div>
            {move || custom().then(|| view! {
                {text_field(state, "Start", "start", "2026-11-30T14:00:00Z", None)}
                {text_field(state, "End", "end", "2026-11-30T15:00:00Z", None)}
            })}
            <div class="field narrow">
                <label for="search-limit">"Limit"</label>
                <input id="search-limit" type="number" min="1" max="10000" placeholder="20" prop:value=move || state.search.with(|s| s.limit.clone())
                    on:input=move |ev| state.search.update(|s| s.limit = event_target_value(&ev)) />
            </div>
            <button type="submit" class="primary">"Find traces"</button>
        </form>
        {move || match state.results.get() {
            Some(results) => results_list(state, results),
            None => view! { <p class="empty">"Choose a service (or none, for all) and Find traces."</p> }.into_any(),
        }}
    }
}

/// A labelled text box for the search field with this URL name, with suggestions (a datalist) when given.
fn text_field(state: AppState, label: &'static str, key: &'static str, placeholder: &'static str, list: Option<(&'static str, RwSignal<Vec<String>>)>) -> impl IntoView {
    let set = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        state.search.update(|s| {
            if let Some(field) = s.field(key) {
                *field = value;
            }
        })
    };
    let datalist = list.map(|(id, names)| {
        view! { <datalist id=id>{move || names.get().into_iter().map(|n| view! { <option value=n></option> }).collect_view()}</datalist> }
    });
    let id = format!("search-{key}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" spellcheck="false" autocomplete="off" placeholder=placeholder list=list.map(|(id, _)| id)
                prop:value=move || state.search.with(|s| s.get(key)) on:input=set />
            {datalist}
        </div>
    }
}

/// A lookback chosen; "Custom range" starts from the range the lookback covered.
fn set_lookback(state: AppState, value: String) {
    state.search.update(|s| {
        if value == "custom" && s.start.is_empty() {
            if let Ok((start, end)) = s.range(now_ns()) {
                (s.start, s.end) = (crate::formats::rfc3339(start - start % 1_000_000_000), crate::formats::rfc3339(end - end % 1_000_000_000));
            }
        }
        s.lookback = value;
    });
}

fn results_list(state: AppState, results: Rc<Results>) -> AnyView {
    let n = results.rows.len() as u64;
    if n == 0 {
        return view! { <p class="empty" data-testid="no-results">{format!("No traces in {} matched {}.", results.backend, results.search.describe())}</p> }.into_any();
    }
    let title = format!("{} from {}", plural(n, "trace", "traces"), name(&results.backend));
    let about = name(&results.search.describe());
    let open = {
        let (rows, backend) = (results.rows.clone(), results.backend.clone());
        Callback::new(move |index: usize| {
            if let Some(row) = rows.get(index) {
                open_result(state, backend.clone(), row.trace_id.clone(), true);
            }
        })
    };
    // Every trace of the answer as one file: the statistics and the aggregate then run across all of them.
    let open_all = {
        let (rows, backend) = (results.rows.clone(), results.backend.clone());
        // "shop: gateway · last hour": the file is named after the search.
        let name = format!("{backend}: {}", results.search.describe());
        move |_| {
            let ids: Vec<String> = rows.iter().take(OPEN_ALL_MAX).map(|r| r.trace_id.clone()).collect();
            let name = name.clone();
            let backend = backend.clone();
            spawn_local(async move { open_all(state, &backend, ids, name).await });
        }
    };
    let all = if n as usize > OPEN_ALL_MAX { format!("Open the first {} as one file", count(OPEN_ALL_MAX as u64)) } else { format!("Open all {} as one file", count(n)) };
    let actions = move || view! {
        <button class="small" data-testid="open-all" on:click=open_all.clone()
            title="Fetch every trace of this answer and open them together, for statistics and an aggregate across all of them">{all.clone()}</button>
    };
    view! { <TraceList state rows=results.rows.clone() title about place=state.result_list open actions /> }.into_any()
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Jaeger => "Jaeger",
        Kind::Tempo => "Tempo",
        Kind::Zipkin => "Zipkin",
    }
}

/// Fetches a backend's services (`service`: `None`) or one service's operations into `into`. A failure goes
/// to the error panel; the box still takes a typed name.
async fn list(state: AppState, backend: Backend, service: Option<String>, into: RwSignal<Vec<String>>) {
    let cancel = Arc::new(AtomicBool::new(false));
    let wanted = match &service {
        None => "the list of services".to_string(),
        Some(s) => format!("the operations of {s}"),
    };
    let answer = match &service {
        None => ask_bytes(&backend, &wanted, |api, base| Ok(vec![api.services(base)]), &cancel).await,
        Some(s) => ask_bytes(&backend, &wanted, |api, base| Ok(vec![api.operations(base, s)]), &cancel).await,
    };
    let names = match answer {
        Ok((api, body)) => match &service {
            None => answers::services(api, &body),
            Some(_) => answers::operations(api, &body),
        }
        .map_err(|e| format!("{}'s answer to {wanted}: {e}", backend.name)),
        Err(refusal) => Err(refusal.text(&backend, &wanted)),
    };
    // A stale answer (another backend or service chosen meanwhile) is dropped.
    let still = state.search.with_untracked(|s| {
        state.config.with_untracked(|c| c.backend(&s.backend).is_some_and(|b| b.name == backend.name))
            && service.as_ref().is_none_or(|wanted| *wanted == s.service.trim())
    });
    match names {
        Ok(names) if still => into.set(names),
        Ok(_) => {}
        Err(text) => state.fail(Failure::new(format!("{wanted} of {}", backend.name), text)),
    }
}
