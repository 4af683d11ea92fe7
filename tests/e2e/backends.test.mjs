// Opening a trace by id from the backends of public/config.json, against the fake backends of
// fake-backends.mjs (Jaeger, Tempo and Zipkin servers cannot be installed on these machines; that file says
// how their routes are answered).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serveAndLaunch } from './harness.mjs';
import { HOTROD, PETCLINIC, YELP, TEMPO, routes, seen } from './fake-backends.mjs';

const env = serveAndLaunch({ routes });

async function open(query) {
  const page = await newPage(env.browser);
  await page.goto(env.server.url(`/${query}`));
  return page;
}
const alert = (page) => page.getByRole('alert');

describe('open a trace by id', () => {
  test('?traceId= fetches from the first backend, named <backend>:<id>, through the usual reader', async () => {
    const page = await open(`?traceId=${HOTROD}`);
    await page.locator('.trace-header').getByText('40 spans', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('trace-id').textContent(), HOTROD);
    assert.match(await page.getByTestId('source').textContent(), new RegExp(`otlp-json · jaeger:${HOTROD}`));
    assert.ok(seen.includes(`/jaeger/api/v3/traces/${HOTROD}`));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('an older Jaeger without api/v3 is asked through its v1 API, an older Tempo through /api/traces ({"batches"}); Zipkin and Tempo (with its header) by &backend=', async () => {
    for (const [backend, id, spans] of [['old-jaeger', PETCLINIC, '17 spans'], ['zipkin', YELP, '16 spans'], ['tempo', TEMPO, '1 span'], ['old-tempo', TEMPO, '1 span']]) {
      const page = await open(`?traceId=${id}&backend=${backend}`);
      await page.locator('.trace-header').getByText(spans, { exact: true }).waitFor();
      assert.match(await page.getByTestId('source').textContent(), new RegExp(`${backend}:${id}`));
      // The browser logs the v3 route's 404 before the v1 API answers; nothing else.
      assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e) || !backend.startsWith('old-')), [], backend);
      await page.context().close();
    }
    assert.ok(seen.includes(`/old-jaeger/api/v3/traces/${PETCLINIC}`) && seen.includes(`/old-jaeger/api/traces/${PETCLINIC}`), 'v3 first, then v1');
    assert.ok(seen.includes(`/old-tempo/api/v2/traces/${TEMPO}`) && seen.includes(`/old-tempo/api/traces/${TEMPO}`), 'Tempo api/v2 first, then the older route');
  });

  test('the Trace ID box in the toolbar, with a Backend choice', async () => {
    const page = await open('');
    await page.locator('.trace-header').waitFor(); // the sample
    await page.getByLabel('Backend').selectOption('zipkin');
    await page.getByLabel('Trace ID').fill(`  ${YELP} `);
    await page.getByLabel('Trace ID').press('Enter');
    await page.getByTestId('source').getByText(`zipkin:${YELP}`).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a slow backend shows progress, and Cancel stops the request at once', async () => {
    const page = await open('?traceId=abc&backend=slow');
    const progress = page.getByTestId('progress');
    await progress.getByText('Opening slow:abc…').waitFor();
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached', timeout: 1000 });
    await page.waitForTimeout(2000); // past the backend's timeout: nothing more comes
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.context().close();
  });

  test('each failure says what happened and what to do; the trace on screen stays', async () => {
    const cases = [
      ['jaeger', '0000000000000000000000000000beef', /trace 0000000000000000000000000000beef was not found in jaeger \(HTTP 404: trace not found\)/],
      ['broken', 'abc', /broken failed to answer trace abc \(HTTP 503: storage unavailable\)/],
      ['login', 'abc', /login answered with an HTML page, not JSON "Sign in · Example SSO": a login page or a proxy's error\?/],
      ['slow', 'abc', /slow did not answer within 1 s .*raise "timeoutMs" in public\/config\.json/],
      ['down', 'abc', /could not reach down at http:\/\/127\.0\.0\.1:9\/api\/v2\/trace\/abc: .*ZIPKIN_QUERY_ALLOWED_ORIGINS/],
      ['nowhere', 'abc', /no backend named "nowhere" in public\/config\.json/],
    ];
    const page = await open('');
    await page.locator('.trace-header').waitFor();
    const before = await page.getByTestId('trace-id').textContent();
    for (const [backend, id, said] of cases) {
      await page.evaluate(([b, i]) => { history.replaceState(null, '', `?traceId=${i}&backend=${b}`); }, [backend, id]);
      await page.reload();
      await alert(page).getByText(said).waitFor({ timeout: 10_000 });
    }
    // Typed into the box, a failure leaves the trace on screen.
    await page.goto(env.server.url('/'));
    await page.locator('.trace-header').waitFor();
    await page.getByLabel('Backend').selectOption('broken');
    await page.getByLabel('Trace ID').fill('abc');
    await page.getByLabel('Trace ID').press('Enter');
    await alert(page).getByText(/HTTP 503/).waitFor();
    assert.equal(await page.getByTestId('trace-id').textContent(), before);
    await page.context().close();
  });
});
