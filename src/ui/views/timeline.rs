//! The timeline (waterfall): one row per span in tree order (`view::timeline::Rows`), the tree with its
//! service, operation and pills on the left, the bar on the shared time axis on the right with the critical
//! path and the events. Drawn on one canvas, only the rows in view: no DOM node per row, so 1M spans scroll
//! like ten. The wheel scrolls rows, Ctrl+wheel (or a pinch) zooms time at the pointer, Shift+wheel pans.
//! Keys: ↑/↓ rows, ←/→ fold and unfold (or go to the parent / first child), Enter selects, `/` searches.

use crate::ui::views::flame::{theme, Painter};
use crate::ui::state::{AppState, LoadedFile};
use crate::analysis::clocks::ends_after_parent;
use crate::analysis::search;
use crate::format::{count, duration, plural};
use crate::model::{AttrValue, SpanIx, SpanKind, StatusCode, Trace};
use crate::view::colour::{css, Colours};
use crate::view::timeline::Rows;
use crate::view::viewport::{Viewport, AXIS_HEIGHT, ROW_HEIGHT};
use crate::view::axis;
use leptos::html;
use leptos::prelude::*;
use std::rc::Rc;

/// Width of the tree column, CSS px (at most this share of the canvas).
const LEFT_PX: f64 = 380.0;
const LEFT_SHARE: f64 = 0.42;
/// The narrowest the left column or the bar pane can be dragged to.
const MIN_PANE_PX: f64 = 120.0;
/// How near the column's edge a press starts a drag of it.
const DIVIDER_GRAB_PX: f64 = 4.0;
/// The depth picker lists levels up to this, then "All levels" (a 1M-deep chain has 1M levels).
const MAX_LEVEL_CHOICES: u32 = 30;
/// Indent per tree level; deeper than `MAX_INDENT_LEVELS` the indent stops growing (a 1M-deep chain).
const INDENT_PX: f64 = 12.0;
const MAX_INDENT_LEVELS: u32 = 18;
const FONT: &str = "12px system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", sans-serif";
const PILL_FONT: &str = "10px system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", sans-serif";

/// Everything a frame needs; not reactive (frames stay off the reactive path, as in the flame graph).
struct Timeline {
    file: Rc<LoadedFile>,
    ix: usize,
    rows: Rows,
    colours: Colours,
    /// The critical path's sections per span: `crit[crit_start[s]..crit_start[s + 1]]`, ns from the start.
    crit_start: Vec<u32>,
    crit: Vec<(i64, i64)>,
    origin: i64,
    /// How the axis says times (the Times choice).
    clock: axis::Clock,
    /// The left column's width once dragged.
    left_px: Option<f64>,
    /// The bar pane's time window and the rows' scroll (its `width` is the bar pane's).
    vp: Viewport,
    width: f64,
    matches: Option<Vec<bool>>,
    selected: Option<SpanIx>,
    painter: Option<Painter>,
    frame_pending: bool,
}

type Core = StoredValue<Timeline, LocalStorage>;

impl Timeline {
    fn new(file: Rc<LoadedFile>, ix: usize) -> Timeline {
        let trace = &file.set.traces[ix];
        let analysis = &file.analyses[ix];
        let rows = Rows::new(&trace.tree);
        let origin = trace.start_ns();
        // Sections grouped by span (a counting sort: one pass to count, one to place).
        let n = trace.spans.len();
        let sections = &analysis.critical_path.sections;
        let mut crit_start = vec![0u32; n + 1];
        for s in sections {
            crit_start[s.span as usize + 1] += 1;
        }
        for i in 0..n {
            crit_start[i + 1] += crit_start[i];
        }
        let mut crit = vec![(0, 0); sections.len()];
        let mut next = crit_start.clone();
        for s in sections {
            let at = &mut next[s.span as usize];
            crit[*at as usize] = (s.start_ns - origin, s.end_ns - origin);
            *at += 1;
        }
        let total = (trace.end_ns() - origin).max(1);
        Timeline {
            colours: file.looks[ix].colours.clone(),
            vp: Viewport::new(total, rows.len(), 800.0, 400.0),
            rows,
            crit_start,
            crit,
            origin,
            clock: axis::Clock::Relative,
            left_px: None,
            width: 800.0,
            matches: None,
            selected: None,
            painter: None,
            frame_pending: false,
            file,
            ix,
        }
    }

    /// The left column's width: as dragged, else 380 px or 42% of a narrow pane.
    fn left(&self) -> f64 {
        match self.left_px {
            Some(px) => px.min(self.width - MIN_PANE_PX).max(MIN_PANE_PX.min(self.width / 2.0)).round(),
            None => LEFT_PX.min(self.width * LEFT_SHARE).round(),
        }
    }

    fn on_divider(&self, x: f64) -> bool {
        (x - self.left()).abs() <= DIVIDER_GRAB_PX
    }

    fn resize(&mut self, width: f64, height: f64) {
        self.width = width;
        self.vp.resize((width - self.left()).max(1.0), height);
    }

    /// After the rows changed (fold, filter): the viewport's row count follows.
    fn rows_changed(&mut self) {
        self.vp.rows = self.rows.len();
        self.vp.pan_px(0.0, 0.0); // clamps the scroll
    }

    /// Scrolls just enough for `span`'s row to be in view (unfolding its ancestors first).
    fn reveal(&mut self, span: SpanIx) {
        self.rows.reveal(span);
        self.rows_changed();
        if let Some(row) = self.rows.row_of(span) {
            self.vp.reveal_row(row);
        }
    }

    fn row_at(&self, y: f64) -> Option<usize> {
        self.vp.row_at(y).filter(|&r| r < self.rows.len())
    }

    fn paint(&mut self) {
        let Some(mut painter) = self.painter.take() else { return };
        // `?perf=1`: each frame measured as `spanlens:timeline-frame` (the browser benchmark reads it).
        let perf = crate::ui::platform::browser::perf_enabled().then(|| window().performance()).flatten();
        if let Some(perf) = &perf {
            let _ = perf.mark("spanlens:timeline-start");
        }
        let theme = theme();
        let (width, height, left) = (self.width, self.vp.height, self.left());
        painter.begin(width, height, theme.bg);
        let ctx = painter.ctx.clone();
        let file = self.file.clone();
        let set = &file.set;
        let trace = &set.traces[self.ix];
        ctx.set_text_baseline("middle");
        let mut overruns = 0;
        // Rows in view.
        for row in self.vp.visible_rows() {
            let Some(span_ix) = self.rows.span_at(row) else { break };
            let span = &trace.spans[span_ix as usize];
            let y = self.vp.y_of_row(row);
            let mid = y + ROW_HEIGHT / 2.0;
            let dim = self.matches.as_ref().is_some_and(|m| !m[span_ix as usize]);
            if Some(span_ix) == self.selected {
                ctx.set_fill_style_str(theme.grid);
                ctx.fill_rect(0.0, y, width, ROW_HEIGHT);
                ctx.set_fill_style_str(theme.accent);
                ctx.fill_rect(0.0, y, 3.0, ROW_HEIGHT);
            }
            ctx.set_global_alpha(if dim { 0.3 } else { 1.0 });
            // The tree: an elbow from the parent's level, the fold marker, the service colour, the name.
            let depth = self.rows.depth(span_ix);
            let indent = 6.0 + depth.min(MAX_INDENT_LEVELS) as f64 * INDENT_PX;
            ctx.set_fill_style_str(theme.grid);
            if depth > 0 {
                let x = indent - INDENT_PX + 4.0;
                let bottom = if self.rows.is_last_child(span_ix) { mid } else { y + ROW_HEIGHT };
                ctx.fill_rect(x, y, 1.0, bottom - y);
                ctx.fill_rect(x, mid, INDENT_PX - 4.0, 1.0);
            }
            ctx.set_fill_style_str(theme.muted);
            ctx.set_font(FONT);
            if self.rows.has_children(span_ix) {
                let marker = if self.rows.is_collapsed(span_ix) { "▸" } else { "▾" };
                let _ = ctx.fill_text(marker, indent, mid);
            }
            let rgb = self.colours.span[span_ix as usize];
            ctx.set_fill_style_str(&css(rgb));
            ctx.fill_rect(indent + 12.0, mid - 4.0, 8.0, 8.0);
            // Pills from the column's right edge leftwards; the name gets what is left.
            let mut right = left - 6.0;
            for (text, bad) in pills(set, trace, span_ix).into_iter().rev() {
                ctx.set_font(PILL_FONT);
                let w = painter.measure(&text) + 8.0;
                if right - w < indent + 80.0 {
                    break;
                }
                right -= w;
                ctx.set_fill_style_str(if bad { theme.bad } else { theme.axis_bg });
                ctx.fill_rect(right, mid - 7.0, w, 14.0);
                ctx.set_fill_style_str(if bad { theme.bg } else { theme.muted });
                let _ = ctx.fill_text(&text, right + 4.0, mid);
                right -= 4.0;
            }
            ctx.set_font(FONT);
            ctx.set_fill_style_str(if span.status == StatusCode::Error { theme.bad } else { theme.text });
            let label = format!("{}  {}", set.str(span.service), crate::format::name(set.str(span.name)));
            let avail = right - (indent + 24.0);
            if let Some(text) = crate::view::label::fit(&label, "", avail, &mut |t| painter.measure(t)) {
                let _ = ctx.fill_text(&text, indent + 24.0, mid);
            }
            // The bar, its critical-path stripe, its events, its duration.
            let (start, end) = (span.start_ns - self.origin, span.end_ns - self.origin);
            let x0 = left + self.vp.x_of(start as f64);
            let x1 = (left + self.vp.x_of(end as f64)).max(x0 + 1.0);
            if x1 >= left && x0 <= width {
                let (bx0, bx1) = (x0.max(left), x1.min(width));
                ctx.set_fill_style_str(&css(rgb));
                ctx.fill_rect(bx0, y + 4.0, bx1 - bx0, ROW_HEIGHT - 8.0);
                ctx.set_fill_style_str(theme.text);
                for &(a, b) in &self.crit[self.crit_start[span_ix as usize] as usize..self.crit_start[span_ix as usize + 1] as usize] {
                    let (cx0, cx1) = ((left + self.vp.x_of(a as f64)).max(left), (left + self.vp.x_of(b as f64)).min(width));
                    if cx1 > cx0 {
                        ctx.fill_rect(cx0, y + 4.0, cx1 - cx0, 3.0);
                    }
                }
                // The part after its parent's end, when it started inside the parent (an overrun, not
                // skew: `clocks::ends_after_parent`): faded, with a tick where the parent ended.
                if let Some(parent) = trace.tree.parent_of(span_ix).filter(|_| ends_after_parent(trace, span_ix).is_some()) {
                    let px = left + self.vp.x_of((trace.spans[parent as usize].end_ns - self.origin) as f64);
                    let (ox0, ox1) = (px.max(bx0), bx1);
                    if ox1 > ox0 {
                        ctx.set_fill_style_str(theme.bg);
                        ctx.set_global_alpha(if dim { 0.2 } else { 0.55 });
                        ctx.fill_rect(ox0, y + 7.0, ox1 - ox0, ROW_HEIGHT - 14.0);
                        ctx.set_global_alpha(if dim { 0.3 } else { 1.0 });
                        ctx.set_fill_style_str(theme.text);
                        ctx.fill_rect(px.round(), y + 1.0, 1.0, ROW_HEIGHT - 2.0);
                        overruns += 1;
                    }
                    ctx.set_fill_style_str(theme.text);
                }
                for event in span.events() {
                    let x = left + self.vp.x_of((event.time_ns - self.origin) as f64);
                    if x >= left && x <= width {
                        ctx.fill_rect(x.round(), y + 2.0, 1.0, ROW_HEIGHT - 4.0);
                    }
                }
                // The duration after the bar; inside it when there is no room after, else before it.
                let text = duration(end - start);
                let w = painter.measure(&text);
                let (tx, colour) = if x1 + w + 6.0 < width {
                    (x1 + 4.0, theme.muted)
                } else if bx1 - bx0 > w + 8.0 {
                    (bx1 - w - 4.0, theme.bg)
                } else {
                    ((x0 - w - 4.0).max(left + 2.0), theme.muted)
                };
                ctx.set_fill_style_str(colour);
                let _ = ctx.fill_text(&text, tx, mid);
            }
            ctx.set_global_alpha(1.0);
        }
        // The axis over the bar pane, the column divider, and where the scroll is.
        ctx.set_fill_style_str(theme.axis_bg);
        ctx.fill_rect(0.0, 0.0, width, AXIS_HEIGHT);
        ctx.set_fill_style_str(theme.muted);
        ctx.set_font(FONT);
        let _ = ctx.fill_text(&format!("{} of {}", plural(self.rows.len() as u64, "row", "rows"), count(trace.spans.len() as u64)), 8.0, AXIS_HEIGHT / 2.0);
        let ticks = axis::ticks(&self.vp, self.clock);
        for tick in &ticks {
            let x = (left + tick.x).round();
            ctx.set_fill_style_str(theme.grid);
            ctx.fill_rect(x, AXIS_HEIGHT, 1.0, height - AXIS_HEIGHT);
            ctx.set_fill_style_str(theme.muted);
            ctx.fill_rect(x, AXIS_HEIGHT - 6.0, 1.0, 6.0);
            let _ = ctx.fill_text(&tick.label, x + 3.0, AXIS_HEIGHT / 2.0 - 2.0);
        }
        ctx.set_fill_style_str(theme.grid);
        ctx.fill_rect(left - 1.0, 0.0, 1.0, height);
        let total = self.vp.rows_height();
        let shown = height - AXIS_HEIGHT;
        if self.rows.len() as f64 * ROW_HEIGHT > shown {
            let all = self.rows.len() as f64 * ROW_HEIGHT;
            let (top, len) = (AXIS_HEIGHT + self.vp.scroll_top / all * shown, (total / all * shown).max(12.0));
            ctx.set_fill_style_str(theme.muted);
            ctx.set_global_alpha(0.5);
            ctx.fill_rect(width - 5.0, top, 4.0, len);
            ctx.set_global_alpha(1.0);
        }
        if let Some(perf) = &perf {
            // Reading a pixel makes the canvas rasterize now, so the measure includes the drawing itself.
            let _ = ctx.get_image_data(0.0, 0.0, 1.0, 1.0);
            let _ = perf.measure_with_start_mark("spanlens:timeline-frame", "spanlens:timeline-start");
            perf.clear_marks_with_mark_name("spanlens:timeline-start");
        }
        let canvas = painter.canvas.clone();
        self.painter = Some(painter);
        // For tests and tools that read the page.
        let _ = canvas.set_attribute("data-rows", &self.rows.len().to_string());
        let _ = canvas.set_attribute("data-first-row", &self.vp.visible_rows().start.to_string());
        let _ = canvas.set_attribute("data-window", &format!("{:.0} {:.0}", self.vp.start_ns, self.vp.end_ns()));
        let _ = canvas.set_attribute("data-axis", ticks.first().map_or("", |t| t.label.as_str()));
        let _ = canvas.set_attribute("data-left", &left.to_string());
        let _ = canvas.set_attribute("data-overruns", &overruns.to_string());
    }
}

/// What people scan a row for: an error, the HTTP status, the database, the kind. (text, is bad)
fn pills(set: &crate::model::TraceSet, trace: &Trace, span_ix: SpanIx) -> Vec<(String, bool)> {
    let span = &trace.spans[span_ix as usize];
    let mut out = Vec::new();
    if span.status == StatusCode::Error {
        out.push(("error".to_string(), true));
    }
    for attr in set.attributes(span) {
        let key = set.str(attr.key);
        let text = match &attr.value {
            AttrValue::Str(s) => set.str(*s).to_string(),
            AttrValue::Int(i) => i.to_string(),
            _ => continue,
        };
        match key {
            "http.status_code" | "http.response.status_code" => {
                let bad = text.parse::<u16>().is_ok_and(|c| c >= 400);
                out.push((text, bad));
            }
            "db.system" | "db.system.name" => out.push((crate::format::name(&text), false)),
            _ => {}
        }
    }
    if !matches!(span.kind, SpanKind::Unspecified | SpanKind::Internal) {
        out.push((span.kind.as_str().to_string(), false));
    }
    out
}

fn schedule(core: Core) {
    let pending = core.try_update_value(|t| std::mem::replace(&mut t.frame_pending, true)).unwrap_or(true);
    if !pending {
        request_animation_frame(move || {
            core.try_update_value(|t| {
                t.frame_pending = false;
                t.paint();
            });
        });
    }
}

#[component]
pub fn TimelineView(state: AppState, file: Rc<LoadedFile>, ix: usize) -> impl IntoView {
    let core: Core = StoredValue::new_local(Timeline::new(file.clone(), ix));
    let canvas_ref: NodeRef<html::Canvas> = NodeRef::new();
    let wrap_ref: NodeRef<html::Div> = NodeRef::new();
    let search_ref: NodeRef<html::Input> = NodeRef::new();
    let status = RwSignal::new(String::new());
    let only_matches = RwSignal::new(false);
    let rows_shown = RwSignal::new(core.with_value(|t| t.rows.len()));
    let level_count = core.with_value(|t| t.rows.levels());
    let (file_id, trace_ix) = (file.id, ix);

    Effect::new(move |_| {
        let (Some(canvas), Some(wrap)) = (canvas_ref.get(), wrap_ref.get()) else { return };
        core.update_value(|t| t.painter = Painter::new(canvas.into()));
        let wrap: web_sys::HtmlElement = wrap.into();
        crate::ui::views::flame::observe(wrap.clone(), move || {
            let (w, h) = (wrap.client_width() as f64, wrap.client_height() as f64);
            if w > 0.0 && h > 0.0 {
                core.try_update_value(|t| t.resize(w, h));
                schedule(core);
            }
        });
    });
    // The shared time window (the flame graph's, a link's).
    Effect::new(move |_| {
        state.look_asked.track();
        let look = state.look.get_untracked();
        core.update_value(|t| t.vp.show_shared_window(look.window));
        state.highlight.track();
        run_search(state, core, &look.query, only_matches.get_untracked(), status, rows_shown);
        if let Some(input) = search_ref.get_untracked() {
            input.set_value(&look.query);
        }
        schedule(core);
    });
    // The one selection: drawn, and brought into view when asked.
    Effect::new(move |_| {
        let selection = state.selected_in(file_id, trace_ix);
        core.update_value(|t| {
            t.selected = selection.map(|s| s.span);
            if let Some(s) = selection.filter(|s| s.reveal) {
                t.reveal(s.span);
            }
        });
        rows_shown.set(core.with_value(|t| t.rows.len()));
        schedule(core);
    });
    Effect::new(move |_| {
        state.theme.track();
        let time = state.time.get();
        core.update_value(|t| t.clock = time.clock(t.origin));
        schedule(core);
    });

    // A change of window goes into the shared look (after the frame's borrow is let go).
    let window_changed = move || {
        let window = core.with_value(|t| t.vp.shared_window());
        if state.look.with_untracked(|l| l.window) != window {
            state.look.update(|l| l.window = window);
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let (dx, dy) = crate::ui::views::flame::wheel_px(&ev);
        let x = ev.offset_x() as f64;
        let zoomed = core.try_update_value(|t| {
            let bar_x = x - t.left();
            if ev.ctrl_key() || ev.meta_key() {
                t.vp.zoom_at(1.25f64.powf(-(dy * 0.01).clamp(-5.0, 5.0)), bar_x.max(0.0));
                true
            } else if ev.shift_key() || dx.abs() > dy.abs() {
                t.vp.pan_px(dx + if ev.shift_key() { dy } else { 0.0 }, 0.0);
                true
            } else {
                t.vp.pan_px(0.0, dy);
                false
            }
        });
        if zoomed == Some(true) {
            window_changed();
        }
        schedule(core);
    };
    // The column's edge drags; elsewhere a press is a click.
    let on_press = move |ev: web_sys::MouseEvent| {
        let x = ev.offset_x() as f64;
        if ev.button() != 0 || !core.with_value(|t| t.on_divider(x)) {
            return;
        }
        ev.prevent_default();
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        crate::ui::views::flame::track_drag(
            move |ev| {
                let x = ev.client_x() as f64 - canvas.get_bounding_client_rect().left();
                core.update_value(|t| {
                    t.left_px = Some(x);
                    let (w, h) = (t.width, t.vp.height);
                    t.resize(w, h);
                });
                schedule(core);
            },
            || {},
        );
    };
    let on_hover = move |ev: web_sys::MouseEvent| {
        let near = core.with_value(|t| t.on_divider(ev.offset_x() as f64));
        if let Some(canvas) = canvas_ref.get_untracked() {
            let _ = web_sys::HtmlElement::style(&canvas).set_property("cursor", if near { "col-resize" } else { "" });
        }
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        if core.with_value(|t| t.on_divider(x)) {
            return;
        }
        let hit = core.with_value(|t| {
            let span = t.row_at(y).and_then(|r| t.rows.span_at(r))?;
            let indent = 6.0 + t.rows.depth(span).min(MAX_INDENT_LEVELS) as f64 * INDENT_PX;
            let on_marker = t.rows.has_children(span) && x >= indent - 4.0 && x <= indent + 11.0;
            Some((span, on_marker))
        });
        match hit {
            Some((span, true)) => {
                core.update_value(|t| {
                    t.rows.toggle(span);
                    t.rows_changed();
                });
                rows_shown.set(core.with_value(|t| t.rows.len()));
                schedule(core);
            }
            Some((span, false)) => state.select(Some(span), false),
            None => {}
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        if key == "/" {
            ev.prevent_default();
            if let Some(input) = search_ref.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        let selected = core.with_value(|t| t.selected);
        let next = core.try_update_value(|t| {
            let row = selected.and_then(|s| t.rows.row_of(s));
            let last = t.rows.len().checked_sub(1)?;
            let span_at = |r: usize| t.rows.span_at(r);
            match key.as_str() {
                "ArrowDown" => span_at(row.map_or(0, |r| (r + 1).min(last))),
                "ArrowUp" => span_at(row.map_or(0, |r| r.saturating_sub(1))),
                "Home" => span_at(0),
                "End" => span_at(last),
                "ArrowLeft" => {
                    let s = selected?;
                    if t.rows.has_children(s) && !t.rows.is_collapsed(s) {
                        t.rows.set_collapsed(s, true);
                        t.rows_changed();
                        Some(s)
                    } else {
                        t.rows.parent(s).or(Some(s))
                    }
                }
                "ArrowRight" => {
                    let s = selected?;
                    if t.rows.is_collapsed(s) {
                        t.rows.set_collapsed(s, false);
                        t.rows_changed();
                        Some(s)
                    } else {
                        t.rows.row_of(s).and_then(|r| span_at(r + 1)).filter(|&c| t.rows.parent(c) == Some(s)).or(Some(s))
                    }
                }
                "Enter" => selected,
                _ => None,
            }
        });
        if let Some(Some(span)) = next {
            ev.prevent_default();
            rows_shown.set(core.with_value(|t| t.rows.len()));
            state.select(Some(span), true);
        }
    };
    let fold = move |act: fn(&mut Timeline)| {
        move |_| {
            core.update_value(|t| {
                act(t);
                t.rows_changed();
            });
            rows_shown.set(core.with_value(|t| t.rows.len()));
            schedule(core);
        }
    };
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        state.highlight.set(None);
        run_search(state, core, &text, only_matches.get_untracked(), status, rows_shown);
        state.look.update(|l| l.query = text);
        schedule(core);
    };
    let on_only = move |ev: leptos::ev::Event| {
        only_matches.set(event_target_checked(&ev));
        let query = state.look.with_untracked(|l| l.query.clone());
        run_search(state, core, &query, only_matches.get_untracked(), status, rows_shown);
        schedule(core);
    };

    view! {
        <section class="timeline" data-testid="timeline" aria-label="Timeline">
            <div class="flame-toolbar timeline-toolbar">
                <input type="search" class="search" node_ref=search_ref data-testid="timeline-search" aria-label="Search spans"
                    placeholder="Search spans  ( / )   e.g. service:db status:error >10ms" on:input=on_search />
                <span class="search-status" data-testid="timeline-search-status">{move || status.get()}</span>
                <label class="toggle"><input type="checkbox" data-testid="only-matches" on:change=on_only />"Only matches"</label>
                <button class="small" data-testid="expand-all" on:click=fold(|t| t.rows.expand_all())>"Expand all"</button>
                <button class="small" data-testid="collapse-all" on:click=fold(|t| t.rows.collapse_all())>"Collapse all"</button>
                <button class="small" data-testid="collapse-level" title="Show one level less" on:click=fold(|t| {
                    let shown = t.rows.levels_shown();
                    t.rows.collapse_level(shown.saturating_sub(2));
                })>"− level"</button>
                <button class="small" data-testid="expand-level" title="Show one level more" on:click=fold(|t| {
                    let shown = t.rows.levels_shown();
                    t.rows.collapse_level(shown);
                })>"+ level"</button>
                <select class="small" data-testid="levels" aria-label="Levels shown" title="Fold the tree below a depth"
                    prop:value=move || { rows_shown.track(); String::new() }
                    on:change=move |ev| {
                        let levels = event_target_value(&ev).parse::<u32>().ok();
                        core.update_value(|t| {
                            match levels {
                                Some(n) => t.rows.collapse_level(n.saturating_sub(1)),
                                None => t.rows.expand_all(),
                            }
                            t.rows_changed();
                        });
                        rows_shown.set(core.with_value(|t| t.rows.len()));
                        schedule(core);
                    }>
                    <option value="">"Levels…"</option>
                    {(1..=level_count.min(MAX_LEVEL_CHOICES)).map(|n| view! { <option value=n.to_string()>{plural(n as u64, "level", "levels")}</option> }).collect_view()}
                    <option value="all">"All levels"</option>
                </select>
                <button class="small" data-testid="collapse-to-errors" title="Fold everything but the paths to errors and to the critical path"
                    on:click=fold(|t| {
                        let file = t.file.clone();
                        let trace = &file.set.traces[t.ix];
                        let contribution = &file.analyses[t.ix].critical_path.contribution_ns;
                        t.rows.collapse_to(|s| trace.spans[s as usize].status == StatusCode::Error || contribution[s as usize] > 0);
                    })>"Errors and critical path"</button>
                <span class="muted" data-testid="timeline-rows">{move || plural(rows_shown.get() as u64, "row", "rows")}</span>
            </div>
            <div class="flame-main">
                <div class="timeline-wrap" node_ref=wrap_ref>
                    <canvas node_ref=canvas_ref data-testid="timeline-canvas" tabindex="0"
                        aria-label="Timeline of the trace: one row per span; arrows move and fold, Ctrl+wheel zooms"
                        on:wheel=on_wheel on:mousedown=on_press on:mousemove=on_hover on:click=on_click on:keydown=on_key></canvas>
                </div>
                {move || state.selected_in(file_id, trace_ix).map(|selection| {
                    let file = core.with_value(|t| t.file.clone());
                    let show_in = ("Show in flame graph", Callback::new(move |_| state.show_view(crate::ui::state::TraceView::Flame)));
                    let on_select = Callback::new(move |s: Option<SpanIx>| state.select(s, s.is_some()));
                    view! { <crate::ui::views::flame::detail::SpanDetail file ix span=selection.span show_in on_select time=state.time.get() /> }
                })}
            </div>
        </section>
    }
}

/// Runs the search (the flame graph's language): rows that do not match are dimmed, or hidden with "Only
/// matches" (their ancestors stay).
fn run_search(state: AppState, core: Core, text: &str, only: bool, status: RwSignal<String>, rows_shown: RwSignal<usize>) {
    let said = core.try_update_value(|t| {
        let file = t.file.clone();
        let trace = &file.set.traces[t.ix];
        let highlight = untrack(|| state.highlight_in(file.id, t.ix));
        let (matches, said) = if let (true, Some(h)) = (text.trim().is_empty(), highlight) {
            // A statistics row's spans, as matches while the box is empty.
            let mut hit = vec![false; trace.spans.len()];
            h.spans.iter().for_each(|&s| hit[s as usize] = true);
            (Some(hit), format!("{} highlighted: {}", plural(h.spans.len() as u64, "span", "spans"), h.label))
        } else if text.trim().is_empty() {
            (None, String::new())
        } else {
            match search::parse(text) {
                Ok(query) => {
                    let mut hit = vec![false; trace.spans.len()];
                    let found = query.matching(&file.set, trace);
                    for &s in &found {
                        hit[s as usize] = true;
                    }
                    (Some(hit), plural(found.len() as u64, "match", "matches"))
                }
                Err(err) => (None, format!("column {}: {}", err.position + 1, err.message)),
            }
        };
        match (&matches, only) {
            (Some(hit), true) => t.rows.filter(Some(&|s| hit[s as usize])),
            _ => t.rows.filter(None),
        }
        t.matches = matches;
        t.rows_changed();
        said
    });
    status.set(said.unwrap_or_default());
    rows_shown.set(core.with_value(|t| t.rows.len()));
}
