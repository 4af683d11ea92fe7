//! The findings under the flame graph: listed a page at a time, filtered by kind; a click frames a finding's
//! spans and selects its first.

use super::Ui;
use crate::ui::state::LoadedFile;
use crate::analysis::findings::{Finding, FindingKind};
use crate::format::count;
use leptos::prelude::*;
use std::rc::Rc;

/// Findings are listed this many at a time: a big trace can have tens of thousands (one per repeated
/// pattern), and the page stays small unless the user asks for more.
const FINDINGS_PAGE: usize = 100;

#[component]
pub fn Findings(file: Rc<LoadedFile>, ix: usize, ui: Ui) -> impl IntoView {
    let n = findings_of(&file, ix).len();
    // Kinds in first-seen order (errors first, as the analysis lists them), with their counts.
    let mut kinds: Vec<(FindingKind, usize)> = Vec::new();
    for f in findings_of(&file, ix) {
        match kinds.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, c)) => *c += 1,
            None => kinds.push((f.kind, 1)),
        }
    }
    let kind = RwSignal::new(None::<FindingKind>);
    let shown = RwSignal::new(FINDINGS_PAGE);
    let filter = move |k: Option<FindingKind>| {
        kind.set(k);
        shown.set(FINDINGS_PAGE);
    };
    let chips = (kinds.len() > 1).then(|| {
        let chip = move |k: Option<FindingKind>, label: String| {
            view! {
                <button class="chip" aria-pressed=move || (kind.get() == k).to_string() on:click=move |_| filter(k)>
                    {label}
                </button>
            }
        };
        view! {
            <div class="kinds" role="group" aria-label="Finding kinds">
                {chip(None, format!("all {}", count(n as u64)))}
                {kinds.iter().map(|(k, c)| chip(Some(*k), format!("{} {}", k.as_str(), count(*c as u64)))).collect_view()}
            </div>
        }
    });
    let list = {
        let file = send_wrapper::SendWrapper::new(file.clone());
        move || {
            let kind = kind.get();
            let matching: Vec<&Finding> = findings_of(&file, ix).iter().filter(|f| kind.is_none_or(|k| k == f.kind)).collect();
            let more = matching.len().saturating_sub(shown.get());
            let items = matching.into_iter().take(shown.get()).map(|f| finding_item(f, ui)).collect_view();
            view! {
                <ul>{items}</ul>
                {(more > 0).then(|| view! {
                    <button class="more" on:click=move |_| shown.update(|s| *s += FINDINGS_PAGE)>
                        {format!("Show {} more (of {})", count(more.min(FINDINGS_PAGE) as u64), count(more as u64))}
                    </button>
                })}
            }
        }
    };
    view! {
        <section class="panel findings" data-testid="findings">
            <h2>{format!("Findings ({})", count(n as u64))}</h2>
            {(n == 0).then(|| view! { <p class="muted">"Nothing stands out in this trace."</p> })}
            {chips}
            {list}
        </section>
    }
}

fn findings_of(file: &LoadedFile, ix: usize) -> &[Finding] {
    file.analyses.get(ix).map_or(&[], |a| &a.findings)
}

/// One finding: a click selects its first span and frames all of them.
fn finding_item(finding: &Finding, ui: Ui) -> impl IntoView {
    let spans = finding.spans.clone();
    let go = move |_| ui.frame_finding(&spans);
    view! {
        <li>
            <button class="finding" data-kind=finding.kind.as_str() on:click=go disabled=finding.spans.is_empty()>
                <span class="kind">{finding.kind.as_str()}</span>
                <span class="message">{finding.message.clone()}</span>
            </button>
        </li>
    }
}
