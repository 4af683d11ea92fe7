//! The span tree of each trace: parents, children, roots, orphans, duplicate ids and cut cycles.
//! Everything here is iterative (real traces have chains 100k deep) and O(n log n).

use crate::model::{notes, Span, SpanId, SpanIx, SpanKind, Trace, TraceSet, Tree, NO_PARENT};
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

pub fn build_all(set: &mut TraceSet) {
    for trace in &mut set.traces {
        build(trace);
    }
}

/// Builds `trace.tree`, repairing what must be repaired and saying so on the spans and in `trace.warnings`.
pub fn build(trace: &mut Trace) {
    let spans = &mut trace.spans;
    let n = spans.len();
    let mut tree = Tree { parent: vec![NO_PARENT; n], ..Tree::default() };
    let mut resolved = vec![false; n];

    // 1. Who owns each id: the first span that has it, except that a Zipkin server half that reused its
    //    client's id becomes the client's child and takes over the id (the spans below it are the server's).
    let mut owner: FxHashMap<SpanId, SpanIx> = FxHashMap::default();
    owner.reserve(n);
    let mut reused: FxHashMap<SpanId, Vec<SpanIx>> = FxHashMap::default();
    let mut reused_order: Vec<SpanId> = Vec::new();
    for i in 0..n {
        let Some(id) = spans[i].span_id else { continue };
        match owner.entry(id) {
            Entry::Vacant(v) => {
                v.insert(i as SpanIx);
            }
            Entry::Occupied(o) => {
                let group = reused.entry(id).or_insert_with(|| {
                    reused_order.push(id);
                    vec![*o.get()]
                });
                group.push(i as SpanIx);
            }
        }
    }
    let mut halves = 0usize;
    for id in reused_order {
        let group = &reused[&id];
        let first_of = |kind: SpanKind| group.iter().copied().find(|&i| spans[i as usize].kind == kind);
        let pair = first_of(SpanKind::Client).zip(first_of(SpanKind::Server));
        if let Some((client, server)) = pair {
            tree.parent[server as usize] = client;
            resolved[server as usize] = true;
            spans[server as usize].notes |= notes::SHARED_SERVER_HALF;
            owner.insert(id, server);
            halves += 1;
        }
        let owner_now = owner[&id];
        for &i in group {
            let is_pair = pair.is_some_and(|(c, s)| i == c || i == s);
            if !is_pair && (i != owner_now) && !(pair.is_none() && i == group[0]) {
                spans[i as usize].notes |= notes::DUPLICATE_ID;
                tree.duplicates.push(i);
            }
        }
    }
    tree.duplicates.sort_unstable();

    // 2. Parents by id; a parent id that is not in the trace makes an orphan (broken propagation).
    for i in 0..n {
        if resolved[i] {
            continue;
        }
        let Some(parent_id) = spans[i].parent_id else { continue };
        match owner.get(&parent_id) {
            Some(&p) if p as usize != i => tree.parent[i] = p,
            Some(_) => {
                spans[i].notes |= notes::CYCLE_CUT;
                tree.cycle_cuts.push(i as SpanIx);
            }
            None => spans[i].notes |= notes::ORPHAN,
        }
    }

    cut_cycles(spans, &mut tree);
    place_untimed(spans, &tree.parent);
    link_children(spans, &mut tree);

    let warnings = &mut trace.warnings;
    let mut say = |count: usize, text: &str| {
        if count > 0 {
            warnings.push(format!("{count} {text}"));
        }
    };
    say(tree.orphans.len(), "span(s) name a parent that is not in the trace (broken context propagation); shown as extra roots");
    say(tree.duplicates.len(), "span(s) reuse an id already taken in the trace; kept, children attach to the first");
    say(tree.cycle_cuts.len(), "parent link(s) formed a cycle and were cut; those spans are shown as roots");
    say(halves, "Zipkin client/server pair(s) share a span id; each server half is shown as a child of its client half");
    let untimed = trace.spans.iter().filter(|s| s.has(notes::MISSING_START)).count();
    say(untimed, "span(s) have no start time; placed at their parent's start");
    let no_duration = trace.spans.iter().filter(|s| s.has(notes::MISSING_DURATION)).count();
    say(no_duration, "span(s) have no duration; drawn with zero length (or up to their last annotation)");
    let reversed = trace.spans.iter().filter(|s| s.has(notes::NEGATIVE_DURATION)).count();
    say(reversed, "span(s) ended before they started; each end was moved to its start");
    let before_1970 = trace.spans.iter().filter(|s| s.start_ns < 0).count();
    say(before_1970, "span(s) start before 1970 (a negative time): kept as given, but likely a broken clock or unit");
    trace.tree = tree;
}

/// Breaks every parent cycle at its earliest-starting span (deterministic), which becomes a root.
fn cut_cycles(spans: &mut [Span], tree: &mut Tree) {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; spans.len()];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..spans.len() {
        path.clear();
        let mut current = start;
        loop {
            match state[current] {
                DONE => break,
                ON_PATH => {
                    let from = path.iter().position(|&x| x == current).unwrap_or(0);
                    let cut = *path[from..].iter().min_by_key(|&&x| (spans[x].start_ns, x)).unwrap_or(&current);
                    tree.parent[cut] = NO_PARENT;
                    spans[cut].notes |= notes::CYCLE_CUT;
                    tree.cycle_cuts.push(cut as SpanIx);
                    break;
                }
                _ => {}
            }
            state[current] = ON_PATH;
            path.push(current);
            match tree.parent[current] {
                NO_PARENT => break,
                p => current = p as usize,
            }
        }
        for &x in &path {
            state[x] = DONE;
        }
    }
}

/// Spans with no time at all start where their parent starts (or where the trace starts), zero-length.
fn place_untimed(spans: &mut [Span], parent: &[SpanIx]) {
    let untimed = |s: &Span| s.has(notes::MISSING_START) && s.has(notes::MISSING_DURATION) && s.start_ns == 0;
    if !spans.iter().any(untimed) {
        return;
    }
    let trace_start = spans.iter().filter(|s| !untimed(s)).map(|s| s.start_ns).min().unwrap_or(0);
    let mut placed: Vec<bool> = spans.iter().map(|s| !untimed(s)).collect();
    let mut path = Vec::new();
    for i in 0..spans.len() {
        // Walk up to the nearest placed ancestor, then place the path top-down.
        let mut current = i;
        while !placed[current] {
            path.push(current);
            match parent[current] {
                NO_PARENT => break,
                p => current = p as usize,
            }
        }
        let mut at = if placed[current] { spans[current].start_ns } else { trace_start };
        while let Some(x) = path.pop() {
            spans[x].start_ns = at;
            spans[x].end_ns = at;
            placed[x] = true;
            at = spans[x].start_ns;
        }
    }
}

/// Re-sorts children and roots after span times changed (clock-skew adjustment).
pub fn sort_children(trace: &mut Trace) {
    link_children(&trace.spans, &mut trace.tree);
}

/// Children lists (CSR), each ordered by start time then input order; roots likewise.
fn link_children(spans: &[Span], tree: &mut Tree) {
    let n = spans.len();
    let mut count = vec![0u32; n + 1];
    for &p in &tree.parent {
        if p != NO_PARENT {
            count[p as usize] += 1;
        }
    }
    let mut child_start = Vec::with_capacity(n + 1);
    let mut total = 0u32;
    for c in &count[..n] {
        child_start.push(total);
        total += c;
    }
    child_start.push(total);
    let mut fill = child_start.clone();
    let mut children = vec![0 as SpanIx; total as usize];
    for (i, &p) in tree.parent.iter().enumerate() {
        if p != NO_PARENT {
            children[fill[p as usize] as usize] = i as SpanIx;
            fill[p as usize] += 1;
        }
    }
    let by_start = |&a: &SpanIx, &b: &SpanIx| (spans[a as usize].start_ns, a).cmp(&(spans[b as usize].start_ns, b));
    for i in 0..n {
        children[child_start[i] as usize..child_start[i + 1] as usize].sort_unstable_by(by_start);
    }
    let mut roots: Vec<SpanIx> = (0..n as SpanIx).filter(|&i| tree.parent[i as usize] == NO_PARENT).collect();
    roots.sort_unstable_by(by_start);
    tree.orphans = roots.iter().copied().filter(|&r| spans[r as usize].has(notes::ORPHAN)).collect();
    tree.roots = roots;
    tree.child_start = child_start;
    tree.children = children;
    tree.cycle_cuts.sort_unstable();
}
