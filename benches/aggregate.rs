//! Aggregate and compare benchmark: 1,000 generated traces of 1,000 spans merged by path (the Aggregate
//! tab over a file), and two generated traces of 100,000 spans (different seeds) compared span by span
//! (the Compare tab), each with the document the flame graph then draws. Prints a Markdown table.
//! Run: `cargo bench --bench aggregate`.

use spanlens::analysis::aggregate::{aggregate, same_root, to_otlp_json, Size};
use spanlens::analysis::breakdown::Part;
use spanlens::analysis::compare;
use spanlens::generate::{generate, GenConfig, GenFormat};
use spanlens::pipeline::load_analyzed;
use std::time::Instant;

fn main() {
    println!("| what | spans | computed (s) | its drawing's document (s) | nodes or pairs |");
    println!("|---|---:|---:|---:|---:|");
    let many = load_analyzed("many.otlp.json", &generate(&GenConfig { spans: 1_000_000, traces: 1000, seed: 1, format: GenFormat::OtlpJson })).expect("loads");
    let traces: Vec<usize> = (0..many.set.traces.len()).collect();
    let parts: Vec<Part> = traces.iter().map(|&t| many.part(t)).collect();
    let started = Instant::now();
    let agg = aggregate(&many.set, &parts);
    let computed = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let doc = to_otlp_json(&many.set, &agg, Size::Total, traces.len());
    let drawn = started.elapsed().as_secs_f64();
    let spans: usize = many.set.traces.iter().map(|t| t.spans.len()).sum();
    println!("| aggregate {} traces | {spans} | {computed:.3} | {drawn:.3} ({} KB) | {} |", many.set.traces.len(), doc.len() / 1000, agg.nodes.len());
    let same = same_root(&many.set, 0).len();
    println!("(of which {same} share trace 0's root operation)");

    let a = load_analyzed("a.otlp.json", &generate(&GenConfig { spans: 100_000, traces: 1, seed: 1, format: GenFormat::OtlpJson })).expect("loads");
    let b = load_analyzed("b.otlp.json", &generate(&GenConfig { spans: 100_000, traces: 1, seed: 2, format: GenFormat::OtlpJson })).expect("loads");
    let started = Instant::now();
    let c = compare::compare(&a.set, a.part(0), &b.set, b.part(0));
    let computed = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let doc = compare::to_otlp_json(&c, a.part(0), b.part(0));
    let drawn = started.elapsed().as_secs_f64();
    println!("| compare two traces | {} + {} | {computed:.3} | {drawn:.3} ({} MB) | {} |", a.set.traces[0].spans.len(), b.set.traces[0].spans.len(), doc.len() / 1_000_000, c.pairs.len());
    println!("verdict: {}", c.verdict());
}
