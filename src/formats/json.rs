//! Lenient JSON scalars shared by the formats: 64-bit integers as numbers or decimal strings (never through
//! f64), doubles as numbers or strings ("NaN"), enums as integers or names, and tag values of any scalar type.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// A time in microseconds (Jaeger, Zipkin) read to the nanosecond: a whole number as `Int` reads it, or a
/// decimal with a fraction (`1700000000000000.5`, which some producers write) read from its text, exactly
/// (through f64 it would be off by up to 125 ns at today's dates). Digits past the nanosecond are dropped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Micros {
    /// Nanoseconds; `None` when they would not fit in an i64 (past the year 2262).
    pub ns: Option<i64>,
    /// The value had a fraction of a microsecond (the file is warned about, once).
    pub fractional: bool,
}

impl<'de> Deserialize<'de> for Micros {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The number's own text: a JSON number too big for a double (`1e400`) is then this span's damage,
        // not a syntax error of the file.
        let raw = <&serde_json::value::RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        let unquoted = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        micros(unquoted.trim()).ok_or_else(|| {
            de::Error::custom(format!("expected a time in microseconds (a number or a decimal string), found {text}"))
        })
    }
}

/// `1700000000000000.5` → 1700000000000000500 ns, exactly; exponents go through f64.
fn micros(text: &str) -> Option<Micros> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.contains(['e', 'E']) {
        let v: f64 = text.parse().ok()?;
        let ns = v * 1000.0;
        let fits = v.is_finite() && ns.abs() < 9.2e18;
        return Some(Micros { ns: fits.then(|| ns.round() as i64), fractional: fits && ns.fract() != 0.0 });
    }
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || (digits.contains('.') && fraction.is_empty()) {
        return None;
    }
    let mut nanos: i128 = 0;
    for (i, b) in fraction.bytes().take(3).enumerate() {
        nanos += i128::from(b - b'0') * 10i128.pow(2 - i as u32);
    }
    let whole: i128 = if whole.len() > 30 { i128::MAX / 2000 } else { whole.parse().ok()? };
    let ns = whole * 1000 + nanos;
    let ns = if negative { -ns } else { ns };
    Some(Micros { ns: i64::try_from(ns).ok(), fractional: fraction.bytes().any(|b| b != b'0') })
}

/// A 64-bit integer written as a JSON number or a decimal string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int(pub i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer (number or decimal string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                i64::try_from(v).map(Int).map_err(|_| E::custom(format!("integer {v} is out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                // Some producers write integral numbers with a fraction or exponent (1.5e15).
                if v.fract() == 0.0 && v.abs() < 9.2e18 {
                    Ok(Int(v as i64))
                } else if v.fract() == 0.0 {
                    Err(E::custom(format!("integer {v} is out of range")))
                } else {
                    Err(E::custom(format!("expected an integer, found {v}")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                let t = v.trim();
                if let Ok(i) = t.parse::<i64>() {
                    return Ok(Int(i));
                }
                let digits = t.strip_prefix('-').unwrap_or(t);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Err(E::custom(format!("integer \"{v}\" is out of range")))
                } else {
                    Err(E::custom(format!("expected an integer, found \"{v}\"")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A double written as a JSON number or a string ("NaN", "Infinity", "1.5").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Float(pub f64);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Float;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Float, E> {
                Ok(Float(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Float, E> {
                Ok(Float(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Float, E> {
                Ok(Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Float, E> {
                v.trim().parse::<f64>().map(Float).map_err(|_| E::custom(format!("expected a number, found \"{v}\"")))
            }
        }
        d.deserialize_any(V)
    }
}

/// An enum written as its integer code (the OTLP spec) or its name (Go protojson, `SPAN_KIND_SERVER`).
#[derive(Clone, Debug, PartialEq)]
pub enum Code<'a> {
    Num(i64),
    Name(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Code<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Int(i) => Ok(Code::Num(i)),
            Scalar::Str(s) => Ok(Code::Name(s)),
            Scalar::Null => Ok(Code::Num(0)),
            other => Err(de::Error::custom(format!("expected an enum code or name, found {other:?}"))),
        }
    }
}

/// Any JSON scalar, as tag values come (Jaeger's `value`, Zipkin tags written by lax producers).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// An unsigned integer above i64::MAX.
    BigUint(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'a>, E> {
                Ok(i64::try_from(v).map_or(Scalar::BigUint(v), Scalar::Int))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A string that may be written as null.
pub type Text<'a> = Option<Cow<'a, str>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_reads_numbers_and_strings_without_f64() {
        let m: Vec<Micros> = serde_json::from_str(r#"[1700000000000000.5, "1700000000000000.123", 17, 1.5e3, -2.25, 1e400, 1e16]"#).unwrap();
        let ns: Vec<Option<i64>> = m.iter().map(|m| m.ns).collect();
        assert_eq!(ns, [Some(1_700_000_000_000_000_500), Some(1_700_000_000_000_000_123), Some(17_000), Some(1_500_000), Some(-2_250), None, None]);
        let fractional: Vec<bool> = m.iter().map(|m| m.fractional).collect();
        assert_eq!(fractional, [true, true, false, false, true, false, false]);
        assert!(serde_json::from_str::<Micros>(r#""soon""#).unwrap_err().to_string().contains("expected a time in microseconds"));
        assert!(serde_json::from_str::<Micros>("true").is_err());
        let v: Vec<Int> = serde_json::from_str(r#"[1, "1782036644636668325", -5, "9223372036854775222"]"#).unwrap();
        assert_eq!(v, vec![Int(1), Int(1782036644636668325), Int(-5), Int(9223372036854775222)]);
        assert!(serde_json::from_str::<Int>(r#""abc""#).unwrap_err().to_string().contains("expected an integer"));
        assert!(serde_json::from_str::<Int>("18446744073709551615").unwrap_err().to_string().contains("out of range"));
    }

    #[test]
    fn code_reads_integers_and_names() {
        let v: Vec<Code> = serde_json::from_str(r#"[2, "SPAN_KIND_CLIENT"]"#).unwrap();
        assert_eq!(v[0], Code::Num(2));
        assert_eq!(v[1], Code::Name(Cow::Borrowed("SPAN_KIND_CLIENT")));
    }
}
