//! The page's side of the engine: a Web Worker running this same wasm module (the compiled module is posted to
//! it, so nothing is fetched or compiled twice, and no SharedArrayBuffer or cross-origin isolation is needed),
//! from the same-origin `public/engine-worker.js` (the page's CSP allows no `blob:` worker). Each load gets a
//! fresh worker, ended when the answer is in or the load is cancelled, which returns all its memory.
//! Where no worker can start (an operator's CSP without `worker-src 'self'`), or `?engine=page` asks for it,
//! loads run on the page (`ui::loading`).

use super::protocol::{self, message};
use crate::ui::platform::browser::js_error_text;
use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The worker script, beside the module's files.
const WORKER_SCRIPT: &str = "public/engine-worker.js";

/// A worker not up by then is taken as one that cannot start.
const START_TIMEOUT_MS: i32 = 10_000;

/// Why loads run on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum OnPage {
    /// `?engine=page` (the benchmark's baseline).
    Asked,
    /// No worker could start; the text says why.
    NoWorker(String),
}

thread_local! {
    /// Set once a worker has failed to start (or `?engine=page`): later loads do not try again.
    static ON_PAGE: RefCell<Option<OnPage>> = const { RefCell::new(None) };
}

/// Loads run on the page from now on (`?engine=page`).
pub fn run_on_page() {
    ON_PAGE.with(|o| *o.borrow_mut() = Some(OnPage::Asked));
}

/// Why loads run on the page, if they do.
pub fn on_page() -> Option<OnPage> {
    ON_PAGE.with(|o| o.borrow().clone())
}

/// A running engine worker. Dropping it ends the worker.
pub struct EngineWorker {
    worker: web_sys::Worker,
    inbox: UnboundedReceiver<JsValue>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// A worker whose module is up, or why loads run on the page (`Err(OnPage::NoWorker)` only the first time
/// it fails: the caller says so once; after that `None`-like `Err` with the same reason).
pub async fn start() -> Result<EngineWorker, OnPage> {
    if let Some(reason) = on_page() {
        return Err(reason);
    }
    match EngineWorker::start().await {
        Ok(worker) => Ok(worker),
        Err(why) => {
            let reason = OnPage::NoWorker(why);
            ON_PAGE.with(|o| *o.borrow_mut() = Some(reason.clone()));
            Err(reason)
        }
    }
}

/// The module's JS file, as the page preloaded it.
fn glue_url() -> Option<String> {
    let link = leptos::prelude::document().query_selector("link[rel=modulepreload]").ok()??;
    Some(link.dyn_into::<web_sys::HtmlLinkElement>().ok()?.href())
}

impl EngineWorker {
    async fn start() -> Result<EngineWorker, String> {
        let glue = glue_url().ok_or("the page has no module script to start a worker with")?;
        let script = web_sys::Url::new_with_base(WORKER_SCRIPT, &glue).map_err(js_error_text)?.href();
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&script, &options).map_err(js_error_text)?;
        let (sender, inbox) = unbounded();
        let violation_sender = sender.clone();
        let on_message = {
            let sender = sender.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let _ = sender.unbounded_send(event.data());
            })
        };
        // A worker that cannot start (CSP, a missing script) or stops (a panic, memory) says so here.
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            event.prevent_default();
            let why = match event.message() {
                m if m.is_empty() => "the worker could not start or stopped".to_string(),
                m => m,
            };
            let _ = sender.unbounded_send(message(protocol::FAILED, &[("text", why.into())]).into());
        });
        // Chromium blocks a worker the CSP forbids with no error on the worker: only a violation event.
        let on_violation = {
            let (sender, script) = (violation_sender, script.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let field = |name: &str| js_sys::Reflect::get(&event, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                if field("effectiveDirective") == "worker-src" || field("blockedURI") == script {
                    let why = format!("the page's Content-Security-Policy does not allow it: {}", field("originalPolicy"));
                    let _ = sender.unbounded_send(message(protocol::FAILED, &[("text", why.into())]).into());
                }
            })
        };
        let document = leptos::prelude::document();
        let _ = document.add_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut engine = EngineWorker { worker, inbox, _on_message: on_message, _on_error: on_error };
        engine.post(&message(protocol::INIT, &[("glue", glue.into()), ("module", wasm_bindgen::module())]));
        let answer = engine.next(START_TIMEOUT_MS).await;
        let _ = document.remove_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
        match answer {
            Ok(Some(ready)) if protocol::kind(&ready) == protocol::READY => Ok(engine),
            Ok(Some(failed)) => Err(protocol::text(&failed, "text")),
            Ok(None) => Err(format!("the worker did not start within {} s", START_TIMEOUT_MS / 1000)),
            Err(why) => Err(why),
        }
    }

    pub fn post(&self, message: &JsValue) {
        let _ = self.worker.post_message(message);
    }

    /// Posts a message whose buffers (`transfer`) move to the worker.
    pub fn post_transfer(&self, message: &JsValue, transfer: &js_sys::Array) {
        let _ = self.worker.post_message_with_transfer(message, transfer);
    }

    /// The worker's next message, or `Ok(None)` when `wait_ms` passes first (to look at Cancel).
    pub async fn next(&mut self, wait_ms: i32) -> Result<Option<JsValue>, String> {
        let timer = crate::ui::platform::browser::sleep(wait_ms);
        futures::pin_mut!(timer);
        match futures::future::select(self.inbox.next(), timer).await {
            futures::future::Either::Left((Some(message), _)) => Ok(Some(message)),
            futures::future::Either::Left((None, _)) => Err("the engine's worker ended".to_string()),
            futures::future::Either::Right(_) => Ok(None),
        }
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        // Events already on their way (a blocked worker's late error) must not reach the dropped handlers.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
