// Restarts keep all data (graceful and hard kill), and each migration runs exactly once.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertUnauthorized, createUser, type TestUser } from '../helpers/api.js';
import { migrations } from '../../src/store/duckdb/migrations.js';
import { DB_FILE } from '../../src/store/duckdb/index.js';

let d: Dashi;
let admin: string;
let alice: TestUser;
let bob: TestUser;
let teamId: string;
let siteId: string;
let teamSiteId: string;

before(async () => {
  d = await startDashi();
  admin = await d.login();
  alice = await createUser(d, admin, 'alice');
  bob = await createUser(d, admin, 'bob', 'view-only');
  const [team] = (await d.post('/api/teams', { name: 'Persisted team' }, { token: alice.token })).body;
  teamId = team.id;
  assert.equal((await d.post(`/api/teams/${teamId}/users`, { userId: bob.id, role: 'team-view-only' }, { token: alice.token })).status, 200);
  siteId = (await d.post('/api/websites', { name: 'Persisted', domain: 'p.example', shareId: 'persisted' }, { token: alice.token })).body.id;
  teamSiteId = (await d.post('/api/websites', { name: 'Team persisted', domain: 't.example', teamId }, { token: alice.token })).body.id;
  const changed = await d.post(`/api/users/${alice.id}`, { password: 'alice-changed' }, { token: alice.token });
  assert.equal(changed.status, 200);
  // Changing the password ended alice's other sessions; this one goes on with the token it answers.
  alice.token = changed.body.token;
});
after(stopAll);

/** Everything created above, as seen over the API. */
async function state() {
  const a = await d.login('alice', 'alice-changed');
  const get = async (url: string, token = admin) => {
    const res = await d.get(url, { token });
    assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    users: await get('/api/admin/users'),
    websites: await get('/api/admin/websites'),
    teams: await get('/api/admin/teams'),
    members: await get(`/api/teams/${teamId}/users`),
    site: await get(`/api/websites/${siteId}`, a),
    teamSite: await get(`/api/websites/${teamSiteId}`, bob.token),
    aliceSites: await get('/api/websites', a),
    share: (await get('/api/share/persisted')).websiteId,
  };
}

async function readMigrations(): Promise<{ version: number; name: string; applied_at: string }[]> {
  const db = await DuckDBInstance.create(path.join(d.dataDir, DB_FILE));
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll('SELECT version, name, CAST(applied_at AS VARCHAR) AS applied_at FROM schema_migrations ORDER BY version');
    return reader.getRowObjectsJS() as any;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

test('a graceful restart and a hard kill keep all data', async () => {
  const before = await state();
  assert.equal(before.users.count, 3);
  assert.equal(before.websites.count, 2);
  assert.equal(before.members.count, 2);
  assert.equal(before.share, siteId);

  await d.restart();
  assert.deepEqual(await state(), before);

  // a write acknowledged just before a crash survives it
  const late = await d.post('/api/websites', { name: 'Written before crash', domain: 'late.example' }, { token: alice.token });
  assert.equal(late.status, 200);
  await d.kill9();
  await d.start();
  const afterCrash = await state();
  assert.ok(afterCrash.websites.data.some((w: any) => w.id === late.body.id));
  assert.deepEqual((await d.get(`/api/websites/${late.body.id}`, { token: alice.token })).body, late.body);
  assert.equal((await d.del(`/api/websites/${late.body.id}`, { token: alice.token })).status, 200);
  assert.deepEqual(await state(), before);
  // the old password stays replaced
  assert.equal((await d.post('/api/auth/login', { username: 'alice', password: 'password123' })).status, 401);
});

test('each migration runs exactly once, across restarts', async () => {
  assert.equal(await d.stop(), 0);
  const first = await readMigrations();
  assert.deepEqual(
    first.map((m) => m.version),
    [...migrations].map((m) => m.version).sort((a, b) => a - b),
  );
  assert.equal(new Set(first.map((m) => m.version)).size, first.length);
  assert.deepEqual(
    first.map((m) => m.name),
    [...migrations].sort((a, b) => a.version - b.version).map((m) => m.name),
  );

  // the data directory has already been opened three times; once more, then compare
  await d.start();
  assert.equal(await d.stop(), 0);
  assert.deepEqual(await readMigrations(), first);

  await d.start();
  assertUnauthorized(await d.get('/api/me'));
  assert.equal((await d.get(`/api/websites/${siteId}`, { token: alice.token })).body.name, 'Persisted');
});
