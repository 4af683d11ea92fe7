// "Open all as one file" benchmark: a Jaeger (api/v3) answering a search with TRACES summaries and each trace
// by id, from spanlens-gen's OTLP JSONL (--spans SPANS --traces TRACES --format otlp-jsonl, seed 4: one
// document per trace). In headless chromium (window 1280×900): the search, then the click on "Open all" to
// the merged file's trace list on screen, then the aggregate across all of them (the tab, "over all").
//
//   trunk build --release && cargo build --release --bin spanlens-gen && node benches/open-all.mjs
//   SPANS=1m TRACES=1000 node benches/open-all.mjs   (the defaults: 100k spans in 1,000 traces; ENGINE=page:
//   the engine on the page)

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO, launchBrowser, newPage, startServer } from '../tests/e2e/harness.mjs';

const SPANS = process.env.SPANS ?? '100k';
const TRACES = process.env.TRACES ?? '1000';
const dir = join(REPO, 'target', 'bench-traces');
const file = join(dir, `${SPANS}-in-${TRACES}.otlp.jsonl`);
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) {
  execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', SPANS, '--traces', TRACES, '--format', 'otlp-jsonl', '--seed', '4', '-o', file], { stdio: 'inherit' });
}
// Each line is one trace: kept as it is, found by the first trace id in it.
const traces = new Map();
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  const id = line.match(/"traceId":"([0-9a-f]{32})"/)?.[1];
  if (id && !traces.has(id)) traces.set(id, line);
}
const summaries = [...traces.keys()].map((traceId, i) => ({
  traceId, rootServiceName: 'frontend', rootOperationName: 'GET /dispatch',
  minStartTimeUnixNano: String(1_800_000_000_000_000_000n + BigInt(i) * 1_000_000_000n),
  maxEndTimeUnixNano: String(1_800_000_000_000_000_000n + BigInt(i) * 1_000_000_000n + 500_000_000n),
  spanCount: 0, errorSpanCount: 0, services: [{ name: 'frontend' }],
}));
const json = (res, body) => {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }).end(bytes);
};
const config = { backends: [{ name: 'bench', kind: 'jaeger', url: '/jaeger' }] };
const server = await startServer({
  routes: {
    '/public/config.json': (_req, res) => json(res, config),
    '/jaeger/*': (_req, res, url) => {
      const path = url.pathname.slice('/jaeger'.length);
      const id = path.match(/^\/api\/v3\/traces\/([0-9a-f]+)$/)?.[1];
      if (id) return json(res, `{"result":${traces.get(id)}}`);
      if (path === '/api/v3/trace-summaries') return json(res, { summaries });
      if (path === '/api/v3/services') return json(res, { services: ['frontend'] });
      if (path === '/api/v3/operations') return json(res, { operations: [] });
      res.writeHead(404).end();
    },
  },
});
const browser = await launchBrowser();
const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
// The main thread's long tasks (PerformanceObserver `longtask`), to name the longest in each step.
await page.addInitScript(() => {
  window.__tasks = [];
  new PerformanceObserver((l) => window.__tasks.push(...l.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
});
const longest = (from, to) => page.evaluate(([from, to]) => Math.max(0, ...window.__tasks.filter(([s, d]) => s + d > from && s < to).map(([, d]) => d)), [from, to]);
await page.goto(server.url(`/?view=search&backend=bench&service=frontend&lookback=1h&limit=1500${process.env.ENGINE === 'page' ? '&engine=page' : ''}`));
await page.getByTestId('open-all').waitFor({ timeout: 60_000 });
const started = Date.now();
const clicked = await page.evaluate(() => performance.now());
await page.getByTestId('open-all').click();
await page.getByTestId('trace-list').getByText(`${traces.size.toLocaleString('en-US')} traces in bench:`).waitFor({ timeout: 600_000 });
const opened = (Date.now() - started) / 1000;
const listed = await page.evaluate(() => performance.now());
// When the merged file's read ended and its stages (the marks of its load), from the click.
const phases = await page.evaluate((t0) => Object.fromEntries(['spanlens:read', 'spanlens:parsed', 'spanlens:summarized'].map((n) => [n.slice(9), ((performance.getEntriesByName(n).at(-1)?.startTime ?? NaN) - t0) / 1000])), clicked);
await page.locator('.trace-table .rows .row').first().click();
await page.getByTestId('tab-aggregate').click();
await page.getByTestId('aggregate-count').waitFor();
const t = Date.now();
const aggregating = await page.evaluate(() => performance.now());
await page.getByTestId('aggregate-over').selectOption('all');
await page.getByTestId('aggregate-count').getByText(`from ${traces.size.toLocaleString('en-US')} traces`, { exact: false }).waitFor({ timeout: 120_000 });
const aggregated = (Date.now() - t) / 1000;
const aggregatedAt = await page.evaluate(() => performance.now());
console.log(`Open all ${traces.size} traces (${SPANS} spans) from a Jaeger as one file: the trace list on screen ${opened.toFixed(1)} s after the click`);
console.log(`of which: every trace fetched and written out by ${phases.read.toFixed(1)} s, the file parsed at ${phases.parsed.toFixed(1)} s, analysed and summarized at ${phases.summarized.toFixed(1)} s`);
console.log(`aggregate across all of them: ${aggregated.toFixed(2)} s`);
console.log(`longest main-thread task: ${(await longest(clicked, listed)).toFixed(0)} ms while opening, ${(await longest(aggregating, aggregatedAt)).toFixed(0)} ms while aggregating`);
if (process.env.PHASES) {
  console.log('long tasks over 100 ms [start, ms] from the click:', JSON.stringify(await page.evaluate((t0) => window.__tasks.filter(([s, d]) => d > 100 && s > t0).map(([s, d]) => [Math.round(s - t0), Math.round(d)]), clicked)));
  console.log('marks:', JSON.stringify(await page.evaluate((t0) => performance.getEntriesByType('mark').filter((e) => e.startTime > t0 && !e.name.includes('frame')).map((e) => [e.name.slice(9), Math.round(e.startTime - t0)]), clicked)));
}
if (page.errors.length) console.log('page errors:', page.errors.slice(0, 5));
await browser.close();
await server.close();
