//! What the app holds: the loaded files (immutable once loaded, shared by `Rc`) and what is selected.

use crate::analysis::summary::{summarize_analyzed, Summary};
use crate::analysis::{analyze_all, TraceAnalysis};
use crate::TraceSet;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// One input that loaded. Never mutated: views and replies read it through `Rc`.
pub struct LoadedFile {
    /// Unique for the page's life, so two loads of the same name stay apart in the file list.
    pub id: u32,
    pub set: TraceSet,
    /// `analyses[i]` is trace `i`'s critical path, layout, statistics and findings, computed once at load.
    pub analyses: Vec<TraceAnalysis>,
    /// Computed once at load: the header, "Export analysis" and the embedding API all read it.
    pub summary: Summary,
}

impl LoadedFile {
    /// Analyzes every trace of a freshly parsed set (synchronous; the slow part after parsing).
    pub fn new(set: TraceSet) -> LoadedFile {
        let analyses = analyze_all(&set);
        let summary = summarize_analyzed(&set, &analyses);
        LoadedFile {
            id: next_id(),
            set,
            analyses,
            summary,
        }
    }

    pub fn name(&self) -> &str {
        &self.set.source.name
    }
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
    /// Loads in progress (ticket, label), oldest first; the progress bar shows the first.
    pub pending: RwSignal<Vec<(u32, String)>>,
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

    /// Shows a progress label until `finish` is called with the returned ticket.
    pub fn begin(&self, label: String) -> u32 {
        let ticket = next_id();
        self.pending.update(|p| p.push((ticket, label)));
        ticket
    }

    pub fn relabel(&self, ticket: u32, label: String) {
        self.pending.update(|p| {
            p.iter_mut()
                .filter(|(t, _)| *t == ticket)
                .for_each(|(_, l)| *l = label.clone())
        });
    }

    pub fn finish(&self, ticket: u32) {
        self.pending.update(|p| p.retain(|(t, _)| *t != ticket));
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
