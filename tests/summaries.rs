//! The summary JSON (`spanlens.summary/1`, a contract with other tools) of every fixture and of generated
//! traces, with and without clock-skew adjustment, is byte-identical to the golden copy in
//! `tests/golden/summaries/`. A change that alters a summary must say so by re-blessing:
//! `SPANLENS_BLESS=1 cargo test --test summaries` rewrites the goldens, and the diff shows what moved.

mod common;
use common::{fixture_names, fixtures_dir};
use spanlens::pipeline;
use spanlens::generate::{generate, GenConfig, GenFormat};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/summaries")
}

/// The summary as the viewer shows it after loading, and after the clock-skew toggle is turned on; both
/// through the one load pipeline, as the browser runs it.
fn summaries(name: &str, bytes: &[u8]) -> (String, String) {
    let loaded = pipeline::load_analyzed(name, bytes).unwrap_or_else(|e| panic!("loading {name}: {e}"));
    let plain = loaded.summary.to_json();
    let adjusted = pipeline::with_skew_adjustment(&loaded, true);
    // Turning it off again gives back the first summary exactly.
    let back = pipeline::with_skew_adjustment(&adjusted, false);
    assert_eq!(back.summary.to_json(), plain, "{name}: skew on then off");
    (plain, adjusted.summary.to_json())
}

/// 64-bit FNV-1a: a stable digest for summaries too large to keep whole.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Compares `text` with the golden file `name` (or writes it when blessing). Returns a mismatch message.
fn check(name: &str, text: &str) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("SPANLENS_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, text).unwrap();
        return None;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (bless with SPANLENS_BLESS=1)", path.display()));
    (want != text).then(|| {
        let at = want.bytes().zip(text.bytes()).take_while(|(a, b)| a == b).count();
        let from = at.saturating_sub(60);
        format!(
            "{name}: differs at byte {at}\n  golden: …{}\n  now:    …{}",
            want.get(from..(at + 60).min(want.len())).unwrap_or("?"),
            text.get(from..(at + 60).min(text.len())).unwrap_or("?")
        )
    })
}

fn generated_cases() -> Vec<(String, GenConfig)> {
    let formats = [GenFormat::OtlpJson, GenFormat::OtlpJsonl, GenFormat::JaegerJson, GenFormat::ZipkinV2];
    let mut cases = Vec::new();
    for format in formats {
        for (spans, traces, seed) in [(120, 1, 7), (3000, 3, 11)] {
            let name = format!("gen-{spans}-{traces}-{seed}.{}", format.extension());
            cases.push((name, GenConfig { spans, traces, seed, format }));
        }
    }
    cases
}

#[test]
fn summaries_are_byte_identical_to_the_golden_copies() {
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for name in fixture_names() {
        let bytes = std::fs::read(fixtures_dir().join(&name)).unwrap();
        inputs.push((name, bytes));
    }
    for (name, cfg) in generated_cases() {
        inputs.push((name, generate(&cfg)));
    }
    let mut mismatches = Vec::new();
    for (name, bytes) in &inputs {
        let (plain, adjusted) = summaries(name, bytes);
        mismatches.extend(check(&format!("{name}.summary.json"), &plain));
        mismatches.extend(check(&format!("{name}.skew.summary.json"), &adjusted));
    }
    assert!(mismatches.is_empty(), "{} summaries changed:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// A larger generated trace, kept as a digest: its findings list a thousand span ids.
#[test]
fn a_large_generated_summary_keeps_its_digest() {
    let cfg = GenConfig { spans: 40_000, traces: 2, seed: 5, format: GenFormat::OtlpJson };
    let (plain, adjusted) = summaries("gen-40000.otlp.json", &generate(&cfg));
    let digest = format!("{:016x} {} bytes\n{:016x} {} bytes\n", fnv1a(plain.as_bytes()), plain.len(), fnv1a(adjusted.as_bytes()), adjusted.len());
    if let Some(mismatch) = check("gen-40000.otlp.json.digest", &digest) {
        panic!("{mismatch}");
    }
}
