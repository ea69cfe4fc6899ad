// The tracker script as served: the built dist/tracker/script.js (or, when running from source
// without a build, compiled on the fly with esbuild), with the collect endpoint substituted.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface TrackerAsset {
  js: Buffer;
  gzip: Buffer;
  etag: string;
}

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

async function source(root: string): Promise<string> {
  const built = join(root, 'dist/tracker/script.js');
  if (existsSync(built)) return readFileSync(built, 'utf8');
  const { trackerBuildOptions } = await import(join(root, 'scripts/build-tracker.mjs'));
  const esbuild = await import('esbuild');
  const result = await esbuild.build(trackerBuildOptions);
  return result.outputFiles![0].text;
}

export async function loadTracker(collectEndpoint: string): Promise<TrackerAsset> {
  const code = (await source(projectRoot())).replaceAll('"/api/send"', JSON.stringify(collectEndpoint));
  const js = Buffer.from(code);
  return { js, gzip: gzipSync(js, { level: 9 }), etag: `"${createHash('sha1').update(js).digest('base64url')}"` };
}
