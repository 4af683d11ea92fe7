//! Any input, as a file is dropped: format detection, UTF-16 and BOM handling, JSONL, every reader, gzip.
#![no_main]
libfuzzer_sys::fuzz_target!(|input: &[u8]| spanlens_fuzz::load("input.json", input));
