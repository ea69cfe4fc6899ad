// Builds the dashboard (web/) into dist/web: type-checks it (tsc -p web), bundles it with Vite,
// writes .gz and .br copies for the static server, and checks the initial JavaScript budget
// (what index.html loads before any page chunk: at most 250 KB gzipped).
// Run directly (`node scripts/build-web.mjs`) or through build-assets.mjs.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
const INITIAL_JS_BUDGET = 250 * 1024;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

export async function buildWeb() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const check = spawnSync(process.execPath, [tsc, '-p', join(root, 'web')], { stdio: 'inherit' });
  if (check.status !== 0) throw new Error('web/: type errors (tsc -p web)');

  const { build } = await import('vite');
  await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'warn' });

  for (const f of files(out)) {
    if (!/\.(js|css|html|svg|json|txt)$/.test(f)) continue;
    const buf = readFileSync(f);
    if (buf.length < 1024) continue;
    writeFileSync(`${f}.gz`, gzipSync(buf, { level: 9 }));
    writeFileSync(`${f}.br`, brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }

  // Initial JS = the entry script plus the chunks index.html preloads.
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const gz = initial.reduce((sum, f) => sum + gzipSync(readFileSync(join(out, f)), { level: 9 }).length, 0);
  const kb = (gz / 1024).toFixed(1);
  if (gz > INITIAL_JS_BUDGET) throw new Error(`dashboard initial JS is ${kb} KB gzipped, over the 250 KB budget`);
  return { dir: out, initialJsFiles: initial, initialJsGzipBytes: gz };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildWeb();
  console.log(`dashboard: ${r.initialJsFiles.length} initial JS files, ${(r.initialJsGzipBytes / 1024).toFixed(1)} KB gzipped`);
}
