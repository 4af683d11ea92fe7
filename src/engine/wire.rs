//! A loaded file (or a trace set to re-analyse) as a sequence of blocks of bytes: what a worker hands the page
//! and the page hands a worker, in transferred `ArrayBuffer`s, never as JS objects or JSON. The big per-span
//! arrays (tree, layout, self and critical times, attribute runs, and each trace's look: its flame model and
//! colours) cross as raw little-endian columns; spans, strings and the irregular parts as postcard (serde's
//! derives on the model) a bounded number at a time, the summary's long lists too. Every block is small enough
//! to take in well within a frame's budget, and the head says how many strings and attributes follow so their
//! tables are made once (never rehashed whole mid-way): the page ingests a 1M-span file a block at a time
//! between tasks (`Assembler::push`), never in one long task.

use crate::analysis::summary::{Summary, TraceSummary};
use crate::analysis::TraceAnalysis;
use crate::model::{Attr, Source, Span, Trace, TraceId, TraceSet};
use crate::pipeline::{unique_id, LoadedFile};
use crate::view::colour::Colours;
use crate::view::{FlameModel, TraceLook};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Spans per block: about 1 MB of postcard, a millisecond or two to read.
const SPANS_PER_BLOCK: usize = 16 * 1024;
/// Strings, attribute pairs and trace summaries per block (each is looked up in a table as it is taken).
const ITEMS_PER_BLOCK: usize = 8 * 1024;
/// Column entries per block: 2–4 MB, a copy.
const COLUMN_PER_BLOCK: usize = 512 * 1024;

/// What a block holds: its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Tag {
    Head = 1,
    Strings,
    Pairs,
    AttrIds,
    Spans,
    Column,
    Sections,
    Groups,
    Findings,
    LookHead,
    SummaryHead,
    SummaryTraces,
    SummaryList,
}

const TAGS: [Tag; 13] = [
    Tag::Head,
    Tag::Strings,
    Tag::Pairs,
    Tag::AttrIds,
    Tag::Spans,
    Tag::Column,
    Tag::Sections,
    Tag::Groups,
    Tag::Findings,
    Tag::LookHead,
    Tag::SummaryHead,
    Tag::SummaryTraces,
    Tag::SummaryList,
];

/// A column of a trace, its analysis or its look: its second byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Column {
    TreeParent,
    TreeChildStart,
    TreeChildren,
    SkewShift,
    Roots,
    Orphans,
    Duplicates,
    CycleCuts,
    Contribution,
    LayoutRow,
    LayoutRowStart,
    LayoutRowSpans,
    SelfNs,
    Marks,
    Colours,
    RowInterval,
    ErrorPrefix,
    CriticalStart,
    Critical,
}

/// The columns a trace has.
const TRACE_COLUMNS: [Column; 8] = [
    Column::TreeParent,
    Column::TreeChildStart,
    Column::TreeChildren,
    Column::SkewShift,
    Column::Roots,
    Column::Orphans,
    Column::Duplicates,
    Column::CycleCuts,
];
/// The columns of its analysis and look, sent only with an analysis.
const ANALYSIS_COLUMNS: [Column; 11] = [
    Column::Contribution,
    Column::LayoutRow,
    Column::LayoutRowStart,
    Column::LayoutRowSpans,
    Column::SelfNs,
    Column::Marks,
    Column::Colours,
    Column::RowInterval,
    Column::ErrorPrefix,
    Column::CriticalStart,
    Column::Critical,
];

fn column_of(byte: u8) -> Option<Column> {
    TRACE_COLUMNS.iter().chain(&ANALYSIS_COLUMNS).copied().find(|&c| c as u8 == byte)
}

/// A cell of a column as little-endian bytes.
trait Cell: Copy {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

/// Numbers as their little-endian bytes.
macro_rules! number_cell {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("a cell's bytes"))
            }
        }
    )*};
}

number_cell!(u8, u32, i64, f64);

impl<T: Cell> Cell for (T, T) {
    const SIZE: usize = 2 * T::SIZE;
    fn put(self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn get(bytes: &[u8]) -> Self {
        (T::get(&bytes[..T::SIZE]), T::get(&bytes[T::SIZE..]))
    }
}

/// A column's storage, borrowed to read (`&[T]`) or to fill (`&mut Vec<T>`): one mapping from column to field
/// for both ends (`column_of_file`, `column_to_fill`).
enum Cells<U8, U32, I64, F64s, I64s> {
    U8(U8),
    U32(U32),
    I64(I64),
    F64Pairs(F64s),
    I64Pairs(I64s),
}

type CellsRef<'a> = Cells<&'a [u8], &'a [u32], &'a [i64], &'a [(f64, f64)], &'a [(i64, i64)]>;
type CellsMut<'a> =
    Cells<&'a mut Vec<u8>, &'a mut Vec<u32>, &'a mut Vec<i64>, &'a mut Vec<(f64, f64)>, &'a mut Vec<(i64, i64)>>;

/// The look as it is put back together (its model is shared once made).
#[derive(Default)]
struct LookParts {
    model: FlameModel,
    colours: Colours,
}

macro_rules! column_cells {
    ($trace:expr, $analysis:expr, $model:expr, $colours:expr, $column:expr, $borrow:ident) => {
        match $column {
            Column::TreeParent => Cells::U32($borrow!($trace.tree.parent)),
            Column::TreeChildStart => Cells::U32($borrow!($trace.tree.child_start)),
            Column::TreeChildren => Cells::U32($borrow!($trace.tree.children)),
            Column::SkewShift => Cells::I64($borrow!($trace.skew_shift_ns)),
            Column::Roots => Cells::U32($borrow!($trace.tree.roots)),
            Column::Orphans => Cells::U32($borrow!($trace.tree.orphans)),
            Column::Duplicates => Cells::U32($borrow!($trace.tree.duplicates)),
            Column::CycleCuts => Cells::U32($borrow!($trace.tree.cycle_cuts)),
            Column::Contribution => Cells::I64($borrow!($analysis.critical_path.contribution_ns)),
            Column::LayoutRow => Cells::U32($borrow!($analysis.layout.row)),
            Column::LayoutRowStart => Cells::U32($borrow!($analysis.layout.row_start)),
            Column::LayoutRowSpans => Cells::U32($borrow!($analysis.layout.row_spans)),
            Column::SelfNs => Cells::I64($borrow!($analysis.stats.self_ns)),
            Column::Marks => Cells::U8($borrow!($model.marks)),
            Column::Colours => Cells::U32($borrow!($colours.span)),
            Column::RowInterval => Cells::F64Pairs($borrow!($model.row_interval)),
            Column::ErrorPrefix => Cells::U32($borrow!($model.error_prefix)),
            Column::CriticalStart => Cells::U32($borrow!($model.critical_start)),
            Column::Critical => Cells::I64Pairs($borrow!($model.critical)),
        }
    };
}

macro_rules! shared {
    ($e:expr) => {
        &$e[..]
    };
}

macro_rules! to_fill {
    ($e:expr) => {
        &mut $e
    };
}

/// A column of a file (its analysis and look only when given).
fn column_of_file<'a>(trace: &'a Trace, analysed: Option<(&'a TraceAnalysis, &'a TraceLook)>, column: Column) -> CellsRef<'a> {
    let none: (&TraceAnalysis, &FlameModel, &Colours) = (&EMPTY_ANALYSIS, &EMPTY_MODEL, &EMPTY_COLOURS);
    let (analysis, model, colours) = analysed.map_or(none, |(a, l)| (a, &*l.model, &l.colours));
    column_cells!(trace, analysis, model, colours, column, shared)
}

static EMPTY_ANALYSIS: std::sync::LazyLock<TraceAnalysis> = std::sync::LazyLock::new(TraceAnalysis::default);
static EMPTY_MODEL: std::sync::LazyLock<FlameModel> = std::sync::LazyLock::new(FlameModel::default);
static EMPTY_COLOURS: std::sync::LazyLock<Colours> = std::sync::LazyLock::new(Colours::default);

/// The same column, to fill as its blocks come.
fn column_to_fill<'a>(trace: &'a mut Trace, analysis: &'a mut TraceAnalysis, look: &'a mut LookParts, column: Column) -> CellsMut<'a> {
    let (model, colours) = (&mut look.model, &mut look.colours);
    column_cells!(trace, analysis, model, colours, column, to_fill)
}

impl CellsRef<'_> {
    fn len(&self) -> usize {
        match self {
            Cells::U8(c) => c.len(),
            Cells::U32(c) => c.len(),
            Cells::I64(c) => c.len(),
            Cells::F64Pairs(c) => c.len(),
            Cells::I64Pairs(c) => c.len(),
        }
    }

    fn write(&self, range: Range<usize>, out: &mut Vec<u8>) {
        fn put<T: Cell>(cells: &[T], out: &mut Vec<u8>) {
            out.reserve(cells.len() * T::SIZE);
            cells.iter().for_each(|c| c.put(out));
        }
        match self {
            Cells::U8(c) => put(&c[range], out),
            Cells::U32(c) => put(&c[range], out),
            Cells::I64(c) => put(&c[range], out),
            Cells::F64Pairs(c) => put(&c[range], out),
            Cells::I64Pairs(c) => put(&c[range], out),
        }
    }
}

impl CellsMut<'_> {
    fn extend(self, payload: &[u8]) -> Result<(), String> {
        fn take<T: Cell>(cells: &mut Vec<T>, payload: &[u8]) -> Result<(), String> {
            if payload.len() % T::SIZE != 0 {
                return Err(damaged("a column cut in a cell"));
            }
            cells.extend(payload.chunks_exact(T::SIZE).map(T::get));
            Ok(())
        }
        match self {
            Cells::U8(c) => take(c, payload),
            Cells::U32(c) => take(c, payload),
            Cells::I64(c) => take(c, payload),
            Cells::F64Pairs(c) => take(c, payload),
            Cells::I64Pairs(c) => take(c, payload),
        }
    }
}

/// The set's fixed parts: everything but the strings, the attributes and the traces' spans and columns.
#[derive(Serialize, Deserialize)]
struct Head {
    source: Source,
    resources: Vec<crate::model::Resource>,
    scopes: Vec<crate::model::Scope>,
    warnings: Vec<String>,
    rejected: Vec<crate::model::Rejected>,
    span_objects: u64,
    skew_adjusted: bool,
    /// Whether analyses and a summary follow (a set sent for re-analysis has none).
    analysed: bool,
    traces: Vec<TraceHead>,
    /// How many strings, attribute pairs and pair ids follow: room is made for them at once.
    strings: u32,
    pairs: u32,
    attr_ids: u32,
}

#[derive(Serialize, Deserialize)]
struct TraceHead {
    trace_id: TraceId,
    warnings: Vec<String>,
    start_precision_ns: i64,
    spans: u32,
}

/// A trace look's scalars and legend (its per-span and per-row parts are columns).
#[derive(Serialize, Deserialize)]
struct LookHead {
    origin_ns: i64,
    total_ns: i64,
    critical_total_ns: i64,
    legend: crate::view::colour::Legend,
}

/// Which statistics groups a `Groups` block extends: its second byte.
const BY_SERVICE: u8 = 0;
const BY_OPERATION: u8 = 1;

/// One block to write, named by what it covers; written only when asked for (`Blocks::next`).
enum Piece {
    Head,
    Strings(Range<usize>),
    Pairs(Range<usize>),
    AttrIds(Range<usize>),
    Spans(u32, Range<usize>),
    Column(u32, Column, Range<usize>),
    Sections(u32, Range<usize>),
    Groups(u32, u8, Range<usize>),
    Findings(u32),
    LookHead(u32),
    SummaryHead,
    SummaryTraces(Range<usize>),
    /// Part of one of a trace summary's long lists (`SummaryList`), sent after the trace without them.
    SummaryList(u32, SummaryList, Range<usize>),
}

/// The blocks of a trace set, with its analyses and summary when given, one at a time.
pub struct Blocks<'a> {
    set: &'a TraceSet,
    analysed: Option<Analysed<'a>>,
    skew_adjusted: bool,
    pieces: std::vec::IntoIter<Piece>,
}

/// What a loaded file sends beside its set.
#[derive(Clone, Copy)]
struct Analysed<'a> {
    analyses: &'a [TraceAnalysis],
    looks: &'a [TraceLook],
    summary: &'a Summary,
}

/// The blocks of a loaded file: what a worker sends the page.
pub fn of_file(file: &LoadedFile) -> Blocks<'_> {
    let analysed = Analysed { analyses: &file.analyses, looks: &file.looks, summary: &file.summary };
    Blocks::new(&file.set, Some(analysed), file.skew_adjusted)
}

/// The blocks of a trace set alone: what the page sends a worker to analyse again.
pub fn of_set(set: &TraceSet, skew_adjusted: bool) -> Blocks<'_> {
    Blocks::new(set, None, skew_adjusted)
}

fn ranges(len: usize, per: usize) -> impl Iterator<Item = Range<usize>> {
    (0..len).step_by(per).map(move |start| start..(start + per).min(len))
}

impl<'a> Blocks<'a> {
    fn new(set: &'a TraceSet, analysed: Option<Analysed<'a>>, skew_adjusted: bool) -> Blocks<'a> {
        let mut pieces = vec![Piece::Head];
        let (pairs, ids) = set.attrs.parts();
        pieces.extend(ranges(set.strings.len(), ITEMS_PER_BLOCK).map(Piece::Strings));
        pieces.extend(ranges(pairs.len(), ITEMS_PER_BLOCK).map(Piece::Pairs));
        pieces.extend(ranges(ids.len(), COLUMN_PER_BLOCK).map(Piece::AttrIds));
        for (t, trace) in set.traces.iter().enumerate() {
            let analysed = analysed.map(|a| (&a.analyses[t], &a.looks[t]));
            let t32 = t as u32;
            pieces.extend(ranges(trace.spans.len(), SPANS_PER_BLOCK).map(|r| Piece::Spans(t32, r)));
            let columns = TRACE_COLUMNS.iter().chain(if analysed.is_some() { &ANALYSIS_COLUMNS[..] } else { &[] });
            for &column in columns {
                let len = column_of_file(trace, analysed, column).len();
                pieces.extend(ranges(len, COLUMN_PER_BLOCK).map(|r| Piece::Column(t32, column, r)));
            }
            if let Some((analysis, _)) = analysed {
                let stats = &analysis.stats;
                pieces.extend(ranges(analysis.critical_path.sections.len(), ITEMS_PER_BLOCK).map(|r| Piece::Sections(t32, r)));
                pieces.extend(ranges(stats.by_service.len(), ITEMS_PER_BLOCK / 8).map(|r| Piece::Groups(t32, BY_SERVICE, r)));
                pieces.extend(ranges(stats.by_operation.len(), ITEMS_PER_BLOCK / 8).map(|r| Piece::Groups(t32, BY_OPERATION, r)));
                pieces.extend([Piece::Findings(t32), Piece::LookHead(t32)]);
            }
        }
        if let Some(analysed) = analysed {
            pieces.push(Piece::SummaryHead);
            summary_pieces(analysed.summary, &mut pieces);
        }
        Blocks { set, analysed, skew_adjusted, pieces: pieces.into_iter() }
    }

    fn write(&self, piece: Piece) -> Vec<u8> {
        let set = self.set;
        let analysed = || self.analysed.expect("analysis pieces only when analysed");
        let analysis = |t: u32| &analysed().analyses[t as usize];
        let summary = || analysed().summary;
        match piece {
            Piece::Head => {
                let traces = set.traces.iter().map(|t| TraceHead {
                    trace_id: t.trace_id,
                    warnings: t.warnings.clone(),
                    start_precision_ns: t.start_precision_ns,
                    spans: t.spans.len() as u32,
                });
                let head = Head {
                    source: set.source.clone(),
                    resources: set.resources.clone(),
                    scopes: set.scopes.clone(),
                    warnings: set.warnings.clone(),
                    rejected: set.rejected.clone(),
                    span_objects: set.span_objects,
                    skew_adjusted: self.skew_adjusted,
                    analysed: self.analysed.is_some(),
                    traces: traces.collect(),
                    strings: set.strings.len() as u32,
                    pairs: set.attrs.parts().0.len() as u32,
                    attr_ids: set.attrs.parts().1.len() as u32,
                };
                serialized(Tag::Head, 0, 0, &head)
            }
            Piece::Strings(r) => {
                let strings: Vec<&str> = r.map(|i| set.strings.get(i as u32)).collect();
                serialized(Tag::Strings, 0, 0, &strings)
            }
            Piece::Pairs(r) => serialized(Tag::Pairs, 0, 0, &set.attrs.parts().0[r]),
            Piece::AttrIds(r) => raw(Tag::AttrIds, 0, 0, bytemuck::cast_slice(&set.attrs.parts().1[r])),
            Piece::Spans(t, r) => serialized(Tag::Spans, t, 0, &set.traces[t as usize].spans[r]),
            Piece::Column(t, column, r) => {
                let look = self.analysed.map(|a| (&a.analyses[t as usize], &a.looks[t as usize]));
                let mut block = header(Tag::Column, t, column as u8, 0);
                column_of_file(&set.traces[t as usize], look, column).write(r, &mut block);
                block
            }
            Piece::Sections(t, r) => serialized(Tag::Sections, t, 0, &analysis(t).critical_path.sections[r]),
            Piece::Groups(t, which, r) => {
                let stats = &analysis(t).stats;
                let groups = if which == BY_SERVICE { &stats.by_service } else { &stats.by_operation };
                serialized(Tag::Groups, t, which, &groups[r])
            }
            Piece::Findings(t) => serialized(Tag::Findings, t, 0, &analysis(t).findings),
            Piece::LookHead(t) => {
                let look = &analysed().looks[t as usize];
                let head = LookHead {
                    origin_ns: look.model.origin_ns,
                    total_ns: look.model.total_ns,
                    critical_total_ns: look.model.critical_total_ns,
                    legend: look.colours.legend.clone(),
                };
                serialized(Tag::LookHead, t, 0, &head)
            }
            Piece::SummaryHead => {
                let s = summary();
                let head = Summary {
                    schema: s.schema.clone(),
                    source: s.source.clone(),
                    traces: Vec::new(),
                    warnings: s.warnings.clone(),
                    rejected: s.rejected.clone(),
                };
                serialized(Tag::SummaryHead, 0, 0, &head)
            }
            Piece::SummaryTraces(r) => {
                let traces = &summary().traces[r];
                match traces {
                    [one] if has_long_lists(one) => serialized(Tag::SummaryTraces, 0, 0, &vec![without_lists(one)]),
                    _ => serialized(Tag::SummaryTraces, 0, 0, traces),
                }
            }
            Piece::SummaryList(t, list, r) => list.write(t, &summary().traces[t as usize], r),
        }
    }
}

impl Iterator for Blocks<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        let piece = self.pieces.next()?;
        Some(self.write(piece))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pieces.size_hint()
    }
}

/// The long lists of a trace summary: a trace of a million spans has a critical path of many sections and
/// many findings (tens of MB as the summary writes them), a broken one many orphans. Such a trace is sent
/// without them, then each list a bounded part a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum SummaryList {
    Roots,
    Orphans,
    Duplicates,
    Critical,
    Findings,
}

const SUMMARY_LISTS: [SummaryList; 5] =
    [SummaryList::Roots, SummaryList::Orphans, SummaryList::Duplicates, SummaryList::Critical, SummaryList::Findings];

impl SummaryList {
    /// Its parts: ranges of at most `ITEMS_PER_BLOCK` items (a finding weighs one and its span ids).
    fn parts(self, trace: &TraceSummary) -> Vec<Range<usize>> {
        match self {
            SummaryList::Findings => weighted_ranges(trace.findings.iter().map(|f| 1 + f.span_ids.len()), ITEMS_PER_BLOCK),
            _ => ranges(self.items(trace), ITEMS_PER_BLOCK).collect(),
        }
    }

    /// Items of the list (for choosing whether it goes apart).
    fn items(self, trace: &TraceSummary) -> usize {
        match self {
            SummaryList::Roots => trace.root_span_ids.len(),
            SummaryList::Orphans => trace.orphan_span_ids.len(),
            SummaryList::Duplicates => trace.duplicate_span_ids.len(),
            SummaryList::Critical => trace.critical_path.len(),
            SummaryList::Findings => trace.findings.iter().map(|f| 1 + f.span_ids.len()).sum(),
        }
    }

    /// A part of the list as a block.
    fn write(self, t: u32, trace: &TraceSummary, r: Range<usize>) -> Vec<u8> {
        let block = header(Tag::SummaryList, t, self as u8, 0);
        let written = match self {
            SummaryList::Roots => postcard::to_extend(&trace.root_span_ids[r], block),
            SummaryList::Orphans => postcard::to_extend(&trace.orphan_span_ids[r], block),
            SummaryList::Duplicates => postcard::to_extend(&trace.duplicate_span_ids[r], block),
            SummaryList::Critical => postcard::to_extend(&trace.critical_path[r], block),
            SummaryList::Findings => postcard::to_extend(&trace.findings[r], block),
        };
        written.expect("the summary always serializes")
    }

    /// Adds a part (the `byte` and `payload` of its block) to the trace summary it belongs to.
    fn read(byte: u8, payload: &[u8], trace: &mut TraceSummary) -> Result<(), String> {
        let list = SUMMARY_LISTS.iter().copied().find(|&l| l as u8 == byte).ok_or_else(|| damaged("an unknown list"))?;
        let what = "summary";
        match list {
            SummaryList::Roots => trace.root_span_ids.extend(decode::<Vec<String>>(payload, what)?),
            SummaryList::Orphans => trace.orphan_span_ids.extend(decode::<Vec<String>>(payload, what)?),
            SummaryList::Duplicates => trace.duplicate_span_ids.extend(decode::<Vec<String>>(payload, what)?),
            SummaryList::Critical => trace.critical_path.extend(decode::<Vec<_>>(payload, what)?),
            SummaryList::Findings => trace.findings.extend(decode::<Vec<_>>(payload, what)?),
        }
        Ok(())
    }
}

/// Consecutive ranges of items whose weights add up to at most `limit` (an item heavier alone is a range alone).
fn weighted_ranges(weights: impl Iterator<Item = usize>, limit: usize) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let (mut start, mut sum, mut end) = (0, 0, 0);
    for (i, w) in weights.enumerate() {
        if sum + w > limit && start < i {
            parts.push(start..i);
            (start, sum) = (i, 0);
        }
        sum += w;
        end = i + 1;
    }
    if start < end {
        parts.push(start..end);
    }
    parts
}

/// How many items a trace summary weighs: one, and its lists' items.
fn summary_weight(trace: &TraceSummary) -> usize {
    1 + SUMMARY_LISTS.iter().map(|l| l.items(trace)).sum::<usize>()
}

/// Whether a trace summary's lists are sent apart from it.
fn has_long_lists(trace: &TraceSummary) -> bool {
    summary_weight(trace) > ITEMS_PER_BLOCK
}

fn without_lists(trace: &TraceSummary) -> TraceSummary {
    let mut bare = trace.clone();
    (bare.root_span_ids, bare.orphan_span_ids, bare.duplicate_span_ids) = Default::default();
    (bare.critical_path, bare.findings) = Default::default();
    bare
}

/// The summary's traces, several small ones a block; one with long lists alone, its lists in parts after it.
fn summary_pieces(summary: &Summary, pieces: &mut Vec<Piece>) {
    // A trace with long lists weighs a whole block, so it goes alone.
    let weight = |trace: &TraceSummary| summary_weight(trace).min(ITEMS_PER_BLOCK);
    for range in weighted_ranges(summary.traces.iter().map(weight), ITEMS_PER_BLOCK) {
        let t = range.start;
        pieces.push(Piece::SummaryTraces(range));
        let trace = &summary.traces[t];
        if has_long_lists(trace) {
            for list in SUMMARY_LISTS {
                pieces.extend(list.parts(trace).into_iter().map(|r| Piece::SummaryList(t as u32, list, r)));
            }
        }
    }
}

/// A block's first 8 bytes: tag, column, two spare, the trace's index (little-endian).
const HEADER: usize = 8;

fn header(tag: Tag, trace: u32, column: u8, capacity: usize) -> Vec<u8> {
    let mut block = Vec::with_capacity(HEADER + capacity);
    block.extend_from_slice(&[tag as u8, column, 0, 0]);
    block.extend_from_slice(&trace.to_le_bytes());
    block
}

fn serialized<T: Serialize + ?Sized>(tag: Tag, trace: u32, column: u8, value: &T) -> Vec<u8> {
    postcard::to_extend(value, header(tag, trace, column, 0)).expect("the model always serializes")
}

fn raw(tag: Tag, trace: u32, column: u8, bytes: &[u8]) -> Vec<u8> {
    let mut block = header(tag, trace, column, bytes.len());
    block.extend_from_slice(bytes);
    block
}

/// What the blocks made: a loaded file (from a worker) or a set to analyse (to one).
pub enum Assembled {
    File(LoadedFile),
    Set { set: TraceSet, skew_adjusted: bool },
}

/// Takes blocks in the order `Blocks` wrote them and puts the file back together.
#[derive(Default)]
pub struct Assembler {
    set: Option<TraceSet>,
    analyses: Vec<TraceAnalysis>,
    looks: Vec<LookParts>,
    summary: Option<Summary>,
    skew_adjusted: bool,
    analysed: bool,
}

/// A block that does not read: only a bug or a damaged transfer, but never a panic.
fn damaged(what: &str) -> String {
    format!("the engine's answer is damaged ({what})")
}

fn decode<'a, T: Deserialize<'a>>(payload: &'a [u8], what: &str) -> Result<T, String> {
    postcard::from_bytes(payload).map_err(|e| damaged(&format!("{what}: {e}")))
}

impl Assembler {
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// Takes one block.
    pub fn push(&mut self, block: &[u8]) -> Result<(), String> {
        if block.len() < HEADER {
            return Err(damaged("a short block"));
        }
        let tag = TAGS.iter().copied().find(|&t| t as u8 == block[0]).ok_or_else(|| damaged("an unknown block"))?;
        let column = block[1];
        let t = u32::from_le_bytes([block[4], block[5], block[6], block[7]]) as usize;
        let payload = &block[HEADER..];
        if tag == Tag::Head {
            let head: Head = decode(payload, "head")?;
            let mut set = TraceSet::new(head.source);
            (set.resources, set.scopes, set.warnings, set.rejected) = (head.resources, head.scopes, head.warnings, head.rejected);
            set.span_objects = head.span_objects;
            set.strings.reserve(head.strings as usize);
            set.attrs.reserve(head.pairs as usize, head.attr_ids as usize);
            set.traces = head
                .traces
                .into_iter()
                .map(|h| {
                    let mut trace = Trace::new(h.trace_id, Vec::with_capacity(h.spans as usize));
                    (trace.warnings, trace.start_precision_ns) = (h.warnings, h.start_precision_ns);
                    trace
                })
                .collect();
            let traces = if head.analysed { set.traces.len() } else { 0 };
            self.analyses = vec![TraceAnalysis::default(); traces];
            self.looks = (0..traces).map(|_| LookParts::default()).collect();
            (self.skew_adjusted, self.analysed) = (head.skew_adjusted, head.analysed);
            self.set = Some(set);
            return Ok(());
        }
        let set = self.set.as_mut().ok_or_else(|| damaged("a block before the head"))?;
        match tag {
            Tag::Head => unreachable!("handled above"),
            Tag::Strings => {
                for s in decode::<Vec<&str>>(payload, "strings")? {
                    set.strings.intern(s);
                }
            }
            Tag::Pairs => {
                for pair in decode::<Vec<Attr>>(payload, "attributes")? {
                    set.attrs.restore_pair(pair);
                }
            }
            Tag::AttrIds => set.attrs.restore_ids(payload.chunks_exact(4).map(<u32 as Cell>::get)),
            Tag::Spans => {
                let trace = set.traces.get_mut(t).ok_or_else(|| damaged("spans of no trace"))?;
                trace.spans.extend(decode::<Vec<Span>>(payload, "spans")?);
            }
            Tag::Column => {
                let column = column_of(column).ok_or_else(|| damaged("an unknown column"))?;
                let trace = set.traces.get_mut(t).ok_or_else(|| damaged("a column of no trace"))?;
                let (mut no_analysis, mut no_look) = (TraceAnalysis::default(), LookParts::default());
                let (analysis, look) = match (self.analyses.get_mut(t), self.looks.get_mut(t)) {
                    (Some(analysis), Some(look)) => (analysis, look),
                    _ if TRACE_COLUMNS.contains(&column) => (&mut no_analysis, &mut no_look),
                    _ => return Err(damaged("an analysis column of no analysis")),
                };
                column_to_fill(trace, analysis, look, column).extend(payload)?;
            }
            Tag::Sections | Tag::Groups | Tag::Findings => {
                let analysis = self.analyses.get_mut(t).ok_or_else(|| damaged("an analysis of no trace"))?;
                match tag {
                    Tag::Sections => analysis.critical_path.sections.extend(decode::<Vec<crate::analysis::critical_path::Section>>(payload, "critical path")?),
                    Tag::Groups => {
                        let stats = &mut analysis.stats;
                        let groups = if column == BY_SERVICE { &mut stats.by_service } else { &mut stats.by_operation };
                        groups.extend(decode::<Vec<crate::analysis::stats::GroupStats>>(payload, "statistics")?);
                    }
                    _ => analysis.findings = decode(payload, "findings")?,
                }
            }
            Tag::LookHead => {
                let look = self.looks.get_mut(t).ok_or_else(|| damaged("a look of no trace"))?;
                let head: LookHead = decode(payload, "look")?;
                let model = &mut look.model;
                (model.origin_ns, model.total_ns, model.critical_total_ns) = (head.origin_ns, head.total_ns, head.critical_total_ns);
                look.colours.legend = head.legend;
            }
            Tag::SummaryHead => self.summary = Some(decode(payload, "summary")?),
            Tag::SummaryTraces | Tag::SummaryList => {
                let summary = self.summary.as_mut().ok_or_else(|| damaged("summary traces before the summary"))?;
                if tag == Tag::SummaryTraces {
                    summary.traces.extend(decode::<Vec<TraceSummary>>(payload, "summary")?);
                    return Ok(());
                }
                let trace = summary.traces.get_mut(t).ok_or_else(|| damaged("a list of no trace summary"))?;
                SummaryList::read(column, payload, trace)?;
            }
        }
        Ok(())
    }

    /// The file (or set) once every block is in.
    pub fn finish(self) -> Result<Assembled, String> {
        let set = self.set.ok_or_else(|| damaged("no head"))?;
        if !self.analysed {
            return Ok(Assembled::Set { set, skew_adjusted: self.skew_adjusted });
        }
        let summary = self.summary.ok_or_else(|| damaged("no summary"))?;
        // Colours are stamped for this side's caches (a worker's stamps count apart from the page's).
        let looks = self
            .looks
            .into_iter()
            .map(|LookParts { model, mut colours }| {
                colours.stamp = crate::view::next_stamp();
                TraceLook { model: std::sync::Arc::new(model), colours }
            })
            .collect();
        let skew_adjusted = self.skew_adjusted;
        Ok(Assembled::File(LoadedFile { id: unique_id(), set, analyses: self.analyses, summary, looks, skew_adjusted }))
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::load_analyzed;

    fn round_trip(file: &LoadedFile) -> LoadedFile {
        let mut assembler = Assembler::new();
        for block in of_file(file) {
            assembler.push(&block).unwrap();
        }
        match assembler.finish().unwrap() {
            Assembled::File(file) => file,
            Assembled::Set { .. } => panic!("a file was sent"),
        }
    }

    fn assert_same(a: &LoadedFile, b: &LoadedFile) {
        assert_eq!(a.set.traces, b.set.traces);
        assert_eq!(a.analyses, b.analyses);
        assert_eq!(a.summary, b.summary);
        assert_eq!(a.skew_adjusted, b.skew_adjusted);
        assert_eq!((&a.set.source, &a.set.resources, &a.set.scopes), (&b.set.source, &b.set.resources, &b.set.scopes));
        assert_eq!((&a.set.warnings, &a.set.rejected, a.set.span_objects), (&b.set.warnings, &b.set.rejected, b.set.span_objects));
        assert_eq!(a.set.strings.len(), b.set.strings.len());
        for sym in 0..a.set.strings.len() as u32 {
            assert_eq!(a.set.strings.get(sym), b.set.strings.get(sym));
        }
        assert_eq!(a.set.attrs.parts(), b.set.attrs.parts());
        assert_eq!(a.looks.len(), b.looks.len());
        for (p, q) in a.looks.iter().zip(&b.looks) {
            assert_eq!((&p.model, &p.colours.span, &p.colours.legend), (&q.model, &q.colours.span, &q.colours.legend));
            assert_ne!(p.colours.stamp, q.colours.stamp, "stamped anew where they arrive");
        }
    }

    #[test]
    fn a_file_comes_back_equal_from_its_blocks() {
        for fixture in ["checkout.otlp.json"] {
            let bytes = std::fs::read(format!("public/samples/{fixture}")).unwrap();
            let file = load_analyzed(fixture, &bytes).unwrap();
            let back = round_trip(&file);
            assert_same(&file, &back);
            // Interned again: new strings and pairs still find the old ones.
            let mut set = back.set.clone();
            let service = file.set.str(file.set.traces[0].spans[0].service).to_string();
            assert_eq!(set.strings.intern(&service), file.set.traces[0].spans[0].service);
        }
    }

    #[test]
    fn big_traces_cross_in_many_small_blocks() {
        let cfg = crate::generate::GenConfig { spans: 60_000, traces: 3, ..Default::default() };
        let file = load_analyzed("big.json", &crate::generate::generate(&cfg)).unwrap();
        let blocks: Vec<Vec<u8>> = of_file(&file).collect();
        assert!(blocks.len() > 10, "{} blocks", blocks.len());
        assert!(blocks.iter().all(|b| b.len() < 6 << 20), "no block over 6 MB");
        // Looks, sections and tree lists cross in columns and bounded pieces too.
        for tag in [Tag::Column, Tag::Sections, Tag::LookHead] {
            assert!(blocks.iter().any(|b| b[0] == tag as u8), "{tag:?}");
        }
        assert_same(&file, &round_trip(&file));
    }

    #[test]
    fn long_summary_lists_cross_in_parts() {
        let bytes = std::fs::read("public/samples/checkout.otlp.json").unwrap();
        let mut file = load_analyzed("c.json", &bytes).unwrap();
        let trace = &mut file.summary.traces[0];
        let section = trace.critical_path[0].clone();
        trace.critical_path.extend(std::iter::repeat_n(section, 3 * ITEMS_PER_BLOCK));
        trace.orphan_span_ids = (0..ITEMS_PER_BLOCK + 5).map(|i| format!("{i:016x}")).collect();
        let finding = trace.findings[0].clone();
        trace.findings.extend((0..5000).map(|i| crate::analysis::summary::Finding { span_ids: vec![format!("{i}"); i % 40], ..finding.clone() }));
        let blocks: Vec<Vec<u8>> = of_file(&file).collect();
        let lists = blocks.iter().filter(|b| b[0] == Tag::SummaryList as u8).count();
        assert!(lists >= 6, "{lists} list blocks");
        assert!(blocks.iter().all(|b| b.len() < 4 << 20), "no block over 4 MB");
        assert_same(&file, &round_trip(&file));
        assert_eq!(weighted_ranges([5, 5, 20, 1, 1].into_iter(), 10), [0..2, 2..3, 3..5]);
        assert_eq!(weighted_ranges(std::iter::empty(), 10), Vec::<Range<usize>>::new());
    }

    #[test]
    fn a_set_for_reanalysis_has_no_analysis() {
        let bytes = std::fs::read("public/samples/checkout.otlp.json").unwrap();
        let file = load_analyzed("c.json", &bytes).unwrap();
        let mut assembler = Assembler::new();
        for block in of_set(&file.set, true) {
            assembler.push(&block).unwrap();
        }
        let Ok(Assembled::Set { set, skew_adjusted: true }) = assembler.finish() else { panic!("a set was sent") };
        assert_eq!(set.traces, file.set.traces);
    }

    #[test]
    fn damaged_blocks_are_errors() {
        let mut assembler = Assembler::new();
        assert!(assembler.push(&[1, 2, 3]).unwrap_err().contains("damaged"));
        assert!(assembler.push(&[5, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err().contains("before the head"));
        assert!(assembler.push(&[99, 0, 0, 0, 0, 0, 0, 0]).unwrap_err().contains("unknown"));
        assert!(Assembler::new().push(&[1, 0, 0, 0, 0, 0, 0, 0, 0xff]).is_err());
    }
}
