// Start-up: the release wasm's size (raw and gzipped) and the time from navigation to the bundled sample
// drawn (the `spanlens:first-frame` mark), median of RUNS loads (default 9) with a cold cache each, in
// headless chromium. `SPANLENS_DIST=dir` measures another build; several dirs, comma-separated, are measured
// in turns in the same run (e.g. `SPANLENS_DIST=dist-before,dist`).
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
for (let run = 0; run < RUNS; run++) {
  for (const [i, server] of servers.entries()) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto(server.url('/?perf=1'));
    const ms = await page.waitForFunction(() => performance.getEntriesByName('spanlens:first-frame')[0]?.startTime).then((h) => h.jsonValue());
    times[i].push(ms);
    await context.close();
  }
}
console.log('| build | wasm | gzipped | navigation → sample drawn (median) |');
console.log('|---|---:|---:|---:|');
for (const [i, dir] of dists.entries()) {
  const wasm = readdirSync(dir).find((f) => f.endsWith('_bg.wasm'));
  const bytes = readFileSync(join(dir, wasm));
  const median = [...times[i]].sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  console.log(`| ${dir.replace(REPO + '/', '')} | ${(bytes.length / 1e6).toFixed(2)} MB | ${(gzipSync(bytes, { level: 9 }).length / 1e3).toFixed(0)} KB | ${median.toFixed(0)} ms |`);
}
await browser.close();
for (const s of servers) await s.close();
