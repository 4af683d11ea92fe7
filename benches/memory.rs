//! Native memory benchmark: heap bytes held (and the peak) after each stage of loading a generated trace —
//! parse (input still held), input freed, span trees, analysis, flame model — per format, with bytes per span.
//! Prints a Markdown table for the README. Run: `cargo bench --bench memory` (add `-- 100000` to cap the size).

use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::memory::{held, peak, restart_peak, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| format | spans | input MB | peak while parsing | model (input freed) | + trees | + analysis | + flame model | peak overall |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for spans in [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap) {
        for format in [GenFormat::OtlpJson, GenFormat::JaegerJson] {
            let base = held() as usize;
            let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format });
            let input = bytes.len();
            restart_peak();
            let per_span = |held: usize| format!("{} B/span", held.saturating_sub(base) / spans);
            let mut parser = spanlens::formats::IncrementalParse::new("bench.json");
            while !parser.step(&bytes, 256 * 1024) {}
            let mut set = parser.finish(&bytes).expect("generated input parses");
            let parsing = peak() as usize;
            drop(bytes);
            let model = held() as usize;
            spanlens::analysis::tree::build_all(&mut set);
            let trees = held() as usize;
            let analyses = spanlens::analysis::analyze_all(&set);
            let analysis = held() as usize;
            let flame = spanlens::view::FlameModel::new(&set, &set.traces[0], &analyses[0]);
            let flamed = held() as usize;
            println!(
                "| {} | {spans} | {:.0} | {} | {} | {} | {} | {} | {:.0} MB |",
                format.extension(),
                input as f64 / 1e6,
                per_span(parsing),
                per_span(model),
                per_span(trees),
                per_span(analysis),
                per_span(flamed),
                (peak() as usize - base) as f64 / 1e6,
            );
            drop((flame, analyses, set));
        }
    }
}
