//! A loaded file (or a trace set to re-analyse) as a sequence of blocks of bytes: what a worker hands the page
//! and the page hands a worker, in transferred `ArrayBuffer`s, never as JS objects or JSON. The big per-span
//! arrays (tree, layout, self and critical times, attribute runs) cross as raw little-endian columns; spans,
//! strings and the small irregular parts as postcard (serde's derives on the model) a bounded number at a
//! time. Every block is small enough to take in well within a frame's budget, so the page ingests a 1M-span
//! file a block at a time between frames (`Assembler::push`), never in one long task.

use crate::analysis::summary::{Summary, TraceSummary};
use crate::analysis::TraceAnalysis;
use crate::model::{Attr, Source, Span, Trace, TraceId, TraceSet};
use crate::pipeline::{unique_id, LoadedFile};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Spans per block: about 1 MB of postcard, a millisecond or two to read.
const SPANS_PER_BLOCK: usize = 16 * 1024;
/// Strings, attribute pairs and trace summaries per block.
const ITEMS_PER_BLOCK: usize = 32 * 1024;
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
    TreeLists,
    Sections,
    Groups,
    Findings,
    SummaryHead,
    SummaryTraces,
}

const TAGS: [Tag; 12] = [
    Tag::Head,
    Tag::Strings,
    Tag::Pairs,
    Tag::AttrIds,
    Tag::Spans,
    Tag::Column,
    Tag::TreeLists,
    Tag::Sections,
    Tag::Groups,
    Tag::Findings,
    Tag::SummaryHead,
    Tag::SummaryTraces,
];

/// A per-span column of a trace or its analysis: its second byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Column {
    TreeParent,
    TreeChildStart,
    TreeChildren,
    SkewShift,
    Contribution,
    LayoutRow,
    LayoutRowStart,
    LayoutRowSpans,
    SelfNs,
}

const COLUMNS: [Column; 9] = [
    Column::TreeParent,
    Column::TreeChildStart,
    Column::TreeChildren,
    Column::SkewShift,
    Column::Contribution,
    Column::LayoutRow,
    Column::LayoutRowStart,
    Column::LayoutRowSpans,
    Column::SelfNs,
];

/// The columns a trace has (the analysis ones only when the analysis is sent).
const TRACE_COLUMNS: [Column; 4] = [Column::TreeParent, Column::TreeChildStart, Column::TreeChildren, Column::SkewShift];
const ANALYSIS_COLUMNS: [Column; 5] =
    [Column::Contribution, Column::LayoutRow, Column::LayoutRowStart, Column::LayoutRowSpans, Column::SelfNs];

/// A column's storage: 32-bit indices or 64-bit times.
enum Cells<'a> {
    U32(&'a mut Vec<u32>),
    I64(&'a mut Vec<i64>),
}

fn cells<'a>(trace: &'a mut Trace, analysis: &'a mut TraceAnalysis, column: Column) -> Cells<'a> {
    match column {
        Column::TreeParent => Cells::U32(&mut trace.tree.parent),
        Column::TreeChildStart => Cells::U32(&mut trace.tree.child_start),
        Column::TreeChildren => Cells::U32(&mut trace.tree.children),
        Column::SkewShift => Cells::I64(&mut trace.skew_shift_ns),
        Column::Contribution => Cells::I64(&mut analysis.critical_path.contribution_ns),
        Column::LayoutRow => Cells::U32(&mut analysis.layout.row),
        Column::LayoutRowStart => Cells::U32(&mut analysis.layout.row_start),
        Column::LayoutRowSpans => Cells::U32(&mut analysis.layout.row_spans),
        Column::SelfNs => Cells::I64(&mut analysis.stats.self_ns),
    }
}

/// A column's cells as stored, to write (`cells` is the same column to fill); empty when the analysis is not sent.
fn column_bytes<'a>(trace: &'a Trace, analysis: Option<&'a TraceAnalysis>, column: Column) -> &'a [u8] {
    let Some(a) = analysis else {
        return match column {
            Column::TreeParent => bytemuck::cast_slice(&trace.tree.parent),
            Column::TreeChildStart => bytemuck::cast_slice(&trace.tree.child_start),
            Column::TreeChildren => bytemuck::cast_slice(&trace.tree.children),
            Column::SkewShift => bytemuck::cast_slice(&trace.skew_shift_ns),
            _ => &[],
        };
    };
    match column {
        Column::Contribution => bytemuck::cast_slice(&a.critical_path.contribution_ns),
        Column::LayoutRow => bytemuck::cast_slice(&a.layout.row),
        Column::LayoutRowStart => bytemuck::cast_slice(&a.layout.row_start),
        Column::LayoutRowSpans => bytemuck::cast_slice(&a.layout.row_spans),
        Column::SelfNs => bytemuck::cast_slice(&a.stats.self_ns),
        _ => column_bytes(trace, None, column),
    }
}

/// Bytes per cell of a column.
fn cell_bytes(column: Column) -> usize {
    match column {
        Column::SkewShift | Column::Contribution | Column::SelfNs => 8,
        _ => 4,
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
}

#[derive(Serialize, Deserialize)]
struct TraceHead {
    trace_id: TraceId,
    warnings: Vec<String>,
    start_precision_ns: i64,
    spans: u32,
}

#[derive(Serialize, Deserialize)]
struct TreeLists {
    roots: Vec<u32>,
    orphans: Vec<u32>,
    duplicates: Vec<u32>,
    cycle_cuts: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct Groups {
    by_service: Vec<crate::analysis::stats::GroupStats>,
    by_operation: Vec<crate::analysis::stats::GroupStats>,
}

/// One block to write, named by what it covers; written only when asked for (`Blocks::next`).
enum Piece {
    Head,
    Strings(Range<usize>),
    Pairs(Range<usize>),
    AttrIds(Range<usize>),
    Spans(u32, Range<usize>),
    Column(u32, Column, Range<usize>),
    TreeLists(u32),
    Sections(u32),
    Groups(u32),
    Findings(u32),
    SummaryHead,
    SummaryTraces(Range<usize>),
}

/// The blocks of a trace set, with its analyses and summary when given, one at a time.
pub struct Blocks<'a> {
    set: &'a TraceSet,
    analysed: Option<(&'a [TraceAnalysis], &'a Summary)>,
    skew_adjusted: bool,
    pieces: std::vec::IntoIter<Piece>,
}

/// The blocks of a loaded file: what a worker sends the page.
pub fn of_file(file: &LoadedFile) -> Blocks<'_> {
    Blocks::new(&file.set, Some((&file.analyses, &file.summary)), file.skew_adjusted)
}

/// The blocks of a trace set alone: what the page sends a worker to analyse again.
pub fn of_set(set: &TraceSet, skew_adjusted: bool) -> Blocks<'_> {
    Blocks::new(set, None, skew_adjusted)
}

fn ranges(len: usize, per: usize) -> impl Iterator<Item = Range<usize>> {
    (0..len).step_by(per).map(move |start| start..(start + per).min(len))
}

impl<'a> Blocks<'a> {
    fn new(set: &'a TraceSet, analysed: Option<(&'a [TraceAnalysis], &'a Summary)>, skew_adjusted: bool) -> Blocks<'a> {
        let mut pieces = vec![Piece::Head];
        let (pairs, ids) = set.attrs.parts();
        pieces.extend(ranges(set.strings.len(), ITEMS_PER_BLOCK).map(Piece::Strings));
        pieces.extend(ranges(pairs.len(), ITEMS_PER_BLOCK).map(Piece::Pairs));
        pieces.extend(ranges(ids.len(), COLUMN_PER_BLOCK).map(Piece::AttrIds));
        for (t, trace) in set.traces.iter().enumerate() {
            let analysis = analysed.map(|(a, _)| &a[t]);
            let t32 = t as u32;
            pieces.extend(ranges(trace.spans.len(), SPANS_PER_BLOCK).map(|r| Piece::Spans(t32, r)));
            let columns = TRACE_COLUMNS.iter().chain(if analysis.is_some() { &ANALYSIS_COLUMNS[..] } else { &[] });
            for &column in columns {
                let len = column_bytes(trace, analysis, column).len() / cell_bytes(column);
                pieces.extend(ranges(len, COLUMN_PER_BLOCK).map(|r| Piece::Column(t32, column, r)));
            }
            pieces.push(Piece::TreeLists(t32));
            if analysis.is_some() {
                pieces.extend([Piece::Sections(t32), Piece::Groups(t32), Piece::Findings(t32)]);
            }
        }
        if let Some((_, summary)) = analysed {
            pieces.push(Piece::SummaryHead);
            pieces.extend(ranges(summary.traces.len(), ITEMS_PER_BLOCK / 8).map(Piece::SummaryTraces));
        }
        Blocks { set, analysed, skew_adjusted, pieces: pieces.into_iter() }
    }

    fn write(&self, piece: Piece) -> Vec<u8> {
        let set = self.set;
        let analysis = |t: u32| &self.analysed.expect("analysis pieces only when analysed").0[t as usize];
        let summary = || self.analysed.expect("summary pieces only when analysed").1;
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
                let bytes = column_bytes(&set.traces[t as usize], self.analysed.map(|(a, _)| &a[t as usize]), column);
                let size = cell_bytes(column);
                raw(Tag::Column, t, column as u8, &bytes[r.start * size..r.end * size])
            }
            Piece::TreeLists(t) => {
                let tree = &set.traces[t as usize].tree;
                let lists = TreeLists {
                    roots: tree.roots.clone(),
                    orphans: tree.orphans.clone(),
                    duplicates: tree.duplicates.clone(),
                    cycle_cuts: tree.cycle_cuts.clone(),
                };
                serialized(Tag::TreeLists, t, 0, &lists)
            }
            Piece::Sections(t) => serialized(Tag::Sections, t, 0, &analysis(t).critical_path.sections),
            Piece::Groups(t) => {
                let stats = &analysis(t).stats;
                let groups = Groups { by_service: stats.by_service.clone(), by_operation: stats.by_operation.clone() };
                serialized(Tag::Groups, t, 0, &groups)
            }
            Piece::Findings(t) => serialized(Tag::Findings, t, 0, &analysis(t).findings),
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
            Piece::SummaryTraces(r) => serialized(Tag::SummaryTraces, 0, 0, &summary().traces[r]),
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
            set.traces = head
                .traces
                .into_iter()
                .map(|h| {
                    let mut trace = Trace::new(h.trace_id, Vec::with_capacity(h.spans as usize));
                    (trace.warnings, trace.start_precision_ns) = (h.warnings, h.start_precision_ns);
                    trace
                })
                .collect();
            self.analyses = if head.analysed { vec![TraceAnalysis::default(); set.traces.len()] } else { Vec::new() };
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
            Tag::AttrIds => set.attrs.restore_ids(u32s(payload)),
            Tag::Spans => {
                let trace = set.traces.get_mut(t).ok_or_else(|| damaged("spans of no trace"))?;
                trace.spans.extend(decode::<Vec<Span>>(payload, "spans")?);
            }
            Tag::Column => {
                let column = COLUMNS.iter().copied().find(|&c| c as u8 == column).ok_or_else(|| damaged("an unknown column"))?;
                let trace = set.traces.get_mut(t).ok_or_else(|| damaged("a column of no trace"))?;
                let mut none = TraceAnalysis::default();
                let analysis = match self.analyses.get_mut(t) {
                    Some(analysis) => analysis,
                    None if TRACE_COLUMNS.contains(&column) => &mut none,
                    None => return Err(damaged("an analysis column of no analysis")),
                };
                match cells(trace, analysis, column) {
                    Cells::U32(cells) => cells.extend(u32s(payload)),
                    Cells::I64(cells) => cells.extend(payload.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))),
                }
            }
            Tag::TreeLists => {
                let lists: TreeLists = decode(payload, "tree")?;
                let tree = &mut set.traces.get_mut(t).ok_or_else(|| damaged("a tree of no trace"))?.tree;
                (tree.roots, tree.orphans, tree.duplicates, tree.cycle_cuts) = (lists.roots, lists.orphans, lists.duplicates, lists.cycle_cuts);
            }
            Tag::Sections | Tag::Groups | Tag::Findings => {
                let analysis = self.analyses.get_mut(t).ok_or_else(|| damaged("an analysis of no trace"))?;
                match tag {
                    Tag::Sections => analysis.critical_path.sections = decode(payload, "critical path")?,
                    Tag::Groups => {
                        let groups: Groups = decode(payload, "statistics")?;
                        (analysis.stats.by_service, analysis.stats.by_operation) = (groups.by_service, groups.by_operation);
                    }
                    _ => analysis.findings = decode(payload, "findings")?,
                }
            }
            Tag::SummaryHead => self.summary = Some(decode(payload, "summary")?),
            Tag::SummaryTraces => {
                let summary = self.summary.as_mut().ok_or_else(|| damaged("summary traces before the summary"))?;
                summary.traces.extend(decode::<Vec<TraceSummary>>(payload, "summary")?);
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
        Ok(Assembled::File(LoadedFile { id: unique_id(), set, analyses: self.analyses, summary, skew_adjusted: self.skew_adjusted }))
    }
}

fn u32s(payload: &[u8]) -> impl Iterator<Item = u32> + '_ {
    payload.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
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
        assert_same(&file, &round_trip(&file));
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
