//! Downloads of what is on screen: the `spanlens.summary/1` analysis, the trace as OTLP/JSON, the flame graph
//! as PNG (at device resolution, as drawn) and a table as CSV. Built in memory and handed over as a Blob URL.

use crate::ui::state::LoadedFile;
use leptos::prelude::{document, window};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// "Export analysis": `<name>.summary.json`.
pub fn export_summary(file: &LoadedFile) -> Result<(), JsValue> {
    save(&export_name(file.name(), "summary.json"), "application/json", &file.summary.to_json())
}

/// Trace `ix` as OTLP/JSON, whatever format it came in: `<name>.otlp.json`.
pub fn export_otlp(file: &LoadedFile, ix: usize) -> Result<(), JsValue> {
    let bytes = crate::export::otlp_json(&file.set, Some(ix));
    save_blob(&export_name(file.name(), "otlp.json"), "application/json", &js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice())))
}

/// The flame graph's canvas as PNG: `<name>.png`.
pub fn export_png(file: &LoadedFile, canvas: &web_sys::HtmlCanvasElement) -> Result<(), JsValue> {
    click_link(&canvas.to_data_url()?, &export_name(file.name(), "png"))
}

/// A chart's canvas as PNG: `<name>.<what>.png`.
pub fn export_chart_png(file_name: &str, what: &str, canvas: &web_sys::HtmlCanvasElement) -> Result<(), JsValue> {
    click_link(&canvas.to_data_url()?, &export_name(file_name, &format!("{what}.png")))
}

/// A table as CSV: `<name>.<what>.csv`.
pub fn export_csv(file_name: &str, what: &str, csv: &str) -> Result<(), JsValue> {
    save(&export_name(file_name, &format!("{what}.csv")), "text/csv", csv)
}

fn save(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    save_blob(name, mime, &js_sys::Array::of1(&text.into()))
}

/// Downloads `parts` (strings or byte arrays) as one file.
fn save_blob(name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_buffer_source_sequence_and_options(parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    click_link(&url, name)?;
    // Revoke later: revoking right after click() can cancel the download in some browsers.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window().set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)?;
    Ok(())
}

fn click_link(href: &str, name: &str) -> Result<(), JsValue> {
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(href);
    link.set_download(name);
    link.click();
    Ok(())
}

/// `checkout.otlp.json` + `summary.json` → `checkout.otlp.summary.json`; `jaeger:4bf9…` + `png` →
/// `jaeger-4bf9….png`; the OTLP export of `x.otlp.json` is `x.otlp.json` again, not `x.otlp.otlp.json`.
pub fn export_name(name: &str, suffix: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).replace(':', "-");
    let stem = base.strip_suffix(".jsonl").or_else(|| base.strip_suffix(".json")).unwrap_or(&base);
    let stem = if suffix == "otlp.json" { stem.strip_suffix(".otlp").unwrap_or(stem) } else { stem };
    let stem = if stem.is_empty() { "trace" } else { stem };
    format!("{stem}.{suffix}")
}
