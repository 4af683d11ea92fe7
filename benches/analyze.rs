//! Native analysis benchmark: load, then the full analysis (critical path, layout, statistics, findings,
//! summary) of generated OTLP traces of 10k, 100k and 1M spans. Prints a Markdown table for the README.
//! Run: `cargo bench --bench analyze` (add `-- 100000` to cap the size).

use spanlens::analysis::{analyze_all, summary::summarize_analyzed};
use spanlens::generate::{generate, GenConfig, GenFormat};
use std::time::Instant;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| spans | load (s) | analysis (s) | analysis spans/s | summary (s) | load + analysis (s) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for spans in [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap) {
        let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format: GenFormat::OtlpJson });
        let t0 = Instant::now();
        let set = spanlens::load("bench.otlp.json", &bytes).expect("generated input loads");
        let load = t0.elapsed().as_secs_f64();
        drop(bytes);
        let t1 = Instant::now();
        let analyses = analyze_all(&set);
        let analysis = t1.elapsed().as_secs_f64();
        let t2 = Instant::now();
        let summary = summarize_analyzed(&set, &analyses).to_json();
        let summary_time = t2.elapsed().as_secs_f64();
        assert!(summary.contains("n-plus-one"));
        println!(
            "| {spans} | {load:.3} | {analysis:.3} | {:.0} | {summary_time:.3} | {:.3} |",
            spans as f64 / analysis,
            load + analysis
        );
    }
}
