//! The list of traces: a backend's search results, or the traces of a file that holds more than one (a
//! collector's file exporter writes thousands). One row a trace, and the orders it can be sorted in.

use crate::model::{SpanIx, Trace};
use crate::pipeline::LoadedFile;

/// One trace as the list and the scatter chart show it.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// Lowercase hex, 32 digits (opaque ids as given).
    pub trace_id: String,
    pub root_service: String,
    pub root_name: String,
    /// Services with spans in the trace, sorted.
    pub services: Vec<String>,
    pub spans: u64,
    pub errors: u64,
    pub start_ns: i64,
    pub duration_ns: i64,
    /// Where the trace is: its index in the file, for a file's list; `None` for a search result (fetched
    /// by id when opened).
    pub index: Option<usize>,
}

/// The rows of a loaded file, in file order. Ids and counts are the summary's (so the list and the export
/// agree); the root is found here.
pub fn rows_of(file: &LoadedFile) -> Vec<TraceRow> {
    let set = &file.set;
    let rows = set.traces.iter().zip(&file.summary.traces).enumerate();
    rows.map(|(index, (trace, summary))| {
        let root = root(trace).map(|r| &trace.spans[r as usize]);
        let start = trace.spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end = trace.spans.iter().map(|s| s.end_ns).max().unwrap_or(0);
        TraceRow {
            trace_id: summary.trace_id.clone(),
            root_service: root.map(|r| set.str(r.service).to_string()).unwrap_or_default(),
            root_name: root.map(|r| set.str(r.name).to_string()).unwrap_or_default(),
            services: summary.services.clone(),
            spans: summary.span_count,
            errors: summary.error_span_count,
            start_ns: start,
            duration_ns: end - start,
            index: Some(index),
        }
    })
    .collect()
}

/// The span a trace is named after: its earliest true root (no parent id), else its earliest root of any
/// kind (an orphan's).
fn root(trace: &Trace) -> Option<SpanIx> {
    let spans = &trace.spans;
    let true_roots = trace.tree.true_roots(spans);
    let candidates = if true_roots.is_empty() { &trace.tree.roots } else { &true_roots };
    candidates.iter().copied().min_by_key(|&r| (spans[r as usize].start_ns, r))
}

/// The orders the list can be sorted in, as the sort menu names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    MostRecent,
    Longest,
    Shortest,
    MostSpans,
    MostErrors,
    Name,
}

impl SortKey {
    pub const ALL: [SortKey; 6] =
        [SortKey::MostRecent, SortKey::Longest, SortKey::Shortest, SortKey::MostSpans, SortKey::MostErrors, SortKey::Name];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::MostRecent => "Most recent",
            SortKey::Longest => "Longest",
            SortKey::Shortest => "Shortest",
            SortKey::MostSpans => "Most spans",
            SortKey::MostErrors => "Most errors",
            SortKey::Name => "Name",
        }
    }

    /// The URL's name for it.
    pub fn id(self) -> &'static str {
        match self {
            SortKey::MostRecent => "recent",
            SortKey::Longest => "longest",
            SortKey::Shortest => "shortest",
            SortKey::MostSpans => "spans",
            SortKey::MostErrors => "errors",
            SortKey::Name => "name",
        }
    }

    pub fn from_id(id: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// The rows' indices in `key`'s order; ties keep the most recent first, then the trace id (a stable,
/// total order, so a list sorted twice looks the same). O(n log n).
pub fn sorted(rows: &[TraceRow], key: SortKey) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    let tie = |a: &TraceRow, b: &TraceRow| b.start_ns.cmp(&a.start_ns).then_with(|| a.trace_id.cmp(&b.trace_id));
    order.sort_by(|&a, &b| {
        let (a, b) = (&rows[a as usize], &rows[b as usize]);
        let primary = match key {
            SortKey::MostRecent => std::cmp::Ordering::Equal,
            SortKey::Longest => b.duration_ns.cmp(&a.duration_ns),
            SortKey::Shortest => a.duration_ns.cmp(&b.duration_ns),
            SortKey::MostSpans => b.spans.cmp(&a.spans),
            SortKey::MostErrors => b.errors.cmp(&a.errors),
            SortKey::Name => (&a.root_service, &a.root_name).cmp(&(&b.root_service, &b.root_name)),
        };
        primary.then_with(|| tie(a, b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_traces_become_rows_with_root_services_and_counts() {
        let picture = "checkout gateway 0..100ms server trace=a1\n  pay payment 10..90ms client error trace=a1\nlate worker 500..520ms consumer trace=b2\n";
        let file = crate::pipeline::load_analyzed("p.json", crate::testing::otlp_json(picture).as_bytes()).unwrap();
        let rows = rows_of(&file);
        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!((a.root_service.as_str(), a.root_name.as_str(), a.spans, a.errors), ("gateway", "checkout", 2, 1));
        assert_eq!(a.services, ["gateway", "payment"]);
        assert_eq!(a.duration_ns, 100_000_000);
        assert_eq!(a.index, Some(0));
        assert!(a.trace_id.ends_with("a1") && a.trace_id.len() == 32, "{}", a.trace_id);
        assert_eq!(rows[1].root_name, "late");
    }

    #[test]
    fn every_order_is_total_and_ties_go_to_the_most_recent() {
        let row = |id: &str, start: i64, duration: i64, spans: u64, errors: u64, name: &str| TraceRow {
            trace_id: id.into(),
            root_service: "svc".into(),
            root_name: name.into(),
            services: vec![],
            spans,
            errors,
            start_ns: start,
            duration_ns: duration,
            index: None,
        };
        let rows = [row("a", 1, 50, 3, 0, "b"), row("b", 3, 10, 9, 2, "a"), row("c", 2, 50, 3, 1, "c")];
        let ids = |key| sorted(&rows, key).iter().map(|&i| rows[i as usize].trace_id.clone()).collect::<Vec<_>>().join("");
        assert_eq!(ids(SortKey::MostRecent), "bca");
        assert_eq!(ids(SortKey::Longest), "cab");
        assert_eq!(ids(SortKey::Shortest), "bca");
        assert_eq!(ids(SortKey::MostSpans), "bca");
        assert_eq!(ids(SortKey::MostErrors), "bca");
        assert_eq!(ids(SortKey::Name), "bac");
        assert!(SortKey::ALL.iter().all(|&k| SortKey::from_id(k.id()) == Some(k)));
    }
}
