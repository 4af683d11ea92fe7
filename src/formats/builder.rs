//! Collects spans from every reader (whole documents, and spans read early by the incremental reader) into
//! a `TraceSet`. The readers and the scanner all use it; it uses none of them.

use crate::model::{
    Attr, AttrValue, Format, IdEncoding, Resource, Scope, Source, Span, SpanId, Sym, Trace, TraceId, TraceSet,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::HashMap;

/// Collects spans from any format into a `TraceSet`, grouping them by trace id in order of first appearance.
pub(crate) struct Builder {
    pub(super) set: TraceSet,
    pub(super) trace_index: FxHashMap<TraceId, u32>,
    pub(super) format: Option<Format>,
    /// Resources shared by key (Zipkin endpoints), so that spans from one process share one.
    pub(super) resource_cache: FxHashMap<String, u32>,
    /// Set by the incremental reader: documents arrive with their `spans` arrays emptied, and each reader
    /// records where those spans belong (`contexts`, in document order) for them to be added afterwards.
    pub(super) deferred: bool,
    pub(super) contexts: Vec<SpanContext>,
    /// A reader found spans in an array the scanner should have emptied (the input is read whole instead).
    pub(super) deferred_mismatch: bool,
    /// Spans whose microsecond times had fractions (read to the nanosecond; the file is warned about once).
    pub(super) fractional_micros: u64,
}

impl Builder {
    pub(super) fn new(name: &str, bytes: u64) -> Self {
        Builder {
            set: TraceSet::new(Source { name: name.to_string(), format: Format::OtlpJson, bytes }),
            trace_index: FxHashMap::default(),
            format: None,
            resource_cache: FxHashMap::default(),
            deferred: false,
            contexts: Vec::new(),
            deferred_mismatch: false,
            fractional_micros: 0,
        }
    }

    pub(super) fn set_format(&mut self, format: Format) {
        match self.format {
            None => self.format = Some(format),
            Some(Format::OtlpJsonl) if format == Format::OtlpJson => {}
            Some(current) if current != format => {
                let warning = format!("the input mixes formats: {} and {}", current.as_str(), format.as_str());
                if !self.set.warnings.contains(&warning) {
                    self.set.warnings.push(warning);
                }
            }
            Some(_) => {}
        }
    }

    pub(super) fn intern(&mut self, s: &str) -> u32 {
        self.set.strings.intern(s)
    }

    pub(super) fn trace_id(&mut self, s: Option<&str>, encoding: IdEncoding) -> Option<TraceId> {
        TraceId::parse(s?, encoding, &mut self.set.strings)
    }

    pub(super) fn span_id(&mut self, s: Option<&str>, encoding: IdEncoding) -> Option<SpanId> {
        SpanId::parse(s?, encoding, &mut self.set.strings)
    }

    pub(super) fn add_resource(&mut self, resource: Resource) -> u32 {
        self.set.resources.push(resource);
        (self.set.resources.len() - 1) as u32
    }

    pub(super) fn shared_resource(&mut self, key: String, make: impl FnOnce(&mut Builder) -> Resource) -> u32 {
        if let Some(&r) = self.resource_cache.get(&key) {
            return r;
        }
        let resource = make(self);
        let r = self.add_resource(resource);
        self.resource_cache.insert(key, r);
        r
    }

    pub(super) fn add_scope(&mut self, scope: Scope) -> u32 {
        self.set.scopes.push(scope);
        (self.set.scopes.len() - 1) as u32
    }

    pub(super) fn attr(&mut self, key: &str, value: AttrValue) -> Attr {
        Attr { key: self.intern(key), value }
    }

    pub(super) fn str_value(&mut self, s: &str) -> AttrValue {
        AttrValue::Str(self.intern(s))
    }

    pub(super) fn reject(&mut self, reason: &str) {
        self.set.reject(reason);
    }

    /// The trace id of a span that has both ids; a span without them is rejected (nothing could refer to it).
    pub(super) fn admit(&mut self, trace_id: Option<TraceId>, span_id: Option<SpanId>) -> Option<TraceId> {
        match (trace_id, span_id) {
            (None, _) => self.reject("span has no trace id (or it is all zeros)"),
            (Some(_), None) => self.reject("span has no span id (or it is all zeros)"),
            (Some(trace_id), Some(_)) => return Some(trace_id),
        }
        None
    }

    /// Adds a span to its trace (`admit` first); returns where it went: (trace, index in the trace).
    pub(super) fn push(&mut self, trace_id: Option<TraceId>, span: Span) -> Option<(u32, u32)> {
        let trace_id = self.admit(trace_id, span.span_id)?;
        let next = self.set.traces.len() as u32;
        let index = *self.trace_index.entry(trace_id).or_insert(next);
        if index == next {
            self.set.traces.push(Trace::new(trace_id, Vec::new()));
        }
        let spans = &mut self.set.traces[index as usize].spans;
        spans.push(span);
        Some((index, spans.len() as u32 - 1))
    }

    pub(super) fn trace_warning(&mut self, trace_id: Option<TraceId>, warning: String) {
        match trace_id.and_then(|t| self.trace_index.get(&t)) {
            Some(&i) => self.set.traces[i as usize].warnings.push(warning),
            None => self.set.warnings.push(warning),
        }
    }

    /// The set read; an input that held no span object at all is an error that says so (an empty array,
    /// `{"resourceSpans":[]}`, a backend's empty answer), rather than a view of nothing.
    pub(super) fn finish(mut self) -> Result<TraceSet, String> {
        if self.set.span_objects == 0 {
            let shape = match self.format {
                None => "an empty array",
                Some(format) => format.as_str(),
            };
            return Err(format!("the file holds no spans ({shape} with no span in it)"));
        }
        if self.set.traces.is_empty() {
            let reasons: Vec<String> = self
                .set
                .rejected
                .iter()
                .map(|r| format!("{} rejected: {}", crate::format::plural(r.count, "span", "spans"), r.reason))
                .collect();
            return Err(format!("no span could be read ({})", reasons.join("; ")));
        }
        self.set.source.format = self.format.unwrap_or(Format::ZipkinV2);
        if self.fractional_micros > 0 {
            self.set.warnings.push(format!(
                "{} had times with fractions of a microsecond (the format counts whole ones): read to the nanosecond",
                crate::format::plural(self.fractional_micros, "span", "spans")
            ));
        }
        let precision = crate::model::start_precision(&self.set.traces);
        self.set.traces.iter_mut().for_each(|t| t.start_precision_ns = precision);
        Ok(self.set)
    }
}

/// Start and end from what a format gave; a missing start or duration is noted on the span, never guessed silently.
pub(crate) fn times(start: Option<i64>, end: Option<i64>, notes: &mut u16) -> (i64, i64) {
    use crate::model::notes::*;
    let start_ns = match (start, end) {
        (Some(start), _) => start,
        (None, end) => {
            // Zero-length at the end if there is one; otherwise the tree places it at its parent's start.
            *notes |= MISSING_START;
            if end.is_none() {
                *notes |= MISSING_DURATION;
            }
            return (end.unwrap_or(0), end.unwrap_or(0));
        }
    };
    let end_ns = match end {
        Some(end) if end < start_ns => {
            *notes |= NEGATIVE_DURATION;
            start_ns
        }
        Some(end) => end,
        None => {
            *notes |= MISSING_DURATION;
            start_ns
        }
    };
    (start_ns, end_ns)
}

/// Why a span whose start cannot be held in nanoseconds since 1970 (past the year 2262) is rejected.
pub(crate) const START_OUT_OF_RANGE: &str = "its start time is out of range (past the year 2262)";

/// Where the spans of one `spans` array belong, as the document's reader found it.
pub(crate) enum SpanContext {
    Otlp { resource: u32, scope: u32, service: u32 },
    Jaeger { trace_id: Option<TraceId>, processes: HashMap<Cow<'static, str>, u32>, warnings: Vec<String> },
}

impl Builder {
    /// Records where the spans of the next emptied `spans` array belong. `present` is how many spans the
    /// reader found in the array itself: 0 when the scanner emptied it, so anything else is a mismatch.
    pub(super) fn defer(&mut self, context: SpanContext, present: usize) {
        self.deferred_mismatch |= present > 0;
        self.contexts.push(context);
    }
}

/// What became of a span read before its document's skeleton.
pub(crate) enum Early {
    /// Added to trace `trace` at `index`, with its resource to be filled in.
    Added { trace: u32, index: u32, process: Option<Sym> },
    Rejected,
    /// Not read: it needs the skeleton.
    Wait,
}

impl Early {
    /// From where `Builder::push` put the span (`None`: rejected).
    pub(super) fn added(at: Option<(u32, u32)>, process: Option<Sym>) -> Early {
        match at {
            Some((trace, index)) => Early::Added { trace, index, process },
            None => Early::Rejected,
        }
    }
}
