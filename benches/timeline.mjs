// Timeline benchmark: a generated OTLP trace (spanlens-gen --spans 1m, seed 1; SIZE=100k for another size)
// opened with ?url= in headless chromium (window 1600×1000). Prints the time from a click on the Timeline tab
// to its first frame, then frame times while the rows scroll and while the time axis zooms, with wheel events
// as a person sends them (the app's frame: drawing and rasterizing, as `?perf=1` measures it; and the time
// between animation frames); then the Spans tab: on screen, and sorted by operation and by duration (the
// click to the second frame after the header shows the new order); then the Events tab: on screen, and
// filtered by the search language.
//
//   trunk build --release && cargo build --release --bin spanlens-gen && node benches/timeline.mjs

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, launchBrowser, newPage, startServer } from '../tests/e2e/harness.mjs';

const dir = join(REPO, 'target', 'bench-traces');
const SIZE = process.env.SIZE ?? "1m";
const file = join(dir, `${SIZE}.otlp.json`);
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', SIZE, '--format', 'otlp', '--seed', '1', '-o', file], { stdio: 'inherit' });

const server = await startServer({ routes: { '/1m.json': (_req, res) => createReadStream(file).pipe(res) } });
const browser = await launchBrowser();
const page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
page.on('crash', () => console.log('the page crashed'));
await page.goto(server.url('/?url=/1m.json&perf=1'));
await page.locator('[data-testid=span-count]').first().waitFor({ timeout: 300_000 });
await page.getByTestId('flame-canvas').waitFor();
await page.waitForTimeout(1000);

const switched = await page.evaluate(async () => {
  const t = performance.now();
  document.querySelector('[data-testid=tab-timeline]').click();
  for (;;) {
    await new Promise((ok) => requestAnimationFrame(ok));
    const c = document.querySelector('[data-testid=timeline-canvas]');
    if (c && Number(c.dataset.rows) > 0) break;
  }
  return performance.now() - t;
});

const frames = (kind) => page.evaluate(async (kind) => {
  const canvas = document.querySelector('[data-testid=timeline-canvas]');
  const rect = canvas.getBoundingClientRect();
  const frame = () => new Promise((ok) => requestAnimationFrame(() => ok(performance.now())));
  const times = [];
  performance.clearMeasures('spanlens:timeline-frame');
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
  const painted = performance.getEntriesByName('spanlens:timeline-frame').map((e) => e.duration);
  return { times, painted };
}, kind);
const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.floor(p * (a.length - 1))].toFixed(1);
const scroll = await frames('scroll');
const zoom = await frames('zoom');
// The spans tab: on screen, then sorted by duration (the click to the frame with the new first row).
const spans = await page.evaluate(async () => {
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  const t = performance.now();
  document.querySelector('[data-testid=tab-spans]').click();
  while (!document.querySelector('.spans-table .rows .row')) await frame();
  const shown = performance.now() - t;
  // Each sort: the click to the second frame after the header says so (the rows are redrawn by then).
  const sort = async (testid) => {
    const head = document.querySelector(`[data-testid=${testid}]`);
    const t = performance.now();
    head.click();
    while (head.getAttribute('aria-sort') === 'none') await frame();
    await frame();
    await frame();
    return performance.now() - t;
  };
  return { shown, byOperation: await sort('sort-operation'), byDuration: await sort('sort-duration') };
});
// The events tab: every event of the trace in time order, on screen; then filtered by the search language.
const events = await page.evaluate(async () => {
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  const t = performance.now();
  document.querySelector('[data-testid=tab-events]').click();
  while (!document.querySelector('.events-table .rows .row')) await frame();
  const shown = performance.now() - t;
  const count = document.querySelector('[data-testid=events-count]').textContent;
  const box = document.querySelector('[data-testid=events-search]');
  const t2 = performance.now();
  box.value = 'status:error';
  box.dispatchEvent(new Event('input', { bubbles: true }));
  while (document.querySelector('[data-testid=events-count]').textContent === count) await frame();
  await frame();
  return { shown, count, filtered: performance.now() - t2, after: document.querySelector('[data-testid=events-count]').textContent };
});
console.log(`Timeline tab of ${SIZE} spans on screen ${switched.toFixed(0)} ms after the click`);
for (const [what, { times, painted }] of [['scrolling', scroll], ['zooming', zoom]]) {
  console.log(`${what}: the app's frame p50 ${q(painted, 0.5)} ms, p95 ${q(painted, 0.95)} ms, max ${q(painted, 1)} ms (${painted.length} frames); between frames p50 ${q(times, 0.5)} ms, p95 ${q(times, 0.95)} ms`);
}
console.log(`Spans tab on screen ${spans.shown.toFixed(0)} ms after the click; sorted by operation in ${spans.byOperation.toFixed(0)} ms, by duration in ${spans.byDuration.toFixed(0)} ms`);
console.log(`Events tab (${events.count}) on screen ${events.shown.toFixed(0)} ms after the click; filtered to the errors' events (${events.after}) in ${events.filtered.toFixed(0)} ms`);
if (page.errors.length) console.log('page errors:', page.errors);
await browser.close();
await server.close();
