// Users, the admin lists and /api/me over HTTP: who may read and change which account, and that
// a password hash never leaves the server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, assertNoSecrets, assertUnauthorized, createUser, PASSWORD, UNKNOWN_UUID, type TestUser } from '../helpers/api.js';

let d: Dashi;
let admin: string;
let adminId: string;
let alice: TestUser;
let bob: TestUser;
let viewer: TestUser;

before(async () => {
  d = await startDashi();
  const login = await d.post('/api/auth/login', { username: 'admin', password: 'umami' });
  admin = login.body.token;
  adminId = login.body.user.id;
  alice = await createUser(d, admin, 'alice');
  bob = await createUser(d, admin, 'bob');
  viewer = await createUser(d, admin, 'viewer', 'view-only');
});
after(stopAll);

test('POST /api/users: admin creates users with the exact shape; others get 401', async () => {
  const res = await d.post('/api/users', { username: 'carol', password: PASSWORD, role: 'user' }, { token: admin });
  assert.equal(res.status, 200);
  assertNoSecrets(res);
  assert.equal(res.body.username, 'carol');
  assert.equal(res.body.role, 'user');
  assert.equal(res.body.isAdmin, false);
  assert.match(res.body.id, /^[0-9a-f-]{36}$/);
  assert.equal((await d.post('/api/auth/login', { username: 'carol', password: PASSWORD })).status, 200);

  const chosenId = '11111111-2222-4333-8444-555555555555';
  const withId = await d.post('/api/users', { id: chosenId, username: 'dave', password: PASSWORD, role: 'view-only' }, { token: admin });
  assert.equal(withId.status, 200);
  assert.equal(withId.body.id, chosenId);
  assertError(await d.post('/api/users', { id: chosenId, username: 'dave2', password: PASSWORD, role: 'user' }, { token: admin }), 400, /id/);

  assertError(await d.post('/api/users', { username: 'carol', password: PASSWORD, role: 'user' }, { token: admin }), 400, 'User already exists');
  assertUnauthorized(await d.post('/api/users', { username: 'eve', password: PASSWORD, role: 'admin' }, { token: alice.token }));
  assertUnauthorized(await d.post('/api/users', { username: 'eve', password: PASSWORD, role: 'user' }));
  // eve was never created
  assertError(await d.post('/api/auth/login', { username: 'eve', password: PASSWORD }), 401);
});

test('POST /api/users validates username, password (8+) and role', async () => {
  const before = (await d.get('/api/admin/users', { token: admin })).body.count;
  assertError(await d.post('/api/users', { username: 'x1', password: 'short', role: 'user' }, { token: admin }), 400, /password: .*8/);
  assertError(await d.post('/api/users', { username: 'x2', password: PASSWORD, role: 'superuser' }, { token: admin }), 400, /role/);
  assertError(await d.post('/api/users', { password: PASSWORD, role: 'user' }, { token: admin }), 400, /username/);
  assertError(await d.post('/api/users', { username: 'x3', password: PASSWORD }, { token: admin }), 400, /role/);
  assertError(await d.post('/api/users', { username: 'x'.repeat(256), password: PASSWORD, role: 'user' }, { token: admin }), 400, /username/);
  assertError(await d.post('/api/users', { username: 42, password: PASSWORD, role: 'user' }, { token: admin }), 400, /username/);
  assertError(await d.post('/api/users', { username: 'x4', password: 'p'.repeat(256), role: 'user' }, { token: admin }), 400, /password/);
  assert.equal((await d.get('/api/admin/users', { token: admin })).body.count, before);
});

test('GET /api/users/:id: admin or self; others 401; unknown ids', async () => {
  const self = await d.get(`/api/users/${alice.id}`, { token: alice.token });
  assert.equal(self.status, 200);
  assertNoSecrets(self);
  assert.equal(self.body.id, alice.id);
  assert.equal(self.body.username, 'alice');
  assert.equal(self.body.role, 'user');
  assert.equal((await d.get(`/api/users/${alice.id}`, { token: admin })).body.username, 'alice');
  assertUnauthorized(await d.get(`/api/users/${alice.id}`, { token: bob.token }));
  assertUnauthorized(await d.get(`/api/users/${adminId}`, { token: alice.token }));
  assertUnauthorized(await d.get(`/api/users/${alice.id}`));
  assertError(await d.get(`/api/users/${UNKNOWN_UUID}`, { token: admin }), 404);
  assertUnauthorized(await d.get(`/api/users/${UNKNOWN_UUID}`, { token: bob.token }));
  assertError(await d.get('/api/users/not-a-uuid', { token: admin }), 400, /userId/);
});

test('POST /api/users/:id: self may change own password only; admin changes anything', async () => {
  const u = await createUser(d, admin, 'frank');
  const pw = await d.post(`/api/users/${u.id}`, { password: 'frank-new-pass' }, { token: u.token });
  assert.equal(pw.status, 200);
  assertNoSecrets(pw);
  assert.equal(pw.body.username, 'frank');
  assert.equal((await d.post('/api/auth/login', { username: 'frank', password: 'frank-new-pass' })).status, 200);

  // a non-admin cannot promote themselves or rename
  assertUnauthorized(await d.post(`/api/users/${u.id}`, { role: 'admin' }, { token: u.token }));
  assertUnauthorized(await d.post(`/api/users/${u.id}`, { username: 'frankie' }, { token: u.token }));
  // nor touch someone else
  assertUnauthorized(await d.post(`/api/users/${alice.id}`, { password: 'hijacked-pass' }, { token: u.token }));
  assertError(await d.post('/api/auth/login', { username: 'alice', password: 'hijacked-pass' }), 401);
  const still = await d.get(`/api/users/${u.id}`, { token: admin });
  assert.equal(still.body.role, 'user');
  assert.equal(still.body.username, 'frank');

  const upd = await d.post(`/api/users/${u.id}`, { username: 'frankie', role: 'view-only' }, { token: admin });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.username, 'frankie');
  assert.equal(upd.body.role, 'view-only');
  assertError(await d.post(`/api/users/${u.id}`, { username: 'alice' }, { token: admin }), 400, 'User already exists');
  assertError(await d.post(`/api/users/${u.id}`, { password: 'short' }, { token: admin }), 400, /password/);
  assertError(await d.post(`/api/users/${u.id}`, { role: 'root' }, { token: admin }), 400, /role/);
  assertError(await d.post(`/api/users/${adminId}`, { role: 'user' }, { token: admin }), 400, /role/);
  assertError(await d.post(`/api/users/${UNKNOWN_UUID}`, { username: 'ghost' }, { token: admin }), 404);
  assert.equal((await d.get(`/api/users/${u.id}`, { token: admin })).body.username, 'frankie');
  assert.equal((await d.get(`/api/users/${adminId}`, { token: admin })).body.role, 'admin');
});

test('DELETE /api/users/:id: admin only, not self; removes their websites', async () => {
  const u = await createUser(d, admin, 'gina');
  const site = await d.post('/api/websites', { name: 'Gina', domain: 'gina.example' }, { token: u.token });
  assert.equal(site.status, 200);
  assertUnauthorized(await d.del(`/api/users/${u.id}`, { token: u.token }));
  assertUnauthorized(await d.del(`/api/users/${u.id}`, { token: bob.token }));
  assertError(await d.del(`/api/users/${adminId}`, { token: admin }), 400, /yourself/);
  assertError(await d.del(`/api/users/${UNKNOWN_UUID}`, { token: admin }), 404);
  assert.equal((await d.get(`/api/users/${u.id}`, { token: admin })).status, 200);

  const res = await d.del(`/api/users/${u.id}`, { token: admin });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { ok: true });
  assertError(await d.get(`/api/users/${u.id}`, { token: admin }), 404);
  assertError(await d.get(`/api/websites/${site.body.id}`, { token: admin }), 404);
  assertError(await d.post('/api/auth/login', { username: 'gina', password: PASSWORD }), 401);
});

test('GET /api/users/:id/websites and /teams: admin or self, paged', async () => {
  const w = await d.post('/api/websites', { name: 'Alice site', domain: 'alice.example' }, { token: alice.token });
  const t = await d.post('/api/teams', { name: 'Alice team' }, { token: alice.token });
  assert.equal(t.status, 200);
  for (const token of [alice.token, admin]) {
    const sites = await d.get(`/api/users/${alice.id}/websites`, { token });
    assert.equal(sites.status, 200);
    assert.deepEqual(sites.body.data.map((s: any) => s.id), [w.body.id]);
    assert.equal(sites.body.count, 1);
    assert.equal(sites.body.page, 1);
    assert.equal(sites.body.pageSize, 10);
    const teams = await d.get(`/api/users/${alice.id}/teams`, { token });
    assert.equal(teams.status, 200);
    assert.deepEqual(teams.body.data.map((x: any) => x.name), ['Alice team']);
    assert.equal(teams.body.count, 1);
  }
  assertUnauthorized(await d.get(`/api/users/${alice.id}/websites`, { token: bob.token }));
  assertUnauthorized(await d.get(`/api/users/${alice.id}/teams`, { token: bob.token }));
  const bobSites = await d.get(`/api/users/${bob.id}/websites`, { token: bob.token });
  assert.equal(bobSites.body.count, 0);
});

test('admin lists: users, websites, teams (admin only)', async () => {
  const users = await d.get('/api/admin/users', { token: admin });
  assert.equal(users.status, 200);
  assertNoSecrets(users);
  const names = users.body.data.map((u: any) => u.username);
  for (const n of ['admin', 'alice', 'bob', 'viewer']) assert.ok(names.includes(n), n);
  assert.equal(users.body.count, users.body.data.length);
  const search = await d.get('/api/admin/users?search=ali', { token: admin });
  assert.deepEqual(search.body.data.map((u: any) => u.username), ['alice']);
  const page = await d.get('/api/admin/users?pageSize=2&page=2', { token: admin });
  assert.equal(page.body.data.length, 2);
  assert.equal(page.body.page, 2);
  assert.equal(page.body.pageSize, 2);
  assert.equal(page.body.count, users.body.count);

  await d.post('/api/websites', { name: 'Bob site', domain: 'bob.example' }, { token: bob.token });
  const sites = await d.get('/api/admin/websites', { token: admin });
  assert.equal(sites.status, 200);
  assert.ok(sites.body.data.some((s: any) => s.name === 'Bob site'));
  const teams = await d.get('/api/admin/teams', { token: admin });
  assert.equal(teams.status, 200);
  assert.ok(teams.body.count >= 1);

  for (const path of ['/api/admin/users', '/api/admin/websites', '/api/admin/teams']) {
    assertUnauthorized(await d.get(path, { token: alice.token }));
    assertUnauthorized(await d.get(path, { token: viewer.token }));
    assertUnauthorized(await d.get(path));
  }
});

test('/api/me, /api/me/websites, /api/me/teams show only the caller’s things', async () => {
  const me = await d.get('/api/me', { token: bob.token });
  assert.equal(me.status, 200);
  assertNoSecrets(me);
  assert.equal(me.body.token, null);
  assert.deepEqual(Object.keys(me.body.user).sort(), ['createdAt', 'displayName', 'id', 'isAdmin', 'role', 'username']);
  assert.equal(me.body.user.id, bob.id);
  assert.equal(me.body.user.username, 'bob');

  const mine = await d.get('/api/me/websites', { token: bob.token });
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.body.data.map((s: any) => s.name), ['Bob site']);
  assert.equal(mine.body.pageSize, 10);
  const teams = await d.get('/api/me/teams', { token: bob.token });
  assert.equal(teams.status, 200);
  assert.deepEqual(teams.body.data, []);
  assert.equal(teams.body.count, 0);
  const aliceTeams = await d.get('/api/me/teams', { token: alice.token });
  assert.deepEqual(aliceTeams.body.data.map((t: any) => t.name), ['Alice team']);

  for (const path of ['/api/me', '/api/me/websites', '/api/me/teams']) assertUnauthorized(await d.get(path));
});

test('POST /api/me/password: current password required, new one 8+', async () => {
  const u = await createUser(d, admin, 'hank');
  assertError(await d.post('/api/me/password', { currentPassword: 'wrong-one', newPassword: 'hank-new-pass' }, { token: u.token }), 400, /currentPassword/);
  assertError(await d.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'short' }, { token: u.token }), 400, /newPassword/);
  assertError(await d.post('/api/me/password', { newPassword: 'hank-new-pass' }, { token: u.token }), 400, /currentPassword/);
  assert.equal((await d.post('/api/auth/login', { username: 'hank', password: PASSWORD })).status, 200);
  const ok = await d.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'hank-new-pass' }, { token: u.token });
  assert.equal(ok.status, 200);
  assertNoSecrets(ok);
  assert.equal(ok.body.username, 'hank');
  assertError(await d.post('/api/auth/login', { username: 'hank', password: PASSWORD }), 401);
  assert.equal((await d.post('/api/auth/login', { username: 'hank', password: 'hank-new-pass' })).status, 200);
  assertUnauthorized(await d.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'whatever-pass' }));
});

test('no response body and no log line ever carries a password hash', async () => {
  const bodies = [
    await d.post('/api/auth/login', { username: 'alice', password: PASSWORD }),
    await d.post('/api/auth/verify', undefined, { token: alice.token }),
    await d.get('/api/me', { token: alice.token }),
    await d.get(`/api/users/${alice.id}`, { token: admin }),
    await d.get('/api/admin/users?pageSize=100', { token: admin }),
    await d.get('/api/admin/teams', { token: admin }),
    await d.get('/api/admin/websites', { token: admin }),
    await d.get('/api/me/teams', { token: alice.token }),
    await d.post(`/api/users/${alice.id}`, { password: PASSWORD }, { token: alice.token }),
  ];
  // the password change ended alice's other sessions; this one goes on with the renewed token
  alice.token = bodies[bodies.length - 1].body.token;
  const teams = await d.get('/api/me/teams', { token: alice.token });
  const team = await d.get(`/api/teams/${teams.body.data[0].id}`, { token: alice.token });
  bodies.push(team, await d.get(`/api/teams/${teams.body.data[0].id}/users`, { token: alice.token }));
  for (const res of bodies) {
    assert.equal(res.status, 200);
    assertNoSecrets(res);
  }
  assert.doesNotMatch(d.output, /\$2[aby]\$\d\d\$/);
  assert.ok(!d.output.includes(PASSWORD), 'a plaintext password reached the logs');
  assert.ok(!d.output.includes(alice.token), 'a token reached the logs');
});
