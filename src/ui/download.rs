//! "Export analysis": the `spanlens.summary/1` JSON of the file on screen, downloaded via a Blob URL.

use super::state::LoadedFile;
use leptos::prelude::{document, window};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub fn export_summary(file: &LoadedFile) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&file.summary.to_json().into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(&summary_file_name(file.name()));
    link.click();
    // Revoke later: revoking right after click() can cancel the download in some browsers.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)?;
    Ok(())
}

/// `checkout.otlp.json` → `checkout.otlp.summary.json`.
pub fn summary_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base
        .strip_suffix(".jsonl")
        .or_else(|| base.strip_suffix(".json"))
        .unwrap_or(base);
    let stem = if stem.is_empty() { "trace" } else { stem };
    format!("{stem}.summary.json")
}
