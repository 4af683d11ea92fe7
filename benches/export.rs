//! Export benchmark: a generated Jaeger trace of 10k, 100k and 1M spans written as OTLP/JSON (what the
//! trace header's "OTLP/JSON" downloads), and the export read back. Prints a Markdown table for the README.
//! Run: `cargo bench --bench export` (add `-- 100000` to cap the size).

use spanlens::export::otlp_json;
use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::pipeline::load_analyzed;
use std::time::Instant;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| spans | Jaeger input (MB) | export (s) | OTLP/JSON (MB) | read back (s) |");
    println!("|---:|---:|---:|---:|---:|");
    for spans in [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap) {
        let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format: GenFormat::JaegerJson });
        let file = load_analyzed("bench.jaeger.json", &bytes).expect("generated input loads");
        let started = Instant::now();
        let exported = otlp_json(&file.set, Some(0));
        let export = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let again = load_analyzed("bench.otlp.json", &exported).expect("the export reads");
        let read = started.elapsed().as_secs_f64();
        assert_eq!(again.summary.traces[0].span_count, file.summary.traces[0].span_count);
        let mb = |n: usize| n as f64 / 1e6;
        println!("| {spans} | {:.1} | {export:.3} | {:.1} | {read:.3} |", mb(bytes.len()), mb(exported.len()));
    }
}
