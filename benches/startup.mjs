// Start-up: the release wasm's size (raw and gzipped) and the time from navigation to the bundled sample
// drawn (the `spanlens:first-frame` mark), median of RUNS loads (default 9) with a cold cache each, in
// headless chromium. `SPANLENS_DIST=dir` measures another build; several dirs, comma-separated, are measured
// in turns in the same run (e.g. `SPANLENS_DIST=dist-before,dist`).
//
// `DROP=file` also drops that file after each start and times drop → first frame (the readers' speed, for
// builds with other opt-levels); `ENGINE=page` reads it on the page.
//
//   node benches/startup.mjs   (after `trunk build --release`)

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO, launchBrowser } from '../tests/e2e/harness.mjs';

const dists = (process.env.SPANLENS_DIST ?? 'dist').split(',').map((d) => resolve(REPO, d));
const RUNS = Number(process.env.RUNS ?? 9);
const servers = [];
for (const dir of dists) {
  process.env.SPANLENS_DIST = dir;
  // The harness reads SPANLENS_DIST when imported: a fresh copy of it per build.
  const { startServer } = await import(`../tests/e2e/harness.mjs?dist=${encodeURIComponent(dir)}`);
  servers.push(await startServer());
}
const browser = await launchBrowser();
const times = dists.map(() => []);
const drops = dists.map(() => []);
for (let run = 0; run < RUNS; run++) {
  for (const [i, server] of servers.entries()) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto(server.url(`/?perf=1${process.env.ENGINE === 'page' ? '&engine=page' : ''}`));
    const ms = await page.waitForFunction(() => performance.getEntriesByName('spanlens:first-frame')[0]?.startTime).then((h) => h.jsonValue());
    times[i].push(ms);
    if (process.env.DROP) {
      page.setDefaultTimeout(300_000);
      const picker = await page.evaluateHandle(() => Object.assign(document.createElement('input'), { type: 'file' }));
      await picker.setInputFiles(process.env.DROP);
      const t0 = await page.evaluate((input) => {
        const dt = new DataTransfer();
        dt.items.add(input.files[0]);
        const t0 = performance.now();
        document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        return t0;
      }, picker);
      const first = (t0) => performance.getEntriesByName('spanlens:first-frame').find((e) => e.startTime > t0)?.startTime - t0;
      drops[i].push(await page.waitForFunction(first, t0).then((h) => h.jsonValue()));
    }
    await context.close();
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| build | wasm | gzipped | navigation → sample drawn (median) |${process.env.DROP ? ' drop → first frame (median) |' : ''}`);
console.log(`|---|---:|---:|---:|${process.env.DROP ? '---:|' : ''}`);
for (const [i, dir] of dists.entries()) {
  const wasm = readdirSync(dir).find((f) => f.endsWith('_bg.wasm'));
  const bytes = readFileSync(join(dir, wasm));
  const drop = process.env.DROP ? ` ${median(drops[i]).toFixed(0)} ms |` : '';
  console.log(`| ${dir.replace(REPO + '/', '')} | ${(bytes.length / 1e6).toFixed(2)} MB | ${(gzipSync(bytes, { level: 9 }).length / 1e3).toFixed(0)} KB | ${median(times[i]).toFixed(0)} ms |${drop}`);
}
await browser.close();
for (const s of servers) await s.close();
