// The flame graph as a person uses it: click a bar, read the panel, zoom, pan, frame, search, keys, themes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, REPO, dropFiles, newPage, serveAndLaunch, waitForTrace } from './harness.mjs';

const env = serveAndLaunch();

/** The sample's spans with times relative to the trace start (ns, as numbers: exact enough for these checks). */
async function sampleSpans() {
  const doc = JSON.parse(await readFile(join(DIST, 'public', 'samples', 'checkout.otlp.json'), 'utf8'));
  const spans = doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const origin = spans.map((s) => BigInt(s.startTimeUnixNano)).reduce((a, b) => (b < a ? b : a));
  return spans.map((s) => ({
    id: s.spanId.toLowerCase(),
    name: s.name,
    start: Number(BigInt(s.startTimeUnixNano) - origin),
    end: Number(BigInt(s.endTimeUnixNano) - origin),
  }));
}

const AXIS = 24;
const ROW = 20;
const canvas = (page) => page.locator('[data-testid=flame-canvas]');
const detail = (page) => page.locator('[data-testid=span-detail]');
const detailName = (page) => page.locator('[data-testid=detail-name]');
const detailSpanId = async (page) => (await detail(page).locator('dd code').first().textContent()).trim();

/** The visible window [start, end] in ns relative to the trace start, as the canvas reports it. */
async function visibleWindow(page) {
  const [start, end] = (await canvas(page).getAttribute('data-window')).split(' ').map(Number);
  return { start, end, len: end - start };
}

/** Page coordinates of canvas point (x, row's middle). */
async function at(page, fx, row) {
  const box = await canvas(page).boundingBox();
  return { x: box.x + box.width * fx, y: box.y + AXIS + row * ROW + ROW / 2, box };
}

/** One CSS pixel of the canvas as [r, g, b]. */
function pixel(page, x, y) {
  return page.evaluate(([x, y]) => {
    const c = document.querySelector('[data-testid=flame-canvas]');
    const dpr = window.devicePixelRatio || 1;
    return Array.from(c.getContext('2d').getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data.slice(0, 3));
  }, [x, y]);
}

const picture = (page) => page.evaluate(() => document.querySelector('[data-testid=flame-canvas]').toDataURL());

/** Waits for the next painted frame. */
const frame = (page) => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

async function open(path = '/') {
  const page = await newPage(env.browser, { viewport: { width: 1400, height: 900 } });
  await page.goto(env.server.url(path));
  await waitForTrace(page);
  await canvas(page).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=flame-canvas]')?.getAttribute('data-window'));
  return page;
}

describe('flame graph', () => {
  test('clicking the bar of a known span opens its detail panel with its attributes', async () => {
    const page = await open();
    const root = (await sampleSpans()).find((s) => s.name === 'POST /checkout');
    const { x, y } = await at(page, 0.5, 0);
    await page.mouse.move(x, y);
    const tip = page.locator('[data-testid=tooltip]');
    assert.match(await tip.textContent(), /POST \/checkout.*gateway.*duration.*critical path/s);
    await page.mouse.click(x, y);
    assert.equal(await detailName(page).textContent(), 'POST /checkout');
    assert.equal(await detailSpanId(page), root.id);
    const attrs = detail(page).locator('[data-testid=attributes]');
    assert.match(await attrs.textContent(), /http\.request\.method\s*POST/);
    assert.match(await attrs.textContent(), /http\.route/);
    assert.match(await detail(page).locator('[data-testid=resource]').textContent(), /service\.name\s*gateway/);
    // Closing the panel clears the selection.
    await detail(page).getByRole('button', { name: 'Close the span details' }).click();
    assert.equal(await detail(page).count(), 0);
    assert.deepEqual(page.errors, []);
  });

  test('the wheel zooms at the pointer, and dragging pans', async () => {
    const page = await open();
    const before = await visibleWindow(page);
    const { x, y, box } = await at(page, 0.25, 3);
    const tUnder = before.start + 0.25 * before.len;
    await page.mouse.move(x, y);
    await page.mouse.wheel(0, -400);
    await frame(page);
    const zoomed = await visibleWindow(page);
    assert.ok(zoomed.len < before.len * 0.5, `zoomed in: ${zoomed.len} < ${before.len}`);
    const tNow = zoomed.start + ((x - box.x) / box.width) * zoomed.len;
    assert.ok(Math.abs(tNow - tUnder) < before.len * 0.002, 'the time under the pointer stays put');
    // Drag right by 200 px: earlier times come into view.
    await page.mouse.down();
    await page.mouse.move(x + 100, y, { steps: 4 });
    await page.mouse.move(x + 200, y, { steps: 4 });
    await page.mouse.up();
    await frame(page);
    const panned = await visibleWindow(page);
    const expected = zoomed.start - (200 / box.width) * zoomed.len;
    assert.ok(Math.abs(panned.start - Math.max(0, expected)) < zoomed.len * 0.01, `panned to ${panned.start}, expected ${expected}`);
    assert.equal(await detail(page).count(), 0, 'a drag is not a click');
    // Reset shows the whole trace again.
    await page.getByTestId('reset-view').click();
    await frame(page);
    assert.deepEqual(await visibleWindow(page), before);
  });

  test('double-click frames the span under the pointer', async () => {
    const page = await open();
    const spans = await sampleSpans();
    const { x, y } = await at(page, 0.1, 1);
    await page.mouse.dblclick(x, y);
    await frame(page);
    const id = await detailSpanId(page);
    const span = spans.find((s) => s.id === id);
    assert.ok(span, `a sample span is selected (${id})`);
    const w = await visibleWindow(page);
    const len = span.end - span.start;
    assert.ok(w.start <= span.start && w.end >= span.end, 'the span is in view');
    assert.ok(w.len < len * 1.3, `framed tightly: window ${w.len} for a ${len} ns span`);
  });

  test('search highlights matches, dims the rest, and Enter walks them', async () => {
    const page = await open();
    const matching = (await sampleSpans()).filter((s) => s.name === 'send email');
    const root = await at(page, 0.5, 0);
    const rootBefore = await pixel(page, root.x - root.box.x, root.y - root.box.y);
    const search = page.getByTestId('search');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'search', '/ focuses search');
    await search.fill('name:"send email"');
    const status = page.getByTestId('search-status');
    assert.equal(await status.textContent(), `${matching.length} matches`);
    await frame(page);
    const rootAfter = await pixel(page, root.x - root.box.x, root.y - root.box.y);
    assert.notDeepEqual(rootAfter, rootBefore, 'the non-matching root is dimmed');
    await search.press('Enter');
    assert.equal(await status.textContent(), `1 / ${matching.length}`);
    assert.equal(await detailName(page).textContent(), 'send email');
    const first = await detailSpanId(page);
    const firstSpan = matching.find((s) => s.id === first);
    await frame(page);
    let w = await visibleWindow(page);
    assert.ok(w.start <= firstSpan.start && w.end >= firstSpan.end, 'the view moved to the match');
    await search.press('Enter');
    assert.equal(await status.textContent(), `2 / ${matching.length}`);
    assert.notEqual(await detailSpanId(page), first);
    await search.press('Shift+Enter');
    assert.equal(await detailSpanId(page), first);
    // A bad query says where it is wrong.
    await search.fill('duration>');
    assert.match(await status.textContent(), /column \d+/);
    // Esc clears the search: nothing dimmed any more.
    await search.press('Escape');
    await frame(page);
    assert.equal(await status.textContent(), '');
  });

  test('the critical-path toggle changes the picture', async () => {
    const page = await open();
    await frame(page);
    const on = await picture(page);
    await page.getByTestId('critical-toggle').uncheck();
    await frame(page);
    const off = await picture(page);
    assert.notEqual(off, on);
    await page.getByTestId('critical-toggle').check();
    await frame(page);
    assert.equal(await picture(page), on);
  });

  test('keyboard: zoom, pan, reset, and moving between parent, children and siblings', async () => {
    const page = await open();
    const spans = await sampleSpans();
    const full = await visibleWindow(page);
    const { x, y } = await at(page, 0.5, 0);
    await page.mouse.click(x, y);
    assert.equal(await detailName(page).textContent(), 'POST /checkout');
    await page.keyboard.press('ArrowDown');
    const child = await detailSpanId(page);
    assert.equal(spans.find((s) => s.id === child).name, 'checkout');
    await page.keyboard.press('ArrowRight');
    const sibling = await detailSpanId(page);
    assert.notEqual(sibling, child);
    assert.equal(spans.find((s) => s.id === sibling).name, 'checkout');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await detailSpanId(page), child);
    await page.keyboard.press('ArrowUp');
    assert.equal(await detailName(page).textContent(), 'POST /checkout');
    await page.keyboard.press('Escape');
    assert.equal(await detail(page).count(), 0);
    await page.mouse.move(x, y - 40); // off the bars, over the axis: zoom around the middle
    await page.keyboard.press('w');
    await page.keyboard.press('w');
    await frame(page);
    const zoomed = await visibleWindow(page);
    assert.ok(zoomed.len < full.len * 0.7);
    await page.keyboard.press('d');
    await frame(page);
    assert.ok((await visibleWindow(page)).start > zoomed.start, 'D pans right');
    await page.keyboard.press('0');
    await frame(page);
    assert.deepEqual(await visibleWindow(page), full);
  });

  test('a finding selects and frames its spans; the overview strip moves the window', async () => {
    const page = await open();
    const full = await visibleWindow(page);
    await page.locator('[data-testid=findings] button.finding[data-kind=n-plus-one]').first().click();
    await frame(page);
    assert.match(await detailName(page).textContent(), /SELECT/);
    const w = await visibleWindow(page);
    assert.ok(w.len < full.len / 5, 'framed on the run of calls');
    await page.getByTestId('minimap').scrollIntoViewIfNeeded();
    const mini = await page.getByTestId('minimap').boundingBox();
    await page.mouse.click(mini.x + mini.width * 0.8, mini.y + mini.height / 2);
    await frame(page);
    const moved = await visibleWindow(page);
    const centre = (moved.start + moved.end) / 2;
    assert.ok(Math.abs(centre - 0.8 * full.len) < full.len * 0.01, `window centred at 80%: ${centre / full.len}`);
  });

  test('clock-skew adjustment is opt-in, marks the shifted spans and says by how much', async () => {
    const page = await open();
    await dropFiles(page, ['zipkin-skew.json']);
    await page.locator('[data-testid=files] .file.current .open', { hasText: 'zipkin-skew.json' }).waitFor();
    await frame(page);
    const raw = await picture(page);
    await page.getByTestId('skew-toggle').check();
    // The traces are analysed again in a worker: the picture changes once they are back.
    let adjusted = raw;
    for (let tries = 0; tries < 100 && adjusted === raw; tries++) {
      await frame(page);
      adjusted = await picture(page);
    }
    assert.notEqual(adjusted, raw, 'the shifted spans moved and are marked');
    const search = page.getByTestId('search');
    await search.fill('service:serviceb name:post');
    await search.press('Enter');
    assert.match(await page.getByTestId('span-warnings').textContent(), /Clock skew: shifted by 65\.9 ms/);
    await page.getByTestId('skew-toggle').uncheck();
    // The search stays across the toggle; cleared, the picture is the raw one again.
    await page.getByTestId('progress').waitFor({ state: 'detached' });
    await frame(page);
    assert.equal(await search.inputValue(), 'service:serviceb name:post');
    await search.press('Escape');
    await frame(page);
    assert.equal(await picture(page), raw, 'turning it off restores the raw times');
    assert.deepEqual(page.errors, []);
  });

  test('a file whose starts are whole milliseconds (the OTel JS SDK) says so in the span panel', async () => {
    const page = await open();
    const text = await readFile(join(REPO, 'tests', 'data', 'otel-js-zipkin.json'), 'utf8');
    await dropFiles(page, [{ name: 'otel-js-zipkin.json', text }]);
    await page.locator('[data-testid=files] .file.current .open', { hasText: 'otel-js-zipkin.json' }).waitFor();
    assert.equal(await page.getByTestId('error-count').textContent(), '5 errors', 'otel.status_code marks all five');
    const search = page.getByTestId('search');
    await search.fill('name:charge');
    await search.press('Enter');
    assert.equal(await detailName(page).textContent(), 'POST /charge');
    assert.equal(await page.getByTestId('start-precision').textContent(), 'start times have 1 ms precision in this file');
    assert.deepEqual(page.errors, []);
  });

  test('both themes, following the switch; screenshots of a fixture trace', async () => {
    const dir = join(REPO, 'target', 'e2e-screenshots');
    await mkdir(dir, { recursive: true });
    const backgrounds = {};
    for (const theme of ['light', 'dark']) {
      const page = await open(`/?theme=${theme}`);
      await dropFiles(page, ['otlp-hotrod-jaeger-apiv3-response.json']);
      await page.getByTestId('trace-id').filter({ hasText: '2ea75461946a7dd10f2c15ab36a076cb' }).waitFor();
      await frame(page);
      const box = await canvas(page).boundingBox();
      await page.mouse.click(box.x + box.width * 0.5, box.y + AXIS + ROW / 2);
      await frame(page);
      await page.screenshot({ path: join(dir, `flame-${theme}.png`) });
      backgrounds[theme] = await pixel(page, box.width * 0.5 - 20, box.height - 5);
      assert.deepEqual(page.errors, []);
    }
    assert.deepEqual(backgrounds.light, [255, 255, 255]);
    assert.deepEqual(backgrounds.dark, [0x1c, 0x20, 0x27]);
    // The switch cycles system → light → dark and the canvas follows.
    const page = await open('/');
    const box = await canvas(page).boundingBox();
    await page.getByTestId('theme-switch').click();
    await page.getByTestId('theme-switch').click();
    await frame(page);
    assert.deepEqual(await pixel(page, box.width * 0.5, box.height - 5), [0x1c, 0x20, 0x27]);
  });
});
