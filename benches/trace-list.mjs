// Trace list benchmark: a file of 10,000 traces (spanlens-gen --spans 100k --traces 10k, seed 3) opened with
// ?url= in headless chromium (window 1280×900). Prints when the list is on screen, the rows in the DOM, the
// time from a sort change to the second frame after it, and frame times while the table scrolls.
//
//   trunk build --release && cargo build --release --bin spanlens-gen && node benches/trace-list.mjs

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, launchBrowser, newPage, startServer } from '../tests/e2e/harness.mjs';

const dir = join(REPO, 'target', 'bench-traces');
const file = join(dir, '10k-traces.otlp.json');
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) {
  execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', '100k', '--traces', '10k', '--seed', '3', '-o', file], { stdio: 'inherit' });
}
const server = await startServer({ routes: { '/10k.json': (_req, res) => createReadStream(file).pipe(res) } });
const browser = await launchBrowser();
const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
const started = Date.now();
await page.goto(server.url('/?url=/10k.json'));
await page.getByTestId('trace-list').waitFor({ timeout: 120_000 });
const shown = (Date.now() - started) / 1000;
const rowsInDom = await page.locator('.trace-table .rows .row').count();
const times = await page.evaluate(async () => {
  const frame = () => new Promise((ok) => requestAnimationFrame(() => ok(performance.now())));
  const out = { sort: [], scroll: [] };
  const select = document.querySelector('[data-testid="trace-sort"]');
  for (const key of ['longest', 'shortest', 'spans', 'errors', 'name', 'recent']) {
    const t = performance.now();
    select.value = key;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await frame();
    out.sort.push((await frame()) - t);
  }
  const grid = document.querySelector('.trace-table');
  let last = await frame();
  for (let i = 0; i < 120; i++) {
    grid.scrollTop += 900;
    const now = await frame();
    out.scroll.push(now - last);
    last = now;
  }
  return out;
});
const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.floor(p * (a.length - 1))].toFixed(1);
console.log(`list on screen after ${shown.toFixed(1)} s; ${rowsInDom} rows in the DOM of 10,000`);
console.log(`sort change → second frame: ${times.sort.map((t) => t.toFixed(0)).join(', ')} ms`);
console.log(`scrolling frames: p50 ${q(times.scroll, 0.5)} ms, p95 ${q(times.scroll, 0.95)} ms, max ${q(times.scroll, 1)} ms`);
if (page.errors.length) console.log('page errors:', page.errors);
await browser.close();
await server.close();
