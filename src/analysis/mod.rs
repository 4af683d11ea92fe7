//! What spanlens computes about a trace, in order: the tree (built at load), optional clock-skew adjustment,
//! then critical path → layout → statistics → findings → summary. Pure Rust, no web dependency.

pub mod critical_path;
pub mod findings;
pub mod layout;
pub mod search;
pub mod skew;
pub mod stats;
pub mod summary;
pub mod tree;

use crate::model::TraceSet;

/// Everything computed about one trace, for the view and the summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceAnalysis {
    pub critical_path: critical_path::CriticalPath,
    pub layout: layout::Layout,
    pub stats: stats::Stats,
    pub findings: Vec<summary::Finding>,
}

/// Analyzes trace `index` of the set (with whatever skew adjustment it currently has).
pub fn analyze(set: &TraceSet, index: usize) -> TraceAnalysis {
    let trace = &set.traces[index];
    let critical_path = critical_path::critical_path(trace);
    let layout = layout::layout(trace);
    let stats = stats::stats(&set.strings, trace, &critical_path);
    let findings = findings::findings(set, trace, &stats.self_ns);
    TraceAnalysis { critical_path, layout, stats, findings }
}

/// Analyzes every trace of the set.
pub fn analyze_all(set: &TraceSet) -> Vec<TraceAnalysis> {
    (0..set.traces.len()).map(|i| analyze(set, i)).collect()
}
