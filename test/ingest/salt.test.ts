// Visitor salts: random per SALT_ROTATION period, shared through the store by every process,
// replaced (and so destroyed) when the period ends. Session ids keep Umami's shape, stay the same
// within a period across a restart and across processes, and cannot be recomputed from the
// secret and the date. On every store.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { Ids, periodStart, sha512, uuidv5 } from '../../src/ingest/ids.js';
import { SaltKeeper } from '../../src/ingest/salt.js';
import { openStore } from '../../src/store/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/types.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { withMetadata } from '../helpers/store-access.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const SECRET = 'salt-test-secret-of-at-least-32-bytes';
const stores = await testStores();
const dirs: string[] = [];

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const saltRows = async (s: Store) => (await s.metadataCopy.rows('visitor_salts')).sort((x, y) => String(x.rotation).localeCompare(String(y.rotation)));

async function visit(d: Dashi, website: string, ip = '203.0.113.7'): Promise<string> {
  const res = await d.post('/api/send', { type: 'event', payload: { website, hostname: 'salt.example', url: '/' } }, { headers: { 'user-agent': UA, 'x-forwarded-for': ip } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.sessionId;
}

for (const store of stores) {
  describe(`visitor salt on ${store.name}`, () => {
    test('one random salt per period, agreed on by every process, replaced at rotation', async () => {
      const env = await store.env();
      // Salts live in the metadata: for ClickHouse, its PostgreSQL database.
      const open = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-salt-'));
        dirs.push(dir);
        return env.DATABASE_URL ? openPostgresStore(env.DATABASE_URL) : openStore(loadConfig({ DATA_DIR: dir, ...env }), trafficRollups);
      };
      const s = await open();
      // A second store instance stands for a second process (the embedded store has only one).
      const other = store.name === 'duckdb' ? s : await open();
      try {
        let now = new Date(2026, 11, 15, 12, 0).getTime();
        const clock = () => now;
        const keepers = Array.from({ length: 6 }, (_, i) => new SaltKeeper((i % 2 ? other : s).salts, 'day', clock));
        const first = await Promise.all(keepers.map((k) => k.salt()));
        const salt1 = first[0].value;
        assert.match(salt1, /^[0-9a-f]{64}$/);
        for (const f of first) assert.deepEqual(f, first[0], 'keepers racing for a new period agree');
        assert.notEqual(salt1, sha512(periodStart(new Date(now), 'day').toUTCString()), 'not derived from the date');
        assert.deepEqual((await saltRows(s)).map((r) => r.salt), [salt1]);

        const ids = new Ids(SECRET);
        const session1 = ids.sessionId('w', '203.0.113.7', UA, first[0]);
        assert.equal(new Ids(SECRET).sessionId('w', '203.0.113.7', UA, await keepers[1].salt()), session1, 'same period: same session');

        // A keeper created later in the same period (a restarted process) finds the same salt.
        assert.equal((await new SaltKeeper(s.salts, 'day', clock).salt()).value, salt1);

        now = new Date(2026, 11, 16, 0, 0, 1).getTime();
        const salt2 = (await keepers[0].salt()).value;
        assert.notEqual(salt2, salt1);
        for (const k of keepers) assert.equal((await k.salt()).value, salt2);
        assert.notEqual(new Ids(SECRET).sessionId('w', '203.0.113.7', UA, await keepers[0].salt()), session1, 'next period: new session');
        const rows = await saltRows(s);
        assert.deepEqual(rows.map((r) => r.salt), [salt2], 'the old salt is gone from metadata');
        assert.equal((rows[0].period_start as Date).getTime(), new Date(2026, 11, 16).getTime());

        // A process whose clock is still in yesterday gets today's salt, never yesterday's again.
        const behind = new SaltKeeper(other.salts, 'day', () => now - 2 * 3600_000);
        assert.equal((await behind.salt()).value, salt2);
        assert.deepEqual((await saltRows(s)).map((r) => r.salt), [salt2]);

        // SALT_ROTATION changed: the other rotation's salt is dropped too.
        const monthly = await new SaltKeeper(s.salts, 'month', clock).salt();
        assert.deepEqual((await saltRows(s)).map((r) => [r.rotation, r.salt]), [['month', monthly.value]]);
      } finally {
        if (other !== s) await other.close();
        await s.close();
      }
    });

    test('same visitor, same session id across a restart; ids not computable from secret and date', async () => {
      const env = { ...(await store.env()), APP_SECRET: SECRET };
      const d = await startDashi({ env });
      const token = await d.login();
      const website = (await d.post('/api/websites', { name: 'Salted', domain: 'salt.example' }, { token })).body.id as string;
      const before = await visit(d, website);
      assert.match(before, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv5, as Umami');
      assert.notEqual(await visit(d, website, '203.0.113.8'), before, 'another address is another visitor');
      // Umami's salt is a hash of the month's start: anyone with the secret could recompute it.
      const dateSalt = sha512(periodStart(new Date(), 'month').toUTCString());
      assert.notEqual(before, uuidv5(sha512(website, '203.0.113.7', UA, dateSalt, sha512(SECRET))));

      await d.restart();
      assert.equal(await visit(d, website), before, 'the period salt survives a restart');
      if (store.name === 'duckdb') await d.stop();
      await withMetadata(d, async (s) => assert.equal((await saltRows(s)).length, 1));
    });

    if (store.name === 'postgres') {
      test('two processes on one PostgreSQL database give a visitor the same session id', async () => {
        const env = await store.env();
        const a = await startDashi({ env });
        const b = await startDashi({ env });
        const token = await a.login();
        const website = (await a.post('/api/websites', { name: 'Shared salt', domain: 'salt.example' }, { token })).body.id as string;
        // Both processes meet the period for the first time at once.
        const [fromA, fromB] = await Promise.all([visit(a, website), visit(b, website)]);
        assert.equal(fromA, fromB);
        assert.equal(await visit(b, website, '203.0.113.9'), await visit(a, website, '203.0.113.9'));
      });
    }
  });
}
