//! Every way in (file, URL, paste, sample, postMessage) ends here: get the bytes, let the progress label
//! paint, parse with `crate::load`, then put the file on screen or the error in the panel.

use super::browser::{next_paint, read_blob};
use super::embed;
use super::format;
use super::state::{AppState, Failure, LoadedFile};
use leptos::prelude::*;
use std::rc::Rc;

/// The bundled sample, so the first view needs no fetch.
const SAMPLE_NAME: &str = "checkout.otlp.json";
const SAMPLE: &[u8] = include_bytes!("../../public/samples/checkout.otlp.json");

pub enum Input {
    Bytes { name: String, bytes: Vec<u8> },
    File(web_sys::File),
    Url(String),
}

impl Input {
    pub fn sample() -> Input {
        Input::Bytes {
            name: SAMPLE_NAME.to_string(),
            bytes: SAMPLE.to_vec(),
        }
    }

    fn name(&self) -> String {
        match self {
            Input::Bytes { name, .. } => name.clone(),
            Input::File(file) => file.name(),
            Input::Url(url) => url_file_name(url),
        }
    }
}

/// Parses the sample synchronously, before the first paint.
pub fn show_sample_now(state: AppState) {
    match parse(SAMPLE_NAME, SAMPLE) {
        Ok(set) => state.add(Rc::new(LoadedFile::new(set))),
        Err(failure) => state.fail(failure),
    }
}

/// Loads inputs from one user action (or `?url=`), in order; the last one that loads stays on screen.
/// Errors of the previous action are cleared first; the previous trace stays until a new one loads.
pub async fn load_batch(state: AppState, inputs: Vec<Input>) {
    state.failures.set(Vec::new());
    for input in inputs {
        match load_one(state, input).await {
            Ok(file) => embed::announce_loaded(file),
            Err(failure) => embed::announce_error(&failure.text),
        }
    }
}

/// Loads one input and shows it, or records why not.
pub async fn load_one(state: AppState, input: Input) -> Result<Rc<LoadedFile>, Failure> {
    let name = input.name();
    let ticket = state.begin(match &input {
        Input::Url(url) => format!("Fetching {url}…"),
        Input::File(file) => loading_label(&name, file.size() as u64),
        Input::Bytes { bytes, .. } => loading_label(&name, bytes.len() as u64),
    });
    let result: Result<Rc<LoadedFile>, Failure> = async {
        let bytes = bytes_of(input, &name).await?;
        state.relabel(ticket, loading_label(&name, bytes.len() as u64));
        // Parsing and analysis are synchronous: let each label paint first.
        next_paint().await;
        let set = parse(&name, &bytes)?;
        drop(bytes);
        let spans: usize = set.traces.iter().map(|t| t.spans.len()).sum();
        state.relabel(
            ticket,
            format!(
                "Analyzing {name} ({})…",
                format::plural(spans as u64, "span", "spans")
            ),
        );
        next_paint().await;
        Ok(Rc::new(LoadedFile::new(set)))
    }
    .await;
    state.finish(ticket);
    match &result {
        Ok(file) => state.add(file.clone()),
        Err(failure) => state.fail(failure.clone()),
    }
    result
}

fn loading_label(name: &str, size: u64) -> String {
    format!("Loading {name} ({})…", format::bytes(size))
}

async fn bytes_of(input: Input, name: &str) -> Result<Vec<u8>, Failure> {
    let fail = |text: String| Failure {
        file: name.to_string(),
        text,
    };
    match input {
        Input::Bytes { bytes, .. } => Ok(bytes),
        Input::File(file) => read_blob(&file)
            .await
            .map_err(|e| fail(format!("{name}: could not read the file: {e}"))),
        Input::Url(url) => fetch(&url).await.map_err(|e| fail(format!("{url}: {e}"))),
    }
}

async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("could not fetch: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "the server answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    response
        .binary()
        .await
        .map_err(|e| format!("could not read the response: {e}"))
}

fn parse(name: &str, bytes: &[u8]) -> Result<crate::TraceSet, Failure> {
    crate::load(name, bytes).map_err(|err| Failure {
        file: err.file.clone(),
        text: err.to_string(),
    })
}

/// `https://host/api/traces/abc.json?x=1` → `abc.json`: what the file list and the export name show.
fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(last) if !last.is_empty() && !last.contains(':') => last.to_string(),
        _ => "trace.json".to_string(),
    }
}
