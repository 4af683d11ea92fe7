//! What the app holds: the loaded files (immutable once loaded, shared by `Rc`) and what is selected.

use crate::analysis::summary::{summarize_analyzed, Summary};
use crate::analysis::{analyze_all, skew, TraceAnalysis};
use crate::TraceSet;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// One input that loaded. Never mutated: views and replies read it through `Rc`.
pub struct LoadedFile {
    /// Unique for the page's life, so two loads of the same name stay apart in the file list.
    pub id: u32,
    pub set: TraceSet,
    /// `analyses[i]` is trace `i`'s critical path, layout, statistics and findings, computed once at load.
    pub analyses: Vec<TraceAnalysis>,
    /// Computed once at load: the header, "Export analysis" and the embedding API all read it.
    pub summary: Summary,
    /// Whether clock-skew adjustment has been applied to the traces (opt-in, from the flame toolbar).
    pub skew_adjusted: bool,
}

impl LoadedFile {
    /// Analyzes every trace of a freshly parsed set at once (the bundled sample).
    pub fn new(set: TraceSet) -> LoadedFile {
        let analyses = analyze_all(&set);
        LoadedFile::from_analyzed(set, analyses)
    }

    /// A set whose traces were analyzed one by one (`analyses[i]` for trace `i`).
    pub fn from_analyzed(set: TraceSet, analyses: Vec<TraceAnalysis>) -> LoadedFile {
        let summary = summarize_analyzed(&set, &analyses);
        LoadedFile {
            id: next_id(),
            set,
            analyses,
            summary,
            skew_adjusted: false,
        }
    }

    /// The same input with clock-skew adjustment on or off, every trace analyzed again. The raw times stay
    /// available either way (`Trace::raw_times`).
    pub fn with_skew_adjustment(&self, on: bool) -> LoadedFile {
        let mut set = self.set.clone();
        for trace in &mut set.traces {
            if on {
                skew::adjust(trace);
            } else {
                skew::reset(trace);
            }
        }
        LoadedFile { skew_adjusted: on, ..LoadedFile::new(set) }
    }

    pub fn name(&self) -> &str {
        &self.set.source.name
    }
}

/// A load in progress, as the progress bar shows it.
#[derive(Clone, Debug)]
pub struct Pending {
    pub ticket: u32,
    pub label: String,
    /// Units done of `total` (bytes while reading); `total` 0 when unknown.
    pub done: u64,
    pub total: u64,
    /// Set by the Cancel button; the load checks it between chunks and stages.
    pub cancel: Arc<AtomicBool>,
}

/// An input that could not be shown, as the error panel displays it.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub file: String,
    /// For parse errors the `LoadError` text: `file:line:column: message (field path)`.
    pub text: String,
}

/// All app state: `Copy` handles to arena signals, so any closure can hold it.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Every file loaded so far, oldest first.
    pub files: RwSignal<Vec<Rc<LoadedFile>>, LocalStorage>,
    /// The file on screen.
    pub current: RwSignal<Option<Rc<LoadedFile>>, LocalStorage>,
    /// Which trace of the current file is shown.
    pub trace_ix: RwSignal<usize>,
    /// Loads in progress, oldest first.
    pub pending: RwSignal<Vec<Pending>>,
    pub failures: RwSignal<Vec<Failure>>,
    /// `light`, `dark`, or `None` to follow the system.
    pub theme: RwSignal<Option<String>>,
    /// A span id to select in the trace on screen (from `?span=` or `spanlens:select`).
    pub select_request: RwSignal<Option<String>>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            files: RwSignal::new_local(Vec::new()),
            current: RwSignal::new_local(None),
            trace_ix: RwSignal::new(0),
            pending: RwSignal::new(Vec::new()),
            failures: RwSignal::new(Vec::new()),
            theme: RwSignal::new(None),
            select_request: RwSignal::new(None),
        }
    }

    /// Adds a freshly loaded file and puts it on screen.
    pub fn add(&self, file: Rc<LoadedFile>) {
        self.files.update(|files| files.push(file.clone()));
        self.show(file);
    }

    pub fn show(&self, file: Rc<LoadedFile>) {
        self.trace_ix.set(0);
        self.current.set(Some(file));
    }

    /// Puts `file` in place of the loaded file `id` and on screen, on the same trace.
    pub fn replace(&self, id: u32, file: Rc<LoadedFile>) {
        self.files.update(|files| {
            if let Some(slot) = files.iter_mut().find(|f| f.id == id) {
                *slot = file.clone();
            }
        });
        self.current.set(Some(file));
    }

    pub fn select_file(&self, id: u32) {
        let file = self
            .files
            .with_untracked(|files| files.iter().find(|f| f.id == id).cloned());
        if let Some(file) = file {
            self.show(file);
        }
    }

    /// Forgets a file; if it was on screen, the latest remaining one is shown instead.
    pub fn close_file(&self, id: u32) {
        self.files.update(|files| files.retain(|f| f.id != id));
        if self
            .current
            .with_untracked(|c| c.as_ref().is_some_and(|c| c.id == id))
        {
            let last = self.files.with_untracked(|files| files.last().cloned());
            self.trace_ix.set(0);
            self.current.set(last);
        }
    }

    pub fn fail(&self, failure: Failure) {
        self.failures.update(|list| list.push(failure));
    }

    /// Shows a progress entry until `finish` is called with the returned ticket.
    pub fn begin(&self, label: String) -> (u32, Arc<AtomicBool>) {
        let ticket = next_id();
        let cancel = Arc::new(AtomicBool::new(false));
        self.pending.update(|p| {
            p.push(Pending { ticket, label, done: 0, total: 0, cancel: cancel.clone() })
        });
        (ticket, cancel)
    }

    /// Updates an entry's label and how far it is (`total` 0: unknown, the bar just moves).
    pub fn progress(&self, ticket: u32, label: String, done: u64, total: u64) {
        self.pending.update(|p| {
            if let Some(entry) = p.iter_mut().find(|e| e.ticket == ticket) {
                (entry.label, entry.done, entry.total) = (label, done, total);
            }
        });
    }

    pub fn finish(&self, ticket: u32) {
        self.pending.update(|p| p.retain(|e| e.ticket != ticket));
    }
}

fn next_id() -> u32 {
    thread_local!(static NEXT: Cell<u32> = const { Cell::new(1) });
    NEXT.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}
