//! Deterministic generator of realistic e-commerce "checkout" traces, written in any of the trace
//! formats the viewer reads: OTLP/JSON, OTLP/JSONL (collector file exporter), Jaeger query-API JSON
//! and Zipkin v2 JSON. Used for the bundled sample, tests, benchmarks and demos.
//!
//! - **Deterministic**: the output depends only on [`GenConfig`] (a seeded `fastrand::Rng`, no clock,
//!   no hash-map iteration), so the same config always gives byte-identical output.
//! - **Exact size**: exactly `cfg.spans` span objects, split as evenly as possible over `cfg.traces`.
//! - **Streaming**: spans are built one checkout at a time, buffered in chunks of [`CHUNK`] spans and
//!   encoded straight to the writer: 1M spans (~0.6–0.9 GB of JSON) take about a second and a few MB.
//! - **Interesting**: every trace holds the patterns the analysis must find: an error with an
//!   `exception` event, an N+1 query run, a concurrent fan-out and an orphan (broken propagation).
//!
//! Shape of one trace (times in whole microseconds, so every format carries identical times):
//! ```text
//! POST /checkout                      gateway SERVER, root: a batch of checkouts run on 4 workers
//! ├─ checkout                         gateway INTERNAL, one per order of the batch
//! │  ├─ CheckStock                    gRPC gateway → inventory, then a redis MGET
//! │  ├─ GET /api/products             HTTP gateway → product, then `SELECT product` × items (N+1)
//! │  ├─ POST /api/orders              HTTP gateway → order: two INSERTs, publish to Kafka
//! │  ├─ POST /v1/payments             first checkout: card declined (ERROR + exception), retried
//! │  ├─ POST /v1/payments             authorize → Score (gRPC → fraud → redis) → Stripe
//! │  └─ POST /v1/notifications        HTTP gateway → notification, ≥10 concurrent sends (fan-out)
//! └─ …
//! process order-events                notification-worker CONSUMER: its parent (a PRODUCER span)
//!                                     was never exported, so it is an orphan; runs after the root
//! ```
//! Spans are modelled once (`Span`); each format is a small encoder over that model (`Encoder`).

mod checkout;
mod jaeger;
mod model;
mod otlp;
mod sink;
mod zipkin;

use checkout::*;
use jaeger::*;
use model::*;
use otlp::*;
use sink::*;
use zipkin::*;
use std::borrow::Cow;
use std::io::{self, Write};

use fastrand::Rng;

/// Output format of the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenFormat {
    /// One OTLP/JSON document `{"resourceSpans":[…]}`.
    OtlpJson,
    /// One OTLP/JSON object per line (the collector file exporter), ≤ [`CHUNK`] spans per line.
    OtlpJsonl,
    /// Jaeger query API `{"data":[trace, …], …}`.
    JaegerJson,
    /// Zipkin v2: a flat array of spans.
    ZipkinV2,
}

impl GenFormat {
    /// Parses the command-line name: `otlp`, `otlp-jsonl`, `jaeger` or `zipkin`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "otlp" => Some(Self::OtlpJson),
            "otlp-jsonl" => Some(Self::OtlpJsonl),
            "jaeger" => Some(Self::JaegerJson),
            "zipkin" => Some(Self::ZipkinV2),
            _ => None,
        }
    }

    /// File name extension, without the leading dot (e.g. `otlp.json`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::OtlpJson => "otlp.json",
            Self::OtlpJsonl => "otlp.jsonl",
            Self::JaegerJson => "jaeger.json",
            Self::ZipkinV2 => "zipkin.json",
        }
    }
}

/// What to generate. `traces` is clamped to `1..=spans`.
#[derive(Clone, Debug)]
pub struct GenConfig {
    pub spans: usize,
    pub traces: usize,
    pub seed: u64,
    pub format: GenFormat,
}

impl Default for GenConfig {
    fn default() -> Self {
        Self {
            spans: 1000,
            traces: 1,
            seed: 1,
            format: GenFormat::OtlpJson,
        }
    }
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    pub spans: usize,
    pub traces: usize,
    pub bytes: usize,
    /// Spans with status ERROR.
    pub error_spans: usize,
    /// Spans whose parent id is deliberately absent from the output (one per trace of ≥ 2 spans).
    pub orphan_spans: usize,
}

/// Writes the traces described by `cfg` to `out`, streaming. Wrap files/stdout in a `BufWriter`.
pub fn write_traces<W: Write>(cfg: &GenConfig, out: &mut W) -> io::Result<GenStats> {
    let traces = if cfg.spans == 0 {
        0
    } else {
        cfg.traces.clamp(1, cfg.spans)
    };
    let mut rng = Rng::with_seed(cfg.seed);
    let ids = Ids::new(&mut rng);
    let mut gen = Gen {
        rng,
        ids,
        nodes: Vec::new(),
        prio: 0,
    };
    let mut sink = Sink::new(cfg.format, out);
    sink.enc.begin_doc();
    // Seed-derived start within the hour after the fixed epoch; traces follow each other by 1–5 s.
    let mut start = EPOCH_US + gen.rng.u64(0..3_600_000_000);
    for t in 0..traces {
        let budget = cfg.spans / traces + usize::from(t < cfg.spans % traces);
        gen.trace(budget, start, &mut sink)?;
        start += gen.rng.u64(1_000_000..5_000_000);
    }
    sink.enc.end_doc();
    sink.write_out()?;
    Ok(sink.stats)
}

/// Convenience: the whole output in memory.
pub fn generate(cfg: &GenConfig) -> Vec<u8> {
    let mut out = Vec::new();
    write_traces(cfg, &mut out).expect("writing to a Vec cannot fail");
    out
}

/// 2026-01-15T10:00:00Z in microseconds since the Unix epoch.
const EPOCH_US: u64 = 1_768_471_200_000_000;
/// Spans per encoded chunk: one OTLP-JSONL line, one group of `resourceSpans`, one write to `out`.
pub const CHUNK: usize = 1000;
/// Concurrent workers of the gateway batch: checkouts of a batch overlap up to this many.
const WORKERS: usize = 4;
