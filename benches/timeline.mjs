// Timeline benchmark: a generated 1M-span OTLP trace (spanlens-gen --spans 1m, seed 1) opened with ?url= in
// headless chromium (window 1600×1000). Prints the time from a click on the Timeline tab to its first frame
// with every row, then frame times (p50/p95/max, between animation frames) while the rows scroll and while the
// time axis zooms, with wheel events as a person sends them.
//
//   trunk build --release && cargo build --release --bin spanlens-gen && node benches/timeline.mjs

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, launchBrowser, newPage, startServer } from '../tests/e2e/harness.mjs';

const dir = join(REPO, 'target', 'bench-traces');
const file = join(dir, '1m.otlp.json');
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', '1m', '--format', 'otlp', '--seed', '1', '-o', file], { stdio: 'inherit' });

const server = await startServer({ routes: { '/1m.json': (_req, res) => createReadStream(file).pipe(res) } });
const browser = await launchBrowser();
const page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
await page.goto(server.url('/?url=/1m.json'));
await page.locator('[data-testid=span-count]').first().waitFor({ timeout: 300_000 });
await page.getByTestId('flame-canvas').waitFor();
await page.waitForTimeout(1000);

const switched = await page.evaluate(async () => {
  const t = performance.now();
  document.querySelector('[data-testid=tab-timeline]').click();
  for (;;) {
    await new Promise((ok) => requestAnimationFrame(ok));
    const c = document.querySelector('[data-testid=timeline-canvas]');
    if (c && Number(c.dataset.rows) === 1000000) break;
  }
  return performance.now() - t;
});

const frames = (kind) => page.evaluate(async (kind) => {
  const canvas = document.querySelector('[data-testid=timeline-canvas]');
  const rect = canvas.getBoundingClientRect();
  const frame = () => new Promise((ok) => requestAnimationFrame(() => ok(performance.now())));
  const times = [];
  let last = await frame();
  for (let i = 0; i < 150; i++) {
    const zoom = kind === 'zoom';
    canvas.dispatchEvent(new WheelEvent('wheel', {
      deltaY: zoom ? (i < 75 ? -60 : 60) : 400, ctrlKey: zoom, bubbles: true, cancelable: true,
      clientX: rect.left + rect.width * 0.7, clientY: rect.top + 200,
    }));
    const now = await frame();
    times.push(now - last);
    last = now;
  }
  return times;
}, kind);
const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.floor(p * (a.length - 1))].toFixed(1);
const scroll = await frames('scroll');
const zoom = await frames('zoom');
console.log(`Timeline tab of 1,000,000 spans on screen ${switched.toFixed(0)} ms after the click`);
console.log(`scrolling: p50 ${q(scroll, 0.5)} ms, p95 ${q(scroll, 0.95)} ms, max ${q(scroll, 1)} ms a frame`);
console.log(`zooming:   p50 ${q(zoom, 0.5)} ms, p95 ${q(zoom, 0.95)} ms, max ${q(zoom, 1)} ms a frame`);
if (page.errors.length) console.log('page errors:', page.errors);
await browser.close();
await server.close();
