// Builds the tracker (src/tracker/index.js) into dist/tracker/script.js: one minified IIFE.
// Run directly (`node scripts/build-tracker.mjs`) or through build-assets.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const trackerBuildOptions = {
  entryPoints: [join(root, 'src/tracker/index.js')],
  bundle: false,
  minify: true,
  format: 'iife',
  target: ['es2019'],
  legalComments: 'none',
  write: false,
};

export async function buildTracker() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build(trackerBuildOptions);
  const code = result.outputFiles[0].contents;
  const out = join(root, 'dist/tracker/script.js');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  return { file: out, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildTracker();
  console.log(`tracker: ${r.file} ${r.bytes} bytes, ${r.gzipBytes} gzipped`);
}
