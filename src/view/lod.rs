//! Level of detail for dense rows: a row's marks at a power-of-two ns-per-pixel, computed once per tile
//! and reused while the zoom stays within a factor of two of that level.
//!
//! Where a row has more spans in view than the canvas has pixel columns, walking the spans costs per
//! column, every frame, however little moved. Instead, the row is cut into tiles of `TILE_PX` columns of a
//! grid anchored at the trace start with `2^level` ns per column (`level` rounded down from the view's
//! ns per pixel); each tile's runs are computed once by the same walk as the exact path and cached, with
//! the times they cover. A frame then reads the cached runs in order, places them by their times and joins
//! those that start in the same canvas pixel, without reading the spans behind them. Runs hold span
//! indices, not colours, so colouring and search need no new tiles.

use super::draw::{for_each_run, partition, Grid, Run};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Grid columns per tile: a tile is built in one go, about a sixth of a 1600 px canvas.
pub const TILE_PX: f64 = 256.0;
/// Cached runs (48 bytes each in wasm) beyond which every tile is dropped and rebuilt on demand: 15 MB.
const MAX_CACHED_RUNS: usize = 300_000;

/// Tiles of runs by (level, row, tile index); one cache per `FlameModel`, whose intervals it summarizes.
#[derive(Default)]
pub struct Lod {
    tiles: RefCell<Tiles>,
}

#[derive(Default)]
struct Tiles {
    by_key: FxHashMap<(i32, u32, i64), Box<[Run]>>,
    runs: usize,
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
        Level { level, grid: Grid { origin_ns: 0.0, ns_per_px: 2f64.powi(level) } }
    }

    fn tile_ns(&self) -> f64 {
        TILE_PX * self.grid.ns_per_px
    }
}

impl Lod {
    /// Runs of `row` (whose intervals are `interval(0..len)`) covering window `[t0, t1]` ns, in order, in the
    /// level's grid; the first and last may reach past the window. `first` is the first span to intersect
    /// the window: if it began before the window's first tile, it is walked on its own (spans in a row do
    /// not overlap, so no other can).
    #[allow(clippy::too_many_arguments)]
    pub fn runs(
        &self,
        row: usize,
        len: usize,
        first: usize,
        interval: impl Fn(usize) -> (f64, f64) + Copy,
        level: Level,
        (t0, t1): (f64, f64),
        mut out: impl FnMut(Run),
    ) {
        let tile_ns = level.tile_ns();
        let (k0, k1) = ((t0.max(0.0) / tile_ns).floor() as i64, (t1.max(0.0) / tile_ns).floor() as i64);
        let tiled_from = partition(first, len, |i| interval(i).0 < k0 as f64 * tile_ns);
        for_each_run(first, tiled_from, interval, level.grid, &mut out);
        let mut tiles = self.tiles.borrow_mut();
        for k in k0..=k1 {
            let key = (level.level, row as u32, k);
            if !tiles.by_key.contains_key(&key) {
                let runs = tile(len, interval, level, k);
                if tiles.runs + runs.len() > MAX_CACHED_RUNS {
                    tiles.by_key.clear();
                    tiles.runs = 0;
                }
                tiles.runs += runs.len();
                tiles.by_key.insert(key, runs);
            }
            for run in tiles.by_key[&key].iter() {
                if level.grid.t_at(run.x0) > t1 {
                    break; // the last tile goes on past the window
                }
                out(*run);
            }
        }
    }

    /// Tiles held (for tests).
    pub fn cached_tiles(&self) -> usize {
        self.tiles.borrow().by_key.len()
    }
}

/// The runs of the spans that start in tile `k`.
fn tile(len: usize, interval: impl Fn(usize) -> (f64, f64) + Copy, level: Level, k: i64) -> Box<[Run]> {
    let tile_ns = level.tile_ns();
    let a = partition(0, len, |i| interval(i).0 < k as f64 * tile_ns);
    let b = partition(a, len, |i| interval(i).0 < (k + 1) as f64 * tile_ns);
    let mut runs = Vec::new();
    for_each_run(a, b, interval, level.grid, |run| runs.push(run));
    runs.into()
}

/// A cache is not part of what a model is: clones start empty, and equality ignores it.
impl Clone for Lod {
    fn clone(&self) -> Lod {
        Lod::default()
    }
}

impl PartialEq for Lod {
    fn eq(&self, _: &Lod) -> bool {
        true
    }
}

impl std::fmt::Debug for Lod {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Lod({} tiles)", self.cached_tiles())
    }
}
