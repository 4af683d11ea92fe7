// The embedding API (DESIGN.md): a parent page drives the viewer in an iframe with postMessage.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, startServer, waitForTrace } from './harness.mjs';

/** A parent page: embeds `src` and records every message it receives in `window.received`. */
const parentPage = (src) => `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>parent</title></head>
<body>
<iframe id="viewer" src="${src}" style="width:1000px;height:600px;border:0"></iframe>
<script>
  window.received = [];
  addEventListener('message', (e) => received.push({ origin: e.origin, data: e.data }));
  window.viewer = () => document.getElementById('viewer').contentWindow;
  window.waitFor = (type, timeout = 10000) => new Promise((ok, fail) => {
    const start = Date.now();
    (function poll() {
      const hit = received.find((m) => m.data && m.data.type === type);
      if (hit) return ok(hit);
      if (Date.now() - start > timeout) return fail(new Error('no ' + type + ' within ' + timeout + ' ms'));
      setTimeout(poll, 20);
    })();
  });
</script>
</body></html>`;

let viewerServer; // serves the viewer, and a same-origin parent
let otherServer; // another origin (another port) with a parent embedding the viewer
let browser;

before(async () => {
  viewerServer = await startServer({
    pages: {
      '/__parent.html': parentPage('/?embed=1'),
      '/__parent-url.html': parentPage('/?embed=1&url=/fixtures/jaeger-petclinic-single-trace.json'),
    },
  });
  otherServer = await startServer({ pages: { '/__parent.html': parentPage(viewerServer.url('/?embed=1')) } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await viewerServer?.close();
  await otherServer?.close();
});

describe('same-origin parent', () => {
  test('ready, load (ArrayBuffer and string), loaded with the summary, summary by id, errors', async () => {
    const page = await newPage(browser);
    await page.goto(viewerServer.url('/__parent.html'));
    const ready = await page.evaluate(() => waitFor('spanlens:ready'));
    assert.equal(ready.origin, viewerServer.origin);

    // An ArrayBuffer, as a parent that fetched a trace sends it (transferred, so the parent's copy is gone).
    const loaded = await page.evaluate(async () => {
      const buf = await (await fetch('/fixtures/otlp-hotrod-jaeger-apiv3-response.json')).arrayBuffer();
      const sent = performance.now();
      viewer().postMessage({ type: 'spanlens:load', name: 'hotrod.json', data: buf }, location.origin, [buf]);
      const reply = await waitFor('spanlens:loaded');
      return { ...reply, ms: performance.now() - sent };
    });
    assert.equal(loaded.origin, viewerServer.origin);
    const summary = loaded.data.summary;
    assert.equal(summary.schema, 'spanlens.summary/1');
    assert.equal(summary.source.name, 'hotrod.json');
    assert.equal(summary.source.format, 'otlp-json');
    assert.equal(summary.traces.length, 1);
    assert.equal(summary.traces[0].traceId, '2ea75461946a7dd10f2c15ab36a076cb');
    assert.equal(summary.traces[0].spanCount, 40);
    assert.equal(summary.traces[0].services.length, 6);
    // "loaded" comes once the trace is on screen.
    const frame = page.frameLocator('#viewer');
    assert.equal(await frame.getByTestId('span-count').textContent(), '40 spans');
    assert.equal(await frame.locator('.toolbar').count(), 0, 'embed=1 hides the chrome');

    // Summary of what is shown, matched by id.
    const reply = await page.evaluate(async () => {
      received.length = 0;
      viewer().postMessage({ type: 'spanlens:summary', id: 'q-17' }, location.origin);
      return waitFor('spanlens:summary');
    });
    assert.equal(reply.data.id, 'q-17');
    assert.equal(reply.data.summary.traces[0].spanCount, 40);
    assert.equal(reply.data.summary.source.name, 'hotrod.json');

    // A string payload.
    const second = await page.evaluate(async () => {
      received.length = 0;
      const text = await (await fetch('/fixtures/jaeger-petclinic-single-trace.json')).text();
      viewer().postMessage({ type: 'spanlens:load', name: 'petclinic.json', data: text }, location.origin);
      return waitFor('spanlens:loaded');
    });
    assert.equal(second.data.summary.traces[0].spanCount, 17);
    assert.equal(await frame.getByTestId('span-count').textContent(), '17 spans');

    // Broken input: an error reply naming the file and position; the trace on screen stays.
    const error = await page.evaluate(async () => {
      received.length = 0;
      viewer().postMessage({ type: 'spanlens:load', name: 'bad.json', data: '{"resourceSpans": [ {"scopeSpans": 5} ]}' }, location.origin);
      return waitFor('spanlens:error');
    });
    assert.match(error.data.message, /^bad\.json:1:\d+: /);
    assert.equal(await frame.getByTestId('span-count').textContent(), '17 spans');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
  test('a load the parent did not ask for (?url=) is announced with spanlens:loaded too', async () => {
    const page = await newPage(browser);
    await page.goto(viewerServer.url('/__parent-url.html'));
    const loaded = await page.evaluate(() => waitFor('spanlens:loaded'));
    assert.equal(loaded.origin, viewerServer.origin);
    assert.equal(loaded.data.summary.source.name, 'jaeger-petclinic-single-trace.json');
    assert.equal(loaded.data.summary.traces[0].spanCount, 17);
    assert.equal(await page.frameLocator('#viewer').getByTestId('span-count').textContent(), '17 spans');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('parent on another origin', () => {
  test('its messages are ignored: no reply, and the viewer keeps its trace', async () => {
    const page = await newPage(browser);
    await page.goto(otherServer.url('/__parent.html'));
    const frame = page.frameLocator('#viewer');
    await waitForTrace(frame);
    const before = await frame.getByTestId('trace-id').textContent();
    const spans = await frame.getByTestId('span-count').textContent();

    const replies = await page.evaluate(async () => {
      const hotrod = '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}';
      viewer().postMessage({ type: 'spanlens:load', name: 'evil.json', data: hotrod }, '*');
      viewer().postMessage({ type: 'spanlens:summary', id: 1 }, '*');
      await new Promise((ok) => setTimeout(ok, 2000));
      return received.filter((m) => m.data && /^spanlens:(loaded|error|summary)$/.test(m.data.type));
    });
    assert.deepEqual(replies, []);
    // Not even `spanlens:ready`: the viewer does not post to a parent of another origin (nor warn about it).
    assert.equal(await page.evaluate(() => received.length), 0);
    assert.deepEqual(page.errors, []);
    assert.equal(await frame.getByTestId('trace-id').textContent(), before);
    assert.equal(await frame.getByTestId('span-count').textContent(), spans);
    await page.context().close();
  });
});
