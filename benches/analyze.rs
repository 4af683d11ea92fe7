//! Native analysis benchmark: load, then the full analysis (critical path, layout, statistics, findings,
//! summary) of generated OTLP traces of 10k, 100k and 1M spans. Prints a Markdown table for the README.
//! Run: `cargo bench --bench analyze` (add `-- 100000` to cap the size).

use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::pipeline::{Pipeline, Stage};
use std::borrow::Cow;
use std::time::Instant;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| spans | load (s) | analysis (s) | analysis spans/s | summary (s) | load + analysis (s) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for spans in [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap) {
        let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format: GenFormat::OtlpJson });
        // The one load pipeline, as the browser runs it, timed by stage: parse and trees (load), analysis,
        // summary.
        let mut pipeline = Pipeline::of_bytes("bench.otlp.json", Cow::Borrowed(&bytes)).expect("generated input loads");
        let mut took = [0.0f64; 3];
        let file = loop {
            let stage = pipeline.progress().stage;
            let started = Instant::now();
            let done = pipeline.step(usize::MAX).expect("generated input loads");
            let slot = match stage {
                Stage::Reading | Stage::Parsing | Stage::Trees => 0,
                Stage::Skew | Stage::Analysing => 1,
                Stage::Summarising | Stage::Done => 2,
            };
            took[slot] += started.elapsed().as_secs_f64();
            if let Some(file) = done {
                break file;
            }
        };
        let t2 = Instant::now();
        let summary = file.summary.to_json();
        let [load, analysis, summarise] = took;
        let summary_time = summarise + t2.elapsed().as_secs_f64();
        assert!(summary.contains("n-plus-one"));
        println!(
            "| {spans} | {load:.3} | {analysis:.3} | {:.0} | {summary_time:.3} | {:.3} |",
            spans as f64 / analysis,
            load + analysis
        );
    }
}
