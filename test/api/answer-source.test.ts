// The analytics routes say which sources answered (response header x-dashi-source), and an
// admin can make a request read raw rows only (request header x-dashi-source: events), on every
// store: the embedded store's rollups answer whole slots, raw rows the edges of a shifted range.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestUser } from '../helpers/api.js';
import { goldenWorld } from '../helpers/golden-world.js';
import { stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { R } from '../fixtures/golden.js';

const STORES = await testStores();

let d: Dashi;
let owner: TestUser;
let admin: string;
let ids = { w1: '', w2: '', w3: '' };

async function stats(params: Record<string, string | number>, token: string, headers?: Record<string, string>) {
  const qs = new URLSearchParams(Object.entries({ startAt: R.startAt, endAt: R.endAt, ...params }).map(([k, v]) => [k, String(v)]));
  const res = await d.get(`/api/websites/${ids.w1}/stats?${qs}`, { token, headers });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { body: res.body, source: res.headers.get('x-dashi-source') };
}

for (const store of STORES) describe(`which source answered (${store.name})`, () => {
  const rollups = store.name === 'duckdb';

  before(async () => {
    ({ d, owner, ids } = await goldenWorld(await store.env(), 'source'));
    admin = await d.login();
  });

  after(async () => {
    await stopAll();
    await store.cleanup();
  });

  test('whole slots from the rollups, a shifted range from rollups and raw edges, most filters from raw rows', async () => {
    const aligned = await stats({}, owner.token);
    assert.equal(aligned.source, rollups ? 'rollups' : 'events');
    // 1.2 s later at both ends: the same numbers as raw rows alone give.
    const range = { startAt: R.startAt + 1200, endAt: R.endAt + 1200 };
    const shifted = await stats(range, owner.token);
    assert.equal(shifted.source, rollups ? 'events+rollups' : 'events');
    const raw = await stats(range, admin, { 'x-dashi-source': 'events' });
    assert.equal(raw.source, 'events');
    assert.deepEqual(shifted.body, raw.body);
    assert.notDeepEqual(shifted.body, aligned.body, 'the shift moves a hit out of the range');
    const filtered = await stats({ referrer: 'google.com' }, owner.token);
    assert.equal(filtered.source, 'events');
    // A path filter on totals: page_visit, one row per visit and path.
    const path = await stats({ path: '/pricing' }, owner.token);
    assert.equal(path.source, rollups ? 'rollups' : 'events');
    assert.deepEqual(path.body, (await stats({ path: '/pricing' }, admin, { 'x-dashi-source': 'events' })).body);
  });

  test('an admin can ask for raw rows; the numbers are the same; others are ignored', async () => {
    const normal = await stats({}, admin);
    const forced = await stats({}, admin, { 'x-dashi-source': 'events' });
    assert.equal(forced.source, 'events');
    assert.deepEqual(forced.body, normal.body);
    const asOwner = await stats({}, owner.token, { 'x-dashi-source': 'events' });
    assert.equal(asOwner.source, rollups ? 'rollups' : 'events');
    const other = await stats({}, admin, { 'x-dashi-source': 'rollups' });
    assert.equal(other.source, normal.source);
  });

  test('the query endpoint says it too', async () => {
    const res = await d.post(`/api/websites/${ids.w1}/query`, { dateRange: { startAt: R.startAt, endAt: R.endAt }, metrics: ['pageviews', 'visitors'] }, { token: owner.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('x-dashi-source'), rollups ? 'rollups' : 'events');
    assert.deepEqual(res.body.meta.sources, [rollups ? 'rollups' : 'events']);
  });
});
