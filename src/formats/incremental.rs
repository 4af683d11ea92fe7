//! Reading a big input a slice at a time, so that the page can paint and answer input in between.
//!
//! A byte-level scanner walks the JSON (strings, escapes and nesting only; no values are built) and cuts it
//! into documents: the top-level value, each element of a top-level array, or each line of JSONL. Inside a
//! document, the elements of every `spans` array are only located. The document itself (its "skeleton") is
//! read by the usual readers with those arrays emptied, and the readers record for each `spans` array where
//! its spans belong (OTLP resource and scope, Jaeger trace and processes). Then the spans are read one by one
//! with the format's span reader. The result is the `TraceSet` that `parse` gives (strings may be interned in
//! another order). Anything unexpected, and every error, falls back to `parse` on the whole input, so error
//! messages are exactly those of the whole-document reader.

use super::{jaeger, looks_like_jsonl, otlp, parse, Builder, Doc, LoadError};
use crate::model::{Format, TraceId, TraceSet};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// Where the spans of one `spans` array belong, as the document's reader found it.
pub(crate) enum SpanContext {
    Otlp { resource: u32, scope: u32, service: u32 },
    Jaeger { trace_id: Option<TraceId>, processes: HashMap<Cow<'static, str>, u32>, warnings: Vec<String> },
}

impl Builder {
    /// Records where the spans of the next emptied `spans` array belong. `present` is how many spans the
    /// reader found in the array itself: 0 when the scanner emptied it, so anything else is a mismatch.
    pub(super) fn defer(&mut self, context: SpanContext, present: usize) {
        self.deferred_mismatch |= present > 0;
        self.contexts.push(context);
    }
}

/// One document found by the scanner: its bytes with `spans` arrays emptied, and those arrays' elements.
struct Document {
    skeleton: Skeleton,
    top_level_object: bool,
    arrays: Vec<Vec<Range<usize>>>,
}

enum Skeleton {
    /// No `spans` arrays inside: the document's own bytes.
    Whole(Range<usize>),
    Owned(Vec<u8>),
}

#[derive(Clone, Copy)]
struct Frame {
    array: bool,
    /// This array is the value of a `spans` key inside a document.
    spans: bool,
    /// Start of the array's current element.
    element: Option<usize>,
    /// The last thing in this array was a comma (so `]` now would be a trailing comma).
    after_comma: bool,
    /// In an object: a key comes next; the last key was "spans".
    expect_key: bool,
    key_is_spans: bool,
}

struct DocScan {
    start: usize,
    top_level_object: bool,
    skeleton: Vec<u8>,
    copy_from: usize,
    arrays: Vec<Vec<Range<usize>>>,
    in_spans: bool,
}

/// The scanner's place in the input, kept between slices.
struct Scanner {
    pos: usize,
    jsonl: bool,
    stack: Vec<Frame>,
    in_string: bool,
    escape: bool,
    /// The string being scanned is a key: how much of "spans" it has matched (`None`: not "spans").
    key: Option<Option<usize>>,
    /// The top-level value is an array: its elements are the documents.
    top_array: bool,
    top_values: usize,
    doc: Option<DocScan>,
    last_non_ws: usize,
    /// Invalid JSON, or a shape this scanner leaves to the whole reader.
    give_up: bool,
}

const SPANS: &[u8] = b"spans";

impl Scanner {
    fn new(jsonl: bool) -> Scanner {
        Scanner {
            pos: 0,
            jsonl,
            stack: Vec::new(),
            in_string: false,
            escape: false,
            key: None,
            top_array: false,
            top_values: 0,
            doc: None,
            last_non_ws: 0,
            give_up: false,
        }
    }

    /// Scans up to `budget` bytes from where it stopped; completed documents go to `out`.
    fn scan(&mut self, bytes: &[u8], budget: usize, out: &mut Vec<Document>) {
        let end = self.pos.saturating_add(budget).min(bytes.len());
        while self.pos < end && !self.give_up {
            // Inside a string only a quote or a backslash matters (unless it is a key that may be "spans"):
            // jump to the next one. Most of a trace's bytes are strings.
            if self.in_string && !self.escape && !matches!(self.key, Some(Some(_))) {
                match memchr::memchr2(b'"', b'\\', &bytes[self.pos..end]) {
                    Some(skip) => self.pos += skip,
                    None => {
                        self.pos = end;
                        break;
                    }
                }
            }
            let i = self.pos;
            let c = bytes[i];
            self.pos += 1;
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if c == b'\\' {
                    self.escape = true;
                    self.key = self.key.map(|_| None); // an escaped key is never taken for "spans"
                } else if c == b'"' {
                    self.in_string = false;
                    self.last_non_ws = i;
                    if let (Some(matched), Some(frame)) = (self.key.take(), self.stack.last_mut()) {
                        frame.key_is_spans = matched == Some(SPANS.len());
                    }
                } else if let Some(Some(n)) = self.key {
                    self.key = Some((n < SPANS.len() && SPANS[n] == c).then_some(n + 1));
                }
                continue;
            }
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => continue,
                b'"' => {
                    let is_key = self.stack.last().is_some_and(|f| !f.array && f.expect_key);
                    if is_key {
                        let frame = self.stack.last_mut().expect("checked");
                        frame.expect_key = false;
                        self.key = Some(Some(0));
                    } else {
                        self.value_starts(i);
                    }
                    self.in_string = true;
                }
                b'{' | b'[' => {
                    self.value_starts(i);
                    let array = c == b'[';
                    if self.stack.is_empty() && array && !self.jsonl {
                        self.top_array = true;
                        self.doc = None; // the array is not a document; its elements are
                    }
                    let spans = array
                        && self.stack.last().is_some_and(|f| !f.array && f.key_is_spans)
                        && self.doc.as_ref().is_some_and(|d| !d.in_spans);
                    if spans {
                        let doc = self.doc.as_mut().expect("checked");
                        doc.skeleton.extend_from_slice(&bytes[doc.copy_from..=i]);
                        doc.arrays.push(Vec::new());
                        doc.in_spans = true;
                    }
                    self.stack.push(Frame { array, spans, element: None, after_comma: false, expect_key: !array, key_is_spans: false });
                }
                b',' => {
                    // An array's elements are checked here, as they are read one by one (`[a,,b]`, `[,a]`).
                    if self.stack.last().is_some_and(|f| f.array && f.element.is_none()) {
                        self.give_up = true;
                        break;
                    }
                    self.element_ends(bytes, out);
                    if let Some(frame) = self.stack.last_mut() {
                        frame.after_comma = frame.array;
                    }
                    match self.stack.last_mut() {
                        Some(frame) => {
                            frame.expect_key = !frame.array;
                            frame.key_is_spans = false;
                        }
                        None => self.give_up = true,
                    }
                }
                b'}' | b']' => {
                    match self.stack.last() {
                        Some(frame) if frame.array == (c == b']') && !(frame.after_comma && frame.element.is_none()) => {}
                        _ => {
                            self.give_up = true;
                            break;
                        }
                    }
                    self.element_ends(bytes, out);
                    let frame = self.stack.pop().expect("checked");
                    if frame.spans {
                        let doc = self.doc.as_mut().expect("a spans array is inside a document");
                        doc.copy_from = i;
                        doc.in_spans = false;
                    }
                    self.last_non_ws = i;
                    if self.stack.is_empty() && !self.top_array {
                        self.finish_doc(bytes, i + 1, out);
                    }
                }
                b':' => {}
                _ => self.value_starts(i),
            }
            self.last_non_ws = i;
        }
    }

    /// A value (or the first byte of a scalar) at `i`: maybe a document, maybe an array element.
    fn value_starts(&mut self, i: usize) {
        if let Some(frame) = self.stack.last_mut() {
            if frame.array && frame.element.is_none() {
                frame.element = Some(i);
                frame.after_comma = false;
            }
        }
        let depth = self.stack.len();
        if depth == 0 {
            self.top_values += 1;
            if self.top_values > 1 && !self.jsonl {
                self.give_up = true; // trailing content: the whole reader says what is wrong
            }
        }
        let doc_depth = usize::from(self.top_array);
        if self.doc.is_none() && depth == doc_depth {
            self.doc = Some(DocScan {
                start: i,
                top_level_object: !self.top_array,
                skeleton: Vec::new(),
                copy_from: i,
                arrays: Vec::new(),
                in_spans: false,
            });
        }
    }

    /// At a ',' or a closing bracket: the current element of the innermost array ends.
    fn element_ends(&mut self, bytes: &[u8], out: &mut Vec<Document>) {
        let Some(frame) = self.stack.last_mut() else { return };
        let Some(start) = frame.element.take() else { return };
        let end = self.last_non_ws + 1;
        if frame.spans {
            if let Some(array) = self.doc.as_mut().and_then(|d| d.arrays.last_mut()) {
                array.push(start..end);
            }
        } else if self.top_array && self.stack.len() == 1 {
            self.finish_doc(bytes, end, out);
        }
    }

    fn finish_doc(&mut self, bytes: &[u8], end: usize, out: &mut Vec<Document>) {
        let Some(mut doc) = self.doc.take() else { return };
        let skeleton = if doc.arrays.is_empty() {
            Skeleton::Whole(doc.start..end)
        } else {
            doc.skeleton.extend_from_slice(&bytes[doc.copy_from..end]);
            Skeleton::Owned(doc.skeleton)
        };
        out.push(Document { skeleton, top_level_object: doc.top_level_object, arrays: doc.arrays });
    }

    /// The input ended: did it end cleanly?
    fn complete(&self, len: usize) -> bool {
        !self.give_up && self.pos >= len && self.stack.is_empty() && !self.in_string && self.doc.is_none()
    }
}

/// An input being read a slice at a time: `step` until it returns true, then `finish`.
pub struct IncrementalParse<'a> {
    name: String,
    /// The whole input (the BOM stripped).
    bytes: &'a [u8],
    scanner: Scanner,
    builder: Builder,
    queue: std::collections::VecDeque<Document>,
    /// Where the next spans are read: array `array` of the front document, from element `element`.
    array: usize,
    element: usize,
    /// The front document's skeleton has been read and its contexts start at `contexts_base`.
    skeleton_read: bool,
    contexts_base: usize,
    /// Bytes of spans and skeletons read, for progress.
    read: usize,
    /// Set once the whole input had to be read at once (success or error).
    outcome: Option<Result<TraceSet, LoadError>>,
}

/// Scanning is cheap next to reading: it is weighted this much in `progress`.
const SCAN_WEIGHT: f64 = 0.1;

/// The scanner run over an input while it is still arriving (between reads of a file), so that the reading
/// and the scanning overlap; `IncrementalParse::with_prescan` goes on from where it stopped.
#[derive(Default)]
pub struct Prescan {
    /// Started once the input is long enough to tell whether it has a byte-order mark.
    scanner: Option<Scanner>,
    body_start: usize,
    /// Where the search for the body's first newline got to, and the newline once found: JSONL or not is
    /// known from the first line and what follows it.
    newline_search: usize,
    newline: Option<usize>,
    /// Settled once something follows the first newline; until then the scanner reads it as JSON.
    jsonl: Option<bool>,
    found: Vec<Document>,
}

impl Prescan {
    /// Scans `prefix`: the input so far, the same bytes as last time and more. The scanner reads a JSON
    /// document and a JSONL one alike until a second top-level value starts, which it can only reach after
    /// the first line and the first character after it, by which time `looks_like_jsonl` is settled.
    pub fn scan(&mut self, prefix: &[u8]) {
        if self.scanner.is_none() {
            if prefix.len() < BOM.len() && BOM.starts_with(prefix) {
                return;
            }
            self.body_start = if prefix.starts_with(BOM) { BOM.len() } else { 0 };
            self.scanner = Some(Scanner::new(false));
        }
        let body = &prefix[self.body_start..];
        if self.newline.is_none() {
            self.newline = memchr::memchr(b'\n', &body[self.newline_search..]).map(|at| self.newline_search + at);
            self.newline_search = body.len();
        }
        let scanner = self.scanner.as_mut().expect("started above");
        if let (None, Some(newline)) = (self.jsonl, self.newline) {
            if !body[newline..].trim_ascii().is_empty() {
                let jsonl = looks_like_jsonl(body);
                self.jsonl = Some(jsonl);
                scanner.jsonl = jsonl;
            }
        }
        scanner.scan(body, usize::MAX, &mut self.found);
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<'a> IncrementalParse<'a> {
    pub fn new(name: &str, bytes: &'a [u8]) -> IncrementalParse<'a> {
        IncrementalParse::with_prescan(name, bytes, Prescan::default())
    }

    /// Goes on from a `Prescan` of the same input (now whole).
    pub fn with_prescan(name: &str, bytes: &'a [u8], prescan: Prescan) -> IncrementalParse<'a> {
        let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let jsonl = looks_like_jsonl(body);
        let mut builder = Builder::new(name, bytes.len() as u64);
        builder.deferred = true;
        if jsonl {
            builder.format = Some(Format::OtlpJsonl);
        }
        let mut parse = IncrementalParse {
            name: name.to_string(),
            bytes: body,
            scanner: Scanner { jsonl, ..prescan.scanner.unwrap_or_else(|| Scanner::new(jsonl)) },
            builder,
            queue: prescan.found.into(),
            array: 0,
            element: 0,
            skeleton_read: false,
            contexts_base: 0,
            read: 0,
            outcome: None,
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            parse.fall_back(bytes);
        }
        parse
    }

    /// Done so far, from 0 to 1.
    pub fn progress(&self) -> f64 {
        if self.outcome.is_some() || self.bytes.is_empty() {
            return 1.0;
        }
        let len = self.bytes.len() as f64;
        SCAN_WEIGHT * self.scanner.pos as f64 / len + (1.0 - SCAN_WEIGHT) * (self.read as f64 / len).min(1.0)
    }

    /// Spans read so far.
    pub fn spans(&self) -> u64 {
        self.builder.set.span_objects
    }

    /// Does about `budget` bytes of work (scanning or reading). Returns true when the input is all read.
    pub fn step(&mut self, budget: usize) -> bool {
        if self.outcome.is_some() {
            return true;
        }
        let mut left = budget.max(1);
        while left > 0 {
            if self.queue.is_empty() {
                if self.scanner.pos >= self.bytes.len() || self.scanner.give_up {
                    if !self.scanner.complete(self.bytes.len()) {
                        self.fall_back(self.bytes);
                    }
                    return true;
                }
                let before = self.scanner.pos;
                let mut found = Vec::new();
                self.scanner.scan(self.bytes, left, &mut found);
                self.queue.extend(found);
                left = left.saturating_sub(self.scanner.pos - before);
                continue;
            }
            match self.read_some(&mut left) {
                Ok(()) => {}
                Err(()) => {
                    self.fall_back(self.bytes);
                    return true;
                }
            }
        }
        false
    }

    /// Reads the front document: its skeleton, then its spans, within `left` bytes.
    fn read_some(&mut self, left: &mut usize) -> Result<(), ()> {
        let doc = self.queue.front().expect("not empty");
        if !self.skeleton_read {
            let bytes = match &doc.skeleton {
                Skeleton::Whole(range) => &self.bytes[range.clone()],
                Skeleton::Owned(bytes) => &bytes[..],
            };
            self.contexts_base = self.builder.contexts.len();
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let parsed = Doc::deserialize(&mut de).map_err(|_| ())?;
            de.end().map_err(|_| ())?;
            self.builder.add_document(parsed, doc.top_level_object).map_err(|_| ())?;
            if self.builder.deferred_mismatch || self.builder.contexts.len() - self.contexts_base != doc.arrays.len() {
                return Err(()); // the readers saw other `spans` arrays than the scanner: read it whole
            }
            self.skeleton_read = true;
            (self.array, self.element) = (0, 0);
            self.read += bytes.len();
            *left = left.saturating_sub(bytes.len());
        }
        while *left > 0 {
            let doc = self.queue.front().expect("not empty");
            let Some(array) = doc.arrays.get(self.array) else {
                self.queue.pop_front();
                self.skeleton_read = false;
                return Ok(());
            };
            let context = self.contexts_base + self.array;
            let Some(range) = array.get(self.element).cloned() else {
                // The array is done: Jaeger trace warnings go to the trace now that its spans made it exist.
                if let SpanContext::Jaeger { trace_id, warnings, .. } = &mut self.builder.contexts[context] {
                    let (trace_id, warnings) = (*trace_id, std::mem::take(warnings));
                    warnings.into_iter().for_each(|w| self.builder.trace_warning(trace_id, w));
                }
                (self.array, self.element) = (self.array + 1, 0);
                continue;
            };
            let span = &self.bytes[range.clone()];
            let mut ctx = std::mem::replace(&mut self.builder.contexts[context], SpanContext::Otlp { resource: 0, scope: 0, service: 0 });
            let result = match &mut ctx {
                SpanContext::Otlp { resource, scope, service } => {
                    otlp::add_span_bytes(&mut self.builder, span, *resource, *scope, *service)
                }
                SpanContext::Jaeger { trace_id, processes, .. } => {
                    jaeger::add_span_bytes(&mut self.builder, span, *trace_id, processes)
                }
            };
            self.builder.contexts[context] = ctx;
            result.map_err(|_| ())?;
            self.element += 1;
            self.read += range.len();
            *left = left.saturating_sub(range.len());
        }
        Ok(())
    }

    /// Reads the whole input at once with `parse`: for errors (exact messages) and shapes the scanner leaves.
    fn fall_back(&mut self, bytes: &[u8]) {
        self.outcome = Some(parse(&self.name, bytes));
    }

    pub fn finish(mut self) -> Result<TraceSet, LoadError> {
        while !self.step(usize::MAX) {}
        match self.outcome.take() {
            Some(outcome) => outcome,
            None => {
                self.builder.deferred = false;
                self.builder.finish().map_err(|message| LoadError {
                    file: self.name.clone(),
                    line: 1,
                    column: 1,
                    path: String::new(),
                    message,
                })
            }
        }
    }
}
