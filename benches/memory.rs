//! Native memory benchmark: heap bytes held (and the peak) after each stage of loading a generated trace —
//! parse (input still held), input freed, span trees, analysis, flame model — per format, with bytes per span.
//! Prints a Markdown table for the README. Run: `cargo bench --bench memory` (add `-- 100000` to cap the size).

use spanlens::generate::{generate, GenConfig, GenFormat};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes currently held and the most ever held.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(held, Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let held = HELD.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
            PEAK.fetch_max(held, Relaxed);
        } else {
            HELD.fetch_sub(layout.size() - new_size, Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| format | spans | input MB | peak while parsing | model (input freed) | + trees | + analysis | + flame model | peak overall |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for spans in [10_000usize, 100_000, 1_000_000].into_iter().filter(|&n| n <= cap) {
        for format in [GenFormat::OtlpJson, GenFormat::JaegerJson] {
            let base = HELD.load(Relaxed);
            let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format });
            let input = bytes.len();
            PEAK.store(HELD.load(Relaxed), Relaxed);
            let per_span = |held: usize| format!("{} B/span", held.saturating_sub(base) / spans);
            let mut parser = spanlens::formats::IncrementalParse::new("bench.json");
            while !parser.step(&bytes, 256 * 1024) {}
            let mut set = parser.finish(&bytes).expect("generated input parses");
            let parsing = PEAK.load(Relaxed);
            drop(bytes);
            let model = HELD.load(Relaxed);
            spanlens::analysis::tree::build_all(&mut set);
            let trees = HELD.load(Relaxed);
            let analyses = spanlens::analysis::analyze_all(&set);
            let analysis = HELD.load(Relaxed);
            let flame = spanlens::view::FlameModel::new(&set, &set.traces[0], &analyses[0]);
            let flamed = HELD.load(Relaxed);
            println!(
                "| {} | {spans} | {:.0} | {} | {} | {} | {} | {} | {:.0} MB |",
                format.extension(),
                input as f64 / 1e6,
                per_span(parsing),
                per_span(model),
                per_span(trees),
                per_span(analysis),
                per_span(flamed),
                (PEAK.load(Relaxed) - base) as f64 / 1e6,
            );
            drop((flame, analyses, set));
        }
    }
}
