//! The search box: a small query language that filters the spans of a trace.
//!
//! A query is a list of terms separated by spaces; a span matches when **every** term matches.
//! Text comparisons ignore case, except attribute keys.
//!
//! - `checkout`: the text appears in the span's name, service, or one of its own attribute keys or values
//!   (resource attributes and events are not searched). Text of 8 to 32 hex digits also finds the span with
//!   that span id, or the spans of the trace with that trace id, written whole or as its first digits, in
//!   any case, with or without the leading zeros (`uiFind=` in Jaeger UI's links names a span this way).
//! - `"GET /route"`: a phrase with spaces, matched like plain text. Inside quotes, `\"` is a quote and `\\`
//!   a backslash.
//! - `service:frontend`: the service name contains the text. `name:GetDriver`: the span name contains it.
//!   Values may be quoted: `name:"HTTP GET"`.
//! - `http.request.method=GET`: the span has an attribute with exactly this key (case matters) whose value
//!   is exactly this text (case does not): `http.response.status_code=200`, `url.full="http://x/?a=b"`.
//!   `key=""` asks for an empty value.
//! - `status:error`: a failed span (status ERROR, or an `exception` event). `status:ok`, `status:unset`: the
//!   other spans with that status, so the three never overlap.
//! - `kind:server`: also `client`, `internal`, `producer`, `consumer`, `unspecified`.
//! - `duration>100ms`: also `<`, `>=`, `<=`; units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`; decimals allowed
//!   (`duration>=1.5s`). A number needs a unit.
//! - `-term`: a leading minus excludes what the term matches: `-service:redis`, `-"GET /route"`.
//!
//! Any other `word:rest` (such as `http://host:8080/path`) is plain text, because attribute values often
//! hold colons. Field names (`service`, `name`, `status`, `kind`, `duration`) may be written in any case.
//!
//! Parsing ([`parse`]) needs no trace; matching binds the query to a [`TraceSet`] once ([`Query::matcher`]):
//! each text term is tested against every interned string up front, so testing a span costs a few bit
//! lookups instead of lower-casing its strings for every term, keystroke after keystroke.

use crate::model::{AttrPool, AttrValue, Span, SpanId, SpanIx, SpanKind, StatusCode, Strings, Sym, Trace, TraceId, TraceSet};
use std::fmt;

/// The syntax as (example, meaning) pairs, for the help the UI shows beside the search box.
pub const HELP: &[(&str, &str)] = &[
    ("checkout", "text in the span name, service, or an attribute key or value"),
    ("4bf92f35", "a span or trace id, whole or its first 8+ hex digits"),
    ("\"GET /route\"", "a phrase with spaces"),
    ("service:frontend", "service name contains the text"),
    ("name:GetDriver", "span name contains the text"),
    ("http.request.method=GET", "attribute with exactly this key has this value"),
    ("status:error", "failed spans (also ok, unset)"),
    ("kind:server", "span kind (client, server, internal, producer, consumer, unspecified)"),
    ("duration>100ms", "also <, >=, <=; units ns, us, ms, s, m, h"),
    ("-service:redis", "a leading minus excludes matches"),
];

/// A parsed query: terms that must all match. The empty query matches every span.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Query {
    terms: Vec<Term>,
}

/// Why a query could not be read, and where (a char offset into the query, for placing a marker).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.position, self.message)
    }
}

impl std::error::Error for QueryError {}

fn error(position: usize, message: impl Into<String>) -> QueryError {
    QueryError { position, message: message.into() }
}

#[derive(Clone, Debug, PartialEq)]
struct Term {
    negated: bool,
    test: Test,
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    Text(Needle),
    Service(Needle),
    Name(Needle),
    Attr { key: String, value: Needle },
    Status(StatusCode),
    Kind(SpanKind),
    Duration(Cmp, i64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// Text to look for, lower-cased once. Most needles are ASCII; they are compared byte by byte with ASCII
/// case folding, which needs no allocation (UTF-8 bytes of other characters never equal ASCII bytes).
#[derive(Clone, Debug, PartialEq)]
struct Needle {
    lower: String,
    ascii: bool,
}

impl Needle {
    fn new(text: &str) -> Needle {
        let lower = text.to_lowercase();
        let ascii = lower.is_ascii();
        Needle { lower, ascii }
    }

    /// `hay` contains the needle, ignoring case.
    fn found_in(&self, hay: &str) -> bool {
        if self.ascii {
            contains_ascii_ci(hay.as_bytes(), self.lower.as_bytes())
        } else {
            // An ASCII string lower-cases to ASCII, so it cannot hold a non-ASCII needle.
            !hay.is_ascii() && hay.to_lowercase().contains(&self.lower)
        }
    }

    /// `hay` equals the needle, ignoring case.
    fn equals(&self, hay: &str) -> bool {
        if self.ascii {
            hay.eq_ignore_ascii_case(&self.lower)
        } else {
            !hay.is_ascii() && hay.to_lowercase() == self.lower
        }
    }
}

fn contains_ascii_ci(hay: &[u8], needle: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else { return true };
    if hay.len() < needle.len() {
        return false;
    }
    // A cheap filter on the first and last bytes, then the full comparison. `| 0x20` folds ASCII letters to
    // lower case; it lets some other bytes pass the filter, but never rejects a match.
    let (first, last, end) = (first | 0x20, last | 0x20, needle.len() - 1);
    hay.windows(needle.len()).any(|w| w[0] | 0x20 == first && w[end] | 0x20 == last && w.eq_ignore_ascii_case(needle))
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

/// One whitespace-separated word with its quotes removed. Each char remembers whether it was quoted (a
/// quoted `:` or `-` is plain text) and its char offset in the query (for error positions).
#[derive(Default)]
struct Word {
    /// Char offsets of the word's first char and one past its last.
    start: usize,
    end: usize,
    chars: Vec<char>,
    quoted: Vec<bool>,
    pos: Vec<usize>,
    /// Indexes into `chars` where a quoted section began (kept so that `key=""` is told from `key=`).
    quote_starts: Vec<usize>,
}

impl Word {
    fn push(&mut self, c: char, quoted: bool, pos: usize) {
        self.chars.push(c);
        self.quoted.push(quoted);
        self.pos.push(pos);
    }
}

fn words(q: &[char]) -> Result<Vec<Word>, QueryError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < q.len() {
        if q[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut w = Word { start: i, ..Word::default() };
        while i < q.len() && !q[i].is_whitespace() {
            if q[i] != '"' {
                w.push(q[i], false, i);
                i += 1;
                continue;
            }
            let open = i;
            w.quote_starts.push(w.chars.len());
            i += 1;
            loop {
                match q.get(i) {
                    None => return Err(error(open, "unterminated quote: add a closing \"")),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') if matches!(q.get(i + 1), Some('"' | '\\')) => {
                        w.push(q[i + 1], true, i + 1);
                        i += 2;
                    }
                    Some(&c) => {
                        w.push(c, true, i);
                        i += 1;
                    }
                }
            }
        }
        w.end = i;
        out.push(w);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

const STATUSES: &str = "error, ok, unset";
const KINDS: &str = "client, server, internal, producer, consumer, unspecified";

/// Reads a query. Errors carry the char offset of the offending quote, term or value.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let q: Vec<char> = query.chars().collect();
    let terms = words(&q)?.iter().map(|w| parse_term(&q, w)).collect::<Result<_, _>>()?;
    Ok(Query { terms })
}

fn parse_term(q: &[char], w: &Word) -> Result<Term, QueryError> {
    let n = w.chars.len();
    let negated = n > 0 && w.chars[0] == '-' && !w.quoted[0];
    let at = usize::from(negated);
    if negated && n == 1 && w.quote_starts.is_empty() {
        return Err(error(w.start, "nothing after -: write -service:redis or -text to exclude spans"));
    }
    let term_start = w.start + at;
    // The term as typed (quotes included), for messages.
    let raw: String = q[term_start..w.end].iter().collect();
    let text = |from: usize, to: usize| -> String { w.chars[from..to].iter().collect() };
    let plain = || -> Result<Term, QueryError> { Ok(Term { negated, test: Test::Text(Needle::new(&text(at, n))) }) };

    let Some(op) = (at..n).find(|&i| !w.quoted[i] && matches!(w.chars[i], ':' | '=' | '<' | '>')) else {
        return plain();
    };
    // `"a:b"` or `"my key"=x`: a quoted field name is not a field.
    let field_quoted = (at..op).any(|i| w.quoted[i]) || w.quote_starts.iter().any(|&s| s <= op && s >= at);
    if field_quoted {
        return plain();
    }
    let field = text(at, op);
    let op_char = w.chars[op];
    // `>=` and `<=` take two chars; the value starts after them.
    let two = matches!(op_char, '<' | '>') && op + 1 < n && w.chars[op + 1] == '=' && !w.quoted[op + 1];
    let value_ix = op + 1 + usize::from(two);
    let value = text(value_ix, n);
    let value_pos = w.pos[op] + 1 + usize::from(two);
    let value_quoted = w.quote_starts.iter().any(|&s| s > op);
    let need_value = |what: &str| {
        if value.is_empty() && !value_quoted {
            Err(error(value_pos, format!("missing value after {what}")))
        } else {
            Ok(())
        }
    };
    let test = match op_char {
        '<' | '>' if field.eq_ignore_ascii_case("duration") => {
            let cmp = match (op_char, two) {
                ('<', false) => Cmp::Lt,
                ('<', true) => Cmp::Le,
                ('>', false) => Cmp::Gt,
                _ => Cmp::Ge,
            };
            Test::Duration(cmp, parse_duration(&value, value_pos, &raw)?)
        }
        '<' | '>' => return plain(),
        ':' => match field.to_ascii_lowercase().as_str() {
            "service" => {
                need_value("service:")?;
                Test::Service(Needle::new(&value))
            }
            "name" => {
                need_value("name:")?;
                Test::Name(Needle::new(&value))
            }
            "status" => Test::Status(match value.to_ascii_lowercase().as_str() {
                "error" => StatusCode::Error,
                "ok" => StatusCode::Ok,
                "unset" => StatusCode::Unset,
                _ => return Err(error(value_pos, format!("unknown status \"{value}\" (use {STATUSES})"))),
            }),
            "kind" => Test::Kind(match value.to_ascii_lowercase().as_str() {
                "client" => SpanKind::Client,
                "server" => SpanKind::Server,
                "internal" => SpanKind::Internal,
                "producer" => SpanKind::Producer,
                "consumer" => SpanKind::Consumer,
                "unspecified" => SpanKind::Unspecified,
                _ => return Err(error(value_pos, format!("unknown kind \"{value}\" (use {KINDS})"))),
            }),
            "duration" => {
                return Err(error(term_start, "duration needs a comparison, e.g. duration>100ms or duration<=1.5s"))
            }
            // Not a field: `http://x` or `a:b` is text to find.
            _ => return plain(),
        },
        _ => {
            // '='
            if field.is_empty() {
                return Err(error(w.pos[op], "missing attribute key before =, e.g. http.request.method=GET"));
            }
            if value.is_empty() && !value_quoted {
                return Err(error(
                    value_pos,
                    format!("missing value after {field}= (write {field}=\"\" to find an empty value)"),
                ));
            }
            Test::Attr { key: field, value: Needle::new(&value) }
        }
    };
    Ok(Term { negated, test })
}

/// A duration term's value → nanoseconds (`format::parse_duration`). `raw` is the whole term, for messages.
fn parse_duration(value: &str, pos: usize, raw: &str) -> Result<i64, QueryError> {
    use crate::format::{DurationError, DURATION_UNITS};
    crate::format::parse_duration(value).map_err(|e| match e {
        DurationError::Number => error(pos, format!("expected a number and a unit in {raw}, e.g. duration>100ms or duration>1.5s")),
        DurationError::NoUnit => error(pos, format!("missing unit in {raw} (use {DURATION_UNITS})")),
        DurationError::Unit(unit) => error(pos, format!("unknown unit \"{unit}\" in {raw} (use {DURATION_UNITS})")),
    })
}

// ---------------------------------------------------------------------------------------------
// Matcher
// ---------------------------------------------------------------------------------------------

impl Query {
    /// No terms: every span matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The query bound to `set`, ready to test many spans. Bind once per set, not per trace: binding scans
    /// every interned string of the set once per text term.
    pub fn matcher<'a>(&'a self, set: &'a TraceSet) -> Matcher<'a> {
        Matcher::new(self, set, true)
    }

    /// Indices of matching spans of `trace`, ascending.
    pub fn matching(&self, set: &TraceSet, trace: &Trace) -> Vec<SpanIx> {
        self.matcher(set).matching(trace)
    }

    /// Whether one span matches. Tests the span's own strings directly instead of scanning the whole set, so
    /// it is cheap once but slow in a loop: use [`Query::matcher`] for many spans.
    pub fn matches(&self, set: &TraceSet, trace: &Trace, span: SpanIx) -> bool {
        Matcher::new(self, set, false).matches(trace, span)
    }
}

/// A [`Query`] bound to the strings of one [`TraceSet`]: make it once per query and set (it costs a scan
/// of the set's strings per text term), then call [`Matcher::matching`] for each trace to search.
pub struct Matcher<'a> {
    strings: &'a Strings,
    attrs: &'a AttrPool,
    /// (negated, check), cheapest checks first so that most spans are rejected early.
    checks: Vec<(bool, Check<'a>)>,
}

enum Check<'a> {
    Text(SymSet<'a>, Option<IdPrefix>),
    Service(SymSet<'a>),
    Name(SymSet<'a>),
    Attr { key: SymSet<'a>, value: SymSet<'a> },
    Status(StatusCode),
    Kind(SpanKind),
    Duration(Cmp, i64),
}

impl Check<'_> {
    fn cost(&self) -> u8 {
        match self {
            Check::Status(_) | Check::Kind(_) | Check::Duration(..) => 0,
            Check::Service(_) | Check::Name(_) => 1,
            Check::Attr { .. } => 2,
            Check::Text(..) => 3,
        }
    }
}

#[derive(Clone, Copy)]
enum Pattern<'a> {
    /// Contains the needle, any case.
    Contains(&'a Needle),
    /// Equals the needle, any case.
    Equals(&'a Needle),
    /// Equals this text exactly (attribute keys).
    Exact(&'a str),
}

impl Pattern<'_> {
    fn accepts(self, s: &str) -> bool {
        match self {
            Pattern::Contains(n) => n.found_in(s),
            Pattern::Equals(n) => n.equals(s),
            Pattern::Exact(t) => s == t,
        }
    }
}

/// How a pattern tests integer and float values, which are not interned. Their text holds only digits, `-`,
/// `.`, `inf` or `NaN`, so most needles can never match them and `key=200` can compare integers; only the
/// rest pays for formatting.
#[derive(Clone, Copy)]
enum Numbers {
    Never,
    /// Equal to this integer (floats still compare by text: 200.0 displays as "200").
    Int(i64),
    Format,
}

/// The interned strings a pattern accepts, decided for every `Sym` up front (one bit each). One-off checks
/// leave the table empty and decide when asked.
struct SymSet<'a> {
    pattern: Pattern<'a>,
    bits: Vec<u64>,
    numbers: Numbers,
}

impl<'a> SymSet<'a> {
    fn new(pattern: Pattern<'a>, strings: &Strings, precompute: bool) -> SymSet<'a> {
        let mut bits = Vec::new();
        if precompute {
            bits = vec![0u64; strings.len().div_ceil(64)];
            for sym in 0..strings.len() {
                if pattern.accepts(strings.get(sym as Sym)) {
                    bits[sym / 64] |= 1 << (sym % 64);
                }
            }
        }
        let numbers = match pattern {
            Pattern::Equals(n) => match n.lower.parse::<i64>() {
                Ok(i) if int_text(i, &mut [0; 20]) == n.lower => Numbers::Int(i),
                _ if could_be_number(&n.lower) => Numbers::Format,
                _ => Numbers::Never,
            },
            Pattern::Contains(n) if !could_be_number(&n.lower) => Numbers::Never,
            _ => Numbers::Format,
        };
        SymSet { pattern, bits, numbers }
    }

    #[inline]
    fn has(&self, strings: &Strings, sym: Sym) -> bool {
        match self.bits.get(sym as usize / 64) {
            Some(word) => word >> (sym % 64) & 1 != 0,
            // No table (a one-off check), or a Sym outside it (read as "" by `Strings::get`).
            None => self.pattern.accepts(strings.get(sym)),
        }
    }

    /// Tests an attribute value: strings by symbol; other values by their display text, formatted here
    /// because they are not interned (integers without allocating, since they are common).
    #[inline]
    fn has_value(&self, strings: &Strings, value: &AttrValue) -> bool {
        match value {
            AttrValue::Str(s) => self.has(strings, *s),
            AttrValue::Int(i) => match self.numbers {
                Numbers::Never => false,
                Numbers::Int(n) => *i == n,
                Numbers::Format => self.pattern.accepts(int_text(*i, &mut [0; 20])),
            },
            AttrValue::Double(d) => match self.numbers {
                Numbers::Never => false,
                _ => self.pattern.accepts(&d.to_string()),
            },
            AttrValue::Bool(b) => self.pattern.accepts(if *b { "true" } else { "false" }),
            other => self.pattern.accepts(&other.display(strings)),
        }
    }
}

/// Whether `text` (lower case) could be part of an integer or float's display text.
fn could_be_number(text: &str) -> bool {
    text.bytes().all(|b| b"0123456789-.infa".contains(&b))
}

/// `i.to_string()` without allocating.
fn int_text(i: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    std::str::from_utf8(&buf[at..]).expect("ASCII digits")
}

impl<'a> Matcher<'a> {
    fn new(query: &'a Query, trace_set: &'a TraceSet, precompute: bool) -> Matcher<'a> {
        let strings = &trace_set.strings;
        let set = |pattern| SymSet::new(pattern, strings, precompute);
        let mut checks: Vec<(bool, Check<'a>)> = query
            .terms
            .iter()
            .map(|term| {
                let check = match &term.test {
                    Test::Text(n) => Check::Text(set(Pattern::Contains(n)), IdPrefix::of(&n.lower)),
                    Test::Service(n) => Check::Service(set(Pattern::Contains(n))),
                    Test::Name(n) => Check::Name(set(Pattern::Contains(n))),
                    Test::Attr { key, value } => {
                        Check::Attr { key: set(Pattern::Exact(key)), value: set(Pattern::Equals(value)) }
                    }
                    Test::Status(s) => Check::Status(*s),
                    Test::Kind(k) => Check::Kind(*k),
                    Test::Duration(cmp, ns) => Check::Duration(*cmp, *ns),
                };
                (term.negated, check)
            })
            .collect();
        checks.sort_by_key(|(_, check)| check.cost()); // stable: equal costs keep the typed order
        Matcher { strings, attrs: &trace_set.attrs, checks }
    }

    /// Indices of matching spans of `trace`, ascending.
    pub fn matching(&self, trace: &Trace) -> Vec<SpanIx> {
        self.filter(trace, None)
    }

    /// Whether span `span` of `trace` matches; false for an index outside the trace.
    pub fn matches(&self, trace: &Trace, span: SpanIx) -> bool {
        (span as usize) < trace.spans.len() && !self.filter(trace, Some(vec![span])).is_empty()
    }

    /// The candidates (all spans when `None`) that pass every check.
    ///
    /// Speed matters here (a million spans, a search per keystroke), and memory sets it: a span's
    /// attributes are pairs scattered through the shared pool, so reading them misses the cache. Spans are
    /// therefore taken in blocks: per block, each check runs as its own loop over the remaining candidates
    /// (cheapest checks first, so fewer spans reach the costly ones), and before the first check that reads
    /// attributes, a bare loop reads the candidates' attribute keys once. That loop's cache misses overlap,
    /// which the branchy checks' do not; the checks then find the attributes cached (~1.5× faster overall).
    fn filter(&self, trace: &Trace, candidates: Option<Vec<SpanIx>>) -> Vec<SpanIx> {
        const BLOCK: usize = 256;
        let spans = &trace.spans[..];
        let all = candidates.unwrap_or_else(|| (0..spans.len() as SpanIx).collect());
        let mut found = Vec::new();
        let mut block = Vec::with_capacity(BLOCK);
        for chunk in all.chunks(BLOCK) {
            block.clear();
            block.extend_from_slice(chunk);
            let mut cached = false;
            for (negated, check) in &self.checks {
                if !cached && matches!(check, Check::Text(..) | Check::Attr { .. }) {
                    std::hint::black_box(touch_attributes(self.attrs, spans, &block));
                    cached = true;
                }
                self.narrow(check, *negated, trace, &mut block);
            }
            found.extend_from_slice(&block);
        }
        found
    }

    /// Keeps the candidates `found` that pass `check` (or fail it, when `negated`).
    fn narrow(&self, check: &Check, negated: bool, trace: &Trace, found: &mut Vec<SpanIx>) {
        let (strings, attrs, spans) = (self.strings, self.attrs, &trace.spans[..]);
        match check {
            Check::Text(set, id) => {
                let trace_id = match trace.trace_id {
                    TraceId::Hex(v) => id.is_some_and(|id| id.matches(v, 32)),
                    TraceId::Opaque(sym) => set.has(strings, sym),
                };
                keep(spans, found, negated, |s| {
                    trace_id
                        || set.has(strings, s.name)
                        || set.has(strings, s.service)
                        || match s.span_id {
                            Some(SpanId::Hex(v)) => id.is_some_and(|id| id.matches(v as u128, 16)),
                            Some(SpanId::Opaque(sym)) => set.has(strings, sym),
                            None => false,
                        }
                        || attrs.get(s.attributes).any(|a| set.has(strings, a.key) || set.has_value(strings, &a.value))
                })
            }
            Check::Service(set) => keep(spans, found, negated, |s| set.has(strings, s.service)),
            Check::Name(set) => keep(spans, found, negated, |s| set.has(strings, s.name)),
            Check::Attr { key, value } => keep(spans, found, negated, |s| {
                attrs.get(s.attributes).any(|a| key.has(strings, a.key) && value.has_value(strings, &a.value))
            }),
            // ERROR also covers exception events; OK and UNSET then mean "and not failed", so the three
            // statuses split the spans without overlap.
            Check::Status(StatusCode::Error) => keep(spans, found, negated, |s| s.is_error(strings)),
            Check::Status(status) => keep(spans, found, negated, |s| s.status == *status && !s.is_error(strings)),
            Check::Kind(kind) => keep(spans, found, negated, |s| s.kind == *kind),
            Check::Duration(cmp, ns) => keep(spans, found, negated, |s| cmp.holds(s.duration_ns(), *ns)),
        }
    }
}

/// The first span of `trace` whose id starts with `text` (8 or more hex digits, any case, with or without
/// the leading zeros), as the search finds ids.
pub fn span_with_id_prefix(trace: &Trace, text: &str) -> Option<SpanIx> {
    let prefix = IdPrefix::of(&text.trim().to_ascii_lowercase())?;
    let hit = trace.spans.iter().position(|s| matches!(s.span_id, Some(SpanId::Hex(v)) if prefix.matches(v as u128, 16)));
    hit.map(|i| i as SpanIx)
}

/// Is the query one id, or the start of one (what Jaeger UI's `uiFind=` holds in a link to a span)?
pub fn is_id_prefix(query: &str) -> bool {
    IdPrefix::of(&query.trim().to_ascii_lowercase()).is_some()
}

/// A text term that may name an id: 8 to 32 hex digits, as typed (lower case).
#[derive(Clone, Copy, Debug)]
struct IdPrefix {
    value: u128,
    /// Digits typed, and the digits left without the leading zeros.
    digits: u32,
    significant: u32,
}

impl IdPrefix {
    fn of(text: &str) -> Option<IdPrefix> {
        if !(8..=32).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let value = u128::from_str_radix(text, 16).ok()?;
        let digits = text.len() as u32;
        Some(IdPrefix { value, digits, significant: digits - text.bytes().take_while(|&b| b == b'0').count() as u32 })
    }

    /// Does an id `width` hex digits wide start with these digits, written padded to its width or without
    /// its leading zeros?
    fn matches(self, id: u128, width: u32) -> bool {
        let padded = self.digits <= width && id >> (4 * (width - self.digits)) == self.value;
        let bare_digits = (128 - id.leading_zeros()).div_ceil(4);
        let bare = self.significant > 0
            && self.significant <= bare_digits
            && id >> (4 * (bare_digits - self.significant)) == self.value;
        padded || bare
    }
}

/// Reads every attribute key of the given spans, to bring them into the cache (see `Matcher::filter`).
fn touch_attributes(attrs: &AttrPool, spans: &[Span], ixs: &[SpanIx]) -> Sym {
    ixs.iter().fold(0, |acc, &i| attrs.get(spans[i as usize].attributes).fold(acc, |acc, a| acc ^ a.key))
}

/// Keeps the candidates for which `test` is true (false when `negated`).
#[inline(always)]
fn keep(spans: &[Span], found: &mut Vec<SpanIx>, negated: bool, test: impl Fn(&Span) -> bool) {
    found.retain(|&i| test(&spans[i as usize]) != negated);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<Term> {
        parse(q).unwrap_or_else(|e| panic!("{q}: {e}")).terms
    }

    fn one(q: &str) -> Term {
        let mut t = terms(q);
        assert_eq!(t.len(), 1, "{q}: {t:?}");
        t.remove(0)
    }

    fn test(q: &str) -> Test {
        let t = one(q);
        assert!(!t.negated, "{q}");
        t.test
    }

    fn text(s: &str) -> Test {
        Test::Text(Needle::new(s))
    }

    fn err(q: &str) -> QueryError {
        match parse(q) {
            Ok(query) => panic!("{q} parsed as {query:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn empty_and_blank_queries_have_no_terms() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("  \t ").unwrap().is_empty());
        assert!(!parse("x").unwrap().is_empty());
    }

    #[test]
    fn free_text_is_lowercased_and_split_on_whitespace() {
        assert_eq!(
            terms("Checkout  redis"),
            vec![Term { negated: false, test: text("checkout") }, Term { negated: false, test: text("redis") }]
        );
    }

    #[test]
    fn quoted_phrase_is_one_term_with_escapes() {
        assert_eq!(test("\"GET /route\""), text("get /route"));
        assert_eq!(test(r#""say \"hi\" \\ now""#), text(r#"say "hi" \ now"#));
        // A backslash before anything else stays.
        assert_eq!(test(r#""C:\path""#), text(r"c:\path"));
        // Quotes may sit inside a word.
        assert_eq!(test(r#"a"b c"d"#), text("ab cd"));
        assert_eq!(test(r#""""#), text(""));
    }

    #[test]
    fn service_and_name_fields() {
        assert_eq!(test("service:Frontend"), Test::Service(Needle::new("frontend")));
        assert_eq!(test("SERVICE:redis"), Test::Service(Needle::new("redis")));
        assert_eq!(test("name:GetDriver"), Test::Name(Needle::new("getdriver")));
        assert_eq!(test("name:\"HTTP GET\""), Test::Name(Needle::new("http get")));
        assert_eq!(test("service:a:b"), Test::Service(Needle::new("a:b")));
    }

    #[test]
    fn unknown_fields_and_quoted_colons_are_text() {
        assert_eq!(test("foo:bar"), text("foo:bar"));
        assert_eq!(test("http://0.0.0.0:8083/route"), text("http://0.0.0.0:8083/route"));
        assert_eq!(test("\"service:x\""), text("service:x"));
        assert_eq!(test("\"service\":x"), text("service:x"));
        assert_eq!(test("latency>5"), text("latency>5"));
    }

    #[test]
    fn attribute_equality() {
        let attr = |k: &str, v: &str| Test::Attr { key: k.to_string(), value: Needle::new(v) };
        assert_eq!(test("http.request.method=GET"), attr("http.request.method", "get"));
        assert_eq!(test("Key=v"), attr("Key", "v"));
        assert_eq!(test("url.full=\"http://x/?a=b c\""), attr("url.full", "http://x/?a=b c"));
        assert_eq!(test("url.full=http://x/?a=b"), attr("url.full", "http://x/?a=b"));
        assert_eq!(test("k=\"\""), attr("k", ""));
        assert_eq!(test("\"my key\"=v"), text("my key=v"));
    }

    #[test]
    fn status_and_kind_values() {
        assert_eq!(test("status:error"), Test::Status(StatusCode::Error));
        assert_eq!(test("status:OK"), Test::Status(StatusCode::Ok));
        assert_eq!(test("Status:unset"), Test::Status(StatusCode::Unset));
        for (name, kind) in [
            ("client", SpanKind::Client),
            ("server", SpanKind::Server),
            ("internal", SpanKind::Internal),
            ("producer", SpanKind::Producer),
            ("consumer", SpanKind::Consumer),
            ("unspecified", SpanKind::Unspecified),
        ] {
            assert_eq!(test(&format!("kind:{name}")), Test::Kind(kind));
        }
    }

    #[test]
    fn durations_with_every_operator_and_unit() {
        assert_eq!(test("duration>100ms"), Test::Duration(Cmp::Gt, 100_000_000));
        assert_eq!(test("duration<5s"), Test::Duration(Cmp::Lt, 5_000_000_000));
        assert_eq!(test("duration>=250us"), Test::Duration(Cmp::Ge, 250_000));
        assert_eq!(test("duration<=7ns"), Test::Duration(Cmp::Le, 7));
        assert_eq!(test("duration>3µs"), Test::Duration(Cmp::Gt, 3_000));
        assert_eq!(test("duration>1.5ms"), Test::Duration(Cmp::Gt, 1_500_000));
        assert_eq!(test("duration>0.1ms"), Test::Duration(Cmp::Gt, 100_000));
        assert_eq!(test("Duration>.5s"), Test::Duration(Cmp::Gt, 500_000_000));
    }

    #[test]
    fn leading_minus_negates() {
        let t = one("-service:redis");
        assert!(t.negated);
        assert_eq!(t.test, Test::Service(Needle::new("redis")));
        let t = one("-\"GET /route\"");
        assert!(t.negated);
        assert_eq!(t.test, text("get /route"));
        let t = one("--x");
        assert!(t.negated);
        assert_eq!(t.test, text("-x"));
        // A quoted minus is text.
        assert_eq!(test("\"-x\""), text("-x"));
        assert!(one("-duration>1s").negated);
    }

    #[test]
    fn error_display_matches_the_documented_example() {
        let e = err("duration>100mx");
        assert_eq!(e.to_string(), "at 9: unknown unit \"mx\" in duration>100mx (use ns, us, ms, s, m, h)");
    }

    #[test]
    fn errors_point_at_the_offending_char() {
        let cases: &[(&str, usize, &str)] = &[
            ("a \"unterminated", 2, "unterminated quote"),
            ("name:\"x", 5, "unterminated quote"),
            ("\"a\\\"", 0, "unterminated quote"),
            ("x status:bad", 9, "unknown status \"bad\" (use error, ok, unset)"),
            ("kind:rpc", 5, "unknown kind \"rpc\" (use client, server"),
            ("duration>100", 9, "missing unit in duration>100 (use ns, us, ms, s, m, h)"),
            ("ok duration>=1.5mx", 13, "unknown unit \"mx\" in duration>=1.5mx"),
            ("duration>ms", 9, "expected a number and a unit in duration>ms"),
            ("duration>1.2.3ms", 9, "expected a number and a unit"),
            ("duration>", 9, "expected a number and a unit"),
            ("-duration<-5ms", 10, "expected a number and a unit in duration<-5ms"),
            ("duration:5ms", 0, "duration needs a comparison"),
            ("x -duration:5ms", 3, "duration needs a comparison"),
            ("http.request.method=", 20, "missing value after http.request.method="),
            ("a =GET", 2, "missing attribute key before ="),
            ("service:", 8, "missing value after service:"),
            ("name:", 5, "missing value after name:"),
            ("a - b", 2, "nothing after -"),
        ];
        for &(q, position, message) in cases {
            let e = err(q);
            assert_eq!(e.position, position, "{q}: {e}");
            assert!(e.message.contains(message), "{q}: {e}");
        }
    }

    #[test]
    fn positions_count_chars_not_bytes() {
        // "é" is two bytes but one char.
        assert_eq!(err("é status:x").position, 9);
    }

    #[test]
    fn needles_ignore_case() {
        let n = Needle::new("GetDriver");
        assert!(n.found_in("redis GETDRIVER call"));
        assert!(!n.found_in("GetDrive"));
        assert!(n.equals("getdriver"));
        assert!(!n.equals("getdriver2"));
        let n = Needle::new("ÉTÉ");
        assert!(n.found_in("un été chaud"));
        assert!(!n.found_in("ete"));
        assert!(n.equals("Été"));
        assert!(Needle::new("").found_in("anything"));
        // The first/last-byte filter folds with `| 0x20`, which also lets 0x0F pass for '/': still no match.
        assert!(!Needle::new("/").found_in("\u{f}"));
        assert!(Needle::new("a/b").found_in("xA/By"));
    }

    #[test]
    fn ids_are_found_whole_or_by_their_first_digits_in_any_case_with_or_without_leading_zeros() {
        let set = crate::testing::trace_set(
            "root s 0..10ms id=00f067aa0ba902b7 trace=4bf92f3577b34da6a3ce929d0e0e4736
               a  s 1..2ms id=53995c3f42cd8ad8 trace=4bf92f3577b34da6a3ce929d0e0e4736
             r2 t 0..1ms id=1234567890abcdef trace=00000000000000000d1a94ebc9256244",
        );
        let found = |q: &str| -> Vec<(usize, SpanIx)> {
            let query = parse(q).unwrap();
            let m = query.matcher(&set);
            set.traces.iter().enumerate().flat_map(|(t, trace)| m.matching(trace).into_iter().map(move |s| (t, s))).collect()
        };
        let (first, second) = (set.traces.iter().position(|t| t.spans.len() == 2).unwrap(), set.traces.iter().position(|t| t.spans.len() == 1).unwrap());
        for q in ["53995c3f42cd8ad8", "53995C3F", "53995c3f42"] {
            assert_eq!(found(q), [(first, 1)], "{q}");
        }
        for q in ["00f067aa0ba902b7", "f067aa0ba902b7", "F067AA0B", "00f067aa"] {
            assert_eq!(found(q), [(first, 0)], "{q}");
        }
        // A trace id finds every span of its trace; a 64-bit one padded to 32 digits or not.
        assert_eq!(found("4bf92f3577b34da6a3ce929d0e0e4736"), [(first, 0), (first, 1)]);
        assert_eq!(found("4bf92f35"), [(first, 0), (first, 1)]);
        for q in ["0d1a94ebc9256244", "00000000000000000d1a94ebc9256244", "0d1a94eb", "d1a94ebc"] {
            assert_eq!(found(q), [(second, 0)], "{q}");
        }
        assert!(found("53995c3").is_empty(), "fewer than 8 digits is text only");
        assert!(found("995c3f42").is_empty(), "an id's start, not its middle");
        assert_eq!(found("-53995c3f"), [(first, 0), (second, 0)], "negated");
    }

    #[test]
    fn int_text_matches_to_string() {
        for i in [0, 7, -7, 200, 8083, i64::MAX, i64::MIN, -1_000_000] {
            assert_eq!(int_text(i, &mut [0; 20]), i.to_string());
        }
    }
}
