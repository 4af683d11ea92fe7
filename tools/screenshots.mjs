// The README's screenshots: the search page with a backend's answer, the scatter of a file with several
// traces, and the timeline and spans tabs, in light and dark. The backend is a fake Jaeger (as in tests/e2e/fake-backends.mjs) answering
// 120 generated summaries; the file is spanlens-gen's (--spans 20k --traces 600, seed 5).
//
//   trunk build --release && cargo build --release --bin spanlens-gen && node tools/screenshots.mjs

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, launchBrowser, newPage, startServer } from '../tests/e2e/harness.mjs';
import { routes as fakeRoutes } from '../tests/e2e/fake-backends.mjs';
import { threeTraces } from '../tests/e2e/made-traces.mjs';
import { purchase, shop } from '../tests/e2e/shop.mjs';

const out = join(REPO, 'docs');
const dir = join(REPO, 'target', 'bench-traces');
const file = join(dir, '600-traces.otlp.json');
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) {
  execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', '20k', '--traces', '600', '--seed', '5', '-o', file], { stdio: 'inherit' });
}

// 120 summaries over the last hour: mostly quick, a slow tail, some with errors (a fixed pseudo-random walk).
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const now = BigInt(Date.now()) * 1_000_000n;
const operations = ['GET /dispatch', 'POST /checkout', 'GET /cart', 'GET /product/{id}'];
const summaries = Array.from({ length: 120 }, (_, i) => {
  const start = now - BigInt(Math.floor(random() * 3600e9));
  const slow = random() < 0.12;
  const ms = slow ? 900 + random() * 2600 : 40 + random() * 380;
  const errors = random() < 0.1 ? 1 + Math.floor(random() * 4) : 0;
  return {
    traceId: (i + 1).toString(16).padStart(4, '0') + 'a1b2c3d4e5f60718293a4b5c6d7e',
    rootServiceName: 'frontend', rootOperationName: operations[i % operations.length],
    minStartTimeUnixNano: String(start), maxEndTimeUnixNano: String(start + BigInt(Math.round(ms * 1e6))),
    spanCount: 12 + Math.floor(random() * (slow ? 400 : 80)), errorSpanCount: errors,
    services: ['frontend', 'customer', 'driver', 'route', 'mysql', 'redis'].slice(0, 3 + (i % 4)).map((name) => ({ name })),
  };
});
const routes = {
  '/three.jsonl': threeTraces,
  '/shop.jsonl': shop,
  ...fakeRoutes,
  '/600.json': (_req, res) => createReadStream(file).pipe(res),
  '/jaeger/*': (req, res, url) => {
    if (url.pathname !== '/jaeger/api/v3/trace-summaries') return fakeRoutes['/jaeger/*'](req, res, url);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ summaries }));
  },
};

const server = await startServer({ routes });
const browser = await launchBrowser();
for (const theme of ['light', 'dark']) {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(server.url(`/?view=search&service=frontend&lookback=1h&limit=200&theme=${theme}`));
  await page.locator('.trace-table .rows .row').first().waitFor();
  await page.getByTestId('trace-sort').selectOption('longest');
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, `search-${theme}.png`) });

  await page.goto(server.url(`/?url=/600.json&theme=${theme}`));
  await page.getByTestId('trace-list').waitFor({ timeout: 60_000 });
  const scatter = page.getByTestId('scatter');
  const box = await scatter.boundingBox();
  // Hover the dot of the longest trace, so the picture shows the tip.
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, `scatter-${theme}.png`), clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 260) } });
  // The timeline and the spans tab of the HotROD trace, a span selected.
  await page.goto(server.url(`/?url=/fixtures/otlp-hotrod-jaeger-apiv3-response.json&view=timeline&theme=${theme}`));
  await page.getByTestId('timeline-canvas').waitFor();
  await page.waitForTimeout(300);
  await page.getByTestId('timeline-canvas').click({ position: { x: 220, y: 24 + 20 * 5 + 10 } });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, `timeline-${theme}.png`) });
  await page.getByTestId('tab-spans').click();
  await page.getByTestId('sort-duration').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, `spans-${theme}.png`) });
  // The statistics of the sample by db.system then service, a span of payment selected for the histogram.
  await page.goto(server.url(`/?view=events&theme=${theme}`));
  await page.getByRole('grid', { name: 'Events' }).locator('.rows .row.bad').click();
  await page.getByTestId('tab-stats').click();
  await page.getByTestId('group-by').selectOption('attr:db.system');
  await page.getByTestId('sub-group').selectOption('service');
  await page.getByRole('grid', { name: 'Statistics' }).locator('.rows .row', { hasText: 'postgresql' }).first().click();
  await page.waitForTimeout(400);
  const services = await page.getByTestId('chart-services').locator('canvas').boundingBox();
  await page.mouse.move(services.x + 200, services.y + 24);
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, `stats-${theme}.png`), fullPage: true });
  // The sample's flame graph with its repeats grouped.
  await page.goto(server.url(`/?theme=${theme}`));
  await page.getByTestId('group-repeats').check();
  await page.getByTestId('repeat-chip').first().waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `repeats-${theme}.png`) });
  // The aggregate of the sample's three copies, the notification calls picked.
  await page.goto(server.url(`/?url=/three.jsonl&theme=${theme}`));
  await page.locator('.trace-table .rows .row').first().click();
  await page.getByTestId('tab-aggregate').click();
  await page.getByTestId('aggregate-over').selectOption('all');
  await page.getByTestId('aggregate-count').getByText('from 3 traces', { exact: false }).waitFor();
  await page.getByTestId('stats-sort-count').click();
  await page.getByRole('grid', { name: 'Aggregate nodes' }).locator('.rows .row').first().click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `aggregate-${theme}.png`), fullPage: true });
  // Two real purchases compared (real exporter output): the second's card charge was slowed by 300 ms.
  await page.goto(server.url(`/?url=/shop.jsonl&trace=${await purchase(12)}&view=compare&theme=${theme}`));
  await page.getByTestId('compare-b-id').fill(await purchase(13));
  await page.getByTestId('compare-b-id').press('Enter');
  await page.getByTestId('verdict').getByText('charge card').waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `compare-${theme}.png`), fullPage: true });
  if (page.errors.length) console.log(theme, 'page errors:', page.errors);
  await page.context().close();
}
await browser.close();
await server.close();
console.log(`screenshots in ${out}`);
