// The Content-Security-Policy, and text from traces shown as text everywhere: a span name holding <script>,
// an onerror= attribute or a javascript: URL never becomes markup or a live link, with or without the policy.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, newPage, serveAndLaunch, waitForTrace } from './harness.mjs';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ROOT = 'b7ad6b7169203331';
const CHILD = '00f067aa0ba902b7';
// Each payload sets window.pwned (or adds an element) if it ever runs or becomes markup.
const P = {
  script: '<script>window.pwned="script"</script>checkout',
  img: '<img src=x onerror="window.pwned=\'img\'">charge',
  svg: '<svg onload="window.pwned=\'svg\'"></svg>',
  iframe: '<iframe src="javascript:window.pwned=\'iframe\'"></iframe>',
  service: '<b id="bold">payments</b>',
  js: 'javascript:window.pwned="link"',
  bad: '<img src=y onerror="window.pwned=\'rejected\'">',
};
const str = (stringValue) => ({ stringValue });
const hostile = JSON.stringify({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: str(P.service) }] },
    scopeSpans: [{ spans: [
      { traceId: TRACE, spanId: ROOT, name: P.script, kind: 2, startTimeUnixNano: '1000000', endTimeUnixNano: '9000000',
        attributes: [{ key: 'http.url', value: str(P.js) }, { key: 'docs', value: str('https://example.com/ok') }] },
      { traceId: TRACE, spanId: CHILD, parentSpanId: ROOT, name: P.img, startTimeUnixNano: '2000000', endTimeUnixNano: '8000000',
        status: { code: 2, message: P.svg },
        attributes: [{ key: P.iframe, value: str(P.iframe) }],
        events: [{ name: P.svg, timeUnixNano: '3000000', attributes: [{ key: 'exception.message', value: str(P.img) }] }],
        links: [{ traceId: TRACE, spanId: ROOT, attributes: [{ key: 'why', value: str(P.script) }] }] },
      // Rejected: its error message quotes the bad value, and the message is shown in the load's warnings.
      { traceId: TRACE, spanId: '1111111111111111', name: 'bad', startTimeUnixNano: P.bad, endTimeUnixNano: '2' },
    ] }],
  }],
});

const env = serveAndLaunch({ routes: { '/hostile.json': (_req, res) => res.end(hostile) } });

async function noMarkupFromTraces(page) {
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script in the page');
  assert.equal(await page.locator('img, svg, iframe, #bold').count(), 0, 'no element made from trace text');
  assert.equal(await page.locator('a[href^="javascript:"]').count(), 0, 'no javascript: link');
}

describe('Content-Security-Policy', () => {
  test('index.html sets a policy with no inline script, and the app runs under it without a violation', async () => {
    const html = await readFile(join(DIST, 'index.html'), 'utf8');
    const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1];
    assert.ok(policy, 'a CSP meta element');
    const scriptSrc = policy.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    assert.equal(scriptSrc, "script-src 'self' 'wasm-unsafe-eval'");
    assert.doesNotMatch(policy, /unsafe-inline/);
    // Every <script> in the built page loads a file; the policy comes before the first one.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc="\.?\/[^"]+\.js"/);
      assert.equal(body.trim(), '');
    }
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'));

    const page = await newPage(env.browser);
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    await page.getByTestId('theme-switch').click(); // style changes after load
    await page.waitForTimeout(300);
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(page.errors, []);
    // The policy is in force: an inline script added now does not run.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
    });
    assert.equal(await page.evaluate(() => window.inlineRan), undefined);
    assert.ok((await page.evaluate(() => window.violations)).some((v) => v.startsWith('script-src')));
    await page.context().close();
  });
});

describe('trace text stays text', () => {
  test('names, services, attributes, events, links, status and load warnings holding markup are shown as text', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url(`/?url=/hostile.json&span=${CHILD}`));
    await waitForTrace(page);
    const detail = page.getByTestId('span-detail');
    await detail.waitFor();
    // The span panel: name, service, status message, attribute key and value, event, link.
    assert.equal(await page.getByTestId('detail-name').textContent(), P.img);
    const text = await detail.textContent();
    for (const shown of [P.img, P.svg, P.iframe, P.service]) assert.ok(text.includes(shown), `panel shows ${shown}`);
    await noMarkupFromTraces(page);

    // The root's panel: the javascript: URL is text, the https one a link.
    await page.getByTestId('parent-link').click();
    await page.getByTestId('detail-name').getByText(P.script, { exact: true }).waitFor();
    assert.ok((await detail.textContent()).includes(P.js));
    assert.equal(await detail.locator('a[href="https://example.com/ok"]').count(), 1);
    assert.equal(await detail.locator('a', { hasText: 'javascript:' }).count(), 0);

    // The tooltip over the root's bar, the services table, the findings, the warnings (the rejected span).
    const box = await page.getByTestId('flame-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 24 + 10); // below the axis, on the first row
    const tooltip = page.getByTestId('tooltip');
    await tooltip.waitFor();
    assert.ok((await tooltip.textContent()).includes('<script>'), await tooltip.textContent());
    assert.ok((await page.getByTestId('services-table').textContent()).includes(P.service));
    const warnings = page.getByTestId('warnings');
    await warnings.locator('summary').click();
    assert.ok((await warnings.textContent()).includes(P.bad), await warnings.textContent());
    // Search for the markup: matches, and the status line shows the query as text.
    await page.getByTestId('search').fill('<img');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="search-status"]').textContent));
    await noMarkupFromTraces(page);
    await page.screenshot({ path: '/tmp/spanlens-hostile.png', fullPage: true });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
