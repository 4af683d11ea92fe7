//! Charts drawn with plotters on a canvas: the frame every chart shares (device-pixel canvas, theme
//! colours, redraw on theme, resize and data, values on hover, PNG), and the statistics tab's three charts:
//! time per service, the selected span's operation as a histogram, and spans running at once.

use crate::ui::views::flame::theme;
use crate::ui::state::AppState;
use crate::analysis::breakdown::Breakdown;
use crate::analysis::histogram::Histogram;
use crate::format::{count, duration, name, plural};
use leptos::html;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// A region of a drawn chart (CSS px: x0, y0, x1, y1) and what hovering it says.
pub type Hit = (f64, f64, f64, f64, String);

/// The theme's colours and fonts for plotters, at the canvas's device-pixel ratio.
pub struct Look {
    pub dpr: f64,
    pub bg: RGBColor,
    pub text: RGBColor,
    pub muted: RGBColor,
    pub accent: RGBColor,
    pub bad: RGBColor,
}

impl Look {
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.dpr).into_font().color(&self.muted)
    }

    pub fn px(&self, css: f64) -> i32 {
        (css * self.dpr).round() as i32
    }
}

/// `#rrggbb` as plotters' colour.
pub fn rgb(css: &str) -> RGBColor {
    let hex = u32::from_str_radix(css.trim_start_matches('#'), 16).unwrap_or(0);
    RGBColor((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// Sizes the canvas to its CSS width × `height` CSS px in device pixels, and hands plotters its drawing
/// area filled with the theme's background.
pub fn surface(canvas: &web_sys::HtmlCanvasElement, height: f64) -> Option<(DrawingArea<CanvasBackend, Shift>, Look)> {
    let dpr = window().device_pixel_ratio().max(1.0);
    let width = canvas.client_width().max(100) as f64;
    canvas.set_width((width * dpr) as u32);
    canvas.set_height((height * dpr) as u32);
    let t = theme();
    let look = Look { dpr, bg: rgb(t.bg), text: rgb(t.text), muted: rgb(t.muted), accent: rgb(t.accent), bad: rgb(t.bad) };
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&look.bg).ok()?;
    Some((root, look))
}

/// A chart in a titled box: `data` gives what to draw (reactively: the chart follows what it reads), `draw`
/// draws it once mounted, and again when the theme, the window's width or the data change; hovering a
/// region `draw` returned shows its text; "PNG" saves the canvas. `data-draw-ms` on the canvas says how
/// long the last drawing took, without computing the data (the benchmark reads it).
pub fn chart<T: 'static>(
    state: AppState,
    title: &'static str,
    testid: &'static str,
    file_name: String,
    data: impl Fn() -> T + 'static,
    draw: impl Fn(&web_sys::HtmlCanvasElement, &T) -> Vec<Hit> + 'static,
) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let hits = StoredValue::new(Vec::<Hit>::new());
    let tip: RwSignal<Option<(String, f64, f64)>> = RwSignal::new(None);
    let width = RwSignal::new(0);
    let on_resize = window_event_listener(leptos::ev::resize, move |_| width.set(window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(0.0) as i32));
    on_cleanup(move || on_resize.remove());
    Effect::new(move |_| {
        let _ = (state.theme.get(), width.get());
        let Some(canvas) = canvas.get() else { return };
        let data = data();
        let started = window().performance().map(|p| p.now());
        hits.set_value(draw(&canvas, &data));
        if let (Some(p), Some(t)) = (window().performance(), started) {
            let _ = canvas.set_attribute("data-draw-ms", &format!("{:.1}", p.now() - t));
        }
        let _ = canvas.set_attribute("data-draws", &(canvas.get_attribute("data-draws").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) + 1).to_string());
    });
    let on_move = move |ev: web_sys::MouseEvent| {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let text = hits.with_value(|h| h.iter().find(|(x0, y0, x1, y1, _)| x >= *x0 && x <= *x1 && y >= *y0 && y <= *y1).map(|h| h.4.clone()));
        tip.set(text.map(|t| (t, x, y)));
    };
    let save = move |_| {
        if let Some(canvas) = canvas.get_untracked() {
            if let Err(err) = crate::ui::platform::download::export_chart_png(&file_name, testid, &canvas) {
                web_sys::console::error_2(&"spanlens: export failed".into(), &err);
            }
        }
    };
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption><span>{title}</span><button class="small" data-testid=format!("{testid}-png") title="Download this chart as PNG" on:click=save>"PNG"</button></figcaption>
            <div class="chart-canvas">
                <canvas node_ref=canvas role="img" aria-label=title style:height=format!("{CHART_PX}px")
                    on:mousemove=on_move on:mouseleave=move |_| tip.set(None)></canvas>
                {move || tip.get().map(|(text, x, y)| view! {
                    <div class="chart-tip" data-testid=format!("{testid}-tip") style:left=format!("{:.0}px", x + 12.0) style:top=format!("{:.0}px", y + 12.0)>{text}</div>
                })}
            </div>
        </figure>
    }
}

/// The theme's grid, axis and label styles on a chart's mesh.
pub fn themed<'m, 'a, 'b, X: plotters::coord::ranged1d::Ranged, Y: plotters::coord::ranged1d::Ranged, DB: DrawingBackend>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    look: &Look,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB> {
    mesh.light_line_style(look.text.mix(0.06))
        .bold_line_style(look.text.mix(0.12))
        .axis_style(look.muted)
        .label_style(look.font(11.0))
        .axis_desc_style(look.font(11.0))
}

pub const CHART_PX: f64 = 220.0;
/// Services drawn in the time-per-service chart; the rest are summed into "others".
const SERVICE_BARS: usize = 10;

/// Time per service as horizontal bars: the self time, its part on the critical path in the accent colour
/// and the rest lighter. `by_service`: a breakdown by service (largest total first).
pub fn draw_services(canvas: &web_sys::HtmlCanvasElement, by_service: &Breakdown) -> Vec<Hit> {
    let Some((root, look)) = surface(canvas, CHART_PX) else { return Vec::new() };
    let mut rows: Vec<(String, i64, i64)> = by_service.rows.iter().map(|r| (r.group.clone(), r.self_ns, r.critical_ns)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if rows.len() > SERVICE_BARS {
        let rest = rows.split_off(SERVICE_BARS - 1);
        let n = rest.len();
        rows.push((format!("{n} others"), rest.iter().map(|r| r.1).sum(), rest.iter().map(|r| r.2).sum()));
    }
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64 / 1e6 * 1.05;
    let n = rows.len().max(1);
    // Plotters counts segments from the bottom: the largest goes in the top one.
    let slot = |i: usize| n - 1 - i;
    let labels: Vec<String> = rows.iter().rev().map(|r| name(&r.0)).collect();
    let drawn = (|| -> Option<Vec<Hit>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(look.px(8.0))
            .x_label_area_size(look.px(34.0))
            .y_label_area_size(look.px(110.0))
            .build_cartesian_2d(0.0..max, (0..n).into_segmented())
            .ok()?;
        themed(chart.configure_mesh().disable_y_mesh(), &look)
            .x_desc("self time (ms); on the critical path in colour")
            .x_label_formatter(&|ms| duration((ms * 1e6) as i64))
            .y_label_formatter(&|seg| match seg {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => labels.get(*i).cloned().unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .y_labels(n)
            .x_labels(5)
            .draw()
            .ok()?;
        let bar = |i: usize, to: f64, style: ShapeStyle| {
            let mut r = Rectangle::new([(0.0, SegmentValue::Exact(i)), (to, SegmentValue::Exact(i + 1))], style);
            r.set_margin(look.px(3.0) as u32, look.px(3.0) as u32, 0, 0);
            r
        };
        let ms = |ns: i64| ns as f64 / 1e6;
        chart.draw_series(rows.iter().enumerate().map(|(i, r)| bar(slot(i), ms(r.1), look.accent.mix(0.3).filled()))).ok()?;
        chart.draw_series(rows.iter().enumerate().map(|(i, r)| bar(slot(i), ms(r.2.min(r.1)), look.accent.filled()))).ok()?;
        let mut hits = Vec::new();
        for (i, (label, self_ns, critical_ns)) in rows.iter().enumerate() {
            let (x0, y0) = chart.backend_coord(&(0.0, SegmentValue::Exact(slot(i))));
            let (x1, y1) = chart.backend_coord(&(max, SegmentValue::Exact(slot(i) + 1)));
            let share = if *self_ns > 0 { *critical_ns as f64 / *self_ns as f64 * 100.0 } else { 0.0 };
            let say = format!("{label}: self {}, {} of it on the critical path ({share:.0}%)", duration(*self_ns), duration(*critical_ns));
            hits.push((x0 as f64 / look.dpr, y0.min(y1) as f64 / look.dpr, x1 as f64 / look.dpr, y0.max(y1) as f64 / look.dpr, say));
        }
        root.present().ok()?;
        Some(hits)
    })();
    drawn.unwrap_or_default()
}

/// The durations of one operation as bars: across every trace loaded (lighter) and in this trace (the
/// accent), the selected span's duration as a red line. Bins are log-spaced when the durations spread widely.
pub fn draw_histogram(canvas: &web_sys::HtmlCanvasElement, operation: &str, in_loaded: Option<&[i64]>, in_trace: &[i64], selected_ns: Option<i64>) -> Vec<Hit> {
    let Some((root, look)) = surface(canvas, CHART_PX) else { return Vec::new() };
    if in_trace.is_empty() {
        let _ = root.draw(&Text::new("Select a span to see how long its operation takes", (look.px(12.0), look.px(CHART_PX / 2.0)), look.font(12.0)));
        let _ = root.present();
        return Vec::new();
    }
    let widest = in_loaded.unwrap_or(in_trace);
    let bins = 24;
    let h = Histogram::new(widest, bins);
    let trace_h = Histogram { counts: count_in(&h, in_trace), ..h.clone() };
    let tallest = h.counts.iter().max().copied().unwrap_or(1).max(1) as f64 * 1.1;
    let edges = h.edges.clone();
    let drawn = (|| -> Option<Vec<Hit>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(look.px(8.0))
            .x_label_area_size(look.px(34.0))
            .y_label_area_size(look.px(44.0))
            .build_cartesian_2d(0.0..bins as f64, 0.0..tallest)
            .ok()?;
        let x_desc = format!(
            "{} duration{}{}",
            name(operation),
            if h.log { " (log scale)" } else { "" },
            if in_loaded.is_some() { "; this trace in colour, every trace loaded in grey" } else { "" }
        );
        themed(chart.configure_mesh().disable_x_mesh(), &look)
            .x_desc(x_desc)
            .y_desc("spans")
            .x_label_formatter(&|k| duration(edge_at(&edges, *k) as i64))
            .y_label_formatter(&whole)
            .x_labels(5)
            .y_labels(4)
            .draw()
            .ok()?;
        if in_loaded.is_some() {
            chart.draw_series(h.counts.iter().enumerate().map(|(k, &c)| Rectangle::new([(k as f64 + 0.05, 0.0), (k as f64 + 0.95, c as f64)], look.muted.mix(0.35).filled()))).ok()?;
        }
        chart.draw_series(trace_h.counts.iter().enumerate().map(|(k, &c)| Rectangle::new([(k as f64 + 0.2, 0.0), (k as f64 + 0.8, c as f64)], look.accent.filled()))).ok()?;
        if let Some(d) = selected_ns {
            let k = h.bin_of(d);
            let (lo, hi) = (h.edges[k], h.edges[k + 1]);
            let at = k as f64 + if hi > lo { ((d as f64 - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.5 };
            chart.draw_series(std::iter::once(PathElement::new(vec![(at, 0.0), (at, tallest)], look.bad.stroke_width(look.px(2.0) as u32)))).ok()?;
        }
        let mut hits = Vec::new();
        for k in 0..bins.min(h.counts.len()) {
            let (x0, y0) = chart.backend_coord(&(k as f64, tallest));
            let (x1, y1) = chart.backend_coord(&(k as f64 + 1.0, 0.0));
            let mut say = format!("{}–{}: {}", duration(h.edges[k] as i64), duration(h.edges[k + 1] as i64), plural(trace_h.counts[k] as u64, "span", "spans"));
            if in_loaded.is_some() {
                say += &format!(" in this trace, {} in every trace loaded", count(h.counts[k] as u64));
            }
            hits.push((x0 as f64 / look.dpr, y0 as f64 / look.dpr, x1 as f64 / look.dpr, y1 as f64 / look.dpr, say));
        }
        root.present().ok()?;
        Some(hits)
    })();
    drawn.unwrap_or_default()
}

/// A count axis's label: whole numbers only (a tick at 0.5 spans says nothing).
fn whole(n: &f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{n:.0}")
    } else {
        String::new()
    }
}

/// The histogram's bins counted again over other durations.
fn count_in(h: &Histogram, durations: &[i64]) -> Vec<u32> {
    let mut counts = vec![0; h.counts.len()];
    for &d in durations {
        counts[h.bin_of(d)] += 1;
    }
    counts
}

/// The duration at a fractional bin position (between the edges, linearly or logarithmically).
fn edge_at(edges: &[f64], k: f64) -> f64 {
    let last = edges.len().saturating_sub(1);
    let i = (k.floor().max(0.0) as usize).min(last);
    let (a, b) = (edges[i], edges[(i + 1).min(last)]);
    a + (b - a) * (k - i as f64)
}

/// Spans running at once over the trace's time, failed spans' starts as red marks along the bottom.
/// `counts`/`errors`: per bin (`analysis::histogram::concurrency`); `total_ns`: the trace's duration.
pub fn draw_concurrency(canvas: &web_sys::HtmlCanvasElement, counts: &[u32], errors: &[u32], total_ns: i64) -> Vec<Hit> {
    let Some((root, look)) = surface(canvas, CHART_PX) else { return Vec::new() };
    let bins = counts.len().max(1);
    let ms = total_ns.max(1) as f64 / 1e6;
    let tallest = counts.iter().max().copied().unwrap_or(1).max(1) as f64 * 1.1;
    let at = |k: usize| k as f64 / bins as f64 * ms;
    let drawn = (|| -> Option<Vec<Hit>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(look.px(8.0))
            .x_label_area_size(look.px(34.0))
            .y_label_area_size(look.px(44.0))
            .build_cartesian_2d(0.0..ms, 0.0..tallest)
            .ok()?;
        themed(chart.configure_mesh().disable_x_mesh(), &look)
            .x_desc("time since the trace's start; failed spans' starts in red")
            .y_desc("spans running")
            .x_label_formatter(&|t| duration((t * 1e6) as i64))
            .y_label_formatter(&whole)
            .x_labels(6)
            .y_labels(4)
            .draw()
            .ok()?;
        let line: Vec<(f64, f64)> = counts.iter().enumerate().flat_map(|(k, &c)| [(at(k), c as f64), (at(k + 1), c as f64)]).collect();
        let area: Vec<(f64, f64)> = std::iter::once((0.0, 0.0)).chain(line.iter().copied()).chain(std::iter::once((ms, 0.0))).collect();
        chart.draw_series(std::iter::once(Polygon::new(area, look.accent.mix(0.35).filled()))).ok()?;
        chart.draw_series(std::iter::once(PathElement::new(line, look.accent.stroke_width(look.px(1.0) as u32)))).ok()?;
        let mark = tallest * 0.06;
        chart
            .draw_series(errors.iter().enumerate().filter(|(_, &e)| e > 0).map(|(k, _)| Rectangle::new([(at(k), 0.0), (at(k + 1).max(at(k) + ms / 400.0), mark)], look.bad.filled())))
            .ok()?;
        // One hover region per run of bins of about 4 CSS px.
        let mut hits = Vec::new();
        let (left, _) = chart.backend_coord(&(0.0, 0.0));
        let (right, bottom) = chart.backend_coord(&(ms, 0.0));
        let (_, top) = chart.backend_coord(&(0.0, tallest));
        let step = ((bins as f64 / ((right - left).max(1) as f64 / look.dpr / 4.0)).ceil() as usize).max(1);
        for k in (0..bins).step_by(step) {
            let end = (k + step).min(bins);
            let most = counts[k..end].iter().max().copied().unwrap_or(0);
            let failed: u32 = errors[k..end].iter().sum();
            let x0 = left as f64 + (right - left) as f64 * k as f64 / bins as f64;
            let x1 = left as f64 + (right - left) as f64 * end as f64 / bins as f64;
            let mut say = format!("+{}: {} running", duration((at(k) * 1e6) as i64), count(most as u64));
            if failed > 0 {
                say += &format!("; {} failed span{} start here", count(failed as u64), if failed == 1 { "" } else { "s" });
            }
            hits.push((x0 / look.dpr, top as f64 / look.dpr, x1 / look.dpr, bottom as f64 / look.dpr, say));
        }
        root.present().ok()?;
        Some(hits)
    })();
    drawn.unwrap_or_default()
}
