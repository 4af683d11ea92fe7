//! Native draw-list benchmark: what one flame-graph frame costs before painting, on generated OTLP traces of
//! 10k, 100k and 1M spans in a 1600×1000 canvas. Zoomed out (the first frame builds the level-of-detail
//! tiles; later ones reuse them), then 30 zoom steps of 15% towards the middle (down to 0.8% of the trace),
//! and 30 pans of 40 px at a tenth of the trace, each a frame of its own.
//! Prints a Markdown table for the README. Run: `cargo bench --bench draw` (add `-- 100000` to cap the size).

use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::view::colour::{colours, Colouring};
use spanlens::view::draw::{DrawList, Scene};
use spanlens::view::viewport::Viewport;
use spanlens::view::FlameModel;
use std::time::Instant;

/// Milliseconds `f` takes.
fn ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| spans | bars zoomed out | zoomed out: first frame | zoomed out: frame | zoom steps: mean / max | pans: mean / max |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for spans in [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap) {
        let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format: GenFormat::OtlpJson });
        let file = spanlens::pipeline::load_analyzed("bench.otlp.json", &bytes).expect("generated input loads");
        drop(bytes);
        let set = &file.set;
        let (trace, analysis) = (&set.traces[0], &file.analyses[0]);
        let model = FlameModel::new(set, trace, analysis);
        let colours = colours(set, trace, &analysis.stats.self_ns, Colouring::Service);
        let scene = Scene { trace, layout: &analysis.layout, model: &model, colours: &colours, matches: None, show_critical: true };
        let mut vp = Viewport::new(model.total_ns, analysis.layout.row_count(), 1600.0, 1000.0);
        let mut list = DrawList::default();
        let first = ms(|| list.build(&scene, &vp));
        let bars = list.bars.len();
        let steady = ms(|| (0..50).for_each(|_| list.build(&scene, &vp))) / 50.0;
        let mut frames = |vp: &mut Viewport, step: &dyn Fn(&mut Viewport)| {
            let times: Vec<f64> = (0..30)
                .map(|_| {
                    step(vp);
                    ms(|| list.build(&scene, vp))
                })
                .collect();
            (times.iter().sum::<f64>() / times.len() as f64, times.iter().copied().fold(0.0, f64::max))
        };
        let zoom = frames(&mut vp, &|vp| vp.zoom_at(0.85, 800.0));
        vp.reset();
        vp.zoom_at(0.1, 400.0);
        let pan = frames(&mut vp, &|vp| vp.pan_px(-40.0, 0.0));
        println!(
            "| {spans} | {bars} | {first:.2} ms | {steady:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms |",
            zoom.0, zoom.1, pan.0, pan.1
        );
    }
}
