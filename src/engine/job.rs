//! One load as the engine does it, wherever it runs: the input taken a chunk at a time (gzip unpacked in small
//! slices, spans read as they arrive), then the pipeline stepped to its end, with the memory limit checked
//! throughout. The page's own path steps it between frames; a worker runs it flat out (nothing waits on it).

use crate::format;
use crate::formats::reader::ByteReader;
use crate::formats::LoadError;
use crate::memory;
use crate::pipeline::{LoadedFile, Pipeline, Progress};
use std::borrow::Cow;

/// Compressed bytes unpacked at a time: at most about 16 MB of output (deflate packs at most ~1000:1).
pub const GZIP_SLICE_BYTES: usize = 16 * 1024;
/// Parsing does about this many bytes of work between checks (of the time, of Cancel).
pub const PARSE_SLICE_BYTES: usize = 256 * 1024;

/// An input arriving in chunks.
pub struct Reading {
    reader: ByteReader,
    parser: Pipeline<'static>,
    size: Option<u64>,
    offset: u64,
    memory_limit: u64,
}

impl Reading {
    /// A read of `name`, of `size` bytes when known (there must be room for it).
    pub fn new(name: &str, size: Option<u64>, memory_limit: u64) -> Result<Reading, String> {
        if let Some(size) = size {
            memory::check(memory::held() + size, memory_limit, &format!("before reading a {} input", format::bytes(size)))?;
        }
        let reader = ByteReader::new(size.unwrap_or(0) as usize).with_memory_limit(memory_limit);
        Ok(Reading { reader, parser: Pipeline::new(name), size, offset: 0, memory_limit })
    }

    /// How to cut the next chunk: gzip may unpack to a thousand times its size, so it goes in small slices
    /// (a bomb meets the size limit in small steps, and the page can breathe between them).
    pub fn slice_len(&self, chunk: &[u8]) -> usize {
        let gzip = self.reader.is_gzip() || (self.reader.read() == 0 && ByteReader::starts_gzip(chunk));
        if gzip {
            GZIP_SLICE_BYTES
        } else {
            chunk.len().max(1)
        }
    }

    /// Takes one slice of a chunk (`slice_len`), and scans what has arrived.
    pub fn take(&mut self, part: &[u8]) -> Result<(), String> {
        self.reader.push(part)?;
        self.parser.arrived(self.reader.bytes());
        Ok(())
    }

    /// Reads the spans that have arrived, about `PARSE_SLICE_BYTES` at a time, while `more()` says to go on;
    /// true when caught up.
    pub fn read_arrived(&mut self, mut more: impl FnMut() -> bool) -> bool {
        loop {
            if self.parser.step_arriving(self.reader.bytes(), PARSE_SLICE_BYTES) {
                return true;
            }
            if !more() {
                return false;
            }
        }
    }

    /// A whole chunk of `len` bytes is in: checks the memory and says how far the read is, e.g.
    /// "12 MB of 900 MB (40 MB unpacked)".
    pub fn chunk_done(&mut self, len: usize) -> Result<String, String> {
        self.offset += len as u64;
        let mut amount = match self.size {
            Some(size) => format!("{} of {}", format::bytes(self.offset), format::bytes(size)),
            None => format::bytes(self.offset),
        };
        if self.reader.is_gzip() {
            amount += &format!(" ({} unpacked)", format::bytes(self.reader.bytes().len() as u64));
        }
        memory::check(memory::held(), self.memory_limit, &format!("after reading {amount}"))?;
        Ok(amount)
    }

    /// Takes a whole chunk at once (slice by slice), reads every span that has arrived, and says how far the
    /// read is (`chunk_done`): for a reader that need not yield in between (a worker, a test).
    pub fn take_whole(&mut self, chunk: &[u8]) -> Result<String, String> {
        for part in chunk.chunks(self.slice_len(chunk)) {
            self.take(part)?;
        }
        self.read_arrived(|| true);
        self.chunk_done(chunk.len())
    }

    /// The progress bar's text and position while reading (`doing`: "Reading big.json").
    pub fn progress(&self, doing: &str, amount: &str) -> (String, u64, u64) {
        let unpacking = if self.reader.is_gzip() { " and unpacking" } else { "" };
        let spans = format::plural(self.parser.spans_read(), "span", "spans");
        (format!("{doing}{unpacking}… {amount}, {spans} read"), self.offset, self.size.unwrap_or(0))
    }

    /// Bytes taken so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The whole input is in: the pipeline, to step to its end.
    pub fn finish(mut self) -> Result<Pipeline<'static>, String> {
        self.parser.input(Cow::Owned(self.reader.finish()?));
        Ok(self.parser)
    }
}

/// The error that stops a pipeline whose memory use has passed `memory_limit`, if it has.
pub fn over_memory(pipeline: &Pipeline<'_>, memory_limit: u64) -> Option<LoadError> {
    if memory::held() <= memory_limit {
        return None;
    }
    let doing = format!("while {}", pipeline.progress().label.to_lowercase().trim_end_matches('…'));
    let message = memory::check(memory::held(), memory_limit, &doing).err()?;
    Some(LoadError::whole_file(pipeline.name(), message))
}

/// Steps a pipeline to its end, telling `progress` where it stands about every `every_ms` of `now()`.
pub fn run(
    mut pipeline: Pipeline<'_>,
    memory_limit: u64,
    now: impl Fn() -> f64,
    every_ms: f64,
    mut progress: impl FnMut(Progress),
) -> Result<LoadedFile, LoadError> {
    let mut last = now();
    loop {
        if let Some(file) = pipeline.step(PARSE_SLICE_BYTES)? {
            return Ok(file);
        }
        if let Some(err) = over_memory(&pipeline, memory_limit) {
            return Err(err);
        }
        if now() - last >= every_ms {
            last = now();
            progress(pipeline.progress());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_in_chunks_is_the_file_read_whole() {
        let bytes = std::fs::read("public/samples/checkout.otlp.json").unwrap();
        let mut reading = Reading::new("c.json", Some(bytes.len() as u64), u64::MAX).unwrap();
        for chunk in bytes.chunks(1000) {
            reading.take_whole(chunk).unwrap();
        }
        assert!(reading.progress("Reading c.json", "x").0.starts_with("Reading c.json… x, "));
        let mut labels = Vec::new();
        let file = run(reading.finish().unwrap(), u64::MAX, || 1.0, 0.0, |p| labels.push(p.label)).unwrap();
        let whole = crate::pipeline::load_analyzed("c.json", &bytes).unwrap();
        assert_eq!(file.summary, whole.summary);
        assert!(labels.iter().any(|l| l.starts_with("Analyzing c.json")), "{labels:?}");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        use flate2::{write::GzEncoder, Compression};
        use std::io::Write;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&vec![b' '; 64 << 20]).unwrap();
        let bomb = gz.finish().unwrap();
        let mut reading = Reading::new("b.json.gz", Some(bomb.len() as u64), 8 << 20).unwrap();
        let err = bomb
            .chunks(reading.slice_len(&bomb))
            .try_for_each(|part| reading.take(part))
            .err()
            .expect("stops");
        assert!(err.contains("MB"), "{err}");
    }
}
