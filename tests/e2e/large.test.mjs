// Big inputs: a progress bar while loading, a page that still answers clicks, Cancel, a second load during the
// first, and gzipped files. The CPU is throttled so that a CI-sized file takes long enough to act during it.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, dropBig, dropFiles, newPage, serveAndLaunch, waitForTrace } from './harness.mjs';

const env = serveAndLaunch({ routes: { '/__slow.jsonl': slowDownload } });

/**
 * A download that takes its time: `?lines=` copies of the bundled sample as OTLP JSONL (each under its own
 * trace id), sent 64 KB every `?ms=` milliseconds, with its length in the headers.
 */
async function slowDownload(req, res, url) {
  const text = JSON.stringify(JSON.parse(await readFile(join(DIST, 'public/samples/checkout.otlp.json'), 'utf8')));
  const id = text.match(/"traceId":"([0-9a-f]{32})"/)[1];
  const lines = Number(url.searchParams.get('lines'));
  const body = Buffer.from(Array.from({ length: lines }, (_, i) => text.replaceAll(id, (i + 1).toString(16).padStart(32, '0')) + '\n').join(''));
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': body.length, 'cache-control': 'no-store' });
  let at = 0;
  const timer = setInterval(() => {
    res.write(body.subarray(at, at + 65536));
    at += 65536;
    if (at >= body.length) {
      clearInterval(timer);
      res.end();
    }
  }, Number(url.searchParams.get('ms')));
  res.on('close', () => clearInterval(timer));
}

async function open() {
  const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(env.server.url('/'));
  await waitForTrace(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
  return page;
}

/** "640 KB" or "2.1 MB" in MB. */
const megabytes = (text) => parseFloat(text) / (text.endsWith('KB') ? 1000 : 1);

const fileNames = (page) => page.locator('[data-testid=files] .open').allTextContents();

describe('large files', () => {
  test('a progress bar shows while a big file loads, the page answers clicks, and Cancel stops it', async () => {
    const page = await open();
    await dropBig(page, 'big.jsonl', 700);
    const progress = page.getByTestId('progress');
    await progress.waitFor();
    assert.match(await progress.textContent(), /big\.jsonl/);
    // A click on the page is answered while the load goes on.
    await page.getByRole('button', { name: 'Paste JSON' }).click();
    const answered = await page.evaluate(() => ({
      panel: document.querySelector('[data-testid=paste-text]') !== null,
      loading: document.querySelector('[data-testid=progress]') !== null,
    }));
    assert.deepEqual(answered, { panel: true, loading: true });
    await page.getByTestId('cancel-load').click();
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    assert.deepEqual(await fileNames(page), ['checkout.otlp.json'], 'the cancelled file is not added');
    assert.equal(await page.locator('.error-panel').count(), 0, 'cancelling is not an error');
    assert.deepEqual(page.errors, []);
  });

  test('a download shows its bytes as they arrive, loads whole, and Cancel stops another', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(env.server.url('/?url=/__slow.jsonl?lines=30%26ms=40'));
    const progress = page.getByTestId('progress');
    await progress.getByText(/Downloading .*__slow\.jsonl.*… [\d.]+ [KM]B of [\d.]+ MB/).waitFor();
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(await page.getByTestId('trace-list').getByRole('grid').getAttribute('aria-rowcount'), '31', 'every line arrived and was read');
    await page.getByTestId('trace-list').locator('.rows .row').first().click();
    assert.match(await page.getByTestId('span-count').first().textContent(), /^120\b/);
    // A slower one, cancelled half way.
    await page.evaluate(() => { history.replaceState(null, '', '/?url=/__slow.jsonl?lines=200%26ms=100'); });
    await page.reload();
    // Spans are read while the download goes on: a count shows before all the bytes are in.
    const midway = progress.getByText(/Downloading .*… [\d.]+ [KM]B of [\d.]+ MB, [1-9][\d,]* spans? read/);
    await midway.waitFor();
    const [, done, total] = (await midway.textContent()).match(/… ([\d.]+ [KM]B) of ([\d.]+ MB)/);
    assert.ok(megabytes(done) < megabytes(total), `spans were read before the end (${done} of ${total})`);
    await page.getByTestId('cancel-load').click();
    await progress.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await page.locator('.error-panel').count(), 0, 'cancelling is not an error');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a second file dropped while the first loads loads too', async () => {
    const page = await open();
    await dropBig(page, 'first.jsonl', 200);
    await page.getByTestId('progress').waitFor();
    await dropFiles(page, ['otlp-hotrod-jaeger-apiv3-response.json']);
    await page.getByTestId('progress').waitFor({ state: 'detached', timeout: 60_000 });
    const names = await fileNames(page);
    assert.ok(names.includes('first.jsonl') && names.includes('otlp-hotrod-jaeger-apiv3-response.json'), names.join(', '));
    // The last to finish is on screen: the single trace, or the many-trace file's list.
    await page.locator('[data-testid=span-count], [data-testid=trace-list]').first().waitFor();
    assert.deepEqual(page.errors, []);
  });

  test('gzipped JSON and JSONL open like the plain files', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    const sample = await readFile(join(DIST, 'public', 'samples', 'checkout.otlp.json'));
    const jsonl = JSON.stringify(JSON.parse(sample)) + '\n';
    for (const [name, bytes] of [['sample.json.gz', gzipSync(sample)], ['sample.jsonl.gz', gzipSync(jsonl)]]) {
      await page.evaluate(([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name));
        document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, [name, bytes.toString('base64')]);
      await page.locator('[data-testid=files] .file.current .open', { hasText: name }).waitFor();
      assert.match(await page.getByTestId('span-count').first().textContent(), /^120\b/);
    }
    assert.deepEqual(page.errors, []);
  });

  test('thousands of findings are listed a page at a time and filtered by kind', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    // One root over 150 handlers, each fanning out to 12 parallel calls (150 fan-out findings), and one error.
    const spans = [];
    const span = (id, parent, name, start, end, error) => spans.push({
      traceId: 'f'.repeat(32), spanId: id.toString(16).padStart(16, '0'), name, kind: 1,
      ...(parent ? { parentSpanId: parent.toString(16).padStart(16, '0') } : {}),
      startTimeUnixNano: String(1e18 + start * 1e6), endTimeUnixNano: String(1e18 + end * 1e6),
      ...(error ? { status: { code: 2, message: 'boom' } } : {}),
    });
    span(1, 0, 'root', 0, 1500, true);
    let id = 2;
    for (let h = 0; h < 150; h++) {
      const handler = id++;
      span(handler, 1, `handler ${h}`, h * 10, h * 10 + 9);
      for (let c = 0; c < 12; c++) span(id++, handler, 'GET /item', h * 10 + 1, h * 10 + 8);
    }
    const text = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
    await dropFiles(page, [{ name: 'fan-out.json', text }]);
    await page.locator('[data-testid=files] .file.current .open', { hasText: 'fan-out.json' }).waitFor();
    const findings = page.getByTestId('findings');
    const items = findings.locator('li');
    assert.match(await findings.locator('h2').textContent(), /Findings \(151\)/);
    assert.equal(await items.count(), 100, 'the first page only');
    await findings.getByRole('button', { name: 'Show 51 more (of 51)' }).click();
    assert.equal(await items.count(), 151);
    await findings.getByRole('button', { name: 'error 1' }).click();
    assert.equal(await items.count(), 1);
    assert.equal(await findings.locator('button.finding').getAttribute('data-kind'), 'error');
    await findings.getByRole('button', { name: 'all 151' }).click();
    assert.equal(await items.count(), 100, 'back to the first page of all');
    assert.deepEqual(page.errors, []);
  });
});
