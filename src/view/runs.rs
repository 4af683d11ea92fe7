//! Grid and run math, a leaf that the draw list, the level-of-detail tiles and the viewport share: a linear
//! time axis in pixels, runs of intervals drawn as one mark, their looks, and the searches over sorted rows.

use super::colour::Rgb;

/// Mark bits of a span or a mark.
pub const MARK_ERROR: u8 = 1;
/// Orphans (broken propagation) and roots cut from a cycle.
pub const MARK_ORPHAN: u8 = 2;
pub const MARK_SKEW: u8 = 4;

/// Spans at least this wide (CSS px) are drawn one by one; thinner ones are merged per pixel column.
pub const MIN_BAR_PX: f64 = 1.0;

/// Internal mark bit: the bar is a level-of-detail mark (thinner than `MIN_BAR_PX` before widening).
pub const MERGED: u8 = 0x80;

/// How a mark is drawn: its colour, dimmed by a search or not, and `MARK_*` bits (`MERGED` for a merged mark).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub rgb: Rgb,
    pub dim: bool,
    pub marks: u8,
}

impl Look {
    /// Two marks drawn as one merged mark: the first's colour, an error when either holds one, dimmed when
    /// both are; orphan and skew marks belong to single spans, so a mark of several carries none.
    pub fn join(self, next: Look) -> Look {
        Look { rgb: self.rgb, dim: self.dim && next.dim, marks: MERGED | (self.marks | next.marks) & MARK_ERROR }
    }
}

/// Identifies a colouring and a search (`Colours::stamp`, `Matches::stamp`; 0 for no search).
pub type LookKey = (u64, u64);

/// A run and how it is drawn, as level-of-detail tiles keep them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    pub run: Run,
    pub look: Look,
}

/// A linear time axis: x = (t - origin) / ns per px. The canvas has one (the viewport's); level-of-detail
/// tiles have one anchored at the trace start.
#[derive(Clone, Copy, Debug)]
pub struct Grid {
    origin_ns: f64,
    ns_per_px: f64,
    /// 1 / ns_per_px: placing a mark multiplies rather than divides.
    px_per_ns: f64,
}

impl Grid {
    pub fn new(origin_ns: f64, ns_per_px: f64) -> Grid {
        Grid { origin_ns, ns_per_px, px_per_ns: 1.0 / ns_per_px }
    }

    pub fn x_of(&self, t: f64) -> f64 {
        (t - self.origin_ns) * self.px_per_ns
    }

    pub fn t_at(&self, x: f64) -> f64 {
        self.origin_ns + x * self.ns_per_px
    }
}

/// Consecutive intervals drawn as one mark: `first..end` (indices in the row), spanning [x0, x1] px of a
/// grid (not clipped to the canvas); their own times run from `start_ns` (the first's start) to `end_ns`
/// (the last's end), which level-of-detail tiles keep so that placing a run reads no span.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    pub first: usize,
    pub end: usize,
    pub x0: f64,
    pub x1: f64,
    pub merged: bool,
    pub start_ns: f64,
    pub end_ns: f64,
}

/// Walks intervals `lo..hi` (relative ns, sorted by start, not overlapping) as runs: an interval at least
/// `MIN_BAR_PX` wide on its own, or everything starting in one pixel column merged into a mark at least
/// one pixel wide.
pub fn for_each_run(lo: usize, hi: usize, interval: impl Fn(usize) -> (f64, f64), grid: Grid, mut emit: impl FnMut(Run)) {
    let mut i = lo;
    while i < hi {
        let (s, e) = interval(i);
        let (x0, x1) = (grid.x_of(s), grid.x_of(e));
        if x1 - x0 >= MIN_BAR_PX {
            emit(Run { first: i, end: i + 1, x0, x1, merged: false, start_ns: s, end_ns: e });
            i += 1;
            continue;
        }
        // Everything that starts in this pixel column joins the mark.
        let column_end = grid.t_at(x0.floor() + 1.0);
        let mut end = gallop(i + 1, hi, |k| interval(k).0 < column_end);
        let (ls, le) = interval(end - 1);
        if end - 1 > i && grid.x_of(le) - grid.x_of(ls) >= MIN_BAR_PX {
            end -= 1; // the last one is wide: it gets its own bar next
        }
        let end_ns = interval(end - 1).1;
        let right = grid.x_of(end_ns).max(x0.floor() + 1.0);
        emit(Run { first: i, end, x0: x0.floor(), x1: right, merged: true, start_ns: s, end_ns });
        i = end;
    }
}

/// The first index in `lo..hi` where `pred` is false (`pred` must be true, then false, over the range).
pub fn partition(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// `partition` for an answer expected near `lo` (the spans of one pixel column): probes lo, lo+2, lo+6,
/// lo+14… (gaps doubling), then binary-searches the last gap. O(log distance), and the probes stay close in
/// memory — a binary search over a whole 100k-span row per pixel column missed the cache at every step.
pub fn gallop(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut step) = (lo, 1);
    // Every index before `low` satisfies `pred`.
    while low < hi {
        let probe = (low + step - 1).min(hi - 1);
        if !pred(probe) {
            return partition(low, probe, pred);
        }
        low = probe + 1;
        step *= 2;
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn galloping_finds_the_same_boundary_as_binary_search() {
        for hi in 0..40 {
            for lo in 0..=hi {
                for boundary in lo..=hi {
                    let pred = |i: usize| i < boundary;
                    assert_eq!(gallop(lo, hi, pred), partition(lo, hi, pred), "lo {lo} hi {hi} boundary {boundary}");
                }
            }
        }
    }
}
