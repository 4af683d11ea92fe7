// The aggregate and compare tabs: the sample merged by path (the nodes table, a node's callers, callees
// and slowest instances), three copies merged across the file, and two traces compared (the verdict
// naming the slowed operation with its amount, the diff coloured by change, the largest differences).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serveAndLaunch, settledUrl, waitForTrace } from './harness.mjs';
import { pair, threeTraces } from './made-traces.mjs';
import { LOST, purchase, shop, shopJaeger } from './shop.mjs';

// The twenty purchases also sit in a Jaeger (api/v3) named "shop", searched and fetched by id.
const fetched = [];
const config = { backends: [{ name: 'shop', kind: 'jaeger', url: '/shop-jaeger' }] };
const env = serveAndLaunch({
  routes: {
    '/three.jsonl': threeTraces, '/pair.json': pair, '/shop.jsonl': shop,
    '/public/config.json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config)),
    '/shop-jaeger/*': shopJaeger('/shop-jaeger', fetched),
  },
});
const SLOWER = /^B is 3\d\d ms slower; 3\d\d ms of it in payment: charge card \(critical path\)$/;
/** Ticks the pick boxes of the trace list's rows for these trace ids, in order. */
async function pick(page, ...ids) {
  for (const id of ids) await page.locator(`.trace-table .rows .row[data-trace="${id}"]`).getByTestId('pick').check();
}
const nodes = (page) => page.getByRole('grid', { name: 'Aggregate nodes' });

describe('aggregate', () => {
  test('the sample merged by path: the drawing, the nodes table, a node\'s sandwich', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?view=aggregate'));
    await nodes(page).waitFor();
    const said = await page.getByTestId('aggregate-count').textContent();
    const n = Number(said.match(/^(\d+) nodes from 1 trace$/)[1]);
    assert.ok(n > 10 && n < 120, said);
    assert.equal(await nodes(page).getAttribute('aria-rowcount'), String(n + 1));
    await page.getByTestId('aggregate-view').getByTestId('flame-canvas').waitFor();
    // The notification fan-out: many calls merged into one node; its row selects it and says who calls it.
    await page.getByTestId('stats-sort-count').click();
    await nodes(page).locator('.rows .row').first().click();
    await page.getByTestId('sandwich').waitFor();
    assert.ok(await page.getByTestId('callers').locator('li').count() >= 1);
    assert.match(await page.getByTestId('sandwich').locator('p').textContent(), /calls in 1 trace/);
    // Critical-path mode sizes by the path: still every node.
    await page.getByTestId('aggregate-size').selectOption('critical');
    await page.getByTestId('aggregate-count').getByText(`${n} nodes from 1 trace`).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('across the traces of a file with the same root: counts in how many, the slowest open their trace', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?url=/three.jsonl'));
    await page.getByTestId('trace-list').waitFor();
    await page.locator('.trace-table .rows .row').first().click();
    await waitForTrace(page);
    await page.getByTestId('tab-aggregate').click();
    const one = await page.getByTestId('aggregate-count').textContent();
    await page.getByTestId('aggregate-over').selectOption('all');
    await page.getByTestId('aggregate-count').getByText(one.replace('1 trace', '3 traces')).waitFor();
    // The root node: 3 calls, one per trace; its slowest instances are in the three traces.
    await page.getByTestId('stats-sort-group').click();
    const root = nodes(page).locator('.rows .row', { hasText: /^gateway: POST \/checkout/ });
    assert.equal(await root.locator('[role=gridcell]').nth(1).textContent(), '3');
    await root.click();
    await page.getByTestId('sandwich').getByText('3 calls in 3 traces', { exact: false }).waitFor();
    assert.equal(await page.getByTestId('slowest').locator('li').count(), 3);
    const target = await page.getByTestId('slowest-open').nth(2).getAttribute('data-trace');
    assert.match(await page.getByTestId('slowest-open').nth(2).textContent(), new RegExp(` in trace ${target}$`));
    await page.getByTestId('slowest-open').nth(2).click();
    await page.getByTestId('flame-canvas').waitFor();
    await page.getByText(`trace ${target} of 3`).waitFor();
    await page.getByTestId('detail-name').getByText('POST /checkout').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('grouped repeats', () => {
  test('the sample: every run folded into a group bar, one expanded and folded again, then all expanded', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/'));
    await waitForTrace(page);
    const flame = page.getByTestId('flame-canvas');
    const bars = async () => Number(await flame.getAttribute('data-bars'));
    const all = await bars();
    // The root selected first: it stays selected in the folded trace (and selecting does not fold again).
    await flame.click({ position: { x: 300, y: 24 + 10 } });
    await page.getByTestId('detail-name').getByText('POST /checkout').waitFor();
    await page.getByTestId('group-repeats').check();
    await page.getByTestId('repeat-chip').first().waitFor();
    await page.getByTestId('detail-name').getByText('POST /checkout').waitFor();
    const said = await page.getByTestId('repeats-count').textContent();
    const runs = Number(said.match(/^(\d+) runs? of 5 or more/)[1]);
    assert.ok(runs >= 1, said);
    assert.equal(await page.getByTestId('repeat-chip').count(), Math.min(runs, 40));
    await page.waitForFunction((all) => Number(document.querySelector('[data-testid=flame-canvas]')?.dataset.bars) < all, all);
    const grouped = await bars();
    // The group bars are spans of the folded trace, named "N × operation · total · errors": the search
    // finds them, and the critical path and the header's span count are the folded trace's.
    await page.getByTestId('search').fill('×');
    await page.getByTestId('search-status').getByText(`${runs} match`, { exact: false }).waitFor();
    await page.getByTestId('search').fill('');
    // One group expanded: more bars; folded again: as before.
    const chip = page.getByTestId('repeat-chip').first();
    await chip.click();
    assert.equal(await chip.getAttribute('aria-pressed'), 'false');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=flame-canvas]')?.dataset.bars) > n, grouped);
    await chip.click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=flame-canvas]')?.dataset.bars) === n, grouped);
    // Off: the trace as loaded.
    await page.getByTestId('group-repeats').uncheck();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=flame-canvas]')?.dataset.bars) === n, all);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('compare', () => {
  test('two traces: the verdict names the slowed operation and its amount, the diff and its largest changes', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?url=/pair.json'));
    await page.getByTestId('trace-list').waitFor();
    await page.locator('.trace-table .rows .row', { hasText: '190 ms' }).first().click();
    await waitForTrace(page);
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('verdict').getByText('B is 500 ms slower; 500 ms of it in payment: charge (critical path)').waitFor();
    const rows = await page.getByTestId('differences').locator('.row').allTextContents();
    assert.match(rows[0], /^gateway: checkout190 ms690 ms\+500 msslower$/);
    assert.ok(rows.some((r) => /^· · payment: charge100 ms600 ms\+500 msslower$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^· inventory: stock20\.0 ms20\.0 ms\+0 nssame$/.test(r)), rows.join('\n'));
    await page.getByTestId('compare-view').getByTestId('legend').getByText('500 ms slower').waitFor();
    // The diff holds its colouring; a made trace has no clock-skew switch (it is not a file to analyse again).
    const colouring = page.getByTestId('compare-view').getByTestId('colouring');
    assert.equal(await colouring.isDisabled(), true);
    assert.equal(await colouring.inputValue(), 'Colour by change');
    assert.equal(await page.getByTestId('compare-view').getByTestId('skew-toggle').count(), 0);
    // A row selects its call in the diff.
    await page.getByTestId('differences').locator('.row', { hasText: 'charge' }).click();
    await page.getByTestId('compare-view').getByTestId('detail-name').getByText('charge').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a copy of the sample against itself differs nowhere; B by its trace id', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?url=/three.jsonl'));
    await page.getByTestId('trace-list').waitFor();
    await page.locator('.trace-table .rows .row').first().click();
    await waitForTrace(page);
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('verdict').getByText('A and B take the same time; no span differs').waitFor();
    const first = await page.getByTestId('compare-b').inputValue();
    const a = (await page.getByTestId('trace-id').textContent()).replace(/^0+/, '');
    const other = a === '3' ? '2' : '3';
    await page.getByTestId('compare-b-id').fill(other);
    await page.getByTestId('compare-b-id').press('Enter');
    await page.waitForFunction((v) => document.querySelector('[data-testid=compare-b]').value !== v, first);
    assert.match(await page.getByTestId('compare-b').locator('option:checked').textContent(), new RegExp(`^three\\.jsonl · ${other} · POST /checkout · `));
    await page.getByTestId('verdict').getByText('A and B take the same time; no span differs').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('real exporter output: twenty purchases aggregated, the slow one compared with a normal one', async () => {
    const [normal, slow] = [await purchase(12), await purchase(13)];
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url(`/?url=/shop.jsonl&trace=${normal}&view=aggregate`));
    await nodes(page).waitFor();
    await page.getByTestId('aggregate-over').selectOption('all');
    await page.getByTestId('aggregate-count').getByText('from 20 traces', { exact: false }).waitFor();
    // The payment's charge: 20 calls in 20 traces, the slowest opening purchase 13.
    const charge = nodes(page).locator('.rows .row', { hasText: /payment: charge card/ });
    assert.equal(await charge.locator('[role=gridcell]').nth(1).textContent(), '20');
    await charge.click();
    await page.getByTestId('sandwich').getByText('20 calls in 20 traces', { exact: false }).waitFor();
    assert.equal(await page.getByTestId('slowest-open').first().getAttribute('title'), `Open trace ${slow}`);
    assert.match(await page.getByTestId('slowest-open').first().textContent(), /^3\d\d ms in trace \d+$/);
    // Compare: A is purchase 12, B picked by id is purchase 13.
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('compare-b-id').fill(slow);
    await page.getByTestId('compare-b-id').press('Enter');
    await page.getByTestId('verdict').getByText(SLOWER).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('two rows of a file\'s trace list picked: the first opens compared with the second, and the link reopens it', async () => {
    const [normal, slow] = [await purchase(12), await purchase(13)];
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?url=/shop.jsonl'));
    await page.getByTestId('trace-list').waitFor();
    const button = page.getByTestId('compare-picked');
    assert.equal(await button.isDisabled(), true);
    assert.equal(await button.textContent(), 'Compare: pick two');
    // A third pick replaces the oldest.
    await pick(page, await purchase(1), normal, slow);
    assert.equal(await button.textContent(), 'Compare A with B');
    assert.equal(await page.locator('.trace-table .rows .row input:checked').count(), 2);
    assert.equal(await page.locator(`.trace-table .rows .row[data-trace="${slow}"] .pick`).textContent(), 'B');
    await button.click();
    await page.getByTestId('verdict').getByText(SLOWER).waitFor();
    assert.equal(await page.getByTestId('tab-compare').getAttribute('aria-selected'), 'true');
    const link = await settledUrl(page, { view: 'compare', trace: normal, compare: slow });
    const again = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await again.goto(link);
    await again.getByTestId('verdict').getByText(SLOWER).waitFor();
    assert.deepEqual([...page.errors, ...again.errors], []);
    await page.context().close();
    await again.context().close();
  });

  test('from a backend: two search results compared (B fetched beside A), then B by an id not yet loaded', async () => {
    const [normal, slow, declined] = [await purchase(12), await purchase(13), await purchase(7)];
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?view=search&backend=shop&service=gateway&lookback=1h'));
    await page.locator('.trace-table .rows .row').first().waitFor();
    await pick(page, normal, slow);
    fetched.length = 0;
    await page.getByTestId('compare-picked').click();
    await page.getByTestId('verdict').getByText(SLOWER).waitFor();
    assert.deepEqual(fetched, [normal, slow], 'A opened, then B fetched');
    assert.equal((await page.getByTestId('trace-id').textContent()).trim(), normal, 'A stays on screen');
    assert.equal(await page.getByTestId('files').locator('.file').count(), 2);
    // A link to it fetches both again.
    const link = await settledUrl(page, { view: 'compare', traceId: normal, backend: 'shop', compare: slow });
    const again = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await again.goto(link);
    await again.getByTestId('verdict').getByText(SLOWER).waitFor();
    // B by an id that is not loaded: fetched from A's backend.
    await page.getByTestId('compare-b-id').fill(declined);
    await page.getByTestId('compare-b-id').press('Enter');
    await settledUrl(page, { compare: declined });
    assert.equal(fetched.at(-1), declined);
    // The declined purchase took about as long as A (the verdict before it said 3xx ms slower).
    await page.getByTestId('verdict').getByText(/^(A and B take about the same time|B is \d{1,2}(\.\d+)? ms (slower|faster))/).waitFor();
    // An id no backend has: the error says so, and the comparison before it stays.
    await page.getByTestId('compare-b-id').fill('0123456789abcdef0123456789abcdef');
    await page.getByTestId('compare-b-id').press('Enter');
    await page.getByTestId('error-panel').getByText('trace not found', { exact: false }).waitFor();
    assert.deepEqual([...page.errors, ...again.errors].filter((e) => !/status of 404/.test(e)), []);
    await page.context().close();
    await again.context().close();
  });

  test('a search\'s answer opened as one file: statistics and the aggregate across all twenty', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?view=search&backend=shop&service=gateway&lookback=1h'));
    await page.locator('.trace-table .rows .row').first().waitFor();
    fetched.length = 0;
    await page.getByTestId('open-all').getByText('Open all 20 as one file').click();
    await page.getByTestId('trace-list').getByText('20 traces in shop: gateway · last hour').waitFor();
    assert.equal(fetched.length, 20);
    await page.locator('.trace-table .rows .row').first().click();
    await page.getByTestId('tab-aggregate').click();
    await nodes(page).waitFor();
    await page.getByTestId('aggregate-over').selectOption('all');
    await page.getByTestId('aggregate-count').getByText('from 20 traces', { exact: false }).waitFor();
    const charge = nodes(page).locator('.rows .row', { hasText: /payment: charge card/ });
    assert.equal(await charge.locator('[role=gridcell]').nth(1).textContent(), '20');
    // The statistics across the twenty: the declined charge is the one failed call of payment.
    await page.getByTestId('tab-stats').click();
    await page.getByTestId('stats-scope').selectOption('all');
    const payment = page.locator('.stats-table .rows .row', { hasText: /^payment/ });
    await payment.waitFor();
    const cells = await payment.locator('[role=gridcell]').allTextContents();
    assert.deepEqual(cells.slice(0, 3), ['payment', '40', '2'], cells.join(' | '));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('opening all: a trace the backend no longer has is reported and left out, the rest open', async () => {
    const page = await newPage(env.browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(env.server.url('/?view=search&backend=shop&service=lost&lookback=1h'));
    await page.locator('.trace-table .rows .row').first().waitFor();
    await page.getByTestId('open-all').getByText('Open all 21 as one file').click();
    await page.getByTestId('trace-list').getByText('20 traces in shop: lost · last hour').waitFor();
    const alert = await page.getByTestId('error-panel').textContent();
    assert.match(alert, new RegExp(`shop:${LOST}`), alert);
    assert.match(alert, /not found/, alert);
    assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
    await page.context().close();
  });
});
