//! Every way in (file, URL, paste, sample, postMessage) ends here: get the bytes (files and downloads in
//! chunks, gzip unpacked on the way, spans read while they arrive), then step the one load pipeline
//! (`crate::pipeline`) between frames, and record the outcome in `AppState`. The clock-skew toggle steps the
//! same pipeline's later stages. Progress and Cancel live in `AppState::pending`.

use crate::ui::platform::browser::{js_error_text, mark, next_paint, now, Yielder};
use crate::ui::platform::{engine, protocol};
use crate::ui::platform::requests;
use crate::ui::state::{AppState, Failure, LoadedFile, Outcome, Retry};
use crate::backend::Backend;
use crate::engine::job::{over_memory, Reading, PARSE_SLICE_BYTES};
use crate::engine::wire::{self, Assembled, Assembler};
use crate::format;
use crate::formats::LoadError;
use crate::memory;
use crate::pipeline::{Pipeline, Stage};
use futures::StreamExt;
use leptos::prelude::*;
use std::borrow::Cow;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The bundled sample, so the first view needs no fetch.
const SAMPLE_NAME: &str = "checkout.otlp.json";
const SAMPLE: &[u8] = include_bytes!("../../../public/samples/checkout.otlp.json");

pub enum Input {
    Bytes { name: String, bytes: Vec<u8> },
    File(web_sys::File),
    Url(String),
    /// A trace fetched by id from a configured backend.
    Backend { backend: Backend, trace_id: String },
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
            Input::Backend { backend, trace_id } => backend_file_name(&backend.name, trace_id),
        }
    }
}

/// The name a trace fetched by id is loaded under: `jaeger:4bf92f35…`.
pub fn backend_file_name(backend: &str, trace_id: &str) -> String {
    format!("{backend}:{}", trace_id.trim())
}

/// Loads trace `trace_id` from the backend named `backend` in `public/config.json` (the first when empty):
/// `?traceId=` and the toolbar's Trace ID box.
pub async fn load_by_id(state: AppState, backend: &str, trace_id: &str) {
    state.failures.set(Vec::new());
    if let Some(backend) = backend_for(state, backend, trace_id) {
        load_batch(state, vec![Input::Backend { backend, trace_id: trace_id.to_string() }]).await;
    }
}

/// The configured backend named `backend` (the first when empty), or a failure saying why trace
/// `trace_id` cannot be fetched.
fn backend_for(state: AppState, backend: &str, trace_id: &str) -> Option<Backend> {
    let found = state.config.with_untracked(|c| c.backend(backend).cloned());
    if found.is_none() {
        let text = format!("Cannot fetch trace {trace_id}: {}", unknown_backend(backend));
        state.fail(Failure::new(backend_file_name(backend, trace_id), text));
    }
    found
}

/// Loads the sample synchronously, before the first paint. It is what the page opens with, not a load
/// anyone asked for, so it records no outcome (an embedding parent hears of loads from `spanlens:ready` on).
pub fn show_sample_now(state: AppState) {
    match crate::pipeline::load_analyzed(SAMPLE_NAME, SAMPLE) {
        Ok(file) => state.add(Rc::new(file)),
        Err(err) => state.fail(failure_of(err)),
    }
}

/// Loads inputs from one user action (or `?url=`), in order; the last one that loads stays on screen.
/// Errors of the previous action are cleared first; the previous trace stays until a new one loads.
pub async fn load_batch(state: AppState, inputs: Vec<Input>) {
    state.failures.set(Vec::new());
    for input in inputs {
        let _ = load_one(state, input, false).await;
    }
}

/// Loads one input and shows it, or records why not (`asked_by_parent`: a `spanlens:load`, which its
/// handler answers).
pub async fn load_one(state: AppState, input: Input, asked_by_parent: bool) -> Result<Rc<LoadedFile>, Failure> {
    let result = read(state, input).await;
    match &result {
        Ok(file) => state.finish_load(Outcome::Loaded { file: file.clone(), asked_by_parent }),
        Err(Unread { cancelled: true, .. }) => {}
        Err(Unread { failure, .. }) => state.finish_load(Outcome::Failed { failure: failure.clone(), asked_by_parent }),
    }
    result.map_err(|unread| unread.failure)
}

/// Why an input was not read: a failure to show, or a cancelled load (which says so to whoever asked).
struct Unread {
    failure: Failure,
    cancelled: bool,
}

/// Fetches trace `trace_id` from the backend named `backend` (the first when empty) and keeps it loaded
/// beside the file on screen, which stays (the compare tab's B). A failure goes into the error panel.
pub async fn fetch_beside(state: AppState, backend: &str, trace_id: &str) -> Option<Rc<LoadedFile>> {
    let backend = backend_for(state, backend, trace_id)?;
    match read(state, Input::Backend { backend, trace_id: trace_id.to_string() }).await {
        Ok(file) => {
            state.keep(file.clone());
            Some(file)
        }
        Err(Unread { failure, cancelled }) => {
            if !cancelled {
                state.fail(failure);
            }
            None
        }
    }
}

/// A search's answer opened as one file: at most this many traces are fetched, this many at once.
pub const OPEN_ALL_MAX: usize = 1000;
const IN_FLIGHT: usize = 6;

/// Fetches the traces `ids` of backend `backend`, a few at once (a copy already loaded is used as it is),
/// and opens them as one file named `name`, so that the statistics and the aggregate can run across all
/// of them. Each trace is read (its spans and trees, not yet analysed) and written as OTLP/JSON, one document
/// per line, and the lines are read as one file: the same reader and analysis as any file, whatever format
/// the backend answers in. Cancel stops between traces; a trace that fails is reported and left out.
pub async fn open_all(state: AppState, backend: &str, ids: Vec<String>, name: String) {
    state.failures.set(Vec::new());
    let Some(found) = state.config.with_untracked(|c| c.backend(backend).cloned()) else {
        return state.fail(Failure::new(name, unknown_backend(backend)));
    };
    let n = ids.len() as u64;
    let (ticket, cancel) = state.begin(format!("Fetching {} from {}…", format::plural(n, "trace", "traces"), found.name));
    let limit = state.config.with_untracked(|c| c.memory_limit());
    // A few requests in flight at once: each trace's round trip overlaps the reading of the others.
    let (found, cancel) = (&found, &cancel);
    let docs = futures::stream::iter(ids.iter().map(|id| async move {
        let loaded_as = backend_file_name(&found.name, id);
        let doc = match state.file_named(&loaded_as) {
            Some(file) => Ok(crate::export::otlp_json(&file.set, None)),
            None if cancel.load(Ordering::Relaxed) => Err(None),
            None => async {
                let (chunks, size) = fetch_trace(found, id.trim(), cancel).await.map_err(Some)?;
                let pipeline = read_chunks(chunks, size, &loaded_as, &loaded_as, limit, cancel, &|_, _, _| {}).await?;
                let set = pipeline.trees().map_err(|e| Some(e.to_string()))?;
                Ok(crate::export::otlp_json(&set, None))
            }
            .await,
        };
        (loaded_as, doc)
    }))
    .buffered(IN_FLIGHT);
    futures::pin_mut!(docs);
    let mut lines: Vec<u8> = Vec::new();
    let mut done = 0;
    while let Some((loaded_as, doc)) = docs.next().await {
        done += 1;
        state.progress(ticket, format!("Fetched {done} of {n} traces from {}", found.name), done, n);
        match doc {
            Ok(doc) => {
                lines.extend(doc);
                lines.push(b'\n');
            }
            Err(Some(text)) => state.fail(Failure::new(loaded_as, text)),
            Err(None) => {}
        }
        if cancel.load(Ordering::Relaxed) {
            break;
        }
    }
    state.finish(ticket);
    if cancel.load(Ordering::Relaxed) || lines.is_empty() {
        return;
    }
    if let Ok(file) = read(state, Input::Bytes { name, bytes: lines }).await {
        state.finish_load(Outcome::Loaded { file, asked_by_parent: false });
    }
}

/// Where an input's bytes come from: all here, or in chunks (`doing` says what, for the progress bar).
enum Feed {
    Whole(Vec<u8>),
    Chunks { chunks: Chunks, size: Option<u64>, doing: String },
}

/// Reads one input into a loaded file, noting how a link loads it again: in an engine worker
/// (`platform::engine`), or on the page where none can start. Yields to the browser between chunks and
/// steps, so the progress bar moves, clicks are answered and Cancel works.
async fn read(state: AppState, input: Input) -> Result<Rc<LoadedFile>, Unread> {
    let name = input.name();
    // How a link loads it again.
    let source: Vec<(&'static str, String)> = match &input {
        Input::Url(url) => vec![("url", url.clone())],
        Input::Backend { backend, trace_id } => vec![("traceId", trace_id.trim().to_string()), ("backend", backend.name.clone())],
        Input::Bytes { .. } | Input::File(_) => Vec::new(),
    };
    let (ticket, cancel) = state.begin(match &input {
        Input::Url(url) => format!("Fetching {url}…"),
        _ => format!("Opening {name}…"),
    });
    let step = |label: String, done: u64, total: u64| state.progress(ticket, label, done, total);
    let limit = state.config.with_untracked(|c| c.memory_limit());
    let result: Result<LoadedFile, Option<Failure>> = async {
        let fail = |text: String| Failure::new(name.clone(), text);
        // What a reading error names: the file, or the URL it came from.
        let (feed, what) = match input {
            Input::Bytes { bytes, .. } => (Feed::Whole(bytes), name.clone()),
            Input::Backend { backend, trace_id } => {
                // A request that failed can be tried again from the error panel.
                let retry = Retry::Trace { backend: backend.name.clone(), trace_id: trace_id.clone() };
                let (chunks, size) = fetch_trace(&backend, trace_id.trim(), &cancel)
                    .await
                    .map_err(|text| Failure { retry: Some(retry), ..fail(text) })?;
                (Feed::Chunks { chunks, size, doing: format!("Fetching {name}") }, name.clone())
            }
            Input::Url(url) => match fetch(&url).await.map_err(|e| fail(format!("{url}: {e}")))? {
                Some((chunks, size)) => (Feed::Chunks { chunks, size, doing: format!("Downloading {url}") }, url),
                None => (Feed::Whole(Vec::new()), url),
            },
            Input::File(file) => {
                let size = Some(file.size() as u64);
                (Feed::Chunks { chunks: Chunks::of_file(file), size, doing: format!("Reading {name}") }, name.clone())
            }
        };
        let load = Load { name: &name, what: &what, memory_limit: limit, cancel: &cancel, step: &step };
        match engine_worker(state).await {
            Some(worker) => load.in_worker(worker, feed).await,
            None => load.on_page(feed).await,
        }
    }
    .await;
    state.finish(ticket);
    let cancelled = cancel.load(Ordering::Relaxed);
    match result {
        Ok(file) => {
            let file = Rc::new(file);
            state.sources.update_value(|s| drop(s.insert(file.id, source)));
            Ok(file)
        }
        Err(failure) => {
            let failure = failure.unwrap_or_else(|| Failure::new(name.clone(), format!("Loading {name} was cancelled.")));
            Err(Unread { failure, cancelled })
        }
    }
}

/// A worker for the next load, or `None` to load on the page; the first time no worker can start, the
/// page says so (once).
async fn engine_worker(state: AppState) -> Option<engine::EngineWorker> {
    let said_before = engine::on_page().is_some();
    match engine::start().await {
        Ok(worker) => Some(worker),
        Err(engine::OnPage::NoWorker(why)) if !said_before => {
            web_sys::console::warn_1(&format!("spanlens: no engine worker ({why})").into());
            state.notice.set(Some(format!(
                "Traces are read on this page, not in a background worker ({why}): the page may pause while a \
                 big file loads. Allowing worker-src 'self' in the Content-Security-Policy lets it read in the background."
            )));
            None
        }
        Err(_) => None,
    }
}

/// One input being loaded: what it is called, what its errors name, and the load's limits and controls.
struct Load<'a, F: Fn(String, u64, u64)> {
    name: &'a str,
    what: &'a str,
    memory_limit: u64,
    cancel: &'a AtomicBool,
    step: &'a F,
}

/// Input chunks sent to a worker and not yet read by it: the page reads ahead no further (the file is not
/// held twice while the worker catches up).
const CHUNKS_AHEAD: usize = 2;
/// The page takes the worker's blocks for at most this long between tasks of its own.
const INGEST_SLICE_MS: f64 = 8.0;
/// How often a wait for the worker looks at Cancel.
const CANCEL_POLL_MS: i32 = 50;

impl<F: Fn(String, u64, u64)> Load<'_, F> {
    fn fail(&self, text: String) -> Option<Failure> {
        Some(Failure::new(self.name.to_string(), text))
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Reads and analyses on the page's thread, a slice at a time between frames.
    async fn on_page(&self, feed: Feed) -> Result<LoadedFile, Option<Failure>> {
        let pipeline = match feed {
            Feed::Whole(bytes) => Pipeline::of_bytes(self.name, Cow::Owned(bytes)).map_err(|e| Some(failure_of(e)))?,
            Feed::Chunks { chunks, size, doing } => read_chunks(chunks, size, self.name, &doing, self.memory_limit, self.cancel, self.step)
                .await
                .map_err(|e| e.and_then(|e| self.fail(format!("{}: {e}", self.what))))?,
        };
        mark("spanlens:read");
        match run(pipeline, self.memory_limit, self.cancel, self.step).await {
            Some(result) => result.map_err(|e| Some(failure_of(e))),
            None => Err(None),
        }
    }

    /// Sends the input to a worker as it arrives and takes the loaded file back.
    async fn in_worker(&self, mut worker: engine::EngineWorker, feed: Feed) -> Result<LoadedFile, Option<Failure>> {
        let (size, doing) = match &feed {
            Feed::Whole(bytes) => (Some(bytes.len() as u64), format!("Reading {}", self.name)),
            Feed::Chunks { size, doing, .. } => (*size, doing.clone()),
        };
        let size = size.map_or(JsValue::NULL, |s| (s as f64).into());
        let fields = [
            ("name", self.name.into()),
            ("what", self.what.into()),
            ("doing", doing.into()),
            ("size", size),
            ("limit", (self.memory_limit as f64).into()),
        ];
        worker.post(&protocol::message(protocol::LOAD, &fields));
        let mut answer = Answer::new();
        match feed {
            Feed::Whole(bytes) => {
                // A chunk at a time ("open all" at 1M spans hands over 750 MB: one copy was a 2 s task).
                self.post_in_slices(&worker, protocol::CHUNK, bytes.chunks(CHUNK_BYTES as usize)).await?;
            }
            Feed::Chunks { mut chunks, .. } => {
                let mut pending = chunks.request(None);
                let mut ahead = 0;
                // The worker hands each chunk's buffer back when it has read it: a few buffers go round instead
                // of a fresh 8 MB one per chunk (garbage the page's collector sweeps in long pauses).
                let mut spare: Vec<js_sys::ArrayBuffer> = Vec::new();
                while let Some(array) = pending.wait().await.map_err(|e| self.fail(format!("{}: {e}", self.what)))? {
                    pending = chunks.request(spare.pop());
                    let message = protocol::message(
                        protocol::CHUNK,
                        &[
                            ("bytes", array.buffer().into()),
                            ("offset", array.byte_offset().into()),
                            ("length", array.length().into()),
                        ],
                    );
                    // A buffer read for this chunk alone moves to the worker; a stream's own is copied.
                    match chunks.owns_buffers() {
                        true => worker.post_transfer(&message, &js_sys::Array::of1(&array.buffer())),
                        false => worker.post(&message),
                    }
                    ahead += 1;
                    while ahead > CHUNKS_AHEAD {
                        if self.cancelled() {
                            chunks.cancel();
                            return Err(None);
                        }
                        if let Some(message) = worker.next(CANCEL_POLL_MS).await.map_err(|e| self.fail(e))? {
                            if protocol::kind(&message) == protocol::TOOK {
                                ahead -= 1;
                                spare.extend(protocol::field(&message, "bytes").dyn_into::<js_sys::ArrayBuffer>().ok());
                            }
                            answer.take(self, message).await?;
                        }
                    }
                }
            }
        }
        worker.post(&protocol::message(protocol::END, &[]));
        mark("spanlens:read");
        self.answer(worker, answer).await
    }

    /// Sends a loaded file's traces to a worker (a slice at a time) to be analysed again with clock-skew
    /// adjustment on or off, and takes the new file back.
    async fn reanalyse_in_worker(&self, worker: engine::EngineWorker, file: &LoadedFile, skew_adjusted: bool) -> Result<LoadedFile, Option<Failure>> {
        worker.post(&protocol::message(protocol::REANALYSE, &[("limit", (self.memory_limit as f64).into())]));
        self.post_in_slices(&worker, protocol::BLOCK, wire::of_set(&file.set, skew_adjusted)).await?;
        worker.post(&protocol::message(protocol::END, &[]));
        self.answer(worker, Answer::new()).await
    }

    /// Posts `parts` to the worker as `kind` messages (each copied into a buffer of its own and transferred),
    /// the page breathing between the copies; `Err(None)` when cancelled.
    async fn post_in_slices<B: AsRef<[u8]>>(
        &self,
        worker: &engine::EngineWorker,
        kind: &str,
        parts: impl Iterator<Item = B>,
    ) -> Result<(), Option<Failure>> {
        let mut pause = Yielder::new(INGEST_SLICE_MS);
        for part in parts {
            let (message, transfer) = protocol::with_bytes(kind, part.as_ref());
            worker.post_transfer(&message, &transfer);
            pause.maybe_pass().await;
            if self.cancelled() {
                return Err(None);
            }
        }
        Ok(())
    }

    /// Takes the worker's messages until its answer is complete.
    async fn answer(&self, mut worker: engine::EngineWorker, mut answer: Answer) -> Result<LoadedFile, Option<Failure>> {
        loop {
            if self.cancelled() {
                return Err(None);
            }
            if let Some(message) = worker.next(CANCEL_POLL_MS).await.map_err(|e| self.fail(e))? {
                if let Some(file) = answer.take(self, message).await? {
                    mark("spanlens:summarized");
                    return Ok(file);
                }
            }
        }
    }
}

/// The worker's answer as it comes in: its blocks put together a slice at a time.
struct Answer {
    assembler: Option<Assembler>,
    pause: Yielder,
}

impl Answer {
    fn new() -> Answer {
        Answer { assembler: Some(Assembler::new()), pause: Yielder::new(INGEST_SLICE_MS) }
    }

    /// One message: progress to show, a block to take, the end (the file), or a failure.
    async fn take<F: Fn(String, u64, u64)>(&mut self, load: &Load<'_, F>, message: JsValue) -> Result<Option<LoadedFile>, Option<Failure>> {
        let damaged = |text: String| load.fail(text);
        match protocol::kind(&message).as_str() {
            protocol::PROGRESS => {
                let number = |name| protocol::number(&message, name).unwrap_or(0.0) as u64;
                (load.step)(protocol::text(&message, "label"), number("done"), number("total"));
            }
            protocol::BLOCK => {
                let assembler = self.assembler.as_mut().ok_or_else(|| damaged("a block after the end".into()))?;
                assembler.push(&protocol::bytes(&message)).map_err(damaged)?;
                memory::check(memory::held(), load.memory_limit, &format!("while taking in {}", load.name)).map_err(damaged)?;
                self.pause.maybe_pass().await;
            }
            protocol::DONE => {
                // The views' first render of the file gets a task of its own, not the end of the last slice.
                crate::ui::platform::browser::next_task().await;
                let assembler = self.assembler.take().ok_or_else(|| damaged("two ends".into()))?;
                return match assembler.finish().map_err(damaged)? {
                    Assembled::File(file) => Ok(Some(file)),
                    Assembled::Set { .. } => Err(damaged("the engine answered with no analysis".into())),
                };
            }
            protocol::FAILED => {
                let file = protocol::text(&message, "file");
                let file = if file.is_empty() { load.name.to_string() } else { file };
                return Err(Some(Failure::new(file, protocol::text(&message, "text"))));
            }
            _ => {}
        }
        Ok(None)
    }
}

/// The clock-skew toggle: `file` analysed again with adjustment on or off, with progress and Cancel like a
/// load, then put in its place. Returns whether it was (not when cancelled).
pub async fn reanalyse(state: AppState, file: Rc<LoadedFile>, skew_adjusted: bool) -> bool {
    let doing = crate::pipeline::skew_doing(skew_adjusted);
    let (ticket, cancel) = state.begin(format!("{doing} {}…", file.name()));
    let step = |label: String, done: u64, total: u64| state.progress(ticket, label, done, total);
    // Let the progress bar show before the copy of the traces.
    next_paint().await;
    let limit = state.config.with_untracked(|c| c.memory_limit());
    let result = match engine_worker(state).await {
        Some(worker) => {
            let load = Load { name: file.name(), what: file.name(), memory_limit: limit, cancel: &cancel, step: &step };
            load.reanalyse_in_worker(worker, &file, skew_adjusted).await
        }
        None => match run(Pipeline::reanalyse(&file, skew_adjusted), limit, &cancel, &step).await {
            Some(result) => result.map_err(|err| Some(failure_of(err))),
            None => Err(None),
        },
    };
    state.finish(ticket);
    match result {
        Ok(new) => {
            state.replace(file.id, Rc::new(new));
            true
        }
        Err(Some(failure)) => {
            state.fail(failure);
            false
        }
        Err(None) => false,
    }
}

/// Steps a pipeline to its end, yielding every 50 ms (the bar moves, clicks are answered) and marking when
/// each stage ends (`spanlens:parsed`, `:trees`, `:analyzed`, `:summarized`, for the browser benchmark).
/// `None` when cancelled.
async fn run(
    mut pipeline: Pipeline<'_>,
    memory_limit: u64,
    cancel: &AtomicBool,
    step: &impl Fn(String, u64, u64),
) -> Option<Result<LoadedFile, LoadError>> {
    let mut pause = Yielder::new(50.0);
    let mut stage = pipeline.stage();
    loop {
        match pipeline.step(PARSE_SLICE_BYTES) {
            Ok(None) => {}
            Ok(Some(file)) => {
                mark("spanlens:summarized");
                return Some(Ok(file));
            }
            Err(err) => return Some(Err(err)),
        }
        // Checked after every step; the label is built only when the bar is about to move.
        let now = pipeline.stage();
        if now != stage {
            match stage {
                Stage::Parsing => mark("spanlens:parsed"),
                Stage::Trees => mark("spanlens:trees"),
                Stage::Analysing => mark("spanlens:analyzed"),
                _ => {}
            }
            stage = now;
        }
        if let Some(err) = over_memory(&pipeline, memory_limit) {
            return Some(Err(err));
        }
        if pause.due() {
            let progress = pipeline.progress();
            step(progress.label, progress.done, progress.total);
            pause.maybe_yield().await;
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
        }
    }
}

fn failure_of(err: LoadError) -> Failure {
    Failure::new(err.file.clone(), err.to_string())
}


/// The read buffer's size (streams may fill less of it), and how often the progress bar moves while reading.
const CHUNK_BYTES: u32 = 8 * 1024 * 1024;
const MIN_CHUNK_BYTES: u64 = 64 * 1024;

/// While a chunk is being read, the spans that have arrived are read for at most this long: reading and
/// parsing overlap, and when parsing is the slower, the reads wait for it rather than the other way round.
const PARSE_WHILE_READING_MS: f64 = 40.0;

/// Reads an input in chunks into one buffer (gunzipping on the way when it is gzip), reporting bytes read (of
/// `size`, when known), and parses what has arrived while the next chunk is being read. `doing` says what,
/// for the progress label. Returns the pipeline with the whole input given; `Err(None)` means cancelled.
async fn read_chunks(
    mut chunks: Chunks,
    size: Option<u64>,
    name: &str,
    doing: &str,
    memory_limit: u64,
    cancel: &AtomicBool,
    step: &impl Fn(String, u64, u64),
) -> Result<Pipeline<'static>, Option<String>> {
    let mut reading = Reading::new(name, size, memory_limit).map_err(Some)?;
    let mut chunk: Vec<u8> = Vec::new();
    let mut reported = 0u64;
    let mut pause = Yielder::new(50.0);
    // The read buffer: no bigger than the input when its size is known (a search's traces are small, and
    // a fresh 8 MB buffer for each of a thousand showed in the time taken to fetch them).
    let first = size.map(|s| js_sys::ArrayBuffer::new((s.max(MIN_CHUNK_BYTES) as u32).min(CHUNK_BYTES)));
    let mut pending = chunks.request(first);
    while let Some(array) = pending.wait().await.map_err(Some)? {
        if cancel.load(Ordering::Relaxed) {
            chunks.cancel();
            return Err(None);
        }
        chunk.resize(array.length() as usize, 0);
        array.copy_to(&mut chunk);
        // The next chunk is read while this one is unpacked and parsed.
        pending = chunks.request(Some(array.buffer()));
        // Gzip is unpacked a slice at a time, the page breathing in between.
        let slice = reading.slice_len(&chunk);
        for part in chunk.chunks(slice) {
            reading.take(part).map_err(Some)?;
            if slice < chunk.len() {
                pause.maybe_yield().await;
                if cancel.load(Ordering::Relaxed) {
                    chunks.cancel();
                    return Err(None);
                }
            }
        }
        let until = now() + PARSE_WHILE_READING_MS;
        reading.read_arrived(|| now() < until);
        let amount = reading.chunk_done(chunk.len()).map_err(Some)?;
        // Streams hand out a few hundred KB at a time: the bar moves every `CHUNK_BYTES`, at the end, and
        // when the page is about to paint anyway.
        let offset = reading.offset();
        if offset >= reported + CHUNK_BYTES as u64 || size.is_some_and(|size| offset >= size) || pause.due() {
            reported = offset;
            let (label, done, total) = reading.progress(doing, &amount);
            step(label, done, total);
        }
        // Reads that the stream has buffered resolve at once, without a turn of the event loop between them.
        pause.maybe_yield().await;
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(None);
    }
    reading.finish().map_err(Some)
}

/// An input's bytes a chunk at a time. A BYOB stream reader fills one reused buffer: twice as fast as slicing
/// a file, and no garbage buffer per chunk (170 MB less browser memory for a 900 MB file). A stream that is
/// not a byte stream is read chunk by chunk as it gives them; a file whose stream has no BYOB reader is sliced.
enum Chunks {
    Byob(web_sys::ReadableStreamByobReader),
    Stream(web_sys::ReadableStreamDefaultReader),
    Slices { file: web_sys::File, offset: f64 },
}

/// A read under way: a stream reader's (either kind answers with a read result) or a file slice's.
enum Pending {
    Read(JsFuture),
    Slice(JsFuture),
    Done,
    Failed(String),
}

impl Chunks {
    fn of_file(file: web_sys::File) -> Chunks {
        match web_sys::ReadableStreamByobReader::new(&file.stream()) {
            Ok(reader) => Chunks::Byob(reader),
            Err(_) => Chunks::Slices { file, offset: 0.0 },
        }
    }

    fn of_stream(stream: &web_sys::ReadableStream) -> Result<Chunks, String> {
        match web_sys::ReadableStreamByobReader::new(stream) {
            Ok(reader) => Ok(Chunks::Byob(reader)),
            Err(_) => web_sys::ReadableStreamDefaultReader::new(stream).map(Chunks::Stream).map_err(js_error_text),
        }
    }

    /// Starts reading the next chunk. A BYOB reader reads into `buffer`, the last chunk's (its bytes copied
    /// out by now), which it takes over and hands back with the chunk.
    fn request(&mut self, buffer: Option<js_sys::ArrayBuffer>) -> Pending {
        match self {
            Chunks::Byob(reader) => {
                let buffer = buffer.unwrap_or_else(|| js_sys::ArrayBuffer::new(CHUNK_BYTES));
                Pending::Read(JsFuture::from(reader.read_with_array_buffer_view(&js_sys::Uint8Array::new(&buffer))))
            }
            Chunks::Stream(reader) => Pending::Read(JsFuture::from(reader.read())),
            Chunks::Slices { file, offset } => {
                let size = file.size();
                if *offset >= size {
                    return Pending::Done;
                }
                let end = (*offset + CHUNK_BYTES as f64).min(size);
                match file.slice_with_f64_and_f64(*offset, end) {
                    Ok(blob) => {
                        *offset = end;
                        Pending::Slice(JsFuture::from(blob.array_buffer()))
                    }
                    Err(err) => Pending::Failed(js_error_text(err)),
                }
            }
        }
    }

    /// Whether each chunk comes in a buffer of its own, that can move to a worker (a stream's own chunks
    /// may share theirs).
    fn owns_buffers(&self) -> bool {
        !matches!(self, Chunks::Stream(_))
    }

    fn cancel(&self) {
        let _ = match self {
            Chunks::Byob(reader) => reader.cancel(),
            Chunks::Stream(reader) => reader.cancel(),
            Chunks::Slices { .. } => return,
        };
    }
}

impl Pending {
    /// The chunk, or `None` at the end of the input.
    async fn wait(self) -> Result<Option<js_sys::Uint8Array>, String> {
        let read_result = |result: wasm_bindgen::JsValue| {
            let result: web_sys::ReadableStreamReadResult = result.unchecked_into();
            (!result.get_done().unwrap_or(true)).then(|| result.get_value().unchecked_into::<js_sys::Uint8Array>())
        };
        let failed = |err| format!("could not read: {}", js_error_text(err));
        match self {
            Pending::Read(read) => Ok(read_result(read.await.map_err(failed)?)),
            Pending::Slice(read) => Ok(Some(js_sys::Uint8Array::new(&read.await.map_err(failed)?))),
            Pending::Done => Ok(None),
            Pending::Failed(err) => Err(err),
        }
    }
}

/// Starts a download: the body's chunks (`None`: no body), and its size when the server gives it (not when
/// the body comes compressed, as the stream then gives more bytes than the header counts).
async fn fetch(url: &str) -> Result<Option<(Chunks, Option<u64>)>, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("could not fetch: {e}"))?;
    if !response.ok() {
        return Err(format!("the server answered HTTP {} {}", response.status(), response.status_text()));
    }
    body(response)
}

/// Fetches a trace from a backend: its body as chunks, and its size when known.
async fn fetch_trace(backend: &Backend, trace_id: &str, cancel: &Arc<AtomicBool>) -> Result<(Chunks, Option<u64>), String> {
    let wanted = format!("trace {trace_id}");
    let answer = requests::ask(backend, backend.trace_apis(), &wanted, |api, base| Ok(vec![api.trace(base, trace_id)]), cancel)
        .await
        .map_err(|refusal| refusal.text(backend, &wanted))?;
    body(answer.response)?.ok_or_else(|| format!("{} answered {wanted} with no body", backend.name))
}

/// A response's body as chunks, and its size when known.
fn body(response: gloo_net::http::Response) -> Result<Option<(Chunks, Option<u64>)>, String> {
    let headers = response.headers();
    let size = match headers.get("content-encoding") {
        Some(encoding) if encoding != "identity" => None,
        _ => headers.get("content-length").and_then(|n| n.trim().parse().ok()),
    };
    let Some(stream) = response.body() else { return Ok(None) };
    Ok(Some((Chunks::of_stream(&stream)?, size)))
}

/// `https://host/api/traces/abc.json?x=1` → `abc.json`: what the file list and the export name show.
fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(last) if !last.is_empty() && !last.contains(':') => last.to_string(),
        _ => "trace.json".to_string(),
    }
}

/// Why a backend named in a link or a search cannot be asked.
pub fn unknown_backend(name: &str) -> String {
    match name {
        "" => "no backend is configured: add one to public/config.json (\"backends\")".to_string(),
        name => format!("no backend named \"{name}\" in public/config.json"),
    }
}
