// Opening a trace by id from the backends of public/config.json. Jaeger, Tempo and Zipkin servers cannot be
// installed on these machines, so a test server answers their real routes (paths, parameters and response
// bodies as DESIGN.md and the servers' sources give them), with the shared fixtures as bodies: the HotROD
// api/v3 answer for Jaeger, a Jaeger v1 `{"data":[…]}` answer for an older Jaeger without api/v3, the Yelp
// Zipkin trace, and the OTLP spec example wrapped in Tempo's api/v2 `{"trace":…}`.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, newPage, serveAndLaunch } from './harness.mjs';

const fixture = (name) => readFileSync(join(FIXTURES, name), 'utf8');
const HOTROD = '2ea75461946a7dd10f2c15ab36a076cb';
const PETCLINIC = 'df84e36b9e2ee3815d07f0867a5be1f';
const YELP = 'a03ee8fff1dcd9b9';
const TEMPO = '5b8efff798038103d269b633813fc60c';

const config = {
  backends: [
    { name: 'jaeger', kind: 'jaeger', url: '/jaeger' },
    { name: 'old-jaeger', kind: 'jaeger', url: '/old-jaeger/' },
    { name: 'zipkin', kind: 'zipkin', url: '/zipkin' },
    { name: 'tempo', kind: 'tempo', url: '/tempo', headers: { 'X-Scope-OrgID': 'team-a' } },
    { name: 'slow', kind: 'jaeger', url: '/slow', timeoutMs: 1500 },
    { name: 'login', kind: 'zipkin', url: '/login' },
    { name: 'broken', kind: 'jaeger', url: '/broken' },
    { name: 'down', kind: 'zipkin', url: 'http://127.0.0.1:9/' },
  ],
};

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const seen = [];
const routes = {
  '/public/config.json': (_req, res) => json(res, 200, config),
  // Jaeger v2: api/v3 only; its own 404 is JSON.
  '/jaeger/*': (req, res, url) => {
    seen.push(url.pathname);
    const id = url.pathname.match(/^\/jaeger\/api\/v3\/traces\/([0-9a-f]+)$/)?.[1];
    if (!id) return json(res, 404, '404 page not found\n');
    if (id !== HOTROD) return json(res, 404, { error: { httpCode: 404, message: 'trace not found' } });
    return json(res, 200, fixture('otlp-hotrod-jaeger-apiv3-response.json'));
  },
  // An older Jaeger: no api/v3 route (Go's mux answers plain text), the v1 HTTP API.
  '/old-jaeger/*': (_req, res, url) => {
    seen.push(url.pathname);
    if (url.pathname === `/old-jaeger/api/traces/${PETCLINIC}`) return json(res, 200, { data: [JSON.parse(fixture('jaeger-petclinic-single-trace.json'))], total: 0, limit: 0, offset: 0, errors: null });
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  },
  '/zipkin/*': (_req, res, url) => {
    if (url.pathname === `/zipkin/api/v2/trace/${YELP}`) return json(res, 200, fixture('zipkin-yelp.json'));
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`Trace not found`);
  },
  // Tempo answers a tenant's traces only with its X-Scope-OrgID.
  '/tempo/*': (req, res, url) => {
    if (req.headers['x-scope-orgid'] !== 'team-a') return json(res, 401, 'no org id\n');
    if (url.pathname !== `/tempo/api/v2/traces/${TEMPO}`) return json(res, 404, 'trace not found\n');
    return json(res, 200, `{"trace":${fixture('otlp-spec-example.json')},"status":"complete"}`);
  },
  '/slow/*': () => {}, // never answers
  '/login/*': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><head><title>Sign in · Example SSO</title></head><body>…</body></html>');
  },
  '/broken/*': (_req, res) => json(res, 503, { data: null, errors: [{ code: 503, msg: 'storage unavailable' }] }),
};
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

  test('an older Jaeger without api/v3 is asked through its v1 API; Zipkin and Tempo (with its header) by &backend=', async () => {
    for (const [backend, id, spans] of [['old-jaeger', PETCLINIC, '17 spans'], ['zipkin', YELP, '16 spans'], ['tempo', TEMPO, '1 span']]) {
      const page = await open(`?traceId=${id}&backend=${backend}`);
      await page.locator('.trace-header').getByText(spans, { exact: true }).waitFor();
      assert.match(await page.getByTestId('source').textContent(), new RegExp(`${backend}:${id}`));
      // The browser logs the v3 route's 404 before the v1 API answers; nothing else.
      assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e) || backend !== 'old-jaeger'), [], backend);
      await page.context().close();
    }
    assert.ok(seen.includes(`/old-jaeger/api/v3/traces/${PETCLINIC}`) && seen.includes(`/old-jaeger/api/traces/${PETCLINIC}`), 'v3 first, then v1');
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
