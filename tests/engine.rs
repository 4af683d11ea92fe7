//! The engine as a worker runs it gives what the one-thread load gives: every fixture and real exporter file
//! read in chunks (`engine::job`, gzip too), analysed, sent as `engine::wire` blocks and put back together
//! equals `pipeline::load_analyzed` of the whole file (traces, analyses, summary, warnings, rejections), with
//! clock-skew adjustment on and off; and a failing file fails with the same file:line:column error.

mod common;

use common::{fixture_names, fixtures_dir};
use spanlens::engine::job::{run, Reading};
use spanlens::engine::wire::{self, Assembled, Assembler};
use spanlens::pipeline::{load_analyzed, with_skew_adjustment, LoadedFile, Pipeline};
use std::path::PathBuf;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> =
        fixture_names().into_iter().map(|n| (n.clone(), std::fs::read(fixtures_dir().join(&n)).unwrap())).collect();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            out.push((path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    assert!(out.len() > 25, "{} inputs", out.len());
    out
}

/// As a worker does it: chunks of `chunk` bytes, then the pipeline, then across as blocks.
fn in_worker(name: &str, bytes: &[u8], chunk: usize) -> Result<LoadedFile, String> {
    let mut reading = Reading::new(name, Some(bytes.len() as u64), u64::MAX)?;
    for piece in bytes.chunks(chunk) {
        reading.take_whole(piece)?;
    }
    let file = run(reading.finish()?, u64::MAX, || 0.0, f64::MAX, |_| {}).map_err(|e| e.to_string())?;
    across(&file)
}

fn across(file: &LoadedFile) -> Result<LoadedFile, String> {
    let mut assembler = Assembler::new();
    for block in wire::of_file(file) {
        assembler.push(&block)?;
    }
    match assembler.finish()? {
        Assembled::File(file) => Ok(file),
        Assembled::Set { .. } => Err("a set, not a file".into()),
    }
}

/// Equal as a person sees them: the same summary, the same spans written out (strings, not the symbols
/// they were interned as: a file read as it arrives interns in another order than one read whole), the same
/// analyses, warnings and rejections.
fn assert_same(name: &str, a: &LoadedFile, b: &LoadedFile) {
    assert_eq!(a.summary.to_json(), b.summary.to_json(), "{name}: summary");
    assert_eq!(spanlens::export::otlp_json(&a.set, None), spanlens::export::otlp_json(&b.set, None), "{name}: spans");
    assert_eq!(a.set.traces.len(), b.set.traces.len());
    for (t, (x, y)) in a.analyses.iter().zip(&b.analyses).enumerate() {
        assert_eq!((&x.critical_path, &x.layout, &x.findings), (&y.critical_path, &y.layout, &y.findings), "{name}: trace {t}");
        assert_eq!(x.stats.self_ns, y.stats.self_ns, "{name}: trace {t}");
        let groups = |f: &LoadedFile, g: &[spanlens::analysis::stats::GroupStats]| {
            g.iter().map(|g| (f.set.str(g.service).to_string(), f.set.str(g.name).to_string(), g.count, g.total_ns, g.self_ns, g.errors)).collect::<Vec<_>>()
        };
        assert_eq!(groups(a, &x.stats.by_service), groups(b, &y.stats.by_service), "{name}: trace {t}");
        assert_eq!(groups(a, &x.stats.by_operation), groups(b, &y.stats.by_operation), "{name}: trace {t}");
        assert_eq!(a.set.traces[t].tree, b.set.traces[t].tree, "{name}: trace {t}");
        assert_eq!(a.set.traces[t].warnings, b.set.traces[t].warnings, "{name}: trace {t}");
        // The look (flame model, colours by service) crosses whole; only its stamp is the receiving side's own.
        let (p, q) = (&a.looks[t], &b.looks[t]);
        assert_eq!((&p.model, &p.colours.span, &p.colours.legend), (&q.model, &q.colours.span, &q.colours.legend), "{name}: trace {t} look");
    }
    assert_eq!((&a.set.warnings, &a.set.rejected), (&b.set.warnings, &b.set.rejected), "{name}: warnings and rejections");
}

#[test]
fn every_file_read_as_a_worker_reads_it_equals_the_one_thread_load() {
    for (name, bytes) in inputs() {
        let whole = load_analyzed(&name, &bytes);
        for chunk in [4096, 1 << 20] {
            match (&whole, in_worker(&name, &bytes, chunk)) {
                (Ok(whole), Ok(worker)) => assert_same(&name, whole, &worker),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b, "{name}: the same error"),
                (a, b) => panic!("{name}: one way loads, the other not: {:?} / {:?}", a.as_ref().err().map(|e| e.to_string()), b.err()),
            }
        }
    }
}

#[test]
fn the_skew_toggle_in_a_worker_equals_the_toggle_on_the_page() {
    for (name, bytes) in inputs() {
        let Ok(file) = load_analyzed(&name, &bytes) else { continue };
        for on in [true, false] {
            let on_page = with_skew_adjustment(&file, on);
            // The page sends the set; the worker analyses it again and sends the file back.
            let mut assembler = Assembler::new();
            for block in wire::of_set(&file.set, on) {
                assembler.push(&block).unwrap();
            }
            let Assembled::Set { set, skew_adjusted } = assembler.finish().unwrap() else { panic!("{name}: a set") };
            let again = Pipeline::reanalyse_set(set, skew_adjusted).run().unwrap();
            assert_same(&name, &on_page, &across(&again).unwrap());
        }
    }
}

#[test]
fn gzip_read_in_chunks_as_a_worker_reads_it() {
    use std::io::Write;
    let (name, bytes) = inputs().into_iter().find(|(n, _)| n == "otel-js-express.jsonl").unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let packed = gz.finish().unwrap();
    let worker = in_worker("e.jsonl.gz", &packed, 1000).unwrap();
    let whole = load_analyzed("e.jsonl.gz", &packed).unwrap();
    assert_same(&name, &whole, &worker);
}
