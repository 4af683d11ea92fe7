// The engine in Web Workers: every load path reads and analyses in a worker (the same module, started from
// public/engine-worker.js), which ends when the load is done or cancelled; hosted under a sub-path too, with
// no CSP violation. Where the page forbids workers (`worker-src 'none'`) loads run on the page and it says so
// once; `?engine=page` runs them there without a word.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, dropBig, dropFiles, fixture, newPage, serveAndLaunch, startServer, waitForTrace } from './harness.mjs';

const env = serveAndLaunch({
  routes: {
    '/__jaeger.json': async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(await fixture('jaeger-petclinic-single-trace.json'));
    },
  },
});

/** Records the workers a page starts and which of them have ended. */
function watchWorkers(page) {
  const seen = { started: [], ended: [] };
  page.on('worker', (worker) => {
    seen.started.push(worker.url());
    worker.on('close', () => seen.ended.push(worker.url()));
  });
  return seen;
}

const until = async (check, what, timeout = 20_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
};

/** Waits until a file of this name is in the file list (loaded, not failed). */
const loaded = (page, name) => page.locator('[data-testid=files] .open', { hasText: name }).first().waitFor({ timeout: 30_000 });

const spanCount = async (page) => (await page.getByTestId('span-count').first().textContent()).trim();

describe('the engine in workers', () => {
  test('a dropped file and a ?url= download are read in a worker that ends after, with no CSP violation', async () => {
    const page = await newPage(env.browser);
    const workers = watchWorkers(page);
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    assert.equal(workers.started.length, 0, 'the sample is drawn without a worker');
    await dropFiles(page, ['jaeger-petclinic-single-trace.json']);
    await loaded(page, 'jaeger-petclinic-single-trace.json');
    await until(() => workers.ended.length === 1, 'the worker to end');
    assert.match(workers.started[0], /\/public\/engine-worker\.js$/);
    const byDrop = await spanCount(page);

    await page.goto(env.server.url('/?url=/__jaeger.json'));
    await loaded(page, '__jaeger.json');
    await until(() => workers.ended.length === 2, 'the second worker to end');
    assert.equal(await spanCount(page), byDrop, 'the same spans either way');
    assert.equal(await page.getByTestId('notice').count(), 0);
    assert.deepEqual(page.errors, [], 'no error and no CSP violation');
    await page.context().close();
  });

  test('the same trace loaded in a worker and on the page gives the same summary', async () => {
    const summaries = [];
    for (const query of ['', '?engine=page']) {
      const page = await newPage(env.browser);
      const workers = watchWorkers(page);
      await page.goto(env.server.url(`/${query}`));
      await waitForTrace(page);
      await dropFiles(page, ['jaeger-petclinic-single-trace.json']);
      await loaded(page, 'jaeger-petclinic-single-trace.json');
      summaries.push(await page.evaluate(() =>
        ['trace-id', 'span-count', 'duration', 'error-count', 'service-count', 'orphan-count', 'services', 'warnings']
          .map((id) => document.querySelector(`[data-testid=${id}]`)?.textContent ?? '-').join(' | ')));
      assert.equal(workers.started.length, query ? 0 : 1, query || 'workers');
      assert.equal(await page.getByTestId('notice').count(), 0, '?engine=page says nothing');
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
    assert.equal(summaries[0], summaries[1]);
  });

  test('Cancel ends the worker and no more progress comes', async () => {
    const page = await newPage(env.browser);
    const workers = watchWorkers(page);
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
    await dropBig(page, 'big.jsonl', 1500);
    const progress = page.getByTestId('progress');
    await progress.getByText(/spans? read|Analyzing|Building/).waitFor({ timeout: 60_000 });
    await page.getByTestId('cancel-load').click();
    await progress.waitFor({ state: 'detached', timeout: 10_000 });
    await until(() => workers.ended.length === workers.started.length && workers.started.length === 1, 'the worker to end', 5_000);
    await new Promise((ok) => setTimeout(ok, 500));
    assert.equal(await progress.count(), 0, 'no progress after Cancel');
    assert.equal(await page.locator('.error-panel').count(), 0, 'cancelling is not an error');
    // The page can load again.
    await dropFiles(page, ['jaeger-petclinic-single-trace.json']);
    await loaded(page, 'jaeger-petclinic-single-trace.json');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('under /x/y/ behind a proxy the worker starts from the sub-path', async () => {
    const server = await startServer({ base: '/x/y/' });
    try {
      const page = await newPage(env.browser);
      const workers = watchWorkers(page);
      await page.goto(server.url('/x/y/'));
      await waitForTrace(page);
      await dropFiles(page, [{ name: 'sample.json', url: '/x/y/public/samples/checkout.otlp.json' }]);
      await loaded(page, 'sample.json');
      await until(() => workers.ended.length === 1, 'the worker to end');
      assert.match(workers.started[0], /\/x\/y\/public\/engine-worker\.js$/);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    } finally {
      await server.close();
    }
  });

  test("a page that forbids workers (worker-src 'none') loads on the page and says so once", async () => {
    const index = await readFile(join(DIST, 'index.html'));
    const server = await startServer({
      routes: {
        '/': (req, res) => {
          res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "worker-src 'none'" });
          res.end(index);
        },
      },
    });
    try {
      const page = await newPage(env.browser);
      const workers = watchWorkers(page);
      await page.goto(server.url('/'));
      await waitForTrace(page);
      await dropFiles(page, ['jaeger-petclinic-single-trace.json']);
      await loaded(page, 'jaeger-petclinic-single-trace.json');
      const notice = page.getByTestId('notice');
      await notice.waitFor();
      assert.match(await notice.textContent(), /read on this page, not in a background worker/);
      await notice.getByRole('button', { name: 'Dismiss' }).click();
      await dropFiles(page, [{ name: 'again.json', url: '/public/samples/checkout.otlp.json' }]);
      await loaded(page, 'again.json');
      assert.equal(await notice.count(), 0, 'said once');
      assert.equal(workers.started.filter((u) => !u.startsWith('blob:')).length <= 1, true);
      // The blocked worker is reported by the browser as a CSP violation; nothing else goes wrong.
      assert.deepEqual(page.errors.filter((e) => !/Content Security Policy|worker-src/i.test(e)), []);
      await page.context().close();
    } finally {
      await server.close();
    }
  });
});
