// Browser benchmark of the engine: the same generated traces loaded with the engine in a worker and on the
// page (`?engine=page`), side by side in one run, interleaved (worker, page, worker, page … per input, so a
// noisy neighbour hits both alike). Per input: drop → first frame (a disk-backed File, as from the desktop)
// or page start → first frame (`?url=`), the longest main-thread task while loading (PerformanceObserver
// `longtask`), and the peak PSS of all the browser's processes.
//
//   BENCH=engine bash benches/browser.sh [sizes]   (builds dist/ and the generator; sizes like 10k,100k,1m)
//   node benches/engine.mjs [sizes]  (after `trunk build --release`)
//   RUNS=3 FORMAT=jaeger PATHS=file  (repeats, one format, one way in)

import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer } from '../tests/e2e/harness.mjs';
import { OUT, browserMemory, traceFile } from './common.mjs';

const SIZES = (process.argv[2] ?? '10k,100k,1m').split(',');
const FORMATS = [['jaeger', 'jaeger.json'], ['otlp', 'otlp.json']].filter(([f]) => !process.env.FORMAT || process.env.FORMAT === f);
const PATHS = (process.env.PATHS ?? 'file,url').split(',');
const RUNS = Number(process.env.RUNS ?? 1);

// Records the longest main-thread task from the page's start.
const LONGTASKS = () => {
  window.__tasks = [];
  new PerformanceObserver((list) => window.__tasks.push(...list.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
};
/** The longest task that ended after `t0` (ms since navigation), and the load's phases from `t0`. */
const afterLoad = (t0) => ({
  longest: Math.max(0, ...window.__tasks.filter(([start, length]) => start + length > t0).map(([, length]) => length)),
  tasks: window.__tasks.filter(([start, length]) => start + length > t0).map(([start, length]) => [Math.round(start - t0), Math.round(length)]),
  phases: Object.fromEntries(performance.getEntriesByType('mark').filter((e) => e.name.startsWith('spanlens:') && e.startTime > t0).map((e) => [e.name.slice(9), Math.round(e.startTime - t0)])),
});

const firstFrameAfter = (t0) => {
  const marks = performance.getEntriesByName('spanlens:first-frame').filter((e) => e.startTime > t0);
  return marks.length ? marks[0].startTime - t0 : null;
};

async function measure(browser, server, file, name, how, engine) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(300_000);
  await page.addInitScript(LONGTASKS);
  if (process.env.PHASES) page.on('worker', (w) => w.on('console', (m) => console.error('worker:', m.text())));
  const query = engine === 'page' ? '&engine=page' : '';
  let peak = browserMemory();
  const sampler = setInterval(() => { peak = Math.max(peak, browserMemory()); }, 100);
  let ms, after;
  const loaded = () => page.locator('[data-testid=files] .open', { hasText: name }).first().waitFor();
  if (how === 'file') {
    await page.goto(server.url(`/?perf=1${query}`));
    await page.locator('[data-testid=flame-canvas][data-window]').waitFor();
    const picker = await page.evaluateHandle(() => Object.assign(document.createElement('input'), { type: 'file' }));
    await picker.setInputFiles(file);
    await page.evaluate((input) => { window.__file = input.files[0]; }, picker);
    const t0 = await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(window.__file);
      delete window.__file;
      const t0 = performance.now();
      document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      return t0;
    });
    await loaded();
    ms = await page.waitForFunction(firstFrameAfter, t0).then((h) => h.jsonValue());
    await new Promise((ok) => setTimeout(ok, 300));
    after = await page.evaluate(afterLoad, t0);
  } else {
    await page.goto(server.url(`/?perf=1${query}&url=/bench/${name}`));
    await loaded();
    ms = await page.waitForFunction(firstFrameAfter, 0).then((h) => h.jsonValue());
    await new Promise((ok) => setTimeout(ok, 300));
    after = await page.evaluate(afterLoad, 0);
  }
  clearInterval(sampler);
  peak = Math.max(peak, browserMemory());
  await context.close();
  if (process.env.PHASES) console.error(engine, how, JSON.stringify(after.phases), 'long tasks [start, ms]:', JSON.stringify(after.tasks));
  return { ms, longest: after.longest, peak };
}

const server = await startServer({
  routes: {
    '/bench/*': (req, res, url) => {
      const file = join(OUT, url.pathname.slice('/bench/'.length).replace(/[^\w.]/g, ''));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': statSync(file).size, 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
    },
  },
});
const browser = await launchBrowser();
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
console.log('| trace | spans | way in | first frame: worker / page (ratio) | longest task: worker / page | peak PSS: worker / page |');
console.log('|---|---:|---|---:|---:|---:|');
for (const size of SIZES) {
  for (const [format, ext] of FORMATS) {
    const file = traceFile(size, format, ext);
    const name = `${size}.${ext}`;
    for (const how of PATHS) {
      const runs = { worker: [], page: [] };
      for (let i = 0; i < RUNS; i++) {
        for (const engine of ['worker', 'page']) runs[engine].push(await measure(browser, server, file, name, how, engine));
      }
      const median = (xs, key) => [...xs.map((x) => x[key])].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const [w, p] = [runs.worker, runs.page];
      const trace = format === 'jaeger' ? 'Jaeger JSON' : 'OTLP/JSON';
      const ratio = (median(w, 'ms') / median(p, 'ms')).toFixed(2);
      console.log(`| ${trace} | ${size} | ${how === 'file' ? 'file drop' : '?url='} | ${s(median(w, 'ms'))} / ${s(median(p, 'ms'))} (${ratio}×) | ${median(w, 'longest').toFixed(0)} / ${median(p, 'longest').toFixed(0)} ms | ${mb(median(w, 'peak'))} / ${mb(median(p, 'peak'))} |`);
    }
  }
}
await browser.close();
await server.close();
