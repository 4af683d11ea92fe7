//! What the app holds: the loaded files (immutable once loaded, shared by `Rc`), which is on screen, the one
//! selection, the loads in progress and the outcome of the last load. Views write here; the embedding API
//! only listens to it.

pub use crate::pipeline::LoadedFile;
use crate::model::SpanIx;
use crate::backend::search::Search;
use crate::trace_list::{SortKey, TraceRow};
use crate::view::colour::Colouring;
use crate::view::find_span;
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

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
    /// What the panel's Retry button does again, for requests to a backend (a timeout, a 503…).
    pub retry: Option<Retry>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Retry {
    /// Open a trace by id (`backend`: a configured backend's name).
    Trace { backend: String, trace_id: String },
    Search(Search),
}

impl Failure {
    pub fn new(file: String, text: String) -> Failure {
        Failure { file, text, retry: None }
    }
}

/// Which page is on screen: a file's or backend's trace (or a file's trace list), or the backend search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Viewer,
    Search,
}

/// A trace list's place, kept while a trace opened from it is on screen so that Back returns to it: its
/// order, its scroll offset and its current row (an index into the list's rows, highlighted; the row last
/// opened, or moved to with the arrow keys).
#[derive(Clone, Copy)]
pub struct ListPlace {
    pub sort: RwSignal<SortKey>,
    pub scroll: StoredValue<f64>,
    pub current: RwSignal<Option<usize>>,
}

impl ListPlace {
    fn new() -> ListPlace {
        ListPlace { sort: RwSignal::new(SortKey::MostRecent), scroll: StoredValue::new(0.0), current: RwSignal::new(None) }
    }

    /// Back to the top, in file order, nothing current: for a new list.
    pub fn reset(&self) {
        self.scroll.set_value(0.0);
        self.current.set(None);
    }
}

/// What the flame graph shows besides the selection: its search, its time window (ns from the trace's
/// start; `None`: the whole trace) and its colouring. The flame writes it as it changes; the URL, links and
/// `spanlens:view-changed` read it. Set from outside the flame (a link, `spanlens:view`), `look_asked` is
/// bumped and the flame applies it.
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    pub query: String,
    pub window: Option<(i64, i64)>,
    pub colouring: Colouring,
}

impl Default for Look {
    fn default() -> Look {
        Look { query: String::new(), window: None, colouring: Colouring::Service }
    }
}

/// The statistics tab's choices: grouping (`service`, `operation`, `attr:<key>`; `then` empty for none),
/// over this trace or `all` of the file's, the sort, and the column the heat colours (its id, or empty).
#[derive(Clone, Copy)]
pub struct StatsPlace {
    pub by: RwSignal<String>,
    pub then: RwSignal<String>,
    pub all: RwSignal<bool>,
    pub column: RwSignal<crate::analysis::breakdown::Column>,
    pub descending: RwSignal<bool>,
    pub heat: RwSignal<String>,
}

impl StatsPlace {
    fn new() -> StatsPlace {
        use crate::analysis::breakdown::Column;
        StatsPlace {
            by: RwSignal::new("service".into()),
            then: RwSignal::new(String::new()),
            all: RwSignal::new(false),
            column: RwSignal::new(Column::Total),
            descending: RwSignal::new(true),
            heat: RwSignal::new(Column::CriticalShare.id().into()),
        }
    }
}

/// Spans picked out by a statistics row, for the views of one trace.
#[derive(Clone, Debug)]
pub struct Highlight {
    pub file: u32,
    pub trace: usize,
    /// What they are, as the search status says it: "db.system = redis".
    pub label: String,
    pub spans: Rc<Vec<SpanIx>>,
}

impl PartialEq for Highlight {
    /// The same pick (a new pick is a new list): no compare of a million span numbers.
    fn eq(&self, other: &Highlight) -> bool {
        Rc::ptr_eq(&self.spans, &other.spans)
    }
}

/// How a trace is shown: the tabs above it (`view=` in the URL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceView {
    Flame,
    Timeline,
    Spans,
    Events,
    Stats,
    Aggregate,
    Compare,
}

impl TraceView {
    pub const ALL: [TraceView; 7] =
        [TraceView::Flame, TraceView::Timeline, TraceView::Spans, TraceView::Events, TraceView::Stats, TraceView::Aggregate, TraceView::Compare];

    /// The name in the URL and in `spanlens:view`.
    pub fn id(self) -> &'static str {
        match self {
            TraceView::Flame => "flame",
            TraceView::Timeline => "timeline",
            TraceView::Spans => "spans",
            TraceView::Events => "events",
            TraceView::Stats => "stats",
            TraceView::Aggregate => "aggregate",
            TraceView::Compare => "compare",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TraceView::Flame => "Flame graph",
            TraceView::Timeline => "Timeline",
            TraceView::Spans => "Spans",
            TraceView::Events => "Events",
            TraceView::Stats => "Statistics",
            TraceView::Aggregate => "Aggregate",
            TraceView::Compare => "Compare",
        }
    }

    pub fn from_id(id: &str) -> Option<TraceView> {
        TraceView::ALL.into_iter().find(|v| v.id() == id)
    }
}

/// How the tables show a span's or event's time: from the trace's start, or as a clock time in the
/// browser's zone or in UTC (`time=` in the URL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeMode {
    Relative,
    Local,
    Utc,
}

impl TimeMode {
    pub const ALL: [TimeMode; 3] = [TimeMode::Relative, TimeMode::Local, TimeMode::Utc];

    pub fn id(self) -> &'static str {
        match self {
            TimeMode::Relative => "relative",
            TimeMode::Local => "local",
            TimeMode::Utc => "utc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TimeMode::Relative => "Relative times",
            TimeMode::Local => "Local times",
            TimeMode::Utc => "UTC times",
        }
    }

    pub fn from_id(id: &str) -> Option<TimeMode> {
        TimeMode::ALL.into_iter().find(|m| m.id() == id)
    }

    /// How a time axis says times in this mode; `origin_ns`: the axis's 0 (the trace's start).
    pub fn clock(self, origin_ns: i64) -> crate::view::axis::Clock {
        use crate::view::axis::Clock;
        match self {
            TimeMode::Relative => Clock::Relative,
            TimeMode::Utc => Clock::At { origin_ns, offset_minutes: 0 },
            TimeMode::Local => Clock::At { origin_ns, offset_minutes: local_offset_minutes(origin_ns) },
        }
    }

    /// `ns` (since the epoch) as this mode shows it; `origin`: the trace's start.
    pub fn show(self, ns: i64, origin: i64) -> String {
        match self {
            TimeMode::Relative => format!("+{}", crate::format::duration(ns - origin)),
            TimeMode::Utc => crate::format::clock(ns, 0),
            TimeMode::Local => crate::format::clock(ns, local_offset_minutes(ns)),
        }
    }
}

/// The browser's offset from UTC at that moment (summer time included), minutes east; JS counts them west.
fn local_offset_minutes(ns: i64) -> i32 {
    -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64((ns / 1_000_000) as f64)).get_timezone_offset() as i32)
}

/// A backend search's answer, as the search page lists it.
pub struct Results {
    /// The configured backend's name.
    pub backend: String,
    pub search: Search,
    pub rows: std::sync::Arc<Vec<TraceRow>>,
}

/// The selected span: which file and trace it belongs to, and whether the views should bring it into view
/// (keys, search) or leave the view where it is (a click on it), or zoom to it (a span named by a link
/// or a parent: `?span=`, `uiFind=`, `spanlens:select`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Selection {
    pub file: u32,
    pub trace: usize,
    pub span: SpanIx,
    pub reveal: bool,
    pub frame: bool,
}

/// How the last load ended, and whether a parent page asked for it (`spanlens:load`, answered directly) or
/// not (a drop, a pick, `?url=`: the embedding API tells the parent).
#[derive(Clone)]
pub enum Outcome {
    Loaded { file: Rc<LoadedFile>, asked_by_parent: bool },
    Failed { failure: Failure, asked_by_parent: bool },
}

/// B of the compare tab, as chosen for one A: both by trace id (`for_a` is `None` for a link's
/// `compare=`, which applies to the trace the link opens).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareWith {
    pub for_a: Option<String>,
    pub b: String,
}

impl CompareWith {
    /// B, when it was chosen for the trace `a` (ids compared as a backend's list and a loaded trace may
    /// write them: case and zero padding aside).
    pub fn b_for(&self, a: &str) -> Option<&str> {
        let same = |x: &str, y: &str| x.trim_start_matches('0').eq_ignore_ascii_case(y.trim_start_matches('0'));
        self.for_a.as_deref().is_none_or(|x| same(x, a)).then_some(self.b.as_str()).filter(|b| !same(b, a))
    }
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
    /// Something the page says once, not an error (e.g. that traces are read on the page, not in a worker).
    pub notice: RwSignal<Option<String>>,
    /// `light`, `dark`, or `None` to follow the system.
    pub theme: RwSignal<Option<String>>,
    /// The one selection, written by clicks, keys, search, findings, the panel, `?span=` and `spanlens:select`.
    /// Setting it again to the same span brings it into view again.
    pub selection: RwSignal<Option<Selection>>,
    /// A span id to select once the next file is on screen (`?span=` given with a trace still loading).
    wanted_span: StoredValue<Option<(String, bool)>>,
    /// The outcome of the latest load.
    pub outcome: RwSignal<Option<Outcome>, LocalStorage>,
    /// `public/config.json`, once read (the defaults until then).
    pub config: RwSignal<crate::ui::platform::config::Config>,
    /// The trace list of a file with several traces is on screen, rather than one of its traces.
    pub list: RwSignal<bool>,
    /// The place in the file's trace list.
    pub file_list: ListPlace,
    pub page: RwSignal<Page>,
    /// The search page's fields, as typed.
    pub search: RwSignal<Search>,
    /// The last search's answer; a failed search leaves it.
    pub results: RwSignal<Option<Rc<Results>>, LocalStorage>,
    /// The place in the results.
    pub result_list: ListPlace,
    /// The loaded file that was opened from the results, whose header leads back to them.
    pub from_results: RwSignal<Option<u32>>,
    pub look: RwSignal<Look>,
    pub look_asked: RwSignal<u32>,
    /// Spans a statistics row picked out: the flame graph and the timeline show them as matches while their
    /// search box is empty.
    pub highlight: RwSignal<Option<Highlight>, LocalStorage>,
    /// The statistics tab's choices, kept while other tabs are shown.
    pub stats: StatsPlace,
    /// The flame graph folds runs of repeated calls into one bar each.
    pub group_repeats: RwSignal<bool>,
    /// The tab a trace is shown in.
    pub trace_view: RwSignal<TraceView>,
    /// The compare tab's B, by trace id (`compare=`): looked for among the loaded traces, fetched from a
    /// backend when it is not one of them.
    pub compare_with: RwSignal<Option<CompareWith>>,
    /// How the tables show times.
    pub time: RwSignal<TimeMode>,
    /// What a link asks to see once its trace is on screen: which trace of the file (by id), and the window.
    wanted_trace: StoredValue<Option<String>>,
    wanted_window: StoredValue<Option<(i64, i64)>>,
    /// How each loaded file can be loaded again, as URL parameters (`url=`, or `traceId=` and `backend=`);
    /// none for a dropped or pasted file.
    pub sources: StoredValue<std::collections::HashMap<u32, Vec<(&'static str, String)>>>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            files: RwSignal::new_local(Vec::new()),
            current: RwSignal::new_local(None),
            trace_ix: RwSignal::new(0),
            pending: RwSignal::new(Vec::new()),
            failures: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            theme: RwSignal::new(None),
            selection: RwSignal::new(None),
            config: RwSignal::new(Default::default()),
            list: RwSignal::new(false),
            file_list: ListPlace::new(),
            page: RwSignal::new(Page::Viewer),
            search: RwSignal::new(Search::default()),
            results: RwSignal::new_local(None),
            result_list: ListPlace::new(),
            from_results: RwSignal::new(None),
            look: RwSignal::new(Look::default()),
            look_asked: RwSignal::new(0),
            highlight: RwSignal::new_local(None),
            stats: StatsPlace::new(),
            group_repeats: RwSignal::new(false),
            trace_view: RwSignal::new(TraceView::Flame),
            compare_with: RwSignal::new(None),
            time: RwSignal::new(TimeMode::Relative),
            wanted_trace: StoredValue::new(None),
            wanted_window: StoredValue::new(None),
            sources: StoredValue::new(Default::default()),
            wanted_span: StoredValue::new(None),
            outcome: RwSignal::new_local(None),
        }
    }

    /// Selects a span of the trace on screen (`None` clears the selection).
    pub fn select(&self, span: Option<SpanIx>, reveal: bool) {
        let on_screen = self.current.with_untracked(|c| c.as_ref().map(|f| f.id));
        if let Some(file) = on_screen {
            self.select_in(file, self.trace_ix.get_untracked(), span, reveal);
        } else {
            self.selection.set(None);
        }
    }

    /// Selects a span of a given file and trace: one on screen, or one a view made (an aggregate, a
    /// comparison), whose flame graph then shows it.
    pub fn select_in(&self, file: u32, trace: usize, span: Option<SpanIx>, reveal: bool) {
        self.selection.set(span.map(|span| Selection { file, trace, span, reveal, frame: false }));
    }

    /// Selects the span with this id in the trace on screen and brings it into view; with no file on screen
    /// yet, once the next one is shown. An id that is not in the trace changes nothing.
    /// The span is looked for in the trace on screen first, then in the file's other traces (whose trace
    /// is then shown).
    /// `frame`: zoom the flame graph to it (not when a link also says which window to show).
    pub fn select_id(&self, id: &str, frame: bool) {
        let found = self.current.with_untracked(|c| {
            c.as_ref().map(|f| {
                let on_screen = self.trace_ix.get_untracked();
                let order = std::iter::once(on_screen).chain((0..f.set.traces.len()).filter(|&i| i != on_screen));
                order.filter_map(|i| Some((i, find_span(&f.set, f.set.traces.get(i)?, id)?))).next()
            })
        });
        match found {
            Some(Some((trace, span))) => {
                if trace != self.trace_ix.get_untracked() || self.list.get_untracked() {
                    self.show_trace(trace);
                }
                self.select(Some(span), true);
                self.selection.update(|s| s.iter_mut().for_each(|s| s.frame = frame));
            }
            Some(None) => {}
            None => self.wanted_span.set_value(Some((id.to_string(), frame))),
        }
    }

    /// The highlighted spans, if they belong to this file and trace (tracked).
    pub fn highlight_in(&self, file: u32, trace: usize) -> Option<Highlight> {
        self.highlight.get().filter(|h| h.file == file && h.trace == trace)
    }

    /// The selected span, if it belongs to this file and trace.
    pub fn selected_in(&self, file: u32, trace: usize) -> Option<Selection> {
        self.selection.get().filter(|s| s.file == file && s.trace == trace)
    }

    /// Shows another trace of the file on screen (leaving its trace list).
    pub fn show_trace(&self, ix: usize) {
        self.selection.set(None);
        self.new_window(None);
        self.trace_ix.set(ix);
        self.list.set(false);
        self.file_list.current.set(Some(ix));
        self.page.set(Page::Viewer);
    }

    /// Records how a load ended: a file goes on screen, a failure into the error panel.
    pub fn finish_load(&self, outcome: Outcome) {
        match &outcome {
            Outcome::Loaded { file, .. } => self.add(file.clone()),
            Outcome::Failed { failure, .. } => self.fail(failure.clone()),
        }
        self.outcome.set(Some(outcome));
    }

    /// Adds a freshly loaded file and puts it on screen.
    pub fn add(&self, file: Rc<LoadedFile>) {
        self.keep(file.clone());
        self.show(file);
    }

    /// The loaded file of this name (a trace fetched by id is named `backend:id`).
    pub fn file_named(&self, name: &str) -> Option<Rc<LoadedFile>> {
        self.files.with_untracked(|files| files.iter().find(|f| f.name() == name).cloned())
    }

    /// Adds a freshly loaded file, leaving the one on screen (a trace fetched to compare with).
    pub fn keep(&self, file: Rc<LoadedFile>) {
        self.files.update(|files| files.push(file));
    }

    /// Puts a file on screen: its trace list when it holds several traces, else its trace.
    pub fn show(&self, file: Rc<LoadedFile>) {
        self.selection.set(None);
        // A link's trace and window apply to the first file shown after it.
        let wanted = self.wanted_trace.try_update_value(Option::take).flatten();
        let trace = wanted.and_then(|id| file.summary.traces.iter().position(|t| t.trace_id == id));
        self.new_window(self.wanted_window.try_update_value(Option::take).flatten());
        self.trace_ix.set(trace.unwrap_or(0));
        self.list.set(file.set.traces.len() > 1 && trace.is_none());
        self.file_list.reset();
        self.page.set(Page::Viewer);
        self.current.set(Some(file));
        if let Some((id, frame)) = self.wanted_span.try_update_value(Option::take).flatten() {
            self.select_id(&id, frame);
        }
    }

    /// Puts `file` in place of the loaded file `id` and on screen, on the same trace (the view starts
    /// afresh, with nothing selected, as for any file put on screen).
    pub fn replace(&self, id: u32, file: Rc<LoadedFile>) {
        self.sources.update_value(|s| {
            if let Some(source) = s.get(&id).cloned() {
                s.insert(file.id, source);
            }
        });
        self.files.update(|files| {
            if let Some(slot) = files.iter_mut().find(|f| f.id == id) {
                *slot = file.clone();
            }
        });
        self.selection.set(None);
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
            match self.files.with_untracked(|files| files.last().cloned()) {
                Some(last) => self.show(last),
                None => {
                    self.selection.set(None);
                    self.current.set(None);
                }
            }
        }
    }

    /// A new trace on screen starts with the whole trace in view, or `window`; search and colouring stay.
    fn new_window(&self, window: Option<(i64, i64)>) {
        if self.look.with_untracked(|l| l.window) != window {
            self.look.update(|l| l.window = window);
        }
        self.look_asked.update(|n| *n += 1);
    }

    /// What a link asks for before its trace is loaded: the trace (by id), the window, the search, the
    /// colouring.
    pub fn want(&self, trace: Option<String>, window: Option<(i64, i64)>, query: Option<String>, colouring: Option<Colouring>) {
        self.wanted_trace.set_value(trace);
        self.wanted_window.set_value(window);
        self.look.update(|l| {
            l.query = query.unwrap_or_default();
            l.colouring = colouring.unwrap_or(Colouring::Service);
        });
    }

    /// `spanlens:view`: the view (`flame`, or `search` for the search page), the search and the time window,
    /// each when given.
    pub fn set_view(&self, view: Option<&str>, query: Option<String>, window: Option<(i64, i64)>) -> Result<(), String> {
        let page = match view {
            None => None,
            Some("search") => Some(Page::Search),
            Some(id) => {
                let Some(tab) = TraceView::from_id(if id.is_empty() { "flame" } else { id }) else {
                    let known: Vec<&str> = TraceView::ALL.iter().map(|t| t.id()).chain(["search"]).collect();
                    return Err(format!("spanlens:view: the view \"{id}\" is not available ({})", known.join(", ")));
                };
                self.show_view(tab);
                Some(Page::Viewer)
            }
        };
        // Set only when it changes: setting a signal redraws what depends on it, even to the same value.
        if let Some(page) = page.filter(|p| *p != self.page.get_untracked()) {
            self.page.set(page);
        }
        self.look.update(|l| {
            if let Some(query) = query {
                l.query = query;
            }
            if window.is_some() {
                l.window = window;
            }
        });
        self.look_asked.update(|n| *n += 1);
        Ok(())
    }

    /// Shows the trace in another tab; the selected span is brought into view there.
    pub fn show_view(&self, tab: TraceView) {
        if self.trace_view.get_untracked() != tab {
            self.trace_view.set(tab);
            if let Some(selection) = self.selection.get_untracked() {
                self.selection.set(Some(Selection { reveal: true, frame: false, ..selection }));
            }
        }
    }

    pub fn fail(&self, failure: Failure) {
        self.failures.update(|list| list.push(failure));
    }

    /// Shows a progress entry until `finish` is called with the returned ticket.
    pub fn begin(&self, label: String) -> (u32, Arc<AtomicBool>) {
        let ticket = crate::pipeline::unique_id();
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
