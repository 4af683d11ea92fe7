// Trunk post-build hook: moves the loader that Trunk writes into index.html as an inline
// <script type="module"> into a file of its own (named by its content's hash), so that the
// Content-Security-Policy in index.html can allow scripts from the page's origin only, with no inline script.
// (Trunk cannot do this itself: trunk-rs/trunk#288.)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
const base = process.env.TRUNK_PUBLIC_URL ?? '/';
const page = join(dir, 'index.html');
const inline = /<script type="module"([^>]*)>([\s\S]*?)<\/script>/g;
let moved = 0;
const html = readFileSync(page, 'utf8').replace(inline, (whole, attrs, body) => {
  if (/\bsrc=/.test(attrs)) return whole;
  const name = `loader-${createHash('sha256').update(body).digest('hex').slice(0, 16)}.js`;
  writeFileSync(join(dir, name), body);
  moved += 1;
  return `<script type="module" src="${base}${name}"></script>`;
});
if (moved !== 1) {
  console.error(`external-loader: expected one inline module script in ${page}, found ${moved}`);
  process.exit(1);
}
writeFileSync(page, html);
