// Browser benchmark: generated traces (Jaeger JSON and OTLP/JSON; 10k, 100k, 1M spans) dropped on the built
// viewer in headless chromium (--disable-gpu, window 1600×1000). Prints, per file: size, drop → first complete
// frame, WASM memory, the browser's process memory (PSS of all its processes, peak while loading), and frame
// times while zooming and panning with real input events (p50/p95), zoomed-out frames alone (dragging the rows
// up and down) and frames while hovering (the drawing stays; outline and cursor move). Frame columns also give
// the draw list's share.
//
//   bash benches/browser.sh            (builds dist/ and the generator, then runs this)
//   node benches/browser.mjs [sizes]   (sizes like 10k,100k,1m; default all three)
//
// A frame's time is the app's animation-frame callback: draw list, every canvas call, and a 1-pixel read that
// forces the canvas to rasterize inside the measured span (`?perf=1` turns these measures on).

import { statSync } from 'node:fs';
import { launchBrowser, startServer } from '../tests/e2e/harness.mjs';
import { browserMemory, traceFile } from './common.mjs';

const SIZES = (process.argv[2] ?? '10k,100k,1m').split(',');
const FORMATS = [['jaeger', 'jaeger.json'], ['otlp', 'otlp.json']].filter(([f]) => !process.env.FORMAT || process.env.FORMAT === f);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;

async function measure(browser, server, file) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.addInitScript(() => {
    window.addEventListener('TrunkApplicationStarted', (e) => { window.__spanlensWasm = e.detail.wasm; });
  });
  await page.goto(server.url('/?perf=1'));
  await page.locator('[data-testid=flame-canvas][data-window]').waitFor();
  // The file is picked from disk into a detached file input (outside the timing), then dropped like a file
  // from the desktop: the page gets a disk-backed File, as a person dropping a file does.
  const picker = await page.evaluateHandle(() => {
    const input = document.createElement('input');
    input.type = 'file';
    return input;
  });
  await picker.setInputFiles(file);
  await page.evaluate((input) => { window.__file = input.files[0]; }, picker);
  let peak = browserMemory();
  const sampler = setInterval(() => { peak = Math.max(peak, browserMemory()); }, 250);
  const phases = await page.evaluate(async () => {
    // The longest stretch the main thread was busy (no input handled) while loading.
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask' });
    const dt = new DataTransfer();
    dt.items.add(window.__file);
    delete window.__file;
    const t0 = performance.now();
    const target = document.querySelector('main');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    const first = () => performance.getEntriesByName('spanlens:first-frame').find((e) => e.startTime > t0);
    while (!first()) await new Promise((ok) => setTimeout(ok, 20));
    // When each load phase ended, from the drop (ms): read, parsed, trees, analyzed, summarized, first-frame.
    const phases = {};
    for (const e of performance.getEntriesByType('mark')) {
      if (e.name.startsWith('spanlens:') && e.startTime > t0 && !(e.name.slice(9) in phases)) phases[e.name.slice(9)] = e.startTime - t0;
    }
    return phases;
  });
  clearInterval(sampler);
  peak = Math.max(peak, browserMemory());
  const wasm = await page.evaluate(() => window.__spanlensWasm?.memory?.buffer?.byteLength ?? 0);
  const longest = await page.evaluate(() => window.__longest);

  const canvas = await page.locator('[data-testid=flame-canvas]').boundingBox();
  const cx = canvas.x + canvas.width / 2;
  const cy = canvas.y + canvas.height / 3;
  const frames = async (act) => {
    await page.evaluate(() => { performance.clearMeasures('spanlens:frame'); performance.clearMeasures('spanlens:frame-list'); });
    await act();
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    return page.evaluate(() => ['spanlens:frame', 'spanlens:frame-list'].map((n) => performance.getEntriesByName(n).map((e) => e.duration)));
  };
  const nextFrame = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
  // Zoomed out: the whole trace, dragged up and down by 10 px (scrolling the rows), so every frame draws anew.
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const [zoomedOut, zoomedOutList] = await frames(async () => {
    for (let i = 0; i < 20; i++) { await page.mouse.move(cx, cy - 20 - (i % 2) * 10); await nextFrame(); }
  });
  await page.mouse.up();
  // Hovering: the pointer moves over the bars, the drawing stays.
  const [hovering] = await frames(async () => {
    for (let i = 0; i < 20; i++) { await page.mouse.move(cx + (i % 2 ? 3 : -3), cy); await nextFrame(); }
  });
  const [moving, movingList] = await frames(async () => {
    for (let i = 0; i < 30; i++) { await page.mouse.wheel(0, -100); await nextFrame(); }
    await page.mouse.down();
    for (let i = 0; i < 30; i++) { await page.mouse.move(cx - 15 * i, cy + (i % 5)); await nextFrame(); }
    await page.mouse.up();
    for (let i = 0; i < 30; i++) { await page.mouse.wheel(0, 100); await nextFrame(); }
    for (let i = 0; i < 20; i++) { await page.mouse.wheel(i % 2 ? 200 : -200, 0); await nextFrame(); }
  });
  await context.close();
  return { phases, longest, wasm, peak, zoomedOut, zoomedOutList, hovering, moving, movingList };
}

const server = await startServer();
const browser = await launchBrowser();
const phaseRows = [];
const PHASES = ['read', 'parsed', 'trees', 'analyzed', 'summarized', 'first-frame'];
console.log('| trace | spans | file | drop → first frame | longest block while loading | WASM memory | browser memory (peak) | frame p50 / p95 zoom+pan | zoomed-out frame p50 | hover frame p50 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const size of SIZES) {
  for (const [format, ext] of FORMATS) {
    const file = traceFile(size, format, ext);
    const r = await measure(browser, server, file);
    const trace = format === 'jaeger' ? 'Jaeger JSON' : 'OTLP/JSON';
    const row = `| ${trace} | ${size} | ${mb(statSync(file).size)} | ${(r.phases['first-frame'] / 1000).toFixed(2)} s | ${(r.longest / 1000).toFixed(2)} s | ${mb(r.wasm)} | ${mb(r.peak)} | ${pct(r.moving, 50).toFixed(1)} / ${pct(r.moving, 95).toFixed(1)} ms (${r.moving.length} frames; draw list p95 ${pct(r.movingList, 95).toFixed(1)}) | ${pct(r.zoomedOut, 50).toFixed(1)} ms (draw list ${pct(r.zoomedOutList, 50).toFixed(1)}) | ${pct(r.hovering, 50).toFixed(1)} ms |`;
    console.log(row);
    phaseRows.push(`| ${trace} | ${size} | ${PHASES.map((p) => `${((r.phases[p] ?? NaN) / 1000).toFixed(2)}`).join(' | ')} |`);
  }
}
// Where the time to the first frame goes: when each phase ended, in seconds from the drop.
console.log(`\n| trace | spans | ${PHASES.join(' | ')} |`);
console.log(`|---|---:|${PHASES.map(() => '---:').join('|')}|`);
for (const row of phaseRows) console.log(row);
await browser.close();
await server.close();
