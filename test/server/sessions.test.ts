// A password change or an admin's password reset ends the user's other sessions at once, on every
// store and (on the server stores) on every process: tokens issued before it stop working. The
// session that changed its own password gets a fresh token (in the body, and in the cookie when
// it came with one). Other users' sessions are untouched.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser, PASSWORD, type TestUser } from '../helpers/api.js';

const stores = await testStores();
const dirs: string[] = [];
after(async () => {
  await stopAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const works = async (d: Dashi, token: string, what: string) => assert.equal((await d.get('/api/auth/verify', { token })).status, 200, what);

for (const store of stores) {
  describe(`sessions end on password change (${store.name})`, () => {
    let a: Dashi;
    /** A second process on the same store (server stores), else the same one. */
    let b: Dashi;
    let admin: string;
    let user: TestUser;

    before(async () => {
      const env = await store.env();
      a = await startDashi({ env });
      b = a;
      if (store.name === 'postgres') b = await startDashi({ env });
      if (store.name === 'clickhouse') {
        // chdb allows one process per directory: the second process shares the PostgreSQL metadata only
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-chdb-b-'));
        dirs.push(dir);
        b = await startDashi({ env: { ...env, CLICKHOUSE_URL: `chdb:${dir}` } });
      }
      admin = await a.login();
      user = await createUser(a, admin, 'alice');
    });
    after(() => store.cleanup());

    test('POST /api/me/password: every other token of the user stops at once; this session gets a new one', async () => {
      const other = await b.login('alice', PASSWORD);
      const adminOnB = await b.login();
      await works(b, other, 'before the change');
      const res = await a.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'second-password' }, { token: user.token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.username, 'alice');
      assert.equal(typeof res.body.token, 'string');
      for (const d of new Set([a, b])) {
        assertUnauthorized(await d.get('/api/auth/verify', { token: other }));
        assertUnauthorized(await d.get('/api/websites', { token: other }));
        assertUnauthorized(await d.get('/api/auth/verify', { token: user.token }));
        await works(d, res.body.token, 'the renewed token');
        await works(d, adminOnB, 'another user is not logged out');
      }
      assertError(await b.post('/api/auth/login', { username: 'alice', password: PASSWORD }), 401);
      user.token = res.body.token;
      await works(b, await b.login('alice', 'second-password'), 'a login after the change');
    });

    test('an admin reset (POST /api/users/:id with a password) ends all of the user’s sessions', async () => {
      const other = await b.login('alice', 'second-password');
      const res = await a.post(`/api/users/${user.id}`, { password: 'reset-by-admin' }, { token: admin });
      assert.equal(res.status, 200);
      assert.equal(res.body.token, undefined, 'the admin gets no token for someone else');
      for (const d of new Set([a, b])) {
        assertUnauthorized(await d.get('/api/auth/verify', { token: other }));
        assertUnauthorized(await d.get('/api/auth/verify', { token: user.token }));
        await works(d, admin, 'the admin stays logged in');
      }
      // other changes (username) do not end sessions
      user.token = await a.login('alice', 'reset-by-admin');
      assert.equal((await a.post(`/api/users/${user.id}`, { username: 'alice2' }, { token: admin })).status, 200);
      await works(b, user.token, 'a rename keeps sessions');
    });

    test('changing one’s own password through POST /api/users/:id also renews only this session', async () => {
      const other = await b.login('alice2', 'reset-by-admin');
      const res = await a.post(`/api/users/${user.id}`, { password: 'third-password' }, { token: user.token });
      assert.equal(res.status, 200);
      assert.equal(typeof res.body.token, 'string');
      assertUnauthorized(await b.get('/api/auth/verify', { token: other }));
      assertUnauthorized(await b.get('/api/auth/verify', { token: user.token }));
      await works(b, res.body.token, 'renewed');
      user.token = res.body.token;
    });

    test('with the cookie, the renewed token comes back as the cookie', async () => {
      const login = await a.post('/api/auth/login', { username: 'alice2', password: 'third-password' });
      const res = await a.post('/api/me/password', { currentPassword: 'third-password', newPassword: 'fourth-password' }, { cookie: `umami.auth=${login.body.token}` });
      assert.equal(res.status, 200);
      const cookie = /umami\.auth=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
      assert.ok(cookie, 'set-cookie');
      assert.equal(cookie[1], res.body.token);
      assertUnauthorized(await a.get('/api/me', { cookie: `umami.auth=${login.body.token}` }));
      assert.equal((await b.get('/api/me', { cookie: `umami.auth=${cookie[1]}` })).status, 200);
      assertUnauthorized(await b.get('/api/auth/verify', { token: user.token }));
      user.token = res.body.token;
    });

    test('ended sessions stay ended after a restart', async () => {
      const stale = await a.login('alice2', 'fourth-password');
      assert.equal((await a.post(`/api/users/${user.id}`, { password: 'fifth-password' }, { token: admin })).status, 200);
      await a.restart();
      assertUnauthorized(await a.get('/api/auth/verify', { token: stale }));
      await works(a, admin, 'admin after restart');
    });
  });
}
