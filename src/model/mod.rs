//! The trace model every format is parsed into: compact spans with interned strings, grouped into traces.
//! Analysis and view code read only this, never a format's own JSON shapes.

mod attrs;
mod ids;
mod strings;

pub use attrs::{AttrList, AttrPool};
pub use ids::{IdEncoding, SpanId, TraceId};
pub use strings::{Strings, Sym};

/// Index of a span within its `Trace::spans`.
pub type SpanIx = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Format {
    OtlpJson,
    OtlpJsonl,
    JaegerJson,
    ZipkinV2,
    /// What the OpenTelemetry SDKs' console exporters print (Python's `ConsoleSpanExporter`).
    OtelConsole,
}

impl Format {
    /// The name used in `spanlens.summary/1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OtlpJson => "otlp-json",
            Format::OtlpJsonl => "otlp-jsonl",
            Format::JaegerJson => "jaeger-json",
            Format::ZipkinV2 => "zipkin-v2",
            Format::OtelConsole => "otel-console",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }

    /// Reads OTLP enum names (`SPAN_KIND_SERVER`), Jaeger/Zipkin tag values (`server`, `SERVER`).
    pub fn from_name(name: &str) -> SpanKind {
        let name = name.trim();
        let name = name.strip_prefix("SPAN_KIND_").unwrap_or(name);
        match name.to_ascii_lowercase().as_str() {
            "internal" => SpanKind::Internal,
            "server" | "rpc.server" => SpanKind::Server,
            "client" | "rpc.client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// The OTLP integer encoding.
    pub fn from_otlp(code: i64) -> SpanKind {
        match code {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }

    pub fn from_name(name: &str) -> StatusCode {
        let name = name.trim();
        let name = name.strip_prefix("STATUS_CODE_").unwrap_or(name);
        match name.to_ascii_lowercase().as_str() {
            "ok" => StatusCode::Ok,
            "error" => StatusCode::Error,
            _ => StatusCode::Unset,
        }
    }

    pub fn from_otlp(code: i64) -> StatusCode {
        match code {
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => StatusCode::Unset,
        }
    }
}

/// An attribute (tag) value, with the types OTLP distinguishes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AttrValue {
    Str(Sym),
    Int(i64),
    Double(f64),
    Bool(bool),
    Bytes(Box<[u8]>),
    Array(Box<[AttrValue]>),
    Map(Box<[Attr]>),
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Attr {
    pub key: Sym,
    pub value: AttrValue,
}

impl AttrValue {
    /// The value as a person reads it (strings unquoted, bytes as base64, arrays and maps as JSON-like text).
    pub fn display(&self, strings: &Strings) -> String {
        use base64::Engine as _;
        match self {
            AttrValue::Str(s) => strings.get(*s).to_string(),
            AttrValue::Int(i) => i.to_string(),
            AttrValue::Double(d) => d.to_string(),
            AttrValue::Bool(b) => b.to_string(),
            AttrValue::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
            AttrValue::Array(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.display(strings)).collect();
                format!("[{}]", parts.join(", "))
            }
            AttrValue::Map(attrs) => {
                let parts: Vec<String> =
                    attrs.iter().map(|a| format!("{}: {}", strings.get(a.key), a.value.display(strings))).collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    /// Length in bytes of the value's text, without building it for strings (used for size checks).
    pub fn text_len(&self, strings: &Strings) -> usize {
        match self {
            AttrValue::Str(s) => strings.get(*s).len(),
            AttrValue::Bytes(b) => b.len().div_ceil(3) * 4,
            _ => self.display(strings).len(),
        }
    }
}

/// A timestamped event (OTLP event, Jaeger log, Zipkin annotation).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub time_ns: i64,
    pub name: Sym,
    pub attributes: Box<[Attr]>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// An OTLP span link.
    Link,
    /// A Jaeger FOLLOWS_FROM reference that is not used as the parent.
    FollowsFrom,
    /// A Jaeger CHILD_OF reference that is not used as the parent (e.g. into another trace).
    ChildOf,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub trace_id: Option<TraceId>,
    pub span_id: Option<SpanId>,
    pub kind: LinkKind,
    pub attributes: Box<[Attr]>,
}

/// The process or service that emitted spans (OTLP resource, Jaeger process, Zipkin local endpoint).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Resource {
    pub service: Sym,
    pub attributes: Box<[Attr]>,
}

impl Resource {
    /// A resource for spans that name no service.
    pub fn unknown() -> Resource {
        Resource { service: Strings::EMPTY, attributes: Box::new([]) }
    }
}

/// The instrumentation scope (library) that made spans.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    pub name: Sym,
    pub version: Sym,
    pub attributes: Box<[Attr]>,
}

/// Facts about how a span was read or repaired, each shown to the user on the span.
pub mod notes {
    /// The input had no start time (and nothing to derive it from); placed at its parent's start (or the trace's).
    pub const MISSING_START: u16 = 1 << 0;
    /// The input had no duration (or end); the span is drawn with zero length, or up to its last event.
    pub const MISSING_DURATION: u16 = 1 << 1;
    /// A Zipkin server half that reused its client's span id: re-keyed as a child of the client half.
    pub const SHARED_SERVER_HALF: u16 = 1 << 2;
    /// Another span in the trace has the same id; this one does not own the id for child lookups.
    pub const DUPLICATE_ID: u16 = 1 << 3;
    /// The parent id is not in the trace: broken context propagation; shown as an extra root.
    pub const ORPHAN: u16 = 1 << 4;
    /// The parent link closed a cycle and was cut; shown as an extra root.
    pub const CYCLE_CUT: u16 = 1 << 5;
    /// The end was before the start; the end was moved to the start.
    pub const NEGATIVE_DURATION: u16 = 1 << 6;
    /// Moved by clock-skew adjustment (see `Trace::skew_shift_ns`).
    pub const SKEW_SHIFTED: u16 = 1 << 9;
    /// The parent is only a FOLLOWS_FROM reference (async, does not block the parent).
    pub const FOLLOWS_FROM: u16 = 1 << 7;
    /// The input had no start time; it was taken from the span's first annotation.
    pub const START_FROM_EVENTS: u16 = 1 << 8;
}

/// One span, compact: strings are interned, resource and scope are shared by index.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub span_id: Option<SpanId>,
    pub parent_id: Option<SpanId>,
    pub name: Sym,
    /// Service name, copied from the resource for fast grouping.
    pub service: Sym,
    pub start_ns: i64,
    pub end_ns: i64,
    pub kind: SpanKind,
    pub status: StatusCode,
    pub status_message: Sym,
    /// The span's own attributes, in `TraceSet::attrs` (`TraceSet::attributes` reads them).
    pub attributes: AttrList,
    /// Index into `TraceSet::resources`.
    pub resource: u32,
    /// Index into `TraceSet::scopes`.
    pub scope: u32,
    /// Bits from `notes`.
    pub notes: u16,
    /// Events, links and warnings (`events()`, `links()`, `warnings()`): most spans have none, so they cost
    /// one pointer (`None`) rather than three empty lists.
    pub extras: Option<Box<Extras>>,
}

/// What a span may carry besides its attributes.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Extras {
    pub events: Box<[Event]>,
    pub links: Box<[Link]>,
    /// Free-text warnings carried by the input (Jaeger span warnings).
    pub warnings: Box<[Sym]>,
}

impl Extras {
    /// A span's extras: `None` when it has none.
    pub fn of(events: impl Into<Box<[Event]>>, links: impl Into<Box<[Link]>>, warnings: impl Into<Box<[Sym]>>) -> Option<Box<Extras>> {
        let extras = Extras { events: events.into(), links: links.into(), warnings: warnings.into() };
        (!extras.events.is_empty() || !extras.links.is_empty() || !extras.warnings.is_empty()).then(|| Box::new(extras))
    }
}

impl Span {
    /// A span with only ids and times (tests, generators); everything else empty.
    pub fn new(span_id: SpanId, parent_id: Option<SpanId>, start_ns: i64, end_ns: i64) -> Span {
        Span {
            span_id: Some(span_id),
            parent_id,
            name: Strings::EMPTY,
            service: Strings::EMPTY,
            start_ns,
            end_ns,
            kind: SpanKind::Unspecified,
            status: StatusCode::Unset,
            status_message: Strings::EMPTY,
            attributes: AttrList::default(),
            resource: 0,
            scope: 0,
            notes: 0,
            extras: None,
        }
    }

    pub fn events(&self) -> &[Event] {
        self.extras.as_ref().map_or(&[], |x| &x.events)
    }

    pub fn links(&self) -> &[Link] {
        self.extras.as_ref().map_or(&[], |x| &x.links)
    }

    pub fn warnings(&self) -> &[Sym] {
        self.extras.as_ref().map_or(&[], |x| &x.warnings)
    }

    /// The events, to move in time (clock-skew adjustment).
    pub fn events_mut(&mut self) -> &mut [Event] {
        self.extras.as_mut().map_or(&mut [], |x| &mut x.events)
    }

    pub fn duration_ns(&self) -> i64 {
        self.end_ns - self.start_ns
    }

    pub fn has(&self, note: u16) -> bool {
        self.notes & note != 0
    }

    /// Status ERROR, or an `exception` event: the two ways instrumentation reports a failure.
    pub fn is_error(&self, strings: &Strings) -> bool {
        self.status == StatusCode::Error || self.events().iter().any(|e| strings.get(e.name) == "exception")
    }
}

/// The span tree of one trace. Built iteratively by `analysis::tree`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    /// Parent of each span, or `NO_PARENT` for roots (true roots, orphans and cut cycles).
    pub parent: Vec<SpanIx>,
    /// Children of span `i` are `children[child_start[i]..child_start[i + 1]]`, ordered by start then input order.
    pub child_start: Vec<u32>,
    pub children: Vec<SpanIx>,
    /// Spans without a parent in the trace, ordered by start time then input order.
    pub roots: Vec<SpanIx>,
    /// Roots whose parent id is set but not in the trace (broken propagation).
    pub orphans: Vec<SpanIx>,
    /// Spans whose id another span in the trace already had (not counting Zipkin client/server halves).
    pub duplicates: Vec<SpanIx>,
    /// Spans whose parent link was cut to break a cycle.
    pub cycle_cuts: Vec<SpanIx>,
}

pub const NO_PARENT: SpanIx = SpanIx::MAX;

impl Tree {
    pub fn children_of(&self, span: SpanIx) -> &[SpanIx] {
        let i = span as usize;
        &self.children[self.child_start[i] as usize..self.child_start[i + 1] as usize]
    }

    /// Every span, parents before children (breadth-first from the roots); reversed, children before parents.
    pub fn top_down(&self) -> Vec<SpanIx> {
        let mut order: Vec<SpanIx> = Vec::with_capacity(self.parent.len());
        order.extend_from_slice(&self.roots);
        let mut next = 0;
        while next < order.len() {
            let span = order[next];
            order.extend_from_slice(self.children_of(span));
            next += 1;
        }
        order
    }

    /// Roots that are not orphans: spans that have no parent id (or whose parent link was cut from a cycle).
    pub fn true_roots(&self, spans: &[Span]) -> Vec<SpanIx> {
        self.roots.iter().copied().filter(|&r| !spans[r as usize].has(notes::ORPHAN)).collect()
    }

    pub fn parent_of(&self, span: SpanIx) -> Option<SpanIx> {
        let p = self.parent[span as usize];
        (p != NO_PARENT).then_some(p)
    }
}

/// All spans of one trace id.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub trace_id: TraceId,
    pub spans: Vec<Span>,
    pub tree: Tree,
    /// Trace-level warnings from the input and from repairs, in plain language.
    pub warnings: Vec<String>,
    /// Per span, how far clock-skew adjustment moved it (ns); empty when adjustment is off.
    pub skew_shift_ns: Vec<i64>,
    /// How coarse the file's start times are when they are coarser than its end times (the OpenTelemetry JS
    /// SDK writes starts in whole milliseconds, ends to the nanosecond); 0 when starts are as fine as ends.
    /// Differences within it are not skew and do not break the critical path.
    pub start_precision_ns: i64,
}

impl Trace {
    /// A trace of these spans; its tree is still to be built (`analysis::tree::build`).
    pub fn new(trace_id: TraceId, spans: Vec<Span>) -> Trace {
        Trace { trace_id, spans, tree: Tree::default(), warnings: Vec::new(), skew_shift_ns: Vec::new(), start_precision_ns: 0 }
    }

    pub fn start_ns(&self) -> i64 {
        self.spans.iter().map(|s| s.start_ns).min().unwrap_or(0)
    }

    pub fn end_ns(&self) -> i64 {
        self.spans.iter().map(|s| s.end_ns).max().unwrap_or(0)
    }

    /// The first span carrying each id (`None` where no span does), in one pass over the spans however many
    /// ids: it runs once per click or message, not per frame, and needs no index of 1M ids.
    pub fn find_ids(&self, ids: &[SpanId]) -> Vec<Option<SpanIx>> {
        let mut found: rustc_hash::FxHashMap<SpanId, SpanIx> = rustc_hash::FxHashMap::default();
        let wanted: rustc_hash::FxHashSet<SpanId> = ids.iter().copied().collect();
        for (i, span) in self.spans.iter().enumerate() {
            if let Some(id) = span.span_id.filter(|id| wanted.contains(id)) {
                found.entry(id).or_insert(i as SpanIx);
                if found.len() == wanted.len() {
                    break;
                }
            }
        }
        ids.iter().map(|id| found.get(id).copied()).collect()
    }

    /// Differences of start times within this are not differences (`start_precision_ns`).
    pub fn tolerance_ns(&self) -> i64 {
        self.start_precision_ns
    }

    /// A span's times as the input gave them, before any clock-skew shift.
    pub fn raw_times(&self, span: SpanIx) -> (i64, i64) {
        let s = &self.spans[span as usize];
        let shift = self.skew_shift_ns.get(span as usize).copied().unwrap_or(0);
        (s.start_ns - shift, s.end_ns - shift)
    }
}

/// Where the bytes came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    pub name: String,
    pub format: Format,
    pub bytes: u64,
}

/// Span objects that could not be used, grouped by reason.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rejected {
    pub reason: String,
    pub count: u64,
}

/// Everything read from one input: its traces and the strings, resources and scopes they share.
#[derive(Clone)]
pub struct TraceSet {
    pub source: Source,
    pub traces: Vec<Trace>,
    pub strings: Strings,
    pub resources: Vec<Resource>,
    pub scopes: Vec<Scope>,
    /// Every span's attributes, each distinct pair once.
    pub attrs: AttrPool,
    /// File-level warnings (e.g. from the input's own `warnings`, or repairs that span traces).
    pub warnings: Vec<String>,
    pub rejected: Vec<Rejected>,
    /// Span objects in the input, including rejected ones.
    pub span_objects: u64,
}

/// The start precision that marks a file whose starts are coarser than its ends: whole milliseconds.
pub const COARSE_START_NS: i64 = 1_000_000;

/// `COARSE_START_NS` when every start of the set is a whole millisecond and some end is not (the
/// OpenTelemetry JS SDK's clock), else 0. One pass over the spans.
pub fn start_precision(traces: &[Trace]) -> i64 {
    let spans = || traces.iter().flat_map(|t| &t.spans);
    let starts_coarse = spans().all(|s| s.start_ns % COARSE_START_NS == 0);
    let ends_finer = spans().any(|s| s.end_ns % COARSE_START_NS != 0);
    if starts_coarse && ends_finer {
        COARSE_START_NS
    } else {
        0
    }
}

impl TraceSet {
    /// A set with no traces yet, read from `source`.
    pub fn new(source: Source) -> TraceSet {
        TraceSet {
            source,
            traces: Vec::new(),
            strings: Strings::new(),
            resources: Vec::new(),
            scopes: vec![Scope::default()],
            attrs: AttrPool::default(),
            warnings: Vec::new(),
            rejected: Vec::new(),
            span_objects: 0,
        }
    }

    pub fn reject(&mut self, reason: &str) {
        match self.rejected.iter_mut().find(|r| r.reason == reason) {
            Some(r) => r.count += 1,
            None => self.rejected.push(Rejected { reason: reason.to_string(), count: 1 }),
        }
    }

    pub fn str(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }

    /// A span's attributes, in input order.
    pub fn attributes(&self, span: &Span) -> impl ExactSizeIterator<Item = &Attr> + Clone {
        self.attrs.get(span.attributes)
    }
}

