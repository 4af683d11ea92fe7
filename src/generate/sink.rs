//! Output: chunks of spans encoded into one of the formats (`Encoder`) and written out (`Sink`).

use super::*;

/// Collects spans into chunks, encodes each chunk and writes it out.
pub(super) struct Sink<'w, W: Write> {
    pub(super) out: &'w mut W,
    pub(super) enc: Encoder,
    pub(super) chunk: Vec<Span>,
    pub(super) trace: u128,
    /// Bit per service seen in the current trace (Jaeger lists them as `processes`).
    pub(super) services: u16,
    pub(super) stats: GenStats,
}

impl<'w, W: Write> Sink<'w, W> {
    pub(super) fn new(format: GenFormat, out: &'w mut W) -> Self {
        Sink {
            out,
            enc: Encoder::new(format),
            chunk: Vec::with_capacity(CHUNK),
            trace: 0,
            services: 0,
            stats: GenStats::default(),
        }
    }

    pub(super) fn begin_trace(&mut self, trace: u128) {
        self.trace = trace;
        self.services = 0;
        self.stats.traces += 1;
        self.enc.begin_trace(trace);
    }

    pub(super) fn push(&mut self, span: Span) -> io::Result<()> {
        self.stats.spans += 1;
        self.stats.error_spans += usize::from(span.error.is_some());
        self.services |= 1 << span.svc as u16;
        self.chunk.push(span);
        if self.chunk.len() >= CHUNK {
            self.flush_chunk()?;
        }
        Ok(())
    }

    pub(super) fn flush_chunk(&mut self) -> io::Result<()> {
        if !self.chunk.is_empty() {
            self.enc.chunk(self.trace, &self.chunk);
            self.chunk.clear();
        }
        self.write_out()
    }

    pub(super) fn end_trace(&mut self) -> io::Result<()> {
        self.flush_chunk()?;
        self.enc.end_trace(self.services);
        self.write_out()
    }

    pub(super) fn write_out(&mut self) -> io::Result<()> {
        self.out.write_all(&self.enc.b.0)?;
        self.stats.bytes += self.enc.b.0.len();
        self.enc.b.0.clear();
        Ok(())
    }
}

/// Append-only JSON text builder; infallible, so encoders need no error plumbing.
pub(super) struct Json(pub(super) Vec<u8>);

impl Json {
    pub(super) fn raw(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// A quoted, escaped JSON string.
    pub(super) fn str(&mut self, s: &str) -> &mut Self {
        self.0.push(b'"');
        self.escaped(s);
        self.0.push(b'"');
        self
    }

    /// `"key":`
    pub(super) fn key(&mut self, k: &str) -> &mut Self {
        self.str(k).raw(":")
    }

    /// String contents with JSON escapes (no quotes); copies unescaped runs in one go.
    pub(super) fn escaped(&mut self, s: &str) -> &mut Self {
        let bytes = s.as_bytes();
        let mut run = 0;
        for (i, &c) in bytes.iter().enumerate() {
            let esc: &[u8] = match c {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\t' => b"\\t",
                b'\r' => b"\\r",
                0..=0x1f => b"",
                _ => continue,
            };
            self.0.extend_from_slice(&bytes[run..i]);
            if esc.is_empty() {
                let hex = b"0123456789abcdef";
                self.0.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    hex[usize::from(c >> 4)],
                    hex[usize::from(c & 15)],
                ]);
            } else {
                self.0.extend_from_slice(esc);
            }
            run = i + 1;
        }
        self.0.extend_from_slice(&bytes[run..]);
        self
    }

    /// Decimal digits without going through `fmt` (this is the hot path at 1M spans).
    pub(super) fn uint(&mut self, mut n: u64) -> &mut Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.0.extend_from_slice(&buf[i..]);
        self
    }

    pub(super) fn int(&mut self, n: i64) -> &mut Self {
        if n < 0 {
            self.0.push(b'-');
        }
        self.uint(n.unsigned_abs())
    }

    /// Shortest round-trip decimal; values are finite by construction.
    pub(super) fn float(&mut self, f: f64) -> &mut Self {
        debug_assert!(f.is_finite());
        let _ = write!(self.0, "{f}");
        self
    }

    /// Lowercase hex of the low `digits` nibbles, zero-padded, quoted.
    pub(super) fn hex(&mut self, v: u128, digits: u32) -> &mut Self {
        let hex = b"0123456789abcdef";
        self.0.push(b'"');
        for k in (0..digits).rev() {
            self.0.push(hex[((v >> (4 * k)) & 15) as usize]);
        }
        self.0.push(b'"');
        self
    }

    pub(super) fn span_id(&mut self, id: u64) -> &mut Self {
        self.hex(u128::from(id), 16)
    }

    pub(super) fn trace_id(&mut self, id: u128) -> &mut Self {
        self.hex(id, 32)
    }

    /// Writes `,` before every item but the first; `count` tracks the items of the enclosing array.
    pub(super) fn sep(&mut self, count: &mut usize) -> &mut Self {
        if *count > 0 {
            self.0.push(b',');
        }
        *count += 1;
        self
    }

    /// The value as text (Zipkin tags and annotation values are strings).
    pub(super) fn val_text(&mut self, v: &Val) -> &mut Self {
        match v {
            Val::Str(s) => self.escaped(s),
            Val::Int(n) => self.int(*n),
            Val::Bool(b) => self.raw(if *b { "true" } else { "false" }),
            Val::Double(f) => self.float(*f),
        }
    }
}

/// Turns spans into one of the formats. Document structure per format:
/// - OTLP/JSON: `{"resourceSpans":[` one entry per (chunk, service) `]}`
/// - OTLP/JSONL: per chunk a line `{"resourceSpans":[` one entry per service `]}`
/// - Jaeger: `{"data":[` per trace `{"traceID","spans":[…],"processes":{…}}` `],…}`
/// - Zipkin: `[` spans `]`
pub(super) struct Encoder {
    pub(super) format: GenFormat,
    pub(super) b: Json,
    /// Items written to the top-level array (resourceSpans, Jaeger traces or Zipkin spans).
    pub(super) top: usize,
    /// Spans written to the current Jaeger trace.
    pub(super) in_trace: usize,
    /// Scratch space for Zipkin annotation values (JSON nested in a string).
    pub(super) scratch: Json,
}

impl Encoder {
    pub(super) fn new(format: GenFormat) -> Self {
        Encoder {
            format,
            b: Json(Vec::with_capacity(1 << 20)),
            top: 0,
            in_trace: 0,
            scratch: Json(Vec::new()),
        }
    }

    pub(super) fn begin_doc(&mut self) {
        match self.format {
            GenFormat::OtlpJson => self.b.raw("{\"resourceSpans\":["),
            GenFormat::OtlpJsonl => &mut self.b,
            GenFormat::JaegerJson => self.b.raw("{\"data\":["),
            GenFormat::ZipkinV2 => self.b.raw("["),
        };
    }

    pub(super) fn end_doc(&mut self) {
        match self.format {
            GenFormat::OtlpJson => self.b.raw("]}\n"),
            GenFormat::OtlpJsonl => &mut self.b,
            GenFormat::JaegerJson => self
                .b
                .raw("],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n"),
            GenFormat::ZipkinV2 => self.b.raw("]\n"),
        };
    }

    pub(super) fn begin_trace(&mut self, trace: u128) {
        if self.format == GenFormat::JaegerJson {
            self.b
                .sep(&mut self.top)
                .raw("{\"traceID\":")
                .trace_id(trace)
                .raw(",\"spans\":[");
            self.in_trace = 0;
        }
    }

    fn end_trace(&mut self, services: u16) {
        if self.format != GenFormat::JaegerJson {
            return;
        }
        self.b.raw("],\"processes\":{");
        let mut n = 0;
        for svc in ALL_SVCS
            .into_iter()
            .filter(|&s| services & (1 << s as u16) != 0)
        {
            self.b
                .sep(&mut n)
                .raw("\"p")
                .uint(svc as u64 + 1)
                .raw("\":{\"serviceName\":")
                .str(svc.info().name);
            self.b.raw(",\"tags\":[");
            let mut t = 0;
            for (k, v) in svc.resource().into_iter().skip(1) {
                self.b.sep(&mut t);
                jaeger_tag(&mut self.b, k, &Val::Str(v.into()));
            }
            self.b.raw("]}");
        }
        self.b.raw("},\"warnings\":null}");
    }

    pub(super) fn chunk(&mut self, trace: u128, spans: &[Span]) {
        match self.format {
            GenFormat::OtlpJson => {
                for svc in ALL_SVCS {
                    if spans.iter().any(|s| s.svc == svc) {
                        self.b.sep(&mut self.top);
                        otlp_resource_spans(&mut self.b, trace, svc, spans);
                    }
                }
            }
            GenFormat::OtlpJsonl => {
                self.b.raw("{\"resourceSpans\":[");
                let mut n = 0;
                for svc in ALL_SVCS {
                    if spans.iter().any(|s| s.svc == svc) {
                        self.b.sep(&mut n);
                        otlp_resource_spans(&mut self.b, trace, svc, spans);
                    }
                }
                self.b.raw("]}\n");
            }
            GenFormat::JaegerJson => {
                for s in spans {
                    self.b.sep(&mut self.in_trace);
                    jaeger_span(&mut self.b, trace, s);
                }
            }
            GenFormat::ZipkinV2 => {
                for s in spans {
                    self.b.sep(&mut self.top);
                    zipkin_span(&mut self.b, &mut self.scratch, trace, s);
                }
            }
        }
    }
}
