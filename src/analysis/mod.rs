//! What spanlens computes about a trace, in order: the tree (built at load), optional clock-skew adjustment,
//! then critical path → layout → statistics → findings → summary. Pure Rust, no web dependency.

pub mod aggregate;
pub mod breakdown;
pub mod calls;
pub mod clocks;
pub mod compare;
pub mod critical_path;
pub mod findings;
pub mod histogram;
pub mod layout;
pub mod repeats;
pub mod search;
pub mod skew;
pub mod split;
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
    pub findings: Vec<findings::Finding>,
}

/// Analyzes trace `index` of the set (with whatever skew adjustment it currently has).
pub fn analyze(set: &TraceSet, index: usize) -> TraceAnalysis {
    let mut analyzer = Analyzer::new(index);
    loop {
        if let Some(done) = analyzer.step(set) {
            return done;
        }
    }
}

/// The analysis of one trace a stage at a time (critical path, layout, statistics, findings), so that a
/// caller can let the page breathe between stages: `step` (always with the same set) until it returns the result.
pub struct Analyzer {
    index: usize,
    critical_path: Option<critical_path::CriticalPath>,
    layout: Option<layout::Layout>,
    stats: Option<stats::Stats>,
}

impl Analyzer {
    pub fn new(index: usize) -> Analyzer {
        Analyzer { index, critical_path: None, layout: None, stats: None }
    }

    /// Runs the next stage; the last one returns the whole analysis.
    pub fn step(&mut self, set: &TraceSet) -> Option<TraceAnalysis> {
        let trace = &set.traces[self.index];
        match (&self.critical_path, &self.layout, &self.stats) {
            (None, _, _) => self.critical_path = Some(critical_path::critical_path(trace)),
            (Some(_), None, _) => self.layout = Some(layout::layout(trace)),
            (Some(cp), Some(_), None) => self.stats = Some(stats::stats(&set.strings, trace, cp)),
            (Some(_), Some(_), Some(stats)) => {
                let findings = findings::findings(set, trace, &stats.self_ns);
                return Some(TraceAnalysis {
                    critical_path: self.critical_path.take().expect("matched"),
                    layout: self.layout.take().expect("matched"),
                    stats: self.stats.take().expect("matched"),
                    findings,
                });
            }
        }
        None
    }
}

/// Analyzes every trace of the set, then what only shows across traces (traces split in two).
pub fn analyze_all(set: &TraceSet) -> Vec<TraceAnalysis> {
    let mut analyses: Vec<TraceAnalysis> = (0..set.traces.len()).map(|i| analyze(set, i)).collect();
    split::add_findings(set, &mut analyses);
    analyses
}
