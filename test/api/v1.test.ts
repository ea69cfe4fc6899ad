// Seed 000 (Umami v1) website routes over HTTP: POST /api/website and, for a request
// authenticated only by the umami.auth cookie, GET /api/websites as the v1 array.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertUnauthorized, createUser, type TestUser } from '../helpers/api.js';

let d: Dashi;
let admin: string;
let alice: TestUser;
let bob: TestUser;

const V1_KEYS = ['created_at', 'domain', 'name', 'share_id', 'user_id', 'website_id', 'website_uuid'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const cookie = (token: string) => `umami.auth=${token}`;

before(async () => {
  d = await startDashi();
  admin = await d.login();
  alice = await createUser(d, admin, 'alice'); // second user: v1 user_id 2
  bob = await createUser(d, admin, 'bob'); // third user: v1 user_id 3
});
after(stopAll);

test('v1 login: the token from /api/auth/login works as the umami.auth cookie', async () => {
  const login = await d.post('/api/auth/login', { username: 'alice', password: 'password123' });
  assert.equal(login.status, 200);
  const res = await d.get('/api/websites', { cookie: cookie(login.body.token) });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, []);
});

test('POST /api/website answers the v1 shape', async () => {
  const res = await d.post('/api/website', { domain: 'umami.is', name: 'Umami', enable_share_url: true, public: false }, { cookie: cookie(alice.token) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), V1_KEYS);
  assert.equal(res.body.website_id, 1);
  assert.match(res.body.website_uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(res.body.user_id, 2);
  assert.equal(res.body.name, 'Umami');
  assert.equal(res.body.domain, 'umami.is');
  assert.match(res.body.share_id, /^[A-Za-z0-9_-]{8}$/);
  assert.match(res.body.created_at, ISO);

  // the share link works and the v2 view agrees
  const share = await d.get(`/api/share/${res.body.share_id}`);
  assert.equal(share.status, 200);
  assert.equal(share.body.websiteId, res.body.website_uuid);
  const v2 = await d.get(`/api/websites/${res.body.website_uuid}`, { token: alice.token });
  assert.equal(v2.body.shareId, res.body.share_id);
  assert.equal(v2.body.userId, alice.id);

  const plain = await d.post('/api/website', { domain: 'b.example', name: 'No share' }, { token: alice.token });
  assert.equal(plain.status, 200);
  assert.equal(plain.body.website_id, 2);
  assert.equal(plain.body.share_id, null);
  const pub = await d.post('/api/website', { domain: 'c.example', name: 'Public', public: 'true' }, { cookie: cookie(bob.token) });
  assert.equal(pub.body.website_id, 3);
  assert.equal(pub.body.user_id, 3);
  assert.match(pub.body.share_id, /^[A-Za-z0-9_-]{8}$/);
});

test('GET /api/websites with only the cookie answers the v1 array of the caller’s websites', async () => {
  const res = await d.get('/api/websites', { cookie: cookie(alice.token) });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.body));
  assert.deepEqual(res.body.map((w: any) => w.name).sort(), ['No share', 'Umami']);
  for (const w of res.body) {
    assert.deepEqual(Object.keys(w).sort(), V1_KEYS);
    assert.equal(w.user_id, 2);
    assert.equal(typeof w.website_id, 'number');
  }
  const bobs = await d.get('/api/websites', { cookie: cookie(bob.token) });
  assert.deepEqual(bobs.body.map((w: any) => w.name), ['Public']);

  // bearer (with or without the cookie) answers the v2 paged shape
  for (const opts of [{ token: alice.token }, { token: alice.token, cookie: cookie(alice.token) }]) {
    const v2 = await d.get('/api/websites', opts);
    assert.equal(v2.status, 200);
    assert.equal(v2.body.count, 2);
    assert.equal(v2.body.pageSize, 10);
    assert.deepEqual(v2.body.data.map((w: any) => w.name), ['No share', 'Umami']);
  }
});

test('v1 routes deny anonymous callers and view-only users', async () => {
  assertUnauthorized(await d.post('/api/website', { domain: 'x.example', name: 'X' }));
  assertUnauthorized(await d.post('/api/website', { domain: 'x.example', name: 'X' }, { cookie: 'umami.auth=forged' }));
  const ro = await createUser(d, admin, 'ro', 'view-only');
  assertUnauthorized(await d.post('/api/website', { domain: 'x.example', name: 'X' }, { cookie: cookie(ro.token) }));
  assertUnauthorized(await d.get('/api/websites', { cookie: 'umami.auth=forged' }));
  const all = await d.get('/api/admin/websites', { token: admin });
  assert.equal(all.body.count, 3);
});
