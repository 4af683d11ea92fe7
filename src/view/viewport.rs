//! What part of a trace is on screen: a time window mapped onto the canvas width, and a vertical scroll
//! over the layout's rows. Times here are nanoseconds relative to the trace's start, as `f64` (a day of
//! nanoseconds is 8.6e13, far inside f64's exact-integer range).

/// Height of one flame-graph row, CSS pixels.
pub const ROW_HEIGHT: f64 = 20.0;
/// Height of the time axis above the rows, CSS pixels.
pub const AXIS_HEIGHT: f64 = 24.0;
/// The deepest zoom: this many nanoseconds across the whole width.
pub const MIN_WINDOW_NS: f64 = 20.0;
/// Framing a span leaves this share of the window free on each side.
const FRAME_MARGIN: f64 = 0.08;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Length of the whole trace, ns (at least 1).
    pub total_ns: f64,
    /// Visible window: [start_ns, start_ns + window_ns], relative to the trace start.
    pub start_ns: f64,
    pub window_ns: f64,
    /// Canvas size in CSS pixels; rows are drawn below the axis.
    pub width: f64,
    pub height: f64,
    /// Vertical scroll of the rows, CSS pixels.
    pub scroll_top: f64,
    pub rows: usize,
}

impl Viewport {
    /// The whole trace in view.
    pub fn new(total_ns: i64, rows: usize, width: f64, height: f64) -> Viewport {
        let total_ns = (total_ns as f64).max(1.0);
        Viewport { total_ns, start_ns: 0.0, window_ns: total_ns, width: width.max(1.0), height, scroll_top: 0.0, rows }
    }

    pub fn end_ns(&self) -> f64 {
        self.start_ns + self.window_ns
    }

    pub fn ns_per_px(&self) -> f64 {
        self.window_ns / self.width
    }

    /// The canvas's time axis.
    pub fn grid(&self) -> super::runs::Grid {
        super::runs::Grid::new(self.start_ns, self.ns_per_px())
    }

    /// Canvas x of a time (ns from the trace start).
    pub fn x_of(&self, t: f64) -> f64 {
        (t - self.start_ns) / self.window_ns * self.width
    }

    /// Time (ns from the trace start) at canvas x.
    pub fn t_at(&self, x: f64) -> f64 {
        self.start_ns + x / self.width * self.window_ns
    }

    /// Canvas y of the top of `row`.
    pub fn y_of_row(&self, row: usize) -> f64 {
        AXIS_HEIGHT + row as f64 * ROW_HEIGHT - self.scroll_top
    }

    /// The row under canvas y, if any.
    pub fn row_at(&self, y: f64) -> Option<usize> {
        if y < AXIS_HEIGHT {
            return None;
        }
        let row = ((y - AXIS_HEIGHT + self.scroll_top) / ROW_HEIGHT).floor() as usize;
        (row < self.rows).then_some(row)
    }

    /// Rows at least partly visible: `first..end`.
    pub fn visible_rows(&self) -> std::ops::Range<usize> {
        let first = (self.scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
        let end = ((self.scroll_top + self.rows_height()) / ROW_HEIGHT).ceil().max(0.0) as usize;
        first.min(self.rows)..end.min(self.rows)
    }

    /// Height available to rows (below the axis).
    pub fn rows_height(&self) -> f64 {
        (self.height - AXIS_HEIGHT).max(0.0)
    }

    pub fn max_scroll(&self) -> f64 {
        (self.rows as f64 * ROW_HEIGHT - self.rows_height()).max(0.0)
    }

    pub fn resize(&mut self, width: f64, height: f64) {
        self.width = width.max(1.0);
        self.height = height;
        self.clamp();
    }

    /// Zooms by `factor` (< 1 zooms in) keeping the time under canvas x `anchor_x` in place.
    pub fn zoom_at(&mut self, factor: f64, anchor_x: f64) {
        let anchor_t = self.t_at(anchor_x);
        self.window_ns = (self.window_ns * factor).clamp(MIN_WINDOW_NS.min(self.total_ns), self.total_ns);
        self.start_ns = anchor_t - anchor_x / self.width * self.window_ns;
        self.clamp();
    }

    /// Moves the view by canvas pixels: positive `dx` shows later times, positive `dy` lower rows.
    pub fn pan_px(&mut self, dx: f64, dy: f64) {
        self.start_ns += dx * self.ns_per_px();
        self.scroll_top += dy;
        self.clamp();
    }

    /// The whole trace, scrolled to the top.
    pub fn reset(&mut self) {
        self.start_ns = 0.0;
        self.window_ns = self.total_ns;
        self.scroll_top = 0.0;
    }

    /// Shows [t0, t1] (ns from the trace start) with a margin on each side, and brings `row` into view.
    pub fn frame(&mut self, t0: f64, t1: f64, row: Option<usize>) {
        let len = (t1 - t0).max(0.0);
        self.window_ns = (len / (1.0 - 2.0 * FRAME_MARGIN)).clamp(MIN_WINDOW_NS.min(self.total_ns), self.total_ns);
        self.start_ns = (t0 + t1) / 2.0 - self.window_ns / 2.0;
        if let Some(row) = row {
            self.reveal_row(row);
        }
        self.clamp();
    }

    /// Shows exactly [t0, t1] (ns from the trace start; a link's `window=`), within the trace.
    pub fn show_window(&mut self, t0: f64, t1: f64) {
        self.window_ns = t1 - t0;
        self.start_ns = t0;
        self.clamp();
    }

    /// The visible window as whole ns from the trace start (what a link's `window=` holds).
    pub fn window(&self) -> (i64, i64) {
        (self.start_ns.round() as i64, self.end_ns().round() as i64)
    }

    /// The window the views share (`Look::window`): `None` while the whole trace is in view.
    pub fn shared_window(&self) -> Option<(i64, i64)> {
        (self.window_ns < self.total_ns).then(|| self.window())
    }

    /// Shows a shared window, or the whole trace for `None`.
    pub fn show_shared_window(&mut self, window: Option<(i64, i64)>) {
        match window {
            Some((start, end)) => self.show_window(start as f64, end as f64),
            None => self.reset(),
        }
    }

    /// Shows [t0, t1] in the window; `frame`s it only when it is not already in view.
    pub fn reveal(&mut self, t0: f64, t1: f64, row: usize) {
        let fits = t0 >= self.start_ns && t1 <= self.end_ns();
        let too_small = (t1 - t0) / self.ns_per_px() < 2.0 && self.window_ns > MIN_WINDOW_NS;
        if !fits || too_small {
            self.frame(t0, t1, Some(row));
        } else {
            self.reveal_row(row);
            self.clamp();
        }
    }

    /// Scrolls just enough for `row` to be fully visible.
    pub fn reveal_row(&mut self, row: usize) {
        let top = row as f64 * ROW_HEIGHT;
        let bottom = top + ROW_HEIGHT;
        if top < self.scroll_top {
            self.scroll_top = top;
        } else if bottom > self.scroll_top + self.rows_height() {
            self.scroll_top = bottom - self.rows_height();
        }
    }

    /// Keeps the window inside the trace and the scroll inside the rows.
    fn clamp(&mut self) {
        self.window_ns = self.window_ns.clamp(MIN_WINDOW_NS.min(self.total_ns), self.total_ns);
        self.start_ns = self.start_ns.clamp(0.0, self.total_ns - self.window_ns);
        self.scroll_top = self.scroll_top.clamp(0.0, self.max_scroll());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_shown_is_the_window_read_back_within_the_trace() {
        let mut vp = Viewport::new(1_000_000, 10, 800.0, 400.0);
        vp.show_window(250_000.0, 500_000.0);
        assert_eq!(vp.window(), (250_000, 500_000));
        vp.show_window(900_000.0, 2_000_000.0);
        assert_eq!(vp.window(), (0, 1_000_000), "wider than the trace: the whole trace");
        vp.show_window(-50.0, 100_000.0);
        assert_eq!(vp.window().0, 0);
        assert_eq!(vp.shared_window(), Some((0, 100_050)), "moved into the trace, width kept");
        vp.show_shared_window(None);
        assert_eq!(vp.shared_window(), None, "the whole trace");
        vp.show_shared_window(Some((10, 20_000)));
        assert_eq!(vp.shared_window(), Some((10, 20_000)));
    }

    fn vp() -> Viewport {
        Viewport::new(1_000_000, 100, 1000.0, 24.0 + 200.0)
    }

    #[test]
    fn maps_time_to_pixels_and_back() {
        let v = vp();
        assert_eq!(v.x_of(500_000.0), 500.0);
        assert_eq!(v.t_at(250.0), 250_000.0);
        assert_eq!(v.visible_rows(), 0..10);
        assert_eq!(v.row_at(AXIS_HEIGHT + 45.0), Some(2));
        assert_eq!(v.row_at(10.0), None);
    }

    #[test]
    fn zoom_keeps_the_time_under_the_pointer() {
        let mut v = vp();
        let t = v.t_at(300.0);
        v.zoom_at(0.5, 300.0);
        assert_eq!(v.window_ns, 500_000.0);
        assert!((v.t_at(300.0) - t).abs() < 1e-6);
        v.zoom_at(1e-9, 300.0);
        assert_eq!(v.window_ns, MIN_WINDOW_NS, "zoom stops at the deepest level");
        v.zoom_at(1e12, 0.0);
        assert_eq!((v.start_ns, v.window_ns), (0.0, 1_000_000.0), "zoom out stops at the whole trace");
    }

    #[test]
    fn pan_and_scroll_stay_inside_the_trace() {
        let mut v = vp();
        v.zoom_at(0.1, 0.0);
        v.pan_px(-50.0, -10.0);
        assert_eq!((v.start_ns, v.scroll_top), (0.0, 0.0));
        v.pan_px(100.0, 5000.0);
        assert_eq!(v.start_ns, 10_000.0);
        assert_eq!(v.scroll_top, 100.0 * ROW_HEIGHT - 200.0);
        v.pan_px(1e9, 0.0);
        assert_eq!(v.end_ns(), 1_000_000.0);
    }

    #[test]
    fn frame_centres_a_span_with_margins_and_scrolls_to_its_row() {
        let mut v = vp();
        v.frame(100_000.0, 200_000.0, Some(50));
        assert!(v.start_ns < 100_000.0 && v.end_ns() > 200_000.0);
        assert!((v.start_ns + v.window_ns / 2.0 - 150_000.0).abs() < 1e-6);
        assert!(v.visible_rows().contains(&50));
    }
}
