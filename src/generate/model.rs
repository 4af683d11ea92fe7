//! The generator's model of a span, the services of the checkout scenario, and deterministic ids.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl Kind {
    pub(super) fn otlp(self) -> u8 {
        match self {
            Kind::Internal => 1,
            Kind::Server => 2,
            Kind::Client => 3,
            Kind::Producer => 4,
            Kind::Consumer => 5,
        }
    }

    /// Jaeger `span.kind` tag value.
    pub(super) fn lower(self) -> &'static str {
        match self {
            Kind::Internal => "internal",
            Kind::Server => "server",
            Kind::Client => "client",
            Kind::Producer => "producer",
            Kind::Consumer => "consumer",
        }
    }

    /// Zipkin has no INTERNAL kind: such spans omit `kind`.
    pub(super) fn zipkin(self) -> Option<&'static str> {
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
pub(super) enum Svc {
    Gateway,
    Inventory,
    Product,
    Order,
    Payment,
    Fraud,
    Notification,
    NotificationWorker,
}

pub(super) const ALL_SVCS: [Svc; 8] = [
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
pub(super) struct SvcInfo {
    pub(super) name: &'static str,
    pub(super) version: &'static str,
    pub(super) language: &'static str,
    pub(super) host: &'static str,
    pub(super) scope: &'static str,
    pub(super) scope_version: &'static str,
}

impl Svc {
    pub(super) fn info(self) -> &'static SvcInfo {
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
    pub(super) fn resource(self) -> [(&'static str, &'static str); 6] {
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
pub(super) enum Val {
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

pub(super) type Attrs = Vec<(&'static str, Val)>;

pub(super) fn kv(key: &'static str, v: impl Into<Val>) -> (&'static str, Val) {
    (key, v.into())
}

#[derive(Clone, Debug)]
pub(super) struct Event {
    pub(super) time: u64,
    pub(super) name: &'static str,
    pub(super) attrs: Attrs,
}

/// One span, format-neutral. Times are microseconds since the Unix epoch.
#[derive(Clone, Debug)]
pub(super) struct Span {
    pub(super) id: u64,
    pub(super) parent: Option<u64>,
    pub(super) name: Cow<'static, str>,
    pub(super) svc: Svc,
    pub(super) kind: Kind,
    pub(super) start: u64,
    pub(super) end: u64,
    /// Status ERROR with this message; `None` is status UNSET.
    pub(super) error: Option<Cow<'static, str>>,
    pub(super) attrs: Attrs,
    pub(super) events: Vec<Event>,
    /// Remote service of a CLIENT span (Zipkin `remoteEndpoint`).
    pub(super) peer: Option<&'static str>,
}

/// Unique, random-looking ids: a bijective 64-bit mix of a seed-derived key plus a counter, so ids
/// can never collide (no set of issued ids needed), even at millions of spans.
pub(super) struct Ids {
    pub(super) key: u64,
    pub(super) next: u64,
}

impl Ids {
    pub(super) fn new(rng: &mut Rng) -> Self {
        Ids {
            key: rng.u64(..),
            next: 0,
        }
    }

    pub(super) fn span(&mut self) -> u64 {
        loop {
            let id = splitmix(self.key.wrapping_add(self.next));
            self.next += 1;
            if id != 0 {
                return id; // all-zero ids are invalid in OTLP
            }
        }
    }

    /// Random high half; the low half comes from the span-id sequence, which keeps trace ids unique.
    pub(super) fn trace(&mut self, rng: &mut Rng) -> u128 {
        (u128::from(rng.u64(..)) << 64) | u128::from(self.span())
    }
}

/// The splitmix64 finalizer: every step (xor-shift, odd multiply) is invertible, so it is a bijection.
pub(super) fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
