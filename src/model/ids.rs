//! Trace and span ids: hex ids are kept as integers (compact, fast to hash), anything else as an opaque string.

use super::strings::{Strings, Sym};
use base64::Engine as _;

/// A span id: 64-bit hex (the spec), or an opaque string as some hand-written files have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SpanId {
    Hex(u64),
    Opaque(Sym),
}

/// A trace id: up to 128-bit hex (64-bit ids are left-padded when shown), or an opaque string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum TraceId {
    Hex(u128),
    Opaque(Sym),
}

/// How an id was written, as far as the formats distinguish it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum IdEncoding {
    /// Hex only (Jaeger, Zipkin).
    Hex,
    /// Hex, or base64 of the raw bytes as Go's protojson writes OTLP (24 chars for trace ids, 12 for span ids).
    HexOrBase64,
}

fn parse_hex_u128(s: &str, max_digits: usize) -> Option<u128> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(s, 16).ok()
}

fn decode_base64_exact(s: &str, len: usize) -> Option<u128> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    (bytes.len() == len).then(|| bytes.iter().fold(0u128, |acc, &b| (acc << 8) | b as u128))
}

impl SpanId {
    /// Parses a span id. `None` for an absent id: empty, or all zeros (the spec's "no parent").
    pub fn parse(s: &str, encoding: IdEncoding, strings: &mut Strings) -> Option<SpanId> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let value = if encoding == IdEncoding::HexOrBase64 && s.len() == 12 {
            decode_base64_exact(s, 8).or_else(|| parse_hex_u128(s, 16))
        } else {
            parse_hex_u128(s, 16)
        };
        match value {
            Some(0) => None,
            Some(v) => Some(SpanId::Hex(v as u64)),
            None => Some(SpanId::Opaque(strings.intern(s))),
        }
    }

    /// The id a person or a parent page names (hex as the summary writes it, or an opaque string), read
    /// as the input's own ids were; `None` when no span can carry it (an opaque string never seen).
    pub fn read(s: &str, strings: &Strings) -> Option<SpanId> {
        let s = s.trim();
        match parse_hex_u128(s, 16) {
            Some(0) => None,
            Some(v) => Some(SpanId::Hex(v as u64)),
            None => strings.lookup(s).map(SpanId::Opaque),
        }
    }

    /// Lowercase hex left-padded to 16 digits, or the opaque string as given.
    pub fn display(&self, strings: &Strings) -> String {
        match *self {
            SpanId::Hex(v) => format!("{v:016x}"),
            SpanId::Opaque(sym) => strings.get(sym).to_string(),
        }
    }
}

impl TraceId {
    pub fn parse(s: &str, encoding: IdEncoding, strings: &mut Strings) -> Option<TraceId> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let value = if encoding == IdEncoding::HexOrBase64 && s.len() == 24 {
            decode_base64_exact(s, 16).or_else(|| parse_hex_u128(s, 32))
        } else {
            parse_hex_u128(s, 32)
        };
        match value {
            Some(0) => None,
            Some(v) => Some(TraceId::Hex(v)),
            None => Some(TraceId::Opaque(strings.intern(s))),
        }
    }

    /// Lowercase hex left-padded to 32 digits, or the opaque string as given.
    pub fn display(&self, strings: &Strings) -> String {
        match *self {
            TraceId::Hex(v) => format!("{v:032x}"),
            TraceId::Opaque(sym) => strings.get(sym).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_are_padded_lowercase_and_zero_means_absent() {
        let mut s = Strings::new();
        let id = SpanId::parse("EEE19B7EC3C1B174", IdEncoding::Hex, &mut s).unwrap();
        assert_eq!(id.display(&s), "eee19b7ec3c1b174");
        let short = TraceId::parse("df84e36b9e2ee3815d07f0867a5be1f", IdEncoding::Hex, &mut s).unwrap();
        assert_eq!(short.display(&s), "0df84e36b9e2ee3815d07f0867a5be1f");
        assert_eq!(SpanId::parse("0000000000000000", IdEncoding::Hex, &mut s), None);
        assert_eq!(SpanId::parse("", IdEncoding::Hex, &mut s), None);
    }

    #[test]
    fn base64_ids_decode_to_hex() {
        let mut s = Strings::new();
        let t = TraceId::parse("6Lbf+fjUSyjxsivDvS9naA==", IdEncoding::HexOrBase64, &mut s).unwrap();
        assert_eq!(t.display(&s), "e8b6dff9f8d44b28f1b22bc3bd2f6768");
        let sp = SpanId::parse("AAAAAAAAAAE=", IdEncoding::HexOrBase64, &mut s).unwrap();
        assert_eq!(sp.display(&s), "0000000000000001");
    }

    #[test]
    fn non_hex_ids_stay_opaque() {
        let mut s = Strings::new();
        let id = SpanId::parse("span-2_1", IdEncoding::Hex, &mut s).unwrap();
        assert!(matches!(id, SpanId::Opaque(_)));
        assert_eq!(id.display(&s), "span-2_1");
        // 17 hex digits do not fit a span id: kept as given, not truncated.
        let long = SpanId::parse("10000000000000001", IdEncoding::Hex, &mut s).unwrap();
        assert_eq!(long.display(&s), "10000000000000001");
    }
}
