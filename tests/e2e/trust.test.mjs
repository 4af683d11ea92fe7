// Trust on a first trace, in the browser (the native halves: tests/exporters.rs, tests/incremental.rs):
// - gzip bombs that unpack past 2 GiB, by file drop and by `spanlens:load` bytes, end in an error naming
//   the limit (no page error, the module alive), and the next load works;
// - one damaged number in real exporter output costs one span (or none), and says so;
// - Jaeger UI's link to one span (`uiFind=<spanId>`) and `q=<first digits of an id>` select and frame it;
// - servers that end after their clients on one host are an overrun on the timeline and in the span panel,
//   never clock skew.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO, dropFiles, newPage, serveAndLaunch, waitForTrace } from './harness.mjs';
import { HOTROD, routes as backendRoutes } from './fake-backends.mjs';

const GiB = 1 << 30;
// Gzip members concatenated: each unpacks to 16 MB, so `count` of them to count × 16 MB.
const members = (chunk, count) => Buffer.concat(Array(count).fill(gzipSync(chunk, { level: 9 })));
// 2.25 GB of white space from 2.3 MB.
const whitespaceBomb = members(Buffer.alloc(16 << 20, ' '), 135);
// An OTLP document of 2.2 GB of the same span over and over (from a few MB).
const span = '{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"again","startTimeUnixNano":"1000000000","endTimeUnixNano":"1900000000"},';
const spansChunk = Buffer.from(span.repeat(Math.floor((16 << 20) / span.length)));
const spansBomb = Buffer.concat([
  gzipSync('{"resourceSpans":[{"scopeSpans":[{"spans":['),
  members(spansChunk, 132),
  gzipSync(span.slice(0, -1) + ']}]}]}'),
]);
const data = (name) => readFileSync(join(REPO, 'tests', 'data', name));

/** A parent page embedding the viewer, recording what it is told. */
const parent = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<iframe id="viewer" src="/?embed=1" style="width:1000px;height:600px;border:0"></iframe>
<script src="/__parent.js"></script></body></html>`;
const parentScript = `window.received = [];
addEventListener('message', (e) => received.push(e.data));
window.viewer = () => document.getElementById('viewer').contentWindow;
window.next = (types, timeout) => new Promise((ok, fail) => {
  const from = received.length, start = Date.now();
  (function poll() {
    const hit = received.slice(from).find((m) => types.includes(m && m.type));
    if (hit) return ok(hit);
    if (Date.now() - start > timeout) return fail(new Error('no ' + types + ' within ' + timeout + ' ms'));
    setTimeout(poll, 50);
  })();
});
window.send = async (name, url) => {
  const buf = await (await fetch(url)).arrayBuffer();
  const reply = next(['spanlens:loaded', 'spanlens:error'], 120000);
  viewer().postMessage({ type: 'spanlens:load', name, data: buf }, location.origin, [buf]);
  return reply;
};`;

const served = {
  '/whitespace.json.gz': whitespaceBomb,
  '/spans.json.gz': spansBomb,
  '/damaged-zipkin-fractional-micros.json': data('damaged-zipkin-fractional-micros.json'),
  '/damaged-otlp-end-1e400.jsonl': data('damaged-otlp-end-1e400.jsonl'),
  '/otel-js-express.jsonl': data('otel-js-express.jsonl'),
  '/__parent.html': parent,
  '/__parent.js': parentScript,
};
const routes = { ...backendRoutes };
for (const [path, body] of Object.entries(served)) routes[path] = (_req, res) => res.end(body);
const env = serveAndLaunch({ routes });

const LIMIT = /(unpacks to more than 1\.8 GB \(the most one browser tab can read\)|out of memory: the load was stopped before the page's memory passed the [\d.]+ GB it may use)/;

describe('no input can stop the module', () => {
  test('bombs unpacking past 2 GiB, dropped: an error naming the limit, no page error, then a trace loads', async () => {
    assert.ok(whitespaceBomb.length < 3e6 && spansBomb.length < 10e6, `${whitespaceBomb.length} and ${spansBomb.length} bytes`);
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    for (const name of ['whitespace.json.gz', 'spans.json.gz']) {
      const started = Date.now();
      await dropFiles(page, [{ name, url: `/${name}` }]);
      const panel = page.getByTestId('error-panel');
      await panel.getByText(name).first().waitFor({ timeout: 120_000 });
      const text = await panel.locator('pre').last().textContent();
      assert.match(text, LIMIT, text);
      console.log(`${name} (${(served[`/${name}`].length / 1e6).toFixed(1)} MB): ${((Date.now() - started) / 1000).toFixed(1)} s: ${text}`);
      await page.getByRole('button', { name: /dismiss|close/i }).first().click().catch(() => {});
    }
    await dropFiles(page, ['otlp-hotrod-jaeger-apiv3-response.json']);
    await page.locator('.trace-header').getByText('40 spans', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('crash').count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the same bombs as spanlens:load bytes: spanlens:error naming the limit, then spanlens:loaded', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/__parent.html'));
    await page.evaluate(() => next(['spanlens:ready'], 20000));
    for (const name of ['whitespace.json.gz', 'spans.json.gz']) {
      const reply = await page.evaluate((name) => send(name, `/${name}`), name);
      assert.equal(reply.type, 'spanlens:error', JSON.stringify(reply).slice(0, 300));
      assert.match(reply.message, LIMIT, reply.message);
      assert.match(reply.message, new RegExp(name.replace('.', '\\.')));
    }
    const reply = await page.evaluate(() => send('hotrod.json', '/fixtures/otlp-hotrod-jaeger-apiv3-response.json'));
    assert.equal(reply.type, 'spanlens:loaded');
    assert.equal(reply.summary.traces[0].spanCount, 40);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('one damaged value costs one span', () => {
  test('a fractional microsecond is read and said once; an end of 1e400 rejects its span, the rest load', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/__parent.html'));
    await page.evaluate(() => next(['spanlens:ready'], 20000));
    const zipkin = await page.evaluate(() => send('z.json', '/damaged-zipkin-fractional-micros.json'));
    assert.equal(zipkin.type, 'spanlens:loaded', JSON.stringify(zipkin));
    assert.equal(zipkin.summary.traces[0].spanCount, 7);
    assert.deepEqual(zipkin.summary.rejected, []);
    assert.deepEqual(zipkin.summary.warnings, ['1 span had times with fractions of a microsecond (the format counts whole ones): read to the nanosecond']);
    const otlp = await page.evaluate(() => send('o.jsonl', '/damaged-otlp-end-1e400.jsonl'));
    assert.equal(otlp.type, 'spanlens:loaded', JSON.stringify(otlp).slice(0, 300));
    assert.equal(otlp.summary.traces.length, 20);
    assert.deepEqual(otlp.summary.rejected, [{ reason: 'a span with a wrong-typed field or an out-of-range value', count: 1 }]);
    assert.match(otlp.summary.warnings[0], /^o\.jsonl:1:2181: number out of range \(field spans\[2\]\.endTimeUnixNano\): the span was rejected/);
    assert.deepEqual(page.errors, []);
    // Dropped on the viewer, it says so in its warnings.
    const viewer = await newPage(env.browser);
    await viewer.goto(env.server.url('/'));
    await waitForTrace(viewer);
    await dropFiles(viewer, [{ name: 'o.jsonl', url: '/damaged-otlp-end-1e400.jsonl' }]);
    await viewer.getByTestId('trace-list').waitFor();
    await viewer.locator('.trace-table .rows .row').first().click();
    await viewer.getByTestId('warnings').locator('summary').click();
    assert.match(await viewer.getByTestId('warnings').textContent(), /number out of range \(field spans\[2\]\.endTimeUnixNano\): the span was rejected/);
    assert.deepEqual(viewer.errors, []);
    await page.context().close();
    await viewer.context().close();
  });
});

describe('ids are searchable', () => {
  const SPAN = '2947f6da1a6168d0'; // GET /customer, 258 ms of HotROD's 712
  for (const [how, query] of [['uiFind=<spanId>', `uiFind=${SPAN}`], ['q=<first digits, any case>', 'q=2947F6DA1a']]) {
    test(`${how} on a trace from the Jaeger backend selects and frames the span, in every view`, async () => {
      const page = await newPage(env.browser);
      await page.goto(env.server.url(`/?traceId=${HOTROD}&backend=jaeger&${query}`));
      await page.locator('.trace-header').getByText('40 spans', { exact: true }).waitFor();
      await page.getByTestId('detail-name').getByText('GET /customer').waitFor();
      await page.getByTestId('search-status').getByText(/\b1 match/).waitFor();
      // Framed: the flame graph's window is about the span's 258 ms, not the trace's 712.
      const canvas = page.getByTestId('flame-canvas');
      await page.waitForFunction(() => {
        const [a, b] = document.querySelector('[data-testid=flame-canvas]').dataset.window.split(' ').map(Number);
        return b - a < 400e6;
      });
      assert.notEqual(await canvas.getAttribute('data-selected'), '');
      await page.getByTestId('tab-timeline').click();
      await page.getByTestId('detail-name').getByText('GET /customer').waitFor();
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }
});

describe('one host, one clock', () => {
  test('servers ending after their clients on one host: no clock-skew finding, an overrun mark and its words', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/?url=/otel-js-express.jsonl'));
    await page.getByTestId('trace-list').waitFor();
    await page.locator('.trace-table .rows .row').first().click();
    await page.locator('.trace-header').getByText('65 spans', { exact: true }).waitFor();
    const findings = await page.getByTestId('findings').textContent();
    assert.doesNotMatch(findings, /clock/i, findings);
    // A server span that ended after its client: the panel says what that is.
    await page.getByTestId('search').fill('kind:server service:inventory');
    await page.getByTestId('search').press('Enter');
    const warnings = page.getByTestId('span-warnings');
    const words = /Ends [\d.]+ (µs|ms) after its parent \(the server finished after the client had its answer\): not clock skew\./;
    // Step through the matches until one that ended after its client.
    for (let i = 0; i < 12 && !words.test(await warnings.textContent({ timeout: 500 }).catch(() => '')); i++) {
      await page.getByTestId('search').press('Enter');
    }
    assert.match(await warnings.textContent(), words);
    // The timeline marks where each parent ended on the rows that ran past it.
    await page.getByTestId('tab-timeline').click();
    const timeline = page.getByTestId('timeline-canvas');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=timeline-canvas]')?.dataset.overruns) > 0);
    assert.ok(await timeline.count());
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
