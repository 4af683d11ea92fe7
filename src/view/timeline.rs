//! The timeline's rows (the waterfall people know from Jaeger and Grafana): one row per span in tree order
//! (depth-first, children by start), subtrees that collapse and expand, and filters that keep a span's
//! ancestors. Plain Rust over the trace's tree, no recursion (a trace can be one 1M-deep chain): the order
//! is built with an explicit stack, and each row knows where its subtree ends, so a collapsed subtree is
//! skipped in one step.

use crate::model::{SpanIx, Tree};

/// Sentinel for "no row" in `parent_pos`.
const NONE: u32 = u32::MAX;

pub struct Rows {
    /// Every span in tree order (position → span).
    order: Vec<SpanIx>,
    /// Per position: its depth (roots 0), the position just past its subtree, and its parent's position.
    depth: Vec<u32>,
    end: Vec<u32>,
    parent_pos: Vec<u32>,
    /// Per span: its position.
    pos_of: Vec<u32>,
    /// Per position: whether its subtree is folded away.
    collapsed: Vec<bool>,
    /// Per position when a filter is on: whether the row is kept (a match, or an ancestor of one).
    kept: Option<Vec<bool>>,
    /// Positions of the rows shown, top to bottom.
    visible: Vec<u32>,
    /// Per position: its row among `visible`, or `NONE`.
    row_of_pos: Vec<u32>,
}

impl Rows {
    /// All rows of a trace, every subtree expanded.
    pub fn new(tree: &Tree) -> Rows {
        let n = tree.parent.len();
        let mut order = Vec::with_capacity(n);
        let (mut depth, mut end, mut parent_pos) = (Vec::with_capacity(n), vec![0u32; n], Vec::with_capacity(n));
        let mut pos_of = vec![NONE; n];
        // Depth-first with an explicit stack of (span, depth, parent position); children pushed in reverse so
        // that the earliest comes out first. A span is never met twice (the tree has no cycles).
        let mut stack: Vec<(SpanIx, u32, u32)> = tree.roots.iter().rev().map(|&r| (r, 0, NONE)).collect();
        while let Some((span, d, parent)) = stack.pop() {
            let pos = order.len() as u32;
            pos_of[span as usize] = pos;
            order.push(span);
            depth.push(d);
            parent_pos.push(parent);
            stack.extend(tree.children_of(span).iter().rev().map(|&c| (c, d + 1, pos)));
        }
        // A subtree ends where the next row at the same depth or shallower begins: scanning backwards, each
        // row's end is the furthest end of its children, or itself + 1.
        for pos in (0..order.len()).rev() {
            end[pos] = end[pos].max(pos as u32 + 1);
            let parent = parent_pos[pos];
            if parent != NONE {
                end[parent as usize] = end[parent as usize].max(end[pos]);
            }
        }
        end.truncate(order.len());
        let mut rows = Rows { collapsed: vec![false; order.len()], order, depth, end, parent_pos, pos_of, kept: None, visible: Vec::new(), row_of_pos: Vec::new() };
        rows.rebuild();
        rows
    }

    /// Rows shown.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// The span on row `row`.
    pub fn span_at(&self, row: usize) -> Option<SpanIx> {
        self.visible.get(row).map(|&p| self.order[p as usize])
    }

    /// The row that shows `span`, if it is shown.
    pub fn row_of(&self, span: SpanIx) -> Option<usize> {
        let pos = *self.pos_of.get(span as usize)?;
        (pos != NONE).then(|| self.row_of_pos[pos as usize]).filter(|&r| r != NONE).map(|r| r as usize)
    }

    pub fn depth(&self, span: SpanIx) -> u32 {
        self.depth[self.pos_of[span as usize] as usize]
    }

    /// Whether the span has children (shown or not).
    pub fn has_children(&self, span: SpanIx) -> bool {
        let pos = self.pos_of[span as usize] as usize;
        self.end[pos] as usize > pos + 1
    }

    pub fn is_collapsed(&self, span: SpanIx) -> bool {
        self.collapsed[self.pos_of[span as usize] as usize]
    }

    /// Whether the span on row `row` is the last child of its parent (for the tree guides).
    pub fn is_last_child(&self, span: SpanIx) -> bool {
        let pos = self.pos_of[span as usize] as usize;
        match self.parent_pos[pos] {
            NONE => true,
            parent => self.end[pos] == self.end[parent as usize],
        }
    }

    /// The parent's span, if any.
    pub fn parent(&self, span: SpanIx) -> Option<SpanIx> {
        match self.parent_pos[self.pos_of[span as usize] as usize] {
            NONE => None,
            p => Some(self.order[p as usize]),
        }
    }

    /// Folds or unfolds one span's subtree.
    pub fn set_collapsed(&mut self, span: SpanIx, collapsed: bool) {
        let pos = self.pos_of[span as usize] as usize;
        if self.has_children(span) && self.collapsed[pos] != collapsed {
            self.collapsed[pos] = collapsed;
            self.rebuild();
        }
    }

    pub fn toggle(&mut self, span: SpanIx) {
        let now = self.is_collapsed(span);
        self.set_collapsed(span, !now);
    }

    /// Shows the spans down to `depth`: shallower spans unfolded, those at `depth` and below folded (so that
    /// unfolding one shows one more level).
    pub fn collapse_level(&mut self, depth: u32) {
        for pos in 0..self.order.len() {
            self.collapsed[pos] = self.depth[pos] >= depth;
        }
        self.rebuild();
    }

    /// The deepest level shown unfolded, plus one: what "collapse one level" folds next.
    pub fn levels_shown(&self) -> u32 {
        self.visible.iter().map(|&p| self.depth[p as usize] + 1).max().unwrap_or(0)
    }

    /// The deepest level of the tree, plus one: how many levels "all levels" shows.
    pub fn levels(&self) -> u32 {
        self.depth.iter().max().map_or(0, |d| d + 1)
    }

    pub fn expand_all(&mut self) {
        self.collapsed.iter_mut().for_each(|c| *c = false);
        self.rebuild();
    }

    /// Folds every root: one row per root.
    pub fn collapse_all(&mut self) {
        self.collapse_level(0);
    }

    /// Shows the paths to what matters: a span is unfolded when its subtree (below it) holds a span for which
    /// `wanted` is true (an error, a step of the critical path), folded otherwise. The wanted spans, their
    /// ancestors and their siblings stay in view.
    pub fn collapse_to(&mut self, wanted: impl Fn(SpanIx) -> bool) {
        let n = self.order.len();
        let mut below = vec![false; n];
        for pos in (0..n).rev() {
            let parent = self.parent_pos[pos];
            if parent != NONE && (below[pos] || wanted(self.order[pos])) {
                below[parent as usize] = true;
            }
        }
        for pos in 0..n {
            self.collapsed[pos] = !below[pos];
        }
        self.rebuild();
    }

    /// Unfolds every ancestor of `span`, so that its row is shown (unless a filter hides it).
    pub fn reveal(&mut self, span: SpanIx) {
        let mut pos = self.parent_pos[self.pos_of[span as usize] as usize];
        let mut changed = false;
        while pos != NONE {
            changed |= std::mem::replace(&mut self.collapsed[pos as usize], false);
            pos = self.parent_pos[pos as usize];
        }
        if changed {
            self.rebuild();
        }
    }

    /// Keeps only the spans for which `keep` is true and their ancestors (search's "only matches"); `None`
    /// shows every row again. Folding still applies.
    pub fn filter(&mut self, keep: Option<&dyn Fn(SpanIx) -> bool>) {
        self.kept = keep.map(|keep| {
            let mut kept = vec![false; self.order.len()];
            for pos in 0..self.order.len() {
                if !keep(self.order[pos]) {
                    continue;
                }
                // Up to the first ancestor already kept: each row is marked once.
                let mut p = pos as u32;
                while p != NONE && !kept[p as usize] {
                    kept[p as usize] = true;
                    p = self.parent_pos[p as usize];
                }
            }
            kept
        });
        self.rebuild();
    }

    /// Recomputes the rows shown: tree order, skipping folded subtrees and rows the filter drops.
    fn rebuild(&mut self) {
        let n = self.order.len();
        self.visible.clear();
        self.row_of_pos.clear();
        self.row_of_pos.resize(n, NONE);
        let mut pos = 0;
        while pos < n {
            if self.kept.as_ref().is_some_and(|k| !k[pos]) {
                pos += 1; // dropped, but its descendants may be kept
                continue;
            }
            self.row_of_pos[pos] = self.visible.len() as u32;
            self.visible.push(pos as u32);
            pos = if self.collapsed[pos] { self.end[pos] as usize } else { pos + 1 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span, SpanId, Trace, TraceId};

    /// A trace from (id, parent) pairs, each span starting at its id so that children sort by id.
    fn tree(pairs: &[(u64, Option<u64>)]) -> Trace {
        let spans = pairs.iter().map(|&(id, parent)| Span::new(SpanId::Hex(id), parent.map(SpanId::Hex), id as i64, id as i64 + 100)).collect();
        let mut trace = Trace::new(TraceId::Hex(1), spans);
        crate::analysis::tree::build(&mut trace);
        trace
    }

    fn shown(rows: &Rows) -> Vec<SpanIx> {
        (0..rows.len()).map(|r| rows.span_at(r).unwrap()).collect()
    }

    //   0 ─┬─ 1 ─┬─ 3
    //      │     └─ 4 ── 6
    //      └─ 2 ── 5
    //   7 (a second root)
    fn sample() -> crate::model::Trace {
        tree(&[(1, None), (2, Some(1)), (3, Some(1)), (4, Some(2)), (5, Some(2)), (6, Some(3)), (7, Some(5)), (8, None)])
    }

    #[test]
    fn rows_in_tree_order_and_collapse_one_a_level_all() {
        let t = sample();
        let mut rows = Rows::new(&t.tree);
        assert_eq!(shown(&rows), [0, 1, 3, 4, 6, 2, 5, 7]);
        assert_eq!((rows.depth(6), rows.depth(7)), (3, 0));
        assert!(rows.is_last_child(4) && !rows.is_last_child(1) && rows.is_last_child(2));
        assert_eq!(rows.parent(6), Some(4));

        rows.toggle(1);
        assert_eq!(shown(&rows), [0, 1, 2, 5, 7]);
        assert_eq!((rows.row_of(2), rows.row_of(3)), (Some(2), None));
        rows.toggle(1);
        assert_eq!(rows.len(), 8);
        rows.toggle(6); // no children: nothing to fold
        assert_eq!(rows.len(), 8);

        assert_eq!((rows.levels(), rows.levels_shown()), (4, 4));
        rows.collapse_level(1);
        assert_eq!(shown(&rows), [0, 1, 2, 7]);
        assert_eq!(rows.levels_shown(), 2, "the depth picker's \"2 levels\"");
        rows.collapse_all();
        assert_eq!(shown(&rows), [0, 7]);
        rows.reveal(6);
        assert_eq!(shown(&rows), [0, 1, 3, 4, 6, 2, 7], "the path to it unfolds; 2 stays folded");
        rows.expand_all();
        assert_eq!(rows.len(), 8);
    }

    #[test]
    fn collapse_to_errors_and_critical_path_keeps_the_paths_to_them() {
        let t = sample();
        let mut rows = Rows::new(&t.tree);
        rows.collapse_to(|s| s == 6);
        assert_eq!(shown(&rows), [0, 1, 3, 4, 6, 2, 7], "ancestors of 6 unfolded, their other children folded");
        rows.collapse_to(|_| false);
        assert_eq!(shown(&rows), [0, 7]);
    }

    #[test]
    fn only_matches_keeps_their_ancestors() {
        let t = sample();
        let mut rows = Rows::new(&t.tree);
        rows.filter(Some(&|s| s == 5 || s == 7));
        assert_eq!(shown(&rows), [0, 2, 5, 7]);
        assert_eq!((rows.row_of(5), rows.row_of(1)), (Some(2), None));
        rows.toggle(2);
        assert_eq!(shown(&rows), [0, 2, 7]);
        rows.filter(None);
        assert_eq!(shown(&rows), [0, 1, 3, 4, 6, 2, 7]);
    }

    #[test]
    fn a_million_deep_chain_without_recursion() {
        let n = 1_000_000u64;
        let t = tree(&(0..n).map(|i| (i + 1, (i > 0).then_some(i))).collect::<Vec<_>>());
        let mut rows = Rows::new(&t.tree);
        assert_eq!((rows.len(), rows.levels()), (n as usize, n as u32));
        assert_eq!((rows.depth((n - 1) as SpanIx), rows.span_at(n as usize - 1)), ((n - 1) as u32, Some((n - 1) as SpanIx)));
        rows.set_collapsed(500_000, true);
        assert_eq!(rows.len(), 500_001);
        assert_eq!(rows.row_of(999_999), None);
        rows.reveal(999_999);
        assert_eq!(rows.len(), n as usize);
        rows.collapse_to(|s| s == 10);
        assert_eq!(rows.len(), 11, "down to 10, folded");
        rows.filter(Some(&|s| s == 999_999));
        rows.expand_all();
        assert_eq!(rows.len(), n as usize, "every span is an ancestor of the match");
    }
}
