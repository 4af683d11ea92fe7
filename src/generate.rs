//! Deterministic generator of realistic e-commerce "checkout" traces, written in any of the trace
//! formats the viewer reads: OTLP/JSON, OTLP/JSONL (collector file exporter), Jaeger query-API JSON
//! and Zipkin v2 JSON. Used for the bundled sample, tests, benchmarks and demos.
//!
//! - **Deterministic**: the output depends only on [`GenConfig`] (a seeded `fastrand::Rng`, no clock,
//!   no hash-map iteration), so the same config always gives byte-identical output.
//! - **Exact size**: exactly `cfg.spans` span objects, split as evenly as possible over `cfg.traces`.
//! - **Streaming**: spans are built one checkout at a time, buffered in chunks of [`CHUNK`] spans and
//!   encoded straight to the writer: 1M spans (~0.6–0.9 GB of JSON) take about a second and a few MB.
//! - **Interesting**: every trace holds the patterns the analysis must find: an error with an
//!   `exception` event, an N+1 query run, a concurrent fan-out and an orphan (broken propagation).
//!
//! Shape of one trace (times in whole microseconds, so every format carries identical times):
//! ```text
//! POST /checkout                      gateway SERVER, root: a batch of checkouts run on 4 workers
//! ├─ checkout                         gateway INTERNAL, one per order of the batch
//! │  ├─ CheckStock                    gRPC gateway → inventory, then a redis MGET
//! │  ├─ GET /api/products             HTTP gateway → product, then `SELECT product` × items (N+1)
//! │  ├─ POST /api/orders              HTTP gateway → order: two INSERTs, publish to Kafka
//! │  ├─ POST /v1/payments             first checkout: card declined (ERROR + exception), retried
//! │  ├─ POST /v1/payments             authorize → Score (gRPC → fraud → redis) → Stripe
//! │  └─ POST /v1/notifications        HTTP gateway → notification, ≥10 concurrent sends (fan-out)
//! └─ …
//! process order-events                notification-worker CONSUMER: its parent (a PRODUCER span)
//!                                     was never exported, so it is an orphan; runs after the root
//! ```
//! Spans are modelled once (`Span`); each format is a small encoder over that model (`Encoder`).

use std::borrow::Cow;
use std::io::{self, Write};

use fastrand::Rng;

/// Output format of the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenFormat {
    /// One OTLP/JSON document `{"resourceSpans":[…]}`.
    OtlpJson,
    /// One OTLP/JSON object per line (the collector file exporter), ≤ [`CHUNK`] spans per line.
    OtlpJsonl,
    /// Jaeger query API `{"data":[trace, …], …}`.
    JaegerJson,
    /// Zipkin v2: a flat array of spans.
    ZipkinV2,
}

impl GenFormat {
    /// Parses the command-line name: `otlp`, `otlp-jsonl`, `jaeger` or `zipkin`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "otlp" => Some(Self::OtlpJson),
            "otlp-jsonl" => Some(Self::OtlpJsonl),
            "jaeger" => Some(Self::JaegerJson),
            "zipkin" => Some(Self::ZipkinV2),
            _ => None,
        }
    }

    /// File name extension, without the leading dot (e.g. `otlp.json`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::OtlpJson => "otlp.json",
            Self::OtlpJsonl => "otlp.jsonl",
            Self::JaegerJson => "jaeger.json",
            Self::ZipkinV2 => "zipkin.json",
        }
    }
}

/// What to generate. `traces` is clamped to `1..=spans`.
#[derive(Clone, Debug)]
pub struct GenConfig {
    pub spans: usize,
    pub traces: usize,
    pub seed: u64,
    pub format: GenFormat,
}

impl Default for GenConfig {
    fn default() -> Self {
        Self {
            spans: 1000,
            traces: 1,
            seed: 1,
            format: GenFormat::OtlpJson,
        }
    }
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    pub spans: usize,
    pub traces: usize,
    pub bytes: usize,
    /// Spans with status ERROR.
    pub error_spans: usize,
    /// Spans whose parent id is deliberately absent from the output (one per trace of ≥ 2 spans).
    pub orphan_spans: usize,
}

/// Writes the traces described by `cfg` to `out`, streaming. Wrap files/stdout in a `BufWriter`.
pub fn write_traces<W: Write>(cfg: &GenConfig, out: &mut W) -> io::Result<GenStats> {
    let traces = if cfg.spans == 0 {
        0
    } else {
        cfg.traces.clamp(1, cfg.spans)
    };
    let mut rng = Rng::with_seed(cfg.seed);
    let ids = Ids::new(&mut rng);
    let mut gen = Gen {
        rng,
        ids,
        nodes: Vec::new(),
        prio: 0,
    };
    let mut sink = Sink::new(cfg.format, out);
    sink.enc.begin_doc();
    // Seed-derived start within the hour after the fixed epoch; traces follow each other by 1–5 s.
    let mut start = EPOCH_US + gen.rng.u64(0..3_600_000_000);
    for t in 0..traces {
        let budget = cfg.spans / traces + usize::from(t < cfg.spans % traces);
        gen.trace(budget, start, &mut sink)?;
        start += gen.rng.u64(1_000_000..5_000_000);
    }
    sink.enc.end_doc();
    sink.write_out()?;
    Ok(sink.stats)
}

/// Convenience: the whole output in memory.
pub fn generate(cfg: &GenConfig) -> Vec<u8> {
    let mut out = Vec::new();
    write_traces(cfg, &mut out).expect("writing to a Vec cannot fail");
    out
}

/// 2026-01-15T10:00:00Z in microseconds since the Unix epoch.
const EPOCH_US: u64 = 1_768_471_200_000_000;
/// Spans per encoded chunk: one OTLP-JSONL line, one group of `resourceSpans`, one write to `out`.
pub const CHUNK: usize = 1000;
/// Concurrent workers of the gateway batch: checkouts of a batch overlap up to this many.
const WORKERS: usize = 4;

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl Kind {
    fn otlp(self) -> u8 {
        match self {
            Kind::Internal => 1,
            Kind::Server => 2,
            Kind::Client => 3,
            Kind::Producer => 4,
            Kind::Consumer => 5,
        }
    }

    /// Jaeger `span.kind` tag value.
    fn lower(self) -> &'static str {
        match self {
            Kind::Internal => "internal",
            Kind::Server => "server",
            Kind::Client => "client",
            Kind::Producer => "producer",
            Kind::Consumer => "consumer",
        }
    }

    /// Zipkin has no INTERNAL kind: such spans omit `kind`.
    fn zipkin(self) -> Option<&'static str> {
        match self {
            Kind::Internal => None,
            Kind::Server => Some("SERVER"),
            Kind::Client => Some("CLIENT"),
            Kind::Producer => Some("PRODUCER"),
            Kind::Consumer => Some("CONSUMER"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Svc {
    Gateway,
    Inventory,
    Product,
    Order,
    Payment,
    Fraud,
    Notification,
    NotificationWorker,
}

const ALL_SVCS: [Svc; 8] = [
    Svc::Gateway,
    Svc::Inventory,
    Svc::Product,
    Svc::Order,
    Svc::Payment,
    Svc::Fraud,
    Svc::Notification,
    Svc::NotificationWorker,
];

/// Static description of a service: its resource and its instrumentation scope.
struct SvcInfo {
    name: &'static str,
    version: &'static str,
    language: &'static str,
    host: &'static str,
    scope: &'static str,
    scope_version: &'static str,
}

impl Svc {
    fn info(self) -> &'static SvcInfo {
        const fn s(
            name: &'static str,
            version: &'static str,
            language: &'static str,
            host: &'static str,
            scope: &'static str,
            scope_version: &'static str,
        ) -> SvcInfo {
            SvcInfo {
                name,
                version,
                language,
                host,
                scope,
                scope_version,
            }
        }
        static INFO: [SvcInfo; 8] = [
            s(
                "gateway",
                "2.14.1",
                "go",
                "gateway-7d9f6c5b8-x2k4p",
                "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
                "0.58.0",
            ),
            s(
                "inventory",
                "1.8.0",
                "go",
                "inventory-5c6d8b7f9-q7w2e",
                "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
                "0.58.0",
            ),
            s(
                "product",
                "3.2.5",
                "python",
                "product-6b8c9d7f5-m3n8v",
                "opentelemetry.instrumentation.asyncpg",
                "0.50b0",
            ),
            s(
                "order",
                "4.0.2",
                "java",
                "order-84f7c6d5b-t6y1u",
                "io.opentelemetry.spring-webmvc-6.0",
                "2.11.0-alpha",
            ),
            s(
                "payment",
                "1.21.0",
                "java",
                "payment-9a7b6c5d4-z9x8c",
                "io.opentelemetry.spring-webmvc-6.0",
                "2.11.0-alpha",
            ),
            s(
                "fraud",
                "0.9.3",
                "python",
                "fraud-7f6e5d4c3-b5v4n",
                "opentelemetry.instrumentation.grpc",
                "0.50b0",
            ),
            s(
                "notification",
                "2.3.0",
                "nodejs",
                "notification-6d5c4b3a2-h2j3k",
                "@opentelemetry/instrumentation-http",
                "0.57.0",
            ),
            s(
                "notification-worker",
                "2.3.0",
                "nodejs",
                "notification-worker-5b4a3c2d1-l8p9o",
                "@opentelemetry/instrumentation-kafkajs",
                "0.7.0",
            ),
        ];
        &INFO[self as usize]
    }

    /// Resource attributes (OTLP `resource`, Jaeger process tags; Zipkin keeps only the name).
    fn resource(self) -> [(&'static str, &'static str); 6] {
        let i = self.info();
        [
            ("service.name", i.name),
            ("service.namespace", "shop"),
            ("service.version", i.version),
            ("deployment.environment.name", "production"),
            ("host.name", i.host),
            ("telemetry.sdk.language", i.language),
        ]
    }
}

/// An attribute value, with the OTLP value types.
#[derive(Clone, Debug)]
enum Val {
    Str(Cow<'static, str>),
    Int(i64),
    Bool(bool),
    Double(f64),
}

impl From<&'static str> for Val {
    fn from(s: &'static str) -> Self {
        Val::Str(Cow::Borrowed(s))
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Str(Cow::Owned(s))
    }
}
impl From<i64> for Val {
    fn from(n: i64) -> Self {
        Val::Int(n)
    }
}
impl From<u32> for Val {
    fn from(n: u32) -> Self {
        Val::Int(n.into())
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Val::Bool(b)
    }
}
impl From<f64> for Val {
    fn from(f: f64) -> Self {
        Val::Double(f)
    }
}

type Attrs = Vec<(&'static str, Val)>;

fn kv(key: &'static str, v: impl Into<Val>) -> (&'static str, Val) {
    (key, v.into())
}

#[derive(Clone, Debug)]
struct Event {
    time: u64,
    name: &'static str,
    attrs: Attrs,
}

/// One span, format-neutral. Times are microseconds since the Unix epoch.
#[derive(Clone, Debug)]
struct Span {
    id: u64,
    parent: Option<u64>,
    name: Cow<'static, str>,
    svc: Svc,
    kind: Kind,
    start: u64,
    end: u64,
    /// Status ERROR with this message; `None` is status UNSET.
    error: Option<Cow<'static, str>>,
    attrs: Attrs,
    events: Vec<Event>,
    /// Remote service of a CLIENT span (Zipkin `remoteEndpoint`).
    peer: Option<&'static str>,
}

/// Unique, random-looking ids: a bijective 64-bit mix of a seed-derived key plus a counter, so ids
/// can never collide (no set of issued ids needed), even at millions of spans.
struct Ids {
    key: u64,
    next: u64,
}

impl Ids {
    fn new(rng: &mut Rng) -> Self {
        Ids {
            key: rng.u64(..),
            next: 0,
        }
    }

    fn span(&mut self) -> u64 {
        loop {
            let id = splitmix(self.key.wrapping_add(self.next));
            self.next += 1;
            if id != 0 {
                return id; // all-zero ids are invalid in OTLP
            }
        }
    }

    /// Random high half; the low half comes from the span-id sequence, which keeps trace ids unique.
    fn trace(&mut self, rng: &mut Rng) -> u128 {
        (u128::from(rng.u64(..)) << 64) | u128::from(self.span())
    }
}

/// The splitmix64 finalizer: every step (xor-shift, odd multiply) is invertible, so it is a bijection.
fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// Trace content
// ---------------------------------------------------------------------------------------------

// Emission priority of the phases of a checkout. A checkout is emitted in pre-order with its phases
// sorted by this, and the last checkout of a trace is cut to the remaining budget, so small traces
// keep the error first, then the N+1 run and the fan-out.
const P_CHECKOUT: u8 = 0;
const P_DECLINED: u8 = 1;
const P_STOCK: u8 = 2;
const P_PRODUCTS: u8 = 3;
const P_NOTIFY: u8 = 4;
const P_ORDER: u8 = 5;
const P_PAYMENT: u8 = 6;

/// A span of the checkout being built, tagged with the priority of its phase.
struct Node {
    span: Span,
    prio: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Failure {
    CardDeclined,
    DbTimeout,
}

/// A database and the one service that queries it.
struct Db {
    user: Svc,
    system: &'static str,
    name: &'static str,
    host: &'static str,
}

const STOCK_CACHE: Db = Db {
    user: Svc::Inventory,
    system: "redis",
    name: "0",
    host: "inventory-cache",
};
const CATALOG_DB: Db = Db {
    user: Svc::Product,
    system: "postgresql",
    name: "catalog",
    host: "catalog-db",
};
const ORDERS_DB: Db = Db {
    user: Svc::Order,
    system: "postgresql",
    name: "orders",
    host: "orders-db",
};
const FRAUD_FEATURES: Db = Db {
    user: Svc::Fraud,
    system: "redis",
    name: "2",
    host: "fraud-features",
};

/// A third-party HTTPS API: Zipkin peer name and endpoint.
struct Api {
    peer: &'static str,
    url: &'static str,
}

const STRIPE: Api = Api {
    peer: "stripe",
    url: "https://api.stripe.com/v1/payment_intents",
};
const SENDGRID: Api = Api {
    peer: "sendgrid",
    url: "https://api.sendgrid.com/v3/mail/send",
};
const FCM: Api = Api {
    peer: "fcm",
    url: "https://fcm.googleapis.com/v1/projects/shop-prod/messages:send",
};

/// An RPC as seen by both sides.
enum Call {
    Http {
        method: &'static str,
        route: &'static str,
        path: String,
        status: u16,
    },
    Grpc {
        service: &'static str,
        method: &'static str,
    },
}

struct Gen {
    rng: Rng,
    ids: Ids,
    /// The checkout being built, in time-ordered pre-order (each phase is a contiguous run).
    nodes: Vec<Node>,
    /// Priority given to the nodes pushed now (the current phase).
    prio: u8,
}

impl Gen {
    fn us(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.u64(lo..hi)
    }

    /// One trace of exactly `budget` spans: checkouts under the root, then the root, then the orphan.
    fn trace<W: Write>(
        &mut self,
        budget: usize,
        start: u64,
        sink: &mut Sink<'_, W>,
    ) -> io::Result<()> {
        let trace_id = self.ids.trace(&mut self.rng);
        sink.begin_trace(trace_id);
        let root_id = self.ids.span();
        let with_orphan = budget >= 2;
        let mut left = budget.saturating_sub(1 + usize::from(with_orphan));

        let mut workers = [start + self.us(300, 1500); WORKERS];
        let mut last_end = workers[0];
        let mut checkouts: u32 = 0;
        let mut first_order = None;
        while left > 0 {
            // The least busy worker takes the next order (first one wins ties: deterministic).
            let w = (0..WORKERS).min_by_key(|&w| workers[w]).unwrap_or(0);
            let begin = workers[w] + self.us(50, 2000);
            let (end, order_id) = self.checkout(root_id, begin, checkouts == 0);
            first_order.get_or_insert(order_id);
            workers[w] = end;
            last_end = last_end.max(end);
            checkouts += 1;
            // Time-ordered pre-order sorted by phase priority (stable): still a pre-order, so any
            // prefix contains the parent of each of its spans.
            let mut order: Vec<usize> = (0..self.nodes.len()).collect();
            order.sort_by_key(|&i| self.nodes[i].prio);
            let mut slots: Vec<Option<Span>> = self.nodes.drain(..).map(|n| Some(n.span)).collect();
            for &i in order.iter().take(left) {
                sink.push(slots[i].take().expect("each node is emitted once"))?;
            }
            left -= order.len().min(left);
        }

        let end = last_end + self.us(500, 3000);
        let mut root = Span {
            id: root_id,
            parent: None,
            name: "POST /checkout".into(),
            svc: Svc::Gateway,
            kind: Kind::Server,
            start,
            end,
            error: None,
            attrs: vec![
                kv("http.request.method", "POST"),
                kv("http.route", "/checkout"),
                kv("url.path", "/checkout"),
                kv("url.scheme", "https"),
                kv("server.address", "shop.example.com"),
                kv(
                    "client.address",
                    format!("203.0.113.{}", self.rng.u32(2..250)),
                ),
                kv(
                    "user_agent.original",
                    "checkout-batcher/2.3 (+https://shop.example.com/bots)",
                ),
                kv("http.response.status_code", 200u32),
                kv("app.batch.size", checkouts),
            ],
            events: vec![
                Event {
                    time: start + 120,
                    name: "batch received",
                    attrs: vec![kv("app.batch.size", checkouts)],
                },
                Event {
                    time: end - 200,
                    name: "batch completed",
                    attrs: vec![kv("app.batch.failed", 0u32)],
                },
            ],
            peer: None,
        };
        if checkouts == 0 {
            root.events.truncate(1);
        }
        sink.push(root)?;

        if with_orphan {
            // The order service published `order.confirmed` but its PRODUCER span was never exported:
            // the consumer's parent id points at a span that is not in the file.
            let lost_producer = self.ids.span();
            let start = end + self.us(5_000, 80_000);
            let order_id = first_order.unwrap_or_else(|| self.order_id());
            let orphan = Span {
                id: self.ids.span(),
                parent: Some(lost_producer),
                name: "process order-events".into(),
                svc: Svc::NotificationWorker,
                kind: Kind::Consumer,
                start,
                end: start + self.us(2_000, 15_000),
                error: None,
                attrs: vec![
                    kv("messaging.system", "kafka"),
                    kv("messaging.operation.type", "process"),
                    kv("messaging.destination.name", "order-events"),
                    kv(
                        "messaging.destination.partition.id",
                        format!("{}", self.rng.u32(0..12)),
                    ),
                    kv("messaging.consumer.group.name", "notification-worker"),
                    kv(
                        "messaging.kafka.message.offset",
                        i64::from(self.rng.u32(10_000..9_000_000)),
                    ),
                    kv(
                        "messaging.message.id",
                        format!("msg-{:016x}", self.rng.u64(..)),
                    ),
                    kv("app.order.id", order_id),
                ],
                events: vec![Event {
                    time: start + 400,
                    name: "receipt queued",
                    attrs: vec![kv("app.notification.channel", "email")],
                }],
                peer: None,
            };
            sink.push(orphan)?;
            sink.stats.orphan_spans += 1;
        }
        sink.end_trace()
    }

    fn order_id(&mut self) -> String {
        format!("ord-{:08}", self.rng.u32(..100_000_000))
    }

    /// Builds one checkout into `self.nodes`, starting at `start`; returns its end and order id.
    /// The first checkout of a trace is canonical: minimal run sizes (5 products, 10 notifications)
    /// and a declined card, so that small traces still show every pattern.
    fn checkout(&mut self, root: u64, start: u64, canonical: bool) -> (u64, String) {
        self.nodes.clear();
        let order_id = self.order_id();
        let user_id = format!("user-{}", self.rng.u32(1000..100_000));
        let items = if canonical { 5 } else { self.rng.u32(5..=12) };
        let sends = if canonical { 10 } else { self.rng.u32(10..=16) };
        let cents = u64::from(items) * self.rng.u64(500..15_000);
        let amount = cents as f64 / 100.0;
        let failure = if canonical {
            Some(Failure::CardDeclined)
        } else if self.rng.u32(0..100) == 0 {
            Some(if self.rng.bool() {
                Failure::CardDeclined
            } else {
                Failure::DbTimeout
            })
        } else {
            None
        };

        self.prio = P_CHECKOUT;
        let c = self.push(root, Svc::Gateway, Kind::Internal, "checkout", start);
        let cid = self.nodes[c].span.id;
        self.nodes[c].span.attrs = vec![
            kv("app.order.id", order_id.clone()),
            kv("app.user.id", user_id.clone()),
            kv("enduser.id", user_id),
            kv("app.cart.items", items),
            kv("app.order.amount", amount),
            kv("app.order.currency", "EUR"),
        ];

        let mut t = start + self.us(50, 300);
        self.prio = P_STOCK;
        t = self.check_stock(cid, t, items) + self.us(30, 200);
        self.prio = P_PRODUCTS;
        t = self.load_products(cid, t, items, failure == Some(Failure::DbTimeout))
            + self.us(30, 200);
        self.prio = P_ORDER;
        t = self.create_order(cid, t, &order_id, items, amount) + self.us(30, 200);
        if failure == Some(Failure::CardDeclined) {
            self.prio = P_DECLINED;
            t = self.pay(cid, t, &order_id, amount, false);
            t += self.us(80_000, 200_000); // back-off before the retry
            self.nodes[c].span.events.push(Event {
                time: t,
                name: "payment retry",
                attrs: vec![
                    kv("app.payment.attempt", 2u32),
                    kv("app.payment.backoff_ms", 100u32),
                ],
            });
        }
        self.prio = P_PAYMENT;
        t = self.pay(cid, t, &order_id, amount, true) + self.us(30, 200);
        self.prio = P_NOTIFY;
        t = self.notify(cid, t, &order_id, sends);
        let end = t + self.us(100, 600);
        self.nodes[c].span.end = end;
        (end, order_id)
    }

    /// Appends a span (end = start until set) and returns its index in `self.nodes`.
    fn push(
        &mut self,
        parent: u64,
        svc: Svc,
        kind: Kind,
        name: impl Into<Cow<'static, str>>,
        start: u64,
    ) -> usize {
        let span = Span {
            id: self.ids.span(),
            parent: Some(parent),
            name: name.into(),
            svc,
            kind,
            start,
            end: start,
            error: None,
            attrs: Vec::new(),
            events: Vec::new(),
            peer: None,
        };
        self.nodes.push(Node {
            span,
            prio: self.prio,
        });
        self.nodes.len() - 1
    }

    fn id(&self, i: usize) -> u64 {
        self.nodes[i].span.id
    }

    /// An RPC: a CLIENT span in `caller` with the callee's SERVER span nested inside it, separated by
    /// network gaps. `serve(self, server_index, server_start)` builds the server's children and
    /// returns when the server responds. Returns (client index, server index, client end).
    fn rpc(
        &mut self,
        parent: u64,
        start: u64,
        caller: Svc,
        callee: Svc,
        call: &Call,
        serve: impl FnOnce(&mut Self, usize, u64) -> u64,
    ) -> (usize, usize, u64) {
        let peer = callee.info().name;
        let name: Cow<'static, str> = match call {
            Call::Http { method, route, .. } => format!("{method} {route}").into(),
            Call::Grpc { service, method } => format!("{service}/{method}").into(),
        };
        let (client_attrs, server_attrs) = match call {
            Call::Http {
                method,
                route,
                path,
                status,
            } => (
                vec![
                    kv("http.request.method", *method),
                    kv("url.full", format!("http://{peer}:8080{path}")),
                    kv("server.address", peer),
                    kv("server.port", 8080u32),
                    kv("net.peer.name", peer),
                    kv("http.response.status_code", u32::from(*status)),
                ],
                vec![
                    kv("http.request.method", *method),
                    kv("http.route", *route),
                    kv(
                        "url.path",
                        path.split('?').next().unwrap_or(path).to_string(),
                    ),
                    kv("url.scheme", "http"),
                    kv("network.protocol.version", "1.1"),
                    kv(
                        "client.address",
                        format!("10.0.{}.{}", caller as u32 + 1, self.rng.u32(2..250)),
                    ),
                    kv("http.response.status_code", u32::from(*status)),
                ],
            ),
            Call::Grpc { service, method } => (
                vec![
                    kv("rpc.system", "grpc"),
                    kv("rpc.service", *service),
                    kv("rpc.method", *method),
                    kv("server.address", peer),
                    kv("server.port", 50051u32),
                    kv("net.peer.name", peer),
                    kv("rpc.grpc.status_code", 0u32),
                ],
                vec![
                    kv("rpc.system", "grpc"),
                    kv("rpc.service", *service),
                    kv("rpc.method", *method),
                    kv("rpc.grpc.status_code", 0u32),
                ],
            ),
        };
        let c = self.push(parent, caller, Kind::Client, name.clone(), start);
        self.nodes[c].span.attrs = client_attrs;
        self.nodes[c].span.peer = Some(peer);
        let s_start = start + self.us(150, 900);
        let s = self.push(self.id(c), callee, Kind::Server, name, s_start);
        self.nodes[s].span.attrs = server_attrs;
        let s_end = serve(self, s, s_start);
        let end = s_end + self.us(150, 900);
        self.nodes[s].span.end = s_end;
        self.nodes[c].span.end = end;
        (c, s, end)
    }

    /// A query of `db` as a CLIENT span named `<operation> <table>`; returns its index.
    fn query(
        &mut self,
        parent: u64,
        start: u64,
        dur: u64,
        db: &Db,
        name: &'static str,
        statement: String,
    ) -> usize {
        let q = self.push(parent, db.user, Kind::Client, name, start);
        let (op, table) = name.split_once(' ').unwrap_or((name, ""));
        let span = &mut self.nodes[q].span;
        span.end = start + dur;
        span.peer = Some(db.host);
        span.attrs = vec![
            kv("db.system", db.system),
            kv("db.name", db.name),
            kv("db.operation", op),
            kv("db.statement", statement),
            kv("server.address", db.host),
            kv("net.peer.name", db.host),
        ];
        if !table.is_empty() {
            span.attrs.push(kv("db.sql.table", table));
        }
        q
    }

    /// A POST from `svc` to a third-party HTTPS API as a CLIENT span; returns its index.
    fn external(
        &mut self,
        parent: u64,
        start: u64,
        dur: u64,
        svc: Svc,
        api: &Api,
        status: u16,
    ) -> usize {
        let e = self.push(parent, svc, Kind::Client, "POST", start);
        let host = api
            .url
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap_or(api.url);
        let span = &mut self.nodes[e].span;
        span.end = start + dur;
        span.peer = Some(api.peer);
        span.attrs = vec![
            kv("http.request.method", "POST"),
            kv("url.full", api.url),
            kv("server.address", host),
            kv("server.port", 443u32),
            kv("net.peer.name", host),
            kv("http.response.status_code", u32::from(status)),
        ];
        e
    }

    /// Marks span `i` as failed with an `exception` event (type, message, multi-line stack trace).
    fn exception(
        &mut self,
        i: usize,
        time: u64,
        ty: &'static str,
        message: &'static str,
        stack: &'static str,
    ) {
        let span = &mut self.nodes[i].span;
        span.error = Some(message.into());
        span.events.push(Event {
            time,
            name: "exception",
            attrs: vec![
                kv("exception.type", ty),
                kv("exception.message", message),
                kv("exception.stacktrace", stack),
                kv("exception.escaped", false),
            ],
        });
    }

    fn check_stock(&mut self, parent: u64, start: u64, items: u32) -> u64 {
        let call = Call::Grpc {
            service: "inventory.v1.InventoryService",
            method: "CheckStock",
        };
        self.rpc(
            parent,
            start,
            Svc::Gateway,
            Svc::Inventory,
            &call,
            |g, si, s| {
                let t = s + g.us(100, 400);
                let dur = g.us(300, 1500);
                let keys: Vec<String> = (0..items)
                    .map(|k| format!("stock:sku-{:05}", 100 + k * 37))
                    .collect();
                g.query(
                    g.id(si),
                    t,
                    dur,
                    &STOCK_CACHE,
                    "MGET",
                    format!("MGET {}", keys.join(" ")),
                );
                let end = t + dur + g.us(100, 300);
                g.nodes[si].span.events.push(Event {
                    time: end - 50,
                    name: "stock reserved",
                    attrs: vec![
                        kv("app.cart.items", items),
                        kv("app.stock.warehouse", "fra-1"),
                    ],
                });
                end
            },
        )
        .2
    }

    /// The N+1 run: one `SELECT product` per item, one after the other.
    fn load_products(&mut self, parent: u64, start: u64, items: u32, timeout: bool) -> u64 {
        let ids: Vec<String> = (0..items)
            .map(|k| format!("sku-{:05}", 100 + k * 37))
            .collect();
        let call = Call::Http {
            method: "GET",
            route: "/api/products",
            path: format!("/api/products?ids={}", ids.join(",")),
            status: 200,
        };
        self.rpc(
            parent,
            start,
            Svc::Gateway,
            Svc::Product,
            &call,
            |g, si, s| {
                let server = g.id(si);
                let mut t = s + g.us(200, 800);
                let statement = || {
                    "SELECT id, name, price_cents, currency FROM product WHERE id = $1".to_string()
                };
                for k in 0..items {
                    let failing = timeout && k == 1;
                    let dur = if failing {
                        g.us(250_000, 251_000)
                    } else {
                        g.us(1_200, 3_500)
                    };
                    let q = g.query(server, t, dur, &CATALOG_DB, "SELECT product", statement());
                    t += dur + g.us(40, 250);
                    if failing {
                        g.exception(
                            q,
                            t - 200,
                            "asyncpg.exceptions.QueryCanceledError",
                            "canceling statement due to statement timeout",
                            PY_TIMEOUT_STACK,
                        );
                        // Retried once: the run stays sequential.
                        let dur = g.us(1_200, 3_500);
                        g.query(server, t, dur, &CATALOG_DB, "SELECT product", statement());
                        t += dur + g.us(40, 250);
                    }
                }
                t + g.us(100, 500)
            },
        )
        .2
    }

    fn create_order(
        &mut self,
        parent: u64,
        start: u64,
        order_id: &str,
        items: u32,
        amount: f64,
    ) -> u64 {
        let call = Call::Http {
            method: "POST",
            route: "/api/orders",
            path: "/api/orders".into(),
            status: 201,
        };
        let order_id = order_id.to_string();
        self.rpc(parent, start, Svc::Gateway, Svc::Order, &call, |g, si, s| {
            let p_start = s + g.us(300, 1200);
            let p = g.push(g.id(si), Svc::Order, Kind::Internal, "persist order", p_start);
            let pid = g.id(p);
            let mut t = p_start + g.us(50, 200);
            let dur = g.us(1_500, 4_000);
            g.query(pid, t, dur, &ORDERS_DB, "INSERT orders",
                "INSERT INTO orders (id, user_id, amount_cents, currency, status) VALUES ($1, $2, $3, $4, 'pending')".into());
            t += dur + g.us(50, 200);
            let dur = g.us(1_000, 3_000) + u64::from(items) * 150;
            g.query(pid, t, dur, &ORDERS_DB, "INSERT order_items",
                format!("INSERT INTO order_items (order_id, sku, qty) VALUES {}", vec!["($1, $2, $3)"; items as usize].join(", ")));
            t += dur + g.us(50, 200);
            let ps = &mut g.nodes[p].span;
            ps.end = t;
            ps.attrs = vec![kv("app.order.id", order_id.clone()), kv("code.function", "com.shop.order.OrderRepository.save")];
            // Announce the order on Kafka (these producer spans are exported; the orphan's is not).
            let t = t + g.us(100, 300);
            let k = g.push(g.id(si), Svc::Order, Kind::Producer, "publish order-events", t);
            let t = t + g.us(300, 1_500);
            let ks = &mut g.nodes[k].span;
            ks.end = t;
            ks.peer = Some("kafka");
            ks.attrs = vec![
                kv("messaging.system", "kafka"),
                kv("messaging.operation.type", "publish"),
                kv("messaging.destination.name", "order-events"),
                kv("messaging.kafka.message.key", order_id.clone()),
                kv("server.address", "kafka-0.kafka"),
            ];
            let end = t + g.us(200, 800);
            g.nodes[si].span.events.push(Event {
                time: end - 100,
                name: "order created",
                attrs: vec![kv("app.order.id", order_id), kv("app.order.amount", amount), kv("app.order.status", "pending")],
            });
            end
        })
        .2
    }

    /// A payment attempt; a declined one fails at Stripe and is an ERROR with an exception.
    fn pay(&mut self, parent: u64, start: u64, order_id: &str, amount: f64, ok: bool) -> u64 {
        let status = if ok { 200 } else { 402 };
        let call = Call::Http {
            method: "POST",
            route: "/v1/payments",
            path: "/v1/payments".into(),
            status,
        };
        let (c, s, end) = self.rpc(
            parent,
            start,
            Svc::Gateway,
            Svc::Payment,
            &call,
            |g, si, s| {
                let server = g.id(si);
                if !ok {
                    let t = s + g.us(200, 900);
                    let dur = g.us(60_000, 180_000);
                    let e = g.external(server, t, dur, Svc::Payment, &STRIPE, 402);
                    g.nodes[e].span.error = Some("HTTP 402 Payment Required".into());
                    let end = t + dur + g.us(300, 1200);
                    g.exception(
                        si,
                        end - 150,
                        "com.shop.payment.CardDeclinedException",
                        "card declined: insufficient_funds",
                        JAVA_DECLINED_STACK,
                    );
                    return end;
                }
                // authorize → fraud score (gRPC, reads features from redis) → charge at Stripe
                let a_start = s + g.us(200, 900);
                let a = g.push(
                    server,
                    Svc::Payment,
                    Kind::Internal,
                    "authorize payment",
                    a_start,
                );
                let aid = g.id(a);
                let call = Call::Grpc {
                    service: "fraud.v1.FraudService",
                    method: "Score",
                };
                let f_start = a_start + g.us(50, 300);
                let (_, _, t) = g.rpc(
                    aid,
                    f_start,
                    Svc::Payment,
                    Svc::Fraud,
                    &call,
                    |g, fsi, fs| {
                        let sc_start = fs + g.us(100, 400);
                        let sc = g.push(
                            g.id(fsi),
                            Svc::Fraud,
                            Kind::Internal,
                            "score transaction",
                            sc_start,
                        );
                        let scid = g.id(sc);
                        let q_start = sc_start + g.us(50, 200);
                        let dur = g.us(400, 2_000);
                        let user = format!("HGETALL features:{}", g.rng.u32(1000..100_000));
                        g.query(scid, q_start, dur, &FRAUD_FEATURES, "HGETALL", user);
                        let sc_end = q_start + dur + g.us(3_000, 12_000); // model inference
                        let score = f64::from(g.rng.u32(0..300)) / 1000.0;
                        let span = &mut g.nodes[sc].span;
                        span.end = sc_end;
                        span.attrs = vec![
                            kv("app.fraud.score", score),
                            kv("app.fraud.model", "gbm-2025-12"),
                        ];
                        sc_end + g.us(100, 400)
                    },
                );
                let t = t + g.us(100, 400);
                let dur = g.us(80_000, 250_000);
                g.external(aid, t, dur, Svc::Payment, &STRIPE, 200);
                let a_end = t + dur + g.us(100, 500);
                let span = &mut g.nodes[a].span;
                span.end = a_end;
                span.attrs = vec![
                    kv("app.payment.method", "card"),
                    kv("app.payment.provider", "stripe"),
                ];
                a_end + g.us(200, 800)
            },
        );
        let order = kv("app.order.id", order_id.to_string());
        self.nodes[s]
            .span
            .attrs
            .extend([order, kv("app.order.amount", amount)]);
        if !ok {
            self.nodes[c].span.error = Some("HTTP 402 Payment Required".into());
        }
        end
    }

    /// The fan-out: `sends` concurrent email/push deliveries, started a fraction of a ms apart.
    fn notify(&mut self, parent: u64, start: u64, order_id: &str, sends: u32) -> u64 {
        let call = Call::Http {
            method: "POST",
            route: "/v1/notifications",
            path: "/v1/notifications".into(),
            status: 202,
        };
        let order_id = order_id.to_string();
        self.rpc(
            parent,
            start,
            Svc::Gateway,
            Svc::Notification,
            &call,
            |g, si, s| {
                let server = g.id(si);
                let mut t = s + g.us(200, 600);
                let mut end = t;
                for k in 0..sends {
                    let dur = g.us(15_000, 120_000); // ≥ 15 ms while all starts fit in < 10 ms: all overlap
                    let (channel, api, status) = if k % 2 == 0 {
                        ("email", &SENDGRID, 202)
                    } else {
                        ("push", &FCM, 200)
                    };
                    let e = g.external(server, t, dur, Svc::Notification, api, status);
                    let span = &mut g.nodes[e].span;
                    span.name = if k % 2 == 0 {
                        "send email".into()
                    } else {
                        "send push".into()
                    };
                    span.attrs.push(kv("app.notification.channel", channel));
                    end = end.max(t + dur);
                    t += g.us(80, 600);
                }
                let end = end + g.us(200, 800);
                g.nodes[si].span.attrs.push(kv("app.order.id", order_id));
                g.nodes[si].span.events.push(Event {
                    time: s + 150,
                    name: "fan-out dispatched",
                    attrs: vec![kv("app.notification.count", sends)],
                });
                end
            },
        )
        .2
    }
}

const JAVA_DECLINED_STACK: &str = "com.shop.payment.CardDeclinedException: card declined: insufficient_funds
\tat com.shop.payment.stripe.StripeGateway.charge(StripeGateway.java:142)
\tat com.shop.payment.PaymentService.authorize(PaymentService.java:88)
\tat com.shop.payment.api.PaymentController.create(PaymentController.java:51)
\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)";

const PY_TIMEOUT_STACK: &str = "Traceback (most recent call last):
  File \"/app/product/repository.py\", line 57, in get_product
    row = await conn.fetchrow(QUERY, product_id)
  File \"/usr/local/lib/python3.12/site-packages/asyncpg/connection.py\", line 748, in fetchrow
    data = await self._execute(query, args, 1, timeout, record_class=record_class)
asyncpg.exceptions.QueryCanceledError: canceling statement due to statement timeout";

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/// Collects spans into chunks, encodes each chunk and writes it out.
struct Sink<'w, W: Write> {
    out: &'w mut W,
    enc: Encoder,
    chunk: Vec<Span>,
    trace: u128,
    /// Bit per service seen in the current trace (Jaeger lists them as `processes`).
    services: u16,
    stats: GenStats,
}

impl<'w, W: Write> Sink<'w, W> {
    fn new(format: GenFormat, out: &'w mut W) -> Self {
        Sink {
            out,
            enc: Encoder::new(format),
            chunk: Vec::with_capacity(CHUNK),
            trace: 0,
            services: 0,
            stats: GenStats::default(),
        }
    }

    fn begin_trace(&mut self, trace: u128) {
        self.trace = trace;
        self.services = 0;
        self.stats.traces += 1;
        self.enc.begin_trace(trace);
    }

    fn push(&mut self, span: Span) -> io::Result<()> {
        self.stats.spans += 1;
        self.stats.error_spans += usize::from(span.error.is_some());
        self.services |= 1 << span.svc as u16;
        self.chunk.push(span);
        if self.chunk.len() >= CHUNK {
            self.flush_chunk()?;
        }
        Ok(())
    }

    fn flush_chunk(&mut self) -> io::Result<()> {
        if !self.chunk.is_empty() {
            self.enc.chunk(self.trace, &self.chunk);
            self.chunk.clear();
        }
        self.write_out()
    }

    fn end_trace(&mut self) -> io::Result<()> {
        self.flush_chunk()?;
        self.enc.end_trace(self.services);
        self.write_out()
    }

    fn write_out(&mut self) -> io::Result<()> {
        self.out.write_all(&self.enc.b.0)?;
        self.stats.bytes += self.enc.b.0.len();
        self.enc.b.0.clear();
        Ok(())
    }
}

/// Append-only JSON text builder; infallible, so encoders need no error plumbing.
struct Json(Vec<u8>);

impl Json {
    fn raw(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// A quoted, escaped JSON string.
    fn str(&mut self, s: &str) -> &mut Self {
        self.0.push(b'"');
        self.escaped(s);
        self.0.push(b'"');
        self
    }

    /// `"key":`
    fn key(&mut self, k: &str) -> &mut Self {
        self.str(k).raw(":")
    }

    /// String contents with JSON escapes (no quotes); copies unescaped runs in one go.
    fn escaped(&mut self, s: &str) -> &mut Self {
        let bytes = s.as_bytes();
        let mut run = 0;
        for (i, &c) in bytes.iter().enumerate() {
            let esc: &[u8] = match c {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\t' => b"\\t",
                b'\r' => b"\\r",
                0..=0x1f => b"",
                _ => continue,
            };
            self.0.extend_from_slice(&bytes[run..i]);
            if esc.is_empty() {
                let hex = b"0123456789abcdef";
                self.0.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    hex[usize::from(c >> 4)],
                    hex[usize::from(c & 15)],
                ]);
            } else {
                self.0.extend_from_slice(esc);
            }
            run = i + 1;
        }
        self.0.extend_from_slice(&bytes[run..]);
        self
    }

    /// Decimal digits without going through `fmt` (this is the hot path at 1M spans).
    fn uint(&mut self, mut n: u64) -> &mut Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.0.extend_from_slice(&buf[i..]);
        self
    }

    fn int(&mut self, n: i64) -> &mut Self {
        if n < 0 {
            self.0.push(b'-');
        }
        self.uint(n.unsigned_abs())
    }

    /// Shortest round-trip decimal; values are finite by construction.
    fn float(&mut self, f: f64) -> &mut Self {
        debug_assert!(f.is_finite());
        let _ = write!(self.0, "{f}");
        self
    }

    /// Lowercase hex of the low `digits` nibbles, zero-padded, quoted.
    fn hex(&mut self, v: u128, digits: u32) -> &mut Self {
        let hex = b"0123456789abcdef";
        self.0.push(b'"');
        for k in (0..digits).rev() {
            self.0.push(hex[((v >> (4 * k)) & 15) as usize]);
        }
        self.0.push(b'"');
        self
    }

    fn span_id(&mut self, id: u64) -> &mut Self {
        self.hex(u128::from(id), 16)
    }

    fn trace_id(&mut self, id: u128) -> &mut Self {
        self.hex(id, 32)
    }

    /// Writes `,` before every item but the first; `count` tracks the items of the enclosing array.
    fn sep(&mut self, count: &mut usize) -> &mut Self {
        if *count > 0 {
            self.0.push(b',');
        }
        *count += 1;
        self
    }

    /// The value as text (Zipkin tags and annotation values are strings).
    fn val_text(&mut self, v: &Val) -> &mut Self {
        match v {
            Val::Str(s) => self.escaped(s),
            Val::Int(n) => self.int(*n),
            Val::Bool(b) => self.raw(if *b { "true" } else { "false" }),
            Val::Double(f) => self.float(*f),
        }
    }
}

/// Turns spans into one of the formats. Document structure per format:
/// - OTLP/JSON: `{"resourceSpans":[` one entry per (chunk, service) `]}`
/// - OTLP/JSONL: per chunk a line `{"resourceSpans":[` one entry per service `]}`
/// - Jaeger: `{"data":[` per trace `{"traceID","spans":[…],"processes":{…}}` `],…}`
/// - Zipkin: `[` spans `]`
struct Encoder {
    format: GenFormat,
    b: Json,
    /// Items written to the top-level array (resourceSpans, Jaeger traces or Zipkin spans).
    top: usize,
    /// Spans written to the current Jaeger trace.
    in_trace: usize,
    /// Scratch space for Zipkin annotation values (JSON nested in a string).
    scratch: Json,
}

impl Encoder {
    fn new(format: GenFormat) -> Self {
        Encoder {
            format,
            b: Json(Vec::with_capacity(1 << 20)),
            top: 0,
            in_trace: 0,
            scratch: Json(Vec::new()),
        }
    }

    fn begin_doc(&mut self) {
        match self.format {
            GenFormat::OtlpJson => self.b.raw("{\"resourceSpans\":["),
            GenFormat::OtlpJsonl => &mut self.b,
            GenFormat::JaegerJson => self.b.raw("{\"data\":["),
            GenFormat::ZipkinV2 => self.b.raw("["),
        };
    }

    fn end_doc(&mut self) {
        match self.format {
            GenFormat::OtlpJson => self.b.raw("]}\n"),
            GenFormat::OtlpJsonl => &mut self.b,
            GenFormat::JaegerJson => self
                .b
                .raw("],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n"),
            GenFormat::ZipkinV2 => self.b.raw("]\n"),
        };
    }

    fn begin_trace(&mut self, trace: u128) {
        if self.format == GenFormat::JaegerJson {
            self.b
                .sep(&mut self.top)
                .raw("{\"traceID\":")
                .trace_id(trace)
                .raw(",\"spans\":[");
            self.in_trace = 0;
        }
    }

    fn end_trace(&mut self, services: u16) {
        if self.format != GenFormat::JaegerJson {
            return;
        }
        self.b.raw("],\"processes\":{");
        let mut n = 0;
        for svc in ALL_SVCS
            .into_iter()
            .filter(|&s| services & (1 << s as u16) != 0)
        {
            self.b
                .sep(&mut n)
                .raw("\"p")
                .uint(svc as u64 + 1)
                .raw("\":{\"serviceName\":")
                .str(svc.info().name);
            self.b.raw(",\"tags\":[");
            let mut t = 0;
            for (k, v) in svc.resource().into_iter().skip(1) {
                self.b.sep(&mut t);
                jaeger_tag(&mut self.b, k, &Val::Str(v.into()));
            }
            self.b.raw("]}");
        }
        self.b.raw("},\"warnings\":null}");
    }

    fn chunk(&mut self, trace: u128, spans: &[Span]) {
        match self.format {
            GenFormat::OtlpJson => {
                for svc in ALL_SVCS {
                    if spans.iter().any(|s| s.svc == svc) {
                        self.b.sep(&mut self.top);
                        otlp_resource_spans(&mut self.b, trace, svc, spans);
                    }
                }
            }
            GenFormat::OtlpJsonl => {
                self.b.raw("{\"resourceSpans\":[");
                let mut n = 0;
                for svc in ALL_SVCS {
                    if spans.iter().any(|s| s.svc == svc) {
                        self.b.sep(&mut n);
                        otlp_resource_spans(&mut self.b, trace, svc, spans);
                    }
                }
                self.b.raw("]}\n");
            }
            GenFormat::JaegerJson => {
                for s in spans {
                    self.b.sep(&mut self.in_trace);
                    jaeger_span(&mut self.b, trace, s);
                }
            }
            GenFormat::ZipkinV2 => {
                for s in spans {
                    self.b.sep(&mut self.top);
                    zipkin_span(&mut self.b, &mut self.scratch, trace, s);
                }
            }
        }
    }
}

// --- OTLP/JSON (spec encoding: hex ids, integer enums, 64-bit integers as decimal strings) ---

/// One `resourceSpans` entry holding the spans of `svc` in `spans`, in order.
fn otlp_resource_spans(b: &mut Json, trace: u128, svc: Svc, spans: &[Span]) {
    b.raw("{\"resource\":{\"attributes\":[");
    let mut n = 0;
    for (k, v) in svc.resource() {
        b.sep(&mut n);
        otlp_kv(b, k, &Val::Str(v.into()));
    }
    let info = svc.info();
    b.raw("]},\"scopeSpans\":[{\"scope\":{\"name\":")
        .str(info.scope);
    b.raw(",\"version\":")
        .str(info.scope_version)
        .raw("},\"spans\":[");
    let mut n = 0;
    for s in spans.iter().filter(|s| s.svc == svc) {
        b.sep(&mut n);
        otlp_span(b, trace, s);
    }
    b.raw("]}]}");
}

fn otlp_span(b: &mut Json, trace: u128, s: &Span) {
    b.raw("{\"traceId\":")
        .trace_id(trace)
        .raw(",\"spanId\":")
        .span_id(s.id);
    if let Some(p) = s.parent {
        b.raw(",\"parentSpanId\":").span_id(p);
    }
    b.raw(",\"name\":")
        .str(&s.name)
        .raw(",\"kind\":")
        .uint(s.kind.otlp().into());
    // µs → ns by appending three zeros: exact, and no overflow.
    b.raw(",\"startTimeUnixNano\":\"")
        .uint(s.start)
        .raw("000\",\"endTimeUnixNano\":\"")
        .uint(s.end)
        .raw("000\"");
    b.raw(",\"attributes\":");
    otlp_attrs(b, &s.attrs);
    if !s.events.is_empty() {
        b.raw(",\"events\":[");
        let mut n = 0;
        for e in &s.events {
            b.sep(&mut n)
                .raw("{\"timeUnixNano\":\"")
                .uint(e.time)
                .raw("000\",\"name\":")
                .str(e.name);
            b.raw(",\"attributes\":");
            otlp_attrs(b, &e.attrs);
            b.raw("}");
        }
        b.raw("]");
    }
    match &s.error {
        Some(msg) => b
            .raw(",\"status\":{\"code\":2,\"message\":")
            .str(msg)
            .raw("}}"),
        None => b.raw(",\"status\":{}}"),
    };
}

fn otlp_attrs(b: &mut Json, attrs: &[(&'static str, Val)]) {
    b.raw("[");
    let mut n = 0;
    for (k, v) in attrs {
        b.sep(&mut n);
        otlp_kv(b, k, v);
    }
    b.raw("]");
}

fn otlp_kv(b: &mut Json, k: &str, v: &Val) {
    b.raw("{\"key\":").str(k).raw(",\"value\":{");
    match v {
        Val::Str(s) => b.raw("\"stringValue\":").str(s),
        Val::Int(i) => b.raw("\"intValue\":\"").int(*i).raw("\""),
        Val::Bool(x) => b.raw(if *x {
            "\"boolValue\":true"
        } else {
            "\"boolValue\":false"
        }),
        Val::Double(f) => b.raw("\"doubleValue\":").float(*f),
    };
    b.raw("}}");
}

// --- Jaeger query API (µs times, typed tags, kind/status as tags) ---

fn jaeger_span(b: &mut Json, trace: u128, s: &Span) {
    b.raw("{\"traceID\":")
        .trace_id(trace)
        .raw(",\"spanID\":")
        .span_id(s.id)
        .raw(",\"flags\":1");
    b.raw(",\"operationName\":")
        .str(&s.name)
        .raw(",\"references\":[");
    if let Some(p) = s.parent {
        b.raw("{\"refType\":\"CHILD_OF\",\"traceID\":")
            .trace_id(trace)
            .raw(",\"spanID\":")
            .span_id(p)
            .raw("}");
    }
    b.raw("],\"startTime\":")
        .uint(s.start)
        .raw(",\"duration\":")
        .uint(s.end - s.start);
    b.raw(",\"tags\":[");
    jaeger_tag(b, "span.kind", &Val::Str(s.kind.lower().into()));
    let info = s.svc.info();
    b.raw(",");
    jaeger_tag(b, "otel.scope.name", &Val::Str(info.scope.into()));
    for (k, v) in &s.attrs {
        b.raw(",");
        jaeger_tag(b, k, v);
    }
    if let Some(msg) = &s.error {
        b.raw(",");
        jaeger_tag(b, "error", &Val::Bool(true));
        b.raw(",");
        jaeger_tag(b, "otel.status_code", &Val::Str("ERROR".into()));
        b.raw(",");
        jaeger_tag(b, "otel.status_description", &Val::Str(msg.clone()));
    }
    b.raw("],\"logs\":[");
    let mut n = 0;
    for e in &s.events {
        b.sep(&mut n)
            .raw("{\"timestamp\":")
            .uint(e.time)
            .raw(",\"fields\":[");
        jaeger_tag(b, "event", &Val::Str(e.name.into()));
        for (k, v) in &e.attrs {
            b.raw(",");
            jaeger_tag(b, k, v);
        }
        b.raw("]}");
    }
    b.raw("],\"processID\":\"p")
        .uint(s.svc as u64 + 1)
        .raw("\",\"warnings\":null}");
}

fn jaeger_tag(b: &mut Json, k: &str, v: &Val) {
    b.raw("{\"key\":").str(k);
    match v {
        Val::Str(s) => b.raw(",\"type\":\"string\",\"value\":").str(s),
        Val::Int(i) => b.raw(",\"type\":\"int64\",\"value\":").int(*i),
        Val::Bool(x) => b.raw(if *x {
            ",\"type\":\"bool\",\"value\":true"
        } else {
            ",\"type\":\"bool\",\"value\":false"
        }),
        Val::Double(f) => b.raw(",\"type\":\"float64\",\"value\":").float(*f),
    };
    b.raw("}");
}

// --- Zipkin v2 (µs times, string tags, events as annotations) ---

fn zipkin_span(b: &mut Json, scratch: &mut Json, trace: u128, s: &Span) {
    b.raw("{\"traceId\":")
        .trace_id(trace)
        .raw(",\"id\":")
        .span_id(s.id);
    if let Some(p) = s.parent {
        b.raw(",\"parentId\":").span_id(p);
    }
    b.raw(",\"name\":").str(&s.name);
    if let Some(kind) = s.kind.zipkin() {
        b.raw(",\"kind\":\"").raw(kind).raw("\"");
    }
    b.raw(",\"timestamp\":")
        .uint(s.start)
        .raw(",\"duration\":")
        .uint(s.end - s.start);
    b.raw(",\"localEndpoint\":{\"serviceName\":")
        .str(s.svc.info().name)
        .raw("}");
    if let Some(peer) = s.peer {
        b.raw(",\"remoteEndpoint\":{\"serviceName\":")
            .str(peer)
            .raw("}");
    }
    b.raw(",\"tags\":{");
    let info = s.svc.info();
    b.key("otel.scope.name").str(info.scope);
    for (k, v) in &s.attrs {
        b.raw(",").key(k).raw("\"").val_text(v).raw("\"");
    }
    if let Some(msg) = &s.error {
        b.raw(",\"otel.status_code\":\"ERROR\",")
            .key("error")
            .str(msg);
    }
    b.raw("}");
    if !s.events.is_empty() {
        // OTel's Zipkin mapping: value is the event name, or `"name":{attributes as JSON}`.
        b.raw(",\"annotations\":[");
        let mut n = 0;
        for e in &s.events {
            b.sep(&mut n)
                .raw("{\"timestamp\":")
                .uint(e.time)
                .raw(",\"value\":\"");
            if e.attrs.is_empty() {
                b.escaped(e.name);
            } else {
                scratch.0.clear();
                scratch.str(e.name).raw(":{");
                let mut m = 0;
                for (k, v) in &e.attrs {
                    scratch.sep(&mut m).key(k);
                    match v {
                        Val::Str(s) => scratch.str(s),
                        Val::Int(i) => scratch.int(*i),
                        Val::Bool(x) => scratch.raw(if *x { "true" } else { "false" }),
                        Val::Double(f) => scratch.float(*f),
                    };
                }
                scratch.raw("}");
                // Always UTF-8: scratch only holds text copied from &str values.
                b.escaped(std::str::from_utf8(&scratch.0).unwrap_or(""));
            }
            b.raw("\"}");
        }
        b.raw("]");
    }
    b.raw("}");
}
