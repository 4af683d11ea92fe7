// Twenty purchases through three real instrumented Node services, as their OTLP exporters sent them
// (tests/exporters/shop_js.mjs writes tests/data/otel-js-shop.jsonl): purchase 13's card charge was slowed by
// 300 ms, purchase 7's declined.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from './harness.mjs';

const SHOP = join(REPO, 'tests', 'data', 'otel-js-shop.jsonl');

/** A route answering the file, as a collector's file exporter wrote it. */
export async function shop(_req, res) {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.end(await readFile(SHOP));
}

/** The trace id of purchase `order` (its root's `url.query`). */
export async function purchase(order) {
  const query = (span) => span.attributes.some((a) => a.key === 'url.query' && a.value.stringValue === `order=${order}`);
  const found = [...(await byTrace())].find(([, spans]) => spans.some(({ span }) => query(span)));
  if (!found) throw new Error(`no purchase ${order}`);
  return found[0];
}

/** A trace id the shop's Jaeger lists for service "lost" but cannot answer. */
export const LOST = '10571057105710571057105710571057';

/** The file's spans by trace id, each with its resource: { traceId → [{ resource, scope, span }] }. */
async function byTrace() {
  const traces = new Map();
  for (const line of (await readFile(SHOP, 'utf8')).trim().split('\n')) {
    for (const rs of JSON.parse(line).resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const span of ss.spans) {
          if (!traces.has(span.traceId)) traces.set(span.traceId, []);
          traces.get(span.traceId).push({ resource: rs.resource, scope: ss.scope, span });
        }
  }
  return traces;
}

/**
 * A Jaeger v2 (api/v3) holding the twenty purchases, under `prefix`: the search answers a summary of each,
 * a trace by id answers its spans as Jaeger does (`{"result":{"resourceSpans":[…]}}`, one resource per span).
 * `asked` records the ids fetched. For service "lost" the search also lists `LOST`, which it does not have.
 */
export function shopJaeger(prefix, asked = []) {
  return async (_req, res, url) => {
    const path = url.pathname.slice(prefix.length);
    const traces = await byTrace();
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const id = path.match(/^\/api\/v3\/traces\/([0-9a-f]+)$/)?.[1];
    if (id) {
      asked.push(id);
      const spans = traces.get(id);
      if (!spans) return json(404, { error: { httpCode: 404, message: 'trace not found' } });
      return json(200, { result: { resourceSpans: spans.map(({ resource, scope, span }) => ({ resource, scopeSpans: [{ scope, spans: [span] }] })) } });
    }
    if (path === '/api/v3/services') return json(200, { services: ['gateway', 'inventory', 'payment'] });
    if (path === '/api/v3/operations') return json(200, { operations: [{ name: 'GET /buy', spanKind: 'server' }, { name: 'GET', spanKind: 'client' }] });
    if (path === '/api/v3/trace-summaries') {
      const service = (r) => r.attributes.find((a) => a.key === 'service.name').value.stringValue;
      const summaries = [...traces].map(([traceId, spans]) => {
        const root = spans.find(({ span }) => !spans.some((o) => o.span.spanId === span.parentSpanId));
        return {
          traceId, rootServiceName: service(root.resource), rootOperationName: root.span.name,
          minStartTimeUnixNano: String(spans.map(({ span }) => BigInt(span.startTimeUnixNano)).reduce((a, b) => (a < b ? a : b))),
          maxEndTimeUnixNano: String(spans.map(({ span }) => BigInt(span.endTimeUnixNano)).reduce((a, b) => (a > b ? a : b))),
          spanCount: spans.length, errorSpanCount: spans.filter(({ span }) => span.status?.code === 2).length,
          services: [...new Set(spans.map(({ resource }) => service(resource)))].map((name) => ({ name })),
        };
      });
      // Service "lost": one more summary, of a trace the store no longer has (fetching it answers 404).
      if (url.searchParams.get('query.serviceName') === 'lost') summaries.push({ ...summaries[0], traceId: LOST });
      return json(200, { summaries });
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  };
}
