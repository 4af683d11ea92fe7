// Statistics benchmark: a generated OTLP trace (spanlens-gen --spans 1m, seed 1; SIZE=100k for another size)
// opened with ?url= in headless chromium (window 1600×1000). Prints the time from a click on the Statistics
// tab to the table and all three charts on screen, how long each chart took to draw (`data-draw-ms`: the
// plotters drawing, as the page measures it), regrouping by operation, and the histogram once a span is
// selected; then the flame graph's "Group repeats": the click to the folded trace's first frame, and the
// folded flame graph's frames while zooming and panning.
//
//   trunk build --release && cargo build --release --bin spanlens-gen && node benches/stats.mjs

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, launchBrowser, newPage, startServer } from '../tests/e2e/harness.mjs';

const dir = join(REPO, 'target', 'bench-traces');
const SIZE = process.env.SIZE ?? '1m';
const file = join(dir, `${SIZE}.otlp.json`);
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', SIZE, '--format', 'otlp', '--seed', '1', '-o', file], { stdio: 'inherit' });

const server = await startServer({ routes: { '/big.json': (_req, res) => createReadStream(file).pipe(res) } });
const browser = await launchBrowser();
const page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
await page.goto(server.url('/?url=/big.json&perf=1'));
await page.locator('[data-testid=span-count]').first().waitFor({ timeout: 300_000 });
await page.getByTestId('flame-canvas').waitFor();
await page.waitForTimeout(1000);

const CHARTS = ['chart-services', 'chart-histogram', 'chart-concurrency'];
const opened = await page.evaluate(async (charts) => {
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  const t = performance.now();
  document.querySelector('[data-testid=tab-stats]').click();
  const drawn = () => charts.every((id) => Number(document.querySelector(`[data-testid=${id}] canvas`)?.dataset.draws) > 0);
  while (!document.querySelector('.stats-table .rows .row') || !drawn()) await frame();
  await frame();
  return performance.now() - t;
}, CHARTS);
const drawMs = async () => Object.fromEntries(await Promise.all(CHARTS.map(async (id) => [id, await page.locator(`[data-testid=${id}] canvas`).getAttribute('data-draw-ms')])));
const first = await drawMs();

const regrouped = await page.evaluate(async () => {
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  const count = () => document.querySelector('[data-testid=stats-count]').textContent;
  const before = count();
  const select = document.querySelector('[data-testid=group-by]');
  const t = performance.now();
  select.value = 'operation';
  select.dispatchEvent(new Event('change', { bubbles: true }));
  while (count() === before) await frame();
  await frame();
  return { ms: performance.now() - t, groups: count() };
});

// Select the longest span's sibling of the largest operation: the spans tab's first row by duration.
await page.getByTestId('tab-spans').click();
await page.locator('.spans-table .rows .row').nth(3).click();
await page.getByTestId('tab-stats').click();
await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-histogram] canvas')?.dataset.draws) > 0);
await page.waitForTimeout(300);
const histogram = await page.locator('[data-testid=chart-histogram] canvas').getAttribute('data-draw-ms');

// Group repeats: every run folded, from the click to the folded trace's flame graph on screen.
await page.getByTestId('tab-flame').click();
await page.getByTestId('flame-canvas').waitFor();
await page.waitForTimeout(500);
const folded = await page.evaluate(async () => {
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  const before = document.querySelector('[data-testid=flame-canvas]').dataset.bars;
  const box = document.querySelector('[data-testid=group-repeats]');
  const t = performance.now();
  box.click();
  while (!document.querySelector('[data-testid=fold-ms]') || document.querySelector('[data-testid=flame-canvas]')?.dataset.bars === before) await frame();
  await frame();
  return { ms: performance.now() - t, runs: document.querySelector('[data-testid=repeats-count]').textContent, fold: document.querySelector('[data-testid=fold-ms]').textContent };
});

// Frames of the folded flame graph while zooming and panning with real input (as benches/browser.mjs does for
// the trace as loaded): the app's animation-frame callback, `spanlens:frame`.
const canvas = await page.getByTestId('flame-canvas').boundingBox();
const [cx, cy] = [canvas.x + canvas.width / 2, canvas.y + canvas.height / 3];
const nextFrame = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
await page.evaluate(() => performance.clearMeasures('spanlens:frame'));
await page.mouse.move(cx, cy);
for (let i = 0; i < 30; i++) { await page.mouse.wheel(0, -100); await nextFrame(); }
await page.mouse.down();
for (let i = 0; i < 30; i++) { await page.mouse.move(cx - 15 * i, cy + (i % 5)); await nextFrame(); }
await page.mouse.up();
for (let i = 0; i < 30; i++) { await page.mouse.wheel(0, 100); await nextFrame(); }
await nextFrame();
const foldedFrames = (await page.evaluate(() => performance.getEntriesByName('spanlens:frame').map((e) => e.duration))).sort((a, b) => a - b);
const pct = (p) => foldedFrames[Math.min(foldedFrames.length - 1, Math.floor((p / 100) * foldedFrames.length))] ?? NaN;

console.log(`Statistics tab of ${SIZE} spans: table and charts on screen ${opened.toFixed(0)} ms after the click`);
console.log(`drawing: time per service ${first['chart-services']} ms, spans running at once ${first['chart-concurrency']} ms, histogram of the selected span's operation ${histogram} ms`);
console.log(`regrouped by operation (${regrouped.groups}) in ${regrouped.ms.toFixed(0)} ms`);
console.log(`Group repeats (${folded.runs}): the folded trace's flame graph on screen ${folded.ms.toFixed(0)} ms after the click (${folded.fold})`);
console.log(`folded flame graph, zooming and panning: frame p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms (${foldedFrames.length} frames)`);
if (page.errors.length) console.log('page errors:', page.errors);
await browser.close();
await server.close();
