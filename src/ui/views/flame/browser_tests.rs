//! The renderer's draw-list, painting and hit-testing paths in a real browser (wasm-bindgen-test in headless
//! chromium): the same code the app runs, against a real canvas.

use super::paint::{self, Frame, Painter};
use crate::analysis::analyze;
use crate::view::colour::{colours, Colouring};
use crate::view::draw::{hit, DrawList, Scene};
use crate::view::viewport::{Viewport, AXIS_HEIGHT, ROW_HEIGHT};
use crate::view::FlameModel;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A root (0–1000 µs, service web) with 400 one-µs children in row 1 (service db) and a wide error child.
fn trace_json() -> String {
    let mut spans = vec![r#"{"traceId":"a","id":"1","name":"root","timestamp":0,"duration":1000,"localEndpoint":{"serviceName":"web"}}"#.to_string()];
    for i in 0..400 {
        spans.push(format!(
            r#"{{"traceId":"a","id":"{:x}","parentId":"1","name":"q","timestamp":{},"duration":1,"localEndpoint":{{"serviceName":"db"}}}}"#,
            i + 16,
            100 + i
        ));
    }
    spans.push(r#"{"traceId":"a","id":"f","parentId":"1","name":"wide","timestamp":800,"duration":150,"tags":{"error":"true"},"localEndpoint":{"serviceName":"web"}}"#.into());
    format!("[{}]", spans.join(","))
}

fn canvas(width: u32, height: u32) -> web_sys::HtmlCanvasElement {
    let doc = leptos::prelude::document();
    let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
    canvas.style().set_property("width", &format!("{width}px")).unwrap();
    canvas.style().set_property("height", &format!("{height}px")).unwrap();
    doc.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

/// The colour of one CSS pixel of the canvas, as 0xRRGGBB.
fn pixel(painter: &Painter, x: f64, y: f64) -> u32 {
    let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
    let data = painter.ctx.get_image_data((x * dpr).round(), (y * dpr).round(), 1.0, 1.0).unwrap().data();
    (data[0] as u32) << 16 | (data[1] as u32) << 8 | data[2] as u32
}

#[wasm_bindgen_test]
fn draw_list_merges_thin_spans_and_paints_them() {
    let set = crate::load("t.json", trace_json().as_bytes()).unwrap();
    let trace = &set.traces[0];
    let analysis = analyze(&set, 0);
    let model = FlameModel::new(&set, trace, &analysis);
    let cols = colours(&set, trace, &analysis.stats.self_ns, Colouring::Service);
    let scene = Scene { trace, layout: &analysis.layout, model: &model, colours: &cols, matches: None, show_critical: false };
    // 200 px for 1000 µs: five 1-µs children per pixel column.
    let vp = Viewport::new(model.total_ns, analysis.layout.row_count(), 200.0, 120.0);
    let mut list = DrawList::default();
    list.build(&scene, &vp);
    let row1: Vec<_> = list.bars.iter().filter(|b| b.row == 1).collect();
    assert_eq!(row1.len(), 2, "400 thin spans → one joined mark, plus the wide span");
    assert_eq!(row1[0].count, 400);
    assert!((row1[0].x - 20.0).abs() < 1e-9 && (row1[0].w - 80.0).abs() < 1e-9);

    let mut painter = Painter::new(canvas(200, 120)).expect("a 2d context");
    let theme = paint::theme();
    painter.begin(vp.width, vp.height, theme.bg);
    painter.flame(&Frame { set: &set, trace, vp: &vp, clock: crate::view::axis::Clock::Relative, list: &list, theme });
    let mid_row = |r: f64| AXIS_HEIGHT + r * ROW_HEIGHT + ROW_HEIGHT / 2.0;
    let db = cols.span[2];
    assert_eq!(pixel(&painter, 60.0, mid_row(1.0)), db, "the merged mark is painted in the db colour");
    assert_eq!(pixel(&painter, 140.0, mid_row(1.0)), u32::from_str_radix(&theme.bg[1..], 16).unwrap(), "nothing between the mark and the wide span");
    assert_eq!(pixel(&painter, 175.0, AXIS_HEIGHT + 2.0 * ROW_HEIGHT - 2.5), crate::view::colour::ERROR_RGB, "the error span is underlined");
}

#[wasm_bindgen_test]
fn hit_testing_finds_spans_at_canvas_points() {
    let set = crate::load("t.json", trace_json().as_bytes()).unwrap();
    let trace = &set.traces[0];
    let analysis = analyze(&set, 0);
    let model = FlameModel::new(&set, trace, &analysis);
    let mut vp = Viewport::new(model.total_ns, analysis.layout.row_count(), 1000.0, 200.0);
    let name = |x: f64, y: f64, vp: &Viewport| {
        hit(&analysis.layout, &model, vp, x, y).map(|s| set.str(trace.spans[s as usize].name).to_string())
    };
    assert_eq!(name(500.0, AXIS_HEIGHT + 5.0, &vp).as_deref(), Some("root"));
    assert_eq!(name(900.0, AXIS_HEIGHT + 25.0, &vp).as_deref(), Some("wide"));
    assert_eq!(name(700.0, AXIS_HEIGHT + 25.0, &vp), None);
    // Zoomed into 150–160 µs, the 1-µs child at 155 µs is 100 px wide and hit exactly.
    vp.frame(150_000.0, 160_000.0, None);
    let x = vp.x_of(155_500.0);
    let span = hit(&analysis.layout, &model, &vp, x, AXIS_HEIGHT + 25.0).unwrap();
    assert_eq!(trace.spans[span as usize].start_ns, 155_000);
}

/// The statistics charts, drawn by plotters on a real canvas: a hover region per bar with what it says, the
/// selected span's red line in the histogram, and the profile of spans running at once.
#[wasm_bindgen_test]
fn charts_draw_with_plotters_and_say_their_values() {
    use crate::analysis::breakdown::{breakdown, Dimension, Grouping, Part};
    use crate::analysis::histogram::concurrency;
    use crate::ui::views::charts;
    let set = crate::load("t.json", trace_json().as_bytes()).unwrap();
    let trace = &set.traces[0];
    let analysis = analyze(&set, 0);
    let parts = [Part::new(trace, &analysis)];
    let by_service = breakdown(&set, &parts, Grouping { by: Dimension::Service, then: None });
    let hits = charts::draw_services(&canvas(400, 220), &by_service);
    assert_eq!(hits.len(), 2, "a bar per service");
    assert!(hits[0].4.starts_with("web: self "), "{}", hits[0].4);
    assert!(hits[0].1 < hits[1].1, "the largest self time on top");

    let durations: Vec<i64> = (1..=100).map(|d| d * 1000).collect();
    let histogram = canvas(400, 220);
    let hits = charts::draw_histogram(&histogram, "q", None, &durations, Some(97_000));
    assert_eq!(hits.len(), 24, "a hover region per bin");
    let ctx: web_sys::CanvasRenderingContext2d = histogram.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = ctx.get_image_data(0.0, 0.0, histogram.width() as f64, histogram.height() as f64).unwrap().data();
    let bad = u32::from_str_radix(&paint::theme().bad[1..], 16).unwrap();
    let red = data.chunks(4).filter(|p| ((p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32) == bad).count();
    assert!(red > 50, "the selected span's line: {red} px");

    let (counts, errors) = concurrency(&set.strings, trace, 100);
    let hits = charts::draw_concurrency(&canvas(400, 220), &counts, &errors, trace.end_ns() - trace.start_ns());
    assert!(hits.iter().any(|h| h.4.contains("failed span start")), "the error span's start is said");
}

