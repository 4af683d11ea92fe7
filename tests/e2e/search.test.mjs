// The search page (?view=search) against the fake backends of fake-backends.mjs (Jaeger, Tempo and Zipkin
// servers cannot be installed on these machines; that file says how their real routes are answered and how
// strictly a search's parameters are checked): search → list + scatter → open → flame graph → back, for
// each backend kind; a shared search URL; each failure; the dist served under /x/y/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serveAndLaunch, startServer } from './harness.mjs';
import { HOTROD, PETCLINIC, YELP, TEMPO_ZERO, routes, searches, seen } from './fake-backends.mjs';

const env = serveAndLaunch({ routes });

async function open(query, server = env.server) {
  const page = await newPage(env.browser);
  await page.goto(server.url(query));
  return page;
}
const form = (page) => page.getByTestId('search-form');
const list = (page) => page.getByTestId('trace-list');
const rows = (page) => list(page).locator('.trace-table .rows .row');
const header = (page) => page.locator('.trace-header');
const lastSearch = () => searches.at(-1);

/// Fills the form's fields (label → value) and presses Find traces.
async function find(page, fields) {
  for (const [label, value] of Object.entries(fields)) {
    const field = form(page).getByLabel(label, { exact: true });
    if (label === 'Backend' || label === 'Lookback') await field.selectOption(value);
    else await field.fill(value);
  }
  await form(page).getByRole('button', { name: 'Find traces' }).click();
}

describe('search a backend, list, open, come back', () => {
  test('the form has its labelled fields, and lists of services and operations from the backend', async () => {
    const page = await open('/?view=search');
    // The form is drawn once config.json (its backends) is read.
    await form(page).getByLabel('Backend', { exact: true }).waitFor();
    for (const label of ['Backend', 'Service', 'Operation', 'Tags', 'Min duration', 'Max duration', 'Lookback', 'Limit']) {
      assert.equal(await form(page).getByLabel(label, { exact: true }).count(), 1, label);
    }
    assert.equal(await form(page).getByRole('button', { name: 'Find traces' }).count(), 1);
    // The first backend's services; a service's operations once it is chosen.
    await page.locator('datalist#services option[value="frontend"]').waitFor({ state: 'attached' });
    await form(page).getByLabel('Service', { exact: true }).fill('frontend');
    await form(page).getByLabel('Service', { exact: true }).press('Tab');
    await page.locator('datalist#operations option[value="GET /dispatch"]').waitFor({ state: 'attached' });
    // Tempo gets a TraceQL box; the others do not.
    assert.equal(await form(page).getByLabel('TraceQL').count(), 0);
    await form(page).getByLabel('Backend', { exact: true }).selectOption('tempo');
    await form(page).getByLabel('TraceQL').waitFor();
    await page.locator('datalist#services option[value="my.service"]').waitFor({ state: 'attached' });
    // With no search asked for, nothing is searched and the sample is not loaded.
    assert.equal(await page.getByTestId('files').locator('.file').count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('Jaeger api/v3: summaries listed with a scatter; a row opens the trace by id; Back and "Back to results" return with scroll and row', async () => {
    const page = await open('/?view=search');
    await find(page, { Service: 'frontend', Tags: 'http.status_code=200 error="false"', 'Min duration': '1.5ms', Lookback: '6h', Limit: '50' });
    await rows(page).first().waitFor();
    const asked = lastSearch();
    assert.equal(asked.path, '/jaeger/api/v3/trace-summaries');
    assert.equal(asked.params['query.serviceName'], 'frontend');
    assert.equal(asked.params['query.durationMin'], '1500us');
    assert.equal(asked.params['query.searchDepth'], '50');
    assert.deepEqual(JSON.parse(asked.params['query.attributes']), { 'http.status_code': '200', error: 'false' });
    const span = Date.parse(asked.params['query.startTimeMax']) - Date.parse(asked.params['query.startTimeMin']);
    assert.equal(span, 6 * 3600 * 1000, 'six hours back');
    // The search is in the URL, to share.
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('view'), 'search');
    assert.equal(url.searchParams.get('service'), 'frontend');
    assert.equal(url.searchParams.get('lookback'), '6h');
    // List and scatter.
    assert.equal(await rows(page).count(), 2);
    assert.match(await list(page).locator('h2').textContent(), /^2 traces from jaeger/);
    assert.match(await page.getByTestId('scatter').getAttribute('aria-label'), /^Scatter of 2 traces.*1 with errors/);
    assert.equal(await list(page).getByRole('grid').getAttribute('aria-rowcount'), '3');
    // Longest first: the failed one (2.5 s), marked as failed.
    await list(page).getByTestId('trace-sort').selectOption('longest');
    assert.match(await rows(page).first().getAttribute('class'), /\bbad\b/);
    // Open HotROD's row: fetched by id, named jaeger:<id>.
    await rows(page).filter({ hasText: 'GET /dispatch' }).and(page.locator(`[data-trace="${HOTROD}"]`)).click();
    await header(page).getByText('40 spans', { exact: true }).waitFor();
    assert.match(await page.getByTestId('source').textContent(), new RegExp(`jaeger:${HOTROD}`));
    assert.equal(new URL(page.url()).searchParams.get('traceId'), HOTROD);
    await page.getByTestId('flame-canvas').waitFor();
    // The browser's Back: the list, in the order left, the opened row current; Forward: the trace again.
    await page.goBack();
    await rows(page).first().waitFor();
    assert.equal(await list(page).getByTestId('trace-sort').inputValue(), 'longest');
    assert.match(await list(page).locator(`[data-trace="${HOTROD}"]`).getAttribute('class'), /\bcurrent\b/);
    assert.equal(new URL(page.url()).searchParams.get('service'), 'frontend');
    const searched = searches.length;
    await page.goForward();
    await header(page).getByText('40 spans', { exact: true }).waitFor();
    // The in-app way back; the results are kept, not searched again.
    await page.getByTestId('back-to-results').click();
    await rows(page).first().waitFor();
    assert.equal(searches.length, searched, 'no new search');
    // The keyboard: arrows move the current row, Enter opens it (the copy already loaded: no new fetch).
    const fetched = seen.filter((p) => p.endsWith(HOTROD)).length;
    await list(page).getByRole('grid').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    assert.match(await list(page).locator(`[data-trace="${HOTROD}"]`).getAttribute('aria-selected'), /true/);
    await page.keyboard.press('Enter');
    await header(page).getByText('40 spans', { exact: true }).waitFor();
    assert.equal(seen.filter((p) => p.endsWith(HOTROD)).length, fetched, 'opened again from memory');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a shared search URL runs the search; an older Jaeger is searched through its v1 API', async () => {
    const page = await open('/?view=search&backend=old-jaeger&service=api-gateway&maxDuration=2s&lookback=15m');
    await rows(page).first().waitFor();
    assert.equal(await form(page).getByLabel('Service', { exact: true }).inputValue(), 'api-gateway');
    const asked = lastSearch();
    assert.equal(asked.path, '/old-jaeger/api/traces');
    assert.equal(asked.params.maxDuration, '2000000us');
    assert.equal(Number(asked.params.end) - Number(asked.params.start), 15 * 60 * 1e6, 'µs');
    assert.ok(seen.includes('/old-jaeger/api/v3/trace-summaries'), 'v3 was asked first');
    await rows(page).first().click();
    await header(page).getByText('17 spans', { exact: true }).waitFor();
    assert.match(await page.getByTestId('source').textContent(), new RegExp(`old-jaeger:0*${PETCLINIC}`));
    await page.getByTestId('back-to-results').click();
    await rows(page).first().waitFor();
    assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), [], 'only the v3 routes\' 404s');
    await page.context().close();
  });

  test('Zipkin: whole traces listed; opened by id', async () => {
    const page = await open('/?view=search&backend=zipkin');
    await find(page, { Service: 'yelp-main', Operation: 'get', 'Max duration': '3s', Tags: 'http.method=GET' });
    await rows(page).first().waitFor();
    const asked = lastSearch().params;
    assert.deepEqual([asked.serviceName, asked.spanName, asked.maxDuration, asked.annotationQuery, asked.lookback], ['yelp-main', 'get', '3000000', 'http.method=GET', '3600000']);
    await rows(page).first().click();
    await header(page).getByText('16 spans', { exact: true }).waitFor();
    assert.match(await page.getByTestId('source').textContent(), new RegExp(`zipkin:0*${YELP}`));
    await page.goBack();
    await rows(page).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('Tempo: tags as logfmt or a TraceQL query, with the tenant header; a trace id that lost its leading zero is opened whole', async () => {
    const page = await open('/?view=search&backend=tempo');
    await find(page, { Service: 'my.service', Tags: 'http.route=/cart' });
    await rows(page).first().waitFor();
    assert.equal(lastSearch().params.tags, 'service.name="my.service" http.route="/cart"');
    await find(page, { TraceQL: '{ status = error }' });
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === '{ status = error }');
    assert.equal(lastSearch().params.q, '{ status = error }');
    assert.equal(lastSearch().params.tags, undefined, 'the query replaces the fields');
    await list(page).locator(`[data-trace="${TEMPO_ZERO}"]`).click();
    await header(page).waitFor();
    assert.ok(seen.includes(`/tempo/api/v2/traces/${TEMPO_ZERO}`), 'fetched with its 32 digits');
    assert.match(await page.getByTestId('source').textContent(), new RegExp(`tempo:${TEMPO_ZERO}`));
    await page.getByTestId('back-to-results').click();
    await rows(page).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('search failures', () => {
  test('a failed search says why and leaves the last results; a field that does not read is named; nothing matched says so', async () => {
    const page = await open('/?view=search&service=frontend');
    await rows(page).first().waitFor();
    await find(page, { Service: 'boom' });
    await page.getByRole('alert').getByText('jaeger failed to answer the search (HTTP 500: storage unavailable)').waitFor();
    assert.equal(await rows(page).count(), 2, 'the last results stay');
    await find(page, { Service: 'frontend', 'Min duration': 'fast' });
    await page.getByRole('alert').getByText('Min duration: "fast" is not a duration like 100ms or 1.5s').waitFor();
    await find(page, { Service: 'nothing', 'Min duration': '' });
    await page.getByTestId('no-results').getByText(/No traces in jaeger matched nothing/).waitFor();
    await page.context().close();
  });

  test('a stuck backend times out with Retry, which searches again', async () => {
    const page = await open('/?view=search&backend=slow');
    await find(page, { Service: 'frontend' });
    await page.locator('.progress').getByText('Searching slow…').waitFor();
    const alert = page.getByRole('alert');
    await alert.getByText(/slow did not answer within 1 s .*raise "timeoutMs"/).waitFor({ timeout: 10_000 });
    await alert.getByRole('button', { name: 'Retry' }).click();
    await rows(page).first().waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.context().close();
  });

  test('401 without the tenant header, an HTML login page, an unreachable backend: each named with what to do', async () => {
    const cases = [
      ['tempo-no-org', /tempo-no-org refused the search \(HTTP 401: no org id\): the backend wants credentials.*"headers"/],
      ['login', /login answered with an HTML page, not JSON "Sign in · Example SSO"/],
      ['down', /could not reach down at http:\/\/127\.0\.0\.1:9\/api\/v2\/services: .*CORS.*ZIPKIN_QUERY_ALLOWED_ORIGINS/],
    ];
    for (const [backend, said] of cases) {
      const page = await open(`/?view=search&backend=${backend}&service=x`);
      await page.getByRole('alert').getByText(said).first().waitFor({ timeout: 10_000 });
      await page.context().close();
    }
  });
});

describe('hosting', () => {
  test('under /x/y/, a relative backend URL resolves there; search, open and back work', async () => {
    const nested = {
      '/x/y/public/config.json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ backends: [{ name: 'jaeger', kind: 'jaeger', url: 'jaeger' }] }));
      },
      '/x/y/jaeger/*': (req, res, url) => routes['/jaeger/*'](req, res, new URL(url.pathname.slice('/x/y'.length) + url.search, 'http://x')),
    };
    const server = await startServer({ base: '/x/y/', routes: nested });
    const page = await open('/x/y/?view=search&service=frontend', server);
    await rows(page).first().waitFor();
    await list(page).locator(`[data-trace="${HOTROD}"]`).click();
    await header(page).getByText('40 spans', { exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/x/y/');
    await page.goBack();
    await rows(page).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
    await server.close();
  });
});
