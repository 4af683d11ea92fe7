//! Where the time went: spans grouped by service, by operation or by any attribute (with an optional
//! sub-group), one row per group with count, errors, total/min/max/p50/p95 duration, self time and time on
//! the critical path. Works on one trace or on many (a file's traces, a search's results) at once.
//!
//! Shares: a group's self time over the self time of every span (self times add up to the time some span
//! alone was busy, so the shares add to 100%), and its critical-path time over the critical path's length
//! (the roots' durations, which the path tiles). Percentiles are nearest-rank, as in `stats`.

use super::stats::percentile;
use crate::model::{AttrValue, Span, SpanIx, Strings, Sym, Trace, TraceSet};
use rustc_hash::FxHashMap;

/// What spans are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    Service,
    /// Service and span name together (the same name in two services is two operations).
    Operation,
    /// An attribute's key: the span's own attribute, else its resource's (`host.name`, `k8s.pod.name`).
    Attribute(Sym),
}

impl Dimension {
    pub fn label(self, strings: &Strings) -> String {
        match self {
            Dimension::Service => "Service".into(),
            Dimension::Operation => "Operation".into(),
            Dimension::Attribute(key) => strings.get(key).to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grouping {
    pub by: Dimension,
    pub then: Option<Dimension>,
}

/// One trace's part in a breakdown: its spans with their self times and critical-path contributions.
#[derive(Clone, Copy)]
pub struct Part<'a> {
    pub trace: &'a Trace,
    pub self_ns: &'a [i64],
    pub critical_ns: &'a [i64],
}

impl<'a> Part<'a> {
    /// A trace with the self times and critical path its analysis found.
    pub fn new(trace: &'a Trace, analysis: &'a super::TraceAnalysis) -> Part<'a> {
        Part { trace, self_ns: &analysis.stats.self_ns, critical_ns: &analysis.critical_path.contribution_ns }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub group: String,
    /// The sub-group's value, with a sub-grouping.
    pub sub: Option<String>,
    /// The span lacks the grouping key (or the sub-grouping's).
    pub missing: bool,
    pub count: u64,
    pub errors: u64,
    /// In how many of the parts (traces) the group has spans.
    pub traces: u32,
    pub total_ns: i64,
    pub min_ns: i64,
    pub max_ns: i64,
    pub p50_ns: i64,
    pub p95_ns: i64,
    pub self_ns: i64,
    pub critical_ns: i64,
}

impl Row {
    pub fn avg_ns(&self) -> i64 {
        self.total_ns / self.count.max(1) as i64
    }

    pub fn self_avg_ns(&self) -> i64 {
        self.self_ns / self.count.max(1) as i64
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakdown {
    /// By total time, largest first (then by name): the table's first order.
    pub rows: Vec<Row>,
    /// Σ self time of every span: the 100% of `self_share`.
    pub self_ns: i64,
    /// Σ critical-path time (the roots' durations): the 100% of `critical_share`.
    pub critical_ns: i64,
    /// Per part, per span: its row in `rows` (what a click on a row highlights).
    pub row_of: Vec<Vec<u32>>,
}

impl Breakdown {
    pub fn self_share(&self, row: &Row) -> f64 {
        share(row.self_ns, self.self_ns)
    }

    pub fn critical_share(&self, row: &Row) -> f64 {
        share(row.critical_ns, self.critical_ns)
    }

    /// The spans of `part` in row `row`, in span order.
    pub fn spans_of(&self, part: usize, row: usize) -> Vec<SpanIx> {
        let Some(rows) = self.row_of.get(part) else { return Vec::new() };
        rows.iter().enumerate().filter(|&(_, &r)| r as usize == row).map(|(s, _)| s as SpanIx).collect()
    }
}

fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// A span's value for a dimension, as a hashable key (no allocation but for array, map and bytes values).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Value {
    Missing,
    Sym(Sym),
    Operation(Sym, Sym),
    Int(i64),
    /// A double, by its bits (1.0 and 1.00 read alike; NaN is one group).
    Double(u64),
    Bool(bool),
    Text(String),
}

fn value_of(set: &TraceSet, span: &Span, dimension: Dimension) -> Value {
    match dimension {
        Dimension::Service if span.service == Strings::EMPTY => Value::Missing,
        Dimension::Service => Value::Sym(span.service),
        Dimension::Operation => Value::Operation(span.service, span.name),
        Dimension::Attribute(key) => {
            let own = set.attributes(span).find(|a| a.key == key);
            let resource = || set.resources.get(span.resource as usize).and_then(|r| r.attributes.iter().find(|a| a.key == key));
            match own.or_else(resource).map(|a| &a.value) {
                None => Value::Missing,
                Some(AttrValue::Str(s)) => Value::Sym(*s),
                Some(AttrValue::Int(i)) => Value::Int(*i),
                Some(AttrValue::Double(d)) => Value::Double(d.to_bits()),
                Some(AttrValue::Bool(b)) => Value::Bool(*b),
                Some(other) => Value::Text(other.display(&set.strings)),
            }
        }
    }
}

fn label_of(set: &TraceSet, value: &Value, dimension: Dimension) -> String {
    let strings = &set.strings;
    match value {
        Value::Missing => match dimension {
            Dimension::Service => "(no service)".into(),
            other => format!("(no {})", other.label(strings)),
        },
        Value::Sym(s) => strings.get(*s).to_string(),
        Value::Operation(service, name) => format!("{}: {}", strings.get(*service), strings.get(*name)),
        Value::Int(i) => i.to_string(),
        Value::Double(bits) => f64::from_bits(*bits).to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => t.clone(),
    }
}

struct Acc {
    row: Row,
    durations: Vec<i64>,
    last_part: usize,
}

/// The breakdown of `parts` (one or many traces of `set`) by `grouping`. O(n) hashing plus a sort of each
/// group's durations.
pub fn breakdown(set: &TraceSet, parts: &[Part], grouping: Grouping) -> Breakdown {
    let mut index: FxHashMap<(Value, Value), u32> = FxHashMap::default();
    let mut accs: Vec<Acc> = Vec::new();
    let mut keys: Vec<(Value, Value)> = Vec::new();
    let mut out = Breakdown::default();
    for (p, part) in parts.iter().enumerate() {
        let mut rows = Vec::with_capacity(part.trace.spans.len());
        for (i, span) in part.trace.spans.iter().enumerate() {
            let key = (value_of(set, span, grouping.by), grouping.then.map_or(Value::Missing, |d| value_of(set, span, d)));
            let r = match index.get(&key) {
                Some(&r) => r,
                None => {
                    let r = accs.len() as u32;
                    index.insert(key.clone(), r);
                    let missing = key.0 == Value::Missing || (grouping.then.is_some() && key.1 == Value::Missing);
                    accs.push(Acc { row: Row { missing, min_ns: i64::MAX, ..Row::default() }, durations: Vec::new(), last_part: usize::MAX });
                    keys.push(key);
                    r
                }
            };
            let acc = &mut accs[r as usize];
            let d = span.duration_ns();
            acc.row.count += 1;
            acc.row.errors += span.is_error(&set.strings) as u64;
            acc.row.total_ns += d;
            acc.row.min_ns = acc.row.min_ns.min(d);
            acc.row.max_ns = acc.row.max_ns.max(d);
            acc.row.self_ns += part.self_ns[i];
            acc.row.critical_ns += part.critical_ns[i];
            if acc.last_part != p {
                acc.last_part = p;
                acc.row.traces += 1;
            }
            acc.durations.push(d);
            out.self_ns += part.self_ns[i];
            out.critical_ns += part.critical_ns[i];
            rows.push(r);
        }
        out.row_of.push(rows);
    }
    let mut rows: Vec<Row> = accs
        .into_iter()
        .zip(&keys)
        .map(|(mut acc, (by, then))| {
            acc.durations.sort_unstable();
            acc.row.p50_ns = percentile(&acc.durations, 50);
            acc.row.p95_ns = percentile(&acc.durations, 95);
            acc.row.group = label_of(set, by, grouping.by);
            acc.row.sub = grouping.then.map(|d| label_of(set, then, d));
            acc.row
        })
        .collect();
    // Largest total first, then by name; row numbers change, so `row_of` is renumbered after.
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&rows[a as usize], &rows[b as usize]);
        b.total_ns.cmp(&a.total_ns).then_with(|| a.group.cmp(&b.group)).then_with(|| a.sub.cmp(&b.sub))
    });
    let mut new_of = vec![0u32; rows.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    for part in &mut out.row_of {
        part.iter_mut().for_each(|r| *r = new_of[*r as usize]);
    }
    let mut slots: Vec<Option<Row>> = rows.drain(..).map(Some).collect();
    out.rows = order.iter().map(|&old| slots[old as usize].take().expect("each row once")).collect();
    out
}

/// The attribute keys present on the spans of `parts` (their own and their resources'), the most common
/// first, with how many spans carry each: the grouping picker's choices.
pub fn attribute_keys(set: &TraceSet, parts: &[Part]) -> Vec<(Sym, u64)> {
    let mut counts: FxHashMap<Sym, u64> = FxHashMap::default();
    let mut per_resource: FxHashMap<u32, u64> = FxHashMap::default();
    for part in parts {
        for span in &part.trace.spans {
            for attr in set.attributes(span) {
                *counts.entry(attr.key).or_default() += 1;
            }
            *per_resource.entry(span.resource).or_default() += 1;
        }
    }
    for (resource, spans) in per_resource {
        for attr in set.resources.get(resource as usize).map_or(&[][..], |r| &r.attributes) {
            *counts.entry(attr.key).or_default() += spans;
        }
    }
    let mut keys: Vec<(Sym, u64)> = counts.into_iter().collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| set.strings.get(a.0).cmp(set.strings.get(b.0))));
    keys
}

/// A column of the breakdown table, in the order shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Group,
    Sub,
    Count,
    Errors,
    Total,
    Avg,
    Min,
    Max,
    P50,
    P95,
    SelfTotal,
    SelfAvg,
    SelfShare,
    Critical,
    CriticalShare,
}

impl Column {
    pub const ALL: [Column; 15] = [
        Column::Group,
        Column::Sub,
        Column::Count,
        Column::Errors,
        Column::Total,
        Column::Avg,
        Column::Min,
        Column::Max,
        Column::P50,
        Column::P95,
        Column::SelfTotal,
        Column::SelfAvg,
        Column::SelfShare,
        Column::Critical,
        Column::CriticalShare,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Column::Group => "Group",
            Column::Sub => "Sub-group",
            Column::Count => "Count",
            Column::Errors => "Errors",
            Column::Total => "Total",
            Column::Avg => "Avg",
            Column::Min => "Min",
            Column::Max => "Max",
            Column::P50 => "p50",
            Column::P95 => "p95",
            Column::SelfTotal => "Self",
            Column::SelfAvg => "Self avg",
            Column::SelfShare => "Self %",
            Column::Critical => "Critical",
            Column::CriticalShare => "Critical %",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Column::Group => "group",
            Column::Sub => "sub",
            Column::Count => "count",
            Column::Errors => "errors",
            Column::Total => "total",
            Column::Avg => "avg",
            Column::Min => "min",
            Column::Max => "max",
            Column::P50 => "p50",
            Column::P95 => "p95",
            Column::SelfTotal => "self",
            Column::SelfAvg => "self-avg",
            Column::SelfShare => "self-share",
            Column::Critical => "critical",
            Column::CriticalShare => "critical-share",
        }
    }

    pub fn from_id(id: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.id() == id)
    }

    pub fn is_text(self) -> bool {
        matches!(self, Column::Group | Column::Sub)
    }

    /// The column's number for a row (ns, a count, or a share in millionths), for sorting and heat.
    pub fn value(self, b: &Breakdown, row: &Row) -> i64 {
        match self {
            Column::Group | Column::Sub => 0,
            Column::Count => row.count as i64,
            Column::Errors => row.errors as i64,
            Column::Total => row.total_ns,
            Column::Avg => row.avg_ns(),
            Column::Min => row.min_ns,
            Column::Max => row.max_ns,
            Column::P50 => row.p50_ns,
            Column::P95 => row.p95_ns,
            Column::SelfTotal => row.self_ns,
            Column::SelfAvg => row.self_avg_ns(),
            Column::SelfShare => (b.self_share(row) * 1e6).round() as i64,
            Column::Critical => row.critical_ns,
            Column::CriticalShare => (b.critical_share(row) * 1e6).round() as i64,
        }
    }

    /// The cell as the table and the CSV show it (durations in ns for the CSV: `raw`).
    pub fn cell(self, b: &Breakdown, row: &Row, raw: bool) -> String {
        let ns = |v: i64| if raw { v.to_string() } else { crate::format::duration(v) };
        let pct = |s: f64| if raw { format!("{:.4}", s * 100.0) } else { format!("{:.1}%", s * 100.0) };
        match self {
            Column::Group => row.group.clone(),
            Column::Sub => row.sub.clone().unwrap_or_default(),
            Column::Count => if raw { row.count.to_string() } else { crate::format::count(row.count) },
            Column::Errors => if raw { row.errors.to_string() } else { crate::format::count(row.errors) },
            Column::SelfShare => pct(b.self_share(row)),
            Column::CriticalShare => pct(b.critical_share(row)),
            c => ns(c.value(b, row)),
        }
    }
}

/// Row numbers in the order of `column` (text A→Z, numbers smallest first; `descending` flips), ties by
/// the first order (total time).
pub fn sorted(b: &Breakdown, column: Column, descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..b.rows.len()).collect();
    match column {
        Column::Group => order.sort_by(|&x, &y| b.rows[x].group.cmp(&b.rows[y].group)),
        Column::Sub => order.sort_by(|&x, &y| b.rows[x].sub.cmp(&b.rows[y].sub)),
        c => order.sort_by_key(|&r| c.value(b, &b.rows[r])),
    }
    if descending {
        // Reversed stably: ties keep the first order.
        order.reverse();
        order.chunk_by_mut(|&x, &y| column_eq(b, column, x, y)).for_each(|run| run.reverse());
    }
    order
}

fn column_eq(b: &Breakdown, column: Column, x: usize, y: usize) -> bool {
    match column {
        Column::Group => b.rows[x].group == b.rows[y].group,
        Column::Sub => b.rows[x].sub == b.rows[y].sub,
        c => c.value(b, &b.rows[x]) == c.value(b, &b.rows[y]),
    }
}

/// The table as CSV, in `order`, with a column per `columns` (durations in ns, shares in percent).
pub fn csv(b: &Breakdown, order: &[usize], columns: &[Column]) -> String {
    let header: Vec<String> = columns.iter().map(|c| csv_name(*c)).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::export::csv(&header, order.iter().map(|&r| columns.iter().map(|c| c.cell(b, &b.rows[r], true)).collect()))
}

fn csv_name(column: Column) -> String {
    match column {
        Column::Group => "group".into(),
        Column::Sub => "sub_group".into(),
        Column::Count => "count".into(),
        Column::Errors => "errors".into(),
        Column::SelfShare => "self_percent".into(),
        Column::CriticalShare => "critical_path_percent".into(),
        Column::Critical => "critical_path_ns".into(),
        c => format!("{}_ns", c.id().replace('-', "_")),
    }
}
