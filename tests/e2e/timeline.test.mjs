// The timeline tab: rows in tree order on a canvas, folding with the mouse, the keys and the toolbar, search
// with "Only matches", and the one selection shared with the flame graph.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serveAndLaunch, waitForTrace } from './harness.mjs';

const env = serveAndLaunch({});
const HOTROD = 'otlp-hotrod-jaeger-apiv3-response.json'; // 40 spans, root "GET /dispatch"
const ROW = 20;
const AXIS = 24;

const canvas = (page) => page.getByTestId('timeline-canvas');
const rows = async (page) => Number(await canvas(page).getAttribute('data-rows'));
/** Waits for the canvas to show `n` rows. */
const rowsAre = (page, n) => page.waitForFunction((n) => document.querySelector('[data-testid=timeline-canvas]')?.dataset.rows === String(n), n);
/** A click on row `row` (0-based from the top), at `x` CSS px from the canvas's left. */
const clickRow = (page, row, x = 220) => canvas(page).click({ position: { x, y: AXIS + row * ROW + ROW / 2 } });

async function openTimeline() {
  const page = await newPage(env.browser);
  await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}`));
  await waitForTrace(page);
  await page.getByTestId('tab-timeline').click();
  await rowsAre(page, 40);
  return page;
}

describe('timeline', () => {
  test('the tab shows every span as a row, kept in the URL; folding with the marker, the toolbar and the keys', async () => {
    const page = await openTimeline();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'timeline');
    // The root's fold marker (depth 0: at the column's left edge).
    await clickRow(page, 0, 9);
    await rowsAre(page, 1);
    await clickRow(page, 0, 9);
    await rowsAre(page, 40);
    await page.getByTestId('collapse-all').click();
    await rowsAre(page, 1);
    await page.getByTestId('expand-level').click();
    const second = await rows(page);
    assert.ok(second > 1 && second < 40, `one level more: ${second}`);
    await page.getByTestId('expand-all').click();
    await rowsAre(page, 40);
    await page.getByTestId('collapse-to-errors').click();
    const focused = await rows(page);
    assert.ok(focused > 1 && focused < 40, `the paths to errors and the critical path: ${focused}`);
    await page.getByTestId('expand-all').click();
    await rowsAre(page, 40);

    // Keys: a click selects; ← folds it, → unfolds, ↓ moves to the next row.
    await clickRow(page, 5); // driver.DriverService/FindNearest (server), 14 children
    await page.getByTestId('span-detail').waitFor();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'driver.DriverService/FindNearest');
    await canvas(page).press('ArrowLeft');
    await rowsAre(page, 26);
    await canvas(page).press('ArrowRight');
    await rowsAre(page, 40);
    await canvas(page).press('ArrowDown');
    await page.getByTestId('detail-name').getByText('FindDriverIDs').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('search dims the rest, and "Only matches" keeps the matches with their ancestors', async () => {
    const page = await openTimeline();
    await page.getByTestId('timeline-search').fill('service:mysql');
    assert.equal(await page.getByTestId('timeline-search-status').textContent(), '1 match');
    assert.equal(await rows(page), 40, 'dimmed, not hidden');
    await page.getByTestId('only-matches').check();
    await rowsAre(page, 4); // GET /dispatch › HTTP GET › GET /customer › SQL SELECT
    await page.getByTestId('only-matches').uncheck();
    await rowsAre(page, 40);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('one selection for both views: "Show in flame graph" and "Show in timeline" jump to it', async () => {
    const page = await openTimeline();
    await clickRow(page, 3); // mysql SQL SELECT
    await page.getByTestId('detail-name').getByText('SQL SELECT').waitFor();
    await page.getByTestId('show-in').getByText('Show in flame graph').click();
    await page.getByTestId('flame-canvas').waitFor();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'SQL SELECT');
    assert.notEqual(await page.getByTestId('flame-canvas').getAttribute('data-selected'), '');
    await page.getByTestId('show-in').getByText('Show in timeline').click();
    await canvas(page).waitFor();
    assert.equal(await page.getByTestId('detail-name').textContent(), 'SQL SELECT');
    // A link with view=timeline opens on the timeline.
    const again = await newPage(env.browser);
    await again.goto(page.url());
    await again.getByTestId('timeline-canvas').waitFor();
    await again.getByTestId('detail-name').getByText('SQL SELECT').waitFor();
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.context().close();
    await again.context().close();
  });
});
