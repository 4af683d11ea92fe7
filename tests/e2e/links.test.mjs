// Links that reopen what was on screen: the URL keeps the source, trace, span, search, time window and
// colouring (written with replaceState a moment after the last change); "Copy link" copies it (or shows it
// in a box where the clipboard is missing); Jaeger UI's uiFind= and uiEmbed= links open here too.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serveAndLaunch, settledUrl, waitForTrace } from './harness.mjs';

const env = serveAndLaunch({});
const HOTROD = 'otlp-hotrod-jaeger-apiv3-response.json';

const canvas = (page) => page.getByTestId('flame-canvas');
const windowOf = async (page) => (await canvas(page).getAttribute('data-window')).split(' ').map(Number);

describe('links', () => {
  test('a copied link reopens the same trace, span, search, window and colouring', async () => {
    const page = await newPage(env.browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}`));
    await waitForTrace(page);
    const entries = await page.evaluate(() => history.length);
    const search = page.getByTestId('search');
    await search.fill('service:redis-manual');
    await search.press('Enter'); // selects and frames the first match
    await page.getByTestId('span-detail').waitFor();
    const selectedName = await page.getByTestId('detail-name').textContent();
    await canvas(page).hover({ position: { x: 300, y: 120 } });
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -120); // zoom in at the pointer
    await page.getByTestId('colouring').selectOption('operation');
    await page.waitForTimeout(400);
    const shown = await windowOf(page);
    assert.ok(shown[1] - shown[0] < 712e6, 'zoomed in');

    // The URL has followed, without a history entry per step.
    const url = new URL(await settledUrl(page, { colour: 'operation' }));
    assert.equal(url.searchParams.get('url'), `/fixtures/${HOTROD}`);
    assert.equal(url.searchParams.get('q'), 'service:redis-manual');
    assert.equal(url.searchParams.get('colour'), 'operation');
    assert.match(url.searchParams.get('span'), /^[0-9a-f]{16}$/);
    assert.match(url.searchParams.get('window'), /^\d+,\d+$/);
    assert.equal(await page.evaluate(() => history.length), entries);

    await page.getByTestId('copy-link').click();
    await page.getByTestId('copy-link').getByText('Link copied').waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(link, page.url());

    const again = await newPage(env.browser);
    await again.goto(link);
    await waitForTrace(again);
    await again.getByTestId('span-detail').waitFor();
    assert.equal(await again.getByTestId('detail-name').textContent(), selectedName);
    assert.equal(await again.getByTestId('search').inputValue(), 'service:redis-manual');
    assert.match(await again.getByTestId('search-status').textContent(), /\d+ match/);
    assert.equal(await again.getByTestId('colouring').inputValue(), 'operation');
    await again.waitForTimeout(300);
    const reopened = await windowOf(again);
    assert.ok(Math.abs(reopened[0] - shown[0]) <= 1 && Math.abs(reopened[1] - shown[1]) <= 1, `${reopened} vs ${shown}`);
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.context().close();
    await again.context().close();
  });

  test('where the clipboard is missing, the link is shown selected in a box', async () => {
    const page = await newPage(env.browser);
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}`));
    await waitForTrace(page);
    await page.getByTestId('copy-link').click();
    const box = page.getByTestId('link-box');
    await box.waitFor();
    assert.equal(await box.inputValue(), page.url());
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'link-box');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a Jaeger UI link: uiFind= fills the search and shows its matches, uiEmbed=v0 hides the toolbar', async () => {
    const page = await newPage(env.browser);
    await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}&uiFind=redis&uiEmbed=v0&uiTheme=dark`));
    await waitForTrace(page);
    assert.equal(await page.getByTestId('search').inputValue(), 'redis');
    assert.match(await page.getByTestId('search-status').textContent(), /^\d+ match/);
    assert.equal(await page.locator('header.toolbar').count(), 0);
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('theme-dark')), true);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
