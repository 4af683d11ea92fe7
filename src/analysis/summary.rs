//! `spanlens.summary/1`: the stable JSON that "Export analysis" downloads and the embedding API returns.
//! Field names are a contract with other tools (see DESIGN.md): never rename them. This is the only place
//! where span indices become id strings.

use super::TraceAnalysis;
use crate::model::{SpanIx, Trace, TraceSet};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "spanlens.summary/1";
/// At most this many span ids are listed in one finding (the message gives the full count).
pub const MAX_SPAN_IDS: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema: String,
    pub source: SourceSummary,
    pub traces: Vec<TraceSummary>,
    pub warnings: Vec<String>,
    pub rejected: Vec<RejectedSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceSummary {
    pub name: String,
    pub format: String,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceSummary {
    pub trace_id: String,
    /// Span objects of this trace in the input (Zipkin client and server halves count as two).
    pub span_count: u64,
    /// Distinct service names, sorted.
    pub services: Vec<String>,
    /// Spans with no parent (orphans, whose parent is missing, are listed apart).
    pub root_span_ids: Vec<String>,
    pub orphan_span_ids: Vec<String>,
    /// Ids carried by more than one span (other than Zipkin client/server halves), each once.
    pub duplicate_span_ids: Vec<String>,
    pub error_span_count: u64,
    /// Nanoseconds since the epoch, as a decimal string (exceeds 2^53).
    pub start_unix_nano: String,
    pub duration_nanos: String,
    pub critical_path: Vec<CriticalPathSection>,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriticalPathSection {
    pub span_id: String,
    pub start_unix_nano: String,
    pub end_unix_nano: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: String,
    pub span_ids: Vec<String>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedSummary {
    pub reason: String,
    pub count: u64,
}

impl Summary {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary always serializes")
    }
}

/// The summary of a loaded set, analyzing every trace.
pub fn summarize(set: &TraceSet) -> Summary {
    summarize_analyzed(set, &super::analyze_all(set))
}

/// The summary of a set whose traces were already analyzed (`analyses[i]` is trace `i`'s).
pub fn summarize_analyzed(set: &TraceSet, analyses: &[TraceAnalysis]) -> Summary {
    let mut warnings = set.warnings.clone();
    for trace in &set.traces {
        let id = trace.trace_id.display(&set.strings);
        warnings.extend(trace.warnings.iter().map(|w| format!("trace {id}: {w}")));
    }
    Summary {
        schema: SCHEMA.to_string(),
        source: SourceSummary {
            name: set.source.name.clone(),
            format: set.source.format.as_str().to_string(),
            bytes: set.source.bytes,
        },
        traces: set.traces.iter().zip(analyses).map(|(t, a)| trace_summary(set, t, a)).collect(),
        warnings,
        rejected: set.rejected.iter().map(|r| RejectedSummary { reason: r.reason.clone(), count: r.count }).collect(),
    }
}

fn trace_summary(set: &TraceSet, trace: &Trace, analysis: &TraceAnalysis) -> TraceSummary {
    let strings = &set.strings;
    let span_id = |i: SpanIx| trace.spans[i as usize].span_id.map(|id| id.display(strings)).unwrap_or_default();
    let ids = |list: &[SpanIx]| -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(list.len());
        for &i in list {
            let id = span_id(i);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    };
    let mut services: Vec<String> =
        trace.spans.iter().map(|s| s.service).filter(|&s| !strings.get(s).is_empty()).map(|s| strings.get(s).to_string()).collect();
    services.sort_unstable();
    services.dedup();
    let start = trace.start_ns();
    TraceSummary {
        trace_id: trace.trace_id.display(strings),
        span_count: trace.spans.len() as u64,
        services,
        root_span_ids: ids(&trace.tree.true_roots(&trace.spans)),
        orphan_span_ids: ids(&trace.tree.orphans),
        duplicate_span_ids: ids(&trace.tree.duplicates),
        error_span_count: trace.spans.iter().filter(|s| s.is_error(strings)).count() as u64,
        start_unix_nano: start.to_string(),
        duration_nanos: (trace.end_ns() - start).to_string(),
        critical_path: analysis
            .critical_path
            .sections
            .iter()
            .map(|s| CriticalPathSection {
                span_id: span_id(s.span),
                start_unix_nano: s.start_ns.to_string(),
                end_unix_nano: s.end_ns.to_string(),
            })
            .collect(),
        findings: analysis
            .findings
            .iter()
            .map(|f| Finding {
                kind: f.kind.as_str().to_string(),
                span_ids: f.spans.iter().take(MAX_SPAN_IDS).map(|&i| span_id(i)).collect(),
                message: f.message.clone(),
            })
            .collect(),
    }
}
