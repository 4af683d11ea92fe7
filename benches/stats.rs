//! Statistics benchmark: the statistics table (`analysis::breakdown`) of a generated trace of 100k and 1M
//! spans, grouped by service, by operation, by an attribute with a sub-group; the attribute keys for the
//! picker; and the histogram of the largest operation. Prints a Markdown table for the README.
//! Run: `cargo bench --bench stats` (add `-- 100000` to cap the size).

use spanlens::analysis::breakdown::{attribute_keys, breakdown, Dimension, Grouping};
use spanlens::analysis::histogram::{peer_durations, Histogram};
use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::pipeline::load_analyzed;
use std::time::Instant;

fn main() {
    let cap: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("| spans | by service (s) | by operation (s) | by attribute, then service (s) | attribute keys (s) | histogram (s) | groups |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for spans in [100_000usize, 1_000_000].into_iter().filter(|&n| n <= cap) {
        let bytes = generate(&GenConfig { spans, traces: 1, seed: 1, format: GenFormat::OtlpJson });
        let file = load_analyzed("bench.otlp.json", &bytes).expect("generated input loads");
        let (set, a) = (&file.set, &file.analyses[0]);
        let parts = [file.part(0)];
        let time = |f: &mut dyn FnMut() -> usize| {
            let started = Instant::now();
            let n = f();
            (started.elapsed().as_secs_f64(), n)
        };
        let (service, _) = time(&mut || breakdown(set, &parts, Grouping { by: Dimension::Service, then: None }).rows.len());
        let (operation, groups) = time(&mut || breakdown(set, &parts, Grouping { by: Dimension::Operation, then: None }).rows.len());
        let key = set.strings.lookup("http.route").or_else(|| set.strings.lookup("db.system")).expect("the generator writes http.route");
        let (attribute, _) = time(&mut || breakdown(set, &parts, Grouping { by: Dimension::Attribute(key), then: Some(Dimension::Service) }).rows.len());
        let (keys, _) = time(&mut || attribute_keys(set, &parts).len());
        let top = &a.stats.by_operation[0];
        let (histogram, _) = time(&mut || Histogram::new(&peer_durations(set, [0], top.service, top.name), 24).counts.len());
        println!("| {spans} | {service:.3} | {operation:.3} | {attribute:.3} | {keys:.3} | {histogram:.3} | {groups} |");
    }
}
