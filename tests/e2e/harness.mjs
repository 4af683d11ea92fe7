// Shared by the browser tests: a tiny static server for dist/ (and the shared fixtures), Debian's chromium
// driven by playwright-core, and per-page console error collection.
//
//   node --test tests/e2e/          (from the repo root, after `trunk build --release`)
//   SPANLENS_DIST=/some/dist node --test tests/e2e/

import http from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = resolve(process.env.SPANLENS_DIST ?? join(REPO, 'dist'));
export const FIXTURES = resolve(REPO, '..', 'shared', 'fixtures');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A file under `root` for a URL path, or null when the path escapes it. */
function under(root, urlPath) {
  const file = normalize(join(root, decodeURIComponent(urlPath)));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/**
 * Starts a static server on 127.0.0.1 (a free port): `/` and everything else from dist/, `/fixtures/*` from
 * ../shared/fixtures, `pages` (path → HTML string) for test-only pages such as an embedding parent, and
 * `routes` (path → handler(req, res, url), or `/prefix/*` for every path under it) for test-only responses such
 * as a slow download. With `base`
 * (such as `/x/y/`), dist/ is served under that path only, as a reverse proxy would.
 * Files are streamed, never held whole.
 * Returns { origin, url(path), close() }.
 */
export async function startServer({ pages = {}, routes = {}, base = '/' } = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    try {
      // A route ending in `*` answers every path under it (a fake backend's API).
      const route = routes[path] ?? Object.entries(routes).find(([k]) => k.endsWith('*') && path.startsWith(k.slice(0, -1)))?.[1];
      if (route) return await route(req, res, url);
      if (pages[path] !== undefined) {
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
        return res.end(pages[path]);
      }
      const inDist = path.startsWith(base) ? '/' + path.slice(base.length) : null;
      let file = path.startsWith('/fixtures/')
        ? under(FIXTURES, path.slice('/fixtures'.length))
        : inDist && under(DIST, inDist === '/' ? '/index.html' : inDist);
      let info = file && (await stat(file).catch(() => null));
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('not found');
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-store',
      });
      createReadStream(file).pipe(res);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: (path = '/') => origin + path,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // V8 flags for a benchmark's experiment (JS_FLAGS=--no-liftoff: every wasm function optimised at once).
  ...(process.env.JS_FLAGS ? [`--js-flags=${process.env.JS_FLAGS}`] : []),
];

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/**
 * A fresh page (own context) that records console errors and uncaught page errors in `page.errors`, and
 * console warnings in `page.warnings`.
 * Options go to `browser.newContext` (e.g. { colorScheme: 'dark', acceptDownloads: true }).
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.warnings = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`);
    if (msg.type() === 'warning') page.warnings.push(msg.text());
  });
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  // Errors inside frames (the embedded viewer) are console messages of the same page.
  return page;
}

/** Waits until the viewer shows a trace header (the wasm has started and a file is on screen). */
export async function waitForTrace(page, timeout = 20_000) {
  await page.locator('[data-testid=span-count]').first().waitFor({ timeout });
}

/**
 * Waits until the address bar carries `params` (the viewer writes it a moment after the last change, so a
 * link copied straight after a click can still be the one before it). Returns the URL.
 */
export async function settledUrl(page, params) {
  await page.waitForFunction((want) => {
    const got = new URL(location.href).searchParams;
    return Object.entries(want).every(([k, v]) => (v === null ? !got.has(k) : got.get(k) === v));
  }, params);
  return page.url();
}

/** Reads a fixture's bytes. */
export function fixture(name) {
  return readFile(join(FIXTURES, name));
}

/**
 * Drops files on the viewer the way a user does: real `dragover` and `drop` events carrying a DataTransfer
 * with File objects built in the page. `files` is a list of { name, text }, { name, url } (the bytes fetched
 * in the page: big or binary files) or fixture names (fetched from /fixtures/). Returns whether the drop
 * highlight was showing after `dragover`.
 */
export async function dropFiles(page, files) {
  return page.evaluate(async (files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const url = typeof f === 'string' ? `/fixtures/${f}` : f.url;
      const bytes = url ? await (await fetch(url)).arrayBuffer() : f.text;
      dt.items.add(new File([bytes], typeof f === 'string' ? f : f.name, { type: 'application/json' }));
    }
    const target = document.querySelector('main') ?? document.body;
    const init = { dataTransfer: dt, bubbles: true, cancelable: true };
    target.dispatchEvent(new DragEvent('dragenter', init));
    target.dispatchEvent(new DragEvent('dragover', init));
    // Let the highlight render before dropping.
    await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
    const highlighted = document.querySelector('.app.dragging') !== null;
    target.dispatchEvent(new DragEvent('drop', init));
    return highlighted;
  }, files);
}

/**
 * Drops an OTLP JSONL file of `copies` lines, each the bundled sample under its own trace id (built in the
 * page as a Blob, so the test sends no big data over the wire).
 */
export function dropBig(page, name, copies) {
  return page.evaluate(async ([name, copies]) => {
    const text = JSON.stringify(await (await fetch('public/samples/checkout.otlp.json')).json());
    const id = text.match(/"traceId":"([0-9a-f]{32})"/)[1];
    const lines = [];
    for (let i = 0; i < copies; i++) lines.push(text.replaceAll(id, i.toString(16).padStart(32, '0')) + '\n');
    const dt = new DataTransfer();
    dt.items.add(new File(lines, name, { type: 'application/json' }));
    const target = document.querySelector('main');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, copies]);
}

/**
 * For a test file: starts the static server (`serverOptions` as for `startServer`) and chromium before its
 * tests and stops both after them. The returned object's `server` and `browser` are set once started.
 */
export function serveAndLaunch(serverOptions) {
  const env = {};
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
