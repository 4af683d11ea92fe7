//! Assembling an input from chunks as they arrive (file slices, network), gunzipping on the way when the
//! first bytes say gzip (`.json.gz`, `.jsonl.gz`). The whole input exists once, in the output buffer; the
//! compressed bytes pass through a chunk at a time. Chunk boundaries fall anywhere, including inside the
//! gzip header or a multi-byte character: the output is the same as reading the input whole.

use flate2::write::MultiGzDecoder;
use std::borrow::Cow;
use std::io::Write;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

pub struct ByteReader {
    state: State,
    /// Input bytes pushed so far (compressed, for gzip).
    read: u64,
}

enum State {
    /// Fewer than two bytes seen: not yet known whether this is gzip.
    Sniffing(Vec<u8>),
    Plain(Vec<u8>),
    Gzip(Box<MultiGzDecoder<Vec<u8>>>),
}

impl ByteReader {
    /// A reader expecting about `size_hint` bytes (reserved up front for plain input, so it is never moved).
    pub fn new(size_hint: usize) -> ByteReader {
        ByteReader { state: State::Sniffing(Vec::with_capacity(size_hint)), read: 0 }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.read += chunk.len() as u64;
        if let State::Sniffing(buf) = &mut self.state {
            buf.extend_from_slice(chunk);
            if buf.len() < GZIP_MAGIC.len() {
                return Ok(());
            }
            let buf = std::mem::take(buf);
            self.state = if buf.starts_with(&GZIP_MAGIC) {
                let mut decoder = Box::new(MultiGzDecoder::new(Vec::new()));
                decoder.write_all(&buf).map_err(gzip_error)?;
                State::Gzip(decoder)
            } else {
                State::Plain(buf)
            };
            return Ok(());
        }
        match &mut self.state {
            State::Plain(buf) => buf.extend_from_slice(chunk),
            State::Gzip(decoder) => decoder.write_all(chunk).map_err(gzip_error)?,
            State::Sniffing(_) => unreachable!("handled above"),
        }
        Ok(())
    }

    /// The (decompressed) input so far: nothing until it is known whether it is gzip.
    pub fn bytes(&self) -> &[u8] {
        match &self.state {
            State::Sniffing(_) => &[],
            State::Plain(buf) => buf,
            State::Gzip(decoder) => decoder.get_ref(),
        }
    }

    /// Bytes of input pushed so far.
    pub fn read(&self) -> u64 {
        self.read
    }

    pub fn is_gzip(&self) -> bool {
        matches!(self.state, State::Gzip(_))
    }

    /// The whole (decompressed) input.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        match self.state {
            State::Sniffing(buf) | State::Plain(buf) => Ok(buf),
            State::Gzip(decoder) => decoder.finish().map_err(gzip_error),
        }
    }
}

fn gzip_error(err: std::io::Error) -> String {
    format!("the gzip data is damaged: {err}")
}

/// `bytes` as they are, or gunzipped when they start with the gzip magic number.
pub fn gunzip_if_needed(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut reader = ByteReader::new(0);
    reader.push(bytes)?;
    reader.finish().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn read_in_two(input: &[u8], split: usize) -> Result<Vec<u8>, String> {
        let mut r = ByteReader::new(input.len());
        r.push(&input[..split])?;
        let so_far = r.bytes().to_vec();
        r.push(&input[split..])?;
        assert!(r.bytes().starts_with(&so_far), "what has arrived is a prefix of what follows");
        assert_eq!(r.read(), input.len() as u64);
        r.finish()
    }

    const TEXT: &str = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"héllo → wörld\"}]}]}]}\n";

    #[test]
    fn every_split_of_a_plain_input_reads_as_the_whole() {
        let input = TEXT.as_bytes();
        for split in 0..=input.len() {
            assert_eq!(read_in_two(input, split).unwrap(), input, "split at {split}");
        }
    }

    #[test]
    fn every_split_of_a_gzip_input_reads_as_the_whole_decompressed() {
        let input = gzip(TEXT.as_bytes());
        for split in 0..=input.len() {
            assert_eq!(read_in_two(&input, split).unwrap(), TEXT.as_bytes(), "split at {split}");
        }
        // Byte by byte, too.
        let mut r = ByteReader::new(0);
        for b in &input {
            r.push(std::slice::from_ref(b)).unwrap();
            assert!(TEXT.as_bytes().starts_with(r.bytes()), "unpacked so far: a prefix of the text");
        }
        assert!(r.is_gzip());
        assert_eq!(r.finish().unwrap(), TEXT.as_bytes());
    }

    #[test]
    fn concatenated_gzip_members_and_damaged_data() {
        let mut two = gzip(b"{\"a\":1}\n");
        two.extend(gzip(b"{\"b\":2}\n"));
        assert_eq!(gunzip_if_needed(&two).unwrap().as_ref(), b"{\"a\":1}\n{\"b\":2}\n");
        let mut bad = gzip(TEXT.as_bytes());
        let n = bad.len();
        bad[n / 2] ^= 0xff;
        bad.truncate(n - 3);
        assert!(gunzip_if_needed(&bad).unwrap_err().contains("gzip"));
        assert!(matches!(gunzip_if_needed(b"[]").unwrap(), Cow::Borrowed(_)));
        assert_eq!(read_in_two(b"", 0).unwrap(), b"");
        assert_eq!(read_in_two(b"x", 1).unwrap(), b"x");
    }
}
