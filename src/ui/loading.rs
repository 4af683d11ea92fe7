//! Every way in (file, URL, paste, sample, postMessage) ends here: get the bytes (files in chunks, gzip
//! unpacked on the way), parse, build the trees, analyze each trace, then put the file on screen or the
//! error in the panel. Progress and Cancel live in `AppState::pending`.

use super::browser::{js_error_text, mark, next_paint, now, Yielder};
use super::embed;
use crate::format;
use super::state::{AppState, Failure, LoadedFile};
use leptos::prelude::*;
use crate::formats::reader::ByteReader;
use crate::formats::IncrementalParse;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

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

/// Loads one input and shows it, or records why not. Yields to the browser between chunks of the file and
/// between stages (parse, span trees, each trace's analysis), so the progress bar moves, clicks are answered
/// and Cancel works; parsing itself is one synchronous step.
pub async fn load_one(state: AppState, input: Input) -> Result<Rc<LoadedFile>, Failure> {
    let name = input.name();
    let (ticket, cancel) = state.begin(match &input {
        Input::Url(url) => format!("Fetching {url}…"),
        _ => format!("Opening {name}…"),
    });
    let cancelled = || cancel.load(Ordering::Relaxed);
    let step = |label: String, done: u64, total: u64| state.progress(ticket, label, done, total);
    let result: Result<Rc<LoadedFile>, Failure> = async {
        let fail = |text: String| Failure { file: name.clone(), text };
        let stop = || fail(format!("Loading {name} was cancelled."));
        // A read that failed (about `what`) or was cancelled (`None`).
        let unread = |what: &str, err: Option<String>| err.map_or_else(stop, |e| fail(format!("{what}: {e}")));
        let (bytes, mut parser) = match input {
            Input::Bytes { bytes, .. } => {
                (gunzip(bytes).map_err(|e| fail(format!("{name}: {e}")))?, IncrementalParse::new(&name))
            }
            Input::Url(url) => match fetch(&url).await.map_err(|e| fail(format!("{url}: {e}")))? {
                Some((chunks, size)) => read_chunks(chunks, size, &name, &format!("Downloading {url}"), &cancel, &step)
                    .await
                    .map_err(|e| unread(&url, e))?,
                None => (Vec::new(), IncrementalParse::new(&name)),
            },
            Input::File(file) => {
                let (chunks, size) = (Chunks::of_file(&file), Some(file.size() as u64));
                read_chunks(chunks, size, &name, &format!("Reading {name}"), &cancel, &step)
                    .await
                    .map_err(|e| unread(&name, e))?
            }
        };
        mark("spanlens:read");
        // The rest is parsed a slice at a time, yielding every 50 ms: the bar moves and clicks are answered.
        let size = format::bytes(bytes.len() as u64);
        let mut pause = Yielder::new(50.0);
        while !parser.step(&bytes, PARSE_SLICE_BYTES) {
            if pause.due() {
                let label = format!("Parsing {name} ({size})… {}", format::plural(parser.spans(), "span", "spans"));
                step(label, (parser.progress() * 1000.0) as u64, 1000);
                pause.maybe_yield().await;
                if cancelled() {
                    return Err(stop());
                }
            }
        }
        let mut set = parser.finish(&bytes).map_err(|err| Failure { file: err.file.clone(), text: err.to_string() })?;
        drop(bytes);
        mark("spanlens:parsed");
        let spans: usize = set.traces.iter().map(|t| t.spans.len()).sum();
        let spans_text = format::plural(spans as u64, "span", "spans");
        step(format!("Building span trees of {name} ({spans_text})…"), 0, 0);
        next_paint().await;
        if cancelled() {
            return Err(stop());
        }
        crate::analysis::tree::build_all(&mut set);
        mark("spanlens:trees");
        let mut analyses = Vec::with_capacity(set.traces.len());
        let mut done = 0;
        for i in 0..set.traces.len() {
            let of = if set.traces.len() > 1 { format!(" trace {} of {}", i + 1, set.traces.len()) } else { String::new() };
            step(format!("Analyzing {name}{of} ({spans_text})…"), done as u64, spans as u64);
            pause.maybe_yield().await;
            if cancelled() {
                return Err(stop());
            }
            let mut analyzer = crate::analysis::Analyzer::new(&set, i);
            let analysis = loop {
                if let Some(analysis) = analyzer.step() {
                    break analysis;
                }
                pause.maybe_yield().await;
            };
            analyses.push(analysis);
            done += set.traces[i].spans.len();
        }
        mark("spanlens:analyzed");
        step(format!("Summarizing {name} ({spans_text})…"), 0, 0);
        next_paint().await;
        if cancelled() {
            return Err(stop());
        }
        let file = Rc::new(LoadedFile::from_analyzed(set, analyses));
        mark("spanlens:summarized");
        Ok(file)
    }
    .await;
    state.finish(ticket);
    match &result {
        Ok(file) => state.add(file.clone()),
        Err(_) if cancelled() => {}
        Err(failure) => state.fail(failure.clone()),
    }
    result
}

/// Parsing does about this many bytes of work between checks of the time budget.
const PARSE_SLICE_BYTES: usize = 256 * 1024;

/// The read buffer's size (streams may fill less of it), and how often the progress bar moves while reading.
const CHUNK_BYTES: u32 = 8 * 1024 * 1024;

/// While a chunk is being read, the spans that have arrived are read for at most this long: reading and
/// parsing overlap, and when parsing is the slower, the reads wait for it rather than the other way round.
const PARSE_WHILE_READING_MS: f64 = 40.0;

/// Reads an input in chunks into one buffer (gunzipping on the way when it is gzip), reporting bytes read (of
/// `size`, when known), and parses what has arrived while the next chunk is being read. `doing` says what,
/// for the progress label. Returns the input and its parse so far; `Err(None)` means cancelled.
async fn read_chunks(
    mut chunks: Chunks<'_>,
    size: Option<u64>,
    name: &str,
    doing: &str,
    cancel: &AtomicBool,
    step: &impl Fn(String, u64, u64),
) -> Result<(Vec<u8>, IncrementalParse), Option<String>> {
    let mut reader = ByteReader::new(size.unwrap_or(0) as usize);
    let mut parser = IncrementalParse::new(name);
    let mut chunk: Vec<u8> = Vec::new();
    let (mut offset, mut reported) = (0u64, 0u64);
    let mut pause = Yielder::new(50.0);
    let mut pending = chunks.request(None);
    while let Some(array) = pending.wait().await.map_err(Some)? {
        if cancel.load(Ordering::Relaxed) {
            chunks.cancel();
            return Err(None);
        }
        chunk.resize(array.length() as usize, 0);
        array.copy_to(&mut chunk);
        // The next chunk is read while this one is unpacked and parsed.
        pending = chunks.request(Some(array.buffer()));
        reader.push(&chunk).map_err(Some)?;
        parser.arrived(reader.bytes());
        let until = now() + PARSE_WHILE_READING_MS;
        while !parser.step_arriving(reader.bytes(), PARSE_SLICE_BYTES) && now() < until {}
        offset += chunk.len() as u64;
        // Streams hand out a few hundred KB at a time: the bar moves every `CHUNK_BYTES`, at the end, and
        // when the page is about to paint anyway.
        if offset >= reported + CHUNK_BYTES as u64 || size.is_some_and(|size| offset >= size) || pause.due() {
            reported = offset;
            let unpacking = if reader.is_gzip() { " and unpacking" } else { "" };
            let amount = match size {
                Some(size) => format!("{} of {}", format::bytes(offset), format::bytes(size)),
                None => format::bytes(offset),
            };
            let spans = format::plural(parser.spans(), "span", "spans");
            step(format!("{doing}{unpacking}… {amount}, {spans} read"), offset, size.unwrap_or(0));
        }
        // Reads that the stream has buffered resolve at once, without a turn of the event loop between them.
        pause.maybe_yield().await;
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(None);
    }
    Ok((reader.finish().map_err(Some)?, parser))
}

/// An input's bytes a chunk at a time. A BYOB stream reader fills one reused buffer: twice as fast as slicing
/// a file, and no garbage buffer per chunk (170 MB less browser memory for a 900 MB file). A stream that is
/// not a byte stream is read chunk by chunk as it gives them; a file whose stream has no BYOB reader is sliced.
enum Chunks<'a> {
    Byob(web_sys::ReadableStreamByobReader),
    Stream(web_sys::ReadableStreamDefaultReader),
    Slices { file: &'a web_sys::File, offset: f64 },
}

/// A read under way: a stream reader's (either kind answers with a read result) or a file slice's.
enum Pending {
    Read(JsFuture),
    Slice(JsFuture),
    Done,
    Failed(String),
}

impl<'a> Chunks<'a> {
    fn of_file(file: &'a web_sys::File) -> Chunks<'a> {
        match web_sys::ReadableStreamByobReader::new(&file.stream()) {
            Ok(reader) => Chunks::Byob(reader),
            Err(_) => Chunks::Slices { file, offset: 0.0 },
        }
    }

    fn of_stream(stream: &web_sys::ReadableStream) -> Result<Chunks<'static>, String> {
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

fn gunzip(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    match crate::formats::reader::gunzip_if_needed(&bytes)? {
        std::borrow::Cow::Owned(plain) => Ok(plain),
        std::borrow::Cow::Borrowed(_) => Ok(bytes),
    }
}

/// Starts a download: the body's chunks (`None`: no body), and its size when the server gives it (not when
/// the body comes compressed, as the stream then gives more bytes than the header counts).
async fn fetch(url: &str) -> Result<Option<(Chunks<'static>, Option<u64>)>, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("could not fetch: {e}"))?;
    if !response.ok() {
        return Err(format!("the server answered HTTP {} {}", response.status(), response.status_text()));
    }
    let headers = response.headers();
    let size = match headers.get("content-encoding") {
        Some(encoding) if encoding != "identity" => None,
        _ => headers.get("content-length").and_then(|n| n.trim().parse().ok()),
    };
    let Some(stream) = response.body() else { return Ok(None) };
    Ok(Some((Chunks::of_stream(&stream)?, size)))
}

/// Parses the bundled sample (synchronously, no progress).
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
