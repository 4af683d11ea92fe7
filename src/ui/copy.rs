//! A small button that copies a text to the clipboard and says when it did.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[component]
pub fn CopyButton(
    text: String,
    #[prop(default = "copy")] label: &'static str,
    #[prop(default = "Copy")] title: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            let done = JsFuture::from(window().navigator().clipboard().write_text(&text)).await;
            copied.set(done.is_ok());
        });
    };
    view! {
        <button class="copy" title=title on:click=copy>{move || if copied.get() { "copied" } else { label }}</button>
    }
}
