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
  for (const line of (await readFile(SHOP, 'utf8')).trim().split('\n')) {
    for (const rs of JSON.parse(line).resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const span of ss.spans)
          if (span.attributes.some((a) => a.key === 'url.query' && a.value.stringValue === `order=${order}`)) return span.traceId;
  }
  throw new Error(`no purchase ${order}`);
}
