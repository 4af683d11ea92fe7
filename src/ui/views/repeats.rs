//! The flame graph tab with grouped repeats: "Group repeats" folds every run of sibling calls of one
//! operation (`analysis::repeats`) into one bar ("12 × SELECT stock · 48 ms total · 3 errors"); a chip per
//! group expands or folds it again. The folded trace is a set of its own, drawn by the same flame graph;
//! the selection goes with the switch both ways.

use crate::ui::views::flame::FlameView;
use crate::ui::state::{AppState, LoadedFile};
use crate::analysis::repeats::{find, folded, Repeat};
use crate::format::{count, name, plural};
use crate::model::SpanIx;
use leptos::prelude::*;
use std::rc::Rc;

/// Chips shown for single groups; the switch still folds every one.
const CHIPS: usize = 40;

/// The folded trace on screen: the file made for it, and the original span of each of its spans.
struct Made {
    file: Rc<LoadedFile>,
    shown: Vec<SpanIx>,
}

#[component]
pub fn GroupedFlame(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let on = state.group_repeats;
    let original = StoredValue::new_local(file);
    // The runs are looked for the first time the switch is on, not every time the tab opens.
    let repeats: StoredValue<Option<Rc<Vec<Repeat>>>, LocalStorage> = StoredValue::new_local(None);
    let runs = RwSignal::new(None::<usize>);
    let collapsed = RwSignal::new(Vec::<bool>::new());
    let ensure = move || {
        if repeats.with_value(|r| r.is_none()) {
            let found = original.with_value(|f| find(&f.set, &f.set.traces[ix]));
            runs.set(Some(found.len()));
            collapsed.set(vec![true; found.len()]);
            repeats.set_value(Some(Rc::new(found)));
        }
    };
    let made: RwSignal<Option<Rc<Made>>, LocalStorage> = RwSignal::new_local(None);
    let fold_ms = RwSignal::new(None::<f64>);
    Effect::new(move |_| {
        if on.get() {
            untrack(ensure);
        }
        let folds = collapsed.get();
        let reps = repeats.get_value().filter(|r| on.get_untracked() && !r.is_empty());
        let before = made.get_untracked();
        // The selection follows: from the trace on screen to its folded copy, and back. Read untracked: this
        // effect sets the selection itself, and must not run again because of it.
        let selected = untrack(|| match &before {
            Some(m) => state.selected_in(m.file.id, 0).and_then(|s| m.shown.get(s.span as usize).copied()),
            None => original.with_value(|f| state.selected_in(f.id, ix)).map(|s| s.span),
        });
        let Some(reps) = reps else {
            made.set(None);
            if let (Some(_), Some(span)) = (before, selected) {
                original.with_value(|f| state.select_in(f.id, ix, Some(span), true));
            }
            return;
        };
        let started = window().performance().map(|p| p.now());
        let m = original.with_value(|f| {
            let (set, shown) = folded(&f.set, ix, &reps, &folds);
            Made { file: Rc::new(crate::pipeline::made(set, f.skew_adjusted)), shown }
        });
        if let (Some(p), Some(t)) = (window().performance(), started) {
            fold_ms.set(Some(p.now() - t));
        }
        // A selected span folded into a group selects the group.
        let cover = selected.map(|s| original.with_value(|f| crate::analysis::repeats::cover(&f.set.traces[ix], &reps, &folds)[s as usize]));
        if let Some(at) = cover.and_then(|c| m.shown.iter().position(|&s| s == c)) {
            state.select_in(m.file.id, 0, Some(at as SpanIx), true);
        }
        made.set(Some(Rc::new(m)));
    });
    let chips = move || {
        let folds = collapsed.get();
        let reps = repeats.get_value()?;
        Some(original.with_value(|f| {
            reps.iter().enumerate().take(CHIPS).map(|(i, rep)| {
                let label = format!("{} × {}", count(rep.members.len() as u64), name(f.set.str(rep.name)));
                let folded = folds.get(i).copied().unwrap_or(true);
                view! {
                    <button class="chip repeat-chip" data-testid="repeat-chip" aria-pressed=folded.to_string() class:open=!folded
                        title=if folded { "Folded into one bar: click to expand" } else { "Expanded: click to fold into one bar" }
                        on:click=move |_| collapsed.update(|c| c[i] = !c[i])>{label}</button>
                }
            }).collect_view()
        }))
    };
    let said = move || {
        runs.get().filter(|_| on.get()).map(|n| match n {
            0 => "no runs of 5 or more calls of one operation".to_string(),
            n => format!("{} of 5 or more calls of one operation{}", plural(n as u64, "run", "runs"), if n > CHIPS { format!(" (the first {CHIPS} below)") } else { String::new() }),
        })
    };
    view! {
        <div class="repeats-bar" data-testid="repeats-bar">
            <label class="toggle" title="Fold every run of 5 or more sibling calls of one operation into one bar">
                <input type="checkbox" data-testid="group-repeats" prop:checked=move || on.get() on:change=move |ev| {
                    ensure();
                    collapsed.update(|c| c.iter_mut().for_each(|f| *f = true));
                    on.set(event_target_checked(&ev));
                } />
                "Group repeats"
            </label>
            <span class="muted" data-testid="repeats-count">{said}</span>
            {move || fold_ms.get().filter(|_| on.get()).map(|ms| view! { <span class="muted" data-testid="fold-ms">{format!("folded in {ms:.0} ms")}</span> })}
            {move || on.get().then(chips)}
        </div>
        {move || match made.get() {
            Some(m) => view! { <FlameView state file=m.file.clone() ix=0 made=true /> }.into_any(),
            None => view! { <FlameView state file=original.get_value() ix /> }.into_any(),
        }}
    }
}
