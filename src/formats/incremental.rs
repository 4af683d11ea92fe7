//! Reading a big input a slice at a time, while it arrives and after, so that the page can paint and answer
//! input in between, and reading the file overlaps with reading its spans.
//!
//! A byte-level scanner walks the JSON (strings, escapes and nesting only; no values are built) and cuts it
//! into documents: the top-level value, each element of a top-level array, or each line of JSONL. Inside a
//! document, the elements of every `spans` array are only located. The spans are read one by one with the
//! format's span reader as soon as they are located. The document itself (its "skeleton") is read by the
//! usual readers with those arrays emptied once it is complete, and the readers record for each `spans`
//! array where its spans belong (OTLP resource and scope, Jaeger trace and processes); spans read before
//! that are then completed. The result is the `TraceSet` that `parse` gives (strings may be interned, and
//! resources numbered, in another order). Anything unexpected, and every error, falls back to `parse` on
//! the whole input, so error messages are exactly those of the whole-document reader.

use super::builder::{Builder, Early, SpanContext};
use super::document::{add_document, looks_like_jsonl, parse, utf16, Doc};
use super::error::LoadError;
use super::{jaeger, otlp};
use crate::model::{Format, Sym, TraceSet};
use serde::Deserialize;
use std::collections::VecDeque;
use std::ops::Range;

/// One document found by the scanner: its bytes with `spans` arrays emptied, and those arrays' elements.
struct Document {
    skeleton: Skeleton,
    top_level_object: bool,
    arrays: Vec<SpansArray>,
}

/// The elements of one `spans` array, and which format's spans the scanner takes them for, by how deep the
/// array is: OTLP's are inside `resourceSpans[].scopeSpans[]`, Jaeger's in a trace object at most inside
/// `data[]`. A guess, used only to read spans before the document's skeleton; the skeleton's readers
/// confirm it, and a wrong one sends the input to the whole reader.
struct SpansArray {
    otlp: bool,
    elements: Vec<Range<usize>>,
}

/// Depth (containers open, counted from the document) from which a `spans` array is taken for OTLP's.
const OTLP_SPANS_DEPTH: usize = 4;

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
    arrays: Vec<SpansArray>,
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
    /// Inside an element of a `spans` array (an object or array), this deep: only its end is looked for.
    element_depth: u32,
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
            element_depth: 0,
        }
    }

    /// Scans up to `budget` bytes from where it stopped; completed documents go to `out`.
    fn scan(&mut self, bytes: &[u8], budget: usize, out: &mut Vec<Document>) {
        let end = self.pos.saturating_add(budget).min(bytes.len());
        while self.pos < end && !self.give_up {
            if self.element_depth > 0 {
                self.skip_element(bytes, end);
                continue;
            }
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
                    if self.stack.last().is_some_and(|f| f.spans && f.element == Some(i)) {
                        self.element_depth = 1;
                        continue;
                    }
                    let array = c == b'[';
                    if self.stack.is_empty() && array && !self.jsonl {
                        self.top_array = true;
                        self.doc = None; // the array is not a document; its elements are
                    }
                    let spans = array
                        && self.stack.last().is_some_and(|f| !f.array && f.key_is_spans)
                        && self.doc.as_ref().is_some_and(|d| !d.in_spans);
                    if spans {
                        let otlp = self.stack.len() - usize::from(self.top_array) >= OTLP_SPANS_DEPTH;
                        let doc = self.doc.as_mut().expect("checked");
                        doc.skeleton.extend_from_slice(&bytes[doc.copy_from..=i]);
                        doc.arrays.push(SpansArray { otlp, elements: Vec::new() });
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
                // A colon belongs after a key; between array elements (which are read one by one, without
                // what lies between them) it is an error, which the whole reader reports.
                b':' if self.stack.last().is_none_or(|f| f.array) => {
                    self.give_up = true;
                    break;
                }
                b':' => {}
                _ => self.value_starts(i),
            }
            self.last_non_ws = i;
        }
    }

    /// Goes on through an element of a `spans` array up to its closing bracket (or `end`), seeing only
    /// brackets and strings: most of a trace's bytes are spans, and all the scanner needs of one is where it
    /// ends. Its content is checked when the span is read; a mismatched bracket inside it makes that fail.
    fn skip_element(&mut self, bytes: &[u8], end: usize) {
        let mut i = self.pos;
        while i < end {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &bytes[i..end]) {
                    Some(at) => {
                        i += at;
                        self.escape = bytes[i] == b'\\';
                        self.in_string = self.escape;
                        i += 1;
                    }
                    None => i = end,
                }
                continue;
            }
            match bytes[i] {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.element_depth += 1,
                b'}' | b']' => {
                    self.element_depth -= 1;
                    if self.element_depth == 0 {
                        self.last_non_ws = i;
                        self.pos = i + 1;
                        return;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = i;
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
                array.elements.push(start..end);
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
        !self.give_up && self.pos >= len && self.stack.is_empty() && !self.in_string && self.doc.is_none() && self.element_depth == 0
    }
}

/// An input read a slice at a time, while it arrives and once it is whole: `arrived` with each longer
/// prefix and `step_arriving` between reads; then `step` with the whole input until it returns true, and
/// `finish`. Spans are read as soon as the scanner has found them. Those of a document whose skeleton has
/// not been read yet (their OTLP resource, or the Jaeger `processes`, which follow the spans) are added to
/// their traces with that left open, and completed when the skeleton is read (`Pending`).
pub struct IncrementalParse {
    name: String,
    /// Where the body starts (after a byte-order mark), once the input is long enough to tell.
    body_start: Option<usize>,
    /// Where the search for the body's first newline got to, and the newline once found.
    newline_search: usize,
    newline: Option<usize>,
    /// JSONL or not: settled once something follows the first newline, or when the input is whole. Until
    /// then the scanner reads the input as JSON, and no skeleton is read (the format depends on it).
    jsonl: Option<bool>,
    scanner: Scanner,
    builder: Builder,
    /// Documents the scanner has completed and that are not all read. The front one, else the one the
    /// scanner is in, is being read.
    queue: VecDeque<Document>,
    /// The next span to read: element `element` of array `array` of the front document.
    array: usize,
    element: usize,
    /// The front document's skeleton has been read and its contexts start at `contexts_base`.
    skeleton_read: bool,
    contexts_base: usize,
    /// Spans of the front document added before its skeleton was read, in order.
    pending: Vec<Pending>,
    /// The next span needs the skeleton (an inline Jaeger process, no trace id of its own).
    wait_for_skeleton: bool,
    /// Once the input is whole, it is read by `parse`: something failed while it arrived, or it is only
    /// whitespace.
    failed: bool,
    /// Length of the body last seen, and bytes of spans and skeletons read, for progress.
    body_len: usize,
    read: usize,
    /// Set once the whole input had to be read at once (success or error).
    outcome: Option<Result<TraceSet, LoadError>>,
}

/// A span added before its document's skeleton: where it went, and its Jaeger process id.
struct Pending {
    array: u32,
    trace: u32,
    index: u32,
    process: Option<Sym>,
}

/// What comes next in the front document.
enum Next {
    Span { range: Range<usize>, otlp: bool },
    ArrayEnd,
    DocumentEnd,
    /// Not arrived (or not scanned) yet.
    NotYet,
}

/// Scanning is cheap next to reading: it is weighted this much in `progress`.
const SCAN_WEIGHT: f64 = 0.1;

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl IncrementalParse {
    pub fn new(name: &str) -> IncrementalParse {
        let mut builder = Builder::new(name, 0);
        builder.deferred = true;
        IncrementalParse {
            name: name.to_string(),
            body_start: None,
            newline_search: 0,
            newline: None,
            jsonl: None,
            scanner: Scanner::new(false),
            builder,
            queue: VecDeque::new(),
            array: 0,
            element: 0,
            skeleton_read: false,
            contexts_base: 0,
            pending: Vec::new(),
            wait_for_skeleton: false,
            failed: false,
            body_len: 0,
            read: 0,
            outcome: None,
        }
    }

    /// More of the input has arrived: `prefix` is all of it so far, the same bytes as last time and more.
    /// Scans the new bytes. The scanner reads a JSON document and a JSONL one alike until a second
    /// top-level value starts, which it can only reach after the first line and the first character after
    /// it, by which time `looks_like_jsonl` is settled.
    pub fn arrived(&mut self, prefix: &[u8]) {
        let Some(body) = self.body(prefix, false) else { return };
        if self.failed {
            return;
        }
        if self.newline.is_none() {
            self.newline = memchr::memchr(b'\n', &body[self.newline_search..]).map(|at| self.newline_search + at);
            self.newline_search = body.len();
        }
        if let (None, Some(newline)) = (self.jsonl, self.newline) {
            if !body[newline..].trim_ascii().is_empty() {
                self.settle(looks_like_jsonl(body));
            }
        }
        let mut found = Vec::new();
        self.scanner.scan(body, usize::MAX, &mut found);
        self.queue.extend(found);
    }

    /// Reads what has arrived (`prefix`, as last given to `arrived`), about `budget` bytes of work.
    /// Returns true when it has caught up.
    pub fn step_arriving(&mut self, prefix: &[u8], budget: usize) -> bool {
        if self.failed {
            return true;
        }
        let Some(body) = self.body(prefix, false) else { return true };
        self.work(body, false, budget).unwrap_or_else(|()| {
            self.failed = true;
            true
        })
    }

    /// Reads the whole input, about `budget` bytes of work (scanning or reading). Returns true when it is
    /// all read.
    pub fn step(&mut self, input: &[u8], budget: usize) -> bool {
        if self.outcome.is_some() {
            return true;
        }
        let body = self.body(input, true).expect("a whole input has a body");
        // An input that is only whitespace never settled JSONL while arriving: checked once, here.
        if self.jsonl.is_none() {
            self.settle(looks_like_jsonl(body));
            self.failed |= body.iter().all(u8::is_ascii_whitespace);
        }
        if self.failed {
            self.fall_back(input);
            return true;
        }
        self.work(body, true, budget).unwrap_or_else(|()| {
            self.fall_back(input);
            true
        })
    }

    /// Done so far, from 0 to 1 (of the input as far as it has arrived).
    pub fn progress(&self) -> f64 {
        if self.outcome.is_some() || self.body_len == 0 {
            return 1.0;
        }
        let len = self.body_len as f64;
        SCAN_WEIGHT * self.scanner.pos as f64 / len + (1.0 - SCAN_WEIGHT) * (self.read as f64 / len).min(1.0)
    }

    /// Spans read so far.
    pub fn spans(&self) -> u64 {
        self.builder.set.span_objects
    }

    pub fn finish(mut self, input: &[u8]) -> Result<TraceSet, LoadError> {
        while !self.step(input, usize::MAX) {}
        match self.outcome.take() {
            Some(outcome) => outcome,
            None => {
                self.builder.deferred = false;
                self.builder.set.source.bytes = input.len() as u64;
                self.builder.finish().map_err(|message| LoadError::whole_file(&self.name, message))
            }
        }
    }

    /// The input without its byte-order mark, once it is long enough (or whole) to tell whether it has one.
    fn body<'b>(&mut self, input: &'b [u8], whole: bool) -> Option<&'b [u8]> {
        if self.body_start.is_none() {
            // Wait for the first four bytes: a UTF-8 byte-order mark, or UTF-16, shows in them.
            if !whole && input.len() < 4 {
                return None;
            }
            self.body_start = Some(if input.starts_with(BOM) { BOM.len() } else { 0 });
            // UTF-16 is decoded by the whole reader (it cannot be read a slice at a time in place).
            self.failed |= utf16(input).is_some();
        }
        let body = &input[self.body_start?..];
        self.body_len = body.len();
        Some(body)
    }

    fn settle(&mut self, jsonl: bool) {
        self.jsonl = Some(jsonl);
        self.scanner.jsonl = jsonl;
        if jsonl {
            self.builder.format = Some(Format::OtlpJsonl);
        }
    }

    /// Reads on within `budget`; when the front document cannot go on, scans further (the whole input
    /// only: input that is arriving is scanned by `arrived`). Returns true when there is nothing more to do
    /// with this `body`; an error means the input must be read whole.
    fn work(&mut self, body: &[u8], whole: bool, budget: usize) -> Result<bool, ()> {
        let mut left = budget.max(1);
        while left > 0 {
            if self.read_front(body, &mut left)? {
                continue;
            }
            if !whole {
                return Ok(true);
            }
            if self.scanner.pos < body.len() && !self.scanner.give_up {
                let before = self.scanner.pos;
                let mut found = Vec::new();
                self.scanner.scan(body, left, &mut found);
                self.queue.extend(found);
                left = left.saturating_sub(self.scanner.pos - before);
                continue;
            }
            return if self.scanner.complete(body.len()) && self.queue.is_empty() { Ok(true) } else { Err(()) };
        }
        Ok(false)
    }

    /// What comes next in the front document: the first in the queue, else the one being scanned.
    fn next(&self) -> Next {
        let (arrays, complete, open) = match (self.queue.front(), &self.scanner.doc) {
            (Some(doc), _) => (&doc.arrays, true, false),
            (None, Some(doc)) => (&doc.arrays, false, doc.in_spans),
            (None, None) => return Next::NotYet,
        };
        match arrays.get(self.array) {
            Some(array) => match array.elements.get(self.element) {
                Some(range) => Next::Span { range: range.clone(), otlp: array.otlp },
                // An array is closed once another has started or the scanner is out of it.
                None if complete || !open || self.array + 1 < arrays.len() => Next::ArrayEnd,
                None => Next::NotYet,
            },
            None if complete => Next::DocumentEnd,
            None => Next::NotYet,
        }
    }

    /// Reads on in the front document (its skeleton once it is complete, its spans as they are found), and
    /// on to the next, within `left` bytes. Returns whether it got anywhere.
    fn read_front(&mut self, body: &[u8], left: &mut usize) -> Result<bool, ()> {
        let mut progressed = false;
        while *left > 0 {
            if !self.skeleton_read && self.jsonl.is_some() && !self.queue.is_empty() {
                self.read_skeleton(body, left)?;
                progressed = true;
                continue;
            }
            match self.next() {
                Next::Span { range, otlp } => {
                    let span = &body[range.clone()];
                    if self.skeleton_read {
                        self.read_span(span)?;
                    } else if self.wait_for_skeleton {
                        return Ok(progressed);
                    } else {
                        let early = if otlp { otlp::add_span_early(&mut self.builder, span) } else { jaeger::add_span_early(&mut self.builder, span) };
                        match early.map_err(|_| ())? {
                            Early::Added { trace, index, process } => {
                                self.pending.push(Pending { array: self.array as u32, trace, index, process })
                            }
                            Early::Rejected => {}
                            Early::Wait => {
                                self.wait_for_skeleton = true;
                                return Ok(progressed);
                            }
                        }
                    }
                    self.element += 1;
                    self.read += range.len();
                    *left = left.saturating_sub(range.len());
                }
                Next::ArrayEnd => {
                    if self.skeleton_read {
                        self.array_done(self.array);
                    }
                    (self.array, self.element) = (self.array + 1, 0);
                }
                Next::DocumentEnd if self.skeleton_read => {
                    self.queue.pop_front();
                    (self.array, self.element, self.skeleton_read, self.wait_for_skeleton) = (0, 0, false, false);
                }
                Next::DocumentEnd | Next::NotYet => return Ok(progressed),
            }
            progressed = true;
        }
        Ok(progressed)
    }

    /// Reads the front document's skeleton, then completes the spans added before it.
    fn read_skeleton(&mut self, body: &[u8], left: &mut usize) -> Result<(), ()> {
        let doc = self.queue.front().expect("not empty");
        let bytes = match &doc.skeleton {
            Skeleton::Whole(range) => &body[range.clone()],
            Skeleton::Owned(bytes) => &bytes[..],
        };
        self.contexts_base = self.builder.contexts.len();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed = Doc::deserialize(&mut de).map_err(|_| ())?;
        de.end().map_err(|_| ())?;
        add_document(&mut self.builder, parsed, doc.top_level_object).map_err(|_| ())?;
        if self.builder.deferred_mismatch || self.builder.contexts.len() - self.contexts_base != doc.arrays.len() {
            return Err(()); // the readers saw other `spans` arrays than the scanner: read it whole
        }
        self.skeleton_read = true;
        self.read += bytes.len();
        *left = left.saturating_sub(bytes.len());
        self.resolve()
    }

    /// Gives the spans added before the skeleton their resource, scope and service, in order, with the
    /// warnings the whole reader gives at the same points: a Jaeger span's missing process, and a Jaeger
    /// trace object's own warnings once its spans are in.
    fn resolve(&mut self) -> Result<(), ()> {
        // The arrays read so far must have been read with the right format's reader.
        let arrays = &self.queue.front().expect("not empty").arrays;
        let touched = (self.array + usize::from(self.element > 0)).min(arrays.len());
        let contexts = &self.builder.contexts[self.contexts_base..];
        if arrays[..touched].iter().zip(contexts).any(|(a, c)| a.otlp != matches!(c, SpanContext::Otlp { .. })) {
            return Err(());
        }
        let mut pending = std::mem::take(&mut self.pending).into_iter().peekable();
        for array in 0..touched {
            self.with_context(array, |b, context| {
                while let Some(p) = pending.next_if(|p| p.array as usize == array) {
                    let (resource, scope, service, missing) = match &*context {
                        SpanContext::Otlp { resource, scope, service } => (*resource, *scope, *service, false),
                        SpanContext::Jaeger { processes, .. } => {
                            let (resource, missing) = jaeger::resolve_process(b, p.process, processes);
                            (resource, 0, b.set.resources[resource as usize].service, missing)
                        }
                    };
                    let trace = &mut b.set.traces[p.trace as usize];
                    let span = &mut trace.spans[p.index as usize];
                    (span.resource, span.scope, span.service) = (resource, scope, service);
                    if missing {
                        trace.warnings.push(jaeger::MISSING_PROCESS.into());
                    }
                }
            });
            if array < self.array {
                self.array_done(array);
            }
        }
        Ok(())
    }

    /// Reads one span of the front document, whose skeleton has been read.
    fn read_span(&mut self, span: &[u8]) -> Result<(), ()> {
        self.with_context(self.array, |b, context| match context {
            SpanContext::Otlp { resource, scope, service } => otlp::add_span_bytes(b, span, *resource, *scope, *service),
            SpanContext::Jaeger { trace_id, processes, .. } => jaeger::add_span_bytes(b, span, *trace_id, processes),
        })
        .map_err(|_| ())
    }

    /// Runs `f` with the builder and the context of array `array` of the front document, which is taken out
    /// of the builder meanwhile (the span readers need both).
    fn with_context<R>(&mut self, array: usize, f: impl FnOnce(&mut Builder, &mut SpanContext) -> R) -> R {
        let at = self.contexts_base + array;
        let placeholder = SpanContext::Otlp { resource: 0, scope: 0, service: 0 };
        let mut context = std::mem::replace(&mut self.builder.contexts[at], placeholder);
        let result = f(&mut self.builder, &mut context);
        self.builder.contexts[at] = context;
        result
    }

    /// Array `array` of the front document is all read: a Jaeger trace object's warnings go to its trace,
    /// now that its spans made it exist.
    fn array_done(&mut self, array: usize) {
        if let SpanContext::Jaeger { trace_id, warnings, .. } = &mut self.builder.contexts[self.contexts_base + array] {
            let (trace_id, warnings) = (*trace_id, std::mem::take(warnings));
            warnings.into_iter().for_each(|w| self.builder.trace_warning(trace_id, w));
        }
    }

    /// Reads the whole input at once with `parse`: for errors (exact messages) and shapes the scanner leaves.
    fn fall_back(&mut self, input: &[u8]) {
        self.outcome = Some(parse(&self.name, input));
    }
}
