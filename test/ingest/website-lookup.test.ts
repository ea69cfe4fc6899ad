// A website lookup the store cannot answer (out of memory under a rollup merge, a lost
// connection) is not the hit's fault: a website known a moment ago goes on taking hits, and one
// never seen is answered 503 with Retry-After, never 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ingestor } from '../../src/ingest/ingest.js';
import { Writer } from '../../src/ingest/writer.js';
import { HttpError } from '../../src/lib/http-error.js';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';
import type { Website } from '../../src/store/types.js';

const W = '0b0b0000-0000-4000-8000-00000000d44e';
const OTHER = '0b0b0000-0000-4000-8000-00000000e55f';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

test('a failed website lookup keeps a known website taking hits and answers 503 for an unknown one', async () => {
  const store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  const writer = new Writer((batch) => store.analytics.write(batch), { flushMs: 1 });
  const site: Website = {
    id: W, legacyId: 1, name: 'w', domain: 'w.example', shareId: null, resetAt: null, userId: null, teamId: null, createdBy: null,
    createdAt: new Date(), updatedAt: null, allowedHostnames: [],
  };
  let failing = false;
  let lookups = 0;
  const websites = {
    get: async (id: string) => {
      lookups++;
      if (failing) throw new Error('Out of Memory Error: could not allocate block of size 256.0 KiB');
      return id === W ? site : null;
    },
    getByLegacyId: async () => null,
  };
  const warned: string[] = [];
  const ingestor = new Ingestor(
    { appSecret: 'x'.repeat(32), saltRotation: 'month', removeTrailingSlash: false, disableBotCheck: false, ignoreIp: [], clientIpHeader: null, skipLocationHeaders: true, websiteCacheMs: 0, log: { warn: (_d, msg) => warned.push(msg) } },
    websites,
    writer,
    null,
  );
  const hit = (website: string, path: string) => ingestor.send({ type: 'event', payload: { website, hostname: 'w.example', url: `https://w.example${path}`, ip: '81.2.69.160', userAgent: UA } }, { headers: {}, socketIp: '127.0.0.1' });
  try {
    assert.equal((await hit(W, '/a')).kind, 'ok');
    failing = true;
    // The cache has expired (websiteCacheMs 0): the lookup is tried, fails, and the last answer holds.
    assert.equal((await hit(W, '/b')).kind, 'ok');
    assert.ok(lookups >= 2, 'the store was asked again');
    const err = await hit(OTHER, '/c').then(() => null, (e: unknown) => e);
    assert.ok(err instanceof HttpError, `expected an HttpError, got ${String(err)}`);
    assert.equal(err.status, 503);
    assert.equal(err.headers['retry-after'], '5');
    assert.ok(warned.includes('website lookup failed'));
    await writer.drain();
    const rows = await store.analytics.query('SELECT url_path FROM website_event ORDER BY url_path');
    assert.deepEqual(rows.map((r) => r.url_path), ['/a', '/b']);
  } finally {
    await writer.drain().catch(() => undefined);
    await store.close();
  }
});
