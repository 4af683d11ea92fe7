//! The OTLP/JSON reader, on spans inside a fixed document.
#![no_main]
libfuzzer_sys::fuzz_target!(|spans: &[u8]| spanlens_fuzz::load("otlp.json", &spanlens_fuzz::otlp(spans)));
