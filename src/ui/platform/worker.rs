//! Inside an engine worker: the same module as the page, started by `public/engine-worker.js` with no UI. It
//! reads one input as its chunks come (`engine::job`), runs the pipeline flat out, and sends the loaded file
//! back as `engine::wire` blocks; or it analyses a set the page sent it again. The page ends the worker when
//! it has the answer or is cancelled, and with it all the worker's memory.

use super::protocol::{self, message, number, text};
use crate::engine::job::{self, Reading};
use crate::engine::wire::{self, Assembled, Assembler};
use crate::formats::LoadError;
use crate::pipeline::{LoadedFile, Pipeline};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Whether this module runs in a worker (no window): then `ui::start` serves the engine instead of the app.
pub fn in_worker() -> bool {
    js_sys::global().dyn_into::<web_sys::Window>().is_err()
}

/// Progress goes to the page about this often.
const PROGRESS_MS: f64 = 100.0;

enum Job {
    Load { reading: Reading, what: String, doing: String, limit: u64 },
    Reanalyse { assembler: Assembler, limit: u64 },
}

thread_local! {
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
}

/// Panics are told to the console (the page hears of the worker's end by its `error` event).
pub fn serve() {
    console_error_panic_hook::set_once();
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &JsValue) {
    let _ = scope().post_message(message);
}

fn now() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn progress(label: &str, done: u64, total: u64) {
    post(&message(protocol::PROGRESS, &[("label", label.into()), ("done", (done as f64).into()), ("total", (total as f64).into())]));
}

fn fail(file: &str, text: &str) {
    post(&message(protocol::FAILED, &[("file", file.into()), ("text", text.into())]));
}

fn failed_load(err: LoadError) {
    fail(&err.file, &err.to_string());
}

/// One message from the page (called by `engine-worker.js`).
#[wasm_bindgen]
pub fn engine_message(data: JsValue) {
    let limit = || number(&data, "limit").map_or(u64::MAX, |n| n as u64);
    match protocol::kind(&data).as_str() {
        protocol::LOAD => {
            let name = text(&data, "name");
            let size = number(&data, "size").map(|n| n as u64);
            match Reading::new(&name, size, limit()) {
                Ok(reading) => set(Job::Load { reading, what: text(&data, "what"), doing: text(&data, "doing"), limit: limit() }),
                Err(e) => fail(&name, &format!("{}: {e}", text(&data, "what"))),
            }
        }
        protocol::REANALYSE => set(Job::Reanalyse { assembler: Assembler::new(), limit: limit() }),
        protocol::CHUNK => take_chunk(&protocol::bytes(&data), protocol::field(&data, "bytes")),
        protocol::BLOCK => take_block(&protocol::bytes(&data)),
        protocol::END => {
            if let Some(job) = JOB.with(|j| j.borrow_mut().take()) {
                finish(job);
            }
        }
        _ => {}
    }
}

fn set(job: Job) {
    JOB.with(|j| *j.borrow_mut() = Some(job));
}

/// A chunk of the input: read, its spans too, then the page may send the next (its `buffer` goes back to be
/// filled again).
fn take_chunk(chunk: &[u8], buffer: JsValue) {
    let failed = JOB.with(|j| {
        let mut slot = j.borrow_mut();
        let Some(Job::Load { reading, what, doing, .. }) = slot.as_mut() else { return None };
        match reading.take_whole(chunk) {
            Ok(amount) => {
                let (label, done, total) = reading.progress(doing, &amount);
                progress(&label, done, total);
                None
            }
            Err(e) => {
                let text = format!("{what}: {e}");
                *slot = None;
                Some(text)
            }
        }
    });
    match failed {
        Some(text) => fail("", &text),
        None => match buffer.dyn_into::<js_sys::ArrayBuffer>() {
            Ok(buffer) => {
                let took = message(protocol::TOOK, &[("bytes", buffer.clone().into())]);
                let _ = scope().post_message_with_transfer(&took, &js_sys::Array::of1(&buffer));
            }
            Err(_) => post(&message(protocol::TOOK, &[])),
        },
    }
}

fn take_block(block: &[u8]) {
    let failed = JOB.with(|j| match j.borrow_mut().as_mut() {
        Some(Job::Reanalyse { assembler, .. }) => assembler.push(block).err(),
        _ => None,
    });
    if let Some(text) = failed {
        JOB.with(|j| *j.borrow_mut() = None);
        fail("", &text);
    }
}

/// The input is all in (or the set): run the rest and send the file back.
fn finish(job: Job) {
    let (pipeline, limit) = match job {
        Job::Load { reading, what, limit, .. } => match reading.finish() {
            Ok(pipeline) => (pipeline, limit),
            Err(e) => return fail("", &format!("{what}: {e}")),
        },
        Job::Reanalyse { assembler, limit } => match assembler.finish() {
            Ok(Assembled::Set { set, skew_adjusted }) => (Pipeline::reanalyse_set(set, skew_adjusted), limit),
            Ok(Assembled::File(_)) => return fail("", "the engine was sent a file to analyse again, not a set"),
            Err(text) => return fail("", &text),
        },
    };
    match job::run(pipeline, limit, now, PROGRESS_MS, |p| progress(&p.label, p.done, p.total)) {
        Ok(file) => send(file),
        Err(err) => failed_load(err),
    }
}

fn send(file: LoadedFile) {
    let blocks = wire::of_file(&file);
    let total = blocks.size_hint().0 as u64;
    for (i, block) in blocks.enumerate() {
        let (message, transfer) = protocol::with_bytes(protocol::BLOCK, &block);
        let _ = scope().post_message_with_transfer(&message, &transfer);
        if i % 64 == 0 {
            progress(&format!("Handing over {}…", file.name()), i as u64, total);
        }
    }
    post(&message(protocol::DONE, &[]));
}
