//! What a checkout trace holds: the phases of one checkout, each a few services deep, with the patterns
//! the analysis must find (error with exception, N+1, fan-out, orphan).

use super::*;

// Emission priority of the phases of a checkout. A checkout is emitted in pre-order with its phases
// sorted by this, and the last checkout of a trace is cut to the remaining budget, so small traces
// keep the error first, then the N+1 run and the fan-out.
pub(super) const P_CHECKOUT: u8 = 0;
pub(super) const P_DECLINED: u8 = 1;
pub(super) const P_STOCK: u8 = 2;
pub(super) const P_PRODUCTS: u8 = 3;
pub(super) const P_NOTIFY: u8 = 4;
pub(super) const P_ORDER: u8 = 5;
pub(super) const P_PAYMENT: u8 = 6;

/// A span of the checkout being built, tagged with the priority of its phase.
pub(super) struct Node {
    pub(super) span: Span,
    pub(super) prio: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    CardDeclined,
    DbTimeout,
}

/// A database and the one service that queries it.
pub(super) struct Db {
    pub(super) user: Svc,
    pub(super) system: &'static str,
    pub(super) name: &'static str,
    pub(super) host: &'static str,
}

pub(super) const STOCK_CACHE: Db = Db {
    user: Svc::Inventory,
    system: "redis",
    name: "0",
    host: "inventory-cache",
};
pub(super) const CATALOG_DB: Db = Db {
    user: Svc::Product,
    system: "postgresql",
    name: "catalog",
    host: "catalog-db",
};
pub(super) const ORDERS_DB: Db = Db {
    user: Svc::Order,
    system: "postgresql",
    name: "orders",
    host: "orders-db",
};
pub(super) const FRAUD_FEATURES: Db = Db {
    user: Svc::Fraud,
    system: "redis",
    name: "2",
    host: "fraud-features",
};

/// A third-party HTTPS API: Zipkin peer name and endpoint.
pub(super) struct Api {
    pub(super) peer: &'static str,
    pub(super) url: &'static str,
}

pub(super) const STRIPE: Api = Api {
    peer: "stripe",
    url: "https://api.stripe.com/v1/payment_intents",
};
pub(super) const SENDGRID: Api = Api {
    peer: "sendgrid",
    url: "https://api.sendgrid.com/v3/mail/send",
};
pub(super) const FCM: Api = Api {
    peer: "fcm",
    url: "https://fcm.googleapis.com/v1/projects/shop-prod/messages:send",
};

/// An RPC as seen by both sides.
pub(super) enum Call {
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

pub(super) struct Gen {
    pub(super) rng: Rng,
    pub(super) ids: Ids,
    /// The checkout being built, in time-ordered pre-order (each phase is a contiguous run).
    pub(super) nodes: Vec<Node>,
    /// Priority given to the nodes pushed now (the current phase).
    pub(super) prio: u8,
}

impl Gen {
    pub(super) fn us(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.u64(lo..hi)
    }

    /// One trace of exactly `budget` spans: checkouts under the root, then the root, then the orphan.
    pub(super) fn trace<W: Write>(
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

    pub(super) fn order_id(&mut self) -> String {
        format!("ord-{:08}", self.rng.u32(..100_000_000))
    }

    /// Builds one checkout into `self.nodes`, starting at `start`; returns its end and order id.
    /// The first checkout of a trace is canonical: minimal run sizes (5 products, 10 notifications)
    /// and a declined card, so that small traces still show every pattern.
    pub(super) fn checkout(&mut self, root: u64, start: u64, canonical: bool) -> (u64, String) {
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
    pub(super) fn push(
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

    pub(super) fn id(&self, i: usize) -> u64 {
        self.nodes[i].span.id
    }

    /// An RPC: a CLIENT span in `caller` with the callee's SERVER span nested inside it, separated by
    /// network gaps. `serve(self, server_index, server_start)` builds the server's children and
    /// returns when the server responds. Returns (client index, server index, client end).
    pub(super) fn rpc(
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
    pub(super) fn query(
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
    pub(super) fn external(
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
    pub(super) fn exception(
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

    pub(super) fn check_stock(&mut self, parent: u64, start: u64, items: u32) -> u64 {
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
    pub(super) fn load_products(&mut self, parent: u64, start: u64, items: u32, timeout: bool) -> u64 {
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

    pub(super) fn create_order(
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
    pub(super) fn pay(&mut self, parent: u64, start: u64, order_id: &str, amount: f64, ok: bool) -> u64 {
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
    pub(super) fn notify(&mut self, parent: u64, start: u64, order_id: &str, sends: u32) -> u64 {
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

pub(super) const JAVA_DECLINED_STACK: &str = "com.shop.payment.CardDeclinedException: card declined: insufficient_funds
\tat com.shop.payment.stripe.StripeGateway.charge(StripeGateway.java:142)
\tat com.shop.payment.PaymentService.authorize(PaymentService.java:88)
\tat com.shop.payment.api.PaymentController.create(PaymentController.java:51)
\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)";

pub(super) const PY_TIMEOUT_STACK: &str = "Traceback (most recent call last):
  File \"/app/product/repository.py\", line 57, in get_product
    row = await conn.fetchrow(QUERY, product_id)
  File \"/usr/local/lib/python3.12/site-packages/asyncpg/connection.py\", line 748, in fetchrow
    data = await self._execute(query, args, 1, timeout, record_class=record_class)
asyncpg.exceptions.QueryCanceledError: canceling statement due to statement timeout";
