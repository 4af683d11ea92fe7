//! The one staged load: parse → span trees → (clock-skew adjustment) → analysis → summary, a step at a time.
//! The browser steps it between animation frames (with progress and Cancel), `lib::load` and the benchmarks
//! run it to the end, and the clock-skew toggle re-runs its later stages on a loaded file. A Web Worker would
//! step it the same way. Cancelling is dropping it.

use crate::analysis::summary::{summarize_analyzed, Summary};
use crate::analysis::{skew, split, tree, Analyzer, TraceAnalysis};
use crate::format::{bytes, plural};
use crate::formats::reader::gunzip_if_needed;
use crate::formats::{self, IncrementalParse, LoadError};
use crate::model::TraceSet;
use crate::view::TraceLook;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering};

/// One input, loaded: its traces, each trace's analysis and the summary. Never changed once made: views and
/// replies share it (the clock-skew toggle makes a new one).
pub struct LoadedFile {
    /// Unique for the program's life, so two loads of the same name stay apart.
    pub id: u32,
    pub set: TraceSet,
    /// `analyses[i]` is trace `i`'s critical path, layout, statistics and findings.
    pub analyses: Vec<TraceAnalysis>,
    /// The header, "Export analysis" and the embedding API all read it.
    pub summary: Summary,
    /// `looks[i]`: what drawing trace `i` first needs (its flame model and colours), made with its analysis.
    pub looks: Vec<TraceLook>,
    /// Whether clock-skew adjustment has been applied to the traces (opt-in).
    pub skew_adjusted: bool,
}

impl LoadedFile {
    pub fn name(&self) -> &str {
        &self.set.source.name
    }

    /// Trace `t` with its analysis, as the statistics, the aggregate and the comparison take it.
    pub fn part(&self, t: usize) -> crate::analysis::breakdown::Part<'_> {
        crate::analysis::breakdown::Part::new(&self.set.traces[t], &self.analyses[t])
    }
}

/// What the pipeline is doing, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Reading the input as it arrives (spans are read while the rest comes).
    Reading,
    Parsing,
    Trees,
    Skew,
    Analysing,
    Summarising,
    Done,
}

/// Where a load stands: `done` of `total` units of this stage (`total` 0: unknown).
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
    /// What the progress bar says, e.g. "Analyzing big.json trace 2 of 3 (12,000 spans)…".
    pub label: String,
}

enum State {
    Parse(Box<IncrementalParse>),
    Trees { set: TraceSet, next: usize },
    Skew { set: TraceSet, next: usize },
    Analyse { set: TraceSet, analyses: Vec<TraceAnalysis>, looks: Vec<TraceLook>, analyzer: Analyzer },
    Summarise { set: TraceSet, analyses: Vec<TraceAnalysis>, looks: Vec<TraceLook> },
    Done,
}

pub struct Pipeline<'a> {
    name: String,
    /// The whole input, once it is all in; dropped when parsed (a big trace should not be held twice).
    input: Option<Cow<'a, [u8]>>,
    /// Whether parsing has started on arriving input (then it goes on in slices, never whole).
    arriving: bool,
    state: State,
    /// Whether the skew stage shifts spans (on) or puts them back (off).
    skew_adjusted: bool,
    /// Span objects of the set, once parsed, for labels.
    spans: u64,
}

impl<'a> Pipeline<'a> {
    /// The input's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A load whose input will arrive: feed it with `arrived` / `step_arriving`, then give it whole to `input`.
    pub fn new(name: &str) -> Pipeline<'a> {
        Pipeline {
            name: name.to_string(),
            input: None,
            arriving: false,
            state: State::Parse(Box::new(IncrementalParse::new(name))),
            skew_adjusted: false,
            spans: 0,
        }
    }

    /// A load of an input that is all here (gzip is unpacked first).
    pub fn of_bytes(name: &str, bytes: Cow<'a, [u8]>) -> Result<Pipeline<'a>, LoadError> {
        let plain = match bytes {
            Cow::Borrowed(b) => gunzip_if_needed(b).map_err(|e| LoadError::whole_file(name, e))?,
            Cow::Owned(b) => match gunzip_if_needed(&b).map_err(|e| LoadError::whole_file(name, e))? {
                Cow::Owned(plain) => Cow::Owned(plain),
                Cow::Borrowed(_) => Cow::Owned(b),
            },
        };
        let mut pipeline = Pipeline::new(name);
        pipeline.input(plain);
        Ok(pipeline)
    }

    /// The later stages again on a loaded file, with clock-skew adjustment on or off: skew → analysis → summary.
    /// The raw times stay available either way (`Trace::raw_times`).
    pub fn reanalyse(file: &LoadedFile, skew_adjusted: bool) -> Pipeline<'static> {
        Pipeline::reanalyse_set(file.set.clone(), skew_adjusted)
    }

    /// The same on a set of its own (as an engine worker gets it).
    pub fn reanalyse_set(set: TraceSet, skew_adjusted: bool) -> Pipeline<'static> {
        Pipeline {
            name: set.source.name.clone(),
            input: None,
            arriving: false,
            spans: set.span_objects,
            state: State::Skew { set, next: 0 },
            skew_adjusted,
        }
    }

    /// More of the input has arrived (`prefix`: all of it so far). Scans it.
    pub fn arrived(&mut self, prefix: &[u8]) {
        if let State::Parse(parser) = &mut self.state {
            self.arriving = true;
            parser.arrived(prefix);
        }
    }

    /// Reads spans of what has arrived, about `budget` bytes of work; true when caught up.
    pub fn step_arriving(&mut self, prefix: &[u8], budget: usize) -> bool {
        match &mut self.state {
            State::Parse(parser) => parser.step_arriving(prefix, budget),
            _ => true,
        }
    }

    /// Spans read so far (while the input arrives).
    pub fn spans_read(&self) -> u64 {
        match &self.state {
            State::Parse(parser) => parser.spans(),
            _ => self.spans,
        }
    }

    /// The whole input (as arrived, gzip already unpacked).
    pub fn input(&mut self, bytes: Cow<'a, [u8]>) {
        self.input = Some(bytes);
    }

    /// Does about `budget` bytes of parsing, or one trace's tree, skew or analysis stage, or the summary.
    /// Returns the loaded file after the last step. An unbounded step parses an input that did not arrive in
    /// pieces with the whole reader (`formats::parse`), as there is nothing to interleave.
    pub fn step(&mut self, budget: usize) -> Result<Option<LoadedFile>, LoadError> {
        let state = std::mem::replace(&mut self.state, State::Done);
        self.state = match state {
            State::Parse(mut parser) => {
                let input = self.input.as_deref().expect("the whole input is given before parsing steps");
                if budget == usize::MAX && !self.arriving {
                    self.parsed(formats::parse(&self.name, input)?)
                } else if parser.step(input, budget) {
                    self.parsed(parser.finish(input)?)
                } else {
                    State::Parse(parser)
                }
            }
            State::Trees { mut set, next } => match set.traces.get_mut(next) {
                Some(trace) => {
                    tree::build(trace);
                    State::Trees { set, next: next + 1 }
                }
                None => State::Analyse { set, analyses: Vec::new(), looks: Vec::new(), analyzer: Analyzer::new(0) },
            },
            State::Skew { mut set, next } if next < set.traces.len() => {
                if self.skew_adjusted {
                    skew::adjust(&mut set, next);
                } else {
                    skew::reset(&mut set.traces[next]);
                }
                State::Skew { set, next: next + 1 }
            }
            State::Skew { set, .. } => State::Analyse { set, analyses: Vec::new(), looks: Vec::new(), analyzer: Analyzer::new(0) },
            State::Analyse { set, mut analyses, mut looks, mut analyzer } => {
                if analyses.len() == set.traces.len() {
                    State::Summarise { set, analyses, looks }
                } else {
                    if let Some(done) = analyzer.step(&set) {
                        looks.push(TraceLook::new(&set, &set.traces[analyses.len()], &done));
                        analyses.push(done);
                        analyzer = Analyzer::new(analyses.len());
                    }
                    State::Analyse { set, analyses, looks, analyzer }
                }
            }
            State::Summarise { set, mut analyses, looks } => {
                split::add_findings(&set, &mut analyses);
                let summary = summarize_analyzed(&set, &analyses);
                return Ok(Some(LoadedFile { id: unique_id(), set, analyses, summary, looks, skew_adjusted: self.skew_adjusted }));
            }
            State::Done => State::Done,
        };
        Ok(None)
    }

    fn parsed(&mut self, set: TraceSet) -> State {
        self.input = None;
        self.spans = set.span_objects;
        State::Trees { set, next: 0 }
    }

    /// The stage it is in (cheap: for checking after every step; `progress` builds the label).
    pub fn stage(&self) -> Stage {
        match (&self.state, &self.input) {
            (State::Parse(_), None) => Stage::Reading,
            (State::Parse(_), Some(_)) => Stage::Parsing,
            (State::Trees { .. }, _) => Stage::Trees,
            (State::Skew { .. }, _) => Stage::Skew,
            (State::Analyse { .. }, _) => Stage::Analysing,
            (State::Summarise { .. }, _) => Stage::Summarising,
            (State::Done, _) => Stage::Done,
        }
    }

    /// The stage it is in and how far along, with the progress bar's label.
    pub fn progress(&self) -> Progress {
        let name = &self.name;
        let spans = plural(self.spans, "span", "spans");
        let of = |next: usize, set: &TraceSet| match set.traces.len() {
            0 | 1 => String::new(),
            n => format!(" trace {} of {n}", (next + 1).min(n)),
        };
        let (done, total, label) = match &self.state {
            State::Parse(parser) => match &self.input {
                None => (0, 0, format!("Reading {name}… {} read", plural(parser.spans(), "span", "spans"))),
                Some(input) => {
                    let read = plural(parser.spans(), "span", "spans");
                    let label = format!("Parsing {name} ({})… {read}", bytes(input.len() as u64));
                    ((parser.progress() * 1000.0) as u64, 1000, label)
                }
            },
            State::Trees { set, next } => {
                let label = format!("Building span trees of {name}{} ({spans})…", of(*next, set));
                (*next as u64, set.traces.len() as u64, label)
            }
            State::Skew { set, next } => {
                let doing = skew_doing(self.skew_adjusted);
                (*next as u64, set.traces.len() as u64, format!("{doing} {name}{} ({spans})…", of(*next, set)))
            }
            State::Analyse { set, analyses, .. } => {
                let done: usize = set.traces[..analyses.len().min(set.traces.len())].iter().map(|t| t.spans.len()).sum();
                let label = format!("Analyzing {name}{} ({spans})…", of(analyses.len(), set));
                (done as u64, set.traces.iter().map(|t| t.spans.len() as u64).sum(), label)
            }
            State::Summarise { .. } => (0, 0, format!("Summarizing {name} ({spans})…")),
            State::Done => (1, 1, format!("Loaded {name}")),
        };
        Progress { stage: self.stage(), done, total, label }
    }

    /// Runs the parse and the span trees only (what `lib::load` gives).
    pub fn trees(mut self) -> Result<TraceSet, LoadError> {
        loop {
            if let State::Analyse { set, .. } = self.state {
                return Ok(set);
            }
            self.step(usize::MAX)?;
        }
    }

    /// Runs every stage.
    pub fn run(mut self) -> Result<LoadedFile, LoadError> {
        loop {
            if let Some(file) = self.step(usize::MAX)? {
                return Ok(file);
            }
        }
    }
}

/// What the clock-skew stage does, for labels: "Adjusting clock skew of" or "Removing clock-skew adjustment from".
pub fn skew_doing(skew_adjusted: bool) -> &'static str {
    if skew_adjusted {
        "Adjusting clock skew of"
    } else {
        "Removing clock-skew adjustment from"
    }
}

/// Reads, builds the trees of, analyses and summarises one input (any format, plain or gzipped).
pub fn load_analyzed(name: &str, bytes: &[u8]) -> Result<LoadedFile, LoadError> {
    Pipeline::of_bytes(name, Cow::Borrowed(bytes))?.run()
}

/// The same file with clock-skew adjustment on or off, every trace analysed again.
pub fn with_skew_adjustment(file: &LoadedFile, on: bool) -> LoadedFile {
    Pipeline::reanalyse(file, on).run().expect("re-analysing a loaded file cannot fail")
}

/// A trace set a view made (a trace with its repeats folded), analysed and summarised like a loaded file.
pub fn made(set: TraceSet, skew_adjusted: bool) -> LoadedFile {
    let analyses = crate::analysis::analyze_all(&set);
    let summary = crate::analysis::summary::summarize_analyzed(&set, &analyses);
    let looks = set.traces.iter().zip(&analyses).map(|(trace, analysis)| TraceLook::new(&set, trace, analysis)).collect();
    LoadedFile { id: unique_id(), set, analyses, summary, looks, skew_adjusted }
}

/// A number not handed out before in this program's life (loaded files' ids, the browser's load tickets).
pub fn unique_id() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACES: &str = r#"[{"traceId":"a","id":"1","name":"r","timestamp":0,"duration":9},
        {"traceId":"a","id":"2","parentId":"1","name":"x","timestamp":1,"duration":1},
        {"traceId":"b","id":"3","name":"y","timestamp":3,"duration":1}]"#;

    #[test]
    fn steps_go_through_every_stage_in_order_with_progress() {
        let mut p = Pipeline::of_bytes("t.json", Cow::Borrowed(TRACES.as_bytes())).unwrap();
        let mut stages = vec![p.progress().stage];
        let file = loop {
            if let Some(file) = p.step(16).unwrap() {
                break file;
            }
            let progress = p.progress();
            assert!(progress.total == 0 || progress.done <= progress.total, "{progress:?}");
            if stages.last() != Some(&progress.stage) {
                stages.push(progress.stage);
            }
        };
        assert_eq!(stages, [Stage::Parsing, Stage::Trees, Stage::Analysing, Stage::Summarising]);
        assert_eq!(file.analyses.len(), 2);
        assert_eq!(file.summary.traces.len(), 2);
        assert_eq!(file.summary.to_json(), load_analyzed("t.json", TRACES.as_bytes()).unwrap().summary.to_json());
    }

    #[test]
    fn labels_say_what_is_done_to_which_trace() {
        let mut p = Pipeline::of_bytes("t.json", Cow::Borrowed(TRACES.as_bytes())).unwrap();
        assert!(p.progress().label.starts_with("Parsing t.json (223 B)… 0 spans"), "{}", p.progress().label);
        while p.progress().stage != Stage::Analysing {
            p.step(usize::MAX).unwrap();
        }
        assert_eq!(p.progress().label, "Analyzing t.json trace 1 of 2 (3 spans)…");
        let file = p.run().unwrap();
        let mut again = Pipeline::reanalyse(&file, true);
        assert_eq!(again.progress().label, "Adjusting clock skew of t.json trace 1 of 2 (3 spans)…");
        again.step(1).unwrap();
        assert_eq!(again.progress().label, "Adjusting clock skew of t.json trace 2 of 2 (3 spans)…");
    }

    #[test]
    fn a_skew_toggle_gives_a_new_file_and_back_again() {
        let file = load_analyzed("t.json", TRACES.as_bytes()).unwrap();
        let on = with_skew_adjustment(&file, true);
        assert!(on.skew_adjusted && on.id != file.id);
        let off = with_skew_adjustment(&on, false);
        assert!(!off.skew_adjusted);
        assert_eq!(off.summary, file.summary);
    }

    #[test]
    fn trees_stop_before_the_analysis() {
        let set = Pipeline::of_bytes("t.json", Cow::Borrowed(TRACES.as_bytes())).unwrap().trees().unwrap();
        assert_eq!(set.traces.len(), 2);
        assert_eq!(set.traces[0].tree.roots.len(), 1);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let err = load_analyzed("bad.json", b"{\"resourceSpans\": [").err().expect("fails");
        assert_eq!(err.file, "bad.json");
        let err = load_analyzed("bad.json.gz", b"\x1f\x8b\x08\x00garbage").err().expect("fails");
        assert_eq!((err.line, err.column), (1, 1));
    }
}
