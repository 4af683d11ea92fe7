//! The OpenTelemetry console-exporter reader (and content detection), on whole inputs.
#![no_main]
libfuzzer_sys::fuzz_target!(|input: &[u8]| spanlens_fuzz::load("console.txt", input));
