// API keys on every store: created through the API, accepted as `x-umami-api-key` and as
// `Authorization: Bearer`, limited by scope and websites, never able to manage users, passwords or
// keys, revoked and expired at once (also across processes on PostgreSQL), rate limited with
// RateLimit-* headers; and the `dashi api-key` CLI.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Umami } from '@umami/node';
import { runCli, startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';

const stores = await testStores();

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

const keyHeaders = (key: string) => ({ 'x-umami-api-key': key });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createKey(d: Dashi, token: string, body: Record<string, unknown>): Promise<{ id: string; key: string; scope: string; websiteIds: string[] | null }> {
  const res = await d.post('/api/me/api-keys', body, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const store of stores) {
  describe(`API keys on ${store.name}`, () => {
    let d: Dashi;
    let admin: string;
    let siteA: { id: string };
    let siteB: { id: string };

    test('start, websites and some traffic', async () => {
      d = await startDashi({ env: await store.env() });
      admin = await d.login();
      siteA = (await d.post('/api/websites', { name: 'A', domain: 'a.example' }, { token: admin })).body;
      siteB = (await d.post('/api/websites', { name: 'B', domain: 'b.example' }, { token: admin })).body;
      const umami = new Umami({ hostUrl: d.url, websiteId: siteA.id });
      for (const url of ['/', '/pricing', '/']) assert.equal((await umami.track({ url, hostname: 'a.example' })).status, 200);
    });

    test('created once with the secret; works with both headers for plain fetch', async () => {
      const created = await d.post('/api/me/api-keys', { name: 'homepage', scope: 'read' }, { token: admin });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const k = created.body;
      assert.match(k.key, /^dashi_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(Object.keys(k).sort(), ['createdAt', 'expiresAt', 'id', 'key', 'name', 'prefix', 'scope', 'websiteIds']);
      assert.equal(k.scope, 'read');
      assert.equal(k.websiteIds, null);

      const range = `startAt=${Date.now() - 3_600_000}&endAt=${Date.now() + 60_000}`;
      await until('3 pageviews', async () => (await d.get(`/api/websites/${siteA.id}/stats?${range}`, { token: admin })).body.pageviews.value === 3);
      const truth = (await d.get(`/api/websites/${siteA.id}/stats?${range}`, { token: admin })).body;
      for (const headers of [keyHeaders(k.key), bearer(k.key)]) {
        // Homepage-style: stats and active with the key header, nothing else.
        const res = await fetch(`${d.url}/api/websites/${siteA.id}/stats?${range}`, { headers });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), truth);
        assert.equal((await fetch(`${d.url}/api/websites/${siteA.id}/active`, { headers })).status, 200);
        const list = await fetch(`${d.url}/api/websites`, { headers });
        assert.equal(list.status, 200);
        assert.equal(((await list.json()) as { count: number }).count, 2);
        // api-client style: JSON content type on a body-less POST, and running a report.
        const verify = await fetch(`${d.url}/api/auth/verify`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } });
        assert.equal(verify.status, 200);
        assert.equal(((await verify.json()) as { username: string }).username, 'admin');
        const utm = await fetch(`${d.url}/api/reports/utm`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ websiteId: siteA.id, dateRange: { startDate: new Date(Date.now() - 86_400_000).toISOString(), endDate: new Date().toISOString() }, timezone: 'UTC' }),
        });
        assert.equal(utm.status, 200, await utm.clone().text());
      }
      const listed = await d.get('/api/me/api-keys', { token: admin });
      assert.equal(listed.status, 200);
      const row = listed.body.data.find((x: { id: string }) => x.id === k.id);
      assert.ok(row, 'listed');
      assert.equal(row.key, undefined, 'the secret is never listed');
      assert.equal(row.prefix, k.key.slice(0, 10));
      assert.ok(row.lastUsedAt && Date.parse(row.lastUsedAt) > Date.now() - 60_000, 'lastUsedAt recorded');
      assert.ok(!JSON.stringify(listed.body).includes(k.key));
    });

    test('public routes ignore keys: ingestion with a read key header still counts', async () => {
      const k = await createKey(d, admin, { name: 'sender', scope: 'read', websiteIds: [siteB.id] });
      const hit = { type: 'event', payload: { website: siteA.id, url: '/from-key', hostname: 'a.example' } };
      const ua = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' };
      assert.equal((await d.post('/api/send', hit, { headers: { ...ua, 'x-umami-api-key': k.key } })).status, 200);
      assert.equal((await d.post('/api/send', hit, { headers: { ...ua, 'x-umami-api-key': 'dashi_revoked' } })).status, 200);
      assert.equal((await d.get('/api/heartbeat', { headers: keyHeaders(k.key) })).status, 200);
    });

    test('unknown, malformed and revoked keys get 401; revocation works at once', async () => {
      const k = await createKey(d, admin, { name: 'temp', scope: 'read' });
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 200);
      for (const bad of ['dashi_' + 'A'.repeat(43), 'dashi_short', 'not-a-key', k.key + 'x', 'dashi_\u00e9\u00ff', 'x'.repeat(5000)]) {
        assert.equal((await d.get('/api/websites', { headers: keyHeaders(bad) })).status, 401, bad.slice(0, 20));
      }
      assert.equal((await d.get('/api/websites', { headers: bearer('dashi_' + 'B'.repeat(43)) })).status, 401);
      assert.equal((await d.del(`/api/me/api-keys/${k.id}`, { token: admin })).status, 200);
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 401);
      assert.equal((await d.get('/api/websites', { headers: bearer(k.key) })).status, 401);
      assert.equal((await d.del(`/api/me/api-keys/${k.id}`, { token: admin })).status, 404);
    });

    test('an expired key gets 401', async () => {
      const k = await createKey(d, admin, { name: 'short', scope: 'read', expiresAt: Date.now() + 1500 });
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 200);
      await new Promise((r) => setTimeout(r, 1700));
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 401);
    });

    test('a read key cannot write', async () => {
      const k = await createKey(d, admin, { name: 'ro', scope: 'read' });
      const h = { headers: keyHeaders(k.key) };
      const attempts = [
        await d.post('/api/websites', { name: 'C', domain: 'c.example' }, h),
        await d.post(`/api/websites/${siteA.id}`, { name: 'renamed' }, h),
        await d.del(`/api/websites/${siteB.id}`, h),
        await d.post(`/api/websites/${siteA.id}/reset`, undefined, h),
        await d.post(`/api/websites/${siteA.id}/segments`, { name: 's', parameters: { filters: [] } }, h),
        await d.post('/api/reports', { websiteId: siteA.id, type: 'funnel', name: 'f', parameters: {} }, h),
        await d.post('/api/teams', { name: 'T' }, h),
        await d.post('/api/website', { name: 'v1', domain: 'v1.example' }, h),
      ];
      for (const res of attempts) assert.ok(res.status === 403 || res.status === 401, `${res.status} ${JSON.stringify(res.body)}`);
      assert.equal((await d.get(`/api/websites/${siteA.id}`, { token: admin })).body.name, 'A', 'nothing changed');
      assert.equal((await d.get('/api/websites', { token: admin })).body.count, 2);
    });

    test('a write key writes as its owner may, and no more', async () => {
      const k = await createKey(d, admin, { name: 'rw', scope: 'write' });
      const h = { headers: bearer(k.key) };
      const created = await d.post('/api/websites', { name: 'Made by key', domain: 'key.example' }, h);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal((await d.post(`/api/websites/${created.body.id}`, { name: 'Renamed by key' }, h)).body.name, 'Renamed by key');
      const seg = await d.post(`/api/websites/${created.body.id}/segments`, { name: 'seg', parameters: { filters: [{ name: 'path', operator: 'eq', value: '/' }] } }, h);
      assert.equal(seg.status, 200, JSON.stringify(seg.body));
      const team = await d.post('/api/teams', { name: 'Key team' }, h);
      assert.equal(team.status, 200, JSON.stringify(team.body));
      assert.equal((await d.del(`/api/websites/${created.body.id}`, h)).status, 200);

      // A plain user's write key: their own rights, not the admin's.
      const user = await d.post('/api/users', { username: 'kate', password: 'kate-password', role: 'user' }, { token: admin });
      assert.equal(user.status, 200);
      const kate = await d.login('kate', 'kate-password');
      const kk = await createKey(d, kate, { name: 'kate', scope: 'write' });
      const kh = { headers: keyHeaders(kk.key) };
      assert.equal((await d.get(`/api/websites/${siteA.id}/stats?startAt=0&endAt=${Date.now()}`, kh)).status, 401);
      assert.equal((await d.post(`/api/websites/${siteA.id}`, { name: 'stolen' }, kh)).status, 401);
      assert.equal((await d.get('/api/websites', kh)).body.count, 0);
      assert.equal((await d.get('/api/admin/users', kh)).status, 401);
      // The owner's current role applies: demoted to view-only, the key can no longer create websites.
      assert.equal((await d.post('/api/websites', { name: 'K1', domain: 'k1.example' }, kh)).status, 200);
      assert.equal((await d.post(`/api/users/${user.body.id}`, { role: 'view-only' }, { token: admin })).status, 200);
      assert.equal((await d.post('/api/websites', { name: 'K2', domain: 'k2.example' }, kh)).status, 401);
    });

    test('a key never manages users, passwords or keys', async () => {
      const k = await createKey(d, admin, { name: 'rw2', scope: 'write' });
      const me = (await d.get('/api/me', { token: admin })).body.user;
      for (const headers of [keyHeaders(k.key), bearer(k.key)]) {
        const h = { headers };
        const attempts = [
          await d.post('/api/users', { username: 'evil', password: 'evil-password', role: 'admin' }, h),
          await d.post(`/api/users/${me.id}`, { password: 'new-password-1' }, h),
          await d.post('/api/me/password', { currentPassword: 'umami', newPassword: 'new-password-1' }, h),
          await d.post('/api/me/api-keys', { name: 'child', scope: 'write' }, h),
          await d.get('/api/me/api-keys', h),
          await d.del(`/api/me/api-keys/${k.id}`, h),
          await d.get(`/api/users/${me.id}/api-keys`, h),
          await d.del(`/api/users/${me.id}/api-keys/${k.id}`, h),
          await d.post('/api/auth/logout', undefined, h),
        ];
        for (const res of attempts) assert.ok(res.status === 403 || res.status === 401, `${res.status} ${JSON.stringify(res.body)}`);
      }
      assert.equal((await d.post('/api/auth/login', { username: 'admin', password: 'umami' })).status, 200, 'password unchanged');
      assert.equal((await d.post('/api/auth/login', { username: 'evil', password: 'evil-password' })).status, 401, 'no user created');
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 200, 'the key still works');
      const current = await d.get('/api/me/api-keys/current', { headers: keyHeaders(k.key) });
      assert.equal(current.status, 200);
      assert.equal(current.body.scope, 'write');
      assert.equal(current.body.id, k.id);
    });

    test('a key limited to one website gets 401 on another, and lists show only it', async () => {
      const k = await createKey(d, admin, { name: 'only-a', scope: 'write', websiteIds: [siteA.id] });
      assert.deepEqual(k.websiteIds, [siteA.id]);
      const h = { headers: keyHeaders(k.key) };
      const range = `startAt=0&endAt=${Date.now()}`;
      assert.equal((await d.get(`/api/websites/${siteA.id}/stats?${range}`, h)).status, 200);
      assert.equal((await d.get(`/api/websites/${siteB.id}/stats?${range}`, h)).status, 401);
      assert.equal((await d.get(`/api/websites/${siteB.id}`, h)).status, 401);
      assert.equal((await d.get(`/api/realtime/${siteB.id}`, h)).status, 401);
      assert.equal((await d.post(`/api/websites/${siteB.id}`, { name: 'x' }, h)).status, 401);
      assert.equal((await d.get(`/api/websites/00000000-0000-4000-8000-000000000000`, h)).status, 401);
      const body = { websiteId: siteB.id, dateRange: { startDate: new Date(0).toISOString(), endDate: new Date().toISOString() }, timezone: 'UTC' };
      assert.equal((await d.post('/api/reports/utm', body, h)).status, 401);
      for (const list of ['/api/websites', '/api/me/websites', '/api/admin/websites']) {
        const res = await d.get(list, h);
        assert.equal(res.status, 200, list);
        assert.deepEqual(
          res.body.data.map((w: { id: string }) => w.id),
          [siteA.id],
          list,
        );
      }
      // A report on B, saved with the login token, is out of the key's reach.
      const saved = await d.post('/api/reports', { websiteId: siteB.id, type: 'utm', name: 'on B', parameters: {} }, { token: admin });
      assert.equal(saved.status, 200);
      assert.equal((await d.get(`/api/reports/${saved.body.id}`, h)).status, 401);
      assert.ok(!(await d.get('/api/reports', h)).body.data.some((r: { id: string }) => r.id === saved.body.id));
      assert.equal((await d.post('/api/websites', { name: 'new', domain: 'new.example' }, h)).status, 403);
    });

    test('bad input to POST /api/me/api-keys is a 400 naming the field, and creates nothing', async () => {
      const before = (await d.get('/api/me/api-keys', { token: admin })).body.count;
      const cases: [unknown, RegExp][] = [
        [{ scope: 'read' }, /name/],
        [{ name: '', scope: 'read' }, /name/],
        [{ name: 'x', scope: 'admin' }, /scope/],
        [{ name: 'x', scope: 'read', websiteIds: ['not-a-uuid'] }, /websiteIds/],
        [{ name: 'x', scope: 'read', websiteIds: ['00000000-0000-4000-8000-000000000000'] }, /websiteIds/],
        [{ name: 'x', scope: 'read', websiteIds: [] }, /websiteIds/],
        [{ name: 'x', scope: 'read', expiresAt: Date.now() - 1000 }, /expiresAt/],
        [{ name: 'x', scope: 'read', expiresAt: 'soon' }, /expiresAt/],
        [{ name: 'x'.repeat(101), scope: 'read' }, /name/],
        [{ name: { __proto__: 'x' }, scope: 'read' }, /name/],
        ['[]', /body/],
      ];
      for (const [body, field] of cases) {
        const res = typeof body === 'string' ? await d.request('POST', '/api/me/api-keys', { token: admin, rawBody: body }) : await d.post('/api/me/api-keys', body, { token: admin });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(res.body.error.message, field);
      }
      assert.equal((await d.post('/api/me/api-keys', { name: 'x', scope: 'read' })).status, 401, 'needs a login');
      assert.equal((await d.get('/api/me/api-keys', { token: admin })).body.count, before);
    });

    test('admins list and revoke any user’s keys; users only their own', async () => {
      const bob = await d.post('/api/users', { username: 'bob', password: 'bob-password', role: 'user' }, { token: admin });
      const bobToken = await d.login('bob', 'bob-password');
      const k = await createKey(d, bobToken, { name: 'bobs', scope: 'read' });
      const adminId = (await d.get('/api/me', { token: admin })).body.user.id;
      assert.equal((await d.get(`/api/users/${adminId}/api-keys`, { token: bobToken })).status, 401);
      assert.equal((await d.del(`/api/users/${adminId}/api-keys/${k.id}`, { token: bobToken })).status, 401);
      const listed = await d.get(`/api/users/${bob.body.id}/api-keys`, { token: admin });
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.data.map((x: { id: string }) => x.id),
        [k.id],
      );
      assert.equal((await d.get(`/api/users/${bob.body.id}/api-keys`, { token: bobToken })).body.count, 1);
      // Bob's key id is not one of the admin's own.
      assert.equal((await d.del(`/api/me/api-keys/${k.id}`, { token: admin })).status, 404);
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 200);
      assert.equal((await d.del(`/api/users/${bob.body.id}/api-keys/${k.id}`, { token: admin })).status, 200);
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k.key) })).status, 401);
      // Deleting a user takes their keys with them.
      const k2 = await createKey(d, bobToken, { name: 'bobs2', scope: 'read' });
      assert.equal((await d.del(`/api/users/${bob.body.id}`, { token: admin })).status, 200);
      assert.equal((await d.get('/api/websites', { headers: keyHeaders(k2.key) })).status, 401);
    });
  });
}

describe('rate limit', () => {
  test('RateLimit-* headers on key responses, 429 with Retry-After past the limit, per key', async () => {
    const d = await startDashi({ env: { API_KEY_RATE_LIMIT: '3' } });
    const admin = await d.login();
    const k1 = await createKey(d, admin, { name: 'one', scope: 'read' });
    const k2 = await createKey(d, admin, { name: 'two', scope: 'read' });
    for (let i = 0; i < 3; i++) {
      const res = await d.get('/api/websites', { headers: i % 2 ? bearer(k1.key) : keyHeaders(k1.key) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-limit'), '3');
      assert.equal(res.headers.get('ratelimit-remaining'), String(2 - i));
      const reset = Number(res.headers.get('ratelimit-reset'));
      assert.ok(reset >= 1 && reset <= 60, String(reset));
    }
    const limited = await d.get('/api/websites', { headers: keyHeaders(k1.key) });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.status, 429);
    assert.equal(limited.headers.get('ratelimit-remaining'), '0');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, String(retry));
    assert.equal((await d.get('/api/websites', { headers: keyHeaders(k2.key) })).status, 200, 'another key has its own budget');
    const login = await d.get('/api/websites', { token: admin });
    assert.equal(login.status, 200, 'login tokens are not limited');
    assert.equal(login.headers.get('ratelimit-limit'), null);
  });
});

describe('dashi api-key CLI', () => {
  test('embedded store: works with the server stopped, and says clearly to stop it when it runs', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-cli-keys-'));
    const d = await startDashi({ dataDir });
    const env = { DATA_DIR: dataDir };
    const busy = await runCli(['api-key', 'create', '--user', 'admin', '--name', 'homepage', '--scope', 'read'], env);
    assert.equal(busy.code, 1, busy.output);
    assert.match(busy.output, /running Dashi server/);
    assert.match(busy.output, /Stop the server/);
    await d.stop();

    const created = await runCli(['api-key', 'create', '--user', 'admin', '--name', 'homepage', '--scope', 'read', '--expires', '2999-01-01', '--json'], env);
    assert.equal(created.code, 0, created.output);
    const key = JSON.parse(created.output.trim().split('\n').pop()!);
    assert.match(key.key, /^dashi_/);
    assert.equal(key.expiresAt, '2999-01-01T00:00:00.000Z');
    const bad = await runCli(['api-key', 'create', '--user', 'admin', '--name', 'x', '--scope', 'root'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.output, /scope/);
    const nobody = await runCli(['api-key', 'list', '--user', 'nobody'], env);
    assert.equal(nobody.code, 1);
    assert.match(nobody.output, /No user named 'nobody'/);

    await d.start();
    const ok = await d.get('/api/websites', { headers: keyHeaders(key.key) });
    assert.equal(ok.status, 200);
    await d.stop();
    const list = await runCli(['api-key', 'list', '--user', 'admin'], env);
    assert.equal(list.code, 0, list.output);
    assert.match(list.output, /homepage/);
    assert.ok(!list.output.includes(key.key), 'list never prints the secret');
    const revoked = await runCli(['api-key', 'revoke', '--user', 'admin', key.id], env);
    assert.equal(revoked.code, 0, revoked.output);
    await d.start();
    assert.equal((await d.get('/api/websites', { headers: keyHeaders(key.key) })).status, 401);
  });
});

for (const store of stores.filter((s) => s.name === 'clickhouse')) {
  test(`dashi api-key CLI on ${store.name}: only the PostgreSQL metadata is opened, so it works while the server runs`, async () => {
    const env = await store.env();
    const d = await startDashi({ env });
    const made = await runCli(['api-key', 'create', '--user', 'admin', '--name', 'cli', '--scope', 'read', '--json'], env);
    assert.equal(made.code, 0, made.output);
    const cli = JSON.parse(made.output.trim().split('\n').pop()!);
    assert.equal((await d.get('/api/websites', { headers: keyHeaders(cli.key) })).status, 200);
    assert.equal((await runCli(['api-key', 'revoke', '--user', 'admin', cli.id], env)).code, 0);
    assert.equal((await d.get('/api/websites', { headers: keyHeaders(cli.key) })).status, 401);
  });
}

const pg = stores.filter((s) => s.name === 'postgres');
for (const store of pg) {
  describe(`two processes on ${store.name}`, () => {
    test('a key made on A works on B; revoked on A (or by the CLI) it fails on B at once', async () => {
      const env = await store.env();
      const a = await startDashi({ env });
      const b = await startDashi({ env });
      const token = await a.login();
      const k = await createKey(a, token, { name: 'shared', scope: 'read' });
      assert.equal((await b.get('/api/websites', { headers: keyHeaders(k.key) })).status, 200);
      assert.equal((await a.del(`/api/me/api-keys/${k.id}`, { token })).status, 200);
      assert.equal((await b.get('/api/websites', { headers: keyHeaders(k.key) })).status, 401);
      assert.equal((await b.get('/api/websites', { headers: bearer(k.key) })).status, 401);

      // The CLI talks to PostgreSQL directly while both servers run.
      const made = await runCli(['api-key', 'create', '--user', 'admin', '--name', 'cli', '--scope', 'write', '--json'], env);
      assert.equal(made.code, 0, made.output);
      const cli = JSON.parse(made.output.trim().split('\n').pop()!);
      assert.equal((await a.get('/api/websites', { headers: bearer(cli.key) })).status, 200);
      const gone = await runCli(['api-key', 'revoke', '--user', 'admin', cli.id], env);
      assert.equal(gone.code, 0, gone.output);
      assert.equal((await a.get('/api/websites', { headers: bearer(cli.key) })).status, 401);
      assert.equal((await b.get('/api/websites', { headers: bearer(cli.key) })).status, 401);
    });
  });
}
