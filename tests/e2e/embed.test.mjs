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
  // The first message of this type (that \`where\` accepts: an announcement made before the change asked
  // for can still arrive after it, as view-changed waits for the view to settle).
  window.waitFor = (type, timeout = 10000, where = () => true) => new Promise((ok, fail) => {
    const start = Date.now();
    (function poll() {
      const hit = received.find((m) => m.data && m.data.type === type && where(m.data));
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

// Dashboards on other origins listed in public/config.json's embed.allowedOrigins. The viewer is served at
// http://127.0.0.1:P; the same server answers as http://localhost:P (another origin, listed), as
// http://dash.example.com:P and http://evil-example.com:P (chromium maps both names to 127.0.0.1; only
// `http://*.example.com:P` is listed), and a second server at http://127.0.0.1:Q is not listed.
describe('dashboards on other origins, as public/config.json allows', () => {
  const pages = {};
  const allowed = [];
  let viewer; // the viewer, and dashboards under other names
  let unlisted; // a dashboard on an origin not listed
  let mapped; // chromium with *.example.com and evil-example.com resolving to 127.0.0.1
  const json = (res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  before(async () => {
    const { routes } = await import('./fake-backends.mjs');
    viewer = await startServer({
      pages,
      routes: {
        '/public/config.json': (_req, res) => json(res, { embed: { allowedOrigins: allowed }, backends: [{ name: 'jaeger', kind: 'jaeger', url: '/jaeger' }] }),
        '/jaeger/*': routes['/jaeger/*'],
      },
    });
    const port = new URL(viewer.origin).port;
    allowed.push(`http://localhost:${port}`, `http://*.example.com:${port}`);
    pages['/__dash.html'] = parentPage(viewer.url('/?embed=1'));
    unlisted = await startServer({ pages: { '/__dash.html': parentPage(viewer.url('/?embed=1')) } });
    const { chromium } = await import('playwright-core');
    const { CHROMIUM_ARGS } = await import('./harness.mjs');
    mapped = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.example.com 127.0.0.1, MAP evil-example.com 127.0.0.1'],
    });
  });

  after(async () => {
    await mapped?.close();
    await unlisted?.close();
    await viewer?.close();
  });

  const port = () => new URL(viewer.origin).port;

  test('an allowed dashboard gets ready, loads by bytes, URL and id, selects a span and hears selected and view-changed', async () => {
    const page = await newPage(browser);
    await page.goto(`http://localhost:${port()}/__dash.html`);
    const ready = await page.evaluate(() => waitFor('spanlens:ready'));
    assert.equal(ready.origin, viewer.origin, 'from the viewer, to this origin');
    const names = await page.evaluate(async () => {
      const loaded = [];
      const load = async (message) => {
        received.length = 0;
        viewer().postMessage({ type: 'spanlens:load', ...message }, '*');
        while (!received.some((m) => /^spanlens:(loaded|error)$/.test(m.data?.type))) await new Promise((ok) => setTimeout(ok, 20));
        const reply = received.find((m) => /^spanlens:(loaded|error)$/.test(m.data?.type));
        loaded.push(reply.data.type === 'spanlens:loaded' ? reply.data.summary.source.name : reply.data.message);
      };
      const bytes = await (await fetch('/fixtures/zipkin-yelp.json')).text();
      await load({ name: 'yelp.json', data: bytes });
      await load({ url: '/fixtures/jaeger-petclinic-single-trace.json' });
      await load({ traceId: '2ea75461946a7dd10f2c15ab36a076cb', backend: 'jaeger' });
      return loaded;
    });
    assert.deepEqual(names, ['yelp.json', 'jaeger-petclinic-single-trace.json', 'jaeger:2ea75461946a7dd10f2c15ab36a076cb']);
    const frame = page.frameLocator('#viewer');
    await frame.getByText('40 spans', { exact: true }).first().waitFor();
    // Selected by the dashboard, then by a person in the viewer: both are announced.
    const selected = await page.evaluate(async () => {
      received.length = 0;
      viewer().postMessage({ type: 'spanlens:select', spanId: '9082d67808fc8870' }, '*');
      return (await waitFor('spanlens:selected')).data;
    });
    assert.deepEqual(selected, { type: 'spanlens:selected', traceId: '2ea75461946a7dd10f2c15ab36a076cb', spanId: '9082d67808fc8870' });
    const changed = await page.evaluate(async () => {
      received.length = 0;
      viewer().postMessage({ type: 'spanlens:view', view: 'flame', query: 'service:mysql', window: [0, 100000000] }, '*');
      viewer().postMessage({ type: 'spanlens:theme', theme: 'dark' }, '*');
      return (await waitFor('spanlens:view-changed', 10000, (d) => d.query === 'service:mysql')).data;
    });
    assert.equal(changed.query, 'service:mysql');
    assert.deepEqual(changed.window, [0, 100000000]);
    assert.equal(await frame.getByTestId('search').inputValue(), 'service:mysql');
    assert.equal(await frame.locator('html').getAttribute('class'), 'theme-dark');
    // Any tab by its name; the announcement names the tab shown.
    const tab = await page.evaluate(async () => {
      received.length = 0;
      viewer().postMessage({ type: 'spanlens:view', view: 'stats' }, '*');
      return (await waitFor('spanlens:view-changed', 10000, (d) => d.view !== 'flame')).data.view;
    });
    assert.equal(tab, 'stats');
    await frame.getByTestId('stats-view').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a dashboard on an origin not listed gets nothing and changes nothing; the viewer warns once, naming it', async () => {
    const page = await newPage(browser);
    await page.goto(unlisted.url('/__dash.html'));
    const frame = page.frameLocator('#viewer');
    await waitForTrace(frame);
    const before = await frame.getByTestId('trace-id').textContent();
    const got = await page.evaluate(async () => {
      viewer().postMessage({ type: 'spanlens:load', url: '/fixtures/zipkin-yelp.json' }, '*');
      viewer().postMessage({ type: 'spanlens:theme', theme: 'dark' }, '*');
      await new Promise((ok) => setTimeout(ok, 2000));
      return received.length;
    });
    assert.equal(got, 0, 'not even spanlens:ready');
    assert.equal(await frame.getByTestId('trace-id').textContent(), before);
    const warned = page.warnings.filter((w) => w.includes(unlisted.origin));
    assert.equal(warned.length, 1, warned.join('\n'));
    assert.match(warned[0], /embed\.allowedOrigins/);
    await page.context().close();
  });

  test('https://*.example.com style patterns: a subdomain is allowed, evil-example.com is not', async () => {
    for (const [host, allowedHere] of [['dash.example.com', true], ['evil-example.com', false]]) {
      const page = await newPage(mapped);
      await page.goto(`http://${host}:${port()}/__dash.html`);
      const frame = page.frameLocator('#viewer');
      await waitForTrace(frame);
      const got = await page.evaluate(async () => {
        await new Promise((ok) => setTimeout(ok, 1500));
        return received.map((m) => m.data.type);
      });
      assert.deepEqual(got, allowedHere ? ['spanlens:ready'] : [], host);
      await page.context().close();
    }
  });
});
