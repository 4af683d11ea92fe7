//! Assembling an input from chunks as they arrive (file slices, network), gunzipping on the way when the
//! first bytes say gzip (`.json.gz`, `.jsonl.gz`). The whole input exists once, in the output buffer; the
//! compressed bytes pass through a chunk at a time. Chunk boundaries fall anywhere, including inside the
//! gzip header or a multi-byte character: the output is the same as reading the input whole.

use flate2::write::MultiGzDecoder;
use std::borrow::Cow;
use std::io::Write;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The largest input read, unpacked (bytes). A browser tab's wasm memory is 4 GB and one buffer can hold
/// less than 2 GiB (`isize::MAX` on wasm32); the model needs room beside the input. A bigger input, or a small
/// gzip file that unpacks without bound, gets an error naming the limit instead of running out.
pub const MAX_INPUT_BYTES: usize = 1_800_000_000;

pub struct ByteReader {
    state: State,
    /// Input bytes pushed so far (compressed, for gzip).
    read: u64,
    limit: usize,
    /// Unpacking stops when the heap would hold more (see `memory`).
    memory_limit: u64,
}

enum State {
    /// Fewer than two bytes seen: not yet known whether this is gzip.
    Sniffing(Vec<u8>),
    Plain(Vec<u8>),
    Gzip(Box<MultiGzDecoder<Bounded>>),
}

/// The unpacked bytes, refusing to grow past a limit (a gzip bomb stops at it, mid-chunk), or to grow when
/// the heap would then hold more than `memory_limit` (the buffer doubles as it grows: that is counted first).
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
    memory_limit: u64,
}

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        grow(&mut self.bytes, data.len(), self.limit, self.memory_limit).map_err(std::io::Error::other)?;
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Makes room in `buf` for `extra` more bytes without its capacity passing `limit`: a `Vec` left to grow on
/// its own doubles, and in wasm32 one allocation may not pass 2 GiB (`isize::MAX`), so a doubling from
/// 1.1 GB aborts the module ("capacity overflow"). Refuses (with `LIMIT_MARK`) past the limit, and (with
/// `MEMORY_MARK`) when the heap would then hold more than `memory_limit` (the old and the new buffer are
/// both held while it moves), or when the allocator has no room.
fn grow(buf: &mut Vec<u8>, extra: usize, limit: usize, memory_limit: u64) -> Result<(), &'static str> {
    let needed = buf.len().checked_add(extra).filter(|&n| n <= limit).ok_or(LIMIT_MARK)?;
    if needed <= buf.capacity() {
        return Ok(());
    }
    let capacity = buf.capacity().saturating_mul(2).clamp(needed, limit.max(needed));
    if crate::memory::held() + capacity as u64 > memory_limit {
        return Err(MEMORY_MARK);
    }
    buf.try_reserve_exact(capacity - buf.len()).map_err(|_| MEMORY_MARK)
}

/// Tell the limits' errors from a damaged stream's.
const LIMIT_MARK: &str = "spanlens: unpacked size limit";
const MEMORY_MARK: &str = "spanlens: memory limit";

impl ByteReader {
    /// A reader expecting about `size_hint` bytes (reserved up front for plain input, so it is never moved).
    pub fn new(size_hint: usize) -> ByteReader {
        ByteReader::with_limit(size_hint, MAX_INPUT_BYTES)
    }

    /// The same with another limit than `MAX_INPUT_BYTES` (tests).
    pub fn with_limit(size_hint: usize, limit: usize) -> ByteReader {
        ByteReader { state: State::Sniffing(Vec::with_capacity(size_hint.min(limit))), read: 0, limit, memory_limit: u64::MAX }
    }

    /// Unpacking stops (with an error saying so) before the heap holds more than `limit` bytes.
    pub fn with_memory_limit(mut self, limit: u64) -> ByteReader {
        self.memory_limit = limit;
        self
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.read += chunk.len() as u64;
        if let State::Sniffing(buf) = &mut self.state {
            buf.extend_from_slice(chunk);
            if buf.len() < GZIP_MAGIC.len() {
                return Ok(());
            }
            let buf = std::mem::take(buf);
            if !buf.starts_with(&GZIP_MAGIC) {
                self.state = State::Plain(buf);
                return self.check_plain();
            }
            let bounded = Bounded { bytes: Vec::new(), limit: self.limit, memory_limit: self.memory_limit };
            self.state = State::Gzip(Box::new(MultiGzDecoder::new(bounded)));
            return self.unpack(&buf);
        }
        match &mut self.state {
            State::Plain(buf) => {
                if grow(buf, chunk.len(), usize::MAX, self.memory_limit).is_err() {
                    return Err(crate::memory::stopped(crate::memory::held(), self.memory_limit, "while reading the input"));
                }
                buf.extend_from_slice(chunk);
            }
            State::Gzip(_) => return self.unpack(chunk),
            State::Sniffing(_) => unreachable!("handled above"),
        }
        self.check_plain()
    }

    /// Gzip input: unpacks `compressed` onto the output.
    fn unpack(&mut self, compressed: &[u8]) -> Result<(), String> {
        let State::Gzip(decoder) = &mut self.state else { unreachable!("only called on gzip input") };
        decoder.write_all(compressed).map_err(|e| self.error(e))
    }

    /// A plain input over the limit is refused as soon as it is.
    fn check_plain(&self) -> Result<(), String> {
        match &self.state {
            State::Plain(buf) if buf.len() > self.limit => Err(format!(
                "the input is larger than {} (the most one browser tab can read); {} read",
                crate::format::bytes(self.limit as u64),
                crate::format::bytes(self.read)
            )),
            _ => Ok(()),
        }
    }

    fn error(&self, err: std::io::Error) -> String {
        if err.to_string() == MEMORY_MARK {
            let unpacked = crate::format::bytes(self.bytes().len() as u64);
            let doing = format!("after unpacking {unpacked} from {} of gzip data", crate::format::bytes(self.read));
            return crate::memory::stopped(crate::memory::held(), self.memory_limit, &doing);
        }
        unpack_error(err, self.limit, self.read)
    }

    /// The (decompressed) input so far: nothing until it is known whether it is gzip.
    pub fn bytes(&self) -> &[u8] {
        match &self.state {
            State::Sniffing(_) => &[],
            State::Plain(buf) => buf,
            State::Gzip(decoder) => &decoder.get_ref().bytes,
        }
    }

    /// Whether input starting with these bytes is gzip (known from its first two).
    pub fn starts_gzip(first: &[u8]) -> bool {
        first.starts_with(&GZIP_MAGIC)
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
        let read = self.read;
        match self.state {
            State::Sniffing(buf) | State::Plain(buf) => Ok(buf),
            State::Gzip(decoder) => decoder.finish().map(|out| out.bytes).map_err(|e| unpack_error(e, self.limit, read)),
        }
    }
}

/// Why unpacking stopped: the size limit (after how much compressed input), or damaged data.
fn unpack_error(err: std::io::Error, limit: usize, read: u64) -> String {
    if err.to_string() == LIMIT_MARK {
        format!(
            "the gzip data unpacks to more than {} (the most one browser tab can read), after {} of it",
            crate::format::bytes(limit as u64),
            crate::format::bytes(read)
        )
    } else {
        format!("the gzip data is damaged: {err}")
    }
}

/// `bytes` as they are, or gunzipped when they start with the gzip magic number (up to `MAX_INPUT_BYTES`).
pub fn gunzip_if_needed(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    gunzip_if_needed_with_limit(bytes, MAX_INPUT_BYTES)
}

fn gunzip_if_needed_with_limit(bytes: &[u8], limit: usize) -> Result<Cow<'_, [u8]>, String> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut reader = ByteReader::with_limit(0, limit);
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
    fn the_buffer_never_grows_past_the_limit() {
        // Doubling from 600 would ask for 1,200: past a limit of 1,000 (in wasm32, past 2 GiB, it aborts).
        let mut buf = Vec::with_capacity(600);
        buf.resize(600, b' ');
        grow(&mut buf, 100, 1000, u64::MAX).unwrap();
        assert_eq!(buf.capacity(), 1000);
        assert_eq!(grow(&mut buf, 401, 1000, u64::MAX), Err(LIMIT_MARK));
        assert_eq!(grow(&mut buf, usize::MAX, usize::MAX, u64::MAX), Err(LIMIT_MARK), "no overflow");
        let whitespace = gzip(&vec![b' '; 5000]);
        let mut r = ByteReader::with_limit(0, 3000);
        let err = whitespace.chunks(7).try_for_each(|c| r.push(c)).unwrap_err();
        assert!(err.starts_with("the gzip data unpacks to more than 3 KB"), "{err}");
        assert!(r.bytes().len() <= 3000);
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

    #[test]
    fn a_gzip_bomb_stops_at_the_limit_with_a_message() {
        let bomb = gzip(&vec![0u8; 20_000_000]);
        assert!(bomb.len() < 100_000, "{} bytes pack 20 MB", bomb.len());
        let mut r = ByteReader::with_limit(0, 1_000_000);
        let err = bomb.chunks(4096).try_for_each(|c| r.push(c)).err().expect("refused");
        assert!(err.starts_with("the gzip data unpacks to more than 1 MB (the most one browser tab can read), after"), "{err}");
        assert!(r.bytes().len() <= 1_000_000);
        // Whole, as `lib::load` reads it: the same refusal.
        let err = gunzip_if_needed_with_limit(&bomb, 1_000_000).err().expect("refused");
        assert!(err.contains("unpacks to more than 1 MB"), "{err}");
    }

    #[test]
    fn a_plain_input_over_the_limit_is_refused() {
        let mut r = ByteReader::with_limit(10, 1_000_000);
        r.push(&[b' '; 600_000]).unwrap();
        let err = r.push(&[b' '; 600_000]).err().expect("refused");
        assert_eq!(err, "the input is larger than 1 MB (the most one browser tab can read); 1.2 MB read");
    }

    #[test]
    fn the_limit_fits_one_wasm32_buffer() {
        assert!(MAX_INPUT_BYTES < i32::MAX as usize);
    }
}
