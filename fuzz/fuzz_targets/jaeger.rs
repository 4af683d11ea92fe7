//! The Jaeger JSON reader, on spans inside a fixed trace object.
#![no_main]
libfuzzer_sys::fuzz_target!(|spans: &[u8]| spanlens_fuzz::load("jaeger.json", &spanlens_fuzz::jaeger(spans)));
