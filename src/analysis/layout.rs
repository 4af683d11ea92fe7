//! Flame-graph (icicle) layout: each root on top, each child below its parent, and sibling subtrees that
//! overlap in time packed into extra rows so that no two bars overlap. Deterministic and O(n log n).
//!
//! Each span's subtree is a block of rows. A span's children are packed into lanes: a child goes to the
//! first lane that is free by the time its subtree starts (its subtree's time extent, which covers children
//! running past their parent); the lanes are stacked under the parent, each as tall as its tallest subtree.
//! Subtrees in one lane are disjoint in time, so their rows can be shared. Roots are packed the same way.

use crate::model::{SpanIx, Trace, NO_PARENT};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Row of each span (0 = top).
    pub row: Vec<u32>,
    /// Spans of row `r` are `row_spans[row_start[r]..row_start[r + 1]]`, sorted by start (then index). No two
    /// overlap, so their ends are sorted too: a renderer finds what is visible in [t0, t1] by binary search.
    pub row_start: Vec<u32>,
    pub row_spans: Vec<SpanIx>,
}

impl Layout {
    pub fn row_count(&self) -> usize {
        self.row_start.len().saturating_sub(1)
    }

    pub fn spans_in_row(&self, row: usize) -> &[SpanIx] {
        &self.row_spans[self.row_start[row] as usize..self.row_start[row + 1] as usize]
    }

    /// Spans of `row` that intersect [t0, t1] (inclusive of touching), by binary search.
    pub fn visible_in_row(&self, trace: &Trace, row: usize, t0: i64, t1: i64) -> &[SpanIx] {
        let spans = self.spans_in_row(row);
        let first = spans.partition_point(|&s| trace.spans[s as usize].end_ns < t0);
        let last = first + spans[first..].partition_point(|&s| trace.spans[s as usize].start_ns <= t1);
        &spans[first..last]
    }
}

pub fn layout(trace: &Trace) -> Layout {
    let spans = &trace.spans;
    let tree = &trace.tree;
    let n = spans.len();

    // Parents before children; walked backwards it is children before parents.
    let order = tree.top_down();

    // Bottom-up: each subtree's time extent and height, and each child's row offset below its parent.
    let mut extent: Vec<(i64, i64)> = spans.iter().map(|s| (s.start_ns, s.end_ns)).collect();
    let mut height = vec![1u32; n];
    let mut offset = vec![0u32; n];
    let mut packer = LanePacker::default();
    for &span in order.iter().rev() {
        let children = tree.children_of(span);
        if children.is_empty() {
            continue;
        }
        let rows = packer.pack(children, &extent, &height, &mut offset);
        height[span as usize] = 1 + rows;
        let (mut lo, mut hi) = extent[span as usize];
        for &c in children {
            lo = lo.min(extent[c as usize].0);
            hi = hi.max(extent[c as usize].1);
        }
        extent[span as usize] = (lo, hi);
    }
    packer.pack(&tree.roots, &extent, &height, &mut offset);

    // Top-down: absolute rows.
    let mut row = vec![0u32; n];
    for &span in &order {
        let parent = tree.parent[span as usize];
        let base = if parent == NO_PARENT { 0 } else { row[parent as usize] + 1 };
        row[span as usize] = base + offset[span as usize];
    }

    // Per-row arrays sorted by start.
    let row_count = row.iter().map(|&r| r as usize + 1).max().unwrap_or(0);
    let mut row_start = vec![0u32; row_count + 1];
    for &r in &row {
        row_start[r as usize + 1] += 1;
    }
    for r in 0..row_count {
        row_start[r + 1] += row_start[r];
    }
    let mut fill = row_start.clone();
    let mut row_spans = vec![0 as SpanIx; n];
    for (i, &r) in row.iter().enumerate() {
        row_spans[fill[r as usize] as usize] = i as SpanIx;
        fill[r as usize] += 1;
    }
    for r in 0..row_count {
        row_spans[row_start[r] as usize..row_start[r + 1] as usize]
            .sort_unstable_by_key(|&s| (spans[s as usize].start_ns, s));
    }
    Layout { row, row_start, row_spans }
}

/// Greedy interval partitioning of sibling subtrees into lanes, lowest free lane first, reusing its buffers.
#[derive(Default)]
struct LanePacker {
    sorted: Vec<SpanIx>,
    lane_of: Vec<u32>,
    lane_height: Vec<u32>,
    busy: BinaryHeap<Reverse<(i64, u32)>>,
    free: BTreeSet<u32>,
}

impl LanePacker {
    /// Assigns each sibling a row offset (relative to the row below the parent); returns the rows used.
    fn pack(&mut self, siblings: &[SpanIx], extent: &[(i64, i64)], height: &[u32], offset: &mut [u32]) -> u32 {
        self.sorted.clear();
        self.sorted.extend_from_slice(siblings);
        self.sorted.sort_unstable_by_key(|&s| (extent[s as usize].0, s));
        self.lane_of.clear();
        self.lane_height.clear();
        self.busy.clear();
        self.free.clear();
        for &s in &self.sorted {
            let (start, end) = extent[s as usize];
            while let Some(&Reverse((free_at, lane))) = self.busy.peek() {
                if free_at > start {
                    break;
                }
                self.busy.pop();
                self.free.insert(lane);
            }
            let lane = match self.free.pop_first() {
                Some(lane) => lane,
                None => {
                    self.lane_height.push(0);
                    (self.lane_height.len() - 1) as u32
                }
            };
            let h = &mut self.lane_height[lane as usize];
            *h = (*h).max(height[s as usize]);
            self.busy.push(Reverse((end, lane)));
            self.lane_of.push(lane);
        }
        // Lane tops are the running sum of the heights of the lanes above.
        let mut top = Vec::with_capacity(self.lane_height.len());
        let mut sum = 0;
        for &h in &self.lane_height {
            top.push(sum);
            sum += h;
        }
        for (&s, &lane) in self.sorted.iter().zip(&self.lane_of) {
            offset[s as usize] = top[lane as usize];
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{trace, EPOCH_NS};

    #[test]
    fn sequential_children_share_one_row_and_parallel_ones_stack() {
        // b and c sequential; d overlaps c; e is d's child.
        let t = trace(
            "a       s 0..100us
               b     s 0..10us
               c     s 20..30us
               d     s 25..60us
                 e   s 30..40us",
        );
        let l = layout(&t);
        assert_eq!(l.row, vec![0, 1, 1, 2, 3]);
        assert_eq!(l.row_count(), 4);
        assert_eq!(l.spans_in_row(1), &[1, 2]);
    }

    #[test]
    fn a_subtree_is_packed_by_its_extent_not_just_its_root() {
        // b's child c runs past b's end and overlaps sibling d: d must go to another lane.
        let t = trace(
            "a       s 0..100us
               b     s 0..10us
                 c   s 5..55us
               d     s 20..50us",
        );
        let l = layout(&t);
        assert_eq!(l.row[1], 1);
        assert_eq!(l.row[2], 2);
        assert_eq!(l.row[3], 3, "below the two rows of b's block");
    }

    #[test]
    fn visible_in_row_uses_the_time_window() {
        // Three sequential children in row 1.
        let t = trace(
            "a     s 0..100us
               b   s 0..10us
               c   s 20..30us
               d   s 40..50us",
        );
        let l = layout(&t);
        let at = |us: i64| EPOCH_NS + us * 1000;
        assert_eq!(l.visible_in_row(&t, 1, at(12), at(45)), &[2, 3]);
        assert_eq!(l.visible_in_row(&t, 1, at(31), at(39)), &[] as &[SpanIx]);
    }
}
