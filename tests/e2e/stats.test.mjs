// The statistics tab: the table by service, operation and attribute with a sub-group, sorted, the heat,
// CSV; a row's spans highlighted in the flame graph and the timeline; the charts (drawn with plotters) on
// theme change and resize, with values on hover; the histogram marking the selected span; the table over
// every trace of a file.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { newPage, serveAndLaunch, settledUrl, waitForTrace } from './harness.mjs';
import { threeTraces } from './made-traces.mjs';

const env = serveAndLaunch({ routes: { '/three.jsonl': threeTraces } });
const HOTROD = 'otlp-hotrod-jaeger-apiv3-response.json';

const grid = (page) => page.getByRole('grid', { name: 'Statistics' });
const firstCells = (page) => grid(page).locator('.rows .row').evaluateAll((rows) =>
  rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((r) => r.querySelector('[role=gridcell]').textContent));
const draws = (page, id) => page.getByTestId(id).locator('canvas').evaluate((c) => Number(c.dataset.draws ?? 0));
/** How many pixels of the canvas are near `rgb` (the error red marks the selected span in the histogram). */
const pixelsNear = (page, id, rgb) => page.getByTestId(id).locator('canvas').evaluate((c, rgb) => {
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 30) n++;
  }
  return n;
}, rgb);
const RED = [0xc6, 0x28, 0x28];

describe('statistics', () => {
  test('on the sample: by service, sorted, by attribute then service, a row highlights its spans, CSV', async () => {
    const page = await newPage(env.browser, { acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?view=stats'));
    await grid(page).waitFor();
    // 8 services; by total time the notification service first (2.59 s over 41 spans), then the gateway.
    assert.equal(await grid(page).getAttribute('aria-rowcount'), '9');
    assert.deepEqual((await firstCells(page)).slice(0, 3), ['notification', 'gateway', 'payment']);
    await page.getByTestId('stats-sort-count').click();
    assert.equal(await page.getByTestId('stats-sort-count').getAttribute('aria-sort'), 'descending');
    assert.deepEqual((await firstCells(page)).slice(0, 3), ['notification', 'product', 'gateway']);
    await page.getByTestId('stats-sort-group').click();
    assert.deepEqual(await firstCells(page), ['fraud', 'gateway', 'inventory', 'notification', 'notification-worker', 'order', 'payment', 'product']);
    // The heat colours the chosen column's cells.
    await page.getByTestId('heat').selectOption('count');
    const warmed = await grid(page).locator('.rows .row [role=gridcell]').evaluateAll((cells) => cells.filter((c) => c.style.background.includes('color-mix')).length);
    assert.equal(warmed, 8, 'one warm cell per row');

    // By db.system then by service: postgresql in product (19) and order (6), redis in inventory (3) and
    // fraud (2), and the 90 spans without db.system in a row per service.
    await page.getByTestId('group-by').selectOption('attr:db.system');
    await page.getByTestId('sub-group').selectOption('service');
    await page.getByTestId('stats-sort-count').click();
    const rows = await grid(page).locator('.rows .row').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('[role=gridcell]')].slice(0, 3).map((c) => c.textContent).join(' | ')));
    for (const row of ['postgresql | product | 19', 'postgresql | order | 6', 'redis | inventory | 3', 'redis | fraud | 2', '(no db.system) | notification | 41']) {
      assert.ok(rows.includes(row), `${row} in ${rows.join('\n')}`);
    }
    // A row's spans: highlighted in the flame graph and the timeline.
    await grid(page).locator('.rows .row', { hasText: 'postgresql' }).filter({ hasText: 'product' }).click();
    await page.getByTestId('stats-picked').getByText('19 spans highlighted').waitFor();
    await page.getByTestId('picked-in-flame').click();
    await page.getByTestId('search-status').getByText('19 spans highlighted: postgresql · product').waitFor();
    await page.getByTestId('tab-timeline').click();
    await page.getByTestId('timeline-search-status').getByText('19 spans highlighted: postgresql · product').waitFor();
    await page.getByTestId('only-matches').check();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=timeline-canvas]')?.dataset.rows) < 120);
    // Typing a search replaces the highlight.
    await page.getByTestId('timeline-search').fill('status:error');
    await page.getByTestId('timeline-search-status').getByText('3 matches').waitFor();

    // CSV of the table as shown.
    await page.getByTestId('tab-stats').click();
    await page.getByTestId('stats-sort-group').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-stats-csv').click()]);
    assert.equal(download.suggestedFilename(), 'checkout.otlp.stats.csv');
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    assert.equal(lines[0], 'group,sub_group,count,errors,total_ns,avg_ns,min_ns,max_ns,p50_ns,p95_ns,self_ns,self_avg_ns,self_percent,critical_path_ns,critical_path_percent');
    assert.equal(lines.length, 1 + 8 + 4, 'by service, the 8 without db.system, and the 4 with');
    assert.ok(lines.some((l) => l.startsWith('redis,inventory,3,')), lines.join('\n'));
    // The grouping is in the URL: a link reopens it.
    const link = await settledUrl(page, { group: 'attr:db.system', then: 'service' });
    const again = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await again.goto(link);
    await grid(again).waitFor();
    assert.equal(await again.getByTestId('group-by').inputValue(), 'attr:db.system');
    assert.equal(await again.getByTestId('sub-group').inputValue(), 'service');
    assert.equal(await grid(again).getAttribute('aria-rowcount'), String(1 + 8 + 4));
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.context().close();
    await again.context().close();
  });

  test('charts: values on hover, redrawn on theme change and resize, the histogram marks the selected span, PNG', async () => {
    const page = await newPage(env.browser, { acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?view=stats&theme=light'));
    await grid(page).waitFor();
    for (const id of ['chart-services', 'chart-histogram', 'chart-concurrency']) {
      await page.waitForFunction((id) => Number(document.querySelector(`[data-testid=${id}] canvas`)?.dataset.draws) > 0, id);
    }
    // Hovering down the time-per-service bars: the top one is the service with most self time.
    const services = page.getByTestId('chart-services').locator('canvas');
    const box = await services.boundingBox();
    const said = [];
    for (let y = 4; y < box.height; y += 6) {
      await page.mouse.move(box.x + 200, box.y + y);
      const tip = page.getByTestId('chart-services-tip');
      if (await tip.count()) said.push(await tip.textContent());
    }
    const bars = [...new Set(said)];
    assert.match(bars[0], /^notification: self 2\.26 s, 115 ms of it on the critical path \(5%\)$/, bars.join('\n'));
    assert.equal(bars.length, 8, bars.join('\n'));
    // Spans running at once: hovering says how many.
    const running = page.getByTestId('chart-concurrency').locator('canvas');
    const rbox = await running.boundingBox();
    await page.mouse.move(rbox.x + rbox.width / 2, rbox.y + rbox.height / 2);
    await page.getByTestId('chart-concurrency-tip').getByText(/running/).waitFor();

    // No span selected: no red line. Select payment's failed POST /v1/payments (the events tab's exception).
    assert.equal(await pixelsNear(page, 'chart-histogram', RED), 0);
    await page.getByTestId('tab-events').click();
    await page.getByRole('grid', { name: 'Events' }).locator('.rows .row.bad').click();
    await page.getByTestId('detail-name').getByText('POST /v1/payments').waitFor();
    assert.match(await page.getByTestId('standing').textContent(), /^(p\d+|the slowest|the fastest|the only) .*POST \/v1\/payments in this trace/);
    await page.getByTestId('tab-stats').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-histogram] canvas')?.dataset.draws) > 0);
    await page.waitForFunction(() => true);
    assert.ok(await pixelsNear(page, 'chart-histogram', RED) > 50, 'the selected span marked in red');

    // Theme and resize redraw every chart.
    const before = await draws(page, 'chart-services');
    await page.getByTestId('theme-switch').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=chart-services] canvas').dataset.draws) > n, before);
    const dark = await page.getByTestId('chart-services').locator('canvas').evaluate((c) => [...c.getContext('2d').getImageData(2, 2, 1, 1).data].slice(0, 3));
    assert.ok(dark.every((v) => v < 80), `a dark background after the switch: ${dark}`);
    const width = await page.getByTestId('chart-concurrency').locator('canvas').evaluate((c) => c.width);
    const drawn = await draws(page, 'chart-concurrency');
    await page.setViewportSize({ width: 1000, height: 1000 });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=chart-concurrency] canvas').dataset.draws) > n, drawn);
    assert.notEqual(await page.getByTestId('chart-concurrency').locator('canvas').evaluate((c) => c.width), width);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-services-png').click()]);
    assert.equal(png.suggestedFilename(), 'checkout.otlp.chart-services.png');
    const bytes = await readFile(await png.path());
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('over every trace of a file, and on a fixture by operation', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?url=/three.jsonl'));
    await page.getByTestId('trace-list').waitFor();
    await page.locator('.trace-table .rows .row').first().click();
    await waitForTrace(page);
    await page.getByTestId('tab-stats').click();
    const notification = () => grid(page).locator('.rows .row', { hasText: /^notification\d/ }).locator('[role=gridcell]').nth(1).textContent();
    assert.equal(await notification(), '41');
    await page.getByTestId('stats-scope').selectOption('all');
    await page.waitForFunction(() => [...document.querySelectorAll('.stats-table .rows .row')].some((r) => r.textContent.startsWith('notification123')));
    // The span panel places a span among its operation's spans in the file as well.
    await page.getByTestId('tab-spans').click();
    await page.getByRole('grid', { name: 'Spans' }).locator('.rows .row').first().click();
    await page.getByTestId('standing').getByText(/in this trace; .* of 3 in this file$/).waitFor();
    // Its histogram has every trace loaded behind this trace's bars.
    await page.getByTestId('tab-stats').click();
    const histogram = page.getByTestId('chart-histogram').locator('canvas');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-histogram] canvas')?.dataset.draws) > 0);
    const hbox = await histogram.boundingBox();
    const tips = [];
    for (let x = 50; x < hbox.width; x += 8) {
      await page.mouse.move(hbox.x + x, hbox.y + hbox.height / 2);
      const tip = page.getByTestId('chart-histogram-tip');
      if (await tip.count()) tips.push(await tip.textContent());
    }
    assert.ok(tips.some((t) => /^.+: 1 span in this trace, 3 in every trace loaded$/.test(t)), tips.join('\n'));

    const hotrod = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await hotrod.goto(env.server.url(`/?url=/fixtures/${HOTROD}&view=stats`));
    await grid(hotrod).waitFor();
    await hotrod.getByTestId('group-by').selectOption('operation');
    await hotrod.waitForFunction(() => [...document.querySelectorAll('.stats-table .rows .row')].some((r) => r.textContent.startsWith('redis-manual: GetDriver')));
    const row = await grid(hotrod).locator('.rows .row', { hasText: 'redis-manual: GetDriver' }).locator('[role=gridcell]').allTextContents();
    assert.equal(row[1], '13', 'count');
    assert.equal(row[2], '3', 'errors');
    assert.deepEqual([...page.errors, ...hotrod.errors], []);
    await page.context().close();
    await hotrod.context().close();
  });
});
