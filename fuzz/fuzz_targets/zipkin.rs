//! The Zipkin v2 reader, on the elements of a span array.
#![no_main]
libfuzzer_sys::fuzz_target!(|spans: &[u8]| spanlens_fuzz::load("zipkin.json", &spanlens_fuzz::zipkin(spans)));
