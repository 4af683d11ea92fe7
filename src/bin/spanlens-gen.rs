//! `spanlens-gen`: writes deterministic, realistic checkout traces (see `spanlens::generate`).
//!
//! ```text
//! spanlens-gen --spans N [--traces T] [--seed S] [--format otlp|otlp-jsonl|jaeger|zipkin] [-o FILE]
//! ```
//! N and T accept `k`/`m` suffixes (`10k`, `1m`). Output goes to stdout unless `-o` is given;
//! statistics go to stderr.

// A command-line tool: native only (the generator is not in the web build).
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    gen::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod gen {
    use std::fs::File;
    use std::io::{self, BufWriter, Write};
    use std::process::ExitCode;
    use std::time::Instant;

    use spanlens::generate::{write_traces, GenConfig, GenFormat};

    const USAGE: &str = "usage: spanlens-gen --spans N [--traces T] [--seed S] \
    [--format otlp|otlp-jsonl|jaeger|zipkin] [-o FILE]
      N, T accept k/m suffixes (10k, 1m); defaults: 1 trace, seed 1, otlp, stdout";

    struct Args {
        cfg: GenConfig,
        output: Option<String>,
    }

    pub fn main() -> ExitCode {
        let args = match parse_args(std::env::args().skip(1)) {
            Ok(Some(args)) => args,
            Ok(None) => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Err(msg) => {
                eprintln!("spanlens-gen: {msg}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        let started = Instant::now();
        let result = match &args.output {
            Some(path) => {
                File::create(path).and_then(|f| run(&args.cfg, BufWriter::with_capacity(1 << 20, f)))
            }
            None => run(
                &args.cfg,
                BufWriter::with_capacity(1 << 20, io::stdout().lock()),
            ),
        };
        match result {
            Ok(stats) => {
                eprintln!(
                    "spanlens-gen: {} spans in {} trace(s), {} error span(s), {} orphan(s), {} bytes ({}) to {} in {:.2} s",
                    stats.spans,
                    stats.traces,
                    stats.error_spans,
                    stats.orphan_spans,
                    stats.bytes,
                    args.cfg.format.extension(),
                    args.output.as_deref().unwrap_or("stdout"),
                    started.elapsed().as_secs_f64()
                );
                ExitCode::SUCCESS
            }
            // A closed pipe (`| head`) is the reader's choice, not an error worth reporting.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "spanlens-gen: {}: {e}",
                    args.output.as_deref().unwrap_or("stdout")
                );
                ExitCode::FAILURE
            }
        }
    }

    fn run<W: Write>(cfg: &GenConfig, mut out: W) -> io::Result<spanlens::generate::GenStats> {
        let stats = write_traces(cfg, &mut out)?;
        out.flush()?;
        Ok(stats)
    }

    /// `Ok(None)` means help was asked for.
    fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
        let mut cfg = GenConfig {
            spans: 0,
            traces: 1,
            seed: 1,
            format: GenFormat::OtlpJson,
        };
        let mut spans = None;
        let mut output = None;
        while let Some(arg) = it.next() {
            // Accept both `--flag value` and `--flag=value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg, None),
            };
            if flag == "-h" || flag == "--help" {
                return Ok(None);
            }
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| it.next())
                    .ok_or(format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--spans" | "-n" => spans = Some(parse_count(&value()?)?),
                "--traces" | "-t" => cfg.traces = parse_count(&value()?)?.max(1),
                "--seed" | "-s" => {
                    let v = value()?;
                    cfg.seed = v.parse().map_err(|_| format!("bad seed {v:?}"))?;
                }
                "--format" | "-f" => {
                    let v = value()?;
                    cfg.format = GenFormat::parse(&v).ok_or(format!("unknown format {v:?}"))?;
                }
                "--output" | "-o" => output = Some(value()?),
                _ => return Err(format!("unknown argument {flag:?}")),
            }
        }
        cfg.spans = spans.ok_or("--spans is required")?;
        Ok(Some(Args { cfg, output }))
    }

    /// `12345`, `10k`, `1m`, `1_000`.
    fn parse_count(s: &str) -> Result<usize, String> {
        let t = s.trim().to_ascii_lowercase().replace('_', "");
        let (digits, mult) = match t.as_bytes().last() {
            Some(b'k') => (&t[..t.len() - 1], 1_000),
            Some(b'm') => (&t[..t.len() - 1], 1_000_000),
            _ => (&t[..], 1),
        };
        digits
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_mul(mult))
            .ok_or(format!("bad count {s:?} (e.g. 500, 10k, 1m)"))
    }
}
