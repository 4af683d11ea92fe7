// The clock-skew toggle on a big trace, with the engine in a worker and on the page (`?engine=page`),
// alternating: the time from ticking "Adjust clock skew" to the re-analysed trace drawn, and the longest
// main-thread task meanwhile (PerformanceObserver `longtask`).
//
//   node benches/skew.mjs [size] [format]   (after `trunk build --release`; default 1m otlp, RUNS=2)

import { launchBrowser, startServer } from '../tests/e2e/harness.mjs';
import { traceFile } from './common.mjs';

const size = process.argv[2] ?? '1m';
const format = process.argv[3] ?? 'otlp';
const file = traceFile(size, format, format === 'jaeger' ? 'jaeger.json' : 'otlp.json');
const RUNS = Number(process.env.RUNS ?? 2);

const server = await startServer({});
const browser = await launchBrowser();
const frames = () => performance.getEntriesByName('spanlens:first-frame').length;
console.log('| engine | spans | toggle → drawn | longest task |');
console.log('|---|---:|---:|---:|');
for (let run = 0; run < RUNS; run++) {
  for (const engine of ['worker', 'page']) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(300_000);
    await page.addInitScript(() => {
      window.__tasks = [];
      new PerformanceObserver((l) => window.__tasks.push(...l.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(server.url(`/?perf=1${engine === 'page' ? '&engine=page' : ''}`));
    await page.locator('[data-testid=flame-canvas][data-window]').waitFor();
    const picker = await page.evaluateHandle(() => Object.assign(document.createElement('input'), { type: 'file' }));
    await picker.setInputFiles(file);
    await page.evaluate((input) => {
      const dt = new DataTransfer();
      dt.items.add(input.files[0]);
      document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, picker);
    await page.waitForFunction((n) => performance.getEntriesByName('spanlens:first-frame').length >= n, 2);
    await new Promise((ok) => setTimeout(ok, 1000));
    const before = await page.evaluate(frames);
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('skew-toggle').check();
    await page.waitForFunction((n) => performance.getEntriesByName('spanlens:first-frame').length > n, before);
    const t1 = await page.evaluate(() => performance.now());
    await new Promise((ok) => setTimeout(ok, 300));
    const longest = await page.evaluate((t0) => Math.max(0, ...window.__tasks.filter(([s, d]) => s + d > t0).map(([, d]) => d)), t0);
    console.log(`| ${engine} | ${size} | ${((t1 - t0) / 1000).toFixed(2)} s | ${longest.toFixed(0)} ms |`);
    await context.close();
  }
}
await browser.close();
await server.close();
