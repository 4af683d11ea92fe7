//! Copying to the clipboard: a small button that says when it did, and the toolbar's "Copy link". Where the
//! clipboard API is missing (a page on plain http other than localhost), the text is shown selected in a
//! box instead, to copy by hand.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Copies `text`; false when the page may not use the clipboard.
pub async fn copy_text(text: &str) -> bool {
    let navigator = window().navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| c.is_object());
    has_clipboard && JsFuture::from(navigator.clipboard().write_text(text)).await.is_ok()
}

#[component]
pub fn CopyButton(
    text: String,
    #[prop(default = "copy")] label: &'static str,
    #[prop(default = "Copy")] title: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move { copied.set(Some(copy_text(&text).await)) });
    };
    view! {
        <button class="copy" title=title on:click=copy>
            {move || match copied.get() {
                Some(true) => "copied",
                Some(false) => "no clipboard here",
                None => label,
            }}
        </button>
    }
}

fn select_all(ev: leptos::ev::FocusEvent) {
    let input: web_sys::HtmlInputElement = event_target(&ev);
    input.select();
}

/// "Copy link": the URL of what is on screen (written first, in case a change is still to be written).
#[component]
pub fn CopyLink(state: crate::ui::state::AppState) -> impl IntoView {
    let shown = RwSignal::new(None::<String>); // the link, in a box, when the clipboard is missing
    let copied = RwSignal::new(false);
    let copy = move |_| {
        crate::ui::platform::address::write(state);
        let link = window().location().href().unwrap_or_default();
        leptos::task::spawn_local(async move {
            if copy_text(&link).await {
                copied.set(true);
                set_timeout(move || copied.set(false), std::time::Duration::from_millis(1500));
            } else {
                shown.set(Some(link));
            }
        });
    };
    let local = move || {
        state.current.with(|f| f.as_ref().map(|f| f.id)).is_some_and(|id| state.sources.with_value(|s| s.get(&id).is_none_or(Vec::is_empty)))
    };
    let title = move || {
        if local() {
            "Copy a link to this view (the trace came from a local file: the link reopens the view once the same file is opened)"
        } else {
            "Copy a link that reopens this trace, span, search and zoom"
        }
    };
    let input = NodeRef::<leptos::html::Input>::new();
    // The box, once shown, has the link selected.
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
            i.select();
        }
    });
    view! {
        <button data-testid="copy-link" on:click=copy title=title>{move || if copied.get() { "Link copied" } else { "Copy link" }}</button>
        {move || shown.get().map(|link| view! {
            <div class="link-box panel" role="dialog" aria-label="Link to this view">
                <label>"Copy this link (Ctrl+C): "
                    <input type="text" readonly data-testid="link-box" prop:value=link node_ref=input
                        on:focus=select_all />
                </label>
                <button class="small" on:click=move |_| shown.set(None)>"Close"</button>
            </div>
        })}
    }
}
