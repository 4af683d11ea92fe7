//! Draw lists: what one frame paints, computed from the layout and the viewport, and hit testing.
//!
//! Only visible rows are visited, and in each only the spans inside the window (binary search: a row's spans
//! are sorted by start and do not overlap, so their ends are sorted too). Spans narrower than `MIN_BAR_PX`
//! are merged: every span that starts in the same pixel column becomes one mark, and the walk jumps to the
//! next column by a galloping search from where it is (O(log spans in the column), close in memory). So a
//! frame costs O(visible rows × pixel columns × log density) however many spans the trace has. Rows with
//! more spans in view than pixels are read from cached level-of-detail tiles instead (`lod`), which saves
//! the search and the reads of scattered spans. Adjacent merged marks of one colour are joined, so the
//! painter issues few rectangles.

use super::colour::{Colours, Rgb};
use super::lod::{Layer, Level, Lod, RowSource};
use super::runs::{for_each_run, partition, Grid, Look, LookKey, Mark, Run, MARK_ERROR, MARK_ORPHAN, MARK_SKEW, MERGED, MIN_BAR_PX};
use super::viewport::Viewport;
use super::{FlameModel, Matches};
use crate::analysis::layout::Layout;
use crate::model::{SpanIx, Trace};

/// Bars at least this wide get a label (if the text fits).
pub const LABEL_MIN_PX: f64 = 28.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// Left edge and width in CSS px, clipped to just outside the canvas.
    pub x: f64,
    pub w: f64,
    pub row: u32,
    /// The span (the first one, for a merged mark).
    pub span: SpanIx,
    /// How many spans the mark stands for (1 for a bar of its own).
    pub count: u32,
    pub rgb: Rgb,
    /// Search is on and nothing in this mark matches.
    pub dim: bool,
    /// `MARK_*` bits: a merged mark carries `MARK_ERROR` when any of its spans is an error.
    pub marks: u8,
}

impl Bar {
    /// A single span wide enough to draw on its own (and maybe label).
    pub fn is_single(&self) -> bool {
        self.count == 1 && self.marks & MERGED == 0
    }
}

/// A stretch of the critical path on one row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stripe {
    pub x: f64,
    pub w: f64,
    pub row: u32,
}

/// What one frame draws, and the renderer's cache of level-of-detail tiles for the trace it draws (one
/// draw list per flame graph: the tiles stay valid while its trace, colouring and search do).
#[derive(Debug, Default)]
pub struct DrawList {
    pub bars: Vec<Bar>,
    pub critical: Vec<Stripe>,
    pub lod: Lod,
}

/// What a frame shows, besides the viewport.
pub struct Scene<'a> {
    pub trace: &'a Trace,
    pub layout: &'a Layout,
    pub model: &'a FlameModel,
    pub colours: &'a Colours,
    /// When a search is on: dims everything else.
    pub matches: Option<&'a Matches>,
    pub show_critical: bool,
}

impl Scene<'_> {
    /// How run `run` of a row is drawn (`spans` are the row's, from `base` in the layout's row order): the
    /// first span's colour; a merged run marked as an error when any of its spans is one, and dimmed when
    /// none matches the search; a single span, or a merged run of one, keeps its orphan and skew marks.
    fn look(&self, base: usize, spans: &[SpanIx], run: &Run) -> Look {
        let span = spans[run.first] as usize;
        let (a, b) = (base + run.first, base + run.end);
        let own = self.model.marks[span] & (MARK_ERROR | MARK_ORPHAN | MARK_SKEW);
        let marks = match (run.merged, run.end - run.first) {
            (false, _) => own,
            (true, 1) => MERGED | own,
            (true, _) => MERGED | if self.model.error_prefix[b] - self.model.error_prefix[a] > 0 { MARK_ERROR } else { 0 },
        };
        let dim = self.matches.is_some_and(|m| m.prefix[b] - m.prefix[a] == 0);
        Look { rgb: self.colours.span[span], dim, marks }
    }

    /// Which colours and search the looks come from: level-of-detail tiles keep looks made with one key.
    pub fn look_key(&self) -> LookKey {
        (self.colours.stamp, self.matches.map_or(0, |m| m.stamp))
    }
}

impl DrawList {
    /// Rebuilds the list for one frame, reusing its buffers.
    pub fn build(&mut self, scene: &Scene, vp: &Viewport) {
        self.build_with(scene, vp, LOD_MIN_SPANS_PER_PX);
    }

    /// `build`, reading rows with more than `lod_min` spans (or critical sections) in view per canvas pixel
    /// from level-of-detail tiles.
    fn build_with(&mut self, scene: &Scene, vp: &Viewport, lod_min: f64) {
        self.bars.clear();
        self.critical.clear();
        self.lod.use_looks(scene.look_key());
        let walk = RowWalk { vp, level: Level::for_ns_per_px(vp.ns_per_px()), lod: &self.lod, lod_min };
        // Just outside the canvas, so that clipped edges are not drawn.
        let clip = |x: f64| x.clamp(-2.0, vp.width + 2.0);
        for row in vp.visible_rows() {
            let base = scene.layout.row_start[row] as usize;
            let spans = scene.layout.spans_in_row(row);
            let times = &scene.model.row_interval[base..base + spans.len()];
            let look = |run: &Run| scene.look(base, spans, run);
            let source = RowSource { layer: Layer::Spans, row, len: spans.len(), interval: |i: usize| times[i], look };
            let row_first_bar = self.bars.len();
            walk.runs(&source, |run, look| {
                let bar = Bar {
                    x: clip(run.x0),
                    w: clip(run.x1) - clip(run.x0),
                    row: row as u32,
                    span: spans[run.first],
                    count: (run.end - run.first) as u32,
                    rgb: look.rgb,
                    dim: look.dim,
                    marks: look.marks,
                };
                // Join a merged mark to the previous one when they touch and look the same.
                if let Some(prev) = self.bars[row_first_bar..].last_mut() {
                    let same = prev.marks & MERGED != 0 && bar.marks == prev.marks && prev.rgb == bar.rgb && prev.dim == bar.dim;
                    if run.merged && same && prev.x + prev.w >= bar.x - 0.01 {
                        prev.w = bar.x + bar.w - prev.x;
                        prev.count += bar.count;
                        return;
                    }
                }
                self.bars.push(bar);
            });
            if scene.show_critical {
                let sections = scene.model.critical_in_row(row);
                let interval = |i: usize| (sections[i].0 as f64, sections[i].1 as f64);
                let source = RowSource { layer: Layer::Critical, row, len: sections.len(), interval, look: |_: &Run| CRITICAL };
                let row_first = self.critical.len();
                walk.runs(&source, |run, _| {
                    let (x0, x1) = (clip(run.x0), clip(run.x1));
                    if let Some(prev) = self.critical[row_first..].last_mut() {
                        if prev.x + prev.w >= x0 - 0.5 {
                            prev.w = prev.w.max(x1 - prev.x);
                            return;
                        }
                    }
                    self.critical.push(Stripe { x: x0, w: x1 - x0, row: row as u32 });
                });
            }
        }
    }

    /// Bars that should carry a label: single spans wide enough.
    pub fn labelled(&self) -> impl Iterator<Item = &Bar> {
        self.bars.iter().filter(|b| b.is_single() && b.w >= LABEL_MIN_PX)
    }
}

/// A row with more spans (or critical sections) in view than this per canvas pixel is drawn from cached
/// level-of-detail tiles.
pub const LOD_MIN_SPANS_PER_PX: f64 = 1.0;

/// Critical sections all look the same: stripes of one colour.
const CRITICAL: Look = Look { rgb: 0, dim: false, marks: 0 };

/// How one frame walks a row's intervals: exactly, or from level-of-detail tiles where the row has more than
/// `lod_min` intervals in view per canvas pixel.
struct RowWalk<'a> {
    vp: &'a Viewport,
    level: Level,
    lod: &'a Lod,
    lod_min: f64,
}

impl RowWalk<'_> {
    /// The runs of `source` that meet the viewport's window, in order, on the canvas, with their looks.
    fn runs<I, L>(&self, source: &RowSource<I, L>, mut emit: impl FnMut(Run, Look))
    where
        I: Fn(usize) -> (f64, f64) + Copy,
        L: Fn(&Run) -> Look + Copy,
    {
        let (window, canvas) = ((self.vp.start_ns, self.vp.end_ns()), self.vp.grid());
        let (first, last) = in_window(source.len, source.interval, window);
        if (last - first) as f64 > self.vp.width * self.lod_min {
            let mut placed = CanvasRuns { canvas, interval: source.interval, look: source.look, in_view: (first, last), pending: None };
            self.lod.marks(source, first, self.level, window, |mark| placed.push(mark, &mut emit));
            placed.flush(&mut emit);
        } else {
            for_each_run(first, last, source.interval, canvas, |run| emit(run, (source.look)(&run)));
        }
    }
}

/// The intervals (sorted by start, not overlapping) that meet `[t0, t1]`: `first..last`.
/// A row's first and last intervals are checked before searching: zoomed out, a search over a long row would
/// miss the cache at every step only to find its ends.
fn in_window(len: usize, interval: impl Fn(usize) -> (f64, f64), (t0, t1): (f64, f64)) -> (usize, usize) {
    if len == 0 {
        return (0, 0);
    }
    let first = if interval(0).1 >= t0 { 0 } else { partition(0, len, |i| interval(i).1 < t0) };
    let last = if interval(len - 1).0 <= t1 { len } else { partition(first, len, |i| interval(i).0 <= t1) };
    (first, last)
}

/// Level-of-detail marks placed on the canvas from the times they carry (a level column is finer than a
/// canvas pixel, at most half as wide, and does not line up with it): a single span as wide as a canvas
/// pixel stays a bar of its own; marks that start in the same canvas pixel column join into one. A mark
/// therefore differs from the exact walk's by less than a pixel, where a level column straddles two canvas
/// columns; which spans it stands for, and the bars wide enough to see, are the same.
struct CanvasRuns<I, L> {
    canvas: Grid,
    interval: I,
    look: L,
    /// The spans in view, `first..last`: marks are cut to these.
    in_view: (usize, usize),
    pending: Option<Mark>,
}

impl<I: Fn(usize) -> (f64, f64) + Copy, L: Fn(&Run) -> Look> CanvasRuns<I, L> {
    fn push(&mut self, Mark { mut run, mut look }: Mark, emit: &mut impl FnMut(Run, Look)) {
        let (first, end) = (run.first.max(self.in_view.0), run.end.min(self.in_view.1));
        if first >= end {
            return;
        }
        if (first, end) != (run.first, run.end) {
            // Cut at the window's edge (once or twice a row): the times and look are those of its new ends.
            run = Run { first, end, start_ns: (self.interval)(first).0, end_ns: (self.interval)(end - 1).1, ..run };
            look = (self.look)(&run);
        }
        let (x0, x1) = (self.canvas.x_of(run.start_ns), self.canvas.x_of(run.end_ns));
        if !run.merged && x1 - x0 >= MIN_BAR_PX {
            self.flush(emit);
            return emit(Run { x0, x1, ..run }, look);
        }
        let column = x0.floor();
        match &mut self.pending {
            Some(p) if p.run.x0 == column => {
                p.run.end = run.end;
                p.run.x1 = p.run.x1.max(x1);
                p.look = p.look.join(look);
            }
            _ => {
                self.flush(emit);
                let look = Look { marks: look.marks | MERGED, ..look };
                self.pending = Some(Mark { run: Run { x0: column, x1, merged: true, ..run }, look });
            }
        }
    }

    fn flush(&mut self, emit: &mut impl FnMut(Run, Look)) {
        if let Some(Mark { run, look }) = self.pending.take() {
            emit(Run { x1: run.x1.max(run.x0 + 1.0), ..run }, look);
        }
    }
}

/// Pointer tolerance for thin spans, CSS px.
const HIT_SLOP_PX: f64 = 3.0;

/// The span under canvas point (x, y): the one containing the time at x in the row at y, or, for spans too
/// thin to aim at, the nearest within `HIT_SLOP_PX`.
pub fn hit(layout: &Layout, model: &FlameModel, vp: &Viewport, x: f64, y: f64) -> Option<SpanIx> {
    let row = vp.row_at(y)?;
    let spans = layout.spans_in_row(row);
    let times = &model.row_interval[layout.row_start[row] as usize..];
    let t = vp.t_at(x);
    let slop = HIT_SLOP_PX * vp.ns_per_px();
    let rel = |i: usize| times[i];
    let first = partition(0, spans.len(), |i| rel(i).1 < t - slop);
    let distance = |i: usize| {
        let (s, e) = rel(i);
        if t < s {
            s - t
        } else if t > e {
            t - e
        } else {
            0.0
        }
    };
    (first..spans.len())
        .take_while(|&i| rel(i).0 <= t + slop)
        .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))
        .filter(|&i| distance(i) <= slop)
        .map(|i| spans[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::view::viewport::AXIS_HEIGHT;

    /// A root of 1000 µs with `n` sequential 1 µs children in row 1 starting at 100 µs, and one wide child.
    fn trace(n: usize) -> (crate::TraceSet, crate::analysis::TraceAnalysis) {
        let mut picture = String::from("root web 0..1000us\n");
        for i in 0..n {
            picture += &format!("  q db {}..{}us\n", 100 + i, 101 + i);
        }
        picture += "  wide web 800..950us error\n";
        let set = crate::testing::trace_set(&picture);
        let analysis = analyze(&set, 0);
        (set, analysis)
    }

    fn draw(set: &crate::TraceSet, a: &crate::analysis::TraceAnalysis, vp: &Viewport, matches: Option<&Matches>) -> DrawList {
        let trace = &set.traces[0];
        let model = FlameModel::new(set, trace, a);
        let colours = super::super::colour::colours(set, trace, &a.stats.self_ns, Default::default());
        let mut list = DrawList::default();
        let scene = Scene { trace, layout: &a.layout, model: &model, colours: &colours, matches, show_critical: true };
        list.build(&scene, vp);
        list
    }

    #[test]
    fn thin_spans_merge_per_pixel_column_and_wide_ones_stay_single() {
        let (set, a) = trace(300);
        // 1000 px for 1000 µs: each 1 µs child is exactly one pixel wide: drawn one by one.
        let vp = Viewport::new(1_000_000, a.layout.row_count(), 1000.0, 200.0);
        let list = draw(&set, &a, &vp, None);
        assert_eq!(list.bars.iter().filter(|b| b.row == 1).count(), 301);
        // 100 px: ten children per column, joined into one mark for the whole run.
        let vp = Viewport::new(1_000_000, a.layout.row_count(), 100.0, 200.0);
        let list = draw(&set, &a, &vp, None);
        let row1: Vec<&Bar> = list.bars.iter().filter(|b| b.row == 1).collect();
        assert_eq!(row1.len(), 2, "{row1:?}");
        assert_eq!(row1[0].count, 300);
        assert!((row1[0].x - 10.0).abs() < 1e-9 && (row1[0].w - 30.0).abs() < 1e-9);
        assert!(row1[1].is_single() && row1[1].marks & MARK_ERROR != 0, "the wide error span keeps its own bar");
        assert_eq!(list.labelled().count(), 1, "only the root is wide enough for a label");
    }

    /// Which pixel columns (shifted by 2, as marks may start just left of the canvas) rectangles cover.
    fn columns(rects: impl Iterator<Item = (f64, f64)>, width: f64) -> Vec<bool> {
        let mut cover = vec![false; width as usize + 6];
        for (x, w) in rects {
            let (x0, x1) = ((x.floor() + 2.0) as usize, (x + w + 2.0).ceil() as usize);
            let x1 = x1.max(x0 + 1).min(cover.len());
            cover[x0..x1].iter_mut().for_each(|c| *c = true);
        }
        cover
    }

    /// Every column covered in one is covered in the other, give or take one.
    fn covered_alike(tiled: &[bool], exact: &[bool], what: &str) {
        let near = |cover: &[bool], x: usize| cover[x.saturating_sub(1)..(x + 2).min(cover.len())].contains(&true);
        for x in 0..tiled.len() {
            assert!(!tiled[x] || near(exact, x), "{what}: column {x} drawn only from tiles");
            assert!(!exact[x] || near(tiled, x), "{what}: column {x} drawn only exactly");
        }
    }

    /// Per row: the same single bars, the same number of spans, and marks, error marks, undimmed marks and
    /// critical-path stripes covering the same pixel columns give or take one at their edges.
    fn same_within_a_pixel(tiled: &DrawList, exact: &DrawList, width: f64, at: &str) {
        let rows = exact.bars.iter().chain(&tiled.bars).map(|b| b.row).max().unwrap_or(0);
        for row in 0..=rows {
            let of = |list: &DrawList| list.bars.iter().filter(|b| b.row == row).copied().collect::<Vec<Bar>>();
            let (t, e) = (of(tiled), of(exact));
            let singles = |bars: &[Bar]| bars.iter().filter(|b| b.is_single()).map(|b| (b.span, b.x, b.w)).collect::<Vec<_>>();
            assert_eq!(singles(&t), singles(&e), "{at}: row {row} single bars");
            let count = |bars: &[Bar]| bars.iter().map(|b| b.count).sum::<u32>();
            assert_eq!(count(&t), count(&e), "{at}: row {row} spans drawn");
            // Where marks are, where errors are and where search matches are. (Not where each colour is: a
            // merged mark takes its first span's colour, and the first span of a level column that straddles
            // two canvas columns may belong to the right one, so a colour seen in one column can be absent.)
            let kinds: [(&str, &dyn Fn(&Bar) -> bool); 3] =
                [("marks", &|_| true), ("errors", &|b| b.marks & MARK_ERROR != 0), ("matches", &|b| !b.dim)];
            for (kind, which) in kinds {
                let cover = |bars: &[Bar]| columns(bars.iter().filter(|b| which(b)).map(|b| (b.x, b.w)), width);
                covered_alike(&cover(&t), &cover(&e), &format!("{at}: row {row}: {kind}"));
            }
            let stripes = |list: &DrawList| columns(list.critical.iter().filter(|s| s.row == row).map(|s| (s.x, s.w)), width);
            covered_alike(&stripes(tiled), &stripes(exact), &format!("{at}: row {row}: critical path"));
        }
    }

    #[test]
    fn level_of_detail_tiles_draw_what_the_exact_walk_draws_within_a_pixel() {
        use crate::generate::{generate, GenConfig, GenFormat};
        let bytes = generate(&GenConfig { spans: 20_000, traces: 1, seed: 7, format: GenFormat::OtlpJson });
        let set = crate::load("g.json", &bytes).unwrap();
        let a = analyze(&set, 0);
        let trace = &set.traces[0];
        let model = FlameModel::new(&set, trace, &a);
        let colours = super::super::colour::colours(&set, trace, &a.stats.self_ns, Default::default());
        let query = crate::analysis::search::parse("name:score").unwrap(); // a few spans: a mark that loses its match shows
        let matches = Matches::new(trace, &a.layout, query.matching(&set, trace));
        // One renderer throughout, as a flame graph keeps it: its tiles must follow the search and the zoom.
        let mut tiled = DrawList::default();
        for matches in [None, Some(&matches)] {
            let scene = Scene { trace, layout: &a.layout, model: &model, colours: &colours, matches, show_critical: true };
            for width in [300.0, 1600.0] {
                let mut vp = Viewport::new(model.total_ns, a.layout.row_count(), width, 2000.0);
                // Zoomed out, then in steps around the middle and a pan: each zoom within a level, and across.
                for step in 0..24 {
                    let mut exact = DrawList::default();
                    tiled.build(&scene, &vp);
                    exact.build_with(&scene, &vp, f64::INFINITY);
                    let at = format!("width {width}, step {step}, window {} + {}", vp.start_ns, vp.window_ns);
                    same_within_a_pixel(&tiled, &exact, width, &at);
                    if step % 6 == 5 {
                        vp.pan_px(width / 3.0, 0.0);
                    } else {
                        vp.zoom_at(0.75, width * 0.4);
                    }
                }
            }
        }
        assert!(tiled.lod.cached_tiles() > 0, "dense rows were drawn from tiles");
    }

    #[test]
    fn only_the_visible_window_is_drawn() {
        let (set, a) = trace(300);
        let mut vp = Viewport::new(1_000_000, a.layout.row_count(), 1000.0, 200.0);
        vp.frame(150_000.0, 160_000.0, None);
        let list = draw(&set, &a, &vp, None);
        let row1: Vec<&Bar> = list.bars.iter().filter(|b| b.row == 1).collect();
        assert!(row1.len() >= 10 && row1.len() <= 14, "{}", row1.len());
        assert!(row1.iter().all(|b| b.x + b.w >= -2.0 && b.x <= 1002.0));
    }

    #[test]
    fn search_dims_marks_without_matches() {
        let (set, a) = trace(300);
        let trace = &set.traces[0];
        let query = crate::analysis::search::parse("name:wide").unwrap();
        let matches = Matches::new(trace, &a.layout, query.matching(&set, trace));
        let vp = Viewport::new(1_000_000, a.layout.row_count(), 100.0, 200.0);
        let list = draw(&set, &a, &vp, Some(&matches));
        let dimmed: Vec<bool> = list.bars.iter().map(|b| b.dim).collect();
        assert_eq!(dimmed, vec![true, true, false]);
    }

    #[test]
    fn the_critical_path_is_drawn_as_stripes() {
        let (set, a) = trace(300);
        let vp = Viewport::new(1_000_000, a.layout.row_count(), 1000.0, 200.0);
        let list = draw(&set, &a, &vp, None);
        assert!(list.critical.iter().any(|s| s.row == 0));
        let row1: Vec<(f64, f64)> = list.critical.iter().filter(|s| s.row == 1).map(|s| (s.x.round(), s.w.round())).collect();
        assert_eq!(row1, vec![(100.0, 300.0), (800.0, 150.0)], "the sequential children joined, then the wide child");
    }

    #[test]
    fn hit_finds_the_span_under_the_pointer_or_a_thin_one_nearby() {
        let (set, a) = trace(300);
        let trace = &set.traces[0];
        let model = FlameModel::new(&set, trace, &a);
        let vp = Viewport::new(1_000_000, a.layout.row_count(), 1000.0, 200.0);
        let row_y = |r: f64| AXIS_HEIGHT + r * 20.0 + 10.0;
        let name = |s: Option<SpanIx>| s.map(|s| set.str(trace.spans[s as usize].name).to_string());
        assert_eq!(name(hit(&a.layout, &model, &vp, 500.0, row_y(0.0))).as_deref(), Some("root"));
        assert_eq!(name(hit(&a.layout, &model, &vp, 850.0, row_y(1.0))).as_deref(), Some("wide"));
        assert_eq!(hit(&a.layout, &model, &vp, 150.5, row_y(1.0)), Some(51), "child 50 starts at 150 µs");
        assert_eq!(hit(&a.layout, &model, &vp, 600.0, row_y(1.0)), None, "nothing near");
        assert_eq!(hit(&a.layout, &model, &vp, 500.0, row_y(5.0)), None, "no such row");
        assert_eq!(hit(&a.layout, &model, &vp, 500.0, 5.0), None, "the axis");
    }
}
