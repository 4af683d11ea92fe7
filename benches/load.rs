//! Native load benchmark: parse + tree throughput per format on generated traces of 10k, 100k and 1M spans,
//! and the parse alone read whole (`formats::parse`) and a slice at a time (`IncrementalParse`, in 256 KB
//! slices as the browser does). Prints a Markdown table for the README.
//! Run: `cargo bench --bench load` (add `-- 100000` to cap the size).

use spanlens::generate::{generate, GenConfig, GenFormat};
use std::time::Instant;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let sizes = [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap);
    let formats = [GenFormat::OtlpJson, GenFormat::OtlpJsonl, GenFormat::JaegerJson, GenFormat::ZipkinV2];
    println!("| format | spans | MB | parse + tree (s) | MB/s | spans/s | parse whole (s) | parse in slices (s) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for spans in sizes {
        for format in formats {
            let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format });
            // Best of a few runs for small inputs, one run for the largest (it takes seconds by itself).
            let runs = if spans >= 1_000_000 { 1 } else { 3 };
            let mut best = f64::MAX;
            for _ in 0..runs {
                let started = Instant::now();
                let set = spanlens::load("bench.json", &bytes).expect("generated input loads");
                best = best.min(started.elapsed().as_secs_f64());
                assert_eq!(set.span_objects as usize, spans);
                drop(set);
            }
            let whole = time(|| drop(spanlens::formats::parse("bench.json", &bytes).expect("parses")));
            let sliced = time(|| {
                let mut parser = spanlens::formats::IncrementalParse::new("bench.json");
                while !parser.step(&bytes, 256 * 1024) {}
                drop(parser.finish(&bytes).expect("parses"));
            });
            let mb = bytes.len() as f64 / 1e6;
            println!(
                "| {} | {spans} | {mb:.1} | {best:.3} | {:.0} | {:.0} | {whole:.3} | {sliced:.3} |",
                format.extension(),
                mb / best,
                spans as f64 / best
            );
        }
    }
}

fn time(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64()
}
