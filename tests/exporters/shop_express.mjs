// Writes real exporter bytes from five instrumented Express services on 127.0.0.1 (gateway, inventory,
// product, order, payment, each its own Node process with the OpenTelemetry JS SDK, the HTTP instrumentation
// and the Express instrumentation). Every service exports through two exporters at once, OTLP/HTTP JSON and
// Zipkin, to a collector (this script) that keeps what it receives:
// - tests/data/otel-js-express.jsonl: the OTLP/JSON request bodies, one per line, as received;
// - tests/data/otel-js-express-zipkin.json: every Zipkin v2 span received, merged into one JSON array.
//
// Eight purchases (three when skewed), one trace each. `GET /buy?order=N` on the gateway (an async route) asks inventory
// `GET /stock/:item` twelve times, one call awaited after another (an N+1 run), then product
// `GET /products/:sku` once, then order `POST /orders`, which calls payment `POST /charge`. Payment calls a
// card network that is not traced: a plain `http` server started by this script (no SDK) that answers after
// PEER_MS. Payment reaches it by the name `card-network.test` (resolved to 127.0.0.1 by a `lookup` option),
// so its client span names the peer in `server.address` and `url.full` and has no child in another service.
// Inventory opens a CLIENT span `SELECT stock` (db.system postgresql) and the servers do a little real work
// (a short busy loop and a few ms of sleep) so the spans have sizes. The Express instrumentation adds a
// `middleware - <fn>` span for each `app.use` function (gateway `requestId`, order and payment `jsonParser`),
// which ends when it calls `next()`, and a `request handler` span for each route (Express 5 leaves the route
// out of the name; it is in `http.route` and `express.name`), which ends when the response closes; both sit
// under the HTTP server span, and the route's outgoing calls are children of `request handler`. The HTTP
// instrumentation names server spans `METHOD route` and client spans by the method alone. Start times are
// whole milliseconds (the SDK takes `Date.now()`), end times are start plus a sub-millisecond duration. All
// five services have the real `os.hostname()` as `host.name`: one machine.
//
// `node shop_express.mjs skewed` writes tests/data/otel-js-express-skewed.jsonl (OTLP only, three
// purchases): the same services, but payment says it runs on `payment-host-2` and its clock is 40 ms
// behind (CLOCK_MS). The run still happens on one machine; payment's exporter is wrapped so that CLOCK_MS is
// added to every span start, end and event time payment writes, before the real OTLP exporter encodes them.
// That is what a host whose clock is a constant offset off writes (no drift); durations are unchanged, and
// the other services' timestamps are untouched. Behind, so that payment's server span starts before the
// client span that called it: what only skew can explain. (A clock ahead by as much makes the server start
// inside its client and end 40 ms after it, which a server finishing late also does: not claimed as skew.)
//
//   npm install @opentelemetry/api@1.9.1 @opentelemetry/sdk-trace-node@2.12.0 @opentelemetry/resources@2.12.0 \
//     @opentelemetry/instrumentation@0.223.0 @opentelemetry/instrumentation-http@0.223.0 \
//     @opentelemetry/exporter-trace-otlp-http@0.223.0 @opentelemetry/exporter-zipkin@2.12.0 \
//     @opentelemetry/instrumentation-express@0.71.1 express@5.3.0   (in a folder of its own)
//   NODE_PATH=<that folder>/node_modules node tests/exporters/shop_express.mjs
//   NODE_PATH=<that folder>/node_modules node tests/exporters/shop_express.mjs skewed

import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.env.NODE_PATH ?? '.', 'x.js'));
const ITEMS = 12;
const PEER_MS = 150;
const CLOCK_MS = -40;
const PEER_NAME = 'card-network.test';
const SERVICES = ['gateway', 'inventory', 'product', 'order', 'payment'];
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const spin = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** Adds a constant to every timestamp of the spans it is given, then hands them to the real exporter. */
class ClockOffset {
  constructor(inner, ms) {
    this.inner = inner;
    this.ns = ms * 1e6;
  }
  shift([s, ns]) {
    const carry = Math.floor((ns + this.ns) / 1e9);
    return [s + carry, ns + this.ns - carry * 1e9];
  }
  export(spans, done) {
    const shifted = spans.map((span) =>
      Object.create(span, {
        startTime: { value: this.shift(span.startTime) },
        endTime: { value: this.shift(span.endTime) },
        events: { value: span.events.map((e) => ({ ...e, time: this.shift(e.time) })) },
      }),
    );
    this.inner.export(shifted, done);
  }
  forceFlush() {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
  shutdown() {
    return this.inner.shutdown();
  }
}

if (process.argv[2] === 'service') await service(process.argv[3], JSON.parse(process.argv[4]));
else await main(process.argv[2] === 'skewed');

/** One instrumented service: the SDK is set up before `http` and `express` are loaded, so both get patched. */
async function service(name, cfg) {
  const api = require('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const { ZipkinExporter } = require('@opentelemetry/exporter-zipkin');
  const skewed = cfg.skewed && name === 'payment';
  const wrap = (exporter) => (skewed ? new ClockOffset(exporter, CLOCK_MS) : exporter);
  const exporters = [new OTLPTraceExporter({ url: cfg.otlp })];
  if (cfg.zipkin) exporters.push(new ZipkinExporter({ url: cfg.zipkin }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': name,
      'service.version': '2.0.1',
      'host.name': skewed ? 'payment-host-2' : hostname(),
    }),
    spanProcessors: exporters.map((e) => new BatchSpanProcessor(wrap(e))),
  });
  provider.register();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()] });
  const http = require('node:http');
  const express = require('express');
  const tracer = api.trace.getTracer('spanlens.shop');
  const ports = cfg.ports;
  const call = (port, method, path, body, extra = {}) =>
    new Promise((ok, fail) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const headers = data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {};
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, ...extra }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', fail);
      req.end(data);
    });
  const app = express();
  if (name === 'gateway') {
    app.use(function requestId(req, res, next) {
      res.setHeader('x-request-id', `req-${req.query.order ?? 0}`);
      next();
    });
    app.get('/buy', async (req, res) => {
      const order = Number(req.query.order);
      const items = [];
      for (let item = 1; item <= ITEMS; item++) items.push(JSON.parse((await call(ports.inventory, 'GET', `/stock/${item}`)).body));
      const product = JSON.parse((await call(ports.product, 'GET', `/products/sku-${order}`)).body);
      const placed = await call(ports.order, 'POST', '/orders', { order, items: items.map((i) => i.item), price: product.price });
      res.status(placed.status === 201 ? 200 : 502).json({ order, placed: placed.status === 201 });
    });
  }
  if (name === 'inventory') {
    app.get('/stock/:item', async (req, res) => {
      const item = Number(req.params.item);
      const stock = await tracer.startActiveSpan(
        'SELECT stock',
        { kind: api.SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT qty FROM stock WHERE item = $1' } },
        async (span) => {
          spin(0.5);
          await sleep(2);
          span.end();
          return (item * 7) % 13;
        },
      );
      res.json({ item, stock });
    });
  }
  if (name === 'product') {
    app.get('/products/:sku', async (req, res) => {
      spin(2);
      await sleep(5);
      res.json({ sku: req.params.sku, price: 1999 });
    });
  }
  if (name === 'order') {
    app.use(express.json());
    app.post('/orders', async (req, res) => {
      tracer.startActiveSpan('validate order', (span) => {
        spin(1);
        span.setAttribute('order.items', req.body.items.length);
        span.end();
      });
      const charged = await call(ports.payment, 'POST', '/charge', { order: req.body.order, amount: req.body.price });
      res.status(charged.status === 200 ? 201 : 502).json({ order: req.body.order });
    });
  }
  if (name === 'payment') {
    app.use(express.json());
    app.post('/charge', async (req, res) => {
      await tracer.startActiveSpan('charge card', async (span) => {
        spin(1);
        // The card network: untraced, reached by name (resolved here to 127.0.0.1).
        const lookup = (host, opts, cb) => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4));
        const auth = await call(ports.peer, 'GET', `/authorize?order=${req.body.order}`, undefined, { host: undefined, hostname: PEER_NAME, lookup });
        span.addEvent('card authorized', { 'card.network.status': auth.status });
        await sleep(3);
        span.end();
      });
      res.json({ order: req.body.order, charged: req.body.amount });
    });
  }
  const server = await new Promise((ok) => {
    const s = app.listen(ports[name], '127.0.0.1', () => ok(s));
  });
  process.send('ready');
  process.on('message', async () => {
    server.close();
    await provider.shutdown();
    process.exit(0);
  });
}

/** The collector, the untraced card network, the five services and the shopper. */
async function main(skewed) {
  const http = await import('node:http');
  const purchases = skewed ? 3 : 8;
  const otlpBodies = [];
  const zipkinSpans = [];
  const collector = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url === '/v1/traces') {
        otlpBodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (req.url === '/api/v2/spans') {
        zipkinSpans.push(...JSON.parse(body));
        res.writeHead(202).end();
      } else res.writeHead(404).end();
    });
  });
  await new Promise((ok) => collector.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${collector.address().port}`;
  const peer = http.createServer(async (req, res) => {
    req.resume();
    await sleep(PEER_MS);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"approved":true}');
  });
  await new Promise((ok) => peer.listen(0, '127.0.0.1', ok));
  const free = async () => {
    const s = http.createServer();
    await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
    const port = s.address().port;
    await new Promise((ok) => s.close(ok));
    return port;
  };
  const ports = { peer: peer.address().port };
  for (const name of SERVICES) ports[name] = await free();
  const cfg = { ports, skewed, otlp: `${base}/v1/traces`, zipkin: skewed ? undefined : `${base}/api/v2/spans` };
  const spawned = [];
  const children = await Promise.all(
    SERVICES.map(
      (name) =>
        new Promise((ok) => {
          const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'service', name, JSON.stringify(cfg)], {
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          spawned.push(child);
          const died = (code) => {
            console.error(`${name} exited (${code}) before it was ready`);
            for (const c of spawned) c.kill();
            process.exit(1);
          };
          child.once('exit', died);
          child.once('message', () => (child.off('exit', died), ok(child)));
        }),
    ),
  );
  for (let order = 1; order <= purchases; order++) {
    await new Promise((ok, fail) => {
      http.get({ host: '127.0.0.1', port: ports.gateway, path: `/buy?order=${order}` }, (res) => res.resume().on('end', ok)).on('error', fail);
    });
  }
  await Promise.all(children.map((c) => new Promise((ok) => (c.on('exit', ok), c.send('stop')))));
  collector.close();
  peer.close();
  const data = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');
  const jsonl = join(data, skewed ? 'otel-js-express-skewed.jsonl' : 'otel-js-express.jsonl');
  writeFileSync(jsonl, otlpBodies.map((b) => b + '\n').join(''));
  console.log(`${jsonl}: ${otlpBodies.length} export requests`);
  if (!skewed) {
    const zipkin = join(data, 'otel-js-express-zipkin.json');
    writeFileSync(zipkin, JSON.stringify(zipkinSpans) + '\n');
    console.log(`${zipkin}: ${zipkinSpans.length} spans`);
  }
}
