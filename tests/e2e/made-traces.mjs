// Trace files the tests make on the fly, served as routes: the sample three times over, and a pair of
// checkouts of which the second is slower in one known place.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST } from './harness.mjs';

/** The sample three times over, each copy with its own trace id, as JSONL. */
export async function threeTraces(_req, res) {
  const text = JSON.stringify(JSON.parse(await readFile(join(DIST, 'public/samples/checkout.otlp.json'), 'utf8')));
  const id = text.match(/"traceId":"([0-9a-f]{32})"/)[1];
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.end([1, 2, 3].map((i) => text.replaceAll(id, i.toString(16).padStart(32, '0'))).join('\n') + '\n');
}

/** Two checkouts, the second with payment's charge 500 ms longer (and what encloses it): OTLP/JSON. */
export function pair(_req, res) {
  const ms = 1_000_000n;
  const epoch = 1_768_471_200_000_000_000n;
  const trace = (t, charge) => {
    const end = 60n + charge;
    const spans = [
      ['1', null, 'gateway', 'checkout', 0n, end + 30n],
      ['2', '1', 'inventory', 'stock', 0n, 20n],
      ['3', '1', 'inventory', 'stock', 20n, 40n],
      ['4', '1', 'payment', 'pay', 40n, end + 10n],
      ['5', '4', 'payment', 'charge', 45n, 45n + charge],
      ['6', '1', 'mailer', 'notify', end + 10n, end + 30n],
    ];
    return spans.map(([id, parent, service, name, start, stop]) => ({
      service,
      span: {
        traceId: t.padStart(32, '0'), spanId: id.padStart(16, '0'), ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
        name, kind: 1, startTimeUnixNano: String(epoch + start * ms), endTimeUnixNano: String(epoch + stop * ms),
      },
    }));
  };
  const all = [...trace('a', 100n), ...trace('b', 600n)];
  const services = [...new Set(all.map((s) => s.service))];
  const doc = {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans: all.filter((s) => s.service === service).map((s) => s.span) }],
    })),
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(doc));
}
