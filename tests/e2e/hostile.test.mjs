// Hostile files in the browser: each one loads or shows an error naming the problem, the page never dies,
// the trace on screen stays when a load fails, and a good file loads afterwards in the same page. The
// native half (every kind of hostile input, each span accounted for) is tests/adversarial.rs.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { dropFiles, newPage, serveAndLaunch, waitForTrace } from './harness.mjs';

const MEMORY_MB = 300;
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const span = (extra = {}) => ({ traceId: TRACE, spanId: 'b7ad6b7169203331', name: 'root', kind: 2,
  startTimeUnixNano: '1000000000', endTimeUnixNano: '1900000000', ...extra });
const otlp = (spans) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans }] }] });

const files = {
  // 16 MB of spaces gzipped is 16 KB; 64 of them concatenated unpack to 1 GB.
  '/bomb.json.gz': Buffer.concat(Array(64).fill(gzipSync(Buffer.alloc(16 << 20, ' '), { level: 9 }))),
  '/attribute.json': otlp([span({ attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(10 << 20) } }] })]),
  '/name.json': otlp([span({ name: 'n'.repeat(1 << 20) })]),
  '/events.json': otlp([span({ events: Array.from({ length: 100_000 }, (_, i) => ({ timeUnixNano: String(1_000_000_000 + i * 9000), name: `e${i}` })) })]),
  '/garbage.bin': Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)),
  '/utf16.json': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(otlp([span()]), 'utf16le')]),
};
const routes = Object.fromEntries(Object.entries(files).map(([path, body]) => [path, (_req, res) => res.end(body)]));
routes['/public/config.json'] = (_req, res) => res.end(JSON.stringify({ limits: { memoryMB: MEMORY_MB } }));
const env = serveAndLaunch({ routes });

const header = (page) => page.locator('.trace-header');

async function open() {
  const page = await newPage(env.browser);
  await page.addInitScript(() => {
    window.longest = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => { window.longest = Math.max(window.longest, e.duration); }))
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(env.server.url('/'));
  await waitForTrace(page);
  await page.waitForTimeout(200); // public/config.json read
  return page;
}

/** Drops `name` (served at /name) and waits for either the trace or the error panel; returns which. */
async function drop(page, name, expectError) {
  await page.evaluate(() => { window.longest = 0; });
  const started = Date.now();
  await dropFiles(page, [{ name, url: `/${name}` }]);
  if (expectError) {
    await page.getByTestId('error-panel').getByText(name).first().waitFor({ timeout: 60_000 });
  } else {
    await page.getByTestId('files').getByText(name).waitFor({ timeout: 60_000 });
    await header(page).getByText(/1 span\b/).waitFor();
  }
  return { seconds: (Date.now() - started) / 1000, longest: await page.evaluate(() => window.longest) };
}

async function goodFileLoads(page) {
  await dropFiles(page, ['otlp-hotrod-jaeger-apiv3-response.json']);
  await header(page).getByText('40 spans', { exact: true }).waitFor();
  assert.equal(await page.getByTestId('error-panel').count(), 0);
}

describe('hostile files in the browser', () => {
  test('a gzip bomb stops at the memory limit with a message naming it; the trace stays; the next file loads', async () => {
    const page = await open();
    const before = await page.getByTestId('trace-id').textContent();
    const { seconds } = await drop(page, 'bomb.json.gz', true);
    const text = await page.getByTestId('error-panel').locator('pre').textContent();
    assert.match(text, new RegExp(`out of memory: the load was stopped before the page's memory passed the ${MEMORY_MB} MB it may use \\([\\d.]+ MB held\\), after unpacking [\\d.]+ MB from [\\d.]+ [KM]B of gzip data`), text);
    assert.equal(await page.getByTestId('trace-id').textContent(), before, 'the trace on screen stays');
    console.log(`bomb stopped after ${seconds.toFixed(1)} s: ${text}`);
    await goodFileLoads(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a 10 MB attribute, a 1 MB span name and 100,000 events on one span open without freezing the page', async () => {
    const page = await open();
    for (const name of ['attribute.json', 'name.json', 'events.json']) {
      const { seconds, longest } = await drop(page, name, false);
      // Open the span's panel and hover its bar: the page answers at once.
      const box = await page.getByTestId('flame-canvas').boundingBox();
      const started = Date.now();
      await page.mouse.click(box.x + box.width / 2, box.y + 24 + 10);
      await page.getByTestId('span-detail').waitFor();
      // The panel opening can resize the canvas a frame later, which hides the tooltip (what was under the
      // pointer has moved): the pointer moves on until it shows, as a person's would.
      const tooltip = page.getByTestId('tooltip');
      for (let i = 0; i < 60 && !(await tooltip.isVisible()); i++) {
        const now = await page.getByTestId('flame-canvas').boundingBox();
        await page.mouse.move(now.x + now.width / 2 + 5 + (i % 3), now.y + 24 + 10);
        await page.waitForTimeout(50);
      }
      await tooltip.waitFor();
      const answered = (Date.now() - started) / 1000;
      const after = await page.evaluate(() => window.longest);
      console.log(`${name}: loaded in ${seconds.toFixed(2)} s (longest block ${longest.toFixed(0)} ms), panel and tooltip in ${answered.toFixed(2)} s (longest block ${after.toFixed(0)} ms)`);
      assert.ok(seconds < 20, `${name} loads in ${seconds} s`);
      assert.ok(after < 1000, `${name}: no block of a second or more (${after} ms)`);
      assert.ok((await page.getByTestId('detail-name').textContent()).length <= 201);
      assert.ok((await page.getByTestId('tooltip').textContent()).length < 400);
    }
    await page.getByTestId('events').waitFor();
    assert.match(await page.getByTestId('span-detail').textContent(), /Events \(100,000\)[\s\S]*\+99,900 more events/);
    await goodFileLoads(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('garbage, a UTF-16 file and text pasted from an HTML error page: each named, the page lives on', async () => {
    const page = await open();
    await drop(page, 'garbage.bin', true);
    assert.match(await page.getByTestId('error-panel').locator('pre').last().textContent(), /garbage\.bin:1:1: not valid UTF-8|garbage\.bin:\d+:\d+: /);
    await drop(page, 'utf16.json', false);
    await dropFiles(page, [{ name: 'page.json', text: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>' }]);
    await page.getByTestId('error-panel').getByText(/page\.json:1:1: the file is an HTML page, not trace JSON \(an error or login page\?\): "502 Bad Gateway"/).waitFor();
    await goodFileLoads(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
