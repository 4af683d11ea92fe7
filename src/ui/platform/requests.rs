//! Requests from the page to a configured backend: with its headers and its timeout, trying its APIs in
//! order (Jaeger api/v3, then v1 when the v3 route is missing), and failing in words a person can act on
//! (`backend::answers`). What to ask and how to read the answers is the core's (`crate::backend`).

use crate::ui::platform::browser::js_error_text;
use crate::backend::{answers, Api, Backend};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An answer that is not an HTTP error: which API gave it, and the response (its body still unread).
pub struct Answer {
    pub api: Api,
    pub response: gloo_net::http::Response,
}

/// The failure of a request that got an HTTP error, with what the body said (`no_match` may make it an
/// empty answer instead).
pub enum Refusal {
    Said { api: Api, status: u16, body: Vec<u8> },
    Failed(String),
}

/// Asks `backend` for `wanted` ("trace 4bf9…", "the search"): for each of `apis` (the backend's), the URLs
/// `routes` gives (from the backend's URL resolved against the page), in order, the next when a route is
/// missing.
pub async fn ask(
    backend: &Backend,
    apis: &[Api],
    wanted: &str,
    routes: impl Fn(Api, &str) -> Result<Vec<String>, String>,
    cancel: &Arc<AtomicBool>,
) -> Result<Answer, Refusal> {
    let page = window().location().href().map_err(|e| Refusal::Failed(js_error_text(e)))?;
    let base = web_sys::Url::new_with_base(&backend.url, &page)
        .map(|u| u.href())
        .map_err(|e| Refusal::Failed(format!("{}'s URL \"{}\" is not a URL: {}", backend.name, backend.url, js_error_text(e))))?;
    for (i, &api) in apis.iter().enumerate() {
        let urls = routes(api, &base).map_err(Refusal::Failed)?;
        for (j, url) in urls.iter().enumerate() {
            let response = send(url, backend, cancel).await.map_err(Refusal::Failed)?;
            let html = response.headers().get("content-type").is_some_and(|t| t.contains("html"));
            if response.ok() && !html {
                return Ok(Answer { api, response });
            }
            let status = response.status();
            let body = response.binary().await.unwrap_or_default();
            let more = j + 1 < urls.len() || i + 1 < apis.len();
            if answers::route_missing(status, &body) && more {
                continue; // an older (or newer) server without this route: the next one
            }
            if let Some(text) = answers::not_json(backend, &body) {
                return Err(Refusal::Failed(text));
            }
            return Err(Refusal::Said { api, status, body });
        }
    }
    Err(Refusal::Failed(format!("{} has no API to ask for {wanted}", backend.name)))
}

impl Refusal {
    /// The refusal in words.
    pub fn text(self, backend: &Backend, wanted: &str) -> String {
        match self {
            Refusal::Said { status, body, .. } => answers::http_failure(backend, status, &body, wanted),
            Refusal::Failed(text) => text,
        }
    }
}

/// Asks like `ask`, of the backend's search APIs, and reads the whole answer (a search's list, a list of
/// names: small).
pub async fn ask_bytes(
    backend: &Backend,
    wanted: &str,
    routes: impl Fn(Api, &str) -> Result<Vec<String>, String>,
    cancel: &Arc<AtomicBool>,
) -> Result<(Api, Vec<u8>), Refusal> {
    let Answer { api, response } = ask(backend, backend.apis(), wanted, routes, cancel).await?;
    let body = response
        .binary()
        .await
        .map_err(|e| Refusal::Failed(format!("{} broke off its answer to {wanted}: {e}", backend.name)))?;
    Ok((api, body))
}

/// One GET to a backend, with its headers; no answer within its timeout is an error that says so, and
/// Cancel stops the wait.
async fn send(url: &str, backend: &Backend, cancel: &Arc<AtomicBool>) -> Result<gloo_net::http::Response, String> {
    let controller = web_sys::AbortController::new().map_err(js_error_text)?;
    let timed_out = Rc::new(std::cell::Cell::new(false));
    let timer = {
        let (controller, timed_out) = (send_wrapper::SendWrapper::new(controller.clone()), send_wrapper::SendWrapper::new(timed_out.clone()));
        set_timeout_with_handle(
            move || {
                timed_out.set(true);
                controller.abort();
            },
            std::time::Duration::from_millis(backend.timeout_ms()),
        )
        .ok()
    };
    // Cancel (the progress bar's) stops the wait too.
    let watch = {
        let (controller, cancel) = (send_wrapper::SendWrapper::new(controller.clone()), cancel.clone());
        set_interval_with_handle(
            move || {
                if cancel.load(Ordering::Relaxed) {
                    controller.abort();
                }
            },
            std::time::Duration::from_millis(100),
        )
        .ok()
    };
    let mut request = gloo_net::http::Request::get(url).abort_signal(Some(&controller.signal()));
    for (name, value) in &backend.headers {
        request = request.header(name, value);
    }
    let response = request.send().await;
    // The answer has begun: from here on the progress bar and Cancel are in charge.
    timer.into_iter().for_each(|t| t.clear());
    watch.into_iter().for_each(|w| w.clear());
    response.map_err(|_| {
        if timed_out.get() {
            format!("{} did not answer within {} s ({url}); try again, or raise \"timeoutMs\" in public/config.json", backend.name, backend.timeout_ms() / 1000)
        } else if cancel.load(Ordering::Relaxed) {
            "cancelled".to_string()
        } else {
            answers::unreachable(backend, url)
        }
    })
}
