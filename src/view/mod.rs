//! The flame graph without a browser: viewport math, level-of-detail draw lists, hit testing, axis ticks,
//! colours, label fitting and moving between related spans. The `ui` paints what this computes; everything
//! here is tested natively (and the draw-list and hit-testing paths again in the browser).

pub mod axis;
pub mod colour;
pub mod draw;
pub mod events;
pub mod label;
pub mod interaction;
pub mod lod;
pub mod runs;
pub mod spans;
pub mod timeline;
pub mod raster;
pub mod viewport;

pub use runs::{MARK_ERROR, MARK_ORPHAN, MARK_SKEW};
use crate::analysis::layout::Layout;
use crate::analysis::TraceAnalysis;
use crate::model::{notes, SpanIx, Trace, TraceSet};

/// Per-trace data the renderer needs beyond the analysis, computed once when a trace is shown. O(n).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlameModel {
    /// Trace start (ns since the epoch): view times are relative to it.
    pub origin_ns: i64,
    pub total_ns: i64,
    /// (start, end) relative to `origin_ns` of `layout.row_spans[k]` at `row_interval[k]`: the draw loop and
    /// hit testing read these contiguous pairs instead of whole spans scattered in memory.
    pub row_interval: Vec<(f64, f64)>,
    /// Mark bits (`MARK_*`) of each span.
    pub marks: Vec<u8>,
    /// Errors among `layout.row_spans[..k]` at `error_prefix[k]`: whether a merged run holds an error is O(1).
    pub error_prefix: Vec<u32>,
    /// Critical-path sections of row `r`: `critical[critical_start[r]..critical_start[r + 1]]`, as
    /// (start, end) ns relative to `origin_ns`, sorted by start and not overlapping.
    pub critical_start: Vec<u32>,
    pub critical: Vec<(i64, i64)>,
    /// Length of the critical path over all roots: what a span's contribution is a share of.
    pub critical_total_ns: i64,
}


impl FlameModel {
    pub fn new(set: &TraceSet, trace: &Trace, analysis: &TraceAnalysis) -> FlameModel {
        let layout = &analysis.layout;
        let origin_ns = trace.start_ns();
        let total_ns = (trace.end_ns() - origin_ns).max(1);
        let marks: Vec<u8> = trace
            .spans
            .iter()
            .map(|s| {
                let mut m = 0;
                if s.is_error(&set.strings) {
                    m |= MARK_ERROR;
                }
                if s.has(notes::ORPHAN) || s.has(notes::CYCLE_CUT) {
                    m |= MARK_ORPHAN;
                }
                if s.has(notes::SKEW_SHIFTED) {
                    m |= MARK_SKEW;
                }
                m
            })
            .collect();
        let row_interval = layout
            .row_spans
            .iter()
            .map(|&s| {
                let s = &trace.spans[s as usize];
                ((s.start_ns - origin_ns) as f64, (s.end_ns - origin_ns) as f64)
            })
            .collect();
        let error_prefix = prefix_counts(&layout.row_spans, |s| marks[s as usize] & MARK_ERROR != 0);

        // Critical sections bucketed by the row of their span (counting sort), then sorted by start per row.
        let rows = layout.row_count();
        let sections = &analysis.critical_path.sections;
        let mut critical_start = vec![0u32; rows + 1];
        for s in sections {
            critical_start[layout.row[s.span as usize] as usize + 1] += 1;
        }
        for r in 0..rows {
            critical_start[r + 1] += critical_start[r];
        }
        let mut fill = critical_start.clone();
        let mut critical = vec![(0i64, 0i64); sections.len()];
        for s in sections {
            let r = layout.row[s.span as usize] as usize;
            critical[fill[r] as usize] = (s.start_ns - origin_ns, s.end_ns - origin_ns);
            fill[r] += 1;
        }
        for r in 0..rows {
            critical[critical_start[r] as usize..critical_start[r + 1] as usize].sort_unstable();
        }
        let critical_total_ns = sections.iter().map(|s| s.end_ns - s.start_ns).sum();
        FlameModel {
            origin_ns,
            total_ns,
            row_interval,
            marks,
            error_prefix,
            critical_start,
            critical,
            critical_total_ns,
        }
    }

    pub fn critical_in_row(&self, row: usize) -> &[(i64, i64)] {
        match (self.critical_start.get(row), self.critical_start.get(row + 1)) {
            (Some(&a), Some(&b)) => &self.critical[a as usize..b as usize],
            _ => &[],
        }
    }

    /// How many spans run at once in each of `bins` equal slices of the trace, and how many failed spans
    /// start in each: the overview strip's profile. The same counts as `analysis::histogram::concurrency`,
    /// read from this model's contiguous arrays rather than the spans (at 1M spans a third of the time, on the
    /// page's thread).
    pub fn density(&self, bins: usize) -> (Vec<u32>, Vec<u32>) {
        let failed = |k: usize| self.error_prefix[k + 1] > self.error_prefix[k];
        let intervals = self.row_interval.iter().enumerate().map(|(k, &(start, end))| (start, end, failed(k)));
        crate::analysis::histogram::running_at_once(intervals, self.total_ns as f64, bins)
    }

    /// A span's (start, end) relative to the trace start.
    pub fn rel(&self, trace: &Trace, span: SpanIx) -> (f64, f64) {
        let s = &trace.spans[span as usize];
        ((s.start_ns - self.origin_ns) as f64, (s.end_ns - self.origin_ns) as f64)
    }
}

/// What drawing a trace first needs beyond its analysis: the flame model and the colours by service. Made
/// with the analysis (in the engine's worker, off the page), so a trace of a million spans shows without the
/// page's thread building them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceLook {
    pub model: std::sync::Arc<FlameModel>,
    pub colours: colour::Colours,
}

impl TraceLook {
    pub fn new(set: &TraceSet, trace: &Trace, analysis: &TraceAnalysis) -> TraceLook {
        let model = std::sync::Arc::new(FlameModel::new(set, trace, analysis));
        TraceLook { model, colours: colour::colours(set, trace, &analysis.stats.self_ns, colour::Colouring::Service) }
    }
}

/// `prefix[k]` = how many of `items[..k]` satisfy `pred`.
pub fn prefix_counts(items: &[SpanIx], pred: impl Fn(SpanIx) -> bool) -> Vec<u32> {
    let mut prefix = Vec::with_capacity(items.len() + 1);
    let mut count = 0u32;
    prefix.push(0);
    for &s in items {
        count += pred(s) as u32;
        prefix.push(count);
    }
    prefix
}

/// A number never handed out before (from 1): what colours and matches are stamped with, so that a cache
/// of how spans look can tell whether they changed without comparing them.
pub fn next_stamp() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Search matches in a form the renderer can use: which spans match, and a prefix count over the layout's
/// row order so that a merged run knows in O(1) whether it holds a match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matches {
    /// Matching spans in the order Enter walks them: by start time, then row.
    pub ordered: Vec<SpanIx>,
    pub is_match: Vec<bool>,
    pub prefix: Vec<u32>,
    /// Tells these matches from any others made (`next_stamp`).
    pub stamp: u64,
}

impl Matches {
    pub fn new(trace: &Trace, layout: &Layout, matching: Vec<SpanIx>) -> Matches {
        let mut is_match = vec![false; trace.spans.len()];
        for &s in &matching {
            is_match[s as usize] = true;
        }
        let prefix = prefix_counts(&layout.row_spans, |s| is_match[s as usize]);
        let mut ordered = matching;
        ordered.sort_unstable_by_key(|&s| (trace.spans[s as usize].start_ns, layout.row[s as usize], s));
        Matches { ordered, is_match, prefix, stamp: next_stamp() }
    }
}

/// The span a keyboard move goes to from `span`: parent, first child, or the previous/next sibling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Parent,
    FirstChild,
    PrevSibling,
    NextSibling,
}

pub fn relative(trace: &Trace, span: SpanIx, step: Move) -> Option<SpanIx> {
    let tree = &trace.tree;
    match step {
        Move::Parent => tree.parent_of(span),
        Move::FirstChild => tree.children_of(span).first().copied(),
        Move::PrevSibling | Move::NextSibling => {
            let siblings = match tree.parent_of(span) {
                Some(p) => tree.children_of(p),
                None => &tree.roots[..],
            };
            // Siblings are ordered by (start, index): binary search instead of a scan (a root can have 1M children).
            let key = |s: SpanIx| (trace.spans[s as usize].start_ns, s);
            let at = siblings.partition_point(|&s| key(s) < key(span));
            let at = if siblings.get(at) == Some(&span) { at } else { siblings.iter().position(|&s| s == span)? };
            match step {
                Move::PrevSibling => at.checked_sub(1).map(|i| siblings[i]),
                _ => siblings.get(at + 1).copied(),
            }
        }
    }
}

/// The span of `trace` with this id as the summary writes it (lowercase hex, or the opaque string): what
/// `?span=` and `spanlens:select` name; else the first span whose id starts with it (8 or more hex digits,
/// as the search reads ids: Jaeger UI's `uiFind=` links name a span so).
pub fn find_span(set: &TraceSet, trace: &Trace, id: &str) -> Option<SpanIx> {
    let exact = crate::model::SpanId::read(id, &set.strings).and_then(|id| trace.find_ids(&[id])[0]);
    exact.or_else(|| crate::analysis::search::span_with_id_prefix(trace, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_span_returns_the_first_span_with_the_id() {
        let set = crate::testing::trace_set(
            "r       s 0..9us
               x     s 1..2us
               dup   s 2..3us id=2
               y     s 3..4us id=3",
        );
        let trace = &set.traces[0];
        let name = |s: SpanIx| set.str(trace.spans[s as usize].name).to_string();
        assert_eq!(find_span(&set, trace, "0000000000000003").map(name).as_deref(), Some("y"));
        assert_eq!(find_span(&set, trace, "2").map(name).as_deref(), Some("x"), "the first of two with one id");
        assert_eq!(find_span(&set, trace, "9"), None);
        let ids = [crate::model::SpanId::Hex(3), crate::model::SpanId::Hex(9), crate::model::SpanId::Hex(2)];
        assert_eq!(trace.find_ids(&ids), [Some(3), None, Some(1)]);
        assert_eq!(find_span(&set, trace, "1").map(name).as_deref(), Some("r"));
        assert_eq!(find_span(&set, trace, "nope"), None);
        assert_eq!(find_span(&set, trace, "00000000000000").map(name).as_deref(), Some("r"), "a prefix of 8+ digits");
    }

    #[test]
    fn the_models_density_is_the_traces_concurrency() {
        let mut files = vec![std::path::PathBuf::from("public/samples/checkout.otlp.json")];
        files.extend(std::fs::read_dir("../shared/fixtures").into_iter().flatten().flatten().map(|e| e.path()));
        let mut checked = 0;
        for path in files {
            let Ok(file) = std::fs::read(&path).map_err(|_| ()).and_then(|b| crate::pipeline::load_analyzed("f", &b).map_err(|_| ())) else {
                continue;
            };
            for (trace, analysis) in file.set.traces.iter().zip(&file.analyses) {
                let model = FlameModel::new(&file.set, trace, analysis);
                for bins in [1, 7, 400, 1601] {
                    let profile = crate::analysis::histogram::concurrency(&file.set.strings, trace, bins);
                    assert_eq!(model.density(bins), profile, "{} trace {:?} at {bins} bins", path.display(), trace.trace_id);
                }
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked} traces");
    }
}
