// The timeline tab: rows in tree order on a canvas, folding with the mouse, the keys and the toolbar, search
// with "Only matches", and the one selection shared with the flame graph.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serveAndLaunch, settledUrl, waitForTrace } from './harness.mjs';

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
    await page.waitForFunction(() => document.querySelector('[data-testid=timeline-canvas]').dataset.rows !== '1');
    const second = await rows(page);
    assert.ok(second > 1 && second < 40, `one level more: ${second}`);
    await page.getByTestId('expand-all').click();
    await rowsAre(page, 40);
    await page.getByTestId('collapse-to-errors').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=timeline-canvas]').dataset.rows !== '40');
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
    await again.goto(await settledUrl(page, { view: 'timeline' }));
    await again.getByTestId('timeline-canvas').waitFor();
    await again.getByTestId('detail-name').getByText('SQL SELECT').waitFor();
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.context().close();
    await again.context().close();
  });
});

describe('spans table', () => {
  test('every span, sorted by a column, filtered by the search, a click selects, CSV of what is shown', async () => {
    const page = await newPage(env.browser, { acceptDownloads: true });
    await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}`));
    await waitForTrace(page);
    await page.getByTestId('tab-spans').click();
    const grid = page.getByRole('grid', { name: 'Spans' });
    await grid.waitFor();
    assert.equal(await grid.getAttribute('aria-rowcount'), '41');
    assert.ok(await grid.locator('.rows .row').count() < 41 + 1);
    // Longest first: the root.
    await page.getByTestId('sort-duration').click();
    assert.equal(await page.getByTestId('sort-duration').getAttribute('aria-sort'), 'descending');
    assert.match(await grid.locator('.rows .row').first().textContent(), /GET \/dispatch/);
    await page.getByTestId('sort-duration').click();
    assert.equal(await page.getByTestId('sort-duration').getAttribute('aria-sort'), 'ascending');
    // Operation A to Z.
    await page.getByTestId('sort-operation').click();
    const firstOp = await grid.locator('.rows .row').first().locator('.op').textContent();
    assert.equal(firstOp, 'FindDriverIDs');
    // The search language filters.
    await page.getByTestId('spans-search').fill('status:error');
    await page.getByTestId('spans-search-status').getByText('3 matches').waitFor();
    assert.equal(await grid.getAttribute('aria-rowcount'), '4');
    // A click selects (the panel opens); the flame graph has the same selection.
    await grid.locator('.rows .row').first().click();
    await page.getByTestId('detail-name').getByText('GetDriver').waitFor();
    await page.getByTestId('tab-flame').click();
    await page.getByTestId('detail-name').getByText('GetDriver').waitFor();
    await page.getByTestId('tab-spans').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-spans-csv').click()]);
    assert.equal(download.suggestedFilename(), 'otlp-hotrod-jaeger-apiv3-response.spans.csv');
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    assert.equal(lines[0], 'span_id,parent_id,service,operation,kind,status,start,start_offset_ns,duration_ns,self_ns,critical_path_ns');
    assert.equal(lines.length, 4, 'the three shown');
    assert.ok(lines.slice(1).every((l) => l.includes(',redis-manual,GetDriver,client,error,')), lines.join('\n'));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('events table', () => {
  test('every event in time order, exceptions with type and message, filtered by span, a click selects, CSV', async () => {
    const page = await newPage(env.browser, { acceptDownloads: true });
    await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}&view=events`));
    await waitForTrace(page);
    const grid = page.getByRole('grid', { name: 'Events' });
    await grid.waitFor();
    assert.equal(await page.getByTestId('events-count').textContent(), '52 events of 52');
    const times = await grid.locator('.rows .row').evaluateAll((rows) => rows.map((r) => Number(r.style.top.replace('px', ''))));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'rows placed top to bottom');
    // The three exceptions: redis timeouts, with their type and message.
    await page.getByTestId('events-search').fill('status:error');
    await page.getByTestId('events-count').getByText(/^\d+ events? of 52$/).waitFor();
    const exceptions = grid.locator('.rows .row.bad');
    assert.equal(await exceptions.count(), 3);
    assert.match(await exceptions.first().locator('.said').textContent(), /redis timeout|timeout/i);
    await exceptions.first().click();
    await page.getByTestId('detail-name').getByText('GetDriver').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-events-csv').click()]);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    assert.equal(lines[0], 'time,offset_ns,span_id,service,span,event,says,stacktrace');
    assert.ok(lines.some((l) => l.includes(',exception,')), lines.join('\n'));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('times', () => {
  test('relative, local or UTC: one choice for the tables, kept in the URL', async () => {
    const page = await newPage(env.browser, { timezoneId: 'Asia/Kolkata' });
    await page.goto(env.server.url(`/?url=/fixtures/${HOTROD}&view=spans`));
    await waitForTrace(page);
    const firstStart = () => page.locator('.spans-table .rows .row').first().locator('.num').first().textContent();
    assert.equal(await firstStart(), '+0 ns');
    await page.getByTestId('time-mode').selectOption('utc');
    await page.waitForFunction(() => /Z$/.test(document.querySelector('.spans-table .rows .row .num')?.textContent ?? ''));
    const utc = await firstStart();
    assert.match(utc, /^\d\d:\d\d:\d\d\.\d{6}Z$/);
    await page.getByTestId('time-mode').selectOption('local');
    await page.waitForFunction(() => /\+05:30$/.test(document.querySelector('.spans-table .rows .row .num')?.textContent ?? ''));
    // The events tab follows the same choice; a link keeps it.
    await page.getByTestId('tab-events').click();
    await page.waitForFunction(() => /\+05:30$/.test(document.querySelector('.events-table .rows .row .num')?.textContent ?? ''));
    const again = await newPage(env.browser, { timezoneId: 'Asia/Kolkata' });
    await again.goto(await settledUrl(page, { time: 'local', view: 'events' }));
    await again.waitForFunction(() => /\+05:30$/.test(document.querySelector('.events-table .rows .row .num')?.textContent ?? ''));
    assert.equal(await again.getByTestId('time-mode').inputValue(), 'local');
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.context().close();
    await again.context().close();
  });
});

describe('the bundled sample', () => {
  // checkout.otlp.json: 120 spans under two roots (the second's parent is missing), 14 events (one exception
  // on payment's POST /v1/payments), 3 errors; 5 spans at depths 0–1, 20 at depths 0–2.
  test('timeline (depth picker, keys, the column dragged), spans, events, one selection, clock times on the axes', async () => {
    const page = await newPage(env.browser, { acceptDownloads: true, timezoneId: 'Asia/Kolkata' });
    await page.goto(env.server.url('/?view=timeline'));
    await rowsAre(page, 120);
    // The depth picker folds below a depth; "All levels" unfolds everything.
    await page.getByTestId('levels').selectOption('2');
    await rowsAre(page, 5);
    await page.getByTestId('levels').selectOption('3');
    await rowsAre(page, 20);
    await page.getByTestId('levels').selectOption('all');
    await rowsAre(page, 120);
    // Keys: a click selects the root, ← folds it, → unfolds it, ↓ moves the selection.
    await clickRow(page, 0);
    await page.getByTestId('detail-name').getByText('POST /checkout').waitFor();
    await canvas(page).press('ArrowLeft');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=timeline-canvas]').dataset.rows) < 120);
    await canvas(page).press('ArrowRight');
    await rowsAre(page, 120);
    await canvas(page).press('ArrowDown');
    await page.getByTestId('detail-name').getByText('checkout', { exact: true }).waitFor();
    // The column's edge drags.
    const left = Number(await canvas(page).getAttribute('data-left'));
    const box = await canvas(page).boundingBox();
    await page.mouse.move(box.x + left, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + left + 60, box.y + 200, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction((w) => Number(document.querySelector('[data-testid=timeline-canvas]').dataset.left) === w, left + 60);
    await page.getByTestId('detail-name').getByText('checkout', { exact: true }).waitFor(); // a drag is not a click
    // The axes follow the Times choice: clock times in the zone, in the timeline and the flame graph.
    assert.equal(await canvas(page).getAttribute('data-axis'), '0');
    await page.getByTestId('time-mode').selectOption('local');
    await page.waitForFunction(() => /^\d\d:\d\d:\d\d(\.\d+)?\+05:30$/.test(document.querySelector('[data-testid=timeline-canvas]').dataset.axis));
    await page.getByTestId('start-local').getByText(/\+05:30 local$/).waitFor();
    await page.getByTestId('tab-flame').click();
    await page.waitForFunction(() => /\+05:30$/.test(document.querySelector('[data-testid=flame-canvas]')?.dataset.axis ?? ''));
    await page.getByTestId('time-mode').selectOption('utc');
    await page.waitForFunction(() => /Z$/.test(document.querySelector('[data-testid=flame-canvas]').dataset.axis));
    await page.getByTestId('time-mode').selectOption('relative');
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]').dataset.axis === '0');

    // Spans: longest first is the root; the errors filtered; the CSV holds what is shown.
    await page.getByTestId('tab-spans').click();
    const grid = page.getByRole('grid', { name: 'Spans' });
    assert.equal(await grid.getAttribute('aria-rowcount'), '121');
    await page.getByTestId('sort-duration').click();
    assert.match(await grid.locator('.rows .row').first().textContent(), /POST \/checkout/);
    await page.getByTestId('spans-search').fill('status:error');
    await page.getByTestId('spans-count').getByText('3 spans of 120').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-spans-csv').click()]);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    assert.equal(lines.length, 4, lines.join('\n'));
    assert.ok(lines.slice(1).every((l) => l.includes(',error,')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes(',payment,POST /v1/payments,')), lines.join('\n'));
    await page.getByTestId('spans-search').fill('');

    // Events: all 14 in time order; the exception selects its span, shown in the timeline.
    await page.getByTestId('tab-events').click();
    await page.getByTestId('events-count').getByText('14 events of 14').waitFor();
    const exception = page.getByRole('grid', { name: 'Events' }).locator('.rows .row.bad');
    assert.equal(await exception.count(), 1);
    await exception.click();
    await page.getByTestId('detail-name').getByText('POST /v1/payments').waitFor();
    await page.getByTestId('show-in').getByText('Show in timeline').click();
    await canvas(page).waitFor();
    await page.getByTestId('detail-name').getByText('POST /v1/payments').waitFor();
    await settledUrl(page, { view: 'timeline' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
