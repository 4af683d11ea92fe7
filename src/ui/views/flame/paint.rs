//! Canvas painting of a draw list: sharp at any device-pixel ratio, fills batched by colour, labels where
//! they fit (text widths cached), marks, the critical path, the time axis and the cursor line.

use crate::format::duration;
use crate::model::{Trace, TraceSet};
use crate::view::axis::{self, Clock};
use crate::view::colour::{is_light, Rgb, ERROR_RGB};
use crate::view::draw::DrawList;
use crate::view::label;
use crate::view::raster::{self, Palette, Raster};
use crate::view::viewport::{Viewport, AXIS_HEIGHT, ROW_HEIGHT};
use rustc_hash::FxHashMap;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

const FONT: &str = "11px system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", sans-serif";
/// Text-width cache entries before it is cleared (labels of a huge trace would otherwise grow it forever).
const WIDTH_CACHE_LIMIT: usize = 50_000;

/// Canvas colours for the light and dark themes (the same values as style/main.css).
pub struct Theme {
    pub bg: &'static str,
    /// The rows' colours as 0xRRGGBB, for the pixel buffer (shared with the native golden-image test).
    pub rows: Palette,
    /// The overview strip's colours as 0xRRGGBB.
    pub axis_rgb: Rgb,
    pub muted_rgb: Rgb,
    pub axis_bg: &'static str,
    pub grid: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub accent: &'static str,
    /// Errors (the charts' failed traces).
    pub bad: &'static str,
}

const LIGHT: Theme = Theme {
    bg: "#ffffff",
    rows: raster::LIGHT,
    axis_rgb: 0xeef0f4,
    muted_rgb: 0x5d6675,
    axis_bg: "#eef0f4",
    grid: "rgba(28, 34, 48, 0.08)",
    text: "#1c2230",
    muted: "#5d6675",
    accent: "#2f62d6",
    bad: "#c62828",
};
const DARK: Theme = Theme {
    bg: "#1c2027",
    rows: raster::DARK,
    axis_rgb: 0x252a33,
    muted_rgb: 0x9aa3b2,
    axis_bg: "#252a33",
    grid: "rgba(227, 230, 236, 0.08)",
    text: "#e3e6ec",
    muted: "#9aa3b2",
    accent: "#6d9bff",
    bad: "#ff7b72",
};

/// The theme in force: forced by `<html class="theme-…">`, else the system's.
pub fn theme() -> &'static Theme {
    let root = leptos::prelude::document().document_element();
    let forced = |class: &str| root.as_ref().is_some_and(|r| r.class_list().contains(class));
    if forced("theme-dark") {
        return &DARK;
    }
    if forced("theme-light") {
        return &LIGHT;
    }
    let dark = leptos::prelude::window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if dark {
        &DARK
    } else {
        &LIGHT
    }
}

/// A 2D context on a canvas, with caches that live as long as the canvas.
pub struct Painter {
    pub canvas: HtmlCanvasElement,
    pub ctx: CanvasRenderingContext2d,
    widths: FxHashMap<String, f64>,
    raster: Raster,
    dpr: f64,
    /// What the minimap's buffer was filled for: (width, height, theme background, bins).
    minimap_key: Option<(usize, usize, Rgb, usize)>,
}

impl Painter {
    pub fn new(canvas: HtmlCanvasElement) -> Option<Painter> {
        let ctx = canvas
            .get_context_with_context_options("2d", &alpha_false())
            .ok()
            .flatten()?
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        Some(Painter {
            canvas,
            ctx,
            widths: FxHashMap::default(),
            raster: Raster::default(),
            dpr: 1.0,
            minimap_key: None,
        })
    }

    /// Sizes the backing store to `width`×`height` CSS px at the device-pixel ratio and sets the transform,
    /// so one unit is one CSS pixel and edges stay sharp.
    pub fn begin(&mut self, width: f64, height: f64, bg: &str) {
        let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
        self.dpr = dpr;
        let (w, h) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        let _ = self.ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
        self.ctx.set_global_alpha(1.0);
        self.ctx.set_fill_style_str(bg);
        self.ctx.fill_rect(0.0, 0.0, width, height);
    }

    pub fn measure(&mut self, text: &str) -> f64 {
        if let Some(&w) = self.widths.get(text) {
            return w;
        }
        if self.widths.len() > WIDTH_CACHE_LIMIT {
            self.widths.clear();
        }
        let w = self.ctx.measure_text(text).map(|m| m.width()).unwrap_or(text.len() as f64 * 7.0);
        self.widths.insert(text.to_string(), w);
        w
    }

    /// Everything below the axis: grid, bars, marks and critical path filled into the pixel buffer and put on
    /// the canvas at once; then labels drawn as text.
    pub fn flame(&mut self, frame: &Frame) {
        let Frame { set, trace, vp, clock, list, theme } = *frame;
        let dpr = self.dpr;
        let (w, h) = (self.canvas.width() as usize, self.canvas.height() as usize);
        let raster = &mut self.raster;
        raster.flame_rows(vp, clock, list, &theme.rows, dpr, w, h);
        // Rows only: the axis band is drawn over the top afterwards.
        let top = ((AXIS_HEIGHT * dpr) as usize).min(h.saturating_sub(1));
        put(&self.ctx, &raster.bytes()[top * w * 4..], w, h - top, top);

        let ctx = self.ctx.clone();
        ctx.save();
        ctx.begin_path();
        ctx.rect(0.0, AXIS_HEIGHT, vp.width, vp.rows_height());
        ctx.clip();
        self.labels(set, trace, list, vp);
        ctx.restore();
    }

    fn labels(&mut self, set: &TraceSet, trace: &Trace, list: &DrawList, vp: &Viewport) {
        let ctx = self.ctx.clone();
        ctx.set_font(FONT);
        ctx.set_text_baseline("middle");
        let mut last_style: Option<&str> = None;
        for bar in list.labelled() {
            // Keep labels of bars that start left of the canvas readable.
            let left = bar.x.max(0.0) + 4.0;
            let avail = (bar.x + bar.w).min(vp.width) - left - 4.0;
            let span = &trace.spans[bar.span as usize];
            let Some(text) = label::fit(set.str(span.name), &duration(span.duration_ns()), avail, &mut |s| self.measure(s)) else {
                continue;
            };
            let style = if bar.dim || !is_light(bar.rgb) { "#ffffff" } else { "#111111" };
            if last_style != Some(style) {
                ctx.set_fill_style_str(style);
                ctx.set_global_alpha(if bar.dim { 0.5 } else { 1.0 });
                last_style = Some(style);
            }
            let _ = ctx.fill_text(&text, left, vp.y_of_row(bar.row as usize) + ROW_HEIGHT / 2.0);
        }
        ctx.set_global_alpha(1.0);
    }

    /// Outlines the selected span (thick, accent) and the hovered one (thin).
    pub fn outline(&mut self, vp: &Viewport, rect: Option<(f64, f64, f64)>, colour: &str, width: f64) {
        let Some((x0, x1, y)) = rect else { return };
        if y + ROW_HEIGHT < AXIS_HEIGHT || y > vp.height {
            return;
        }
        let ctx = &self.ctx;
        ctx.save();
        ctx.begin_path();
        ctx.rect(0.0, AXIS_HEIGHT, vp.width, vp.rows_height());
        ctx.clip();
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(width);
        let (x0, x1) = (x0.max(-4.0), x1.min(vp.width + 4.0));
        ctx.stroke_rect(x0 - width / 2.0, y + width / 2.0, (x1 - x0).max(1.0) + width, ROW_HEIGHT - 1.0 - width);
        ctx.restore();
    }

    /// The time axis (relative to the trace start, or clock times) and the cursor line with its time.
    /// Returns the first tick's label (pages and tests read it).
    pub fn axis(&mut self, vp: &Viewport, clock: Clock, theme: &Theme, cursor_x: Option<f64>) -> Option<String> {
        let ctx = self.ctx.clone();
        ctx.set_fill_style_str(theme.axis_bg);
        ctx.fill_rect(0.0, 0.0, vp.width, AXIS_HEIGHT);
        ctx.set_fill_style_str(theme.grid);
        ctx.fill_rect(0.0, AXIS_HEIGHT - 1.0, vp.width, 1.0);
        ctx.set_font(FONT);
        ctx.set_text_baseline("middle");
        let ticks = axis::ticks(vp, clock);
        for tick in &ticks {
            ctx.set_fill_style_str(theme.muted);
            ctx.fill_rect(tick.x.round(), AXIS_HEIGHT - 6.0, 1.0, 6.0);
            let _ = ctx.fill_text(&tick.label, tick.x.round() + 3.0, AXIS_HEIGHT / 2.0 - 2.0);
        }
        if let Some(x) = cursor_x {
            ctx.set_fill_style_str(theme.accent);
            ctx.fill_rect(x.round(), 0.0, 1.0, vp.height);
            let text = clock.at(vp.t_at(x));
            let w = self.measure(&text) + 8.0;
            let left = if x + w + 2.0 > vp.width { x - w - 2.0 } else { x + 2.0 };
            ctx.fill_rect(left, 2.0, w, AXIS_HEIGHT - 6.0);
            ctx.set_fill_style_str(theme.bg);
            let _ = ctx.fill_text(&text, left + 4.0, AXIS_HEIGHT / 2.0 - 1.0);
        }
        ticks.into_iter().next().map(|t| t.label)
    }
}

impl Painter {
    /// The overview strip: how many spans run at once along the whole trace (square-root scale, so a few
    /// spans still show next to a fan-out of thousands), error starts in red, and the visible window framed.
    /// The profile is filled into the pixel buffer once per size and theme; each frame only puts it back.
    pub fn minimap(&mut self, counts: &[u32], errors: &[bool], vp: &Viewport, theme: &Theme, height: f64) {
        let (w, h) = (self.canvas.width() as usize, self.canvas.height() as usize);
        let key = (w, h, theme.rows.bg, counts.len());
        if self.minimap_key != Some(key) {
            self.minimap_key = Some(key);
            let raster = &mut self.raster;
            raster.reset(w, h, theme.axis_rgb);
            let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
            let bin_w = w as f64 / counts.len().max(1) as f64;
            for (i, &c) in counts.iter().enumerate().filter(|(_, &c)| c > 0) {
                let bar = ((c as f64 / max).sqrt() * (h as f64 - 6.0 * self.dpr)).max(1.0);
                raster.fill(i as f64 * bin_w, h as f64 - bar, bin_w, bar, theme.muted_rgb);
            }
            for (i, _) in errors.iter().enumerate().filter(|(_, &e)| e) {
                raster.fill(i as f64 * bin_w, h as f64 - 4.0 * self.dpr, bin_w.max(2.0), 4.0 * self.dpr, ERROR_RGB);
            }
        }
        put(&self.ctx, self.raster.bytes(), w, h, 0);
        let width = w as f64 / self.dpr;
        let ctx = self.ctx.clone();
        let x0 = vp.start_ns / vp.total_ns * width;
        let x1 = (vp.end_ns() / vp.total_ns * width).max(x0 + 2.0);
        ctx.set_global_alpha(0.45);
        ctx.set_fill_style_str(theme.bg);
        ctx.fill_rect(0.0, 0.0, x0, height);
        ctx.fill_rect(x1, 0.0, width - x1, height);
        ctx.set_global_alpha(1.0);
        ctx.set_stroke_style_str(theme.accent);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(x0 + 1.0, 1.0, x1 - x0 - 2.0, height - 2.0);
    }
}

/// One frame's inputs for `Painter::flame`.
pub struct Frame<'a> {
    pub set: &'a TraceSet,
    pub trace: &'a Trace,
    pub vp: &'a Viewport,
    /// How the axis says times (the grid lines fall on its ticks).
    pub clock: Clock,
    pub list: &'a DrawList,
    pub theme: &'static Theme,
}

/// Puts RGBA bytes (`width`×`height` device px) on the canvas at device row `top`.
fn put(ctx: &CanvasRenderingContext2d, bytes: &[u8], width: usize, height: usize, top: usize) {
    if width == 0 || height == 0 || bytes.len() < width * height * 4 {
        return;
    }
    let bytes = wasm_bindgen::Clamped(&bytes[..width * height * 4]);
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(bytes, width as u32, height as u32) {
        let _ = ctx.put_image_data(&image, 0.0, top as f64);
    }
}

/// `{alpha: false}`: an opaque canvas composites faster.
fn alpha_false() -> wasm_bindgen::JsValue {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"alpha".into(), &false.into());
    options.into()
}
