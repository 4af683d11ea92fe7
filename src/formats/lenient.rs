//! Damage stays local: a span with a wrong-typed field or an out-of-range value is rejected alone, with its
//! field path and position, and the rest of the file loads.
//!
//! Inputs are read strictly first, at full speed. Only when that fails on a value (not on JSON syntax) is the
//! input read again inside `within`: there every element of a `spans` array (`Spans`), and every element of a
//! top-level array (`element`), is first taken as raw JSON text and then read on its own, so an element that
//! does not read is recorded and skipped instead of failing the file. The raw text points into the input, so
//! its position in the file is known.

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

/// One element that did not read.
pub(super) struct Bad {
    /// Address of the element's first byte (inside the input being read).
    at: usize,
    /// Position of the error inside the element's text, 1-based.
    line: usize,
    column: usize,
    /// Field path, from the array the element is in: `spans[3].startTimeUnixNano`.
    pub path: String,
    pub message: String,
}

thread_local! {
    /// The elements rejected so far, while a lenient read is under way.
    static REJECTED: RefCell<Option<Vec<Bad>>> = const { RefCell::new(None) };
}

/// Runs `read` with rejection of single elements on, and gives what was rejected.
pub(super) fn within<R>(read: impl FnOnce() -> R) -> (R, Vec<Bad>) {
    let outer = REJECTED.with(|r| r.replace(Some(Vec::new())));
    let result = read();
    let rejected = REJECTED.with(|r| r.replace(outer)).unwrap_or_default();
    (result, rejected)
}

/// Whether a lenient read is under way.
pub(super) fn active() -> bool {
    REJECTED.with(|r| r.borrow().is_some())
}

impl Bad {
    /// The 1-based line and column of the error in `input` (which holds the element).
    pub fn position(&self, input: &[u8]) -> (usize, usize) {
        let offset = self.at.saturating_sub(input.as_ptr() as usize).min(input.len());
        let before = &input[..offset];
        let line = 1 + memchr::memchr_iter(b'\n', before).count() + (self.line - 1);
        let element_column = offset - memchr::memrchr(b'\n', before).map_or(0, |n| n + 1) + 1;
        let column = if self.line == 1 { element_column + self.column - 1 } else { self.column };
        (line, column)
    }
}

/// Reads one element from its raw text with `seed`; in a lenient read, an element that does not read is
/// recorded (as `name[index]`) and `None` is returned, otherwise its error is returned.
pub(super) fn element<'de, S, E>(raw: &'de RawValue, seed: S, name: &str, index: usize) -> Result<Option<S::Value>, E>
where
    S: DeserializeSeed<'de>,
    E: serde::de::Error,
{
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let mut track = serde_path_to_error::Track::new();
    let read = seed.deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track)).and_then(|v| de.end().map(|()| v));
    match read {
        Ok(value) => Ok(Some(value)),
        Err(e) => {
            let inner = track.path().to_string();
            let path = match inner.as_str() {
                "" | "." => format!("{name}[{index}]"),
                _ if inner.starts_with('[') => format!("{name}[{index}]{inner}"),
                _ => format!("{name}[{index}].{inner}"),
            };
            let text = e.to_string();
            let message = text.rfind(" at line ").map_or(text.as_str(), |cut| &text[..cut]).to_string();
            let bad = Bad { at: raw.get().as_ptr() as usize, line: e.line().max(1), column: e.column().max(1), path, message };
            REJECTED.with(|r| match r.borrow_mut().as_mut() {
                Some(rejected) => {
                    rejected.push(bad);
                    Ok(None)
                }
                None => Err(E::custom(bad.message)),
            })
        }
    }
}

/// The elements of a `spans` array: a plain `Vec` in a strict read; in a lenient one, each span read on its
/// own and a span that does not read left out (and recorded).
pub(super) struct Spans<T>(pub Vec<T>);

impl<T> Default for Spans<T> {
    fn default() -> Self {
        Spans(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spans<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !active() {
            return Vec::deserialize(d).map(Spans);
        }
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Spans<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of spans")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Spans<T>, A::Error> {
                let mut spans = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                let mut index = 0;
                while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                    spans.extend(element(raw, PhantomData::<T>, "spans", index)?);
                    index += 1;
                }
                Ok(Spans(spans))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}
