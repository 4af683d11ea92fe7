// Writes tests/data/otel-js-shop.jsonl: real OTLP/JSON from three instrumented Node HTTP services on
// 127.0.0.1 (gateway, inventory, payment, each its own process with the OpenTelemetry JS SDK, the HTTP
// instrumentation and the OTLP/HTTP JSON exporter), sent to a collector (this script) that keeps every
// request body as received, one per line, as a collector's file exporter does.
//
// Twenty purchases, one trace each. `GET /buy` asks inventory for each of six items one after another (an
// N+1 run), then charges payment. Context crosses the services in `traceparent`, written and read by the
// instrumentation. What the tests rely on:
// - purchase 13 is slow: payment's `charge card` span sleeps SLOW_MS longer (the comparison must name it);
// - purchase 7's card is declined: payment answers 500, so its server span, gateway's client span and the
//   gateway's own server span (it answers 502) fail;
// - the others differ only by the machine's noise.
//
//   npm install @opentelemetry/api@1.9.1 @opentelemetry/sdk-trace-node@2.12.0 @opentelemetry/resources@2.12.0 \
//     @opentelemetry/instrumentation@0.223.0 @opentelemetry/instrumentation-http@0.223.0 \
//     @opentelemetry/exporter-trace-otlp-http@0.223.0   (in a folder of its own)
//   NODE_PATH=<that folder>/node_modules node tests/exporters/shop_js.mjs

import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.env.NODE_PATH ?? '.', 'x.js'));
const PURCHASES = 20;
const SLOW = 13;
const DECLINED = 7;
const SLOW_MS = 300;
const ITEMS = 6;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

if (process.argv[2] === 'service') await service(process.argv[3], process.argv[4], JSON.parse(process.argv[5]));
else await main();

/** One instrumented service: the SDK is set up before `http` is loaded, so the instrumentation patches it. */
async function service(name, collector, ports) {
  const api = require('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name, 'service.version': '1.4.2' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: collector }))],
  });
  provider.register();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  const http = require('node:http');
  const tracer = api.trace.getTracer('spanlens.shop');
  // Frameworks name the server span by its route; plain `http` leaves the method alone, so the handlers do.
  const route = (r) => api.trace.getActiveSpan()?.updateName(r);
  const get = (port, path, headers = {}) =>
    new Promise((ok, fail) => {
      http.get({ host: '127.0.0.1', port, path, headers }, (res) => res.resume().on('end', () => ok(res.statusCode))).on('error', fail);
    });
  const handlers = {
    gateway: async (req, res) => {
      const url = new URL(req.url, 'http://x');
      route('GET /buy');
      for (let item = 1; item <= ITEMS; item++) await get(ports.inventory, `/stock/${item}`);
      const charged = await get(ports.payment, `/charge?order=${url.searchParams.get('order')}`, {
        'x-slow': req.headers['x-slow'] ?? '',
        'x-decline': req.headers['x-decline'] ?? '',
      });
      res.writeHead(charged === 200 ? 200 : 502).end();
    },
    inventory: async (req, res) => {
      route('GET /stock/:item');
      await tracer.startActiveSpan('SELECT stock', { kind: api.SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, async (span) => {
        await sleep(3);
        span.end();
      });
      res.writeHead(200).end();
    },
    payment: async (req, res) => {
      route('GET /charge');
      const declined = req.headers['x-decline'] === '1';
      await tracer.startActiveSpan('charge card', async (span) => {
        await sleep(20 + (req.headers['x-slow'] === '1' ? SLOW_MS : 0));
        if (declined) {
          span.recordException(new Error('card declined'));
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'card declined' });
        }
        span.end();
      });
      res.writeHead(declined ? 500 : 200).end();
    },
  };
  const server = http.createServer((req, res) => handlers[name](req, res));
  await new Promise((ok) => server.listen(ports[name], '127.0.0.1', ok));
  process.send('ready');
  process.on('message', async () => {
    server.close();
    await provider.shutdown();
    process.exit(0);
  });
}

/** The collector, the three services and the shopper. */
async function main() {
  const http = await import('node:http');
  const bodies = [];
  const collector = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((ok) => collector.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${collector.address().port}/v1/traces`;
  const free = async () => {
    const s = http.createServer();
    await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
    const port = s.address().port;
    await new Promise((ok) => s.close(ok));
    return port;
  };
  const ports = { gateway: await free(), inventory: await free(), payment: await free() };
  const children = await Promise.all(
    Object.keys(ports).map(
      (name) =>
        new Promise((ok) => {
          const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'service', name, url, JSON.stringify(ports)], {
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          child.once('message', () => ok(child));
        }),
    ),
  );
  for (let order = 1; order <= PURCHASES; order++) {
    const headers = { 'x-slow': order === SLOW ? '1' : '', 'x-decline': order === DECLINED ? '1' : '' };
    await new Promise((ok, fail) => {
      http.get({ host: '127.0.0.1', port: ports.gateway, path: `/buy?order=${order}`, headers }, (res) => res.resume().on('end', ok)).on('error', fail);
    });
  }
  await Promise.all(children.map((c) => new Promise((ok) => (c.on('exit', ok), c.send('stop')))));
  collector.close();
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'otel-js-shop.jsonl');
  writeFileSync(out, bodies.map((b) => b + '\n').join(''));
  console.log(`${out}: ${bodies.length} export requests`);
}
