//! The critical path: the chain of work that determines each root's end-to-end time.
//!
//! The standard walk (Jaeger UI, Grafana): start at the root's end; repeatedly take the last-finishing child
//! that ends at or before the current point and walk into it; when a span has no such child, its section
//! reaches back to its start and control returns to its parent. Children are clipped to their parent's
//! interval first, and those entirely outside it are left out. The sections of a root tile
//! [root.start, root.end] exactly. Where the standard walk is known to be wrong, this one differs:
//! - async children do not block their parent: a PRODUCER's CONSUMER children, and FOLLOWS_FROM children,
//!   are left out of the parent's path (the parent did not wait for them);
//! - zero-length children (after clipping) are skipped: they cannot hold up anything;
//! - equal end times are broken deterministically: the child that started first (the longer one), then
//!   input order;
//! - children running past their parent's end are clipped, so the path never leaves the root's interval;
//! - a child that ends after the point reached back to by no more than the file's start precision (the JS
//!   SDK cuts starts to whole milliseconds) is still on the path, its end clipped to that point: sequential
//!   calls are not taken for parallel ones.
//! Overlapping siblings (parallel calls awaited together) need no special case: the walk follows the one
//! that ended last, and the others, which ended after the point it reaches back to, are passed over.

use super::clocks::awaited_by;
use crate::model::{SpanIx, Trace};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    pub span: SpanIx,
    pub start_ns: i64,
    pub end_ns: i64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CriticalPath {
    /// Sections of every root (orphan roots included), chronological; each root's tile its interval.
    pub sections: Vec<Section>,
    /// Per span: time it contributes to the critical path (ns).
    pub contribution_ns: Vec<i64>,
}

/// One span being walked: its clipped interval, the current point, and its candidate children in
/// `candidates[begin..end]` (sorted by end, latest first), of which those before `cursor` are used up.
struct Frame {
    span: SpanIx,
    lo: i64,
    point: i64,
    begin: usize,
    cursor: usize,
    end: usize,
}

pub fn critical_path(trace: &Trace) -> CriticalPath {
    let mut path = CriticalPath { sections: Vec::new(), contribution_ns: vec![0; trace.spans.len()] };
    // One shared buffer of (end, start, child) for all frames on the stack: no allocation per span.
    let mut candidates: Vec<(i64, i64, SpanIx)> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut root_sections: Vec<Section> = Vec::new();
    let tolerance = trace.tolerance_ns();

    for &root in &trace.tree.roots {
        let r = &trace.spans[root as usize];
        root_sections.clear();
        push_frame(trace, &mut frames, &mut candidates, root, r.start_ns, r.end_ns);
        while let Some(frame) = frames.last_mut() {
            // Ends after the point we reached back to (beyond the file's start precision): ran in parallel,
            // not on the path.
            while frame.cursor < frame.end && candidates[frame.cursor].0 > frame.point + tolerance {
                frame.cursor += 1;
            }
            if frame.cursor < frame.end {
                let (child_end, child_start, child) = candidates[frame.cursor];
                frame.cursor += 1;
                // A call that seems to end just after the next one started (starts cut to whole
                // milliseconds) ends where the next one starts.
                let child_end = child_end.min(frame.point);
                if child_start >= child_end {
                    continue;
                }
                if child_end < frame.point {
                    root_sections.push(Section { span: frame.span, start_ns: child_end, end_ns: frame.point });
                }
                frame.point = child_start;
                push_frame(trace, &mut frames, &mut candidates, child, child_start, child_end);
            } else {
                if frame.lo < frame.point {
                    root_sections.push(Section { span: frame.span, start_ns: frame.lo, end_ns: frame.point });
                }
                candidates.truncate(frame.begin);
                frames.pop();
            }
        }
        root_sections.reverse(); // the walk goes backwards in time
        path.sections.extend_from_slice(&root_sections);
    }
    // Roots may overlap in time (orphans): keep the whole list chronological, stable by root order.
    path.sections.sort_by_key(|s| s.start_ns);
    for s in &path.sections {
        path.contribution_ns[s.span as usize] += s.end_ns - s.start_ns;
    }
    path
}

/// Pushes a frame for `span` clipped to [lo, hi], with its blocking children clipped to the same interval.
fn push_frame(
    trace: &Trace,
    frames: &mut Vec<Frame>,
    candidates: &mut Vec<(i64, i64, SpanIx)>,
    span: SpanIx,
    lo: i64,
    hi: i64,
) {
    let begin = candidates.len();
    for &child in trace.tree.children_of(span) {
        let c = &trace.spans[child as usize];
        let (start, end) = (c.start_ns.max(lo), c.end_ns.min(hi));
        if start < end && awaited_by(&trace.spans[span as usize], c) {
            candidates.push((end, start, child));
        }
    }
    // Latest end first; on equal ends the earlier start (longer span), then input order.
    candidates[begin..].sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let end = candidates.len();
    frames.push(Frame { span, lo, point: hi, begin, cursor: begin, end });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::notes;
    use crate::testing::{trace, EPOCH_NS};

    /// Sections as (span, start, end), times relative to the picture's epoch.
    fn sections(t: &Trace) -> Vec<(SpanIx, i64, i64)> {
        critical_path(t).sections.iter().map(|s| (s.span, s.start_ns - EPOCH_NS, s.end_ns - EPOCH_NS)).collect()
    }

    #[test]
    fn sequential_children_are_all_on_the_path() {
        let t = trace(
            "root s 0..100 server
               a  s 10..40 client
               b  s 50..90 client",
        );
        assert_eq!(sections(&t), [(0, 0, 10), (1, 10, 40), (0, 40, 50), (2, 50, 90), (0, 90, 100)]);
        assert_eq!(critical_path(&t).contribution_ns, [30, 30, 40]);
    }

    #[test]
    fn overlapping_siblings_follow_the_one_that_ended_last() {
        // A parallel gather: a and b run together, b ends last, so a is not on the path.
        let t = trace(
            "root s 0..100 server
               a  s 10..70 client
               b  s 20..80 client",
        );
        assert_eq!(sections(&t), [(0, 0, 20), (2, 20, 80), (0, 80, 100)]);
    }

    #[test]
    fn consumer_children_of_a_producer_do_not_block_it() {
        let t = trace(
            "root      s 0..100 server
               send    s 10..20 producer
                 recv  s 15..19 consumer",
        );
        assert_eq!(sections(&t), [(0, 0, 10), (1, 10, 20), (0, 20, 100)]);
    }

    #[test]
    fn follows_from_children_do_not_block() {
        let mut t = trace(
            "root s 0..100 server
               a  s 10..50",
        );
        t.spans[1].notes |= notes::FOLLOWS_FROM;
        assert_eq!(sections(&t), [(0, 0, 100)]);
    }

    #[test]
    fn children_past_their_parents_end_are_clipped() {
        // a is clipped to [60, 100]; its own child lies outside that and is left out.
        let t = trace(
            "root    s 0..100 server
               a     s 60..150 client
                 b   s 120..140 server",
        );
        assert_eq!(sections(&t), [(0, 0, 60), (1, 60, 100)]);
    }

    #[test]
    fn children_entirely_outside_are_excluded() {
        let t = trace(
            "root s 0..100 server
               a  s 200..300 client",
        );
        assert_eq!(sections(&t), [(0, 0, 100)]);
    }

    #[test]
    fn zero_length_spans_are_skipped_and_a_zero_length_root_has_no_section() {
        let t = trace(
            "root s 0..100 server
               a  s 50..50 client",
        );
        assert_eq!(sections(&t), [(0, 0, 100)]);
        assert!(sections(&trace("root s 5..5 server")).is_empty());
    }

    #[test]
    fn equal_end_times_prefer_the_longer_child_then_input_order() {
        let t = trace(
            "root s 0..100 server
               a  s 50..90 client
               b  s 20..90 client",
        );
        assert_eq!(sections(&t), [(0, 0, 20), (2, 20, 90), (0, 90, 100)]);
        let t = trace(
            "root s 0..100 server
               a  s 20..90 client
               b  s 20..90 client",
        );
        assert_eq!(sections(&t), [(0, 0, 20), (1, 20, 90), (0, 90, 100)]);
    }

    #[test]
    fn every_root_is_covered_including_orphans() {
        let t = trace(
            "root   s 0..10 server
             lost   s 5..30 server orphan",
        );
        assert_eq!(t.tree.orphans, vec![1]);
        assert_eq!(sections(&t), [(0, 0, 10), (1, 5, 30)]);
    }
}
