// Writes tests/data/otel-js-zipkin.json: real Zipkin v2 JSON from the OpenTelemetry JS SDK's Zipkin exporter,
// posted to a Zipkin-like collector on 127.0.0.1 (this script) and saved as received.
//
// The same checkout as zipkin_python.py: five failed calls, two with a status message. The JS exporter writes
// `otel.status_code: ERROR` on all five but the `error` tag only on the two with a message. Its start times
// are whole milliseconds (a quirk of the JS SDK's clock) while durations are not.
//
//   npm install @opentelemetry/api@1.9.1 @opentelemetry/sdk-trace-base@2.12.1 \
//     @opentelemetry/exporter-zipkin@2.12.1 @opentelemetry/resources@2.12.1   (in a folder of its own)
//   NODE_PATH=<that folder>/node_modules node tests/exporters/zipkin_js.mjs

import { createRequire } from 'node:module';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.env.NODE_PATH ?? '.', 'x.js'));
const api = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { ZipkinExporter } = require('@opentelemetry/exporter-zipkin');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const received = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    received.push(...JSON.parse(Buffer.concat(chunks).toString()));
    res.writeHead(202).end();
  });
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/api/v2/spans`;

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'checkout' }),
  spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url }))],
});
const tracer = provider.getTracer('spanlens.tests');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const root = tracer.startSpan('POST /checkout', { kind: api.SpanKind.SERVER });
const ctx = api.trace.setSpan(api.context.active(), root);
const call = async (name, kind, status, ms) => {
  const span = tracer.startSpan(name, { kind }, ctx);
  await sleep(ms);
  if (status) span.setStatus(status);
  span.end();
};
for (let i = 0; i < 3; i++) await call('SELECT stock', api.SpanKind.CLIENT, { code: api.SpanStatusCode.ERROR }, 2);
await call('POST /charge', api.SpanKind.CLIENT, { code: api.SpanStatusCode.ERROR, message: 'card declined' }, 3);
await call('POST /notify', api.SpanKind.CLIENT, { code: api.SpanStatusCode.ERROR, message: 'mailer unavailable' }, 2);
await call('render receipt', api.SpanKind.INTERNAL, { code: api.SpanStatusCode.OK }, 1);
root.end();

await provider.shutdown();
server.close();
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'otel-js-zipkin.json');
writeFileSync(out, JSON.stringify(received, null, 1) + '\n');
console.log(`${received.length} spans written to ${out}`);
