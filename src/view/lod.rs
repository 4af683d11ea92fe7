//! Level of detail for dense rows: a row's marks at a power-of-two ns-per-pixel, computed once per tile
//! and reused while the zoom stays within a factor of two of that level.
//!
//! Where a row has more spans in view than the canvas has pixel columns, walking the spans costs per
//! column, every frame, however little moved. Instead, the row is cut into tiles of `TILE_PX` columns of a
//! grid anchored at the trace start with `2^level` ns per column (`level` rounded down from the view's
//! ns per pixel); each tile's runs are computed once by the same walk as the exact path, given their looks
//! (colour, error, search), and merged runs that touch and look the same are joined: a stretch of one
//! service's short calls becomes one mark. The tile keeps the marks with the times they cover. A frame
//! then reads a tile's marks in order, places them by their times and joins those that start in the same
//! canvas pixel, without reading the spans behind them. Looks depend on the colouring and the search, so a
//! change of either (a new `LookKey`) drops the tiles.

use super::runs::{for_each_run, gallop, partition, Grid, Look, LookKey, Mark, Run};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Grid columns per tile: a tile is built in one go, about a sixth of a 1600 px canvas.
pub const TILE_PX: f64 = 256.0;
/// Cached marks (56 bytes each in wasm) beyond which every tile is dropped and rebuilt on demand: 17 MB.
const MAX_CACHED_MARKS: usize = 300_000;

/// Tiles of marks by (level, layer, row, tile index); one cache per `FlameModel`, whose intervals it summarizes.
#[derive(Default)]
pub struct Lod {
    tiles: RefCell<Tiles>,
}

#[derive(Default)]
struct Tiles {
    by_key: FxHashMap<(i32, Layer, u32, i64), Box<[Mark]>>,
    marks: usize,
    /// The colouring and search the marks' looks were made with.
    looks: LookKey,
}

/// Where a frame's level grid sits: `level` is floor(log2(ns per canvas pixel)).
#[derive(Clone, Copy, Debug)]
pub struct Level {
    pub level: i32,
    pub grid: Grid,
}

impl Level {
    pub fn for_ns_per_px(ns_per_px: f64) -> Level {
        let level = ns_per_px.max(f64::MIN_POSITIVE).log2().floor() as i32;
        Level { level, grid: Grid::new(0.0, 2f64.powi(level)) }
    }

    fn tile_ns(&self) -> f64 {
        self.grid.t_at(TILE_PX)
    }
}

/// What a row's intervals are: its spans, or the sections of the critical path on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    Spans,
    Critical,
}

/// One row's intervals as tiles read them: which, how many, the intervals (relative ns, sorted by start,
/// not overlapping) and how a run of them is drawn.
pub struct RowSource<I, L> {
    pub layer: Layer,
    pub row: usize,
    pub len: usize,
    pub interval: I,
    pub look: L,
}

impl<I: Fn(usize) -> (f64, f64) + Copy, L: Fn(&Run) -> Look + Copy> RowSource<I, L> {
    /// The marks of the spans that start in tile `k`.
    fn tile(&self, level: Level, k: i64) -> Box<[Mark]> {
        let (tile_ns, interval) = (level.tile_ns(), self.interval);
        let a = partition(0, self.len, |i| interval(i).0 < k as f64 * tile_ns);
        let b = partition(a, self.len, |i| interval(i).0 < (k + 1) as f64 * tile_ns);
        let mut marks: Vec<Mark> = Vec::new();
        for_each_run(a, b, interval, level.grid, |run| {
            let look = (self.look)(&run);
            if let Some(prev) = marks.last_mut() {
                if run.merged && prev.run.merged && prev.look == look && prev.run.x1 >= run.x0 {
                    prev.run = Run { end: run.end, x1: prev.run.x1.max(run.x1), end_ns: run.end_ns, ..prev.run };
                    prev.look = prev.look.join(look);
                    return;
                }
            }
            marks.push(Mark { run, look });
        });
        marks.into()
    }
}

impl Lod {
    /// Drops the tiles if their looks were made with another colouring or search than `looks`.
    pub fn use_looks(&self, looks: LookKey) {
        let mut tiles = self.tiles.borrow_mut();
        if tiles.looks != looks {
            *tiles = Tiles { looks, ..Tiles::default() };
        }
    }

    /// Marks of `source` covering window `[t0, t1]` ns, in order, in the level's grid; the first and last
    /// may reach past the window. `first` is the first span to intersect the window: if it began before the
    /// window's first tile, it is walked on its own (spans in a row do not overlap, so no other can).
    pub fn marks<I, L>(&self, source: &RowSource<I, L>, first: usize, level: Level, (t0, t1): (f64, f64), mut out: impl FnMut(Mark))
    where
        I: Fn(usize) -> (f64, f64) + Copy,
        L: Fn(&Run) -> Look + Copy,
    {
        let tile_ns = level.tile_ns();
        let (k0, k1) = ((t0.max(0.0) / tile_ns).floor() as i64, (t1.max(0.0) / tile_ns).floor() as i64);
        let tiled_from = gallop(first, source.len, |i| (source.interval)(i).0 < k0 as f64 * tile_ns);
        for_each_run(first, tiled_from, source.interval, level.grid, |run| out(Mark { run, look: (source.look)(&run) }));
        let mut tiles = self.tiles.borrow_mut();
        for k in k0..=k1 {
            let key = (level.level, source.layer, source.row as u32, k);
            if !tiles.by_key.contains_key(&key) {
                let marks = source.tile(level, k);
                if tiles.marks + marks.len() > MAX_CACHED_MARKS {
                    tiles.by_key.clear();
                    tiles.marks = 0;
                }
                tiles.marks += marks.len();
                tiles.by_key.insert(key, marks);
            }
            for mark in tiles.by_key[&key].iter() {
                if level.grid.t_at(mark.run.x0) > t1 {
                    break; // the last tile goes on past the window
                }
                out(*mark);
            }
        }
    }

    /// Tiles held (for tests).
    pub fn cached_tiles(&self) -> usize {
        self.tiles.borrow().by_key.len()
    }
}

impl std::fmt::Debug for Lod {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Lod({} tiles)", self.cached_tiles())
    }
}
