//! A pixel buffer the bars are filled into, then handed to the canvas in one `putImageData`. Filling pixels
//! costs at most the canvas area however many bars there are, where a canvas path of 30k anti-aliased
//! rectangles costs 50 ms in software rendering; edges land on whole device pixels, so bars stay sharp.

use super::axis;
use super::colour::{Rgb, ERROR_RGB};
use super::draw::{Bar, DrawList};
use super::runs::{MARK_ERROR, MARK_ORPHAN, MARK_SKEW};
use super::viewport::{Viewport, AXIS_HEIGHT, ROW_HEIGHT};

/// How far dimmed bars (search misses) fade towards the background.
pub const DIM: f64 = 0.78;
pub const ORPHAN_RGB: Rgb = 0xff7f0e;
pub const SKEW_RGB: Rgb = 0x9467bd;

/// The theme's colours the rows are filled with.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub bg: Rgb,
    pub grid: Rgb,
    pub critical: Rgb,
}

/// The light and dark themes' row colours (the same values as style/main.css; the grid is its colour over
/// the background).
pub const LIGHT: Palette = Palette { bg: 0xffffff, grid: 0xebecee, critical: 0x1c2230 };
pub const DARK: Palette = Palette { bg: 0x1c2027, grid: 0x2d3139, critical: 0xf3f4f6 };

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Raster {
    /// Size in device pixels.
    pub width: usize,
    pub height: usize,
    /// RGBA bytes per pixel, packed little-endian into u32 (the layout `ImageData` wants).
    pixels: Vec<u32>,
}

/// An opaque colour in the buffer's byte order (R, G, B, A in memory).
fn rgba(rgb: Rgb) -> u32 {
    u32::from_le_bytes([(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8, 0xff])
}

/// [v, v + len) rounded to whole pixels, at least one long, clipped to [0, max).
fn whole(v: f64, len: f64, max: usize) -> (usize, usize) {
    let round = |v: f64| v.round().clamp(0.0, max as f64) as usize;
    let start = round(v);
    (start, round(v + len).max((start + 1).min(max)))
}

/// `rgb` faded towards `bg` by `t` (0 = rgb, 1 = bg): dimming without alpha blending.
pub fn mix(rgb: Rgb, bg: Rgb, t: f64) -> Rgb {
    let channel = |shift: u32| {
        let (a, b) = (((rgb >> shift) & 0xff) as f64, ((bg >> shift) & 0xff) as f64);
        ((a + (b - a) * t).round() as u32) << shift
    };
    channel(16) | channel(8) | channel(0)
}

/// A bar's rectangle in CSS px: a 1 px gap after bars wide enough to show one, a 1 px gap below each row.
fn bar_rect(vp: &Viewport, bar: &Bar) -> (f64, f64, f64, f64) {
    let gap = if bar.w > 4.0 { 1.0 } else { 0.0 };
    (bar.x, vp.y_of_row(bar.row as usize), (bar.w - gap).max(1.0), ROW_HEIGHT - 1.0)
}

impl Raster {
    /// The flame graph's rows as the canvas shows them, `width`×`height` device px at `dpr`: grid lines,
    /// bars (a row's bars as one band), marks (errors underlined, orphans capped on the left, skew-shifted
    /// spans on the right) and the critical path. Labels and the axis are text, drawn by the canvas after.
    pub fn flame_rows(&mut self, vp: &Viewport, clock: axis::Clock, list: &DrawList, palette: &Palette, dpr: f64, width: usize, height: usize) {
        self.reset(width, height, palette.bg);
        let px = |x: f64| x * dpr;
        for tick in axis::ticks(vp, clock) {
            self.fill(px(tick.x.round()), px(AXIS_HEIGHT), px(1.0).max(1.0), px(vp.rows_height()), palette.grid);
        }
        for row in list.bars.chunk_by(|a, b| a.row == b.row) {
            let (_, y, _, h) = bar_rect(vp, &row[0]);
            let rects = row.iter().map(|bar| {
                let (x, _, w, _) = bar_rect(vp, bar);
                (px(x), px(w), if bar.dim { mix(bar.rgb, palette.bg, DIM) } else { bar.rgb })
            });
            self.fill_band(px(y), px(h), rects);
        }
        for bar in list.bars.iter().filter(|b| b.marks & (MARK_ERROR | MARK_ORPHAN | MARK_SKEW) != 0) {
            let (x, y, w, h) = bar_rect(vp, bar);
            if bar.marks & MARK_ERROR != 0 {
                self.fill(px(x), px(y + h - 3.0), px(w), px(3.0), ERROR_RGB);
            }
            if bar.marks & MARK_ORPHAN != 0 {
                self.fill(px(x), px(y), px(w.min(4.0)), px(h), ORPHAN_RGB);
            }
            if bar.marks & MARK_SKEW != 0 {
                self.fill(px(x + (w - 4.0).max(0.0)), px(y), px(w.min(4.0)), px(h), SKEW_RGB);
            }
        }
        for s in &list.critical {
            self.fill(px(s.x), px(vp.y_of_row(s.row as usize) + 1.0), px(s.w.max(1.0)), px(3.0), palette.critical);
        }
    }

    /// Resizes (keeping the allocation when it shrinks) and fills with `bg`.
    pub fn reset(&mut self, width: usize, height: usize, bg: Rgb) {
        self.width = width;
        self.height = height;
        self.pixels.clear();
        self.pixels.resize(width * height, rgba(bg));
    }

    /// Fills the rectangle [x, x + w) × [y, y + h) (device px), rounded to whole pixels, at least one pixel
    /// wide and high, clipped to the buffer.
    pub fn fill(&mut self, x: f64, y: f64, w: f64, h: f64, rgb: Rgb) {
        let ((x0, x1), (y0, y1)) = (whole(x, w, self.width), whole(y, h, self.height));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let colour = rgba(rgb);
        for row in self.pixels[y0 * self.width..y1 * self.width].chunks_exact_mut(self.width) {
            row[x0..x1].fill(colour);
        }
    }

    /// Fills rectangles (x, w, colour) that share the rows [y, y + h), as `fill` would one by one: each is
    /// drawn on the first row, which the other rows then copy. A row of the flame graph holds thousands of
    /// bars a pixel or two wide; this way each costs one pixel row, not one per row of its height. (The
    /// band must be the same all the way down before: background and vertical lines only.)
    pub fn fill_band(&mut self, y: f64, h: f64, rects: impl IntoIterator<Item = (f64, f64, Rgb)>) {
        let (y0, y1) = whole(y, h, self.height);
        if y0 >= y1 {
            return;
        }
        let (width, top) = (self.width, y0 * self.width);
        let (mut lo, mut hi) = (width, 0);
        for (x, w, rgb) in rects {
            let (x0, x1) = whole(x, w, width);
            if x0 < x1 {
                self.pixels[top + x0..top + x1].fill(rgba(rgb));
                (lo, hi) = (lo.min(x0), hi.max(x1));
            }
        }
        if lo < hi {
            for row in y0 + 1..y1 {
                self.pixels.copy_within(top + lo..top + hi, row * width + lo);
            }
        }
    }

    /// The RGBA bytes, for `ImageData`.
    pub fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(&self.pixels)
    }

    /// The colour at (x, y), for tests.
    pub fn at(&self, x: usize, y: usize) -> Rgb {
        let [r, g, b, _] = self.pixels[y * self.width + x].to_le_bytes();
        (r as u32) << 16 | (g as u32) << 8 | b as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_whole_pixels_clipped_and_at_least_one_wide() {
        let mut r = Raster::default();
        r.reset(10, 4, 0xffffff);
        r.fill(2.4, 1.0, 3.2, 2.0, 0x112233); // x 2..6
        assert_eq!(r.at(1, 1), 0xffffff);
        assert_eq!(r.at(2, 1), 0x112233);
        assert_eq!(r.at(5, 2), 0x112233);
        assert_eq!(r.at(6, 1), 0xffffff);
        assert_eq!(r.at(2, 3), 0xffffff);
        r.fill(7.2, 0.0, 0.1, 1.0, 0x010203); // thinner than a pixel: still one pixel
        assert_eq!(r.at(7, 0), 0x010203);
        r.fill(-5.0, -5.0, 100.0, 100.0, 0x0000ff); // clipped
        assert_eq!(r.at(9, 3), 0x0000ff);
        assert_eq!(&r.bytes()[..4], &[0, 0, 0xff, 0xff]);
    }

    #[test]
    fn a_band_fills_what_its_rectangles_fill_one_by_one() {
        let (mut band, mut one_by_one) = (Raster::default(), Raster::default());
        // Odd sizes, edges between pixels, overlaps, one past the right edge, one too thin to be seen.
        let rects = [(0.4, 3.3, 0x010203), (2.6, 0.2, 0x040506), (3.0, 1.0, 0x070809), (11.5, 9.0, 0x0a0b0c), (20.0, 0.0, 0x0d0e0f)];
        for (y, h) in [(1.2, 4.6), (0.0, 1.0), (5.5, 0.1), (6.0, 3.0)] {
            for r in [&mut band, &mut one_by_one] {
                r.reset(17, 8, 0xffffff);
                r.fill(5.0, 0.0, 1.0, 8.0, 0x999999); // a vertical grid line under the band
            }
            band.fill_band(y, h, rects);
            rects.iter().for_each(|&(x, w, rgb)| one_by_one.fill(x, y, w, h, rgb));
            assert_eq!(band, one_by_one, "band at {y} + {h}");
        }
    }

    #[test]
    fn mix_fades_towards_the_background() {
        assert_eq!(mix(0x000000, 0xffffff, 0.5), 0x808080);
        assert_eq!(mix(0x123456, 0xffffff, 0.0), 0x123456);
        assert_eq!(mix(0x123456, 0xabcdef, 1.0), 0xabcdef);
    }
}
