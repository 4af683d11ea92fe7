// The clock-skew toggle on a 1M-span trace goes through the same staged pipeline as a load: it shows
// progress, the page answers input while it runs, no step blocks the page longer than the load's did, and
// Cancel leaves the trace as it was. The trace is written by the project's generator (native, release).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, newPage, serveAndLaunch } from './harness.mjs';

let dir;
let big;

const env = serveAndLaunch({
  routes: {
    '/__1m.jsonl': async (req, res) => {
      const { size } = await stat(big);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': size, 'cache-control': 'no-store' });
      createReadStream(big).pipe(res);
    },
  },
});

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'spanlens-skew-'));
  big = join(dir, '1m.otlp.jsonl');
  execFileSync('cargo', ['build', '--release', '--locked', '--quiet', '--bin', 'spanlens-gen'], { cwd: REPO, stdio: 'inherit' });
  execFileSync(join(REPO, 'target', 'release', 'spanlens-gen'), ['--spans', '1m', '--format', 'otlp-jsonl', '-o', big], { stdio: 'inherit' });
}, { timeout: 600_000 });

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts recording the page's long tasks (main-thread blocks over 50 ms). */
function watchLongTasks(page) {
  return page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
    }).observe({ type: 'longtask' });
  });
}

async function longestAndReset(page) {
  return page.evaluate(() => {
    const longest = window.__longest;
    window.__longest = 0;
    return longest;
  });
}

describe('clock-skew toggle on a 1M-span trace', () => {
  test('shows progress, answers clicks, blocks no longer than the load, and Cancel keeps the trace', { timeout: 600_000 }, async () => {
    const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(env.server.url('/'));
    await page.locator('[data-testid=span-count]').first().waitFor();
    await watchLongTasks(page);
    await page.evaluate(() => { history.replaceState(null, '', '/?url=/__1m.jsonl'); });
    await page.reload();
    await watchLongTasks(page);
    await page.locator('[data-testid=files] .file.current .open', { hasText: '__1m.jsonl' }).waitFor({ timeout: 240_000 });
    const loadLongest = await longestAndReset(page);
    assert.match(await page.getByTestId('span-count').first().textContent(), /^1,000,000\b/);

    // On: progress shows, and no step blocks the page much longer than the load's longest did (the
    // toggle used to re-analyse in one block of seconds at this size).
    const toggle = page.getByTestId('skew-toggle');
    const progress = page.getByTestId('progress');
    await toggle.check();
    await progress.getByText(/Adjusting clock skew of __1m\.jsonl|Analyzing __1m\.jsonl|Summarizing __1m\.jsonl/).waitFor();
    await progress.waitFor({ state: 'detached', timeout: 240_000 });
    const skewLongest = await longestAndReset(page);
    console.log(`# longest block: load ${loadLongest.toFixed(0)} ms, skew toggle ${skewLongest.toFixed(0)} ms`);
    assert.ok(skewLongest <= Math.max(2 * loadLongest, 600), `toggle blocked ${skewLongest} ms, the load at most ${loadLongest} ms`);
    assert.equal(await toggle.isChecked(), true);

    // Off, on a slow CPU: a click is answered while it runs. The page notes whether the re-analysis was still
    // under way when the click's panel appeared. The click is one real mouse click at the button's place
    // (Playwright's own checks before a click take several round trips to a busy page).
    await page.evaluate(() => {
      window.__answeredDuring = null;
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid=paste-text]')) {
          window.__answeredDuring = document.querySelector('[data-testid=progress]') !== null;
          observer.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const paste = await page.getByRole('button', { name: 'Paste JSON' }).boundingBox();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
    await toggle.uncheck();
    await progress.getByText(/Removing clock-skew adjustment from __1m\.jsonl|Analyzing __1m\.jsonl/).waitFor();
    await page.mouse.click(paste.x + paste.width / 2, paste.y + paste.height / 2);
    await page.getByTestId('paste-text').waitFor();
    assert.equal(await page.evaluate(() => window.__answeredDuring), true, 'the click was answered during the re-analysis');
    await progress.waitFor({ state: 'detached', timeout: 120_000 });
    assert.equal(await toggle.isChecked(), false);

    // On again, and cancelled: the box goes back to what is on screen (not adjusted). Cancel is pressed by
    // the page itself as soon as it shows (the re-analysis may be over before a round trip from here).
    await page.evaluate(() => {
      new MutationObserver((_, observer) => {
        const cancel = document.querySelector('[data-testid=cancel-load]');
        if (cancel) {
          cancel.click();
          observer.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const box = await toggle.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await progress.waitFor({ state: 'detached', timeout: 120_000 });
    assert.equal(await toggle.isChecked(), false, 'cancelled: not adjusted, as on screen');
    assert.equal(await page.locator('.error-panel').count(), 0, 'cancelling is not an error');
    assert.deepEqual(page.errors, []);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await page.context().close();
  });
});
