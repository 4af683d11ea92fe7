//! The spans table: every span of a trace as a row, sorted by any column and filtered by the search
//! language. Sorting 1M spans by a name sorts the distinct names once and the spans by rank, so no string is
//! compared per pair of spans.

use crate::analysis::TraceAnalysis;
use crate::model::{Span, SpanIx, Sym, Trace, TraceSet};

/// The columns, in the order shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Service,
    Operation,
    Kind,
    Status,
    Start,
    Duration,
    SelfTime,
    CriticalPath,
}

impl Column {
    pub const ALL: [Column; 8] =
        [Column::Service, Column::Operation, Column::Kind, Column::Status, Column::Start, Column::Duration, Column::SelfTime, Column::CriticalPath];

    pub fn label(self) -> &'static str {
        match self {
            Column::Service => "Service",
            Column::Operation => "Operation",
            Column::Kind => "Kind",
            Column::Status => "Status",
            Column::Start => "Start",
            Column::Duration => "Duration",
            Column::SelfTime => "Self time",
            Column::CriticalPath => "Critical path",
        }
    }

    /// Numbers sort largest first when first chosen; names A to Z; start earliest first.
    pub fn descending_first(self) -> bool {
        matches!(self, Column::Duration | Column::SelfTime | Column::CriticalPath)
    }
}

/// The spans `keep` lets through (all when `None`), in the order of `column` (ties in tree-independent span
/// order, so the order is stable).
pub fn sorted(set: &TraceSet, trace: &Trace, analysis: &TraceAnalysis, keep: Option<&[bool]>, column: Column, descending: bool) -> Vec<SpanIx> {
    let spans = &trace.spans;
    let mut rows: Vec<SpanIx> = (0..spans.len() as SpanIx).filter(|&s| keep.is_none_or(|k| k[s as usize])).collect();
    // A name column sorts by the rank of each span's name among the distinct names, sorted once.
    let rank = |field: fn(&Span) -> Sym| -> Vec<i64> {
        let mut distinct: Vec<Sym> = spans.iter().map(field).collect();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.sort_by(|a, b| set.str(*a).cmp(set.str(*b)));
        let by_sym: rustc_hash::FxHashMap<Sym, i64> = distinct.iter().enumerate().map(|(i, s)| (*s, i as i64)).collect();
        spans.iter().map(|s| by_sym[&field(s)]).collect()
    };
    let key: Vec<i64> = match column {
        Column::Service => rank(|s| s.service),
        Column::Operation => rank(|s| s.name),
        Column::Kind => spans.iter().map(|s| s.kind as i64).collect(),
        Column::Status => spans.iter().map(|s| s.status as i64).collect(),
        Column::Start => spans.iter().map(|s| s.start_ns).collect(),
        Column::Duration => spans.iter().map(|s| s.duration_ns()).collect(),
        Column::SelfTime => analysis.stats.self_ns.clone(),
        Column::CriticalPath => analysis.critical_path.contribution_ns.clone(),
    };
    if descending {
        rows.sort_by_key(|&s| (std::cmp::Reverse(key[s as usize]), s));
    } else {
        rows.sort_by_key(|&s| (key[s as usize], s));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_each_column_and_filters() {
        let file = crate::pipeline::load_analyzed(
            "t.json",
            crate::testing::otlp_json(
                "root     web   0..100ms server
                   b-call  db    10..60ms client error
                   a-call  cache 60..70ms client",
            )
            .as_bytes(),
        )
        .unwrap();
        let (set, trace, analysis) = (&file.set, &file.set.traces[0], &file.analyses[0]);
        let names = |rows: Vec<SpanIx>| rows.iter().map(|&s| set.str(trace.spans[s as usize].name).to_string()).collect::<Vec<_>>();
        assert_eq!(names(sorted(set, trace, analysis, None, Column::Operation, false)), ["a-call", "b-call", "root"]);
        assert_eq!(names(sorted(set, trace, analysis, None, Column::Service, false)), ["a-call", "b-call", "root"]);
        assert_eq!(names(sorted(set, trace, analysis, None, Column::Duration, true)), ["root", "b-call", "a-call"]);
        assert_eq!(names(sorted(set, trace, analysis, None, Column::Start, false)), ["root", "b-call", "a-call"]);
        assert_eq!(names(sorted(set, trace, analysis, None, Column::Status, true))[0], "b-call");
        assert_eq!(names(sorted(set, trace, analysis, None, Column::SelfTime, true))[0], "b-call", "50 ms of its own; root keeps 40");
        assert_eq!(names(sorted(set, trace, analysis, Some(&[true, false, true]), Column::Duration, false)), ["a-call", "root"]);
    }
}
