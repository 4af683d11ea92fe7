// The viewer on its own page: the sample on first open, every way of loading, errors, export, themes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, FIXTURES, dropFiles, newPage, serveAndLaunch, waitForTrace } from './harness.mjs';

const HOTROD = { file: 'otlp-hotrod-jaeger-apiv3-response.json', traceId: '2ea75461946a7dd10f2c15ab36a076cb', spans: 40, services: 6 };

const env = serveAndLaunch();

/** The sample's trace id and span count, read from the copy in dist/ (the build embeds the same file). */
async function sampleFacts() {
  const doc = JSON.parse(await readFile(join(DIST, 'public', 'samples', 'checkout.otlp.json'), 'utf8'));
  const spans = doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  return { traceId: spans[0].traceId.toLowerCase(), spans: spans.length };
}

const count = (n) => n.toLocaleString('en-US');
const header = (page) => page.locator('.trace-header');

async function open(path = '/', options) {
  const page = await newPage(env.browser, options);
  await page.goto(env.server.url(path));
  await waitForTrace(page);
  return page;
}

describe('first open', () => {
  test('shows the bundled sample with zero console errors (and warnings)', async () => {
    const sample = await sampleFacts();
    const page = await open('/');
    await assert.doesNotReject(header(page).getByText(`${count(sample.spans)} spans`, { exact: true }).waitFor());
    assert.equal(await page.getByTestId('trace-id').textContent(), sample.traceId);
    assert.match(await page.getByTestId('source').textContent(), /otlp-json · checkout\.otlp\.json/);
    assert.match(await page.getByTestId('files').textContent(), /checkout\.otlp\.json/);
    // The body: a per-service table and the root.
    assert.ok((await page.getByTestId('services-table').locator('tbody tr').count()) > 1);
    assert.equal(await page.getByTestId('roots').locator('h2').textContent(), '1 root');
    // No per-span DOM: 50 rows at most per list.
    assert.ok((await page.locator('tr').count()) < 120);
    await page.waitForTimeout(300);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.warnings, []);
    await page.context().close();
  });

  test('light and dark themes (screenshots)', async () => {
    for (const theme of ['light', 'dark']) {
      const page = await open(`/?theme=${theme}`);
      assert.ok(await page.evaluate((t) => document.documentElement.classList.contains(`theme-${t}`), theme));
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const dark = theme === 'dark';
      const [r, g, b] = bg.match(/\d+/g).map(Number);
      assert.equal(r + g + b < 200, dark, `${theme} background is ${bg}`);
      await page.screenshot({ path: `/tmp/spanlens-sample-${theme}.png`, fullPage: true });
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });

  test('without ?theme= follows prefers-color-scheme', async () => {
    const page = await open('/', { colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.ok(bg.match(/\d+/g).map(Number).reduce((a, b) => a + b) < 200, `dark background expected, got ${bg}`);
    await page.context().close();
  });

  test('?embed=1 hides the header chrome but keeps the trace header', async () => {
    const page = await open('/?embed=1');
    assert.equal(await page.locator('.toolbar').count(), 0);
    assert.ok(await header(page).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Export analysis' }).isVisible());
    await page.context().close();
  });
});

describe('loading', () => {
  test('dropping a file shows its trace; dragging over highlights the window', async () => {
    const page = await open('/');
    const highlighted = await dropFiles(page, [HOTROD.file]);
    assert.ok(highlighted, 'the drop highlight shows during dragover');
    await header(page).getByText(`${HOTROD.spans} spans`, { exact: true }).waitFor();
    assert.equal(await page.getByTestId('trace-id').textContent(), HOTROD.traceId);
    assert.equal(await page.getByTestId('service-count').textContent(), `${HOTROD.services} services`);
    assert.equal(await page.getByTestId('services-table').locator('tbody tr').count(), HOTROD.services);
    assert.equal(await page.locator('.app.dragging').count(), 0, 'the highlight goes away after the drop');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('dropping two files at once lists both and shows the last', async () => {
    const page = await open('/');
    await dropFiles(page, [HOTROD.file, 'jaeger-petclinic-single-trace.json']);
    await header(page).getByText('17 spans', { exact: true }).waitFor();
    const files = page.getByTestId('files');
    assert.deepEqual(await files.locator('.file .open').allTextContents(), [
      'checkout.otlp.json', HOTROD.file, 'jaeger-petclinic-single-trace.json',
    ]);
    assert.equal(await files.locator('.file.current .open').textContent(), 'jaeger-petclinic-single-trace.json');
    // Going back to an earlier file shows it again.
    await files.getByText(HOTROD.file).click();
    await header(page).getByText(`${HOTROD.spans} spans`, { exact: true }).waitFor();
    assert.equal(await page.getByTestId('trace-id').textContent(), HOTROD.traceId);
    // Closing the file on screen shows the latest remaining one.
    await files.getByRole('button', { name: `Close ${HOTROD.file}` }).click();
    await header(page).getByText('17 spans', { exact: true }).waitFor();
    assert.deepEqual(await files.locator('.file .open').allTextContents(), ['checkout.otlp.json', 'jaeger-petclinic-single-trace.json']);
    await page.context().close();
  });

  test('the file picker loads zipkin-messaging-orphans.json with its 6 orphans', async () => {
    const page = await open('/');
    await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'zipkin-messaging-orphans.json'));
    await page.getByTestId('orphans').locator('h2').getByText('6 orphans', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('orphan-count').textContent(), '6 orphans');
    assert.equal(await page.getByTestId('orphans').locator('tbody tr').count(), 6);
    assert.match(await page.getByTestId('source').textContent(), /zipkin-v2 · zipkin-messaging-orphans\.json/);
    await page.context().close();
  });

  test('?url= fetches a trace instead of the sample', async () => {
    const page = await open('/?url=/fixtures/jaeger-petclinic-single-trace.json');
    await header(page).getByText('17 spans', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('trace-id').textContent(), '0df84e36b9e2ee3815d07f0867a5be1f');
    assert.deepEqual(await page.getByTestId('files').locator('.file .open').allTextContents(), ['jaeger-petclinic-single-trace.json']);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('?url= that fails shows an error naming the URL', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/?url=/fixtures/no-such-file.json'));
    const panel = page.getByTestId('error-panel');
    await panel.waitFor();
    assert.match(await panel.textContent(), /no-such-file\.json.*HTTP 404/s);
    await page.context().close();
  });

  test('the paste panel and Ctrl+V on the page load JSON text', async () => {
    const page = await open('/');
    const text = await readFile(join(FIXTURES, 'jaeger-petclinic-single-trace.json'), 'utf8');
    await page.getByRole('button', { name: 'Paste JSON' }).click();
    await page.getByTestId('paste-text').fill(text);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await header(page).getByText('17 spans', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('paste-text').count(), 0, 'the panel closes after a good load');

    // A paste event on the page (not in a text field) with the hotrod trace as text.
    const hotrod = await readFile(join(FIXTURES, HOTROD.file), 'utf8');
    await page.evaluate((t) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', t);
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, hotrod);
    await header(page).getByText(`${HOTROD.spans} spans`, { exact: true }).waitFor();
    assert.match(await page.getByTestId('files').textContent(), /pasted\.json.*pasted\.json/);
    await page.context().close();
  });

  test('the Sample button brings the sample back', async () => {
    const sample = await sampleFacts();
    const page = await open('/?url=/fixtures/jaeger-petclinic-single-trace.json');
    await header(page).getByText('17 spans', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sample' }).click();
    await header(page).getByText(`${count(sample.spans)} spans`, { exact: true }).waitFor();
    await page.context().close();
  });

  test('a file with several traces opens on its list; a row opens a trace; Back and "Back to results" return', async () => {
    const page = await open('/');
    const span = (traceId, id, parentId, duration = 1500) => ({ traceId, id, parentId, name: `op-${id}`, timestamp: 1700000000000000, duration,
      localEndpoint: { serviceName: 'svc' } });
    const twoTraces = JSON.stringify([
      span('00000000000000000000000000000aaa', '0000000000000001'),
      span('00000000000000000000000000000aaa', '0000000000000002', '0000000000000001'),
      span('00000000000000000000000000000bbb', '0000000000000003', undefined, 9000),
    ]);
    await dropFiles(page, [{ name: 'two-traces.json', text: twoTraces }]);
    const list = page.getByTestId('trace-list');
    await list.waitFor();
    assert.match(await list.locator('h2').textContent(), /^2 traces in two-traces\.json/);
    assert.equal(await list.getByRole('grid').getAttribute('aria-rowcount'), '3');
    assert.match(await page.getByTestId('scatter').getAttribute('aria-label'), /^Scatter of 2 traces/);
    // Longest first, then open it.
    await page.getByTestId('trace-sort').selectOption('longest');
    await list.locator('.rows .row').first().getByText('op-0000000000000003').waitFor();
    await list.locator('.rows .row').first().click();
    await page.getByTestId('trace-id').getByText('00000000000000000000000000000bbb').waitFor();
    assert.equal(await page.getByTestId('span-count').textContent(), '1 span');
    assert.equal(await page.getByTestId('trace-position').textContent(), 'trace 2 of 2');
    // The browser's Back returns to the list, in the same order; Forward opens the trace again.
    await page.goBack();
    await list.waitFor();
    assert.equal(await page.getByTestId('trace-sort').inputValue(), 'longest');
    await page.goForward();
    await page.getByTestId('trace-id').getByText('00000000000000000000000000000bbb').waitFor();
    await page.getByTestId('back-to-results').click();
    await list.locator('.rows .row').nth(1).click();
    await page.getByTestId('trace-id').getByText('00000000000000000000000000000aaa').waitFor();
    assert.equal(await page.getByTestId('span-count').textContent(), '2 spans');
    // A single-trace file shows its trace at once, with no way back to a list.
    await dropFiles(page, ['otlp-hotrod-jaeger-apiv3-response.json']);
    await header(page).getByText('40 spans', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('back-to-results').count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('hosting', () => {
  test('the same dist/ works under /x/y/ behind a proxy: assets, config and ?url= resolve from there', async () => {
    const { startServer } = await import('./harness.mjs');
    const server = await startServer({ base: '/x/y/' });
    const page = await newPage(env.browser);
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(server.url(`/x/y/?url=/fixtures/${HOTROD.file}`));
    await waitForTrace(page);
    await header(page).getByText(`${HOTROD.spans} spans`, { exact: true }).waitFor();
    const own = requests.filter((p) => !p.startsWith('/fixtures/'));
    assert.ok(own.every((p) => p.startsWith('/x/y/')), `every asset from /x/y/: ${own.join(' ')}`);
    assert.ok(own.includes('/x/y/public/config.json'), own.join(' '));
    assert.ok(own.some((p) => p.endsWith('.wasm')));
    assert.deepEqual(page.errors, []);
    await page.context().close();
    await server.close();
  });
});

describe('errors', () => {
  test('a broken file shows a readable error with file and line:column; the trace stays; a good file still loads', async () => {
    const sample = await sampleFacts();
    const page = await open('/');
    await dropFiles(page, [{ name: 'broken.json', text: '{"resourceSpans": [ {"scopeSpans": 5} ]}' }]);
    const panel = page.getByTestId('error-panel');
    await panel.waitFor();
    assert.match(await panel.locator('h2').textContent(), /Could not load broken\.json/);
    assert.match(await panel.locator('pre').textContent(), /^broken\.json:1:\d+: .+/);
    // The previous trace is still on screen.
    assert.equal(await page.getByTestId('trace-id').textContent(), sample.traceId);
    await page.screenshot({ path: '/tmp/spanlens-error.png', fullPage: true });

    // Truncated JSON, several lines in: the line number is right.
    await dropFiles(page, [{ name: 'truncated.json', text: '{\n  "resourceSpans": [\n    {"scopeSpans": [' }]);
    await panel.getByText(/truncated\.json:3:\d+/).waitFor();
    assert.equal(await panel.locator('.failure').count(), 1, 'a new action replaces the old errors');

    await dropFiles(page, [HOTROD.file]);
    await header(page).getByText(`${HOTROD.spans} spans`, { exact: true }).waitFor();
    assert.equal(await panel.count(), 0, 'a good load clears the error panel');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the error panel can be dismissed', async () => {
    const page = await open('/');
    await dropFiles(page, [{ name: 'empty.json', text: '' }]);
    const panel = page.getByTestId('error-panel');
    await panel.waitFor();
    assert.match(await panel.textContent(), /empty\.json/);
    await panel.getByRole('button', { name: 'Dismiss' }).click();
    await panel.waitFor({ state: 'detached' });
    await page.context().close();
  });

  test('trace text is rendered as text, never as HTML', async () => {
    const page = await open('/');
    const evil = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: '<img src=x onerror="window.pwned=1">' } }] },
      scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: '<b>bold</b>',
        startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] });
    await dropFiles(page, [{ name: '<i>x</i>.json', text: evil }]);
    await header(page).getByText('1 span', { exact: true }).waitFor();
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('.content b', { hasText: 'bold' }).count(), 0);
    assert.ok(await page.getByText('<b>bold</b>').first().isVisible());
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    await page.context().close();
  });
});

describe('export', () => {
  test('"Export analysis" downloads <name>.summary.json with the summary', async () => {
    const sample = await sampleFacts();
    const page = await open('/', { acceptDownloads: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export analysis' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'checkout.otlp.summary.json');
    const summary = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(summary.schema, 'spanlens.summary/1');
    assert.equal(summary.source.name, 'checkout.otlp.json');
    assert.equal(summary.traces[0].traceId, sample.traceId);
    assert.equal(summary.traces[0].spanCount, sample.spans);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a Zipkin trace as OTLP/JSON (which reads back to the same summary), the flame graph as PNG at device resolution, the services as CSV', async () => {
    const page = await open('/?url=/fixtures/zipkin-yelp.json', { acceptDownloads: true, deviceScaleFactor: 2 });
    await waitForTrace(page);
    const save = async (testid) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).first().click()]);
      return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
    };
    const otlp = await save('export-otlp');
    assert.equal(otlp.name, 'zipkin-yelp.otlp.json');
    const doc = JSON.parse(otlp.bytes.toString('utf8'));
    assert.ok(doc.resourceSpans.length > 0);
    // Read back: the same trace, spans and services.
    const before = await page.evaluate(() => [...document.querySelectorAll('[data-testid=span-count], [data-testid=trace-id], [data-testid=service-count]')].map((e) => e.textContent));
    await dropFiles(page, [{ name: 'again.otlp.json', text: otlp.bytes.toString('utf8') }]);
    await page.getByTestId('source').getByText(/otlp-json · again\.otlp\.json/).waitFor();
    const after = await page.evaluate(() => [...document.querySelectorAll('[data-testid=span-count], [data-testid=trace-id], [data-testid=service-count]')].map((e) => e.textContent));
    assert.deepEqual(after, before);

    const png = await save('export-png');
    assert.equal(png.name, 'again.otlp.png');
    assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
    const width = png.bytes.readUInt32BE(16);
    const cssWidth = await page.getByTestId('flame-canvas').evaluate((c) => c.clientWidth);
    assert.equal(width, cssWidth * 2, 'device pixels');

    const csv = await save('export-csv');
    assert.equal(csv.name, 'again.otlp.services.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\r\n');
    assert.equal(lines[0], 'service,spans,errors,total_ns,self_ns,critical_path_ns');
    assert.equal(lines.length - 1, Number((await page.getByTestId('service-count').textContent()).match(/\d+/)[0]));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
